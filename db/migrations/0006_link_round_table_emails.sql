-- Emails about the Tavoli tecnici queued before they carried the ente (outbox.member_body_id) get
-- the ente of the referente they invited, found through the invitation to the same round table and
-- address. An address that is no referente's (a guest added by hand) belongs to no ente. This ran
-- at every start until now; once is enough.
UPDATE `outbox` SET `member_body_id` = (
  SELECT `r`.`member_body_id` FROM `invitations` `i` JOIN `referents` `r` ON `r`.`id` = `i`.`referent_id`
  WHERE `i`.`round_table_id` = `outbox`.`round_table_id` AND `i`.`email` = `outbox`.`recipient`
) WHERE `member_body_id` IS NULL AND `round_table_id` IS NOT NULL AND EXISTS (
  SELECT 1 FROM `invitations` `i` JOIN `referents` `r` ON `r`.`id` = `i`.`referent_id`
  WHERE `i`.`round_table_id` = `outbox`.`round_table_id` AND `i`.`email` = `outbox`.`recipient`
);
