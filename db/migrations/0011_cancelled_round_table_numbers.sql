DROP INDEX `round_tables_number_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `round_tables_number_uq` ON `round_tables` (`number`) WHERE status <> 'cancelled';