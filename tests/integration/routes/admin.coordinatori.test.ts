import crypto from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, coordinators, outbox, sessions } from "#db/schema";
import { loader as adminLayoutLoader } from "~/routes/admin";
import * as coordinatorsPage from "~/routes/admin.coordinatori";
import * as loginPage from "~/routes/login";
import { action as inviteAction, loader as inviteLoader } from "~/routes/invito-coordinatore.$token";
import {
  changeCoordinatorRole,
  COORDINATOR_INVITE_TTL_MS,
  setCoordinatorDisabled,
  verifyCoordinatorCredentials,
} from "~/models/coordinator.server";
import { countLoginFailure, LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS, loginSuspendedUntil } from "~/utils/auth.server";
import { formatTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { createCoordinatorWithPassword } from "../../support/coordinator-password";
import { outboxFor } from "../../support/db-queries";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const db = () => getDb();
const adminId = () => db().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;
const coordinatorRow = (id: number) => db().select().from(coordinators).where(eq(coordinators.id, id)).get()!;
const byEmail = (email: string) => db().select().from(coordinators).where(eq(coordinators.email, email)).get();
const auditFor = (id: number) =>
  db().select().from(auditLog).where(sql`${auditLog.entityType} = 'coordinator' AND ${auditLog.entityId} = ${String(id)}`).all();
const newEmail = () => `nuovo.${crypto.randomUUID().slice(0, 8)}@example.org`;

async function post(fields: Record<string, string>, coordinatorId: number | null = adminId()) {
  return settle(async () => coordinatorsPage.action(routeArgs(await adminPost("/admin/coordinatori", fields, coordinatorId))));
}

type Answer = { ok: boolean; errors?: Record<string, string>; formError?: string; message?: string };
const answer = async (response: Response) => (await response.json()) as Answer;

async function invite(fields: { name?: string; email: string; role?: string }) {
  const response = await post({ intent: "invite", name: fields.name ?? "Giulia Bianchi", email: fields.email, role: fields.role ?? "coordinator" });
  return response;
}

/** The token as the invitation email carries it (the latest one sent to this address). */
function inviteTokenFor(email: string) {
  const rows = outboxFor(email).filter((r) => r.template === "coordinator-invitation");
  const url = String(rows.at(-1)!.props.inviteUrl);
  expect(url).toMatch(new RegExp(`^${APP_URL}/invito-coordinatore/[\\w-]{40,}$`));
  return url.split("/").pop()!;
}

const viewInvite = (token: string) => settle(() => inviteLoader(routeArgs(new Request(`${APP_URL}/invito-coordinatore/${token}`), { token })));
const acceptInvite = async (token: string, fields: Record<string, string>) =>
  settle(async () => inviteAction(routeArgs(await browserPost(`/invito-coordinatore/${token}`, fields), { token })));
const inviteState = async (response: Response) => ((await response.json()) as { lookup: { state: string } }).lookup.state;

async function canEnterAdmin(cookie: string) {
  const response = await settle(async () => adminLayoutLoader(routeArgs(new Request(`${APP_URL}/admin`, { headers: { Cookie: cookie } }))));
  return response.status === 200;
}

/** Everything the page can change, to prove a refused request changed nothing. */
function snapshot() {
  return {
    coordinators: db().select().from(coordinators).all(),
    audit: db().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n,
    outbox: db().select({ n: sql<number>`count(*)` }).from(outbox).get()!.n,
    revoked: db().select({ n: sql<number>`count(*)` }).from(sessions).where(sql`revoked_at IS NOT NULL`).get()!.n,
  };
}

describe("invitation of a coordinator", () => {
  it("creates the coordinator without a password and queues an email with a one-time link; the link sets the password and signs in", async () => {
    const email = newEmail();
    const response = await invite({ name: "Giulia Bianchi", email: email.toUpperCase() });
    expect(response.status).toBe(200);
    expect(await answer(response)).toMatchObject({ ok: true, message: `Invito inviato a ${email}.` });

    const row = byEmail(email)!;
    expect(row).toMatchObject({ name: "Giulia Bianchi", role: "coordinator", passwordHash: null, disabledAt: null });
    const token = inviteTokenFor(email);
    expect(row.inviteTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.inviteTokenHash).not.toContain(token);
    expect(row.inviteExpiresAt!.getTime() - Date.now()).toBeGreaterThan(COORDINATOR_INVITE_TTL_MS - 60_000);
    expect(row.inviteExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(COORDINATOR_INVITE_TTL_MS);
    const [mail] = outboxFor(email);
    expect(mail).toMatchObject({ template: "coordinator-invitation", status: "queued" });
    expect(mail.props).toMatchObject({ name: "Giulia Bianchi", inviterName: "Amministratore", roleLabel: "Coordinatore" });
    const [audit] = auditFor(row.id);
    expect(audit).toMatchObject({ action: "coordinator.invited", actorType: "coordinator", actorId: adminId() });
    expect(JSON.stringify(audit.details)).not.toContain(token);

    // GET shows the form and changes nothing.
    const view = await viewInvite(token);
    expect(view.status).toBe(200);
    expect(await view.json()).toEqual({ lookup: { state: "valid", name: "Giulia Bianchi", email } });
    expect(coordinatorRow(row.id).passwordHash).toBeNull();

    const short = await acceptInvite(token, { password: "corta", confirmPassword: "corta" });
    expect(short.status).toBe(400);
    expect(((await short.json()) as Answer).errors).toEqual({ password: "La password deve avere almeno 12 caratteri" });
    const mismatch = await acceptInvite(token, { password: "una-password-lunga", confirmPassword: "un'altra-password" });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as Answer).errors).toEqual({ confirmPassword: "Le due password non coincidono" });
    expect(coordinatorRow(row.id).passwordHash).toBeNull();

    const accepted = await acceptInvite(token, { password: "la mia password sicura", confirmPassword: "la mia password sicura" });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("Location")).toBe("/admin");
    const cookie = accepted.headers.get("Set-Cookie")!.split(";")[0];
    expect(await canEnterAdmin(cookie)).toBe(true);

    expect(await verifyCoordinatorCredentials(db(), { email, password: "la mia password sicura" })).toMatchObject({ id: row.id, role: "coordinator" });
    expect(await verifyCoordinatorCredentials(db(), { email, password: "sbagliata-sbagliata" })).toBeNull();
    expect(coordinatorRow(row.id)).toMatchObject({ inviteTokenHash: null, inviteExpiresAt: null });
    expect(auditFor(row.id).map((a) => a.action)).toEqual(["coordinator.invited", "coordinator.password_set"]);
    expect(JSON.stringify(auditFor(row.id))).not.toContain("la mia password sicura");

    // Single use.
    expect((await viewInvite(token)).status).toBe(404);
    const hash = coordinatorRow(row.id).passwordHash;
    const again = await acceptInvite(token, { password: "un-altra-password-ancora", confirmPassword: "un-altra-password-ancora" });
    expect(again.status).toBe(404);
    expect(await inviteState(again)).toBe("invalid");
    expect(coordinatorRow(row.id).passwordHash).toBe(hash);
  });

  it("expires after 7 days", async () => {
    const email = newEmail();
    await invite({ email });
    const token = inviteTokenFor(email);
    const row = byEmail(email)!;
    db().update(coordinators).set({ inviteExpiresAt: new Date(Date.now() - 1000) }).where(eq(coordinators.id, row.id)).run();
    const view = await viewInvite(token);
    expect(view.status).toBe(410);
    expect(await inviteState(view)).toBe("expired");
    const post = await acceptInvite(token, { password: "la mia password sicura", confirmPassword: "la mia password sicura" });
    expect(post.status).toBe(410);
    expect(coordinatorRow(row.id).passwordHash).toBeNull();
    expect(post.headers.get("Set-Cookie")).toBeNull();
  });

  it("answers 404 to an unknown token and refuses a POST without CSRF", async () => {
    expect(await inviteState(await viewInvite("non-esiste"))).toBe("invalid");
    const email = newEmail();
    await invite({ email });
    const token = inviteTokenFor(email);
    const forged = new Request(`${APP_URL}/invito-coordinatore/${token}`, {
      method: "POST",
      body: new URLSearchParams({ password: "la mia password sicura", confirmPassword: "la mia password sicura" }),
    });
    const refused = await settle(() => inviteAction(routeArgs(forged, { token })));
    expect(refused.status).toBe(403);
    expect(byEmail(email)!.passwordHash).toBeNull();
  });

  it("inviting again someone who has not accepted sends a new link and voids the old one", async () => {
    const email = newEmail();
    await invite({ email, name: "Primo Nome" });
    const oldToken = inviteTokenFor(email);
    const response = await invite({ email, name: "Nome Corretto", role: "admin" });
    expect(response.status).toBe(200);
    expect((await answer(response)).message).toContain("di nuovo");
    const newToken = inviteTokenFor(email);
    expect(newToken).not.toBe(oldToken);
    expect(outboxFor(email).filter((r) => r.template === "coordinator-invitation")).toHaveLength(2);
    expect(await inviteState(await viewInvite(oldToken))).toBe("invalid");
    expect(await inviteState(await viewInvite(newToken))).toBe("valid");
    expect(byEmail(email)).toMatchObject({ name: "Nome Corretto", role: "admin" });
    expect(db().select().from(coordinators).where(eq(coordinators.email, email)).all()).toHaveLength(1);
    expect(auditFor(byEmail(email)!.id).map((a) => a.action)).toEqual(["coordinator.invited", "coordinator.reinvited"]);
  });

  it("refuses an email that already belongs to an active coordinator, and bad input, with field errors", async () => {
    const before = snapshot();
    const taken = await invite({ email: "Coordinatore@example.org" });
    expect(taken.status).toBe(400);
    expect((await answer(taken)).errors).toEqual({ email: "Esiste già un coordinatore attivo con questa email." });

    const bad = await post({ intent: "invite", name: " ", email: "non-una-email", role: "superuser" });
    expect(bad.status).toBe(400);
    expect((await answer(bad)).errors).toEqual({
      name: "Inserisci il nome",
      email: "Indirizzo email non valido: controlla che sia nella forma nome@dominio.it",
      role: "Scegli il ruolo",
    });
    expect(snapshot()).toEqual(before);
  });
});

describe("role and state of coordinators", () => {
  it("changes the role, audited with before and after", async () => {
    const target = createTestCoordinator();
    const response = await post({ intent: "role", id: String(target.id), role: "admin" });
    expect(response.status).toBe(200);
    expect(coordinatorRow(target.id).role).toBe("admin");
    const [audit] = auditFor(target.id);
    expect(audit).toMatchObject({
      action: "coordinator.role_changed",
      actorId: adminId(),
      details: { email: target.email, before: { role: "coordinator" }, after: { role: "admin" } },
    });
    // Back again.
    expect((await post({ intent: "role", id: String(target.id), role: "coordinator" })).status).toBe(200);
    expect(coordinatorRow(target.id).role).toBe("coordinator");
  });

  it("«Disattiva» first asks for a confirmation naming the coordinator; without its tick nothing changes", async () => {
    const target = createTestCoordinator({ name: "Marco Lo Presti" });
    const { cookie } = await sessionCookieFor(target.id);
    const before = snapshot();
    const page = async (fields: Record<string, string>) => renderRoute(coordinatorsPage, await adminPost("/admin/coordinatori", fields, adminId()));

    // The button of the list is a plain form (it works without JavaScript): its post only asks.
    const asked = await page({ intent: "disable", id: String(target.id) });
    expect(asked.status).toBe(200);
    expect(asked.html).toMatch(/<h2 id="disattiva" class="h4" tabindex="-1" autofocus="" data-outcome="">Disattivare Marco Lo Presti\?<\/h2>/);
    const text = asked.html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain(
      `Marco Lo Presti (${target.email}) non potrà più entrare nell'area coordinatori: le sue sessioni aperte si chiudono subito, anche se sta lavorando in questo momento. Potrai riattivarne l'account in qualsiasi momento con «Riattiva».`,
    );
    expect(text).toContain("Confermo: voglio disattivare l'account di Marco Lo Presti");
    expect(asked.html).toContain(`<input type="hidden" name="id" value="${target.id}"/>`);
    expect(asked.html).not.toContain('aria-invalid="true"');
    expect(snapshot()).toEqual(before);
    expect(await canEnterAdmin(cookie)).toBe(true);

    // The confirmation sent without the tick, as without JavaScript: its error, linking to the tick.
    const unticked = await page({ intent: "disable", id: String(target.id), confirmationShown: "1" });
    expect(unticked.status).toBe(400);
    expect(unticked.html).toContain("<a href=\"#confirm\">Per disattivare l&#x27;account spunta la conferma</a>");
    expect(unticked.html).toMatch(/<input type="checkbox" id="confirm" name="confirm" aria-invalid="true"/);
    expect(snapshot()).toEqual(before);
    expect(await canEnterAdmin(cookie)).toBe(true);

    // An unknown coordinator is not asked about.
    const unknown = await post({ intent: "disable", id: "999999" });
    expect(unknown.status).toBe(409);
    expect((await answer(unknown)).formError).toBe("Coordinatore non trovato.");
  });

  it("disabling ends every session of the coordinator; re-enabling does not revive them", async () => {
    const target = createTestCoordinator();
    const first = await sessionCookieFor(target.id);
    const second = await sessionCookieFor(target.id);
    expect(await canEnterAdmin(first.cookie)).toBe(true);

    const response = await post({ intent: "disable", id: String(target.id), confirmationShown: "1", confirm: "on" });
    expect(response.status).toBe(200);
    expect((await answer(response)).message).toBe("Coordinatore disattivato: le sue sessioni sono state chiuse.");
    expect(coordinatorRow(target.id).disabledAt).toBeInstanceOf(Date);
    const rows = db().select().from(sessions).where(inArray(sessions.id, [first.sessionId, second.sessionId])).all();
    expect(rows.every((s) => s.revokedAt instanceof Date)).toBe(true);
    expect(await canEnterAdmin(first.cookie)).toBe(false);
    expect(await canEnterAdmin(second.cookie)).toBe(false);
    expect(auditFor(target.id).at(-1)).toMatchObject({
      action: "coordinator.disabled",
      details: { email: target.email, before: { disabled: false }, after: { disabled: true } },
    });

    expect((await post({ intent: "enable", id: String(target.id) })).status).toBe(200);
    expect(coordinatorRow(target.id).disabledAt).toBeNull();
    expect(auditFor(target.id).at(-1)).toMatchObject({
      action: "coordinator.enabled",
      details: { before: { disabled: true }, after: { disabled: false } },
    });
    expect(await canEnterAdmin(first.cookie)).toBe(false);
    expect(await canEnterAdmin((await sessionCookieFor(target.id)).cookie)).toBe(true);
  });

  it("an administrator can neither disable nor demote themselves", async () => {
    const me = createTestCoordinator({ role: "admin", name: "Io Stessa" });
    const { cookie } = await sessionCookieFor(me.id);
    const before = snapshot();

    const disable = await post({ intent: "disable", id: String(me.id) }, me.id);
    expect(disable.status).toBe(409);
    expect((await answer(disable)).formError).toBe("Non puoi disattivare il tuo account.");
    const demote = await post({ intent: "role", id: String(me.id), role: "coordinator" }, me.id);
    expect(demote.status).toBe(409);
    expect((await answer(demote)).formError).toBe("Non puoi cambiare il tuo ruolo: chiedilo a un altro amministratore.");

    const after = snapshot();
    expect(after.coordinators).toEqual(before.coordinators);
    expect(after.audit).toBe(before.audit);
    expect(await canEnterAdmin(cookie)).toBe(true);
  });

  it("the last active administrator can be neither disabled nor demoted", () => {
    const last = createTestCoordinator({ role: "admin", name: "Ultima Amministratrice" });
    const actor = createTestCoordinator();
    // An invited admin (no password yet) and a disabled one do not count as active administrators.
    const invited = db().insert(coordinators).values({ email: newEmail(), name: "Invitata", role: "admin" }).returning().get();
    const disabled = createTestCoordinator({ role: "admin", name: "Disattivata" });
    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, disabled.id)).run();
    const otherAdmins = db()
      .select()
      .from(coordinators)
      .where(sql`role = 'admin' AND disabled_at IS NULL AND password_hash IS NOT NULL AND id <> ${last.id}`)
      .all()
      .map((c) => c.id);
    db().update(coordinators).set({ role: "coordinator" }).where(inArray(coordinators.id, otherAdmins)).run();
    try {
      const auditBefore = snapshot().audit;
      expect(setCoordinatorDisabled(db(), { id: last.id, disabled: true, actorId: actor.id })).toEqual({
        ok: false,
        error: "Deve restare almeno un amministratore attivo: non puoi disattivare l'ultimo.",
      });
      expect(changeCoordinatorRole(db(), { id: last.id, role: "coordinator", actorId: actor.id })).toEqual({
        ok: false,
        error: "Deve restare almeno un amministratore attivo: non puoi togliere il ruolo all'ultimo.",
      });
      expect(coordinatorRow(last.id)).toMatchObject({ role: "admin", disabledAt: null });
      expect(snapshot().audit).toBe(auditBefore);
      // Demoting the invited admin is fine: it was never an active one.
      expect(changeCoordinatorRole(db(), { id: invited.id, role: "coordinator", actorId: actor.id })).toEqual({ ok: true, changed: true });
    } finally {
      db().update(coordinators).set({ role: "admin" }).where(inArray(coordinators.id, otherAdmins)).run();
    }
    // With another active admin back, the same operations are allowed.
    expect(changeCoordinatorRole(db(), { id: last.id, role: "coordinator", actorId: actor.id })).toEqual({ ok: true, changed: true });
  });
});

describe("«Riattiva l'accesso»: a sign-in suspended for too many wrong passwords", () => {
  let ipCounter = 0;
  const freshIp = () => `10.71.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
  const PASSWORD = "la password giusta di Giulia";
  const signIn = async (email: string) =>
    settle(async () => loginPage.action({ request: await browserPost("/login", { email, password: PASSWORD }), params: {}, context: { cspNonce: "", clientIp: freshIp() } }));
  /** Ten wrong passwords from as many networks: only the address is suspended. */
  async function suspended() {
    const target = await createCoordinatorWithPassword(PASSWORD);
    const before = Date.now();
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) countLoginFailure({ ip: freshIp(), email: target.email });
    const until = loginSuspendedUntil({ email: target.email })!;
    expect(until.getTime()).toBeGreaterThanOrEqual(before + LOGIN_WINDOW_MS);
    expect(until.getTime()).toBeLessThanOrEqual(Date.now() + LOGIN_WINDOW_MS);
    expect((await signIn(target.email)).status).toBe(429);
    return { target, until };
  }
  const rowOf = (html: string, email: string) => new RegExp(`<tr><th scope="row">[^<]*</th><td>${email}</td>.*?</tr>`).exec(html)![0];
  const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

  it("the list shows until when, in Italian time; the administrator lifts it, audited, and the coordinator signs in at once", async () => {
    const { target, until } = await suspended();
    const other = createTestCoordinator();

    const page = await renderRoute(coordinatorsPage, await adminGet("/admin/coordinatori", adminId()));
    const row = rowOf(page.html, target.email);
    expect(text(row)).toContain(`Attivo Accesso sospeso fino alle ${formatTimeIt(until)} (ora italiana) per troppi tentativi non riusciti`);
    expect(row).toMatch(/<input type="hidden" name="intent" value="unlock"\/><input type="hidden" name="id" value="\d+"\/><button type="submit" class="btn btn-outline-primary btn-sm">Riattiva l&#x27;accesso<span class="visually-hidden"> di Giulia Bianchi<\/span><\/button>/);
    expect(row).toContain('name="csrf"');
    // Nothing of the kind for an address that is not suspended.
    expect(rowOf(page.html, other.email)).not.toMatch(/sospeso|unlock/);

    const lifted = await post({ intent: "unlock", id: String(target.id) });
    expect(lifted.status).toBe(200);
    expect(await answer(lifted)).toEqual({ intent: "manage", ok: true, message: `Accesso riattivato per ${target.email}: Giulia Bianchi può entrare subito con la sua password.` });
    expect(loginSuspendedUntil({ email: target.email })).toBeNull();
    expect(auditFor(target.id).at(-1)).toMatchObject({
      action: "coordinator.login_unblocked",
      actorType: "coordinator",
      actorId: adminId(),
      details: { email: target.email, suspendedUntil: until.toISOString() },
    });
    const after = await renderRoute(coordinatorsPage, await adminGet("/admin/coordinatori", adminId()));
    expect(rowOf(after.html, target.email)).not.toMatch(/sospeso|unlock/);
    expect((await signIn(target.email)).status).toBe(302);
  });

  it("says so, without error and without an entry in the registro, when the suspension had already ended", async () => {
    const { target } = await suspended();
    expect((await post({ intent: "unlock", id: String(target.id) })).status).toBe(200);
    const entries = auditFor(target.id).length;
    const again = await post({ intent: "unlock", id: String(target.id) });
    expect(again.status).toBe(200);
    expect(await answer(again)).toEqual({
      intent: "manage",
      ok: true,
      message: `L'accesso di ${target.email} non è più sospeso: la sospensione era già terminata, non è stato necessario riattivarlo.`,
    });
    expect(auditFor(target.id)).toHaveLength(entries);
    const unknown = await post({ intent: "unlock", id: "999999" });
    expect(unknown.status).toBe(409);
    expect((await answer(unknown)).formError).toBe("Coordinatore non trovato.");
  });

  it("is refused with 403 to a coordinator who is not an administrator, and without the CSRF token: the suspension stays", async () => {
    const { target, until } = await suspended();
    const plain = createTestCoordinator();
    expect((await post({ intent: "unlock", id: String(target.id) }, plain.id)).status).toBe(403);
    const { cookie } = await sessionCookieFor(adminId());
    const forged = new Request(`${APP_URL}/admin/coordinatori`, {
      method: "POST",
      body: new URLSearchParams({ intent: "unlock", id: String(target.id) }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
    });
    expect((await settle(() => coordinatorsPage.action(routeArgs(forged)))).status).toBe(403);
    expect(loginSuspendedUntil({ email: target.email })).toEqual(until);
    expect(auditFor(target.id).filter((a) => a.action === "coordinator.login_unblocked")).toEqual([]);
    expect((await signIn(target.email)).status).toBe(429);
  });
});

describe("authorization and CSRF", () => {
  it("sends anonymous visitors to /login, on the page and on every action", async () => {
    const page = await settle(async () => coordinatorsPage.loader(routeArgs(await adminGet("/admin/coordinatori", null))));
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fcoordinatori");
    const before = snapshot();
    const response = await post({ intent: "invite", name: "Anonimo", email: newEmail(), role: "admin" }, null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect(snapshot()).toEqual(before);
  });

  it("refuses a coordinator who is not an administrator with 403, and nothing changes", async () => {
    const plain = createTestCoordinator();
    const target = createTestCoordinator();
    const disabledTarget = createTestCoordinator();
    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, disabledTarget.id)).run();
    const { cookie } = await sessionCookieFor(target.id);

    const page = await settle(async () => coordinatorsPage.loader(routeArgs(await adminGet("/admin/coordinatori", plain.id))));
    expect(page.status).toBe(403);

    const before = snapshot();
    const attempts: Record<string, string>[] = [
      { intent: "invite", name: "Intruso", email: newEmail(), role: "admin" },
      { intent: "role", id: String(plain.id), role: "admin" },
      { intent: "role", id: String(target.id), role: "admin" },
      { intent: "disable", id: String(target.id) },
      { intent: "disable", id: String(adminId()) },
      { intent: "enable", id: String(disabledTarget.id) },
    ];
    for (const fields of attempts) expect((await post(fields, plain.id)).status).toBe(403);
    expect(snapshot()).toEqual(before);
    expect(await canEnterAdmin(cookie)).toBe(true);
  });

  it("refuses a POST without the CSRF token, even from an administrator", async () => {
    const target = createTestCoordinator();
    const { cookie } = await sessionCookieFor(adminId());
    const before = snapshot();
    const attempts: Record<string, string>[] = [{ intent: "disable", id: String(target.id) }, { intent: "invite", name: "X", email: newEmail(), role: "admin" }];
    for (const fields of attempts) {
      const request = new Request(`${APP_URL}/admin/coordinatori`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
      });
      expect((await settle(() => coordinatorsPage.action(routeArgs(request)))).status).toBe(403);
    }
    expect(snapshot()).toEqual(before);
  });
});

describe("/admin/coordinatori page", () => {
  it("lists coordinators with role and state, and offers the invitation form", async () => {
    const invitedEmail = newEmail();
    await invite({ email: invitedEmail, name: "Persona Invitata" });
    const off = createTestCoordinator({ name: "Persona Disattivata" });
    db().update(coordinators).set({ disabledAt: new Date() }).where(eq(coordinators.id, off.id)).run();

    const { status, html } = await renderRoute(coordinatorsPage, await adminGet("/admin/coordinatori", adminId()));
    expect(status).toBe(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    const headers = [...html.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["Nome", "Email", "Ruolo", "Stato", "Creato il", "Azioni"]);
    expect(html).toMatch(/<th scope="row">Amministratore \(tu\)<\/th><td>coordinatore@example.org<\/td><td>Amministratore<\/td><td>Attivo<\/td>/);
    expect(html).toMatch(new RegExp(`<th scope="row">Persona Invitata</th><td>${invitedEmail}</td><td>Coordinatore</td><td>Invitato</td>`));
    expect(html).toMatch(/<th scope="row">Persona Disattivata<\/th>.*?<td>Disattivato<\/td>.*?Riattiva/);
    expect(html).toContain("Disattiva<span class=\"visually-hidden\"> Persona Invitata</span>");
    expect(html).toContain("Cambia ruolo");
    for (const [id, label] of [["name", "Nome"], ["email", "Email"], ["role", "Ruolo"]]) expect(html).toContain(`<label for="${id}">${label}</label>`);
    expect(html).toMatch(/<button type="submit" class="btn btn-primary">Invia invito<\/button>/);
    expect(html).toContain('name="csrf"');
  });
});
