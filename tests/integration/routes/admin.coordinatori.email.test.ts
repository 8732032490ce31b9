import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, coordinators } from "#db/schema";
import { lookupPasswordReset, sendCoordinatorPasswordReset } from "~/models/coordinator-password.server";
import { inviteCoordinator, lookupCoordinatorInvite } from "~/models/coordinator.server";
import * as accountPage from "~/routes/admin.account";
import * as coordinatorsPage from "~/routes/admin.coordinatori";
import * as emailPage from "~/routes/admin.coordinatori_.$id.email";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { createCoordinatorWithPassword, resetTokenFor, signsInWith } from "../../support/coordinator-password";
import { outboxFor } from "../../support/db-queries";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";

const PASSWORD = "la password di Giulia";
const db = () => getDb();
const adminId = () => db().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;
const row = (id: number) => db().select().from(coordinators).where(eq(coordinators.id, id)).get()!;
const newEmail = () => `nuovo.${crypto.randomUUID().slice(0, 8)}@example.org`;
const PATH = "/admin/coordinatori/:id/email";

async function change(id: number, email: string, by: number = adminId(), emailConfirm = email) {
  return settle(async () => emailPage.action(routeArgs(await adminPost(`/admin/coordinatori/${id}/email`, { email, emailConfirm }, by), { id: String(id) })));
}
const answer = async (response: Response) => (await response.json()) as { errors: Record<string, string>; done?: string; values: { email: string } };

describe("an administrator changes a coordinator's email", () => {
  it("makes the new address the sign-in at once, tells both addresses, voids an earlier reset link, and audits it", async () => {
    const giulia = await createCoordinatorWithPassword(PASSWORD);
    sendCoordinatorPasswordReset(db(), { id: giulia.id, actorId: adminId(), appUrl: APP_URL });
    const oldResetToken = resetTokenFor(giulia.email);
    const address = newEmail();

    const response = await change(giulia.id, `  ${address.toUpperCase()} `);
    expect(response.status).toBe(200);
    expect((await answer(response)).done).toBe(
      `Indirizzo cambiato in ${address}: da ora si accede con questo indirizzo. Ne abbiamo dato avviso al vecchio e al nuovo indirizzo.`,
    );
    expect(row(giulia.id).email).toBe(address);
    expect(await signsInWith(address, PASSWORD)).toBe(true);
    expect(await signsInWith(giulia.email, PASSWORD)).toBe(false);
    expect(lookupPasswordReset(db(), { token: oldResetToken }).state).toBe("invalid");
    for (const to of [giulia.email, address]) {
      const [notice] = outboxFor(to).filter((r) => r.template === "coordinator-email-changed");
      expect(notice.props).toMatchObject({ previousEmail: giulia.email, newEmail: address, changedByName: "Amministratore", signInUrl: `${APP_URL}/login` });
    }
    const audit = db().select().from(auditLog).where(sql`${auditLog.action} = 'coordinator.email_changed' AND ${auditLog.entityId} = ${String(giulia.id)}`).all();
    expect(audit.map((a) => [a.actorId, a.details])).toEqual([[adminId(), { before: { email: giulia.email }, after: { email: address } }]]);
  });

  it("sends an invited coordinator's invitation again, to the new address only; the old link stops working", async () => {
    const first = newEmail();
    const invited = inviteCoordinator(db(), { email: first, name: "Paolo Verdi", role: "coordinator", invitedById: adminId(), appUrl: APP_URL });
    if (!invited.ok) throw new Error("invitation refused");
    const tokenOf = (email: string) => String(outboxFor(email).filter((r) => r.template === "coordinator-invitation").at(-1)!.props.inviteUrl).split("/").pop()!;
    const oldToken = tokenOf(first);
    const address = newEmail();
    expect((await answer(await change(invited.coordinatorId, address))).done).toMatch(/^Indirizzo cambiato in .*: l'invito è stato inviato al nuovo indirizzo/);
    expect(lookupCoordinatorInvite(db(), { token: oldToken }).state).toBe("invalid");
    expect(lookupCoordinatorInvite(db(), { token: tokenOf(address) })).toMatchObject({ state: "valid", email: address, name: "Paolo Verdi" });
    expect(outboxFor(first).filter((r) => r.template === "coordinator-email-changed")).toEqual([]);
  });

  it("refuses an address another coordinator has, or an invalid one, keeping what was typed and changing nothing", async () => {
    const giulia = await createCoordinatorWithPassword(PASSWORD);
    const other = createTestCoordinator();
    const taken = await change(giulia.id, other.email);
    expect(taken.status).toBe(400);
    expect(await answer(taken)).toMatchObject({ errors: { email: "Questo indirizzo è già di un altro coordinatore del portale." }, values: { email: other.email } });
    const invalid = await change(giulia.id, "giulia@");
    expect(invalid.status).toBe(400);
    expect((await answer(invalid)).errors.email).toBe("Indirizzo email non valido: controlla che sia nella forma nome@dominio.it");
    expect(row(giulia.id).email).toBe(giulia.email);
    // Without JavaScript the page shows the error and the address typed.
    const { status, html } = await renderRoute(emailPage, await adminPost(`/admin/coordinatori/${giulia.id}/email`, { email: other.email, emailConfirm: other.email }, adminId()), PATH);
    expect(status).toBe(400);
    expect(html).toContain('<li><a href="#email">Questo indirizzo è già di un altro coordinatore del portale.</a></li>');
    expect(html).toMatch(new RegExp(`<input[^>]*value="${other.email}"`));
  });

  it("asks for the new address twice: a typo in either changes nothing, and says so on the second field", async () => {
    const giulia = await createCoordinatorWithPassword(PASSWORD);
    const address = newEmail();
    const typo = await change(giulia.id, address, adminId(), address.replace("@", "@@").replace("@@", "@x"));
    expect(typo.status).toBe(400);
    expect((await answer(typo)).errors).toEqual({ emailConfirm: "I due indirizzi non coincidono: controlla di averlo scritto uguale" });
    expect((await change(giulia.id, address, adminId(), "")).status).toBe(400);
    expect(row(giulia.id).email).toBe(giulia.email);
    // Typed again with other capitals or spaces, it is the same address.
    expect((await change(giulia.id, address, adminId(), ` ${address.toUpperCase()} `)).status).toBe(200);
    expect(row(giulia.id).email).toBe(address);
  });

  it("is for administrators: a coordinator is refused, an unknown id is not found", async () => {
    const giulia = await createCoordinatorWithPassword(PASSWORD);
    const coordinator = createTestCoordinator();
    expect((await change(giulia.id, newEmail(), coordinator.id)).status).toBe(403);
    expect(row(giulia.id).email).toBe(giulia.email);
    const unknown = await settle(async () => emailPage.loader(routeArgs(await adminGet("/admin/coordinatori/999999/email", adminId()), { id: "999999" })));
    expect(unknown.status).toBe(404);
  });

  it("is offered in the list, for every coordinator, and to an administrator on their own account page", async () => {
    const giulia = await createCoordinatorWithPassword(PASSWORD);
    const list = await renderRoute(coordinatorsPage, await adminGet("/admin/coordinatori", adminId()), "/admin/coordinatori");
    expect(list.html).toContain(`href="/admin/coordinatori/${giulia.id}/email">Cambia email<span class="visually-hidden"> di ${giulia.name}</span></a>`);
    expect(list.html).toContain(`href="/admin/coordinatori/${adminId()}/email">Cambia email<span class="visually-hidden"> del tuo account</span>`);
    const own = await renderRoute(accountPage, await adminGet("/admin/account", adminId()), "/admin/account");
    expect(own.html).toContain(`href="/admin/coordinatori/${adminId()}/email">Cambia email</a>`);
    const theirs = await renderRoute(accountPage, await adminGet("/admin/account", giulia.id), "/admin/account");
    expect(theirs.html).toContain("Per cambiare email o ruolo chiedi a un amministratore del Coordinamento.");
    const page = await renderRoute(emailPage, await adminGet(`/admin/coordinatori/${giulia.id}/email`, adminId()), PATH);
    expect(page.html).toContain(`<h1>Cambia l&#x27;indirizzo email di ${giulia.name}</h1>`);
  });
});
