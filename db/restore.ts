// `npm run restore -- FILE [--force]`: puts a backup made by `npm run backup` back in place of the
// database (DATABASE_PATH, or $DATA_DIR/portale.db), after checking it. The current database is kept
// beside it as <name>.before-restore-<time>. Refused while the portal has the database open, unless --force.
// Reads only DATA_DIR and DATABASE_PATH.
import { parseArgs } from "node:util";
import { getStoragePaths, InvalidEnvironmentError } from "../app/utils/env.server";
import { BackupError, restoreBackup } from "./backups";
import { runCommand } from "./cli";

const USAGE = "Uso: npm run restore -- FILE [--force]";

await runCommand(
  async () => {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: "boolean", default: false } } });
    if (positionals.length !== 1) {
      console.error(USAGE);
      process.exit(2);
    }
    const result = await restoreBackup({
      file: positionals[0],
      databasePath: getStoragePaths().databasePath,
      force: values.force,
      warn: (line) => console.warn(line),
    });
    if (result.previous) console.log(`Database precedente conservato in ${result.previous}`);
    const rows = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
    console.log(`Ripristinato ${positionals[0]} in ${result.restored} (${rows} righe, integrity_check ok).`);
    if (result.online) console.log("Riavvia il portale ora.");
  },
  { usage: USAGE, refusals: [BackupError, InvalidEnvironmentError] },
);
