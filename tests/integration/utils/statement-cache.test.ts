// drizzle prepares every query it runs; the connection it is given reuses statements by SQL text.
// A reused statement must behave as a fresh one: current data, rows as objects or arrays as asked.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { provinces } from "#db/schema";
import { getDb } from "~/utils/db.server";
import { withStatementCache } from "~/utils/statement-cache.server";

describe("statements reused by the portal's connection", () => {
  it("reads the current data through the same query, with and without drizzle's array mode", () => {
    const db = getDb();
    const byCode = () => db.select({ name: provinces.name }).from(provinces).where(eq(provinces.code, "082")).get();
    expect(byCode()).toEqual({ name: "Palermo" });
    // The same SQL text, run by drizzle as raw values (array mode), then as objects again.
    expect(db.all(sql`select ${provinces.name} as name from ${provinces} where ${provinces.code} = ${"082"}`)).toEqual([{ name: "Palermo" }]);
    expect(db.values(sql`select ${provinces.name} as name from ${provinces} where ${provinces.code} = ${"082"}`)).toEqual([["Palermo"]]);
    expect(db.all(sql`select ${provinces.name} as name from ${provinces} where ${provinces.code} = ${"082"}`)).toEqual([{ name: "Palermo" }]);

    db.update(provinces).set({ name: "Palermo (rinominata)" }).where(eq(provinces.code, "082")).run();
    expect(byCode()).toEqual({ name: "Palermo (rinominata)" });
    db.update(provinces).set({ name: "Palermo" }).where(eq(provinces.code, "082")).run();
    expect(byCode()).toEqual({ name: "Palermo" });
  });

  it("gives code that prepares its own statements the plain connection", () => {
    const db = getDb();
    expect(db.$client).toBeInstanceOf(Database);
    const pluck = db.$client.prepare("SELECT name FROM provinces WHERE code = ?").pluck();
    expect(pluck.get("082")).toBe("Palermo");
  });

  it("keeps the most recently used statements, up to its limit", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stmt-cache-"));
    const client = new Database(path.join(dir, "cache.db"));
    try {
      const cached = withStatementCache(client, { max: 2 });
      const a = cached.prepare("SELECT 1");
      const b = cached.prepare("SELECT 2");
      expect(cached.prepare("SELECT 1")).toBe(a);
      cached.prepare("SELECT 3"); // over the limit: "SELECT 2", the least recently used, goes
      expect(cached.prepare("SELECT 1")).toBe(a);
      expect(cached.prepare("SELECT 2")).not.toBe(b);
      // A statement that does not return data is reused too (raw() would throw on it).
      cached.exec("CREATE TABLE t (x INTEGER)");
      const insert = cached.prepare("INSERT INTO t (x) VALUES (?)");
      insert.run(1);
      expect(cached.prepare("INSERT INTO t (x) VALUES (?)")).toBe(insert);
      cached.prepare("INSERT INTO t (x) VALUES (?)").run(2);
      expect(cached.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 2 });
      // Everything else is the connection's own.
      expect(cached.inTransaction).toBe(false);
      expect(cached.transaction(() => cached.prepare("SELECT count(*) AS n FROM t").get())()).toEqual({ n: 2 });
    } finally {
      client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
