import { describe, expect, it } from "vitest";
import { requestCoordinatorPasswordReset } from "~/models/coordinator-password.server";
import * as accountPage from "~/routes/admin.account";
import { action as loginAction } from "~/routes/login";
import { LOGIN_FAILURE_LIMIT } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import {
  auditFor,
  canEnterAdmin,
  coordinatorRow,
  createCoordinatorWithPassword,
  emailsOf,
  openSessions,
  signsInWith,
} from "../../support/coordinator-password";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost } from "../../support/requests";

const CURRENT = "la password di adesso";
const NEW = "una nuova password lunga";

let ipCounter = 0;
const freshIp = () => `10.60.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

/** A POST of "Cambia password" from the browser holding `cookie`. */
async function changePassword(cookie: string | null, fields: Record<string, string>, ip = freshIp()) {
  const request = await browserPost("/admin/account", fields);
  const headers = new Headers(request.headers);
  if (cookie) headers.set("Cookie", `${headers.get("Cookie")}; ${cookie}`);
  const signed = new Request(request.url, { method: "POST", body: await request.text(), headers });
  return settle(() => accountPage.action({ request: signed, params: {}, context: { cspNonce: "", clientIp: ip } }));
}

const errorsOf = async (response: Response) => ((await response.json()) as { errors: Record<string, string> }).errors;

describe("Il mio account: changing one's own password", () => {
  it("stores a new scrypt hash, ends the other sessions and keeps this one, emails the coordinator and audits it", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const here = await sessionCookieFor(me.id);
    const elsewhere = await sessionCookieFor(me.id);
    const other = createTestCoordinator();
    const otherSession = await sessionCookieFor(other.id);
    const hashBefore = coordinatorRow(me.id).passwordHash;

    const response = await changePassword(here.cookie, { currentPassword: CURRENT, password: NEW, confirmPassword: NEW });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/account?esito=password-cambiata");

    const hash = coordinatorRow(me.id).passwordHash!;
    expect(hash).not.toBe(hashBefore);
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(hash).not.toContain(NEW);
    expect(await signsInWith(me.email, NEW)).toBe(true);
    expect(await signsInWith(me.email, CURRENT)).toBe(false);

    expect(openSessions(me.id)).toEqual([here.sessionId]);
    expect(await canEnterAdmin(here.cookie)).toBe(true);
    expect(await canEnterAdmin(elsewhere.cookie)).toBe(false);
    // Nobody else's sessions are touched.
    expect(await canEnterAdmin(otherSession.cookie)).toBe(true);

    const [mail] = emailsOf(me.email, "coordinator-password-changed");
    expect(mail).toMatchObject({ status: "queued", recipient: me.email });
    expect(mail.props).toMatchObject({ name: me.name, email: me.email, forgotPasswordUrl: `${APP_URL}/login/password-dimenticata` });
    expect(String(mail.props.changedAt)).toMatch(/^\d{1,2} \S+ \d{4} alle \d{2}:\d{2}$/);

    const audit = auditFor(me.id).filter((a) => a.action === "coordinator.password_changed");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "coordinator", actorId: me.id, details: { email: me.email } });
    expect(JSON.stringify(auditFor(me.id))).not.toContain(NEW);
    expect(JSON.stringify(auditFor(me.id))).not.toContain(CURRENT);

    // The page says so, once.
    const { html } = await renderRoute(accountPage, new Request(`${APP_URL}/admin/account?esito=password-cambiata`, { headers: { Cookie: here.cookie } }));
    expect(html).toContain("Password cambiata. Le altre sessioni aperte con il tuo account sono state chiuse");
  });

  it("refuses a wrong current password with a field error, changes nothing and counts it against the sign-in limits", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const here = await sessionCookieFor(me.id);
    const elsewhere = await sessionCookieFor(me.id);
    const hashBefore = coordinatorRow(me.id).passwordHash;

    const response = await changePassword(here.cookie, { currentPassword: "non è questa", password: NEW, confirmPassword: NEW });
    expect(response.status).toBe(400);
    expect(await errorsOf(response)).toEqual({ currentPassword: "La password attuale non è corretta" });
    expect(coordinatorRow(me.id).passwordHash).toBe(hashBefore);
    expect(await canEnterAdmin(elsewhere.cookie)).toBe(true);
    expect(emailsOf(me.email, "coordinator-password-changed")).toEqual([]);
    expect(auditFor(me.id).map((a) => a.action)).toEqual(["coordinator.password_change_failed"]);

    // Wrong current passwords use up the sign-in's failures of the address: then even the right one is refused, and /login too.
    for (let i = 1; i < LOGIN_FAILURE_LIMIT; i++) {
      expect((await changePassword(here.cookie, { currentPassword: `sbagliata ${i}`, password: NEW, confirmPassword: NEW })).status).toBe(400);
    }
    const ip = freshIp();
    const blocked = await changePassword(here.cookie, { currentPassword: CURRENT, password: NEW, confirmPassword: NEW }, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(coordinatorRow(me.id).passwordHash).toBe(hashBefore);
    const login = await settle(async () =>
      loginAction({ request: await browserPost("/login", { email: me.email, password: CURRENT }), params: {}, context: { cspNonce: "", clientIp: freshIp() } }),
    );
    expect(login.status, "the address is blocked at /login as well").toBe(429);
  });

  it("when blocked, shows the form again with when to retry, and never the passwords typed", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const { cookie } = await sessionCookieFor(me.id);
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) await changePassword(cookie, { currentPassword: `sbagliata ${i}`, password: NEW, confirmPassword: NEW });
    const fields = { currentPassword: CURRENT, password: NEW, confirmPassword: NEW };
    const blocked = await changePassword(cookie, fields);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({
      intent: "password",
      errors: {},
      formError: "Troppi tentativi con una password errata in poco tempo: per sicurezza la password non è stata cambiata. Riprova tra 15 minuti.",
    });
    // Without JavaScript: the account page with its form, not the error page.
    const { status, html } = await renderRoute(accountPage, await adminPost("/admin/account", fields, me.id));
    expect(status).toBe(429);
    expect(html).toContain("Password non cambiata");
    expect(html).toContain("Riprova tra 15 minuti.");
    expect(html).toContain("Password attuale");
    expect(html).not.toContain(CURRENT);
    expect(html).not.toContain(NEW);
  });

  it("applies the password rules of the invitation: too short, mismatch, missing fields, same as the current one", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const { cookie } = await sessionCookieFor(me.id);
    const hashBefore = coordinatorRow(me.id).passwordHash;

    const short = await changePassword(cookie, { currentPassword: CURRENT, password: "corta", confirmPassword: "corta" });
    expect(short.status).toBe(400);
    expect(await errorsOf(short)).toEqual({ password: "La password deve avere almeno 12 caratteri" });

    const mismatch = await changePassword(cookie, { currentPassword: CURRENT, password: NEW, confirmPassword: "un'altra password lunga" });
    expect(mismatch.status).toBe(400);
    expect(await errorsOf(mismatch)).toEqual({ confirmPassword: "Le due password non coincidono" });

    const empty = await changePassword(cookie, {});
    expect(empty.status).toBe(400);
    expect(await errorsOf(empty)).toEqual({
      currentPassword: "Inserisci la password attuale",
      password: "Scegli una password",
      confirmPassword: "Ripeti la password",
    });

    const same = await changePassword(cookie, { currentPassword: CURRENT, password: CURRENT, confirmPassword: CURRENT });
    expect(same.status).toBe(400);
    expect(await errorsOf(same)).toEqual({ password: "La nuova password deve essere diversa da quella attuale" });

    expect(coordinatorRow(me.id).passwordHash).toBe(hashBefore);
    expect(auditFor(me.id)).toEqual([]);
    expect(emailsOf(me.email, "coordinator-password-changed")).toEqual([]);
  });

  it("kills a pending reset link", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const { cookie } = await sessionCookieFor(me.id);
    expect(requestCoordinatorPasswordReset(getDb(), { email: me.email, ip: "10.62.0.1", appUrl: APP_URL }).sent).toBe(true);
    expect(coordinatorRow(me.id).inviteTokenHash).not.toBeNull();
    expect((await changePassword(cookie, { currentPassword: CURRENT, password: NEW, confirmPassword: NEW })).status).toBe(302);
    expect(coordinatorRow(me.id)).toMatchObject({ inviteTokenHash: null, inviteExpiresAt: null });
  });

  it("sends anonymous visitors to /login and refuses a POST without the CSRF token", async () => {
    const page = await settle(async () => accountPage.loader({ request: await adminGet("/admin/account", null), params: {}, context: { cspNonce: "", clientIp: freshIp() } }));
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Faccount");
    const anonymous = await changePassword(null, { currentPassword: CURRENT, password: NEW, confirmPassword: NEW });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);

    const me = await createCoordinatorWithPassword(CURRENT);
    const { cookie } = await sessionCookieFor(me.id);
    const forged = new Request(`${APP_URL}/admin/account`, {
      method: "POST",
      body: new URLSearchParams({ currentPassword: CURRENT, password: NEW, confirmPassword: NEW }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
    });
    expect((await settle(() => accountPage.action({ request: forged, params: {}, context: { cspNonce: "", clientIp: freshIp() } }))).status).toBe(403);
    expect(await signsInWith(me.email, CURRENT)).toBe(true);
  });
});

describe("Il mio account: one's own name", () => {
  it("changes the name the emails and the log show, audited with before and after; refuses an empty one keeping the input", async () => {
    const me = await createCoordinatorWithPassword(CURRENT);
    const { cookie } = await sessionCookieFor(me.id);
    const empty = await changePassword(cookie, { intent: "name", name: "   " });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ intent: "name", errors: { name: "Inserisci il nome" }, values: { name: "   " } });
    expect(coordinatorRow(me.id).name).toBe("Giulia Bianchi");

    const renamed = await changePassword(cookie, { intent: "name", name: "  Giulia Bianchi Lo Verde " });
    expect(renamed.status).toBe(302);
    expect(renamed.headers.get("Location")).toBe("/admin/account?esito=nome-cambiato");
    expect(coordinatorRow(me.id).name).toBe("Giulia Bianchi Lo Verde");
    expect(auditFor(me.id).filter((a) => a.action === "coordinator.renamed").map((a) => [a.actorId, a.details])).toEqual([
      [me.id, { email: me.email, before: { name: "Giulia Bianchi" }, after: { name: "Giulia Bianchi Lo Verde" } }],
    ]);
    // The password is untouched.
    expect(await signsInWith(me.email, CURRENT)).toBe(true);

    const { html } = await renderRoute(accountPage, await adminGet("/admin/account?esito=nome-cambiato", me.id));
    expect(html).toContain("Nome aggiornato.");
    expect(html).toMatch(/<label for="name">Nome e cognome<\/label>/);
    expect(html).toMatch(/<input[^>]*name="name"[^>]*value="Giulia Bianchi Lo Verde"/);
  });
});

describe("/admin/account page", () => {
  it("shows name, email and role, and the form with real labels", async () => {
    const me = await createCoordinatorWithPassword(CURRENT, { role: "admin" });
    const { html, status } = await renderRoute(accountPage, await adminGet("/admin/account", me.id));
    expect(status).toBe(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain("<h1>Il mio account</h1>");
    expect(html).toMatch(/<dt[^>]*>Nome<\/dt><dd[^>]*>Giulia Bianchi<\/dd>/);
    expect(html).toMatch(new RegExp(`<dt[^>]*>Email</dt><dd[^>]*>${me.email}</dd>`));
    expect(html).toMatch(/<dt[^>]*>Ruolo<\/dt><dd[^>]*>Amministratore<\/dd>/);
    expect(html).toContain('<h2 id="password-title">Cambia password</h2>');
    for (const [id, label] of [["currentPassword", "Password attuale"], ["password", "Nuova password"], ["confirmPassword", "Conferma la nuova password"]]) {
      expect(html).toContain(`<label for="${id}">${label}</label>`);
    }
    expect(html).toMatch(/<input id="currentPassword" name="currentPassword" type="password"[^>]*autoComplete="current-password"/);
    expect(html.match(/type="password"[^>]*autoComplete="new-password"/g)).toHaveLength(2);
    expect(html).toContain('name="csrf"');
    expect(html).toMatch(/<button type="submit" class="btn btn-primary">Cambia password<\/button>/);
    expect(html).not.toContain("Password cambiata.");
  });
});
