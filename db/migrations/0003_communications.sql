CREATE TABLE `communications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`province_codes` text NOT NULL,
	`categories` text NOT NULL,
	`attachment_stored_name` text,
	`attachment_download_name` text,
	`attachment_mime_type` text,
	`attachment_size_bytes` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`recipient_count` integer,
	`created_by` integer NOT NULL,
	`sent_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`sent_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `coordinators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sent_by`) REFERENCES `coordinators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `outbox` ADD `communication_id` integer REFERENCES communications(id);--> statement-breakpoint
CREATE INDEX `outbox_communication_idx` ON `outbox` (`communication_id`);