import type Database from "better-sqlite3";

/**
 * The connection as drizzle sees it: `prepare()` hands back the statement already prepared for the
 * same SQL text (the most recent `max` kept). drizzle prepares every query it runs, and compiling
 * the SQL again at each request cost as much as running it (docs/performance.md).
 *
 * Safe because drizzle runs each statement to completion synchronously (all/get/run, never
 * iterate), and the one mode it changes, raw(), is reset before a statement is handed out again.
 */
export function withStatementCache(client: Database.Database, { max = 500 }: { max?: number } = {}): Database.Database {
  const statements = new Map<string, Database.Statement>();
  function prepare(source: string) {
    const cached = statements.get(source);
    if (cached) {
      // Most recently used last, so the first key is the one to drop.
      statements.delete(source);
      statements.set(source, cached);
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const statement = client.prepare(source);
    statements.set(source, statement);
    if (statements.size > max) statements.delete(statements.keys().next().value as string);
    return statement;
  }
  return new Proxy(client, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
