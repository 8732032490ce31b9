ALTER TABLE `invitations` ADD `reminded_at` integer;--> statement-breakpoint
-- Reminders become once per invitation (invitations.reminded_at) instead of once per round table
-- (round_tables.reminders_sent_at). A round table whose reminders already went out keeps that state:
-- every one of its invitations counts as reminded at that time, so no one gets a second reminder
-- and no invitation gets one the old rule would not have sent.
UPDATE `invitations` SET `reminded_at` = (
  SELECT `reminders_sent_at` FROM `round_tables` WHERE `round_tables`.`id` = `invitations`.`round_table_id`
) WHERE `reminded_at` IS NULL AND `round_table_id` IN (SELECT `id` FROM `round_tables` WHERE `reminders_sent_at` IS NOT NULL);--> statement-breakpoint
ALTER TABLE `round_tables` DROP COLUMN `reminders_sent_at`;
