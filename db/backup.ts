// `npm run backup`: a consistent copy of the database in $DATA_DIR/backups/, made while the portal
// keeps running. Reads the same settings as the portal (DATA_DIR, DATABASE_PATH).
import path from "node:path";
import { getEnv, InvalidEnvironmentError } from "../app/utils/env.server";
import { BackupError, createBackup } from "./backups";

try {
  const env = getEnv();
  const result = createBackup({ databasePath: env.databasePath, backupDir: path.join(env.dataDir, "backups") });
  const rows = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
  console.log(`Backup scritto: ${result.file} (${(result.bytes / 1024).toFixed(0)} KiB, ${rows} righe, integrity_check ok)`);
} catch (error) {
  if (error instanceof BackupError || error instanceof InvalidEnvironmentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
