CREATE TABLE `invitation_moved_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`invitation_id` integer NOT NULL,
	`moved_at` integer NOT NULL,
	FOREIGN KEY (`invitation_id`) REFERENCES `invitations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `invitation_moved_tokens_invitation_idx` ON `invitation_moved_tokens` (`invitation_id`);