// Changing SESSION_SECRET (going live after a trial with the generated one, or rotating it) must not
// break what the old secret signed and people still hold: coordinators' sessions, and the unsubscribe
// links of emails already delivered. The real server, restarted on the same data with new settings.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../bench/http";
import { startPortal } from "../support/portal-process";
import { postForm, readForm, registrationFields, type PostedForm } from "../support/registration-traffic";

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const ADMIN = { email: "coordinatore@example.org", password: crypto.randomBytes(18).toString("base64url") };
const newSecret = () => crypto.randomBytes(36).toString("base64url");

/** The link an email signed with `secret` carries (the portal's own formula, app/utils/unsubscribe.server.ts). */
function unsubscribePath(email: string, secret: string) {
  const signature = crypto.createHmac("sha256", secret).update(`unsubscribe:${email}`).digest("base64url").slice(0, 32);
  return `/disiscrizione/${Buffer.from(email).toString("base64url")}.${signature}`;
}

/** Starts the portal on `dataDir` with these settings, runs `check`, stops it. */
async function withPortal(dataDir: string, env: Record<string, string>, check: (baseUrl: string) => Promise<void>) {
  const portal = await startPortal({ dataDir, smtpUrl: "smtp://127.0.0.1:1", env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env } });
  try {
    await check(portal.baseUrl);
  } finally {
    await portal.stop();
  }
}

const statusOf = async (url: string, cookie = "") => (await fetch(url, { headers: { Cookie: cookie }, redirect: "manual" })).status;

describe("a new SESSION_SECRET", () => {
  it("keeps sessions and unsubscribe links signed with the one before while it is listed in SESSION_SECRET_PREVIOUS", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-secret-"));
    dataDirs.push(dataDir);
    const [first, second] = [newSecret(), newSecret()];
    const link = unsubscribePath("referente.rotazione@example.org", first);
    let cookie = "";
    // Two schede opened before the restart (CSRF cookie and token, honeypot), sent after it.
    const openForms: PostedForm[] = [];
    await withPortal(dataDir, { SESSION_SECRET: first }, async (baseUrl) => {
      cookie = await signIn(baseUrl, ADMIN);
      expect(await statusOf(`${baseUrl}/admin`, cookie)).toBe(200);
      expect(await statusOf(`${baseUrl}${link}`)).toBe(200);
      openForms.push(await readForm(baseUrl, "/adesione"), await readForm(baseUrl, "/adesione"));
    });
    const scheda = (n: number) => registrationFields(`rotazione-${n}-${Date.now()}@example.org`, { bodyName: `Unione dei Comuni Rotazione ${n} ${Date.now()}` });
    await withPortal(dataDir, { SESSION_SECRET: second, SESSION_SECRET_PREVIOUS: first }, async (baseUrl) => {
      expect(await statusOf(`${baseUrl}/admin`, cookie), "still signed in").toBe(200);
      expect(await statusOf(`${baseUrl}${link}`), "the old email's link").toBe(200);
      const sent = await postForm(baseUrl, openForms[0], scheda(1));
      expect(sent.status, "the scheda typed before the restart is stored").toBe(302);
      expect(sent.headers.get("location")).toMatch(/^\/adesione\/inviata/);
    });
    // Without it, what the old secret signed is no longer accepted.
    await withPortal(dataDir, { SESSION_SECRET: second }, async (baseUrl) => {
      expect(await statusOf(`${baseUrl}/admin`, cookie)).toBe(302);
      expect((await postForm(baseUrl, openForms[1], scheda(2))).status).not.toBe(302);
      const refused = await fetch(`${baseUrl}${link}`);
      expect(refused.status).toBe(404);
      // The person cannot tell an old link from a mangled one: the page says where the choice is made.
      expect(await refused.text()).toContain('href="/area-referente/privacy"');
    });
  });

  it("set after a trial with the generated secret, keeps what that one signed without being told", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-secret-"));
    dataDirs.push(dataDir);
    let cookie = "";
    // No SESSION_SECRET, as `npm start` runs: one is generated and kept in the database.
    await withPortal(dataDir, { NODE_ENV: "test", SESSION_SECRET: "" }, async (baseUrl) => {
      cookie = await signIn(baseUrl, ADMIN);
    });
    const db = new Database(path.join(dataDir, "portale.db"), { readonly: true });
    const generated = (db.prepare("SELECT value FROM settings WHERE key = 'session_secret'").get() as { value: string }).value;
    db.close();
    const link = unsubscribePath("referente.prova@example.org", generated);
    await withPortal(dataDir, { SESSION_SECRET: newSecret() }, async (baseUrl) => {
      expect(await statusOf(`${baseUrl}/admin`, cookie), "still signed in").toBe(200);
      expect(await statusOf(`${baseUrl}${link}`), "the trial's email link").toBe(200);
    });
  });
});
