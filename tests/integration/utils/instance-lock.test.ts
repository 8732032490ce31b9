// One portal per database (app/utils/instance-lock.server.ts): which lock files left behind are
// taken over at start-up and which mean a portal is running.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDatabase, lockFilePath, readLockHolder, type LockHolder } from "~/utils/instance-lock.server";

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "sai-lock-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const NOW = new Date("2026-11-28T08:00:00.000Z");
let counter = 0;

/** A fresh WAL database and its connection, optionally with a lock file already beside it. */
function database(left?: Partial<LockHolder>) {
  const file = path.join(root, `portale-${++counter}.db`);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  if (left) {
    const holder = { pid: 4321, hostname: "altro-host", startedAt: NOW.toISOString(), heartbeatAt: NOW.toISOString(), ...left };
    fs.writeFileSync(lockFilePath(file), JSON.stringify(holder));
  }
  return { file, sqlite };
}

const at = (ms: number) => () => new Date(NOW.getTime() + ms);

describe("claimDatabase", () => {
  it("refuses a database another connection has open, and the other keeps using it", () => {
    const { file, sqlite } = database();
    const mine = claimDatabase(sqlite, file, { now: at(0) });
    const second = new Database(file);
    expect(() => claimDatabase(second, file, { pid: 999, now: at(0) })).toThrow(
      `Un'altra istanza del portale (pid ${process.pid}) sta già usando il database ${file}: fermala prima di avviarne un'altra.`,
    );
    // The first connection was not disturbed, and readers (a backup) can still open the database.
    sqlite.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
    reader.close();
    second.close();
    mine.release();
    expect(fs.existsSync(lockFilePath(file))).toBe(false);
    sqlite.close();
  });

  it("takes over a lock of this host whose process is gone, or that bears its own pid (a container restarted as pid 1)", () => {
    for (const pid of [2 ** 22 + 7, process.pid]) {
      const { file, sqlite } = database({ pid, hostname: os.hostname() });
      const lock = claimDatabase(sqlite, file, { now: at(1_000) });
      expect(readLockHolder(file)).toMatchObject({ pid: process.pid, hostname: os.hostname(), startedAt: at(1_000)().toISOString() });
      lock.release();
      sqlite.close();
    }
  });

  it("refuses while another host's heartbeat is fresher than 3 beats, and takes the lock over after", () => {
    const fresh = database({ heartbeatAt: NOW.toISOString() });
    expect(() => claimDatabase(fresh.sqlite, fresh.file, { now: at(20_000), heartbeatMs: 10_000 })).toThrow(
      `Un'altra istanza del portale (pid 4321 su altro-host) sta già usando il database ${fresh.file}: fermala prima di avviarne un'altra (se è già ferma, il database si libera tra 10 secondi).`,
    );
    // The refused start left the database open to others and the lock as it was.
    expect(readLockHolder(fresh.file)?.pid).toBe(4321);
    const other = new Database(fresh.file);
    expect(other.prepare("SELECT count(*) AS n FROM sqlite_master").get()).toEqual({ n: 0 });
    other.close();

    const lock = claimDatabase(fresh.sqlite, fresh.file, { now: at(30_001), heartbeatMs: 10_000 });
    expect(readLockHolder(fresh.file)?.pid).toBe(process.pid);
    lock.release();
    fresh.sqlite.close();
  });

  it("refreshes its heartbeat while it runs", async () => {
    const { file, sqlite } = database();
    let clock = NOW.getTime();
    const lock = claimDatabase(sqlite, file, { now: () => new Date(clock), heartbeatMs: 20 });
    clock += 60_000;
    await new Promise((r) => setTimeout(r, 100));
    expect(readLockHolder(file)?.heartbeatAt).toBe(new Date(clock).toISOString());
    lock.release();
    sqlite.close();
  });
});
