// One portal per database: a second `node server.js` on a database a running portal uses stops at
// once with a message naming the database and the other process, and takes nothing from it (the
// email being sent is not put back in the queue). A portal killed with SIGKILL does not block the next.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPortalToExit, startPortal } from "../support/portal-process";
import { until } from "../support/until";

// An SMTP server that takes 4 s to accept each message, so that an email stays "sending" meanwhile.
const received: string[] = [];
let smtp: SMTPServer;
let smtpUrl: string;
beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on("end", () =>
        setTimeout(() => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        }, 4_000),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function outboxStatus(dbFile: string, recipient: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    return (db.prepare("SELECT status FROM outbox WHERE recipient = ?").get(recipient) as { status: string } | undefined)?.status;
  } finally {
    db.close();
  }
}

describe("one portal per database", () => {
  it("a second instance on the same data refuses to start, naming the database and the pid, and the first goes on alone", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-instance-"));
    const dbFile = path.join(dataDir, "portale.db");
    const first = await startPortal({ dataDir, smtpUrl });
    try {
      const recipient = `doppione-${Date.now()}@example.org`;
      const db = new Database(dbFile);
      db.pragma("busy_timeout = 5000");
      db.prepare(
        "INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id) VALUES (?, 'communication', ?, 'service', 'queued', 0, ?, ?)",
      ).run(recipient, JSON.stringify({ title: "Prova", paragraphs: ["Testo"] }), Date.now(), `<doppione-${Date.now()}@example.org>`);
      db.close();
      await until(() => outboxStatus(dbFile, recipient) === "sending", 10_000);

      const second = await runPortalToExit({ dataDir, smtpUrl });
      expect(second.code, second.stdout + second.stderr).toBe(1);
      expect(second.stderr).toBe(
        `Un'altra istanza del portale (pid ${first.child.pid}) sta già usando il database ${dbFile}: fermala prima di avviarne un'altra.\n`,
      );
      expect(second.stdout).not.toContain("rimesse in coda");
      expect(second.stdout).not.toContain("Portale del Coordinamento SAI su");

      expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
      await until(() => outboxStatus(dbFile, recipient) === "sent", 20_000);
      // Time for a second delivery, had the email been put back in the queue.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(received.filter((r) => r === recipient)).toEqual([recipient]);
    } finally {
      await first.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a portal killed with SIGKILL leaves its lock behind, and the next start takes it over", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-instance-"));
    const first = await startPortal({ dataDir, smtpUrl });
    first.child.kill("SIGKILL");
    await first.exited;
    expect(fs.existsSync(path.join(dataDir, "portale.db.lock"))).toBe(true);

    const next = await startPortal({ dataDir, smtpUrl });
    try {
      expect((await fetch(`${next.baseUrl}/healthz`)).status).toBe(200);
      const lock = JSON.parse(fs.readFileSync(path.join(dataDir, "portale.db.lock"), "utf8")) as { pid: number };
      expect(lock.pid).toBe(next.child.pid);
    } finally {
      await next.stop();
    }
    // A clean stop removes the lock.
    expect(fs.existsSync(path.join(dataDir, "portale.db.lock"))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
