// One portal per database (docs/decisions/031). Two instances on one database would both run the
// email worker and the scheduled jobs, and the second one's start-up would put back in the queue the
// emails the first is sending.
//
// Whether the database is in use is SQLite's own answer, the one `npm run restore` relies on: every
// open connection holds a shared lock on the file, so an exclusive lock cannot be had while another
// process has it open. The kernel drops those locks when a process ends, even with SIGKILL, so a
// crashed portal never blocks the next start, and a container restarted with the same pid is not
// taken for its old self. Beside the database, `<database>.lock` says who holds it (pid, host) for
// the message, and carries a heartbeat: an instance on another machine sharing the volume, whose
// locks this kernel does not see, is taken as running until its heartbeat is 3 beats old.
import fs from "node:fs";
import os from "node:os";
import type Database from "better-sqlite3";
import { StartupError } from "./startup-error.server";

export const HEARTBEAT_MS = 10_000;
const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export type LockHolder = { pid: number; hostname: string; startedAt: string; heartbeatAt: string };

export function lockFilePath(databasePath: string) {
  return `${databasePath}.lock`;
}

export function readLockHolder(databasePath: string): LockHolder | null {
  try {
    const holder = JSON.parse(fs.readFileSync(lockFilePath(databasePath), "utf8")) as Partial<LockHolder>;
    if (typeof holder.pid !== "number" || typeof holder.hostname !== "string" || typeof holder.heartbeatAt !== "string") return null;
    return holder as LockHolder;
  } catch {
    return null;
  }
}

function isBusy(error: unknown) {
  const code = (error as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/**
 * Takes an exclusive lock on the database file through `sqlite`, kept until the connection goes
 * back to `locking_mode = NORMAL` and reads again; false, without waiting, while another connection
 * has the database open.
 */
export function takeExclusiveLock(sqlite: Database.Database): boolean {
  const busyTimeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 0");
  try {
    // A first read in the normal locking mode: WAL entered in exclusive mode could never leave it.
    sqlite.prepare("SELECT count(*) FROM sqlite_master").get();
    sqlite.pragma("locking_mode = EXCLUSIVE");
    sqlite.exec("BEGIN EXCLUSIVE; COMMIT;");
    return true;
  } catch (error) {
    if (!isBusy(error)) throw error;
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    sqlite.pragma("locking_mode = NORMAL");
    return false;
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** Back to the shared lock every connection holds, so that backups and readers can open the database. */
function releaseExclusiveLock(sqlite: Database.Database) {
  sqlite.pragma("locking_mode = NORMAL");
  sqlite.prepare("SELECT count(*) FROM sqlite_master").get();
}

function describeHolder(holder: LockHolder | null, hostname: string) {
  if (!holder) return "Un altro programma";
  return holder.hostname === hostname
    ? `Un'altra istanza del portale (pid ${holder.pid})`
    : `Un'altra istanza del portale (pid ${holder.pid} su ${holder.hostname})`;
}

function writeLockFile(file: string, holder: LockHolder) {
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, `${JSON.stringify(holder)}\n`);
  fs.renameSync(partial, file);
}

export type InstanceLock = { holder: LockHolder; release: () => void };

/**
 * Makes this process the one portal on `databasePath`, whose connection `sqlite` is, or throws a
 * StartupError naming the database and the process that has it. Call before writing anything.
 */
export function claimDatabase(
  sqlite: Database.Database,
  databasePath: string,
  { pid = process.pid, hostname = os.hostname(), now = () => new Date(), heartbeatMs = HEARTBEAT_MS } = {},
): InstanceLock {
  const file = lockFilePath(databasePath);
  const exclusive = takeExclusiveLock(sqlite);
  const previous = readLockHolder(databasePath);
  const refuse = (what: string) =>
    new StartupError(`${describeHolder(previous, hostname)} sta già usando il database ${databasePath}: ${what}`);
  if (!exclusive) {
    throw refuse(
      previous
        ? "fermala prima di avviarne un'altra."
        : "chiudilo (un backup in corso? una shell sqlite3?) e avvia di nuovo il portale.",
    );
  }
  const age = previous ? now().getTime() - Date.parse(previous.heartbeatAt) : Number.POSITIVE_INFINITY;
  if (previous && previous.hostname !== hostname && age < STALE_AFTER_MS) {
    releaseExclusiveLock(sqlite);
    const seconds = Math.ceil((STALE_AFTER_MS - age) / 1000);
    throw refuse(`fermala prima di avviarne un'altra (se è già ferma, il database si libera tra ${seconds} secondi).`);
  }

  const startedAt = now().toISOString();
  const holder: LockHolder = { pid, hostname, startedAt, heartbeatAt: startedAt };
  writeLockFile(file, holder);
  releaseExclusiveLock(sqlite);

  const isOurs = () => {
    const current = readLockHolder(databasePath);
    return current?.pid === pid && current.hostname === hostname && current.startedAt === startedAt;
  };
  const timer = setInterval(() => {
    try {
      if (isOurs()) writeLockFile(file, { ...holder, heartbeatAt: now().toISOString() });
    } catch (error) {
      console.error(`Impossibile aggiornare ${file}:`, (error as Error).message);
    }
  }, heartbeatMs);
  timer.unref();
  return {
    holder,
    release() {
      clearInterval(timer);
      if (isOurs()) fs.rmSync(file, { force: true });
    },
  };
}
