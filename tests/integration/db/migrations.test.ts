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

describe("0005_member_body_province: the province of every ente's seat", () => {
  it("gives a Comune its comune's province, a Libero Consorzio or Città Metropolitana the province in its name, the others none", () => {
    const sqlite = new Database(path.join(root, "province.db"));
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo("0004_invitation_reminders") });

    const province = sqlite.prepare(`INSERT INTO provinces (code, sigla, name, kind, region) VALUES (?, ?, ?, 'provincia', ?)`);
    province.run("082", "PA", "Palermo", "Sicilia");
    province.run("086", "EN", "Enna", "Sicilia");
    province.run("088", "RG", "Ragusa", "Sicilia");
    province.run("039", "RA", "Ravenna", "Emilia-Romagna");
    sqlite.prepare(`INSERT INTO municipalities (istat_code, name, search_key, province_code) VALUES ('082027', 'Cefalù', 'cefalu', '082')`).run();
    const body = sqlite.prepare(`INSERT INTO member_bodies (kind, municipality_code, name, pec, fiscal_code) VALUES (?, ?, ?, 'pec@pec.test', ?)`);
    const ids = {
      cefalu: Number(body.run("comune", "082027", "Comune di Cefalù", "00000000001").lastInsertRowid),
      ragusa: Number(body.run("libero_consorzio", null, "Libero Consorzio Comunale di Ragusa", "00000000002").lastInsertRowid),
      palermo: Number(body.run("citta_metropolitana", null, "Città metropolitana di PALERMO", "00000000003").lastInsertRowid),
      // "Enna" is inside "Ravenna": the longest name that fits wins.
      ravenna: Number(body.run("libero_consorzio", null, "Provincia di Ravenna", "00000000004").lastInsertRowid),
      unione: Number(body.run("unione_comuni", null, "Unione dei Comuni delle Madonie", "00000000005").lastInsertRowid),
      unknown: Number(body.run("citta_metropolitana", null, "Città Metropolitana di Atlantide", "00000000006").lastInsertRowid),
    };

    migrate(db, { migrationsFolder: MIGRATIONS });

    const provinceOf = (id: number) => (sqlite.prepare(`SELECT province_code AS code FROM member_bodies WHERE id = ?`).get(id) as { code: string | null }).code;
    expect(Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, provinceOf(id)]))).toEqual({
      cefalu: "082",
      ragusa: "088",
      palermo: "082",
      ravenna: "039",
      unione: null,
      unknown: null,
    });
    sqlite.close();
  });
});

describe("0007_audit_search_text: the log's older entries searchable without accents", () => {
  it("fills the search text of the entries written before the column once, at migration, and they are found by it", async () => {
    const { openDatabase, migrateDatabase } = await import("~/utils/db.server");
    const { fillAuditSearchText, listAuditEntries } = await import("~/models/audit.server");
    const file = path.join(root, "audit.db");
    const sqlite = new Database(file);
    migrate(drizzle(sqlite), { migrationsFolder: migrationsUpTo("0006_link_round_table_emails") });
    // As the portal wrote them then: details as JSON text, no search text.
    const old = sqlite.prepare(`INSERT INTO audit_log (actor_type, action, entity_type, entity_id, details) VALUES ('system', ?, 'member_body', ?, ?)`);
    old.run("old.accents", "71", JSON.stringify({ name: "Comune di Paternò" }));
    old.run("old.accents", "72", JSON.stringify({ name: "Città di Sant’Agata" }));
    old.run("old.none", "73", null);
    sqlite.close();

    const db = openDatabase(file);
    migrateDatabase(db);
    const ids = (q: string) => listAuditEntries(db, { filters: { q } }).entries.map((e) => e.entityId);
    expect(ids("paterno")).toEqual(["71"]);
    expect(ids("PATERNÒ")).toEqual(["71"]);
    expect(ids("citta di santagata")).toEqual(["72"]);
    expect(ids("73")).toEqual(["73"]);
    expect(db.$client.prepare(`SELECT entity_id, search_text FROM audit_log ORDER BY id`).all()).toEqual([
      { entity_id: "71", search_text: '{"name":"comune di paterno"}' },
      { entity_id: "72", search_text: '{"name":"citta di santagata"}' },
      { entity_id: "73", search_text: "" },
    ]);
    // Once filled, nothing is left to fill, and finding that reads the empty partial index only.
    expect(fillAuditSearchText(db)).toBe(0);
    const plan = db.$client.prepare(`EXPLAIN QUERY PLAN SELECT id, details FROM audit_log WHERE search_text IS NULL AND id > 0 ORDER BY id LIMIT 10`).all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toContain("audit_log_unfolded_idx");
    db.$client.close();
  });
});

describe("0008_member_list_search: the names the member list searches, folded once and kept by triggers", () => {
  it("folds the names written before it, then every insert and change of a name, whoever writes it", () => {
    const sqlite = new Database(path.join(root, "search.db"));
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo("0007_audit_search_text") });
    const body = sqlite.prepare(`INSERT INTO member_bodies (kind, name, pec, fiscal_code) VALUES ('unione_comuni', ?, 'pec@pec.test', ?)`);
    const referent = sqlite.prepare(
      `INSERT INTO referents (member_body_id, first_name, last_name, role, office, email, phone, privacy_consent_at, privacy_notice_version)
       VALUES (?, ?, ?, 'funzionario', 'Servizi sociali', ?, '+390911234567', 0, 'v1')`,
    );
    const before = Number(body.run("Unione dei Comuni di PATERNÒ e Sant’Àgata", "00000000001").lastInsertRowid);
    const oldReferent = Number(referent.run(before, "Niccolò", "D'ALÌ", "Niccolo.Dali@Comune.IT").lastInsertRowid);

    migrate(db, { migrationsFolder: MIGRATIONS });

    const searchName = (id: number) => sqlite.prepare(`SELECT search_name AS v FROM member_bodies WHERE id = ?`).pluck().get(id);
    const searchText = (id: number) => sqlite.prepare(`SELECT search_text AS v FROM referents WHERE id = ?`).pluck().get(id);
    // Lower case, accented letters plain; apostrophes are kept, as the search word's folding keeps them.
    expect(searchName(before)).toBe("unione dei comuni di paterno e sant’agata");
    expect(searchText(oldReferent)).toBe("niccolo d'ali niccolo.dali@comune.it");

    const after = Number(body.run("Comune di CEFALÙ", "00000000002").lastInsertRowid);
    const newReferent = Number(referent.run(after, "Zoë", "Müller", "zoe@example.it").lastInsertRowid);
    expect(searchName(after)).toBe("comune di cefalu");
    expect(searchText(newReferent)).toBe("zoe muller zoe@example.it");

    sqlite.prepare(`UPDATE member_bodies SET name = 'Città di Cefalù' WHERE id = ?`).run(after);
    sqlite.prepare(`UPDATE referents SET last_name = 'Özil', email = 'nuova@example.it' WHERE id = ?`).run(newReferent);
    expect(searchName(after)).toBe("citta di cefalu");
    expect(searchText(newReferent)).toBe("zoe ozil nuova@example.it");
    // Changes to other columns leave them as they are.
    sqlite.prepare(`UPDATE member_bodies SET pec = 'altra@pec.test' WHERE id = ?`).run(after);
    sqlite.prepare(`UPDATE referents SET office = 'Altro ufficio' WHERE id = ?`).run(newReferent);
    expect(searchName(after)).toBe("citta di cefalu");
    expect(searchText(newReferent)).toBe("zoe ozil nuova@example.it");
    sqlite.close();
  });
});

describe("0011_cancelled_round_table_numbers: a cancelled Tavolo gives its number back", () => {
  it("applies to a database with round tables, then lets a cancelled one's number be taken once more", () => {
    const sqlite = new Database(path.join(root, "numbers.db"));
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo("0010_invitation_counts_index") });
    const table = sqlite.prepare(`INSERT INTO round_tables (number, title, starts_at, ends_at, mode, status) VALUES (?, ?, 0, 1, 'online', ?)`);
    table.run(7, "Annullato", "cancelled");
    table.run(8, "Pubblicato", "published");
    table.run(null, "Senza numero", "draft");
    table.run(null, "Senza numero", "draft");
    expect(() => table.run(7, "Di nuovo", "published")).toThrow(/UNIQUE/);

    migrate(db, { migrationsFolder: MIGRATIONS });

    expect(sqlite.prepare(`SELECT number, title, status FROM round_tables ORDER BY id`).all()).toEqual([
      { number: 7, title: "Annullato", status: "cancelled" },
      { number: 8, title: "Pubblicato", status: "published" },
      { number: null, title: "Senza numero", status: "draft" },
      { number: null, title: "Senza numero", status: "draft" },
    ]);
    table.run(7, "Di nuovo", "published");
    expect(() => table.run(7, "Ancora", "draft")).toThrow(/UNIQUE constraint failed: round_tables.number/);
    expect(() => table.run(8, "Doppio", "published")).toThrow(/UNIQUE/);
    table.run(8, "Annullato anche lui", "cancelled");
    sqlite.close();
  });
});

describe("0012_round_table_cancelled_at: when each Tavolo was cancelled", () => {
  it("takes it from the cancellation's audit entry, else the last change, else the creation; leaves the others without", () => {
    const sqlite = new Database(path.join(root, "cancelled-at.db"));
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo("0011_cancelled_round_table_numbers") });
    const t = (day: number) => Date.UTC(2026, 2, day, 10);
    const table = sqlite.prepare(
      `INSERT INTO round_tables (number, title, starts_at, ends_at, mode, status, created_at, updated_at) VALUES (?, 'Tavolo', ?, ?, 'online', ?, ?, ?)`,
    );
    const add = (number: number, status: string, updatedAt: number | null) => Number(table.run(number, t(20), t(20) + 7_200_000, status, t(1), updatedAt).lastInsertRowid);
    const audited = add(1, "cancelled", t(12));
    const notAudited = add(2, "cancelled", t(11));
    const written = add(3, "cancelled", null);
    const published = add(4, "published", t(9));
    const audit = sqlite.prepare(`INSERT INTO audit_log (actor_type, action, entity_type, entity_id, created_at) VALUES ('coordinator', ?, ?, ?, ?)`);
    audit.run("round_table.updated", "round_table", String(audited), t(5));
    audit.run("round_table.cancelled", "round_table", String(audited), t(10));
    // The same id as another kind of record, and another Tavolo's cancellation: neither counts.
    audit.run("round_table.cancelled", "material", String(notAudited), t(3));
    audit.run("round_table.cancelled", "round_table", String(published + 100), t(4));

    migrate(db, { migrationsFolder: MIGRATIONS });

    const cancelledAt = (id: number) => sqlite.prepare(`SELECT cancelled_at AS v FROM round_tables WHERE id = ?`).pluck().get(id);
    expect([audited, notAudited, written, published].map(cancelledAt)).toEqual([t(10), t(11), t(1), null]);
    sqlite.close();
  });
});

describe("the migrated schema", () => {
  /** The deepest nesting of parentheses in a statement, outside its string literals. */
  function nestingDepth(statement: string) {
    let depth = 0;
    let deepest = 0;
    let quote: string | null = null;
    for (const c of statement) {
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === "'" || c === '"' || c === "`") quote = c;
      else if (c === "(") deepest = Math.max(deepest, ++depth);
      else if (c === ")") depth--;
    }
    return deepest;
  }

  it("nests no stored expression so deep that the sqlite3 shell cannot parse it", () => {
    // The shell's parser keeps a stack of 100 entries: a trigger of 45 nested replace() made it
    // report the whole database as malformed. Every statement stored in the schema is parsed again
    // by whoever opens the database, so none may come near that.
    const sqlite = new Database(path.join(root, "depth.db"));
    migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS });
    const stored = sqlite.prepare(`SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL`).all() as { name: string; sql: string }[];
    expect(stored.map((s) => s.name)).toEqual(expect.arrayContaining(["member_bodies_search_name_insert", "referents_search_text_update"]));
    expect(stored.filter((s) => nestingDepth(s.sql) > 16).map((s) => `${s.name}: ${nestingDepth(s.sql)}`)).toEqual([]);
    sqlite.close();
  });
});
