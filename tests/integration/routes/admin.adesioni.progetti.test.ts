import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, membershipRequests, saiProjects } from "#db/schema";
import { getPublicHomeData } from "~/models/figures.server";
import type { MembershipRequestDetail } from "~/models/membership-detail.server";
import * as detailPage from "~/routes/admin.adesioni.$id";
import * as projectPage from "~/routes/admin.adesioni.$id_.progetti.$projectId";
import * as newProjectPage from "~/routes/admin.adesioni.$id_.progetti.nuovo";
import * as referentProjectPage from "~/routes/area-referente.progetti.$id";
import { approveMembership } from "~/models/membership-review.server";
import { getDb } from "~/utils/db.server";
import { todayInItaly } from "~/validation/project-closure";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { countRows } from "../../support/db-queries";
import { createReferent, referentCookie, referentPost, type TestReferent } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";

// A coordinator corrects the SAI projects of an ente from the page of one of its requests
// (/admin/adesioni/:id/progetti/nuovo and /admin/adesioni/:id/progetti/:projectId).

let coordinator: ReturnType<typeof createTestCoordinator>;
beforeAll(() => {
  coordinator = createTestCoordinator({ name: "Giulia Bianchi" });
});

const projectFields = (overrides: Record<string, string> = {}) => ({
  category: "MSNA",
  fundedPlaces: "12",
  projectCode: "PROG-9-PR-1",
  managingOrganization: "Associazione Esempio",
  startDate: "2024-01-01",
  endDate: "2027-12-31",
  ...overrides,
});

const projectsOf = (memberBodyId: number) => getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, memberBodyId)).orderBy(saiProjects.id).all();
const projectRow = (id: number) => getDb().select().from(saiProjects).where(eq(saiProjects.id, id)).get()!;
const auditCount = () => getDb().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;
const projectAudit = () =>
  getDb()
    .select()
    .from(auditLog)
    .all()
    .filter((a) => a.action.startsWith("sai_project.") && a.actorType === "coordinator");
const lastAudit = () => projectAudit().at(-1)!;

/**
 * The project declared with the referente's scheda ("ordinari", 25 places, PROG-1776-PR-3). (The
 * factory's comuni repeat after 20 enti: then the scheda is a handover of an earlier ente, which
 * already has that project open, and its approval did not add it again (decision 021): the ente's is the one.)
 */
const firstProject = (r: TestReferent) => {
  const projects = projectsOf(r.memberBodyId);
  const declared = projects.find((p) => p.requestId === r.requestId)!;
  return declared.alreadyRegistered ? projects.find((p) => !p.closedAt && p.projectCode === declared.projectCode)! : declared;
};

const editPath = (requestId: number | string, projectId: number | string) => `/admin/adesioni/${requestId}/progetti/${projectId}`;
const editParams = (requestId: number | string, projectId: number | string) => ({ id: String(requestId), projectId: String(projectId) });

async function viewProject(requestId: number | string, projectId: number | string, coordinatorId: number | null = coordinator.id) {
  return settle(async () => projectPage.loader(routeArgs(await adminGet(editPath(requestId, projectId), coordinatorId), editParams(requestId, projectId))));
}
async function postProject(requestId: number | string, projectId: number | string, fields: Record<string, string>, coordinatorId: number | null = coordinator.id) {
  return settle(async () => projectPage.action(routeArgs(await adminPost(editPath(requestId, projectId), fields, coordinatorId), editParams(requestId, projectId))));
}
async function viewNew(requestId: number | string, coordinatorId: number | null = coordinator.id) {
  const path = `/admin/adesioni/${requestId}/progetti/nuovo`;
  return settle(async () => newProjectPage.loader(routeArgs(await adminGet(path, coordinatorId), { id: String(requestId) })));
}
async function postNew(requestId: number | string, fields: Record<string, string>, coordinatorId: number | null = coordinator.id) {
  const path = `/admin/adesioni/${requestId}/progetti/nuovo`;
  return settle(async () => newProjectPage.action(routeArgs(await adminPost(path, fields, coordinatorId), { id: String(requestId) })));
}
async function detailOf(id: number, query = "") {
  const response = await settle(async () => detailPage.loader(routeArgs(await adminGet(`/admin/adesioni/${id}${query}`, coordinator.id), { id: String(id) })));
  expect(response.status).toBe(200);
  return (await response.json()) as { detail: MembershipRequestDetail; outcome: string | null };
}
async function errorsOf(response: Response) {
  expect(response.status).toBe(400);
  return (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
}
const expectRedirect = (response: Response, location: string) => {
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe(location);
};

describe("authorization", () => {
  it("sends anonymous visitors (and referenti) to /login from every page and action, changing nothing", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const rows = countRows();
    const audits = auditCount();
    const before = JSON.stringify(projectsOf(r.memberBodyId));
    const expectLogin = (response: Response, path: string) => expectRedirect(response, `/login?redirectTo=${encodeURIComponent(path)}`);
    // A form sent without a session: the sign-in page says that nothing was saved.
    const expectLoginAfterForm = (response: Response, path: string) =>
      expectRedirect(response, `/login?redirectTo=${encodeURIComponent(path)}&esito=sessione-scaduta`);

    expectLogin(await viewProject(r.requestId, project.id, null), editPath(r.requestId, project.id));
    expectLoginAfterForm(await postProject(r.requestId, project.id, { intent: "save", ...projectFields() }, null), editPath(r.requestId, project.id));
    expectLoginAfterForm(await postProject(r.requestId, project.id, { intent: "close", closedOn: "2025-01-31" }, null), editPath(r.requestId, project.id));
    expectLoginAfterForm(await postProject(r.requestId, project.id, { intent: "reopen" }, null), editPath(r.requestId, project.id));
    expectLogin(await viewNew(r.requestId, null), `/admin/adesioni/${r.requestId}/progetti/nuovo`);
    expectLoginAfterForm(await postNew(r.requestId, projectFields(), null), `/admin/adesioni/${r.requestId}/progetti/nuovo`);

    // The ente's own referente, signed in to the referent area, is no coordinator.
    const { cookie } = await referentCookie(r.referentId);
    const asReferent = await referentPost(editPath(r.requestId, project.id), { intent: "save", ...projectFields() }, cookie);
    expectLoginAfterForm(await settle(() => projectPage.action(routeArgs(asReferent, editParams(r.requestId, project.id)))), editPath(r.requestId, project.id));

    expect(JSON.stringify(projectsOf(r.memberBodyId))).toBe(before);
    expect(countRows()).toEqual(rows);
    expect(auditCount()).toBe(audits);
  });

  it("refuses a signed-in POST without the CSRF token (403), changing nothing", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const before = JSON.stringify(projectsOf(r.memberBodyId));
    const { cookie } = await sessionCookieFor(coordinator.id);
    for (const fields of [{ intent: "save", ...projectFields() }, { intent: "close", closedOn: "2025-01-31" }] as Record<string, string>[]) {
      const forged = new Request(`${APP_URL}${editPath(r.requestId, project.id)}`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
      });
      expect((await settle(() => projectPage.action(routeArgs(forged, editParams(r.requestId, project.id))))).status).toBe(403);
    }
    expect(JSON.stringify(projectsOf(r.memberBodyId))).toBe(before);
  });

  it("answers 404 for a project of another ente (IDOR), for unknown and malformed ids, with no validation oracle", async () => {
    const a = await createReferent("active");
    const b = await createReferent("active");
    const bProject = firstProject(b);
    const before = JSON.stringify(projectsOf(b.memberBodyId));
    const aProjects = projectsOf(a.memberBodyId).length;
    const audits = auditCount();

    // B's project through A's request: every page and action answers as for a project that does not exist.
    expect((await viewProject(a.requestId, bProject.id)).status).toBe(404);
    expect((await postProject(a.requestId, bProject.id, { intent: "save", ...projectFields({ fundedPlaces: "99" }) })).status).toBe(404);
    expect((await postProject(a.requestId, bProject.id, { intent: "save", ...projectFields({ fundedPlaces: "0" }) })).status).toBe(404);
    expect((await postProject(a.requestId, bProject.id, { intent: "close", closedOn: "2025-01-31" })).status).toBe(404);
    expect((await postProject(a.requestId, bProject.id, { intent: "close", closedOn: "" })).status).toBe(404);
    expect((await postProject(a.requestId, bProject.id, { intent: "reopen" })).status).toBe(404);
    const notFound = await viewProject(a.requestId, bProject.id);
    expect(((await notFound.json()) as { message: string }).message).toMatch(/^Il progetto che cerchi non esiste/);

    for (const [requestId, projectId] of [
      [999999, bProject.id],
      [b.requestId, 999999],
      ["abc", bProject.id],
      [b.requestId, "1e3"],
      [b.requestId, "-1"],
      [0, bProject.id],
    ] as const) {
      expect((await viewProject(requestId, projectId)).status, `${requestId}/${projectId}`).toBe(404);
      expect((await postProject(requestId, projectId, { intent: "save", ...projectFields() })).status, `${requestId}/${projectId}`).toBe(404);
    }
    expect((await viewNew(999999)).status).toBe(404);
    expect((await postNew(999999, projectFields())).status).toBe(404);
    expect((await postNew("x", projectFields())).status).toBe(404);

    expect(JSON.stringify(projectsOf(b.memberBodyId))).toBe(before);
    expect(projectsOf(a.memberBodyId)).toHaveLength(aProjects);
    expect(auditCount()).toBe(audits);
  });

  it("reaches the ente's projects through any of its requests, never another ente's", async () => {
    const current = await createReferent("active");
    const successor = await createReferent("pending", { municipalityCode: current.fields.municipalityCode, fiscalCode: current.fields.fiscalCode });
    expect(successor.memberBodyId).toBe(current.memberBodyId);
    const project = firstProject(current);
    expect((await viewProject(successor.requestId, project.id)).status).toBe(200);
  });
});

describe("/admin/adesioni/:id/progetti/:projectId", () => {
  it("shows the project's current values", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const response = await viewProject(r.requestId, project.id);
    expect(response.status).toBe(200);
    const data = (await response.json()) as { requestId: number; bodyName: string; closedOn: string | null; values: Record<string, string>; today: string };
    expect(data).toMatchObject({ requestId: r.requestId, closedOn: null, today: todayInItaly() });
    expect(data.values).toEqual({
      category: "ordinari",
      fundedPlaces: "25",
      projectCode: "PROG-1776-PR-3",
      managingOrganization: "Cooperativa Sociale Esempio",
      startDate: "2024-01-01",
      endDate: "2030-12-31",
    });
  });

  it("saves only the changed fields and audits them as the coordinator, with before and after", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const response = await postProject(r.requestId, project.id, {
      intent: "save",
      category: "ordinari",
      fundedPlaces: "30",
      projectCode: "PROG-1776-PR-4",
      managingOrganization: "Cooperativa Sociale Esempio",
      startDate: "2024-01-01",
      endDate: "2030-12-31",
    });
    expectRedirect(response, `/admin/adesioni/${r.requestId}?esito=progetto-modificato`);

    // The correction keeps the request that declared the project.
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: 30, projectCode: "PROG-1776-PR-4", requestId: project.requestId, closedAt: null });
    const entry = lastAudit();
    expect(entry).toMatchObject({
      actorType: "coordinator",
      actorId: coordinator.id,
      action: "sai_project.updated",
      entityType: "membership_request",
      entityId: String(r.requestId),
    });
    expect(entry.details).toEqual({
      memberBodyId: r.memberBodyId,
      projectId: project.id,
      before: { fundedPlaces: 25, projectCode: "PROG-1776-PR-3" },
      after: { fundedPlaces: 30, projectCode: "PROG-1776-PR-4" },
    });

    // On the request's page: the message, and the change in the Registro with the form's labels.
    const { detail, outcome } = await detailOf(r.requestId, "?esito=progetto-modificato");
    expect(outcome).toBe("Il progetto è stato aggiornato.");
    expect(detail.audit[0]).toMatchObject({ action: "sai_project.updated", actionLabel: "Ha modificato un progetto SAI", actorLabel: "Giulia Bianchi" });
    // Which project: by its name now (the ente may have several).
    expect(detail.audit[0].project).toBe("Ordinari PROG-1776-PR-4");
    expect(detail.audit[0].changes).toEqual([
      { field: "fundedPlaces", label: "Posti finanziati", before: "25", after: "30" },
      { field: "projectCode", label: "Codice progetto", before: "PROG-1776-PR-3", after: "PROG-1776-PR-4" },
    ]);
  });

  it("shows the tipologia by its label and dates as dd/mm/yyyy in the Registro; an empty code is stored as none", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const response = await postProject(r.requestId, project.id, { intent: "save", ...projectFields({ projectCode: "  ", startDate: "2024-02-01" }) });
    expect(response.status).toBe(302);
    expect(projectRow(project.id)).toMatchObject({ category: "MSNA", projectCode: null, startDate: "2024-02-01", endDate: "2027-12-31" });
    const { detail } = await detailOf(r.requestId);
    expect(detail.audit[0].changes).toEqual([
      { field: "category", label: "Tipologia", before: "Ordinari", after: "MSNA (minori stranieri non accompagnati)" },
      { field: "fundedPlaces", label: "Posti finanziati", before: "25", after: "12" },
      { field: "projectCode", label: "Codice progetto", before: "PROG-1776-PR-3", after: null },
      { field: "managingOrganization", label: "Ente attuatore", before: "Cooperativa Sociale Esempio", after: "Associazione Esempio" },
      { field: "startDate", label: "Data di inizio", before: "01/01/2024", after: "01/02/2024" },
      { field: "endDate", label: "Data di fine", before: "31/12/2030", after: "31/12/2027" },
    ]);
  });

  it("saving unchanged values stores and audits nothing", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const values = ((await (await viewProject(r.requestId, project.id)).json()) as { values: Record<string, string> }).values;
    const audits = auditCount();
    const response = await postProject(r.requestId, project.id, { intent: "save", ...values });
    expectRedirect(response, `/admin/adesioni/${r.requestId}?esito=progetto-invariato`);
    expect(projectRow(project.id)).toEqual(project);
    expect(auditCount()).toBe(audits);
  });

  it("refuses invalid values (and an unknown action) with 400, Italian field messages and the input kept; nothing is stored", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const audits = auditCount();
    const body = await errorsOf(
      await postProject(r.requestId, project.id, {
        intent: "save",
        ...projectFields({ category: "altro", fundedPlaces: "0", managingOrganization: " ", startDate: "2024-02-30", endDate: "2023-01-01" }),
      }),
    );
    expect(body.errors).toEqual({
      category: "Scegli la tipologia del progetto",
      fundedPlaces: "I posti finanziati devono essere almeno 1",
      managingOrganization: "Indica l'ente attuatore",
      // The end is compared with no date: the start's own error says what to fix.
      startDate: "Data non valida: usa il formato gg/mm/aaaa",
    });
    expect(body.values).toMatchObject({ fundedPlaces: "0", category: "altro" });
    expect((await errorsOf(await postProject(r.requestId, project.id, { intent: "save", ...projectFields({ endDate: "2023-12-31" }) }))).errors).toEqual({
      endDate: "La data di fine deve essere successiva alla data di inizio",
    });
    expect((await errorsOf(await postProject(r.requestId, project.id, { intent: "save", ...projectFields({ fundedPlaces: "dodici" }) }))).errors).toEqual({
      fundedPlaces: "I posti finanziati sono un numero intero, ad esempio 25",
    });
    const unknown = await postProject(r.requestId, project.id, { intent: "delete" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { formError: string }).formError).toBe("Azione non riconosciuta: ricarica la pagina e riprova.");
    expect(projectRow(project.id)).toEqual(project);
    expect(auditCount()).toBe(audits);
  });
});

describe("Chiudi il progetto / Riapri il progetto", () => {
  it("closes on the given day (from its start in Italy), audited; the project drops out of the public figures; reopening undoes it", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const figures = getPublicHomeData(getDb()).figures;

    const response = await postProject(r.requestId, project.id, { intent: "close", closedOn: "2025-06-30" });
    expectRedirect(response, `/admin/adesioni/${r.requestId}?esito=progetto-chiuso`);
    expect(projectRow(project.id).closedAt).toEqual(new Date("2025-06-29T22:00:00.000Z"));
    expect(lastAudit()).toMatchObject({ actorType: "coordinator", actorId: coordinator.id, action: "sai_project.closed", entityId: String(r.requestId) });
    expect(lastAudit().details).toEqual({
      memberBodyId: r.memberBodyId,
      projectId: project.id,
      before: { closedAt: null },
      after: { closedAt: "2025-06-29T22:00:00.000Z" },
    });

    // The home page's figures are cached by a fingerprint of the database: the closure shows at once.
    const afterClosure = getPublicHomeData(getDb()).figures;
    expect(afterClosure.projects).toBe(figures.projects - 1);
    expect(afterClosure.places).toBe(figures.places - 25);

    const { detail, outcome } = await detailOf(r.requestId, "?esito=progetto-chiuso");
    expect(outcome).toBe("Il progetto è stato chiuso: non conta più tra i progetti attivi.");
    expect(detail.audit[0]).toMatchObject({ actionLabel: "Ha chiuso un progetto SAI", actorLabel: "Giulia Bianchi", project: "Ordinari PROG-1776-PR-3" });
    expect(detail.audit[0].changes).toEqual([{ field: "closedAt", label: "Data di chiusura", before: null, after: "30 giugno 2025" }]);
    const page = (await (await viewProject(r.requestId, project.id)).json()) as { closedOn: string | null };
    expect(page.closedOn).toBe("30 giugno 2025");

    // Closed twice: refused with a message, nothing written.
    const audits = auditCount();
    const again = await postProject(r.requestId, project.id, { intent: "close", closedOn: "2025-07-01" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { formError: string }).formError).toBe("Il progetto è già chiuso.");
    expect(auditCount()).toBe(audits);

    // A coordinator may still correct a closed project.
    expect((await postProject(r.requestId, project.id, { intent: "save", ...projectFields() })).status).toBe(302);
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: 12, closedAt: new Date("2025-06-29T22:00:00.000Z") });

    expectRedirect(await postProject(r.requestId, project.id, { intent: "reopen" }), `/admin/adesioni/${r.requestId}?esito=progetto-riaperto`);
    expect(projectRow(project.id).closedAt).toBeNull();
    expect(lastAudit()).toMatchObject({ action: "sai_project.reopened", actorType: "coordinator", actorId: coordinator.id });
    expect(lastAudit().details).toMatchObject({ before: { closedAt: "2025-06-29T22:00:00.000Z" }, after: { closedAt: null } });
    expect(getPublicHomeData(getDb()).figures).toMatchObject({ projects: figures.projects, places: figures.places - 25 + 12 });
    const reopenedAgain = await postProject(r.requestId, project.id, { intent: "reopen" });
    expect(reopenedAgain.status).toBe(409);
    expect(((await reopenedAgain.json()) as { formError: string }).formError).toBe("Il progetto è già aperto.");
  });

  it("a project a handover scheda declared again, not added at the approval: its page says so; reopening it makes it one of the ente's", async () => {
    const r = await createReferent("active");
    // The successor's scheda declares the ente's project as it is (the factory's).
    const successor = await createReferent("pending", { municipalityCode: r.fields.municipalityCode, fiscalCode: r.fields.fiscalCode, firstName: "Salvatore" });
    expect(approveMembership(getDb(), { id: successor.requestId, coordinatorId: coordinator.id, appUrl: APP_URL })).toEqual({ ok: true });
    const declared = projectsOf(successor.memberBodyId).find((p) => p.requestId === successor.requestId)!;
    expect(declared).toMatchObject({ alreadyRegistered: true, closedAt: expect.any(Date) });
    const figures = getPublicHomeData(getDb()).figures;

    const { html } = await renderRoute(projectPage, await adminGet(editPath(successor.requestId, declared.id), coordinator.id), "/admin/adesioni/:id/progetti/:projectId");
    expect(html).toContain("Il progetto, dichiarato nella scheda, era già registrato per l&#x27;ente");
    expect(html).not.toContain("Il progetto è chiuso dal");

    expectRedirect(await postProject(successor.requestId, declared.id, { intent: "reopen" }), `/admin/adesioni/${successor.requestId}?esito=progetto-riaperto`);
    expect(projectRow(declared.id)).toMatchObject({ alreadyRegistered: false, closedAt: null });
    expect(getPublicHomeData(getDb()).figures).toMatchObject({ projects: figures.projects + 1, places: figures.places + 25 });
  });

  it("refuses a missing, impossible or future date and one before the project's start: 400, Italian messages, nothing closed", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const audits = auditCount();
    const tomorrow = new Date(Date.now() + 36 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const cases: [string, string][] = [
      ["", "Indica la data di chiusura del progetto"],
      ["31 dicembre 2025", "Data non valida: usa il formato gg/mm/aaaa"],
      ["2025-02-29", "Data non valida: usa il formato gg/mm/aaaa"],
      [tomorrow, "La data di chiusura non può essere successiva a oggi"],
      ["2023-12-31", "La data di chiusura non può precedere la data di inizio del progetto (01/01/2024)"],
    ];
    for (const [closedOn, message] of cases) {
      const body = await errorsOf(await postProject(r.requestId, project.id, { intent: "close", closedOn }));
      expect(body.errors, closedOn).toEqual({ closedOn: message });
      expect(body.values).toEqual({ closedOn });
    }
    expect(projectRow(project.id).closedAt).toBeNull();
    expect(auditCount()).toBe(audits);
    // Today is accepted (the day the project started too: see below).
    expect((await postProject(r.requestId, project.id, { intent: "close", closedOn: todayInItaly() })).status).toBe(302);
  });

  it("after a coordinator's closure, the referente can no longer change the project", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    expect((await postProject(r.requestId, project.id, { intent: "close", closedOn: "2024-01-01" })).status).toBe(302);
    const { cookie } = await referentCookie(r.referentId);
    const request = await referentPost(`/area-referente/progetti/${project.id}`, projectFields(), cookie);
    // 409: what was sent is given back, unsaved, with the closed project's page (area-referente.test.ts).
    expect((await settle(() => referentProjectPage.action(routeArgs(request, { id: String(project.id) })))).status).toBe(409);
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: project.fundedPlaces, managingOrganization: project.managingOrganization });
  });
});

describe("/admin/adesioni/:id/progetti/nuovo", () => {
  it("adds a project to the ente, audited as the coordinator; the public figures count it at once", async () => {
    const r = await createReferent("active");
    expect((await viewNew(r.requestId)).status).toBe(200);
    const other = await createReferent("active");
    const figures = getPublicHomeData(getDb()).figures;
    const count = projectsOf(r.memberBodyId).length;

    // The ente is the request's: an ente named in the form is ignored.
    const response = await postNew(r.requestId, { ...projectFields(), memberBodyId: String(other.memberBodyId) });
    expectRedirect(response, `/admin/adesioni/${r.requestId}?esito=progetto-aggiunto`);
    const projects = projectsOf(r.memberBodyId);
    expect(projects).toHaveLength(count + 1);
    expect(projectsOf(other.memberBodyId).filter((p) => p.projectCode === "PROG-9-PR-1")).toEqual([]);
    const added = projects.at(-1)!;
    // An approved ente with no open request: the project belongs to no request.
    expect(added).toMatchObject({ category: "MSNA", fundedPlaces: 12, projectCode: "PROG-9-PR-1", managingOrganization: "Associazione Esempio", requestId: null, closedAt: null });
    expect(lastAudit()).toMatchObject({ action: "sai_project.added", actorType: "coordinator", actorId: coordinator.id, entityId: String(r.requestId) });
    expect(lastAudit().details).toEqual({
      memberBodyId: r.memberBodyId,
      projectId: added.id,
      after: { category: "MSNA", fundedPlaces: 12, projectCode: "PROG-9-PR-1", managingOrganization: "Associazione Esempio", startDate: "2024-01-01", endDate: "2027-12-31" },
    });
    const msna = (f: typeof figures) => f.byCategory.find((c) => c.category === "MSNA")!;
    const now = getPublicHomeData(getDb()).figures;
    expect(now).toMatchObject({ projects: figures.projects + 1, places: figures.places + 12 });
    expect(msna(now)).toEqual({ category: "MSNA", projects: msna(figures).projects + 1, places: msna(figures).places + 12 });

    const { detail, outcome } = await detailOf(r.requestId, "?esito=progetto-aggiunto");
    expect(outcome).toBe("Il progetto è stato aggiunto.");
    expect(detail.audit[0]).toMatchObject({ actionLabel: "Ha aggiunto un progetto SAI" });
    expect(detail.audit[0].changes).toContainEqual({ field: "fundedPlaces", label: "Posti finanziati", before: null, after: "12" });
    expect(detail.projects.map((p) => p.id)).toContain(added.id);
  });

  it("joins a project added while the ente's request awaits approval to that request, so approving it keeps the project", async () => {
    const current = await createReferent("active");
    const successor = await createReferent("pending", { municipalityCode: current.fields.municipalityCode, fiscalCode: current.fields.fiscalCode });
    // Added from the page of the ente's earlier (approved) request: the open handover still gets it.
    expect((await postNew(current.requestId, projectFields())).status).toBe(302);
    const added = projectsOf(current.memberBodyId).at(-1)!;
    expect(added.requestId).toBe(successor.requestId);
    const request = getDb().select().from(membershipRequests).where(eq(membershipRequests.id, successor.requestId)).get()!;
    expect(request.status).toBe("pending");
  });

  it("refuses invalid values with 400 and Italian messages; nothing is added", async () => {
    const r = await createReferent("active");
    const audits = auditCount();
    const count = projectsOf(r.memberBodyId).length;
    const body = await errorsOf(await postNew(r.requestId, projectFields({ category: "", fundedPlaces: "", startDate: "", endDate: "" })));
    expect(body.errors).toEqual({
      category: "Scegli la tipologia del progetto",
      fundedPlaces: "Indica il numero dei posti finanziati",
      startDate: "Indica la data di inizio",
      endDate: "Indica la data di fine",
    });
    expect(body.values).toMatchObject({ managingOrganization: "Associazione Esempio" });
    expect(projectsOf(r.memberBodyId)).toHaveLength(count);
    expect(auditCount()).toBe(audits);
  });
});

describe("the pages, as the server renders them (without JavaScript)", () => {
  it("the request's page links every project to its correction and offers Aggiungi progetto", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const { html } = await renderRoute(detailPage as never, await adminGet(`/admin/adesioni/${r.requestId}`, coordinator.id), "/admin/adesioni/:id");
    expect(html).toContain(`href="/admin/adesioni/${r.requestId}/progetti/nuovo"`);
    expect(html).toMatch(/>Aggiungi progetto</);
    expect(html).toContain(`href="/admin/adesioni/${r.requestId}/progetti/${project.id}">Modifica<span class="visually-hidden"> il progetto Ordinari PROG-1776-PR-3</span>`);
  });

  it("the project's page: the form with the scheda's labels, then Chiudi il progetto or, once closed, Riapri il progetto", async () => {
    const r = await createReferent("active");
    const project = firstProject(r);
    const path = editPath(r.requestId, project.id);
    const open = await renderRoute(projectPage as never, await adminGet(path, coordinator.id), "/admin/adesioni/:id/progetti/:projectId");
    expect(open.status).toBe(200);
    // Named, since an ente can have several projects: by its tipologia and code.
    expect(open.html).toMatch(/<h1>Modifica progetto Ordinari PROG-1776-PR-3: Comune di [^<]+<\/h1>/);
    expect(open.title).toMatch(/^Modifica progetto Ordinari PROG-1776-PR-3: Comune di .+ - Area coordinatori - Coordinamento SAI$/);
    for (const label of ["Tipologia", "Posti finanziati", "Codice progetto (facoltativo)", "Ente attuatore", "Data di inizio", "Data di fine", "Data di chiusura"]) {
      expect(open.html).toMatch(new RegExp(`<label for="[^"]+">${label.replace(/[()]/g, "\\$&")}</label>`));
    }
    expect(open.html).toContain('value="PROG-1776-PR-3"');
    expect(open.html).toContain(`value="${todayInItaly()}"`);
    expect(open.html).toContain('name="intent" value="close"');
    expect(open.html).toContain(`href="/admin/adesioni/${r.requestId}"`);
    expect(open.html).not.toContain("Riapri il progetto");

    expect((await postProject(r.requestId, project.id, { intent: "close", closedOn: "2025-03-15" })).status).toBe(302);
    const closed = await renderRoute(projectPage as never, await adminGet(path, coordinator.id), "/admin/adesioni/:id/progetti/:projectId");
    expect(closed.html).toContain("Il progetto è chiuso dal 15 marzo 2025");
    expect(closed.html).toContain('name="intent" value="reopen"');
    expect(closed.html).not.toContain('name="intent" value="close"');

    const added = await renderRoute(newProjectPage as never, await adminGet(`/admin/adesioni/${r.requestId}/progetti/nuovo`, coordinator.id), "/admin/adesioni/:id/progetti/nuovo");
    expect(added.html).toContain("<h1>Aggiungi progetto: ");
    expect(added.html).toMatch(/<button type="submit" class="btn btn-primary">Aggiungi progetto<\/button>/);
  });
});
