ALTER TABLE `audit_log` ADD `search_text` text;--> statement-breakpoint
CREATE INDEX `audit_log_unfolded_idx` ON `audit_log` (`id`) WHERE search_text IS NULL;