CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`entity_type` text,
	`entity_id` text,
	`details` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity_type`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_log_created_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `coordinators` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text DEFAULT 'coordinator' NOT NULL,
	`password_hash` text,
	`invite_token_hash` text,
	`invite_expires_at` integer,
	`disabled_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coordinators_email_unique` ON `coordinators` (`email`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_table_id` integer NOT NULL,
	`referent_id` integer,
	`email` text NOT NULL,
	`token_hash` text NOT NULL,
	`answer` text DEFAULT 'pending' NOT NULL,
	`answered_at` integer,
	`attended` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`round_table_id`) REFERENCES `round_tables`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referent_id`) REFERENCES `referents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_uq` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_table_email_uq` ON `invitations` (`round_table_id`,`email`);--> statement-breakpoint
CREATE INDEX `invitations_referent_idx` ON `invitations` (`referent_id`);--> statement-breakpoint
CREATE TABLE `materials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_table_id` integer NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`curated_by` text,
	`stored_file_name` text,
	`download_name` text,
	`mime_type` text,
	`size_bytes` integer,
	`url` text,
	`visibility` text DEFAULT 'public' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`round_table_id`) REFERENCES `round_tables`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `materials_round_table_idx` ON `materials` (`round_table_id`);--> statement-breakpoint
CREATE TABLE `member_bodies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`municipality_code` text,
	`name` text NOT NULL,
	`pec` text NOT NULL,
	`fiscal_code` text NOT NULL,
	`status` text DEFAULT 'candidate' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`istat_code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_bodies_fiscal_code_uq` ON `member_bodies` (`fiscal_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `member_bodies_comune_uq` ON `member_bodies` (`municipality_code`) WHERE kind = 'comune';--> statement-breakpoint
CREATE TABLE `membership_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_body_id` integer NOT NULL,
	`referent_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'email_unverified' NOT NULL,
	`no_active_projects` integer DEFAULT false NOT NULL,
	`submission` text NOT NULL,
	`confirmation_token_hash` text,
	`confirmation_expires_at` integer,
	`confirmed_at` integer,
	`decided_by_id` integer,
	`decided_at` integer,
	`decision_reason` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`member_body_id`) REFERENCES `member_bodies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referent_id`) REFERENCES `referents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `coordinators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `membership_requests_status_idx` ON `membership_requests` (`status`);--> statement-breakpoint
CREATE INDEX `membership_requests_body_idx` ON `membership_requests` (`member_body_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_requests_token_uq` ON `membership_requests` (`confirmation_token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_requests_one_approved_uq` ON `membership_requests` (`member_body_id`) WHERE status = 'approved';--> statement-breakpoint
CREATE TABLE `municipalities` (
	`istat_code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`search_key` text NOT NULL,
	`province_code` text NOT NULL,
	FOREIGN KEY (`province_code`) REFERENCES `provinces`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `municipalities_province_idx` ON `municipalities` (`province_code`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient` text NOT NULL,
	`template` text NOT NULL,
	`props` text NOT NULL,
	`category` text DEFAULT 'service' NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`message_id` text NOT NULL,
	`subject` text,
	`member_body_id` integer,
	`round_table_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`sent_at` integer,
	`updated_at` integer,
	FOREIGN KEY (`member_body_id`) REFERENCES `member_bodies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`round_table_id`) REFERENCES `round_tables`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_recipient_idx` ON `outbox` (`recipient`);--> statement-breakpoint
CREATE INDEX `outbox_member_body_idx` ON `outbox` (`member_body_id`);--> statement-breakpoint
CREATE INDEX `outbox_round_table_idx` ON `outbox` (`round_table_id`);--> statement-breakpoint
CREATE TABLE `project_host_municipalities` (
	`project_id` integer NOT NULL,
	`municipality_code` text NOT NULL,
	PRIMARY KEY(`project_id`, `municipality_code`),
	FOREIGN KEY (`project_id`) REFERENCES `sai_projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`istat_code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `provinces` (
	`code` text PRIMARY KEY NOT NULL,
	`sigla` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`region` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provinces_sigla_unique` ON `provinces` (`sigla`);--> statement-breakpoint
CREATE TABLE `referents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_body_id` integer NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`role` text NOT NULL,
	`office` text NOT NULL,
	`email` text NOT NULL,
	`phone` text NOT NULL,
	`mobile` text,
	`privacy_consent_at` integer NOT NULL,
	`privacy_notice_version` text NOT NULL,
	`email_verified_at` integer,
	`receives_communications` integer DEFAULT true NOT NULL,
	`valid_from` integer,
	`valid_to` integer,
	`erased_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`member_body_id`) REFERENCES `member_bodies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `referents_email_idx` ON `referents` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `referents_one_active_per_body_uq` ON `referents` (`member_body_id`) WHERE valid_from IS NOT NULL AND valid_to IS NULL;--> statement-breakpoint
CREATE TABLE `round_tables` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` integer,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`mode` text NOT NULL,
	`place` text,
	`online_url` text,
	`speakers` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_by_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`created_by_id`) REFERENCES `coordinators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `round_tables_number_uq` ON `round_tables` (`number`);--> statement-breakpoint
CREATE INDEX `round_tables_starts_idx` ON `round_tables` (`starts_at`);--> statement-breakpoint
CREATE TABLE `sai_projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_body_id` integer NOT NULL,
	`request_id` integer,
	`category` text NOT NULL,
	`funded_places` integer NOT NULL,
	`project_code` text,
	`managing_organization` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text NOT NULL,
	`closed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`member_body_id`) REFERENCES `member_bodies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`request_id`) REFERENCES `membership_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sai_projects_body_idx` ON `sai_projects` (`member_body_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`coordinator_id` integer,
	`referent_id` integer,
	`data` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`coordinator_id`) REFERENCES `coordinators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`referent_id`) REFERENCES `referents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_coordinator_idx` ON `sessions` (`coordinator_id`);--> statement-breakpoint
CREATE INDEX `sessions_referent_idx` ON `sessions` (`referent_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
