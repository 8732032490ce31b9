// Checks of the port and the data paths, made at start-up before anything is written: a port or a
// folder the portal cannot use stops the start with one line naming the setting and what to do,
// rather than a stack trace (or, for DATA_DIR, a portal that starts and never sends an email).
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Env } from "./env.server";
import { StartupError } from "./startup-error.server";

/** Listens on `port` as server.js will (on HOST, or every interface) and lets it go again. */
export function checkPortCanBeUsed(port: number, host?: string) {
  return new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new StartupError(`PORT ${port}: la porta è già usata da un altro programma. Ferma quel programma o scegli un'altra porta con PORT.`));
      } else if (error.code === "EACCES") {
        reject(
          new StartupError(
            `PORT ${port}: il portale non ha il permesso di usare questa porta (sotto la 1024 servono i privilegi di amministratore). ` +
              "Usa una porta da 1024 in su, per esempio 3000, dietro il proxy.",
          ),
        );
      } else if (host && (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")) {
        reject(new StartupError(`HOST ${host}: non è un indirizzo di questa macchina. Indica uno dei suoi indirizzi (come 127.0.0.1) oppure togli HOST.`));
      } else {
        reject(error);
      }
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Can the portal write `file` (for a folder: create files in it)? */
const writable = (file: string, folder = true) => {
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK | (folder ? fs.constants.X_OK : 0));
    return true;
  } catch {
    return false;
  }
};

/** The first of `dir` and its parents that exists. */
function nearestExisting(dir: string) {
  let current = dir;
  while (!fs.existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** Why the portal could not create files in `dir` (creating it if missing), or null. */
function folderProblem(dir: string) {
  const existing = nearestExisting(dir);
  if (!fs.statSync(existing).isDirectory()) return `${existing} è un file, non una cartella`;
  if (!writable(existing)) return `la cartella ${existing} non è scrivibile dal portale`;
  return null;
}

const FIX = "rendila scrivibile all'utente che avvia il portale oppure indica un'altra cartella";

/**
 * DATA_DIR (uploads, local mail, backups) and the database (DATABASE_PATH, or the portale.db of
 * DATA_DIR) must be usable: folders the portal can create files in, a database file it can write.
 */
export function checkDataPaths(env: Pick<Env, "DATABASE_PATH" | "dataDir" | "databasePath">) {
  const setting = env.DATABASE_PATH ? "DATABASE_PATH" : "DATA_DIR";
  const database = env.databasePath;
  if (fs.existsSync(database)) {
    if (fs.statSync(database).isDirectory()) {
      throw new StartupError(`${setting}: ${database} è una cartella, non il file del database. Indica un file, per esempio ${path.join(database, "portale.db")}.`);
    }
    if (!writable(database, false) || !writable(path.dirname(database))) {
      throw new StartupError(
        `${setting}: il database ${database} è in sola lettura per il portale. Rendi scrivibili all'utente che avvia il portale il file e la sua cartella ${path.dirname(database)}.`,
      );
    }
  } else {
    const problem = folderProblem(path.dirname(database));
    if (problem) throw new StartupError(`${setting}: il database ${database} non si può creare perché ${problem}: ${FIX}.`);
  }
  const problem = folderProblem(env.dataDir);
  if (problem) throw new StartupError(`DATA_DIR: ${env.dataDir} non è utilizzabile perché ${problem}: ${FIX}.`);
}

/** A database SQLite cannot open or write, said as the setting that names it. */
export function databaseStartupError(error: unknown, env: Pick<Env, "DATABASE_PATH" | "databasePath">) {
  const code = (error as { code?: string }).code ?? "";
  if (!/^SQLITE_(CANTOPEN|READONLY|NOTADB|PERM|IOERR|CORRUPT)/.test(code)) return error;
  const setting = env.DATABASE_PATH ? "DATABASE_PATH" : "DATA_DIR";
  const what = code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT") ? "non è un database SQLite valido" : "non si può aprire in scrittura";
  return new StartupError(`${setting}: il database ${env.databasePath} ${what} (${(error as Error).message}). Controlla il percorso e i permessi del file e della sua cartella.`);
}
