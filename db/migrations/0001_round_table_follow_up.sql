ALTER TABLE `invitations` ADD `notified_sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `materials` ADD `announced_at` integer;--> statement-breakpoint
ALTER TABLE `round_tables` ADD `reminder_days` integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE `round_tables` ADD `reminders_sent_at` integer;