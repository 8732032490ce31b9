// `npm run backup` and `npm run restore` (db/backup.ts, db/restore.ts, db/backups.ts) on real SQLite
// files: a backup taken while another process keeps writing is a consistent snapshot, restores into
// a fresh location with the same rows, and a restore refuses bad files and a database in use.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBackup, createBackup, isDatabaseInUse, restoreBackup, tableRowCounts } from "#db/backups";
import { migrateDatabase, openDatabase } from "~/utils/db.server";
import { seedTerritory } from "~/models/territory.server";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
const BACKUP_NAME = /^portale-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z\.db$/;

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "sai-backup-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A portal database (migrated, seeded) with `padding` extra audit rows, so a copy takes a while. */
function portalDatabase(name: string, padding = 0) {
  const dataDir = path.join(root, name);
  const file = path.join(dataDir, "portale.db");
  const db = openDatabase(file);
  migrateDatabase(db);
  seedTerritory(db, { regions: ["Sicilia"] });
  const insert = db.$client.prepare("INSERT INTO audit_log (actor_type, action, details) VALUES ('system', 'test.padding', ?)");
  db.$client.transaction(() => {
    for (let i = 0; i < padding; i++) insert.run(JSON.stringify({ i, text: "x".repeat(300) }));
  })();
  db.$client.close();
  return { dataDir, file };
}

/**
 * Another process writing to the database as fast as it can: each transaction adds one audit row
 * and one outbox row carrying the same sequence number, so a consistent snapshot has as many of one
 * as of the other, numbered 1..n without gaps.
 */
function startWriter(file: string): ChildProcess & { stopped: Promise<number> } {
  const script = `
    const Database = require(${JSON.stringify(path.join(repoRoot, "node_modules", "better-sqlite3"))});
    const db = new Database(process.argv[1]);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("synchronous = NORMAL");
    const audit = db.prepare("INSERT INTO audit_log (actor_type, action, entity_type, entity_id) VALUES ('system', 'test.write', 'seq', ?)");
    const mail = db.prepare("INSERT INTO outbox (recipient, template, props, next_attempt_at, message_id) VALUES (?, 'communication', '{}', 0, ?)");
    const write = db.transaction((seq) => { audit.run(String(seq)); mail.run("w" + seq + "@example.org", "<w" + seq + "@example.org>"); });
    let seq = 0, stop = false;
    process.on("SIGTERM", () => { stop = true; });
    const deadline = Date.now() + 60000;
    (function loop() {
      if (stop || Date.now() > deadline) { db.close(); process.send({ written: seq }); process.disconnect(); return; }
      for (let i = 0; i < 5; i++) write(++seq);
      if (seq === 5) process.send({ started: true });
      setImmediate(loop);
    })();
  `;
  const child = spawn(process.execPath, ["-e", script, file], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const stopped = new Promise<number>((resolve, reject) => {
    child.on("message", (m: { written?: number }) => m.written !== undefined && resolve(m.written));
    child.once("exit", (code) => code !== 0 && reject(new Error(`writer exited with ${code}`)));
  });
  return Object.assign(child, { stopped });
}

async function writerRunning(writer: ChildProcess) {
  await new Promise<void>((resolve) => writer.on("message", (m: { started?: boolean }) => m.started && resolve()));
}

function writtenRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const seqs = (db.prepare("SELECT CAST(entity_id AS INTEGER) AS seq FROM audit_log WHERE action = 'test.write' ORDER BY 1").all() as { seq: number }[]).map((r) => r.seq);
    const mails = (db.prepare("SELECT count(*) AS n FROM outbox WHERE template = 'communication'").get() as { n: number }).n;
    return { seqs, mails, integrity: db.pragma("integrity_check", { simple: true }), counts: tableRowCounts(db) };
  } finally {
    db.close();
  }
}

/** Runs one of the npm scripts (`tsx db/backup.ts` / `tsx db/restore.ts`) with the portal's settings. */
function runScript(script: "backup" | "restore", args: string[], dataDir: string, { nodeEnv = "test" as "test" | "production" } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(tsx, [path.join("db", `${script}.ts`), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: nodeEnv, DATA_DIR: dataDir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("backups", () => {
  it("a backup taken while another process writes is a consistent snapshot, and the writes go on during it", async () => {
    const { dataDir, file } = portalDatabase("online", 30_000);
    const writer = startWriter(file);
    await writerRunning(writer);

    const started = Date.now();
    const backup = createBackup({ databasePath: file, backupDir: path.join(dataDir, "backups") });
    const ended = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    writer.kill("SIGTERM");
    const written = await writer.stopped;

    expect(path.basename(backup.file)).toMatch(BACKUP_NAME);
    expect(path.dirname(backup.file)).toBe(path.join(dataDir, "backups"));
    const copy = writtenRows(backup.file);
    expect(copy.integrity).toBe("ok");
    // A snapshot: both tables of every transaction, sequence numbers 1..n without a gap.
    expect(copy.seqs.length).toBeGreaterThan(0);
    expect(copy.mails).toBe(copy.seqs.length);
    expect(copy.seqs).toEqual(Array.from({ length: copy.seqs.length }, (_, i) => i + 1));
    expect(copy.counts).toEqual(backup.counts);

    // The writer was not held up: it committed rows while VACUUM INTO was running, and after.
    const source = new Database(file, { readonly: true });
    const during = (
      source.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'test.write' AND created_at BETWEEN ? AND ?").get(started, ended) as { n: number }
    ).n;
    source.close();
    expect(ended - started).toBeGreaterThan(0);
    expect(during).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(copy.seqs.length);
    expect(writtenRows(file).seqs).toHaveLength(written);
  });

  it("`npm run backup` under load, then `npm run restore` into a fresh location: same rows, integrity_check ok", async () => {
    const { dataDir, file } = portalDatabase("cli", 5_000);
    const writer = startWriter(file);
    await writerRunning(writer);
    const backup = await runScript("backup", [], dataDir);
    writer.kill("SIGTERM");
    const written = await writer.stopped;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const files = fs.readdirSync(path.join(dataDir, "backups"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(BACKUP_NAME);
    expect(backup.stdout).toContain(`Backup scritto: ${path.join(dataDir, "backups", files[0])}`);
    const backupFile = path.join(dataDir, "backups", files[0]);
    const copy = writtenRows(backupFile);
    expect(copy.mails).toBe(copy.seqs.length);
    expect(copy.seqs.length).toBeLessThan(written);

    const fresh = path.join(root, "fresh");
    const restore = await runScript("restore", [backupFile], fresh);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain("integrity_check ok");
    const restored = writtenRows(path.join(fresh, "portale.db"));
    expect(restored.integrity).toBe("ok");
    expect(restored.counts).toEqual(copy.counts);
    expect(restored.counts.municipalities).toBe(391);
    expect(fs.readdirSync(fresh).filter((f) => f.includes("before-restore"))).toEqual([]);

    // The restored database is one the portal runs on: the migrations are all there.
    const db = openDatabase(path.join(fresh, "portale.db"));
    expect(() => migrateDatabase(db)).not.toThrow();
    expect(tableRowCounts(db.$client)).toEqual(copy.counts);
    db.$client.close();
  });

  it("backup and restore run in production with DATA_DIR alone (the portal's other settings unset)", async () => {
    const { dataDir } = portalDatabase("production", 10);
    const backup = await runScript("backup", [], dataDir, { nodeEnv: "production" });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const [file] = fs.readdirSync(path.join(dataDir, "backups"));
    const restore = await runScript("restore", [path.join(dataDir, "backups", file)], path.join(root, "production-fresh"), { nodeEnv: "production" });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(writtenRows(path.join(root, "production-fresh", "portale.db")).integrity).toBe("ok");
  });

  it("restore refuses a database in use without --force, keeps the current one as .before-restore, and restores online with --force", async () => {
    const { dataDir, file } = portalDatabase("in-use");
    const backup = createBackup({ databasePath: file, backupDir: path.join(dataDir, "backups") });

    // The portal, after the backup, keeps working.
    const portal = openDatabase(file);
    portal.$client.prepare("INSERT INTO audit_log (actor_type, action) VALUES ('system', 'after.backup')").run();
    const before = tableRowCounts(portal.$client);
    expect(isDatabaseInUse(file)).toBe(true);

    const refused = await runScript("restore", [backup.file], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("è in uso");
    expect(tableRowCounts(portal.$client)).toEqual(before);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);

    const forced = await runScript("restore", [backup.file, "--force"], dataDir);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("ATTENZIONE");
    expect(forced.stdout).toContain("Riavvia il portale");
    // The open connection sees the restored rows; the previous state is kept beside the database.
    expect(tableRowCounts(portal.$client)).toEqual(backup.counts);
    expect(portal.$client.pragma("integrity_check", { simple: true })).toBe("ok");
    const kept = fs.readdirSync(dataDir).filter((f) => f.startsWith("portale.db.before-restore-"));
    expect(kept).toHaveLength(1);
    const keptDb = new Database(path.join(dataDir, kept[0]), { readonly: true });
    expect(tableRowCounts(keptDb)).toEqual(before);
    keptDb.close();
    portal.$client.close();
    expect(isDatabaseInUse(file)).toBe(false);
  });

  it("restore with the portal stopped replaces the file, keeps the old one with what its WAL held, and leaves no stale WAL", async () => {
    const { dataDir, file } = portalDatabase("stopped");
    const backup = createBackup({ databasePath: file, backupDir: path.join(dataDir, "backups") });
    // A portal that wrote one more row and was then killed: the row is only in portale.db-wal.
    const crashed = spawnSync(
      process.execPath,
      [
        "-e",
        `const D = require(${JSON.stringify(path.join(repoRoot, "node_modules", "better-sqlite3"))});
         const db = new D(process.argv[1]); db.pragma("journal_mode = WAL");
         db.prepare("INSERT INTO audit_log (actor_type, action) VALUES ('system', 'after.backup')").run();
         process.kill(process.pid, "SIGKILL");`,
        file,
      ],
      { encoding: "utf8" },
    );
    expect(crashed.signal).toBe("SIGKILL");
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    expect(isDatabaseInUse(file)).toBe(false);

    const result = await restoreBackup({ file: backup.file, databasePath: file });
    expect(result.online).toBe(false);
    expect(result.previous).toMatch(/portale\.db\.before-restore-/);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const restored = new Database(file, { readonly: true });
    expect(tableRowCounts(restored)).toEqual(backup.counts);
    restored.close();
    const previous = new Database(result.previous!, { readonly: true });
    expect(tableRowCounts(previous)).toEqual({ ...backup.counts, audit_log: backup.counts.audit_log + 1 });
    previous.close();
  });

  it("restore refuses what is not a sound backup of the portal and leaves the database untouched", async () => {
    const { dataDir, file } = portalDatabase("refused");
    const original = fs.readFileSync(file);
    const backup = createBackup({ databasePath: file, backupDir: path.join(dataDir, "backups") });

    const notSqlite = path.join(root, "note.db");
    fs.writeFileSync(notSqlite, "non è un database");
    const otherDb = path.join(root, "other.db");
    const other = new Database(otherDb);
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    other.close();
    const corrupt = path.join(root, "corrupt.db");
    const bytes = fs.readFileSync(backup.file);
    const pageSize = bytes.readUInt16BE(16);
    // Garbage over a page in the middle of the file (a b-tree page of the padding or of the comuni).
    const page = Math.floor(bytes.length / pageSize / 2);
    bytes.fill(0x5a, page * pageSize, (page + 1) * pageSize);
    fs.writeFileSync(corrupt, bytes);

    expect(checkBackup(notSqlite).problems).toEqual(["non è un database SQLite"]);
    expect(checkBackup(otherDb).problems.join()).toContain("__drizzle_migrations");
    expect(checkBackup(corrupt).ok).toBe(false);
    expect(checkBackup(backup.file)).toMatchObject({ ok: true, problems: [] });

    for (const bad of [notSqlite, otherDb, corrupt, path.join(root, "missing.db")]) {
      const answer = await runScript("restore", [bad], dataDir);
      expect(answer.code, bad).toBe(1);
      expect(answer.stderr, bad).toContain("non è utilizzabile");
    }
    const usage = spawnSync(tsx, [path.join("db", "restore.ts")], { cwd: repoRoot, env: { PATH: process.env.PATH, NODE_ENV: "test", DATA_DIR: dataDir }, encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("npm run restore -- FILE");
    expect(fs.readFileSync(file).equals(original)).toBe(true);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes("before-restore") || f.includes("restoring"))).toEqual([]);
  });
});
