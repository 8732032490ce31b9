// `npm run coordinator:password -- EMAIL`: a new password for an active coordinator, printed once,
// for when no email reaches them (see setCoordinatorPasswordFromConsole). Runs while the portal
// runs; reads only DATA_DIR and DATABASE_PATH, like the backup.
import crypto from "node:crypto";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { setCoordinatorPasswordFromConsole } from "../app/models/coordinator-password.server";
import { openDatabase } from "../app/utils/db.server";
import { getStoragePaths, InvalidEnvironmentError } from "../app/utils/env.server";
import { runCommand } from "./cli";

const USAGE = "Uso: npm run coordinator:password -- EMAIL";

await runCommand(
  async () => {
    const { positionals } = parseArgs({ allowPositionals: true });
    if (positionals.length !== 1) {
      console.error(USAGE);
      process.exit(2);
    }
    const { databasePath } = getStoragePaths();
    if (!fs.existsSync(databasePath)) {
      console.error(`Nessun database in ${databasePath}: controlla DATA_DIR e DATABASE_PATH (come per il portale).`);
      process.exit(1);
    }
    const db = openDatabase(databasePath);
    const password = crypto.randomBytes(15).toString("base64url");
    const result = await setCoordinatorPasswordFromConsole(db, { email: positionals[0], password });
    db.$client.close();
    if (!result.ok) {
      console.error(result.error);
      process.exit(1);
    }
    console.log(`Nuova password per ${result.name} <${result.email}> (mostrata una sola volta): ${password}`);
    console.log("Le sue sessioni aperte sono chiuse. Se l'accesso è sospeso per troppi tentativi, un amministratore lo riattiva da /admin/coordinatori, oppure riavvia il portale.");
  },
  { usage: USAGE, refusals: [InvalidEnvironmentError] },
);
