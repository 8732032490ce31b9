CREATE TABLE `referent_email_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`referent_id` integer NOT NULL,
	`new_email` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`referent_id`) REFERENCES `referents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referent_email_changes_referent_idx` ON `referent_email_changes` (`referent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `referent_email_changes_token_uq` ON `referent_email_changes` (`token_hash`);--> statement-breakpoint
CREATE TABLE `referent_login_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`referent_id` integer NOT NULL,
	`email_hash` text NOT NULL,
	`code_hash` text NOT NULL,
	`link_token_hash` text NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`referent_id`) REFERENCES `referents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referent_login_codes_email_idx` ON `referent_login_codes` (`email_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `referent_login_codes_link_uq` ON `referent_login_codes` (`link_token_hash`);