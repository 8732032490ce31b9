// The projects declared by a successor's scheda (a handover sent through the public form) are stored
// with the ente at once, but count as the ente's only once a coordinator approves the handover:
// before that (even unconfirmed, by anyone) they must not swell the network's figures, reach the
// invitations by tipologia, or appear as the current referente's projects.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { projectHostMunicipalities } from "#db/schema";
import { getNetworkFigures } from "~/models/figures.server";
import { recipientsFor } from "~/models/invitation.server";
import { listMembershipRequests } from "~/models/membership-list.server";
import { approveMembership, approveMemberships, rejectMembership } from "~/models/membership-review.server";
import { acceptHandover, proposeSuccessor } from "~/models/handover.server";
import { getOwnProject, getReferentOverview } from "~/models/referent-area.server";
import { successorSchema } from "~/validation/referent-area";
import type { ReferentAccess } from "~/models/referent-session.server";
import { auditDetailPairs } from "~/utils/audit-labels";
import { getDb } from "~/utils/db.server";
import { createTestCoordinator } from "../../support/admin";
import { auditOf, createReferent, createRoundTable } from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { outboxFor, projectsOfBody } from "../../support/db-queries";

const msnaPlaces = () => getNetworkFigures(getDb()).byCategory.find((c) => c.category === "MSNA")!;

async function enteWithSuccessorScheda(state: "unconfirmed" | "pending") {
  const current = await createReferent({ provinceCode: "086", category: "ordinari" });
  const before = { figures: getNetworkFigures(getDb()), msna: msnaPlaces() };
  const successor = await createReferent({
    state,
    fields: {
      municipalityCode: current.fields.municipalityCode,
      fiscalCode: current.fields.fiscalCode,
      firstName: "Subentrante",
      "projects.0.category": "MSNA",
      "projects.0.fundedPlaces": "40",
    },
  });
  expect(successor.request.kind).toBe("handover");
  const declared = projectsOfBody(current.referent.memberBodyId).find((p) => p.requestId === successor.request.id)!;
  expect(declared).toMatchObject({ category: "MSNA", fundedPlaces: 40, closedAt: null });
  return { current, successor, declared, before };
}

const currentAccess = (r: Awaited<ReturnType<typeof createReferent>>): ReferentAccess => ({
  referentId: r.referent.id,
  memberBodyId: r.referent.memberBodyId,
  requestId: r.request.id,
  status: "active",
  email: r.email,
  firstName: r.fields.firstName,
  lastName: r.fields.lastName,
  bodyName: "Ente di prova",
});

describe("projects of a handover awaiting approval", () => {
  it.each(["unconfirmed", "pending"] as const)("(%s) count nowhere as the ente's: figures, invitations by tipologia, the current referente's area", async (state) => {
    const { current, declared, before } = await enteWithSuccessorScheda(state);
    expect(getNetworkFigures(getDb())).toEqual(before.figures);

    const rt = createRoundTable();
    const msnaRecipients = recipientsFor(getDb(), { roundTableId: rt.id, categories: ["MSNA"], sampleSize: 100_000 }).sample.map((r) => r.email);
    expect(msnaRecipients).not.toContain(current.email);

    const overview = getReferentOverview(getDb(), { access: currentAccess(current) })!;
    expect(overview.projects.map((p) => p.category)).toEqual(["ordinari"]);
    expect(getOwnProject(getDb(), { access: currentAccess(current), projectId: declared.id })).toBeUndefined();
  });

  it("(unconfirmed) stay out of the referente's own proposal of a successor, which carries only the ente's projects", async () => {
    const { current, declared, before } = await enteWithSuccessorScheda("unconfirmed");
    const successor = { firstName: "Paola", lastName: "Neri", role: "funzionario", office: "Servizi sociali", email: `proposta.${declared.id}@example.it`, phone: "091 7654321", mobile: "" };
    const proposed = proposeSuccessor(getDb(), { access: currentAccess(current), successor: successorSchema.parse(successor), appUrl: APP_URL });
    if (!proposed.ok) throw new Error(JSON.stringify(proposed));
    const token = String(outboxFor(successor.email).find((o) => o.template === "handover-proposal")!.props.confirmUrl).split("/").pop()!;
    expect(acceptHandover(getDb(), { token, appUrl: APP_URL }).state).toBe("valid");
    // The stranger's project still belongs to their scheda, and counts nowhere.
    expect(projectsOfBody(current.referent.memberBodyId).find((p) => p.id === declared.id)!.requestId).not.toBe(proposed.requestId);
    expect(getNetworkFigures(getDb())).toEqual(before.figures);
  });

  it("in the member list: not on the ente's approved row, but on the handover request's own row", async () => {
    const { current, successor } = await enteWithSuccessorScheda("pending");
    const rows = listMembershipRequests(getDb(), { filters: { q: current.email }, sort: { key: "created", direction: "desc" }, pageSize: 100 }).rows;
    expect(rows.find((r) => r.id === current.request.id)).toMatchObject({ openProjects: 1, fundedPlaces: 25 });
    const own = listMembershipRequests(getDb(), { filters: { q: successor.email }, sort: { key: "created", direction: "desc" }, pageSize: 100 }).rows;
    expect(own.find((r) => r.id === successor.request.id)).toMatchObject({ openProjects: 2, fundedPlaces: 65 });
  });

  it("who sent the scheda sees, while it waits, only the projects they declared, and not who the current referente is", async () => {
    const { current, successor } = await enteWithSuccessorScheda("pending");
    const access: ReferentAccess = { ...currentAccess(successor), status: "pending" };
    const overview = getReferentOverview(getDb(), { access })!;
    expect(overview.projects.map((p) => [p.category, p.fundedPlaces])).toEqual([["MSNA", 40]]);
    expect(overview.statusText).toContain("è in attesa dell'approvazione");
    expect(overview.statusText).not.toContain(current.fields.lastName);
  });

  it("count once the handover is approved (replacing the ente's), and never if it is rejected", async () => {
    const coordinatorId = createTestCoordinator().id;
    const approved = await enteWithSuccessorScheda("pending");
    expect(approveMembership(getDb(), { id: approved.successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    expect(msnaPlaces()).toEqual({ category: "MSNA", projects: approved.before.msna.projects + 1, places: approved.before.msna.places + 40 });

    const rejected = await enteWithSuccessorScheda("pending");
    expect(rejectMembership(getDb(), { id: rejected.successor.request.id, coordinatorId, appUrl: APP_URL, reason: "Non è il nuovo referente" })).toEqual({ ok: true });
    expect(getNetworkFigures(getDb())).toEqual(rejected.before.figures);
    expect(getReferentOverview(getDb(), { access: currentAccess(rejected.current) })!.projects.map((p) => p.category)).toEqual(["ordinari"]);
  });
});

// QA: a change of referente whose scheda declares the project the ente already has (the form asks
// for at least one) listed it twice in the referent area and counted it twice in the figures
// (decision 021). Comune di Palermo's MSNA project, as both schede declare it.
const PALERMO_MSNA = {
  "projects.0.category": "MSNA",
  "projects.0.fundedPlaces": "12",
  "projects.0.projectCode": "",
  "projects.0.managingOrganization": "Coop",
  "projects.0.startDate": "2024-01-01",
  "projects.0.endDate": "2027-12-31",
};

async function handoverDeclaringAgain(declared: Record<string, string>) {
  const current = await createReferent({ provinceCode: "082", fields: PALERMO_MSNA });
  const before = getNetworkFigures(getDb());
  const successor = await createReferent({
    state: "pending",
    fields: { municipalityCode: current.fields.municipalityCode, fiscalCode: current.fields.fiscalCode, firstName: "Subentrante", ...PALERMO_MSNA, ...declared },
  });
  expect(successor.request.kind).toBe("handover");
  return { current, successor, before, successorAccess: { ...currentAccess(successor), status: "active" as const } };
}

const projectsShown = (access: ReferentAccess) =>
  getReferentOverview(getDb(), { access })!.projects.map((p) => [p.category, p.fundedPlaces, p.managingOrganization, p.closedAt === null]);

describe("a handover declaring a project the ente already has", () => {
  it("keeping the ente's projects, does not add it again: counted once in the figures, listed once in the successor's area", async () => {
    const { current, successor, before, successorAccess } = await handoverDeclaringAgain({});
    const coordinatorId = createTestCoordinator().id;
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });

    expect(getNetworkFigures(getDb())).toEqual(before);
    expect(projectsShown(successorAccess)).toEqual([["MSNA", 12, "Coop", true]]);
    // The declared copy stays with the scheda, closed and marked, but is none of the ente's projects.
    const declared = projectsOfBody(current.referent.memberBodyId).find((p) => p.requestId === successor.request.id)!;
    expect(declared).toMatchObject({ alreadyRegistered: true, closedAt: expect.any(Date) });
    expect(getOwnProject(getDb(), { access: successorAccess, projectId: declared.id })).toBeUndefined();
    const details = auditOf("membership.handover_approved", successor.request.id)[0].details;
    expect(details).toMatchObject({ alreadyRegisteredProjects: 1, closedProjects: 0 });
    // The log words every detail of the approval in Italian, none by its field name.
    const keys = auditDetailPairs(details).map((pair) => pair.key);
    expect(keys).toEqual(expect.arrayContaining(["progetti dell'ente chiusi (sostituiti)", "progetti dichiarati già registrati, non aggiunti"]));
    expect(keys.filter((key) => /[a-z][A-Z]/.test(key))).toEqual([]);
  });

  it("tells the same project by its ente attuatore whatever the case and spaces, and its code whatever the case and spaces", async () => {
    const current = await createReferent({ provinceCode: "082", fields: { ...PALERMO_MSNA, "projects.0.projectCode": "PROG-12 PR-3" } });
    const before = getNetworkFigures(getDb());
    const successor = await createReferent({
      state: "pending",
      fields: {
        municipalityCode: current.fields.municipalityCode,
        fiscalCode: current.fields.fiscalCode,
        ...PALERMO_MSNA,
        "projects.0.projectCode": "prog-12pr-3",
        "projects.0.managingOrganization": "  COOP ",
      },
    });
    const coordinatorId = createTestCoordinator().id;
    expect(approveMemberships(getDb(), { ids: [successor.request.id], coordinatorId, appUrl: APP_URL })).toMatchObject({ approved: [successor.request.id] });
    expect(getNetworkFigures(getDb())).toEqual(before);
  });

  it.each([
    ["tipologia", { "projects.0.category": "ordinari" }],
    ["ente attuatore", { "projects.0.managingOrganization": "Coop Due" }],
    ["data di inizio", { "projects.0.startDate": "2024-01-02" }],
  ])("a project differing in its %s is another project: it is added", async (_field, declared) => {
    const { successor, before, successorAccess } = await handoverDeclaringAgain(declared);
    const coordinatorId = createTestCoordinator().id;
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    expect(getNetworkFigures(getDb()).projects).toBe(before.projects + 1);
    expect(projectsShown(successorAccess)).toHaveLength(2);
    expect(auditOf("membership.handover_approved", successor.request.id)[0].details).toMatchObject({ alreadyRegisteredProjects: 0 });
  });

  // QA: Comune di Marsala's new referente declared the ente's project with a later end date; the
  // approval kept both, and the list said «2 progetti · 60 posti».
  it.each([
    ["posti finanziati", { "projects.0.fundedPlaces": "13" }, { fundedPlaces: 13 }],
    ["data di fine (extended)", { "projects.0.endDate": "2029-12-31" }, { endDate: "2029-12-31" }],
    ["codice progetto, the ente's having none", { "projects.0.projectCode": "PROG-12-PR-3" }, { projectCode: "PROG-12-PR-3" }],
  ])("the same project with a newer %s updates the ente's: not added, its values taken", async (_field, declared, updated) => {
    const { current, successor, before, successorAccess } = await handoverDeclaringAgain(declared);
    const coordinatorId = createTestCoordinator().id;
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    expect(getNetworkFigures(getDb()).projects).toBe(before.projects);
    const own = projectsOfBody(current.referent.memberBodyId).find((p) => p.requestId === current.request.id)!;
    expect(own).toMatchObject({ closedAt: null, ...updated });
    expect(projectsShown(successorAccess)).toHaveLength(1);
    expect(auditOf("membership.handover_approved", successor.request.id)[0].details).toMatchObject({ alreadyRegisteredProjects: 1, updatedProjects: 1 });
    const correction = auditOf("sai_project.updated", successor.request.id)[0];
    expect(correction).toMatchObject({ actorType: "coordinator", actorId: coordinatorId });
    expect(correction.details).toMatchObject({ projectId: own.id, after: updated });
  });

  it("a project named with other host comuni is the ente's, which takes them", async () => {
    const { current, successor, before } = await handoverDeclaringAgain({});
    const own = projectsOfBody(current.referent.memberBodyId).find((p) => p.requestId === current.request.id)!;
    const declared = projectsOfBody(current.referent.memberBodyId).find((p) => p.requestId === successor.request.id)!;
    getDb().insert(projectHostMunicipalities).values({ projectId: own.id, municipalityCode: current.fields.municipalityCode }).run();
    getDb().insert(projectHostMunicipalities).values({ projectId: declared.id, municipalityCode: "082001" }).run();
    const coordinatorId = createTestCoordinator().id;
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    expect(getNetworkFigures(getDb()).projects).toBe(before.projects);
    const hosts = getDb().select().from(projectHostMunicipalities).where(eq(projectHostMunicipalities.projectId, own.id)).all();
    expect(hosts.map((h) => h.municipalityCode)).toEqual(["082001"]);
  });

  it("replacing the ente's projects, the declared one takes their place, as before", async () => {
    const { current, successor, before, successorAccess } = await handoverDeclaringAgain({});
    const coordinatorId = createTestCoordinator().id;
    expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL, replaceProjects: true })).toEqual({ ok: true });
    expect(getNetworkFigures(getDb())).toEqual(before);
    const projects = projectsOfBody(current.referent.memberBodyId);
    expect(projects.map((p) => [p.requestId, p.closedAt === null, p.alreadyRegistered])).toEqual([
      [current.request.id, false, false],
      [successor.request.id, true, false],
    ]);
    expect(projectsShown(successorAccess)).toEqual([
      ["MSNA", 12, "Coop", true],
      ["MSNA", 12, "Coop", false],
    ]);
  });
});
