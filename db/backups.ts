// Online backups of the portal's SQLite database and their restore; used by db/backup.ts and
// db/restore.ts (`npm run backup`, `npm run restore -- FILE`).
//
// A backup is made with `VACUUM INTO`: one read transaction of its own, so in WAL mode it never blocks
// the portal's writers and, unlike the page-by-page backup API, never has to start over when they
// commit in the middle. The copy is a consistent snapshot as of that transaction, written to a hidden
// partial file, checked, synced, and only then renamed to its final timestamped name.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { readLockHolder, takeExclusiveLock } from "../app/utils/instance-lock.server";

export const MIGRATIONS_TABLE = "__drizzle_migrations";
const MIGRATIONS_JOURNAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "migrations", "meta", "_journal.json");

export class BackupError extends Error {}

/** "portale-2026-11-26T08-41-52.123Z.db": the time in UTC, sortable, safe in every file system. */
export function backupFileName(databasePath: string, now = new Date()) {
  const base = path.basename(databasePath).replace(/\.(db|sqlite3?)$/i, "");
  return `${base}-${now.toISOString().replace(/:/g, "-")}.db`;
}

/** Number of rows of every table of the database, by name. */
export function tableRowCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n]),
  );
}

function fsyncPath(file: string) {
  const fd = fs.openSync(file, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export type BackupResult = { file: string; bytes: number; counts: Record<string, number> };

/** Writes a consistent copy of `databasePath` into `backupDir`, while the portal keeps running. */
export function createBackup({ databasePath, backupDir, now = new Date() }: { databasePath: string; backupDir: string; now?: Date }): BackupResult {
  if (!fs.existsSync(databasePath)) throw new BackupError(`Database non trovato: ${databasePath}`);
  fs.mkdirSync(backupDir, { recursive: true });
  const file = path.join(backupDir, backupFileName(databasePath, now));
  if (fs.existsSync(file)) throw new BackupError(`Esiste già un backup con questo nome: ${file}`);
  const partial = path.join(backupDir, `.${path.basename(file)}.partial`);
  fs.rmSync(partial, { force: true });

  const source = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    source.pragma("busy_timeout = 5000");
    source.prepare("VACUUM INTO ?").run(partial);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }

  const check = checkBackup(partial);
  if (!check.ok) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`La copia non è valida: ${check.problems.join("; ")}`);
  }
  fsyncPath(partial);
  fs.renameSync(partial, file);
  fsyncPath(backupDir);
  return { file, bytes: fs.statSync(file).size, counts: check.counts };
}

export type BackupCheck = { ok: boolean; problems: string[]; migrations: number; counts: Record<string, number> };

function knownMigrations(): number {
  try {
    return (JSON.parse(fs.readFileSync(MIGRATIONS_JOURNAL, "utf8")) as { entries: unknown[] }).entries.length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Is `file` a database this version of the portal can run on? An SQLite file that passes
 * `integrity_check` and `foreign_key_check` and has the drizzle migrations table, with no migration
 * newer than the ones in db/migrations.
 */
export function checkBackup(file: string): BackupCheck {
  const result: BackupCheck = { ok: false, problems: [], migrations: 0, counts: {} };
  if (!fs.existsSync(file)) {
    result.problems.push(`file non trovato: ${file}`);
    return result;
  }
  const header = Buffer.alloc(16);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString("latin1") !== "SQLite format 3\0") {
    result.problems.push("non è un database SQLite");
    return result;
  }

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (integrity.length !== 1 || integrity[0] !== "ok") result.problems.push(`integrity_check: ${integrity.slice(0, 5).join(", ")}`);
    const foreignKeys = db.pragma("foreign_key_check") as unknown[];
    if (foreignKeys.length > 0) result.problems.push(`foreign_key_check: ${foreignKeys.length} righe senza riferimento`);
    const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
    if (!hasMigrations) {
      result.problems.push(`manca la tabella ${MIGRATIONS_TABLE}: non è un database del portale`);
    } else {
      result.migrations = (db.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number }).n;
      const known = knownMigrations();
      if (result.migrations === 0) result.problems.push("nessuna migrazione applicata: non è un database del portale");
      if (result.migrations > known) {
        result.problems.push(`il backup ha ${result.migrations} migrazioni, questa versione del portale ne conosce ${known}: aggiorna prima il portale`);
      }
    }
    if (result.problems.length === 0) result.counts = tableRowCounts(db);
  } catch (error) {
    result.problems.push(`non leggibile: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
  result.ok = result.problems.length === 0;
  return result;
}

/**
 * Is another connection (a running portal, a sqlite3 shell) open on the database? In WAL mode every
 * open connection keeps a shared lock on the file, so an exclusive lock cannot be had while one is;
 * the portal's start-up asks the same (app/utils/instance-lock.server.ts).
 */
export function isDatabaseInUse(databasePath: string): boolean {
  if (!fs.existsSync(databasePath)) return false;
  const probe = new Database(databasePath, { fileMustExist: true });
  try {
    return !takeExclusiveLock(probe);
  } finally {
    probe.close();
  }
}

function runningPortal(databasePath: string) {
  const holder = readLockHolder(databasePath);
  return holder ? `dal portale, pid ${holder.pid} su ${holder.hostname}` : "il portale è in funzione?";
}

export type RestoreResult = { restored: string; previous?: string; online: boolean; counts: Record<string, number> };

/**
 * Replaces the database at `databasePath` with the backup `file`, after checking the backup. The
 * current database is kept beside it as `<name>.before-restore-<time>`. While another connection has
 * the database open the restore is refused, unless `force`: then it goes through SQLite's backup API,
 * which takes the database's locks like any writer (the running portal must be restarted afterwards).
 */
export async function restoreBackup({
  file,
  databasePath,
  force = false,
  now = new Date(),
  warn = () => {},
}: {
  file: string;
  databasePath: string;
  force?: boolean;
  now?: Date;
  warn?: (line: string) => void;
}): Promise<RestoreResult> {
  const check = checkBackup(file);
  if (!check.ok) throw new BackupError(`Il backup ${file} non è utilizzabile:\n  - ${check.problems.join("\n  - ")}`);
  if (path.resolve(file) === path.resolve(databasePath)) throw new BackupError("Il backup e il database sono lo stesso file.");

  const inUse = isDatabaseInUse(databasePath);
  if (inUse && !force) {
    throw new BackupError(
      `Il database ${databasePath} è in uso (${runningPortal(databasePath)}). Arresta il portale e ripeti, ` +
        "oppure usa --force per ripristinare a caldo e riavvia il portale subito dopo.",
    );
  }
  fs.mkdirSync(path.dirname(databasePath), { recursive: true });
  const stamp = now.toISOString().replace(/:/g, "-");
  let previous: string | undefined;

  if (inUse) {
    warn("ATTENZIONE: il database è in uso; ripristino a caldo. Riavvia il portale appena finito.");
    previous = `${databasePath}.before-restore-${stamp}`;
    const current = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      current.pragma("busy_timeout = 5000");
      current.prepare("VACUUM INTO ?").run(previous);
    } finally {
      current.close();
    }
    await copyThroughBackupApi(file, databasePath);
  } else {
    if (fs.existsSync(databasePath)) {
      // Nobody has it open: the file and its WAL (left by a crash, if any) are copied as they are.
      previous = `${databasePath}.before-restore-${stamp}`;
      fs.copyFileSync(databasePath, previous);
      if (fs.existsSync(`${databasePath}-wal`)) fs.copyFileSync(`${databasePath}-wal`, `${previous}-wal`);
      fsyncPath(previous);
    }
    const incoming = `${databasePath}.restoring-${stamp}`;
    fs.copyFileSync(file, incoming);
    fsyncPath(incoming);
    // A WAL left beside the new file would be replayed into it: it belongs to the old database.
    fs.rmSync(`${databasePath}-wal`, { force: true });
    fs.rmSync(`${databasePath}-shm`, { force: true });
    fs.renameSync(incoming, databasePath);
    fsyncPath(path.dirname(databasePath));
  }

  const after = checkBackup(databasePath);
  if (!after.ok) throw new BackupError(`Dopo il ripristino il database non è valido: ${after.problems.join("; ")}`);
  const differing = Object.keys(check.counts).filter((table) => after.counts[table] !== check.counts[table]);
  if (differing.length > 0) throw new BackupError(`Dopo il ripristino le righe non corrispondono: ${differing.join(", ")}`);
  return { restored: databasePath, previous, online: inUse, counts: after.counts };
}

async function copyThroughBackupApi(file: string, databasePath: string) {
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        // All pages in one step: the destination is written in a single transaction.
        await source.backup(databasePath, { progress: () => 0x7fffffff });
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    source.close();
  }
}
