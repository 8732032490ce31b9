// The built server killed with SIGKILL in the middle of a stream of registrations, twice, and started
// again on the same data directory: the database passes integrity_check, every registration that was
// answered with success is there with its confirmation email in the outbox, and none is half written.
// (What the email worker does after such a kill is covered by outbox-resilience.test.ts.)
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortal, type PortalProcess } from "../support/portal-process";
import { register, seededComuni, storedRegistrations, type RegistrationOutcome } from "../support/registration-traffic";
import { startTestSmtpServer } from "../support/smtp-server";

const LANES = 12;
const SUCCESSES_BEFORE_KILL = 120;
const env = { REGISTRATIONS_PER_IP_PER_HOUR: "100000" };

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let dataDir: string;
let dbFile: string;
const running: PortalProcess[] = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-crash-"));
  dbFile = path.join(dataDir, "portale.db");
});

afterAll(async () => {
  for (const portal of running) await portal.stop();
  await smtp?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start() {
  const portal = await startPortal({ dataDir, smtpUrl: smtp.url, env });
  running.push(portal);
  return portal;
}

/**
 * Registrations on `LANES` connections until the server stops answering; the server is killed with
 * SIGKILL once `SUCCESSES_BEFORE_KILL` have been answered, while the other lanes are mid-request.
 */
async function streamUntilKilled(portal: PortalProcess, tag: string, comuni: string[]) {
  const outcomes: RegistrationOutcome[] = [];
  let next = 0;
  let killed = false;
  let killing: NodeJS.Timeout | undefined;
  const lane = async () => {
    while (!killed) {
      const i = next++;
      // A third are comuni (distinct ones), the rest unioni di comuni.
      const body = i % 3 === 0 && i / 3 < comuni.length ? { municipalityCode: comuni[i / 3] } : { bodyName: `Unione ${tag} n. ${i}` };
      const outcome = await register(portal.baseUrl, `${tag}-${String(i).padStart(4, "0")}@example.org`, body);
      outcomes.push(outcome);
      if (outcome.status === "network-error") return;
      if (!killing && outcomes.filter((o) => o.status === 302).length >= SUCCESSES_BEFORE_KILL) {
        // At a random moment shortly after, so that the kill lands in the middle of requests.
        killing = setTimeout(() => {
          killed = true;
          portal.child.kill("SIGKILL");
        }, crypto.randomInt(5, 60));
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  const { signal } = await portal.exited;
  expect(signal).toBe("SIGKILL");
  return outcomes;
}

function rowsFor(prefix: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    const count = (sql: string) => (db.prepare(sql).get(`${prefix}%`) as { n: number }).n;
    return {
      referents: count("SELECT count(*) AS n FROM referents WHERE email LIKE ?"),
      requests: count(
        "SELECT count(*) AS n FROM membership_requests m JOIN referents r ON r.id = m.referent_id WHERE r.email LIKE ?",
      ),
      projects: count(
        "SELECT count(*) AS n FROM sai_projects p JOIN membership_requests m ON m.id = p.request_id JOIN referents r ON r.id = m.referent_id WHERE r.email LIKE ?",
      ),
      outbox: count("SELECT count(*) AS n FROM outbox WHERE template = 'confirm-registration' AND recipient LIKE ?"),
    };
  } finally {
    db.close();
  }
}

describe("SIGKILL during a stream of registrations", () => {
  it("after each restart the database is intact and holds every registration that was answered with success", async () => {
    const accepted: string[] = [];
    let portal = await start();
    const allComuni = seededComuni(dbFile);
    expect(allComuni.length).toBe(391);

    for (const round of [0, 1]) {
      const tag = `crash-${round}-${Date.now()}`;
      // Each round takes its comuni from its own half of the list.
      const outcomes = await streamUntilKilled(portal, tag, allComuni.slice(round * 190, round * 190 + 190));
      const ok = outcomes.filter((o) => o.status === 302);
      expect(ok.every((o) => o.location === "/adesione/inviata")).toBe(true);
      expect(ok.length).toBeGreaterThanOrEqual(SUCCESSES_BEFORE_KILL);
      // Only the SIGKILL interrupted anything: no request was refused or failed before it.
      expect(outcomes.filter((o) => o.status !== 302 && o.status !== "network-error")).toEqual([]);
      expect(outcomes.filter((o) => o.status === "network-error").length).toBeGreaterThan(0);
      accepted.push(...ok.map((o) => o.email));

      const restartAt = Date.now();
      portal = await start();
      const restartMs = Date.now() - restartAt;
      const stored = storedRegistrations(dbFile, "crash-");
      expect(stored.integrity).toBe("ok");
      const requested = new Set(stored.requests.map((r) => r.email));
      expect(accepted.filter((email) => !requested.has(email)), "registrations answered with success but missing").toEqual([]);
      const emailed = new Set(stored.outbox.map((o) => o.recipient));
      expect(accepted.filter((email) => !emailed.has(email)), "confirmation emails missing from the outbox").toEqual([]);
      expect(stored.outbox.filter((o) => !["queued", "sending", "sent"].includes(o.status))).toEqual([]);

      // A registration interrupted by the kill is there whole or not at all: one referente, one
      // request, one project and one queued email each.
      const rows = rowsFor(`${tag}-`);
      expect(rows.requests).toBeGreaterThanOrEqual(ok.length);
      console.log(
        `[crash] round ${round}: ${ok.length} answered with success, ${rows.requests} stored, restart in ${restartMs} ms`,
      );
      expect(rows).toEqual({ referents: rows.requests, requests: rows.requests, projects: rows.requests, outbox: rows.requests });
    }

    // The restarted server takes registrations again.
    const after = await register(portal.baseUrl, `after-crash-${Date.now()}@example.org`, { bodyName: "Unione dei Comuni dopo il riavvio" });
    expect(after).toMatchObject({ status: 302, location: "/adesione/inviata" });
  }, 120_000);
});
