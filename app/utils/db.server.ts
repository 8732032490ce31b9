import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "#db/schema";
import { fillAuditSearchText } from "~/models/audit.server";
import { getEnv } from "./env.server";
import { withStatementCache } from "./statement-cache.server";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_FOLDER = path.resolve("db/migrations");

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Deleted and overwritten content is zeroed, not left in the free space of its page: an erasure
  // must not leave old copies of a person's data in the file (decision 027).
  sqlite.pragma("secure_delete = ON");
  const db = drizzle(withStatementCache(sqlite), { schema }) as Db;
  // Code that prepares its own statements gets the plain connection, whose statements it owns.
  db.$client = sqlite;
  return db;
}

/** The SQL migrations, then the data steps SQL cannot do: folding the log's older entries for its search. */
export function migrateDatabase(db: Db) {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  fillAuditSearchText(db);
}

const globalForDb = globalThis as unknown as { __portalDb?: Db };

/** The process-wide connection; better-sqlite3 is synchronous, so one is enough. */
export function getDb(): Db {
  globalForDb.__portalDb ??= openDatabase(getEnv().databasePath);
  return globalForDb.__portalDb;
}

export function closeDb() {
  globalForDb.__portalDb?.$client.close();
  globalForDb.__portalDb = undefined;
}

/**
 * Copies every page of the WAL into the database file and empties the WAL, so that the older
 * versions of the pages a change rewrote are no longer on disk (after an erasure). False when a
 * reader (a backup in progress) kept it from finishing: the WAL is then emptied by a later checkpoint.
 */
export function checkpointAndTruncateWal(db: Db) {
  const [result] = db.$client.pragma("wal_checkpoint(TRUNCATE)") as { busy: number; log: number; checkpointed: number }[];
  return result?.busy === 0;
}

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
