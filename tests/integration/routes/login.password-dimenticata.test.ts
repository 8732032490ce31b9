import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, coordinators, outbox } from "#db/schema";
import { inviteCoordinator } from "~/models/coordinator.server";
import { PASSWORD_RESET_TTL_MS } from "~/models/coordinator-password.server";
import * as coordinatorsPage from "~/routes/admin.coordinatori";
import { loader as inviteLoader } from "~/routes/invito-coordinatore.$token";
import * as loginPage from "~/routes/login";
import * as forgotPage from "~/routes/login_.password-dimenticata";
import * as resetPage from "~/routes/login_.reimposta-password.$token";
import { countLoginFailure, LOGIN_FAILURE_LIMIT, RESET_REQUESTS_PER_EMAIL, RESET_REQUESTS_PER_IP } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import {
  auditFor,
  canEnterAdmin,
  coordinatorRow,
  createCoordinatorWithPassword,
  emailsOf,
  openSessions,
  resetTokenFor,
  signsInWith,
} from "../../support/coordinator-password";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const OLD = "la vecchia password";
const NEW = "la nuova password scelta";
const db = () => getDb();
const adminId = () => db().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;
const newEmail = () => `persona.${crypto.randomUUID().slice(0, 8)}@example.org`;

let ipCounter = 0;
const freshIp = () => `10.70.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

async function askReset(fields: Record<string, string>, ip = freshIp()) {
  const request = await browserPost("/login/password-dimenticata", fields);
  return settle(() => forgotPage.action({ request, params: {}, context: { cspNonce: "", clientIp: ip } }));
}

const viewReset = (token: string) => settle(() => resetPage.loader(routeArgs(new Request(`${APP_URL}/login/reimposta-password/${token}`), { token })));
const useReset = async (token: string, fields: Record<string, string>) =>
  settle(async () => resetPage.action(routeArgs(await browserPost(`/login/reimposta-password/${token}`, fields), { token })));
const stateOf = async (response: Response) => ((await response.json()) as { lookup: { state: string } }).lookup.state;

/** What a refused or silent request could have changed. */
function snapshot() {
  return {
    coordinators: db().select().from(coordinators).all(),
    audit: db().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n,
    outbox: db().select({ n: sql<number>`count(*)` }).from(outbox).get()!.n,
  };
}

describe("Password dimenticata?", () => {
  it("emails an active coordinator a one-time link valid one hour, storing only the token's hash, and audits the request", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    const response = await askReset({ email: me.email.toUpperCase() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sent: boolean; message: string };
    expect(body.sent).toBe(true);
    expect(body.message).toBe(
      "Se l'indirizzo appartiene a un coordinatore attivo, riceverai a breve un'email con un collegamento per scegliere una nuova password. Il collegamento vale 60 minuti e si può usare una sola volta.",
    );

    const [mail] = emailsOf(me.email, "coordinator-password-reset");
    expect(mail).toMatchObject({ status: "queued", recipient: me.email });
    expect(mail.props).toMatchObject({ name: me.name, validMinutes: 60, sentByName: null });
    const token = resetTokenFor(me.email);
    const row = coordinatorRow(me.id);
    expect(row.inviteTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.inviteTokenHash).not.toContain(token);
    expect(row.inviteExpiresAt!.getTime() - Date.now()).toBeGreaterThan(PASSWORD_RESET_TTL_MS - 60_000);
    expect(row.inviteExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(PASSWORD_RESET_TTL_MS);
    // Asking changes no password.
    expect(await signsInWith(me.email, OLD)).toBe(true);

    const [audit] = auditFor(me.id);
    expect(audit).toMatchObject({ actorType: "public", action: "coordinator.password_reset_requested", details: { email: me.email, ip: expect.any(String) } });
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("lifts a sign-in suspended for wrong passwords: the new password works at once", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    const signIn = async (password: string) =>
      settle(async () => loginPage.action({ request: await browserPost("/login", { email: me.email, password }), params: {}, context: { cspNonce: "", clientIp: freshIp() } }));
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) countLoginFailure({ ip: freshIp(), email: me.email });
    expect((await signIn(OLD)).status).toBe(429);
    await askReset({ email: me.email });
    expect((await useReset(resetTokenFor(me.email), { password: NEW, confirmPassword: NEW })).status).toBe(302);
    expect((await signIn(NEW)).status).toBe(302);
  });

  it("gives an unknown, a disabled and an invited address the very same answer, and sends nothing", async () => {
    const known = await createCoordinatorWithPassword(OLD);
    const reference = await (await askReset({ email: known.email })).json();

    const disabled = await createCoordinatorWithPassword(OLD);
    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, disabled.id)).run();
    const invitedEmail = newEmail();
    expect(inviteCoordinator(db(), { email: invitedEmail, name: "Invitata", role: "coordinator", invitedById: adminId(), appUrl: APP_URL }).ok).toBe(true);

    const before = snapshot();
    for (const email of [newEmail(), disabled.email, invitedEmail]) {
      const response = await askReset({ email });
      expect(response.status, email).toBe(200);
      expect(await response.json(), email).toEqual(reference);
      expect(emailsOf(email, "coordinator-password-reset"), email).toEqual([]);
    }
    expect(snapshot()).toEqual(before);
  });

  it("refuses bad input with a field error, a filled honeypot and a POST without the CSRF token", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    const before = snapshot();
    const empty = await askReset({ email: "" });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ errors: { email: "Inserisci l'email" }, email: "" });
    const bad = await askReset({ email: "non-una-email" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: { email: "Indirizzo email non valido" }, email: "non-una-email" });

    const bot = await askReset({ email: me.email, sito_web: "https://spam.example" });
    expect(bot.status).toBe(400);
    const forged = new Request(`${APP_URL}/login/password-dimenticata`, {
      method: "POST",
      body: new URLSearchParams({ email: me.email }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: APP_URL },
    });
    expect((await settle(() => forgotPage.action(routeArgs(forged)))).status).toBe(403);
    expect(snapshot()).toEqual(before);
  });

  it(`is rate limited: ${RESET_REQUESTS_PER_EMAIL} requests an hour per address, ${RESET_REQUESTS_PER_IP} per IP`, async () => {
    const me = await createCoordinatorWithPassword(OLD);
    for (let i = 0; i < RESET_REQUESTS_PER_EMAIL; i++) expect((await askReset({ email: me.email })).status).toBe(200);
    const blocked = await askReset({ email: me.email });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(emailsOf(me.email, "coordinator-password-reset")).toHaveLength(RESET_REQUESTS_PER_EMAIL);

    const ip = "10.71.0.1";
    for (let i = 0; i < RESET_REQUESTS_PER_IP; i++) expect((await askReset({ email: newEmail() }, ip)).status).toBe(200);
    const other = await createCoordinatorWithPassword(OLD);
    expect((await askReset({ email: other.email }, ip)).status).toBe(429);
    expect(emailsOf(other.email, "coordinator-password-reset")).toEqual([]);
  });

  it("when limited, shows the form again with the address typed and when to retry", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    for (let i = 0; i < RESET_REQUESTS_PER_EMAIL; i++) await askReset({ email: me.email });
    const blocked = await askReset({ email: me.email });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({
      sent: false,
      email: me.email,
      errors: {},
      formError: "Sono stati chiesti troppi collegamenti in poco tempo: riprova tra 60 minuti. Se hai già ricevuto un'email, usa il collegamento dell'ultima arrivata.",
    });
    // Without JavaScript: the request form, not the error page.
    const { status, html } = await renderRoute(forgotPage, await browserPost("/login/password-dimenticata", { email: me.email }));
    expect(status).toBe(429);
    expect(html).toContain("Richiesta non riuscita");
    expect(html).toContain("riprova tra 60 minuti.");
    expect(html).toMatch(new RegExp(`<input[^>]*value="${me.email}"`));
  });
});

describe("the reset link", () => {
  it("sets the new password, ends every session, is used once, and audits it without the token", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    const first = await sessionCookieFor(me.id);
    const second = await sessionCookieFor(me.id);
    await askReset({ email: me.email });
    const token = resetTokenFor(me.email);

    // GET shows the form and changes nothing.
    const view = await viewReset(token);
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ lookup: { state: "valid", name: me.name, email: me.email } });

    const short = await useReset(token, { password: "corta", confirmPassword: "corta" });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { errors: Record<string, string> }).errors).toEqual({ password: "La password deve avere almeno 12 caratteri" });
    const mismatch = await useReset(token, { password: NEW, confirmPassword: "un'altra password lunga" });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { errors: Record<string, string> }).errors).toEqual({ confirmPassword: "Le due password non coincidono" });
    expect(await signsInWith(me.email, OLD)).toBe(true);
    expect(await canEnterAdmin(first.cookie)).toBe(true);

    const done = await useReset(token, { password: NEW, confirmPassword: NEW });
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login?esito=password-reimpostata");
    expect(done.headers.get("Set-Cookie")).toBeNull();
    expect(await signsInWith(me.email, NEW)).toBe(true);
    expect(await signsInWith(me.email, OLD)).toBe(false);
    expect(coordinatorRow(me.id)).toMatchObject({ inviteTokenHash: null, inviteExpiresAt: null });
    expect(openSessions(me.id)).toEqual([]);
    expect(await canEnterAdmin(first.cookie)).toBe(false);
    expect(await canEnterAdmin(second.cookie)).toBe(false);

    const [changed] = emailsOf(me.email, "coordinator-password-changed");
    expect(changed).toMatchObject({ status: "queued" });
    expect(changed.props).toMatchObject({ forgotPasswordUrl: `${APP_URL}/login/password-dimenticata` });
    expect(auditFor(me.id).map((a) => a.action)).toEqual(["coordinator.password_reset_requested", "coordinator.password_reset"]);
    expect(auditFor(me.id)[1]).toMatchObject({ actorType: "coordinator", actorId: me.id });
    const audits = JSON.stringify(auditFor(me.id));
    expect(audits).not.toContain(token);
    expect(audits).not.toContain(NEW);

    // Second use: the link is no longer valid, and the password stays.
    const hash = coordinatorRow(me.id).passwordHash;
    const again = await useReset(token, { password: "ancora un'altra password", confirmPassword: "ancora un'altra password" });
    expect(again.status).toBe(404);
    expect(await stateOf(again)).toBe("invalid");
    expect((await viewReset(token)).status).toBe(404);
    expect(coordinatorRow(me.id).passwordHash).toBe(hash);

    const { html } = await renderRoute(resetPage, new Request(`${APP_URL}/login/reimposta-password/${token}`), "/login/reimposta-password/:token");
    expect(html).toContain("<h1>Collegamento non valido</h1>");
    expect(html).toContain('href="/login/password-dimenticata"');
  });

  it("expires after one hour", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    await askReset({ email: me.email });
    const token = resetTokenFor(me.email);
    db().update(coordinators).set({ inviteExpiresAt: new Date(Date.now() - 1000) }).where(eq(coordinators.id, me.id)).run();
    const view = await viewReset(token);
    expect(view.status).toBe(410);
    expect(await stateOf(view)).toBe("expired");
    const post = await useReset(token, { password: NEW, confirmPassword: NEW });
    expect(post.status).toBe(410);
    expect(await signsInWith(me.email, OLD)).toBe(true);
    const { html } = await renderRoute(resetPage, new Request(`${APP_URL}/login/reimposta-password/${token}`), "/login/reimposta-password/:token");
    expect(html).toContain("<h1>Collegamento scaduto</h1>");
    expect(html).toContain("vale 60 minuti");
  });

  it("only the newest link works; a disabled coordinator's link and an invitation link do not; a POST needs the CSRF token", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    await askReset({ email: me.email });
    const older = resetTokenFor(me.email);
    await askReset({ email: me.email });
    const newer = resetTokenFor(me.email);
    expect(newer).not.toBe(older);
    expect(await stateOf(await viewReset(older))).toBe("invalid");
    expect(await stateOf(await viewReset(newer))).toBe("valid");
    // A reset link is not an invitation.
    expect((await settle(() => inviteLoader(routeArgs(new Request(`${APP_URL}/invito-coordinatore/${newer}`), { token: newer })))).status).toBe(404);

    const forged = new Request(`${APP_URL}/login/reimposta-password/${newer}`, {
      method: "POST",
      body: new URLSearchParams({ password: NEW, confirmPassword: NEW }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: APP_URL },
    });
    expect((await settle(() => resetPage.action(routeArgs(forged, { token: newer })))).status).toBe(403);
    expect(await signsInWith(me.email, OLD)).toBe(true);

    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, me.id)).run();
    expect(await stateOf(await viewReset(newer))).toBe("invalid");
    expect((await useReset(newer, { password: NEW, confirmPassword: NEW })).status).toBe(404);

    // An invitation's token is refused here.
    const invitedEmail = newEmail();
    inviteCoordinator(db(), { email: invitedEmail, name: "Invitata", role: "coordinator", invitedById: adminId(), appUrl: APP_URL });
    const inviteToken = String(emailsOfInvite(invitedEmail).props.inviteUrl).split("/").pop()!;
    expect((await viewReset(inviteToken)).status).toBe(404);
    expect((await useReset(inviteToken, { password: NEW, confirmPassword: NEW })).status).toBe(404);
    expect(db().select().from(coordinators).where(eq(coordinators.email, invitedEmail)).get()!.passwordHash).toBeNull();
  });
});

const emailsOfInvite = (email: string) => db().select().from(outbox).where(eq(outbox.recipient, email)).all().find((r) => r.template === "coordinator-invitation")!;

describe("sent by an administrator from /admin/coordinatori", () => {
  const post = async (fields: Record<string, string>, coordinatorId: number | null) =>
    settle(async () => coordinatorsPage.action(routeArgs(await adminPost("/admin/coordinatori", fields, coordinatorId))));

  it("emails the same kind of link to another active coordinator, audited; the link works", async () => {
    const target = await createCoordinatorWithPassword(OLD);
    const response = await post({ intent: "reset-password", id: String(target.id) }, adminId());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, message: `Collegamento per reimpostare la password inviato a ${target.email}.` });
    const [mail] = emailsOf(target.email, "coordinator-password-reset");
    expect(mail.props).toMatchObject({ name: target.name, sentByName: "Amministratore", validMinutes: 60 });
    const token = resetTokenFor(target.email);
    const audit = auditFor(target.id);
    expect(audit.map((a) => a.action)).toEqual(["coordinator.password_reset_sent"]);
    expect(audit[0]).toMatchObject({ actorType: "coordinator", actorId: adminId(), details: { email: target.email } });
    expect(JSON.stringify(audit)).not.toContain(token);
    // Sending changes no password.
    expect(await signsInWith(target.email, OLD)).toBe(true);

    expect((await useReset(token, { password: NEW, confirmPassword: NEW })).status).toBe(302);
    expect(await signsInWith(target.email, NEW)).toBe(true);
  });

  it("is refused for oneself, an invited and a disabled coordinator", async () => {
    const invitedEmail = newEmail();
    const invited = inviteCoordinator(db(), { email: invitedEmail, name: "Invitata", role: "coordinator", invitedById: adminId(), appUrl: APP_URL });
    if (!invited.ok) throw new Error("invitation refused");
    const disabled = await createCoordinatorWithPassword(OLD);
    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, disabled.id)).run();
    const before = snapshot();
    const cases: [number, string][] = [
      [adminId(), "La tua password si cambia da «Il mio account»."],
      [invited.coordinatorId, "Il collegamento si invia solo a un coordinatore attivo: a chi è invitato invia di nuovo l'invito."],
      [disabled.id, "Il collegamento si invia solo a un coordinatore attivo: a chi è invitato invia di nuovo l'invito."],
      [999_999, "Coordinatore non trovato."],
    ];
    for (const [id, message] of cases) {
      const response = await post({ intent: "reset-password", id: String(id) }, adminId());
      expect(response.status).toBe(409);
      expect(((await response.json()) as { formError: string }).formError).toBe(message);
    }
    expect(snapshot()).toEqual(before);
  });

  it("is refused to a coordinator who is not an administrator (403) and to anonymous visitors, and nothing changes", async () => {
    const plain = createTestCoordinator();
    const target = await createCoordinatorWithPassword(OLD);
    const before = snapshot();
    expect((await post({ intent: "reset-password", id: String(target.id) }, plain.id)).status).toBe(403);
    const anonymous = await post({ intent: "reset-password", id: String(target.id) }, null);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect(snapshot()).toEqual(before);
  });

  it("the list offers the button for other active coordinators only, and sends oneself to Il mio account", async () => {
    const active = await createCoordinatorWithPassword(OLD);
    const invitedEmail = newEmail();
    inviteCoordinator(db(), { email: invitedEmail, name: "Persona Invitata Due", role: "coordinator", invitedById: adminId(), appUrl: APP_URL });
    const { html } = await renderRoute(coordinatorsPage, await adminGet("/admin/coordinatori", adminId()));
    const rowOf = (email: string) => html.match(new RegExp(`<tr><th scope="row">[^<]*(?:</?span[^>]*>[^<]*)*</th><td>${email}</td>.*?</tr>`))?.[0] ?? "";
    expect(rowOf(active.email)).toContain(`Invia link per reimpostare la password<span class="visually-hidden"> a ${active.name}</span>`);
    expect(rowOf(invitedEmail)).not.toContain("Invia link per reimpostare la password");
    expect(rowOf("coordinatore@example.org")).not.toContain("Invia link per reimpostare la password");
    expect(rowOf("coordinatore@example.org")).toMatch(/La tua password si cambia da <a[^>]* href="\/admin\/account">Il mio account<\/a>\./);
  });
});

describe("the pages", () => {
  it("/login links to Password dimenticata? and, after a reset, says so", async () => {
    const { html } = await renderRoute(loginPage, new Request(`${APP_URL}/login`));
    expect(html).toMatch(/<a[^>]* href="\/login\/password-dimenticata">Password dimenticata\?<\/a>/);
    expect(html).not.toContain("Password reimpostata");
    const after = await renderRoute(loginPage, new Request(`${APP_URL}/login?esito=password-reimpostata`));
    expect(after.html).toContain("Password reimpostata: accedi con la nuova password.");
  });

  it("/login/password-dimenticata has a labelled email field, CSRF and honeypot", async () => {
    const { html, status } = await renderRoute(forgotPage, new Request(`${APP_URL}/login/password-dimenticata`));
    expect(status).toBe(200);
    expect(html).toContain("<h1>Password dimenticata</h1>");
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('name="csrf"');
    expect(html).toMatch(/<button type="submit" class="btn btn-primary">Invia il collegamento<\/button>/);
  });

  it("the reset page asks for the new password twice, with real labels", async () => {
    const me = await createCoordinatorWithPassword(OLD);
    await askReset({ email: me.email });
    const token = resetTokenFor(me.email);
    const { html, status } = await renderRoute(resetPage, new Request(`${APP_URL}/login/reimposta-password/${token}`), "/login/reimposta-password/:token");
    expect(status).toBe(200);
    expect(html).toContain("<h1>Reimposta la password</h1>");
    expect(html).toContain(`<strong>${me.email}</strong>`);
    expect(html).toContain('<label for="password">Nuova password</label>');
    expect(html).toContain('<label for="confirmPassword">Conferma la nuova password</label>');
    expect(html).toMatch(/<button type="submit" class="btn btn-primary">Salva la nuova password<\/button>/);
  });
});
