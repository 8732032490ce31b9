ALTER TABLE `round_tables` ADD `cancelled_at` integer;--> statement-breakpoint
-- Written by hand (drizzle-kit generates only the column): the Tavoli cancelled before the column
-- get the time of their cancellation from its audit entry (round_table.cancelled, written in the
-- same transaction), else from updated_at (a cancelled Tavolo cannot be changed, so its last change
-- is the cancellation), else from created_at (a row written as cancelled: cancelled by then).
-- invitationWithdrawn takes the earlier of this and the start, so a time too late for a Tavolo
-- long past changes nothing for it.
UPDATE `round_tables` SET `cancelled_at` = coalesce(
  (SELECT min(`a`.`created_at`) FROM `audit_log` `a`
   WHERE `a`.`entity_type` = 'round_table' AND `a`.`entity_id` = CAST(`round_tables`.`id` AS TEXT) AND `a`.`action` = 'round_table.cancelled'),
  `updated_at`,
  `created_at`
) WHERE `status` = 'cancelled' AND `cancelled_at` IS NULL;
