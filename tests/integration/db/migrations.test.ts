// Migrations with data written before them, where a migration rewrites data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MIGRATIONS = path.resolve("db/migrations");
type Journal = { entries: { tag: string }[] };

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "sai-migrations-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A copy of the migrations folder that stops at `tag`, to build a database as it was then. */
function migrationsUpTo(tag: string) {
  const dir = fs.mkdtempSync(path.join(root, "folder-"));
  fs.mkdirSync(path.join(dir, "meta"));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, "meta", "_journal.json"), "utf8")) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === tag);
  expect(last).toBeGreaterThanOrEqual(0);
  const entries = journal.entries.slice(0, last + 1);
  for (const e of entries) fs.copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify({ ...journal, entries }));
  return dir;
}

describe("0004_invitation_reminders: reminders once per invitation", () => {
  it("counts every invitation of a round table whose reminders went out as reminded then, and drops reminders_sent_at", () => {
    const sqlite = new Database(path.join(root, "reminders.db"));
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo("0003_communications") });

    const sentAt = Date.UTC(2026, 2, 1, 14);
    const table = sqlite.prepare(
      `INSERT INTO round_tables (title, starts_at, ends_at, mode, status, reminders_sent_at) VALUES (?, ?, ?, 'online', 'published', ?)`,
    );
    const reminded = Number(table.run("Promemoria inviati", sentAt + 2 * 86_400_000, sentAt + 2 * 86_400_000 + 7_200_000, sentAt).lastInsertRowid);
    const notYet = Number(table.run("Promemoria da inviare", sentAt + 20 * 86_400_000, sentAt + 20 * 86_400_000 + 7_200_000, null).lastInsertRowid);
    const invitation = sqlite.prepare(`INSERT INTO invitations (round_table_id, email, token_hash, answer) VALUES (?, ?, ?, ?)`);
    invitation.run(reminded, "si@ospite.test", "h1", "yes");
    invitation.run(reminded, "attesa@ospite.test", "h2", "pending");
    invitation.run(reminded, "no@ospite.test", "h3", "no");
    invitation.run(notYet, "altro@ospite.test", "h4", "pending");

    migrate(db, { migrationsFolder: MIGRATIONS });

    const rows = sqlite.prepare(`SELECT round_table_id, email, reminded_at FROM invitations ORDER BY id`).all();
    expect(rows).toEqual([
      { round_table_id: reminded, email: "si@ospite.test", reminded_at: sentAt },
      { round_table_id: reminded, email: "attesa@ospite.test", reminded_at: sentAt },
      { round_table_id: reminded, email: "no@ospite.test", reminded_at: sentAt },
      { round_table_id: notYet, email: "altro@ospite.test", reminded_at: null },
    ]);
    const columns = (sqlite.prepare(`PRAGMA table_info(round_tables)`).all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain("reminder_days");
    expect(columns).not.toContain("reminders_sent_at");
    sqlite.close();
  });
});
