import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, membershipRequests, referents, saiProjects } from "#db/schema";
import { approveMembership } from "~/models/membership-review.server";
import { PRIVACY_NOTICE_VERSION } from "~/models/membership.server";
import { requestLoginCode, verifyLoginCode } from "~/models/referent-login.server";
import * as confirmScheda from "~/routes/adesione.conferma.$token";
import * as overview from "~/routes/area-referente._index";
import * as propose from "~/routes/area-referente.subentro";
import * as successorPage from "~/routes/subentro.$token";
import { getDb } from "~/utils/db.server";
import { createTestCoordinator, settle } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import { createReferent, latestLoginEmail, referentCookie, referentGet, referentPost } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const successorFields = (overrides: Record<string, string> = {}) => ({
  firstName: "Giuseppe",
  lastName: "Bianchi",
  role: "funzionario",
  office: "Ufficio SAI",
  email: uniqueEmail("successore"),
  phone: "091 2223333",
  mobile: "",
  ...overrides,
});

async function proposeAs(cookie: string, fields: Record<string, string>) {
  return settle(async () => propose.action(routeArgs(await referentPost("/area-referente/subentro", fields, cookie))));
}

const tokenFor = (email: string) => String(outboxFor(email).find((m) => m.template === "handover-proposal")!.props.confirmUrl).split("/").pop()!;
const requestOf = (referentId: number) => getDb().select().from(membershipRequests).where(eq(membershipRequests.referentId, referentId)).get()!;
const referentByEmail = (email: string) => getDb().select().from(referents).where(eq(referents.email, email)).get()!;

async function canEnter(cookie: string) {
  const response = await settle(() => overview.loader(routeArgs(referentGet("/area-referente", cookie))));
  return response.status === 200;
}

describe("handover proposed from the referent area", () => {
  it("end to end: propose, the successor consents, a coordinator approves, the old referente loses access", async () => {
    const current = await createReferent("active");
    const { cookie } = await referentCookie(current.referentId);
    const fields = successorFields();

    // Validation first: nothing is created for a bad form.
    const invalid = await proposeAs(cookie, { ...fields, email: "non-valida", phone: "" });
    expect(invalid.status).toBe(400);
    expect(Object.keys((await invalid.json()).errors).sort()).toEqual(["email", "phone"]);

    const proposed = await proposeAs(cookie, fields);
    expect(proposed.status).toBe(302);
    expect(proposed.headers.get("Location")).toBe("/area-referente?esito=subentro-proposto");
    const successor = referentByEmail(fields.email);
    expect(successor).toMatchObject({ memberBodyId: current.memberBodyId, validFrom: null, privacyNoticeVersion: "" });
    const request = requestOf(successor.id);
    expect(request).toMatchObject({ kind: "handover", status: "email_unverified", memberBodyId: current.memberBodyId });
    const token = tokenFor(fields.email);
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.action, "membership.handover_proposed"), eq(auditLog.entityId, String(request.id)))).get()).toMatchObject({
      actorType: "referent",
      actorId: current.referentId,
    });

    // A second proposal while this one is open is refused.
    expect((await proposeAs(cookie, successorFields())).status).toBe(409);
    // The successor cannot sign in before consenting.
    expect(requestLoginCode(getDb(), { email: fields.email, appUrl: APP_URL }).sent).toBe(false);
    // The token does not work on the public confirmation page (which has no consent step).
    const bypass = await settle(async () => confirmScheda.action(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token })));
    expect(bypass.status).toBe(410);
    expect(requestOf(successor.id).status).toBe("email_unverified");

    // The page shows the data and the consent box; GET changes nothing.
    const page = await settle(() => successorPage.loader(routeArgs(new Request(`${APP_URL}/subentro/${token}`), { token })));
    expect(page.status).toBe(200);
    expect((await renderRoute(successorPage, new Request(`${APP_URL}/subentro/${token}`), "/subentro/:token")).title).toBe(
      "Conferma del subentro come referente - Coordinamento SAI",
    );
    const invalidPage = await renderRoute(successorPage, new Request(`${APP_URL}/subentro/non-esiste`), "/subentro/:token");
    expect(invalidPage.html).toContain("<h1>Collegamento non valido</h1>");
    expect(invalidPage.title).toBe("Collegamento non valido - Coordinamento SAI");
    const { lookup } = await page.json();
    expect(lookup).toMatchObject({ state: "valid", proposerName: "Maria Rossi", successor: { firstName: "Giuseppe", email: fields.email } });
    expect(requestOf(successor.id).status).toBe("email_unverified");

    // Without the consent nothing happens.
    const noConsent = await settle(async () => successorPage.action(routeArgs(await browserPost(`/subentro/${token}`, {}), { token })));
    expect(noConsent.status).toBe(400);
    expect((await noConsent.json()).errors.privacyConsent).toMatch(/informativa/);
    expect(requestOf(successor.id).status).toBe("email_unverified");

    const accepted = await settle(async () => successorPage.action(routeArgs(await browserPost(`/subentro/${token}`, { privacyConsent: "on" }), { token })));
    expect(accepted.status).toBe(200);
    expect((await accepted.json()).accepted).toBe(true);
    expect(requestOf(successor.id)).toMatchObject({ status: "pending" });
    expect(referentByEmail(fields.email)).toMatchObject({ privacyNoticeVersion: PRIVACY_NOTICE_VERSION });
    expect(referentByEmail(fields.email).emailVerifiedAt).toBeInstanceOf(Date);
    expect(outboxFor("coordinatore@example.org").some((m) => m.template === "registration-awaiting-approval" && m.props.isHandover === true)).toBe(true);
    const reused = await settle(async () => successorPage.action(routeArgs(await browserPost(`/subentro/${token}`, { privacyConsent: "on" }), { token })));
    expect(reused.status).toBe(410);
    // The title follows the heading: true of «Subentro confermato» and of «Subentro già confermato».
    const usedPage = await renderRoute(successorPage, new Request(`${APP_URL}/subentro/${token}`), "/subentro/:token");
    expect(usedPage.html).toContain("<h1>Subentro già confermato</h1>");
    expect(usedPage.title).toBe("Subentro confermato - Coordinamento SAI");

    // Pending: the successor may sign in (and sees the pending state); the current one still works.
    expect(await canEnter(cookie)).toBe(true);
    expect(requestLoginCode(getDb(), { email: fields.email, appUrl: APP_URL }).sent).toBe(true);

    // The coordinator approves through the dashboard's flow.
    const by = createTestCoordinator();
    expect(approveMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL })).toEqual({ ok: true });

    // The previous referente's session is refused; a new sign-in gives them only the privacy pages.
    expect(await canEnter(cookie)).toBe(false);
    expect(requestLoginCode(getDb(), { email: current.email, appUrl: APP_URL }).sent).toBe(true);
    const former = verifyLoginCode(getDb(), { email: current.email, code: latestLoginEmail(current.email)!.code });
    expect(former).toMatchObject({ ok: true, access: { status: "former", referentId: current.referentId } });

    // The successor signs in as the ente's referente; the ente's projects stayed open.
    requestLoginCode(getDb(), { email: fields.email, appUrl: APP_URL });
    const signedIn = verifyLoginCode(getDb(), { email: fields.email, code: latestLoginEmail(fields.email)!.code });
    expect(signedIn).toMatchObject({ ok: true, access: { status: "active", memberBodyId: current.memberBodyId, referentId: successor.id } });
    const open = getDb().select().from(saiProjects).where(and(eq(saiProjects.memberBodyId, current.memberBodyId))).all();
    expect(open.filter((p) => p.closedAt === null)).toHaveLength(1);
  });

  it("is reserved to the ente's current referente", async () => {
    const pending = await createReferent("pending");
    const { cookie } = await referentCookie(pending.referentId);
    const response = await proposeAs(cookie, successorFields());
    expect(response.status).toBe(403);
    const anonymous = await settle(async () => propose.action(routeArgs(await referentPost("/area-referente/subentro", successorFields(), null))));
    expect(anonymous.status).toBe(302);
  });

  it("refuses the referente's own address, and can be withdrawn", async () => {
    const current = await createReferent("active");
    const { cookie } = await referentCookie(current.referentId);
    const own = await proposeAs(cookie, successorFields({ email: current.email }));
    expect(own.status).toBe(400);
    expect((await own.json()).errors.email).toBeTruthy();

    const fields = successorFields();
    expect((await proposeAs(cookie, fields)).status).toBe(302);
    const withdrawn = await settle(async () => overview.action(routeArgs(await referentPost("/area-referente", { intent: "withdraw-handover" }, cookie))));
    expect(withdrawn.status).toBe(302);
    expect(requestOf(referentByEmail(fields.email).id).status).toBe("rejected");
    const token = tokenFor(fields.email);
    const page = await settle(() => successorPage.loader(routeArgs(new Request(`${APP_URL}/subentro/${token}`), { token })));
    expect(page.status).toBe(404);
    // A new proposal is possible again.
    expect((await proposeAs(cookie, successorFields())).status).toBe(302);
  });

  // Anyone can send a scheda for an ente that has a referente (a handover request): one whose sender
  // never confirmed the address must not stop the referente in office from naming a successor.
  it("is not held up by a stranger's unconfirmed scheda; a confirmed one is left to the coordinators", async () => {
    const current = await createReferent("active");
    const { cookie } = await referentCookie(current.referentId);
    const sameEnte = { municipalityCode: current.fields.municipalityCode, fiscalCode: current.fields.fiscalCode, firstName: "Carlo", lastName: "Verdi" };
    await createReferent("unverified", sameEnte);
    const handoverShown = async () => (await (await settle(() => overview.loader(routeArgs(referentGet("/area-referente", cookie))))).json()).overview.handover;
    expect(await handoverShown()).toBeNull();

    const fields = successorFields();
    expect((await proposeAs(cookie, fields)).status).toBe(302);
    expect(await handoverShown()).toMatchObject({ name: "Giuseppe Bianchi", proposedByMe: true });
    // The referente's own proposal is the one shown and withdrawn, even when a scheda came after it.
    const later = await createReferent("pending", sameEnte);
    expect(await handoverShown()).toMatchObject({ name: "Giuseppe Bianchi", proposedByMe: true });
    const withdrawn = await settle(async () => overview.action(routeArgs(await referentPost("/area-referente", { intent: "withdraw-handover" }, cookie))));
    expect(withdrawn.status).toBe(302);
    expect(requestOf(referentByEmail(fields.email).id).status).toBe("rejected");
    expect(requestOf(later.referentId).status).toBe("pending");

    // Now the confirmed scheda: the referente sees it, and a proposal waits for the coordinators' decision.
    expect(await handoverShown()).toMatchObject({ name: "Carlo Verdi", proposedByMe: false, status: "pending" });
    const refused = await proposeAs(cookie, successorFields());
    expect(refused.status).toBe(409);
    expect((await refused.json()).formError).toBe(
      "Carlo Verdi ha chiesto di diventare referente dell'ente con la scheda di adesione, e la richiesta è all'esame dei coordinatori: potrai proporre un successore dopo la loro decisione.",
    );
  });
});
