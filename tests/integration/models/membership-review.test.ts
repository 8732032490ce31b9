import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, memberBodies, membershipRequests, referents, saiProjects } from "#db/schema";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { getNetworkFigures } from "~/models/figures.server";
import { approveMembership, approveMemberships, REJECTION_CONFLICT_ERROR, rejectMembership, requestVersion, revokeMembership } from "~/models/membership-review.server";
import { getMembershipEditValues, updateMembershipFields } from "~/models/membership-detail.server";
import { confirmRegistration } from "~/models/membership.server";
import { getDb } from "~/utils/db.server";
import { membershipEditSchema } from "~/validation/membership-edit";
import { createTestCoordinator } from "../../support/admin";
import { confirmationTokenFor, outboxFor, requestsForEmail } from "../../support/db-queries";
import { randomBodyFiscalCode, validRegistrationFields } from "../../support/factories";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

async function register(overrides: Record<string, string> = {}, { confirm = true } = {}) {
  const fields = validRegistrationFields(overrides);
  expect((await submitAction(routeArgs(await browserPost("/adesione", fields)))).status).toBe(302);
  if (confirm) {
    const token = confirmationTokenFor(fields.email);
    await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
  }
  const [{ request, referent }] = requestsForEmail(fields.email);
  return { fields, request, referent };
}

const coordinator = () => createTestCoordinator();

describe("approveMembership", () => {
  it("makes the referente active and the ente a member, emails the welcome and audits", async () => {
    const { fields, request, referent } = await register();
    const by = coordinator();
    expect(approveMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL })).toEqual({ ok: true });
    const db = getDb();
    expect(db.select().from(membershipRequests).where(eq(membershipRequests.id, request.id)).get()).toMatchObject({ status: "approved", decidedById: by.id });
    expect(db.select().from(referents).where(eq(referents.id, referent.id)).get()!.validFrom).toBeInstanceOf(Date);
    expect(db.select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!.status).toBe("member");
    const welcome = outboxFor(fields.email).find((r) => r.template === "membership-approved")!;
    // Exactly the approval's props: the import's `imported` and privacy notice are not added.
    expect(welcome.props).toEqual({
      firstName: fields.firstName,
      lastName: fields.lastName,
      bodyName: welcome.props.bodyName,
      isHandover: false,
      referentAreaUrl: `${APP_URL}/area-referente`,
    });
    expect(welcome.messageId).toMatch(new RegExp(`@${new URL(APP_URL).hostname.replace(/\./g, "\\.")}>$`));
    const audit = db.select().from(auditLog).where(and(eq(auditLog.entityId, String(request.id)), eq(auditLog.action, "membership.approved"))).get();
    expect(audit).toMatchObject({ actorType: "coordinator", actorId: by.id });
  });

  it("refuses requests that are not confirmed or already decided, changing nothing", async () => {
    const { fields, request } = await register({}, { confirm: false });
    const by = coordinator();
    const result = approveMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL });
    expect(result).toEqual({
      ok: false,
      error: "La richiesta non è ancora confermata: si potrà approvare quando il referente avrà confermato il suo indirizzo email.",
    });
    expect(requestsForEmail(fields.email)[0].request.status).toBe("email_unverified");
    expect(approveMembership(getDb(), { id: 999_999, coordinatorId: by.id, appUrl: APP_URL }).ok).toBe(false);
  });

  it("hands over: the previous referente's term ends, they are told; the ente keeps its projects and gains the successor's", async () => {
    const first = await register();
    const by = coordinator();
    approveMembership(getDb(), { id: first.request.id, coordinatorId: by.id, appUrl: APP_URL });
    const successor = await register({
      municipalityCode: first.fields.municipalityCode,
      fiscalCode: first.fields.fiscalCode,
      firstName: "Giuseppe",
      lastName: "Bianchi",
      "projects.0.category": "MSNA",
      "projects.0.fundedPlaces": "8",
    });
    expect(successor.request.kind).toBe("handover");
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId: by.id, appUrl: APP_URL })).toEqual({ ok: true });

    const db = getDb();
    const old = db.select().from(referents).where(eq(referents.id, first.referent.id)).get()!;
    expect(old.validTo).toBeInstanceOf(Date);
    const active = db.select().from(referents).where(and(eq(referents.memberBodyId, first.request.memberBodyId), isNull(referents.validTo))).all();
    expect(active.filter((r) => r.validFrom).map((r) => r.email)).toEqual([successor.fields.email]);
    expect(db.select().from(membershipRequests).where(eq(membershipRequests.id, first.request.id)).get()!.status).toBe("superseded");
    const open = db.select().from(saiProjects).where(and(eq(saiProjects.memberBodyId, first.request.memberBodyId), isNull(saiProjects.closedAt))).all();
    expect(open.map((p) => [p.category, p.fundedPlaces])).toEqual([
      ["ordinari", 25],
      ["MSNA", 8],
    ]);

    const notice = outboxFor(first.fields.email).find((r) => r.template === "referent-replaced")!;
    expect(notice.props).toMatchObject({ successorName: "Giuseppe Bianchi" });
    expect(outboxFor(successor.fields.email).find((r) => r.template === "membership-approved")!.props.isHandover).toBe(true);
  });

  it("hands over replacing the ente's open projects when the coordinator chooses so, and only the ente's own", async () => {
    const first = await register();
    const by = coordinator();
    approveMembership(getDb(), { id: first.request.id, coordinatorId: by.id, appUrl: APP_URL });
    const handover = { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode };
    const successor = await register({ ...handover, firstName: "Giuseppe", "projects.0.category": "MSNA", "projects.0.fundedPlaces": "8" });
    // Someone else's scheda for the same ente, still unconfirmed: its project is not the ente's.
    const stranger = await register({ ...handover, firstName: "Ignoto", "projects.0.category": "DM/DS", "projects.0.fundedPlaces": "3" }, { confirm: false });
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId: by.id, appUrl: APP_URL, replaceProjects: true })).toEqual({ ok: true });

    const projects = getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, first.request.memberBodyId)).all();
    const state = (requestId: number) => projects.filter((p) => p.requestId === requestId).map((p) => [p.category, p.closedAt === null]);
    expect(state(first.request.id)).toEqual([["ordinari", false]]);
    expect(state(successor.request.id)).toEqual([["MSNA", true]]);
    expect(state(stranger.request.id)).toEqual([["DM/DS", true]]);
    const audit = getDb().select().from(auditLog).where(and(eq(auditLog.action, "membership.handover_approved"), eq(auditLog.entityId, String(successor.request.id)))).get()!;
    expect(audit.details).toMatchObject({ closedProjects: 1 });
  });

  it("a scheda sent by someone else for an ente changes nothing of it until a coordinator approves that scheda", async () => {
    const by = coordinator();
    const first = await register({ pec: "protocollo@pec.comune.vero.it" });
    const stranger = await register(
      { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode, firstName: "Ignoto", pec: "finta@pec.altrove.it", "projects.0.category": "DM/DS", "projects.0.fundedPlaces": "3" },
      { confirm: false },
    );
    const bodyOf = () => getDb().select().from(memberBodies).where(eq(memberBodies.id, first.request.memberBodyId)).get()!;
    expect(bodyOf().pec).toBe("protocollo@pec.comune.vero.it");
    approveMembership(getDb(), { id: first.request.id, coordinatorId: by.id, appUrl: APP_URL });
    expect(bodyOf()).toMatchObject({ status: "member", pec: "protocollo@pec.comune.vero.it" });
    const figures = () => getNetworkFigures(getDb()).byCategory.find((c) => c.category === "DM/DS")!.places;
    const before = figures();

    // Confirmed after the ente was approved: judged again as a change of referente.
    const token = confirmationTokenFor(stranger.fields.email);
    expect(confirmRegistration(getDb(), { token, appUrl: APP_URL })).toMatchObject({ state: "valid", kind: "handover" });
    expect(getDb().select().from(membershipRequests).where(eq(membershipRequests.id, stranger.request.id)).get()!.kind).toBe("handover");
    expect(figures()).toBe(before);

    // Approved: the ente takes the scheda's PEC, recorded before and after; its project counts now.
    expect(approveMembership(getDb(), { id: stranger.request.id, coordinatorId: by.id, appUrl: APP_URL })).toEqual({ ok: true });
    expect(bodyOf().pec).toBe("finta@pec.altrove.it");
    expect(figures()).toBe(before + 3);
    const audit = getDb().select().from(auditLog).where(and(eq(auditLog.action, "membership.handover_approved"), eq(auditLog.entityId, String(stranger.request.id)))).get()!;
    expect(audit.details).toMatchObject({ before: { pec: "protocollo@pec.comune.vero.it" }, after: { pec: "finta@pec.altrove.it" } });
  });

  it("approves a new referente for a member ente left without one (e.g. after an erasure)", async () => {
    const first = await register();
    const by = coordinator();
    approveMembership(getDb(), { id: first.request.id, coordinatorId: by.id, appUrl: APP_URL });
    // The referente's term ended without a successor; the membership itself stays approved.
    getDb().update(referents).set({ validTo: new Date() }).where(eq(referents.id, first.referent.id)).run();
    const next = await register({ municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode });
    expect(approveMembership(getDb(), { id: next.request.id, coordinatorId: by.id, appUrl: APP_URL })).toEqual({ ok: true });
    expect(getDb().select().from(membershipRequests).where(eq(membershipRequests.id, first.request.id)).get()!.status).toBe("superseded");
  });

  it("approving one scheda makes the ente's other open ones, confirmed or not, handover requests", async () => {
    const first = await register();
    const sameEnte = { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode };
    const confirmed = await register({ ...sameEnte, firstName: "Carla" });
    const unconfirmed = await register({ ...sameEnte, firstName: "Dario" }, { confirm: false });
    const kindOf = (id: number) => getDb().select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!.kind;
    expect([confirmed, unconfirmed].map((r) => kindOf(r.request.id))).toEqual(["new", "new"]);
    expect(approveMembership(getDb(), { id: first.request.id, coordinatorId: coordinator().id, appUrl: APP_URL })).toEqual({ ok: true });
    expect([first, confirmed, unconfirmed].map((r) => kindOf(r.request.id))).toEqual(["new", "handover", "handover"]);
  });

  it("refuses a scheda carrying the address of the referente in office, who would succeed themselves", async () => {
    const first = await register();
    expect(approveMembership(getDb(), { id: first.request.id, coordinatorId: coordinator().id, appUrl: APP_URL })).toEqual({ ok: true });
    // A scheda sent with another address before, its referente's address since become that of the
    // referente in office (as a coordinator's correction or an import can make it).
    const other = await register({ municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode });
    getDb().update(referents).set({ email: first.fields.email }).where(eq(referents.id, other.referent.id)).run();
    const result = approveMembership(getDb(), { id: other.request.id, coordinatorId: coordinator().id, appUrl: APP_URL });
    expect(result).toEqual({ ok: false, error: expect.stringContaining("approvarla lo farebbe subentrare a sé stesso") });
    const inOffice = getDb().select().from(referents).where(eq(referents.id, first.referent.id)).get()!;
    expect(inOffice.validTo).toBeNull();
    expect(getDb().select().from(membershipRequests).where(eq(membershipRequests.id, other.request.id)).get()!.status).toBe("pending");
  });

  it("refuses a change of referente approved for a referente in office who has since left, changing nothing", async () => {
    const first = await register();
    expect(approveMembership(getDb(), { id: first.request.id, coordinatorId: coordinator().id, appUrl: APP_URL })).toEqual({ ok: true });
    const next = await register({ municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode });
    // The page showed the referente in office; their term ended meanwhile (revoked, erased).
    getDb().update(referents).set({ validTo: new Date() }).where(eq(referents.id, first.referent.id)).run();
    const stale = approveMembership(getDb(), { id: next.request.id, coordinatorId: coordinator().id, appUrl: APP_URL, shownReferentId: first.referent.id });
    expect(stale).toEqual({
      ok: false,
      error: "Nel frattempo il referente in carica per l'ente è cambiato (ora l'ente non ha un referente in carica): ricarica la pagina e verifica prima di approvare.",
    });
    const row = getDb().select().from(membershipRequests).where(eq(membershipRequests.id, next.request.id)).get()!;
    expect(row.status).toBe("pending");
    expect(getDb().select().from(referents).where(eq(referents.id, next.referent.id)).get()!.validFrom).toBeNull();
    // From a page showing the ente without a referente, it goes through.
    expect(approveMembership(getDb(), { id: next.request.id, coordinatorId: coordinator().id, appUrl: APP_URL, shownReferentId: null })).toEqual({ ok: true });
  });

  it("bulk approval approves the pending ones and reports the others", async () => {
    const a = await register();
    const b = await register();
    const unconfirmed = await register({}, { confirm: false });
    const result = approveMemberships(getDb(), { ids: [a.request.id, b.request.id, unconfirmed.request.id], coordinatorId: coordinator().id, appUrl: APP_URL });
    expect(result.approved).toEqual([a.request.id, b.request.id]);
    expect(result.failed.map((f) => f.id)).toEqual([unconfirmed.request.id]);
  });
});

/** A coordinator's save of «Modifica dati» on the request's page, from the values the page loads. */
function correct(requestId: number, corrections: Record<string, string>) {
  const loaded = getMembershipEditValues(getDb(), { id: requestId })!;
  const changes = membershipEditSchema.parse({ ...loaded.values, ...corrections });
  const result = updateMembershipFields(getDb(), { id: requestId, coordinatorId: coordinator().id, changes, version: loaded.version, appUrl: APP_URL });
  expect(result.ok).toBe(true);
}

describe("approving after a coordinator's correction of the ente («Modifica dati»)", () => {
  const bodyOf = (id: number) => getDb().select().from(memberBodies).where(eq(memberBodies.id, id)).get()!;

  it("bulk approval keeps the corrected PEC, codice fiscale and denominazione, and so does the welcome email", async () => {
    const unione = await register({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni Nebrodi", pec: "nebrodi@pec.vecchia.it", fiscalCode: randomBodyFiscalCode() });
    const comune = await register({ pec: "comune@pec.vecchia.it" });
    const fixed = { bodyName: "Unione dei Comuni dei Nebrodi", pec: "nebrodi@pec.nuova.it", fiscalCode: randomBodyFiscalCode() };
    correct(unione.request.id, fixed);
    correct(comune.request.id, { pec: "comune@pec.nuova.it" });

    const result = approveMemberships(getDb(), { ids: [unione.request.id, comune.request.id], coordinatorId: coordinator().id, appUrl: APP_URL });
    expect(result).toEqual({ approved: [unione.request.id, comune.request.id], failed: [] });
    expect(bodyOf(unione.request.memberBodyId)).toMatchObject({ status: "member", name: fixed.bodyName, pec: fixed.pec, fiscalCode: fixed.fiscalCode });
    expect(bodyOf(comune.request.memberBodyId)).toMatchObject({ status: "member", pec: "comune@pec.nuova.it", fiscalCode: comune.fields.fiscalCode });
    expect(outboxFor(unione.fields.email).find((r) => r.template === "membership-approved")!.props).toMatchObject({ bodyName: fixed.bodyName });
  });
});

describe("rejectMembership and revokeMembership", () => {
  it("rejects with the reason in the email and the audit", async () => {
    const { fields, request } = await register();
    const by = coordinator();
    const reason = "Il codice fiscale non corrisponde all'ente indicato.";
    expect(rejectMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL, reason })).toEqual({ ok: true });
    expect(requestsForEmail(fields.email)[0].request).toMatchObject({ status: "rejected", decisionReason: reason });
    expect(outboxFor(fields.email).find((r) => r.template === "membership-rejected")!.props.reason).toBe(reason);
    expect(rejectMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL, reason }).ok).toBe(false);
  });

  it("rejects a scheda whose address was never confirmed without writing to that address", async () => {
    const { fields, request } = await register({}, { confirm: false });
    const reason = "Scheda inviata per errore, mai confermata.";
    expect(rejectMembership(getDb(), { id: request.id, coordinatorId: coordinator().id, appUrl: APP_URL, reason })).toEqual({ ok: true, notEmailed: true });
    expect(requestsForEmail(fields.email)[0].request).toMatchObject({ status: "rejected", decisionReason: reason });
    expect(outboxFor(fields.email).map((r) => r.template)).toEqual(["confirm-registration"]);
  });

  it("revokes an approved membership: the referente's term ends, the ente is no longer a member, the referente is told why", async () => {
    const { fields, request, referent } = await register();
    const by = coordinator();
    expect(revokeMembership(getDb(), { appUrl: APP_URL, id: request.id, coordinatorId: by.id, reason: "Richiesta dell'ente" }).ok).toBe(false);
    approveMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL });
    expect(revokeMembership(getDb(), { appUrl: APP_URL, id: request.id, coordinatorId: by.id, reason: "Richiesta dell'ente" })).toEqual({ ok: true });
    const db = getDb();
    expect(db.select().from(referents).where(eq(referents.id, referent.id)).get()!.validTo).toBeInstanceOf(Date);
    expect(db.select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!.status).toBe("revoked");
    const notices = outboxFor(fields.email).filter((r) => r.template === "membership-revoked");
    expect(notices).toHaveLength(1);
    expect(notices[0].props).toMatchObject({ reason: "Richiesta dell'ente", privacyUrl: `${APP_URL}/area-referente/privacy`, formUrl: `${APP_URL}/adesione` });
  });
});

describe("«Respingi» from a page loaded before the request changed", () => {
  const reason = "La scheda indica un codice fiscale che non è dell'ente.";
  const statusOf = (id: number) => getDb().select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!.status;

  it("is refused when the scheda was sent again with new data, rejecting nothing; from the page as it is now it goes through", async () => {
    const { fields, request } = await register({}, { confirm: false });
    const shown = requestVersion(getDb(), { id: request.id })!;
    // The referente sends the scheda again, with another codice fiscale (same ente, same address, still unconfirmed).
    const again = { ...fields, fiscalCode: randomBodyFiscalCode() };
    expect((await submitAction(routeArgs(await browserPost("/adesione", again)))).status).toBe(302);
    expect(requestsForEmail(fields.email)).toHaveLength(1);

    const by = coordinator();
    expect(rejectMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL, reason, version: shown })).toEqual({ ok: false, error: REJECTION_CONFLICT_ERROR });
    expect(statusOf(request.id)).toBe("email_unverified");
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.entityId, String(request.id)), eq(auditLog.action, "membership.rejected"))).all()).toEqual([]);

    const fresh = requestVersion(getDb(), { id: request.id })!;
    expect(rejectMembership(getDb(), { id: request.id, coordinatorId: by.id, appUrl: APP_URL, reason, version: fresh })).toEqual({ ok: true, notEmailed: true });
    expect(statusOf(request.id)).toBe("rejected");
  });

  it("is refused when a coordinator corrected the data with «Modifica dati» meanwhile, or the referente confirmed the address (the reason would now be emailed)", async () => {
    const confirmed = await register();
    const shown = requestVersion(getDb(), { id: confirmed.request.id })!;
    correct(confirmed.request.id, { pec: "ente.corretto@pec.example.it" });
    const by = coordinator();
    expect(rejectMembership(getDb(), { id: confirmed.request.id, coordinatorId: by.id, appUrl: APP_URL, reason, version: shown })).toEqual({
      ok: false,
      error: REJECTION_CONFLICT_ERROR,
    });
    expect(statusOf(confirmed.request.id)).toBe("pending");
    expect(outboxFor(confirmed.fields.email).map((r) => r.template)).not.toContain("membership-rejected");

    const unconfirmed = await register({}, { confirm: false });
    const shownUnconfirmed = requestVersion(getDb(), { id: unconfirmed.request.id })!;
    const token = confirmationTokenFor(unconfirmed.fields.email);
    await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
    expect(rejectMembership(getDb(), { id: unconfirmed.request.id, coordinatorId: by.id, appUrl: APP_URL, reason, version: shownUnconfirmed })).toEqual({
      ok: false,
      error: REJECTION_CONFLICT_ERROR,
    });
    expect(outboxFor(unconfirmed.fields.email).map((r) => r.template)).toEqual(["confirm-registration"]);
  });
});
