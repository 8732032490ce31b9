// Email delivery of the real production process: killed mid-stream, stopped gracefully.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtpServer } from "../support/smtp-server";
import { startPortal } from "../support/portal-process";

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

function tempDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "sai-outbox-"));
}

/** Queues emails straight into the portal's database, as the app's own transactions do. */
function queueDirectly(dbFile: string, recipients: string[]) {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 5000");
  const insert = db.prepare(
    "INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id) VALUES (?, 'communication', ?, 'service', 'queued', 0, ?, ?)",
  );
  db.transaction(() => {
    recipients.forEach((to, i) => insert.run(to, JSON.stringify({ title: `Prova ${i}`, paragraphs: ["Testo"] }), Date.now(), `<prova-${i}-${Date.now()}@example.org>`));
  })();
  db.close();
}

function outboxStates(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  db.pragma("busy_timeout = 5000");
  const rows = db.prepare("SELECT status, count(*) AS n FROM outbox GROUP BY status").all() as { status: string; n: number }[];
  const integrity = db.pragma("integrity_check", { simple: true });
  db.close();
  return { counts: Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>, integrity };
}

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("email delivery survives crashes and stops cleanly", () => {
  it("a worker killed (SIGKILL) while sending 500 emails loses none after restart; duplicates at most those in flight", async () => {
    const dataDir = tempDataDir();
    const env = { MAIL_RATE_PER_SECOND: "150" };
    const first = await startPortal({ dataDir, smtpUrl: smtp.url, env });
    const dbFile = path.join(dataDir, "portale.db");
    const tag = `crash-${Date.now()}`;
    const recipients = Array.from({ length: 500 }, (_, i) => `${tag}-${i}@example.org`);
    const mine = () => smtp.received.filter((m) => m.envelopeTo[0]?.startsWith(tag));
    queueDirectly(dbFile, recipients);

    await until(() => mine().length >= 120, 30_000, "120 deliveries before the crash");
    first.child.kill("SIGKILL");
    await first.exited;
    const atCrash = outboxStates(dbFile);
    const inFlight = atCrash.counts.sending ?? 0;
    const receivedBeforeRestart = mine().length;
    expect(receivedBeforeRestart).toBeLessThan(500);
    expect(atCrash.integrity).toBe("ok");

    const second = await startPortal({ dataDir, smtpUrl: smtp.url, env });
    try {
      await until(() => outboxStates(dbFile).counts.sent === 500, 60_000, "all 500 marked sent");
      const perRecipient = new Map<string, number>();
      for (const m of mine()) perRecipient.set(m.envelopeTo[0], (perRecipient.get(m.envelopeTo[0]) ?? 0) + 1);
      expect(recipients.filter((r) => !perRecipient.has(r))).toEqual([]);
      const duplicates = [...perRecipient.values()].reduce((sum, n) => sum + (n - 1), 0);
      expect(duplicates).toBeLessThanOrEqual(inFlight);
      expect(second.output()).toContain("rimesse in coda");
    } finally {
      await second.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("SIGTERM lets the email being sent finish, leaves nothing claimed and closes the database", async () => {
    const dataDir = tempDataDir();
    const portal = await startPortal({ dataDir, smtpUrl: smtp.url, env: { MAIL_RATE_PER_SECOND: "20" } });
    const dbFile = path.join(dataDir, "portale.db");
    const tag = `term-${Date.now()}`;
    queueDirectly(dbFile, Array.from({ length: 60 }, (_, i) => `${tag}-${i}@example.org`));
    await until(() => smtp.received.some((m) => m.envelopeTo[0]?.startsWith(tag)), 20_000, "the first delivery");

    const started = Date.now();
    await portal.stop(20_000);
    const { code, signal } = await portal.exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(12_000);
    const after = outboxStates(dbFile);
    expect(after.integrity).toBe("ok");
    expect(after.counts.sending ?? 0).toBe(0);
    expect((after.counts.sent ?? 0) + (after.counts.queued ?? 0)).toBe(60);
    expect(after.counts.sent).toBe(smtp.received.filter((m) => m.envelopeTo[0]?.startsWith(tag)).length);
    // A clean close checkpoints the WAL into the database file.
    expect(fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
