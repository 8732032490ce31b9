// The built server (`node server.js`) given a data folder, database or port it cannot use: it stops
// at once with exit code 1 and one Italian line naming the setting, the path or port and what to do,
// without a stack trace, and before writing anything (no database, no first coordinator).
//
// File permissions do not stop root: run as root (as in CI), the server is started as the
// unprivileged user "nobody" (uid 65534), owner of the folders it should be able to write.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, runPortalToExit } from "../support/portal-process";

const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? { uid: 65534, gid: 65534 } : undefined;

const roots: string[] = [];
afterAll(() => {
  for (const dir of roots) {
    fs.chmodSync(dir, 0o755);
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory()) fs.chmodSync(path.join(entry.parentPath, entry.name), 0o755);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A folder the server's user owns, with `mode`. */
function folder(mode = 0o755, parent?: string) {
  const dir = parent ? path.join(parent, `d${fs.readdirSync(parent).length}`) : fs.mkdtempSync(path.join(os.tmpdir(), "sai-paths-"));
  if (parent) fs.mkdirSync(dir);
  else roots.push(dir);
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  fs.chmodSync(dir, mode);
  return dir;
}

async function run(dataDir: string, env: Record<string, string> = {}) {
  return runPortalToExit({ dataDir, smtpUrl: "smtp://127.0.0.1:1", env, runAs });
}

/** Exit code 1, exactly `line` on stderr, no stack trace, and the portal never got going. */
function expectRefused(result: Awaited<ReturnType<typeof run>>, line: string) {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(result.stderr).toBe(`${line}\n`);
  expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).not.toContain("Primo coordinatore creato");
  expect(result.stdout).not.toContain("Portale del Coordinamento SAI su");
}

function unprivilegedPortStart() {
  try {
    return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start", "utf8"));
  } catch {
    return 1024;
  }
}

const FIX = "rendila scrivibile all'utente che avvia il portale oppure indica un'altra cartella.";

describe("node server.js with a data path it cannot use", () => {
  it("DATA_DIR read-only: names DATA_DIR, the database and the folder", async () => {
    const dataDir = folder(0o555);
    const result = await run(dataDir);
    const db = path.join(dataDir, "portale.db");
    expectRefused(result, `DATA_DIR: il database ${db} non si può creare perché la cartella ${dataDir} non è scrivibile dal portale: ${FIX}`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it("DATABASE_PATH in a read-only folder, or under a regular file: names DATABASE_PATH", async () => {
    const dataDir = folder();
    const readOnly = folder(0o555, folder());
    const inReadOnly = await run(dataDir, { DATABASE_PATH: path.join(readOnly, "portale.db") });
    expectRefused(
      inReadOnly,
      `DATABASE_PATH: il database ${path.join(readOnly, "portale.db")} non si può creare perché la cartella ${readOnly} non è scrivibile dal portale: ${FIX}`,
    );
    const file = path.join(dataDir, "un-file");
    fs.writeFileSync(file, "");
    const underFile = await run(dataDir, { DATABASE_PATH: path.join(file, "sai", "portale.db") });
    expectRefused(underFile, `DATABASE_PATH: il database ${path.join(file, "sai", "portale.db")} non si può creare perché ${file} è un file, non una cartella: ${FIX}`);
    expect(fs.readdirSync(dataDir)).toEqual(["un-file"]);
  });

  it("an existing database the portal cannot write, and DATABASE_PATH naming a folder", async () => {
    const dataDir = folder();
    const dbFile = path.join(dataDir, "sola-lettura.db");
    new Database(dbFile).exec("CREATE TABLE t (x)").close();
    if (runAs) fs.chownSync(dbFile, runAs.uid, runAs.gid);
    fs.chmodSync(dbFile, 0o444);
    const readOnly = await run(dataDir, { DATABASE_PATH: dbFile });
    expectRefused(
      readOnly,
      `DATABASE_PATH: il database ${dbFile} è in sola lettura per il portale. Rendi scrivibili all'utente che avvia il portale il file e la sua cartella ${dataDir}.`,
    );
    expect(fs.readdirSync(dataDir)).toEqual(["sola-lettura.db"]);

    const isFolder = await run(dataDir, { DATABASE_PATH: dataDir });
    expectRefused(isFolder, `DATABASE_PATH: ${dataDir} è una cartella, non il file del database. Indica un file, per esempio ${path.join(dataDir, "portale.db")}.`);
  });

  it("DATA_DIR read-only with the database elsewhere: refused rather than every email left queued", async () => {
    const dataDir = folder(0o555);
    const dbDir = folder();
    const result = await run(dataDir, { DATABASE_PATH: path.join(dbDir, "portale.db") });
    expectRefused(result, `DATA_DIR: ${dataDir} non è utilizzabile perché la cartella ${dataDir} non è scrivibile dal portale: ${FIX}`);
    expect(fs.readdirSync(dbDir)).toEqual([]);
  });
});

describe("node server.js with a port it cannot use", () => {
  it("a port in use: names PORT, before the database or the first coordinator is created", async () => {
    const port = await freePort();
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(port, resolve));
    try {
      const dataDir = folder();
      const result = await run(dataDir, { PORT: String(port) });
      expectRefused(result, `PORT ${port}: la porta è già usata da un altro programma. Ferma quel programma o scegli un'altra porta con PORT.`);
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  // Where the system lets every user listen on port 80 (net.ipv4.ip_unprivileged_port_start lowered,
  // as some container runtimes do) there is nothing to refuse.
  it.skipIf(unprivilegedPortStart() <= 80)("a privileged port (80) for an ordinary user: names PORT and suggests one from 1024", async () => {
    const dataDir = folder();
    const result = await run(dataDir, { PORT: "80" });
    expectRefused(
      result,
      "PORT 80: il portale non ha il permesso di usare questa porta (sotto la 1024 servono i privilegi di amministratore). Usa una porta da 1024 in su, per esempio 3000, dietro il proxy.",
    );
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
