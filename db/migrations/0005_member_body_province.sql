ALTER TABLE `member_bodies` ADD `province_code` text REFERENCES provinces(code);--> statement-breakpoint
CREATE INDEX `member_bodies_province_idx` ON `member_bodies` (`province_code`);--> statement-breakpoint
-- Every ente gets the province of its seat. A Comune's is its comune's; a Libero Consorzio or a
-- Città Metropolitana is a province, found by its name in the ente's ("Libero Consorzio Comunale di
-- Ragusa"), the longest such name when several fit. Unioni di Comuni and other enti stay without
-- one until a coordinator completes the ente ("Modifica dati").
UPDATE `member_bodies` SET `province_code` = (
  SELECT `province_code` FROM `municipalities` WHERE `municipalities`.`istat_code` = `member_bodies`.`municipality_code`
) WHERE `municipality_code` IS NOT NULL;--> statement-breakpoint
UPDATE `member_bodies` SET `province_code` = (
  SELECT `code` FROM `provinces` WHERE `member_bodies`.`name` LIKE '%' || `provinces`.`name` || '%' ORDER BY length(`provinces`.`name`) DESC LIMIT 1
) WHERE `province_code` IS NULL AND `kind` IN ('libero_consorzio', 'citta_metropolitana');
