// `npm run coordinator:password -- EMAIL` (db/coordinator-password.ts) on a real database file: the
// way back in for a coordinator no email can reach. A new password printed once, the old one and
// the sessions gone, the registro's entry; refusals for an unknown or inactive address.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, coordinators, sessions } from "#db/schema";
import { ensureFirstCoordinator, verifyCoordinatorCredentials } from "~/models/coordinator.server";
import { migrateDatabase, openDatabase, type Db } from "~/utils/db.server";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "sai-password-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function runScript(args: string[], dataDir: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // Production, with none of the portal's other settings: like the backup, it needs only the data.
    const child = spawn(tsx, [path.join("db", "coordinator-password.ts"), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", DATA_DIR: dataDir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function portalWithCoordinator(name: string): Promise<{ dataDir: string; db: Db; id: number }> {
  const dataDir = path.join(root, name);
  const db = openDatabase(path.join(dataDir, "portale.db"));
  migrateDatabase(db);
  await ensureFirstCoordinator(db, { email: "Amministratore@Example.org", password: "vecchia-password-123" });
  const id = db.select().from(coordinators).get()!.id;
  const now = Date.now();
  db.insert(sessions).values({ id: `s-${name}`, coordinatorId: id, lastSeenAt: new Date(now), expiresAt: new Date(now + 3_600_000) }).run();
  return { dataDir, db, id };
}

describe("npm run coordinator:password", () => {
  it("sets a new password printed once, ends the sessions and records it; the old password stops working", async () => {
    const { dataDir, db, id } = await portalWithCoordinator("attivo");
    const run = await runScript(["amministratore@example.org"], dataDir);
    expect(run.code, run.stderr).toBe(0);
    const password = run.stdout.match(/\(mostrata una sola volta\): (\S+)/)?.[1];
    expect(password, run.stdout).toMatch(/^[\w-]{20}$/);

    expect(await verifyCoordinatorCredentials(db, { email: "amministratore@example.org", password: password! })).toMatchObject({ id });
    expect(await verifyCoordinatorCredentials(db, { email: "amministratore@example.org", password: "vecchia-password-123" })).toBeNull();
    expect(db.select().from(sessions).where(eq(sessions.coordinatorId, id)).get()!.revokedAt).not.toBeNull();
    const entry = db.select().from(auditLog).where(eq(auditLog.action, "coordinator.password_set_from_console")).get();
    expect(entry).toMatchObject({ actorType: "system", entityType: "coordinator", entityId: String(id), details: { email: "amministratore@example.org" } });
    db.$client.close();
  });

  it("refuses an unknown address, a missing database and a call without the address, changing nothing", async () => {
    const { dataDir, db } = await portalWithCoordinator("sconosciuto");
    const before = db.select().from(coordinators).get()!.passwordHash;
    const unknown = await runScript(["altro@example.org"], dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Nessun coordinatore ha l'indirizzo altro@example.org.");
    expect(db.select().from(coordinators).get()!.passwordHash).toBe(before);
    db.$client.close();

    const missing = await runScript(["amministratore@example.org"], path.join(root, "vuota"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Nessun database in");
    expect(fs.existsSync(path.join(root, "vuota", "portale.db"))).toBe(false);

    const usage = await runScript([], dataDir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Uso: npm run coordinator:password -- EMAIL");
  });
});
