// Load on the built server (`node server.js`, production settings, its own data directory and SMTP
// sink): 500 registrations all in flight at once (issue 8 point 3: "500 concurrent"), then 500 more while a coordinator downloads the member
// list as CSV and Excel in a loop. Every registration must be stored with its confirmation email
// queued, without a 500 and without SQLITE_BUSY.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortal, type PortalProcess } from "../support/portal-process";
import {
  pool,
  register,
  seededComuni,
  signInCoordinator,
  storedRegistrations,
  type RegistrationOutcome,
} from "../support/registration-traffic";
import { startTestSmtpServer } from "../support/smtp-server";

const COORDINATOR_EMAIL = "coordinatore@example.org";
const ADMIN_PASSWORD = crypto.randomBytes(18).toString("base64url");
const REGISTRATIONS = 500;
const IN_FLIGHT = 500;
const COMUNI_PER_ROUND = 150; // 391 Sicilian comuni: two rounds of distinct ones, the rest are unioni

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let portal: PortalProcess;
let dataDir: string;
let dbFile: string;
let comuni: string[];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-load-"));
  dbFile = path.join(dataDir, "portale.db");
  portal = await startPortal({
    dataDir,
    smtpUrl: smtp.url,
    env: { REGISTRATIONS_PER_IP_PER_HOUR: "100000", ADMIN_PASSWORD, MAIL_RATE_PER_SECOND: "100" },
  });
  comuni = seededComuni(dbFile);
  expect(comuni).toHaveLength(391);
});

afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** 500 registrations: `COMUNI_PER_ROUND` distinct comuni starting at `comuneOffset`, the rest unioni di comuni. */
async function registrationRound(tag: string, comuneOffset: number) {
  const items = Array.from({ length: REGISTRATIONS }, (_, i) => ({
    email: `${tag}-${String(i).padStart(3, "0")}@example.org`,
    body: i < COMUNI_PER_ROUND ? { municipalityCode: comuni[comuneOffset + i] } : { bodyName: `Unione dei Comuni ${tag} n. ${i}` },
  }));
  const started = Date.now();
  const outcomes = await pool(items, IN_FLIGHT, ({ email, body }) => register(portal.baseUrl, email, body));
  return { outcomes, seconds: (Date.now() - started) / 1000 };
}

function expectAllAccepted(outcomes: RegistrationOutcome[]) {
  const refused = outcomes.filter((o) => o.status !== 302 || o.location !== "/adesione/inviata");
  expect(refused, "registrations not answered with 302 to /adesione/inviata").toEqual([]);
}

function expectAllStored(tag: string) {
  const stored = storedRegistrations(dbFile, `${tag}-`);
  expect(stored.integrity).toBe("ok");
  expect(stored.requests).toHaveLength(REGISTRATIONS);
  expect(new Set(stored.requests.map((r) => r.email)).size).toBe(REGISTRATIONS);
  expect(stored.requests.every((r) => r.status === "email_unverified")).toBe(true);
  // One confirmation email per registration, queued or already handed to the SMTP server.
  expect(stored.outbox).toHaveLength(REGISTRATIONS);
  expect(new Set(stored.outbox.map((o) => o.recipient)).size).toBe(REGISTRATIONS);
  expect(stored.outbox.filter((o) => !["queued", "sending", "sent"].includes(o.status))).toEqual([]);
}

function expectCleanServerOutput() {
  const output = portal.output();
  expect(output).not.toMatch(/SQLITE_BUSY|database is locked/i);
  expect(output).not.toMatch(/SqliteError/);
}

describe("load on the built server", () => {
  it(`${REGISTRATIONS} registrations with ${IN_FLIGHT} in flight: all stored, all confirmation emails queued`, async () => {
    const tag = `load-a-${Date.now()}`;
    const { outcomes, seconds } = await registrationRound(tag, 0);
    console.log(`[load] ${REGISTRATIONS} registrations in ${seconds.toFixed(1)} s`);
    expectAllAccepted(outcomes);
    expectAllStored(tag);
    expectCleanServerOutput();
  }, 120_000);

  it(`${REGISTRATIONS} more while a coordinator exports the member list (CSV and Excel) in a loop`, async () => {
    const cookie = await signInCoordinator(portal.baseUrl, COORDINATOR_EMAIL, ADMIN_PASSWORD);
    type Download = { format: "csv" | "xlsx"; status: number; type: string | null; bytes: number; started: number; ended: number };
    const downloads: Download[] = [];
    let loading = true;
    // One loop per format, each downloading again as soon as the previous file has arrived.
    const exportLoop = async (format: "csv" | "xlsx") => {
      while (loading) {
        const started = Date.now();
        const response = await fetch(`${portal.baseUrl}/admin/adesioni/export.${format}`, { headers: { Cookie: cookie }, redirect: "manual" });
        const body = new Uint8Array(await response.arrayBuffer());
        downloads.push({ format, status: response.status, type: response.headers.get("content-type"), bytes: body.length, started, ended: Date.now() });
      }
    };
    const exporters = Promise.all([exportLoop("csv"), exportLoop("xlsx")]);

    const tag = `load-b-${Date.now()}`;
    const roundStarted = Date.now();
    let round: Awaited<ReturnType<typeof registrationRound>>;
    let roundEnded: number;
    try {
      round = await registrationRound(tag, COMUNI_PER_ROUND);
    } finally {
      roundEnded = Date.now();
      loading = false;
      await exporters;
    }
    const summary = (["csv", "xlsx"] as const).map((f) => {
      const mine = downloads.filter((d) => d.format === f);
      return `${mine.length} ${f} (slowest ${Math.max(...mine.map((d) => d.ended - d.started))} ms)`;
    });
    console.log(`[load] ${REGISTRATIONS} registrations in ${round.seconds.toFixed(1)} s while exporting ${summary.join(", ")}`);
    expectAllAccepted(round.outcomes);
    expectAllStored(tag);

    expect(downloads.filter((d) => d.status !== 200)).toEqual([]);
    expect(downloads.filter((d) => d.format === "csv").every((d) => d.type?.startsWith("text/csv"))).toBe(true);
    expect(downloads.filter((d) => d.format === "xlsx").every((d) => d.type?.includes("spreadsheetml"))).toBe(true);
    // Both formats were being generated while the registrations were coming in. Under this load an
    // Excel file waits behind the registrations (exceljs zips in ~100 event-loop turns), but every
    // download completes soon after the load stops.
    const overlapping = downloads.filter((d) => d.started < roundEnded && d.ended > roundStarted);
    expect(overlapping.filter((d) => d.format === "csv").length).toBeGreaterThanOrEqual(2);
    expect(overlapping.filter((d) => d.format === "xlsx").length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...downloads.map((d) => d.ended)) - roundEnded).toBeLessThan(15_000);

    // After the load, one export lists every one of the 1,000 registrations.
    const csv = await (await fetch(`${portal.baseUrl}/admin/adesioni/export.csv`, { headers: { Cookie: cookie } })).text();
    const listed = csv.split("\n").filter((line) => line.includes("@example.org") && /load-[ab]-\d+-\d{3}@example\.org/.test(line));
    expect(listed).toHaveLength(2 * REGISTRATIONS);
    expectCleanServerOutput();
  }, 120_000);
});
