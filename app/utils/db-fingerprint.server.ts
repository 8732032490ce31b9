import type Database from "better-sqlite3";
import type { Db } from "./db.server";

const statements = new WeakMap<Db, { changes: Database.Statement; version: Database.Statement }>();

/**
 * A value that changes whenever a write is committed to the database: total_changes() counts the
 * rows changed through this connection (the portal's only one), PRAGMA data_version moves when
 * another connection commits (a restore, a script). Reading both costs microseconds, so caches of
 * derived data (public figures, the comuni list) can be exact without knowing every writer.
 */
export function databaseFingerprint(db: Db) {
  let prepared = statements.get(db);
  if (!prepared) {
    prepared = {
      changes: db.$client.prepare("SELECT total_changes()").pluck(),
      version: db.$client.prepare("PRAGMA data_version").pluck(),
    };
    statements.set(db, prepared);
  }
  return `${prepared.changes.get()}:${prepared.version.get()}`;
}

/**
 * A cache of one value derived from the database, per connection, kept until a write is committed
 * (the fingerprint above moves): `const feed = keptWhileUnchanged<Feed>(); feed(db, () => build())`.
 */
export function keptWhileUnchanged<T>() {
  const cache = new WeakMap<Db, { fingerprint: string; value: T }>();
  return (db: Db, build: () => T): T => {
    const fingerprint = databaseFingerprint(db);
    const cached = cache.get(db);
    if (cached && cached.fingerprint === fingerprint) return cached.value;
    const value = build();
    cache.set(db, { fingerprint, value });
    return value;
  };
}
