// `npm run backup`: a consistent copy of the database in $DATA_DIR/backups/, made while the portal
// keeps running. Reads only DATA_DIR and DATABASE_PATH: the portal's other settings need not be set.
import path from "node:path";
import { getStoragePaths, InvalidEnvironmentError } from "../app/utils/env.server";
import { BackupError, createBackup } from "./backups";
import { runCommand } from "./cli";

await runCommand(
  () => {
    const { databasePath, dataDir } = getStoragePaths();
    const result = createBackup({ databasePath, backupDir: path.join(dataDir, "backups") });
    const rows = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
    console.log(`Backup scritto: ${result.file} (${(result.bytes / 1024).toFixed(0)} KiB, ${rows} righe, integrity_check ok)`);
  },
  { refusals: [BackupError, InvalidEnvironmentError] },
);
