import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, coordinators, sessions } from "#db/schema";
import { loader as adminLoader } from "~/routes/admin";
import * as loginPage from "~/routes/login";
import { action as logoutAction } from "~/routes/logout";
import { SESSION_IDLE_MS, revokeCoordinatorSessions } from "~/models/session.server";
import { countLoginFailure, LOGIN_FAILURE_LIMIT, LOGIN_FAILURES_PER_IP, requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, sessionCookieFor, settle } from "../../support/admin";
import { createCoordinatorWithPassword } from "../../support/coordinator-password";
import { renderRoute } from "../../support/render-route";
import { browserPost, loadContext } from "../../support/requests";

const ADMIN = { email: "coordinatore@example.org", password: "password-di-prova-123" };

async function login(fields: Record<string, string>, clientIp = loadContext().clientIp) {
  const request = await browserPost("/login", fields);
  return settle(() => loginPage.action({ request, params: {}, context: { cspNonce: "", clientIp } }));
}

const adminId = () => getDb().select().from(coordinators).where(eq(coordinators.email, ADMIN.email)).get()!.id;

describe("coordinator sign-in", () => {
  it("signs in with the right password, with a new session id each time, and audits it", async () => {
    const first = await login({ ...ADMIN, redirectTo: "/admin/adesioni" });
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe("/admin/adesioni");
    const cookie = first.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^sai_session=.+; Path=\/; HttpOnly; SameSite=Lax$/);
    const second = await login(ADMIN);
    expect(second.headers.get("Set-Cookie")).not.toBe(cookie);
    expect(second.headers.get("Location")).toBe("/admin");

    const entries = getDb().select().from(auditLog).where(eq(auditLog.action, "auth.login_succeeded")).all();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(entries)).not.toContain(ADMIN.password);
  });

  it("answers an unknown email exactly like a wrong password, and never logs the password", async () => {
    const wrong = await login({ email: ADMIN.email, password: "non-e-questa" });
    const unknown = await login({ email: "nessuno@example.org", password: "non-e-questa" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const { email: _wrongEmail, ...wrongBody } = (await wrong.json()) as Record<string, unknown>;
    const { email: _unknownEmail, ...unknownBody } = (await unknown.json()) as Record<string, unknown>;
    expect(wrongBody).toEqual(unknownBody);
    const failures = getDb().select().from(auditLog).where(eq(auditLog.action, "auth.login_failed")).all();
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(failures)).not.toContain("non-e-questa");
  });

  it("refuses open redirects after sign-in", async () => {
    const response = await login({ ...ADMIN, redirectTo: "//evil.example/x" });
    expect(response.headers.get("Location")).toBe("/admin");
  });

  it("does not let a colleague's wrong passwords lock out the others who share the office's network", async () => {
    const ip = "10.200.0.1";
    const giulia = await createCoordinatorWithPassword("la password di Giulia");
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) expect((await login({ email: giulia.email, password: "sbagliata" }, ip)).status).toBe(401);
    // Giulia is suspended; the administrator, on the same network, signs in.
    expect((await login({ email: giulia.email, password: "la password di Giulia" }, ip)).status).toBe(429);
    expect((await login(ADMIN, ip)).status).toBe(302);
  });

  it("blocks an IP after 50 failures in 15 minutes, whatever the addresses, even with the right password", async () => {
    const ip = "10.200.0.2";
    // Each wrong password costs a password hash's time: all but the last are counted directly, as /login counts them.
    for (let i = 1; i < LOGIN_FAILURES_PER_IP; i++) countLoginFailure({ ip, email: `x${i}@example.org` });
    expect((await login({ email: "x0@example.org", password: "sbagliata" }, ip)).status).toBe(401);
    const blocked = await login(ADMIN, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // The refused attempt is in the audit log, once per block however many follow, and without the password.
    expect((await login(ADMIN, ip)).status).toBe(429);
    const audited = getDb().select().from(auditLog).where(eq(auditLog.action, "auth.login_blocked")).all().filter((a) => JSON.stringify(a.details).includes(ip));
    expect(audited.map((a) => a.details)).toEqual([{ email: ADMIN.email, ip, retryAfterSeconds: expect.any(Number) }]);
    expect(JSON.stringify(audited)).not.toContain(ADMIN.password);
  });

  it("warns before the last three attempts, and a successful sign-in forgets the earlier typos", async () => {
    const me = await createCoordinatorWithPassword("la mia password giusta");
    const wrong = async () => {
      const response = await login({ email: me.email, password: "sbagliata" }, "10.200.0.3");
      expect(response.status).toBe(401);
      return ((await response.json()) as { formError: string }).formError;
    };
    for (let i = 0; i < 6; i++) expect(await wrong()).toBe("Email o password non corretti.");
    expect(await wrong()).toBe(
      "Email o password non corretti. Dopo altri 3 tentativi non riusciti l'accesso con questo indirizzo sarà sospeso per 15 minuti: se non ricordi la password, reimpostala con «Password dimenticata?».",
    );
    expect(await wrong()).toMatch(/^Email o password non corretti\. Dopo altri 2 tentativi non riusciti /);
    expect(await wrong()).toMatch(/^Email o password non corretti\. Dopo un altro tentativo non riuscito /);
    expect((await login({ email: me.email, password: "la mia password giusta" }, "10.200.0.3")).status).toBe(302);
    // Nine wrong, one right: the next typo starts afresh instead of suspending the account.
    expect(await wrong()).toBe("Email o password non corretti.");
  });

  it("blocks an email after 10 failures from any IP", async () => {
    for (let i = 0; i < 10; i++) await login({ email: "bersaglio@example.org", password: "sbagliata" }, `10.201.0.${i}`);
    expect((await login({ email: "bersaglio@example.org", password: "altra" }, "10.201.1.1")).status).toBe(429);
  });

  it("when blocked, shows the form again with the address typed (never the password) and when to retry", async () => {
    const email = "bloccata@example.org";
    const fields = { email, password: "la-password-giusta" };
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) await login({ email, password: "sbagliata" }, `10.202.0.${i}`);
    const blocked = await login(fields, "10.202.1.1");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({
      email,
      errors: {},
      formError:
        "Troppi tentativi di accesso non riusciti in poco tempo: per sicurezza l'accesso è sospeso. Riprova tra 15 minuti, oppure, se non ricordi la password, reimpostala con «Password dimenticata?»: con la nuova password potrai accedere subito.",
    });
    // Without JavaScript: the sign-in page, not the error page.
    const { status, html } = await renderRoute(loginPage, await browserPost("/login", fields));
    expect(status).toBe(429);
    expect(html).toContain("Accesso non riuscito");
    expect(html).toContain("Riprova tra 15 minuti, oppure");
    expect(html).toMatch(new RegExp(`<input[^>]*value="${email}"`));
    expect(html).not.toContain(fields.password);
  });
});

describe("sessions", () => {
  const canEnterAdmin = async (cookie: string) => {
    const response = await settle(async () => {
      const result = await adminLoader({ request: new Request("http://portale.test/admin", { headers: { Cookie: cookie } }), params: {}, context: loadContext() });
      return result;
    });
    return response.status === 200;
  };

  it("sends anonymous visitors to /login with the page to return to", async () => {
    const response = await settle(async () => adminLoader({ request: await adminGet("/admin/adesioni?stato=pending", null), params: {}, context: loadContext() }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fadesioni%3Fstato%3Dpending");
  });

  it("sends a form sent after the session expired to /login, saying nothing was saved, and back to the page afterwards", async () => {
    const { sessionId, cookie } = await sessionCookieFor(adminId());
    getDb().update(sessions).set({ lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 1000) }).where(eq(sessions.id, sessionId)).run();
    const sent = (cookieHeader: string | null) =>
      settle(() =>
        requireCoordinator(
          new Request("http://portale.test/admin/adesioni/12/modifica", {
            method: "POST",
            body: new URLSearchParams({ firstName: "Maria Grazia" }),
            headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookieHeader ? { Cookie: cookieHeader } : {}) },
          }),
        ),
      );
    const expected = "/login?redirectTo=%2Fadmin%2Fadesioni%2F12%2Fmodifica&esito=sessione-scaduta";
    for (const response of [await sent(cookie), await sent(null)]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(expected);
    }

    // The sign-in page says so, read out at once and in its title; signing in leads back to the page.
    const page = await renderRoute(loginPage, new Request(`http://portale.test${expected}`));
    expect(page.status).toBe(200);
    expect(page.title).toBe("Errore: Accesso coordinatori - Coordinamento SAI");
    expect(page.html).toContain(
      '<div class="alert alert-danger" role="alert" data-error-summary="">La sessione è scaduta: l&#x27;operazione non è stata eseguita e quanto avevi scritto non è stato salvato. Accedi di nuovo e ripetila.</div>',
    );
    expect(page.html).toMatch(/<input type="hidden" name="redirectTo" value="\/admin\/adesioni\/12\/modifica"\/>/);
    const signedIn = await login({ ...ADMIN, redirectTo: "/admin/adesioni/12/modifica" });
    expect(signedIn.headers.get("Location")).toBe("/admin/adesioni/12/modifica");
    // A page merely opened has lost nothing: the sign-in page just asks to sign in.
    const plain = await renderRoute(loginPage, new Request("http://portale.test/login?redirectTo=%2Fadmin"));
    expect(plain.title).toBe("Accesso coordinatori - Coordinamento SAI");
    expect(plain.html).not.toContain("La sessione è scaduta");
  });

  it("ends after 2 hours idle", async () => {
    const { sessionId, cookie } = await sessionCookieFor(adminId());
    expect(await canEnterAdmin(cookie)).toBe(true);
    getDb().update(sessions).set({ lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 1000) }).where(eq(sessions.id, sessionId)).run();
    expect(await canEnterAdmin(cookie)).toBe(false);
  });

  it("ends after 12 hours however active", async () => {
    const { sessionId, cookie } = await sessionCookieFor(adminId());
    getDb().update(sessions).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(sessions.id, sessionId)).run();
    expect(await canEnterAdmin(cookie)).toBe(false);
  });

  it("is revoked at logout and when the coordinator's sessions are revoked", async () => {
    const { cookie } = await sessionCookieFor(adminId());
    const request = await adminPost("/logout", {}, null);
    const headers = new Headers(request.headers);
    headers.set("Cookie", `${headers.get("Cookie")}; ${cookie}`);
    const response = await logoutAction({ request: new Request(request.url, { method: "POST", body: await request.text(), headers }), params: {}, context: loadContext() });
    expect(response.status).toBe(302);
    // The sign-in page then says so.
    expect(response.headers.get("Location")).toBe("/login?esito=uscito");
    expect(await canEnterAdmin(cookie)).toBe(false);

    const other = await sessionCookieFor(adminId());
    revokeCoordinatorSessions(getDb(), { coordinatorId: adminId() });
    expect(await canEnterAdmin(other.cookie)).toBe(false);
  });

  it("is refused once the coordinator is disabled", async () => {
    const { createTestCoordinator } = await import("../../support/admin");
    const coordinator = createTestCoordinator();
    const { cookie } = await sessionCookieFor(coordinator.id);
    expect(await canEnterAdmin(cookie)).toBe(true);
    getDb().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, coordinator.id)).run();
    expect(await canEnterAdmin(cookie)).toBe(false);
  });
});
