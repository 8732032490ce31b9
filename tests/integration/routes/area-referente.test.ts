import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, coordinators, referentEmailChanges, referents, saiProjects } from "#db/schema";
import { listAuditEntries } from "~/models/audit.server";
import { getMembershipRequestDetail } from "~/models/membership-detail.server";
import { requestLoginCode } from "~/models/referent-login.server";
import { closeProjectAsCoordinator, projectVersionOf } from "~/models/sai-project.server";
import * as adminDetail from "~/routes/admin.adesioni.$id";
import * as overview from "~/routes/area-referente._index";
import * as contact from "~/routes/area-referente.dati";
import * as emailChange from "~/routes/area-referente.email._index";
import * as emailConfirm from "~/routes/area-referente.email.conferma.$token";
import * as editProject from "~/routes/area-referente.progetti.$id";
import * as newProject from "~/routes/area-referente.progetti.nuovo";
import { formatDateIt, italianIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { adminGet, settle } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import { createReferent, referentCookie, referentGet, referentPost } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

type RouteModule = { loader?: (args: never) => unknown; action?: (args: never) => unknown };
const get = (mod: RouteModule, path: string, cookie: string | null, params: Record<string, string> = {}) =>
  settle(() => (mod.loader as (a: unknown) => unknown)(routeArgs(referentGet(path, cookie), params)));
const post = async (mod: RouteModule, path: string, fields: Record<string, string>, cookie: string | null, params: Record<string, string> = {}) => {
  const request = await referentPost(path, fields, cookie);
  return settle(() => (mod.action as (a: unknown) => unknown)(routeArgs(request, params)));
};

const contactFields = (overrides: Record<string, string> = {}) => ({
  firstName: "Maria",
  lastName: "Rossi",
  role: "dirigente",
  office: "Servizi sociali",
  phone: "091 1234567",
  mobile: "",
  ...overrides,
});

const projectFields = (overrides: Record<string, string> = {}) => ({
  category: "MSNA",
  fundedPlaces: "12",
  projectCode: "PROG-9-PR-1",
  managingOrganization: "Associazione Esempio",
  startDate: "2025-01-01",
  endDate: "2027-12-31",
  ...overrides,
});

const projectsOf = (memberBodyId: number) => getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, memberBodyId)).all();
const referentRow = (id: number) => getDb().select().from(referents).where(eq(referents.id, id)).get()!;
const adminId = () => getDb().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;

describe("isolation between enti (IDOR)", () => {
  it("referente A can neither read nor change nor close B's projects by id", async () => {
    const a = await createReferent("active");
    const b = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const bProject = projectsOf(b.memberBodyId)[0];
    const before = JSON.stringify(projectsOf(b.memberBodyId));

    expect((await get(editProject, `/area-referente/progetti/${bProject.id}`, cookie, { id: String(bProject.id) })).status).toBe(404);
    expect((await post(editProject, `/area-referente/progetti/${bProject.id}`, projectFields(), cookie, { id: String(bProject.id) })).status).toBe(404);
    expect((await post(editProject, `/area-referente/progetti/${bProject.id}`, { intent: "close" }, cookie, { id: String(bProject.id) })).status).toBe(404);
    // An invalid form for B's project answers the same 404 (no validation oracle).
    expect((await post(editProject, `/area-referente/progetti/${bProject.id}`, projectFields({ fundedPlaces: "0" }), cookie, { id: String(bProject.id) })).status).toBe(404);
    expect(JSON.stringify(projectsOf(b.memberBodyId))).toBe(before);

    // A's page shows A's ente and nothing of B.
    const page = await get(overview, "/area-referente", cookie);
    const text = await page.text();
    expect(text).toContain(a.fields.fiscalCode);
    expect(text).not.toContain(b.fields.fiscalCode);
    expect(text).not.toContain(b.email);
    expect(text).not.toContain(`"id":${bProject.id},`);
  });

  it("takes the ente and the referente from the session only: ids in the form are ignored", async () => {
    const a = await createReferent("active");
    const b = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const response = await post(contact, "/area-referente/dati", { ...contactFields({ phone: "091 7654321" }), referentId: String(b.referentId), memberBodyId: String(b.memberBodyId) }, cookie);
    expect(response.status).toBe(302);
    expect(referentRow(a.referentId).phone).toBe("+390917654321");
    expect(referentRow(b.referentId).phone).toBe("+390911234567");
    const added = await post(newProject, "/area-referente/progetti/nuovo", { ...projectFields(), memberBodyId: String(b.memberBodyId) }, cookie);
    expect(added.status).toBe(302);
    expect(projectsOf(b.memberBodyId)).toHaveLength(1);
    expect(projectsOf(a.memberBodyId)).toHaveLength(2);
  });

  it("sends visitors without a session to the sign-in page from every page and action", async () => {
    const a = await createReferent("active");
    const project = projectsOf(a.memberBodyId)[0];
    for (const [path, response] of [
      ["/area-referente", await get(overview, "/area-referente", null)],
      ["/area-referente/dati", await get(contact, "/area-referente/dati", null)],
      [`/area-referente/progetti/${project.id}`, await get(editProject, `/area-referente/progetti/${project.id}`, null, { id: String(project.id) })],
      ["/area-referente/dati", await post(contact, "/area-referente/dati", contactFields(), null)],
      [`/area-referente/progetti/${project.id}`, await post(editProject, `/area-referente/progetti/${project.id}`, { intent: "close" }, null, { id: String(project.id) })],
      ["/area-referente/progetti/nuovo", await post(newProject, "/area-referente/progetti/nuovo", projectFields(), null)],
      ["/area-referente/email", await post(emailChange, "/area-referente/email", { email: uniqueEmail() }, null)],
    ] as const) {
      expect(response.status).toBe(302);
      // The sign-in brings the person back to the page they asked for.
      expect(response.headers.get("Location")).toBe(`/area-referente/accedi?redirectTo=${encodeURIComponent(path)}`);
    }
    expect(projectsOf(a.memberBodyId)[0].closedAt).toBeNull();
  });

  it("refuses a change without the CSRF token", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const request = new Request(`${APP_URL}/area-referente/dati`, {
      method: "POST",
      body: new URLSearchParams(contactFields({ phone: "091 0000000" })),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
    });
    const response = await settle(() => contact.action(routeArgs(request)));
    expect(response.status).toBe(403);
    expect(referentRow(a.referentId).phone).toBe("+390911234567");
  });
});

describe("the area's tabs", () => {
  it("mark the page's section, the pages reached from «Il mio ente» included (the phone menu names it)", async () => {
    const r = await createReferent("active");
    const { cookie } = await referentCookie(r.referentId);
    const current = async (route: Parameters<typeof renderRoute>[0], path: string) => {
      const { html, status } = await renderRoute(route, referentGet(path, cookie));
      expect(status, path).toBe(200);
      const marked = [...html.matchAll(/<a [^>]*aria-current="page"[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
      const summary = html.match(/<summary>(.*?)<\/summary>/)?.[1].replace(/<[^>]+>/g, "");
      return { marked, summary };
    };
    // The tab and the menu's copy of it are both marked; the menu's summary names the section.
    expect(await current(overview, "/area-referente")).toEqual({ marked: ["Il mio ente", "Il mio ente"], summary: "Area referente: Il mio ente" });
    expect(await current(contact, "/area-referente/dati")).toEqual({ marked: ["Il mio ente", "Il mio ente"], summary: "Area referente: Il mio ente" });
    expect(await current(emailChange, "/area-referente/email")).toEqual({ marked: ["Il mio ente", "Il mio ente"], summary: "Area referente: Il mio ente" });
  });
});

describe("the referente's contact data", () => {
  it("validates with the scheda's rules, keeps the input and stores nothing on errors", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const response = await post(contact, "/area-referente/dati", contactFields({ phone: "12", firstName: " ", role: "papa" }), cookie);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(Object.keys(body.errors).sort()).toEqual(["firstName", "phone", "role"]);
    expect(body.values.phone).toBe("12");
    expect(referentRow(a.referentId)).toMatchObject({ firstName: "Maria", phone: "+390911234567" });
  });

  it("writes the changed fields, audits them before/after, and coordinators see it in the log and on the request", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const response = await post(contact, "/area-referente/dati", contactFields({ phone: "091 7654321", mobile: "333 1234567", office: "Ufficio SAI" }), cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/area-referente?esito=dati");
    expect(referentRow(a.referentId)).toMatchObject({ phone: "+390917654321", mobile: "+393331234567", office: "Ufficio SAI" });

    const entries = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "referent.updated"), eq(auditLog.actorId, a.referentId)))
      .all();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: "referent", entityType: "membership_request", entityId: String(a.requestId) });
    expect(entries[0].details).toEqual({
      memberBodyId: a.memberBodyId,
      referentId: a.referentId,
      before: { office: "Servizi sociali", phone: "+390911234567", mobile: null },
      after: { office: "Ufficio SAI", phone: "+390917654321", mobile: "+393331234567" },
    });

    const log = listAuditEntries(getDb(), { filters: { action: "referent.updated" } });
    const shown = log.entries.find((e) => e.id === entries[0].id)!;
    expect(shown.actorName).toBe("Maria Rossi (referente)");

    const detail = getMembershipRequestDetail(getDb(), { id: a.requestId, appUrl: APP_URL })!;
    expect(detail.audit.some((e) => e.action === "referent.updated" && e.actorType === "referent")).toBe(true);
    expect(detail.referent.phone).toBe("+390917654321");
    const page = await settle(async () => adminDetail.loader(routeArgs(await adminGet(`/admin/adesioni/${a.requestId}`, adminId()), { id: String(a.requestId) })));
    expect(await page.text()).toContain("+390917654321");

    // Saving the same values again changes and audits nothing.
    const again = await post(contact, "/area-referente/dati", contactFields({ phone: "091 7654321", mobile: "333 1234567", office: "Ufficio SAI" }), cookie);
    expect(again.headers.get("Location")).toBe("/area-referente?esito=dati-invariati");
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.action, "referent.updated"), eq(auditLog.actorId, a.referentId))).all()).toHaveLength(1);
  });
});

describe("the ente's projects", () => {
  it("adds, changes and closes a project with the scheda's rules, auditing each step", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);

    const invalid = await post(newProject, "/area-referente/progetti/nuovo", projectFields({ endDate: "2024-01-01", fundedPlaces: "0" }), cookie);
    expect(invalid.status).toBe(400);
    expect(Object.keys((await invalid.json()).errors).sort()).toEqual(["endDate", "fundedPlaces"]);
    expect(projectsOf(a.memberBodyId)).toHaveLength(1);

    expect((await post(newProject, "/area-referente/progetti/nuovo", projectFields(), cookie)).status).toBe(302);
    const created = projectsOf(a.memberBodyId).find((p) => p.projectCode === "PROG-9-PR-1")!;
    expect(created).toMatchObject({ category: "MSNA", fundedPlaces: 12, closedAt: null });

    const params = { id: String(created.id) };
    const form = await get(editProject, `/area-referente/progetti/${created.id}`, cookie, params);
    expect((await form.json()).values).toMatchObject({ fundedPlaces: "12", managingOrganization: "Associazione Esempio" });
    expect((await post(editProject, `/area-referente/progetti/${created.id}`, projectFields({ fundedPlaces: "15" }), cookie, params)).status).toBe(302);
    // Closing cannot be undone from the area: without the tick it is refused, with a message.
    const unconfirmed = await post(editProject, `/area-referente/progetti/${created.id}`, { intent: "close" }, cookie, params);
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.json()).toEqual({ intent: "close", errors: { confirm: "Spunta la conferma per chiudere il progetto" } });
    expect(projectsOf(a.memberBodyId).find((p) => p.id === created.id)!.closedAt).toBeNull();
    expect((await post(editProject, `/area-referente/progetti/${created.id}`, { intent: "close", confirm: "on" }, cookie, params)).status).toBe(302);
    const closed = projectsOf(a.memberBodyId).find((p) => p.id === created.id)!;
    expect(closed.fundedPlaces).toBe(15);
    expect(closed.closedAt).toBeInstanceOf(Date);
    // A closed project cannot be changed or closed again: the save from the page loaded before is given back, unsaved.
    const late = await post(editProject, `/area-referente/progetti/${created.id}`, projectFields(), cookie, params);
    expect(late.status).toBe(409);
    expect(await late.json()).toEqual({ closedMeanwhile: true, typed: projectFields() });
    // Closed from the area, not by the coordinators: the page does not blame them.
    const latePage = await renderRoute(editProject, await referentPost(`/area-referente/progetti/${created.id}`, projectFields(), cookie), "/area-referente/progetti/:id");
    expect(latePage.html).toContain("Nel frattempo il progetto è stato chiuso dall&#x27;area referente, forse da te in un&#x27;altra finestra: le modifiche");
    expect(projectsOf(a.memberBodyId).find((p) => p.id === created.id)!.fundedPlaces).toBe(15);

    const audit = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorType, "referent"), eq(auditLog.actorId, a.referentId)))
      .all()
      .filter((e) => e.action.startsWith("sai_project."));
    expect(audit.map((e) => e.action)).toEqual(["sai_project.added", "sai_project.updated", "sai_project.closed"]);
    expect(audit.every((e) => e.entityType === "membership_request" && e.entityId === String(a.requestId))).toBe(true);
    expect(audit[1].details).toMatchObject({ projectId: created.id, before: { fundedPlaces: 12 }, after: { fundedPlaces: 15 } });
  });

  it("names the project in its heading and title, as its link on Il mio ente does: by its code, or by its start when it has none", async () => {
    for (const [overrides, name] of [
      [{}, "Ordinari PROG-1776-PR-3"],
      [{ "projects.0.projectCode": "", "projects.0.category": "MSNA", "projects.0.startDate": "2024-03-01" }, "MSNA (minori stranieri non accompagnati) dal 01/03/2024"],
    ] as const) {
      const a = await createReferent("active", overrides);
      const { cookie } = await referentCookie(a.referentId);
      const project = projectsOf(a.memberBodyId)[0];
      const page = await renderRoute(editProject, referentGet(`/area-referente/progetti/${project.id}`, cookie), "/area-referente/progetti/:id");
      expect(page.html).toContain(`<h1>Modifica progetto ${name}</h1>`);
      expect(page.title).toBe(`Modifica progetto ${name} - Area referente - Coordinamento SAI`);
      const list = await renderRoute(overview, referentGet("/area-referente", cookie), "/area-referente");
      expect(list.html).toContain(`Modifica o chiudi<span class="visually-hidden"> il progetto ${name}</span>`);
    }
  });

  it("a closing sent without the tick shows its error like every form: a summary at the top linking to the tick", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const project = projectsOf(a.memberBodyId)[0];
    const path = `/area-referente/progetti/${project.id}`;
    const page = await renderRoute(editProject, await referentPost(path, { intent: "close" }, cookie), "/area-referente/progetti/:id");
    expect(page.status).toBe(400);
    const form = /<form[^>]*aria-labelledby="chiudi"[\s\S]*?<\/form>/.exec(page.html)![0];
    // The summary's marker is what prefixes the title with «Errore: » (entry.server.tsx).
    expect(form).toMatch(/<div class="alert alert-danger" role="alert" tabindex="-1" aria-labelledby="chiudi-errori" autofocus="" data-error-summary=""><h2 id="chiudi-errori" class="h4">Il modulo di chiusura contiene un errore<\/h2>/);
    expect(form).toContain('<a href="#confirm">Spunta la conferma per chiudere il progetto</a>');
    expect(form.indexOf("chiudi-errori")).toBeLessThan(form.indexOf('type="checkbox"'));
    expect(form).toMatch(/<input type="checkbox" id="confirm" name="confirm" aria-invalid="true" aria-describedby="confirm-error"/);
    expect(form).toContain(">Confermo che il progetto è terminato e va chiuso</label>");
    expect(projectsOf(a.memberBodyId)[0].closedAt).toBeNull();
  });

  it("lets a referente whose new ente awaits approval edit its projects, but not one asking to take over", async () => {
    const pending = await createReferent("pending");
    const { cookie } = await referentCookie(pending.referentId);
    expect((await post(newProject, "/area-referente/progetti/nuovo", projectFields(), cookie)).status).toBe(302);

    const current = await createReferent("active");
    const successor = await createReferent("pending", { municipalityCode: current.fields.municipalityCode, fiscalCode: current.fields.fiscalCode });
    const successorCookie = (await referentCookie(successor.referentId)).cookie;
    expect((await post(newProject, "/area-referente/progetti/nuovo", projectFields(), successorCookie)).status).toBe(403);
    const project = projectsOf(current.memberBodyId).find((p) => !p.closedAt)!;
    expect((await post(editProject, `/area-referente/progetti/${project.id}`, { intent: "close" }, successorCookie, { id: String(project.id) })).status).toBe(403);
  });
});

describe("a project closed while the referente was editing it", () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

  /** The referente's page loaded, then a coordinator closes the project from the request's page. */
  async function closedMeanwhile() {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const project = projectsOf(a.memberBodyId).find((p) => !p.closedAt)!;
    const path = `/area-referente/progetti/${project.id}`;
    const loaded = (await (await get(editProject, path, cookie, { id: String(project.id) })).json()) as { values: Record<string, string>; version: string };
    const closing = { requestId: a.requestId, projectId: project.id, coordinatorId: adminId(), closedOn: italianIsoDay(new Date()), version: projectVersionOf(project) };
    expect(closeProjectAsCoordinator(getDb(), closing)).toEqual({ ok: true });
    return { a, cookie, project, path, loaded };
  }

  it("the save answers 409 with the project's page: the coordinators closed it, nothing was saved, what was typed is shown beside what is recorded (without JavaScript too)", async () => {
    const { a, cookie, project, path, loaded } = await closedMeanwhile();
    const typed = { ...loaded.values, fundedPlaces: "30", managingOrganization: "Cooperativa Nuova Accoglienza", intent: "save", version: loaded.version };
    const before = JSON.stringify(projectsOf(a.memberBodyId));

    const page = await renderRoute(editProject, await referentPost(path, typed, cookie), "/area-referente/progetti/:id");
    expect(page.status).toBe(409);
    expect(JSON.stringify(projectsOf(a.memberBodyId))).toBe(before);
    expect(page.html).toContain(
      '<div class="alert alert-danger" role="alert" data-error-summary="">Nel frattempo il progetto è stato chiuso dai coordinatori di ANCI Sicilia: le modifiche che hai scritto non sono state salvate. Le trovi qui sotto, accanto ai dati registrati, così non vanno perse.</div>',
    );
    const shown = text(page.html);
    expect(shown).toContain(`Il progetto è chiuso dal ${formatDateIt(new Date())}: resta nello storico dell'ente ma non si può più modificare.`);
    expect(shown).toContain("Le modifiche che avevi scritto (non salvate) Dato Avevi scritto Registrato nel progetto");
    expect(shown).toContain(`Posti finanziati 30 (modificato) ${project.fundedPlaces}`);
    expect(shown).toContain(`Ente attuatore Cooperativa Nuova Accoglienza (modificato) ${project.managingOrganization}`);
    expect(shown).toContain("Se il progetto deve restare aperto, scrivi ai coordinatori di ANCI Sicilia");
    expect(shown).toContain(", indicando le modifiche che avevi scritto: possono riaprirlo e aggiornarlo.");
    // Nothing left to send again: no project form on the page.
    expect(page.html).not.toContain('name="intent"');

    // The same with invalid values: still shown as typed, not lost to the form's errors.
    const invalid = await renderRoute(editProject, await referentPost(path, { ...typed, fundedPlaces: "0" }, cookie), "/area-referente/progetti/:id");
    expect(invalid.status).toBe(409);
    expect(text(invalid.html)).toContain(`Posti finanziati 0 (modificato) ${project.fundedPlaces}`);
  });

  it("the project's page, opened again, shows it closed and read-only", async () => {
    const { cookie, project, path } = await closedMeanwhile();
    const page = await renderRoute(editProject, referentGet(path, cookie), "/area-referente/progetti/:id");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<h1>Progetto [^<]+<\/h1>/);
    const shown = text(page.html);
    expect(shown).toContain(`Il progetto è chiuso dal ${formatDateIt(new Date())}`);
    expect(shown).toContain(`Ente attuatore ${project.managingOrganization}`);
    expect(shown).not.toContain("Nel frattempo");
    expect(page.html).not.toContain('name="intent"');
  });

  it("a closure sent meanwhile says that the project was already closed", async () => {
    const { cookie, path, loaded } = await closedMeanwhile();
    const page = await renderRoute(editProject, await referentPost(path, { intent: "close", confirm: "on", version: loaded.version }, cookie), "/area-referente/progetti/:id");
    expect(page.status).toBe(409);
    expect(text(page.html)).toContain("Il progetto era già stato chiuso dai coordinatori di ANCI Sicilia: non è stato necessario chiuderlo di nuovo.");
  });
});

describe("a project past its end date", () => {
  it("is flagged to its referente and on the ente's page until the referente extends it", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const project = projectsOf(a.memberBodyId).find((p) => !p.closedAt)!;
    getDb().update(saiProjects).set({ startDate: "2023-01-01", endDate: "2025-06-30" }).where(eq(saiProjects.id, project.id)).run();

    const page = await renderRoute(overview, referentGet("/area-referente", cookie));
    expect(page.html).toContain("Un progetto ha superato la data di fine e risulta ancora attivo. Se è stato prorogato aggiorna la data di fine, altrimenti chiudilo: scegli «Modifica o chiudi» del progetto segnato «Data di fine passata».");
    expect(page.html).toMatch(/dal 01\/01\/2023 al 30\/06\/2025<strong[^>]*>Data di fine passata<\/strong>/);
    const detail = await renderRoute(adminDetail, await adminGet(`/admin/adesioni/${a.requestId}`, adminId()), "/admin/adesioni/:id");
    expect(detail.html).toMatch(/<td>30\/06\/2025<\/td><td><strong[^>]*>Aperto, data di fine passata<\/strong><\/td>/);

    const params = { id: String(project.id) };
    const extended = projectFields({ category: project.category, fundedPlaces: String(project.fundedPlaces), startDate: "2023-01-01", endDate: "2028-06-30" });
    expect((await post(editProject, `/area-referente/progetti/${project.id}`, extended, cookie, params)).status).toBe(302);
    const after = await renderRoute(overview, referentGet("/area-referente", cookie));
    expect(after.html).toContain("dal 01/01/2023 al 30/06/2028");
    expect(after.html).not.toContain("Data di fine passata");
    expect(after.html).not.toContain("ha superato la data di fine");
  });
});

describe("change of email address", () => {
  it("is confirmed at the new address; the old one works until then", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const newEmail = uniqueEmail("nuovo");

    const same = await post(emailChange, "/area-referente/email", { email: a.email }, cookie);
    expect(same.status).toBe(400);

    const response = await post(emailChange, "/area-referente/email", { email: newEmail.toUpperCase() }, cookie);
    expect(response.status).toBe(200);
    expect(referentRow(a.referentId).email).toBe(a.email);
    const [mail] = outboxFor(newEmail).filter((m) => m.template === "referent-email-change");
    const confirmUrl = String(mail.props.confirmUrl);
    expect(confirmUrl).toMatch(new RegExp(`^${APP_URL}/area-referente/email/conferma/`));
    const token = confirmUrl.split("/").pop()!;
    expect(JSON.stringify(getDb().select().from(referentEmailChanges).all())).not.toContain(token);

    // Until confirmed, codes go to the old address only.
    expect(requestLoginCode(getDb(), { email: a.email, appUrl: APP_URL }).sent).toBe(true);
    expect(requestLoginCode(getDb(), { email: newEmail, appUrl: APP_URL }).sent).toBe(false);

    // Opening the link changes nothing.
    const page = await settle(() => emailConfirm.loader(routeArgs(new Request(confirmUrl), { token })));
    expect(page.status).toBe(200);
    expect((await page.json()).lookup).toMatchObject({ state: "valid", newEmail });
    expect(referentRow(a.referentId).email).toBe(a.email);

    // The POST confirms (no session needed: the link is the proof).
    const confirmed = await settle(async () => emailConfirm.action(routeArgs(await browserPost(`/area-referente/email/conferma/${token}`, {}), { token })));
    expect(confirmed.status).toBe(200);
    expect(referentRow(a.referentId)).toMatchObject({ email: newEmail });
    // The old address is told, in case someone else made the change.
    const notice = outboxFor(a.email).filter((m) => m.template === "referent-email-changed");
    expect(notice).toHaveLength(1);
    expect(notice[0].props).toMatchObject({ newEmail, firstName: a.fields.firstName });
    const again = await settle(async () => emailConfirm.action(routeArgs(await browserPost(`/area-referente/email/conferma/${token}`, {}), { token })));
    expect(again.status).toBe(410);

    expect(requestLoginCode(getDb(), { email: newEmail, appUrl: APP_URL }).sent).toBe(true);
    expect(requestLoginCode(getDb(), { email: a.email, appUrl: APP_URL }).sent).toBe(false);

    const audit = getDb().select().from(auditLog).where(and(eq(auditLog.actorType, "referent"), eq(auditLog.actorId, a.referentId))).all();
    const requested = audit.find((e) => e.action === "referent.email_change_requested")!;
    const changed = audit.find((e) => e.action === "referent.email_changed")!;
    expect(requested.details).toMatchObject({ before: { email: a.email }, after: { email: newEmail } });
    expect(changed).toMatchObject({ entityType: "membership_request", entityId: String(a.requestId) });
    expect(changed.details).toMatchObject({ before: { email: a.email }, after: { email: newEmail } });
  });

  it("keeps only the newest request, and refuses an expired link", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const first = uniqueEmail("primo");
    const second = uniqueEmail("secondo");
    await post(emailChange, "/area-referente/email", { email: first }, cookie);
    await post(emailChange, "/area-referente/email", { email: second }, cookie);
    const tokenOf = (email: string) => String(outboxFor(email)[0].props.confirmUrl).split("/").pop()!;
    // Coming back to the page, the referente sees the address asked for, to check it for a typo.
    const { html } = await renderRoute(emailChange, referentGet("/area-referente/email", cookie));
    expect(html.replace(/<[^>]+>/g, "")).toMatch(
      new RegExp(`Il \\d+ \\w+ \\d{4} alle \\d\\d:\\d\\d hai chiesto di passare all&#x27;indirizzo ${second.replace(/\./g, "\\.")}: per\\s+confermarlo apri il collegamento`),
    );
    expect(html).not.toContain(first);
    const stale = await settle(async () => emailConfirm.action(routeArgs(await browserPost("/x", {}), { token: tokenOf(first) })));
    expect(stale.status).toBe(410);

    getDb().update(referentEmailChanges).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(referentEmailChanges.referentId, a.referentId)).run();
    const expired = await settle(async () => emailConfirm.action(routeArgs(await browserPost("/x", {}), { token: tokenOf(second) })));
    expect(expired.status).toBe(410);
    expect(referentRow(a.referentId).email).toBe(a.email);
  });

  it("after too many requests, shows the form again with the address typed and when to retry", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    for (let i = 0; i < 5; i++) expect((await post(emailChange, "/area-referente/email", { email: uniqueEmail("tentativo") }, cookie)).status).toBe(200);
    const typed = uniqueEmail("troppi");
    const blocked = await post(emailChange, "/area-referente/email", { email: typed }, cookie);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({
      email: typed,
      errors: {},
      formError:
        "Hai chiesto troppi cambi di indirizzo in poco tempo: riprova tra 60 minuti. Se hai già ricevuto un'email al nuovo indirizzo, apri il collegamento dell'ultima arrivata.",
    });
    expect(outboxFor(typed)).toEqual([]);
    // Without JavaScript: the page with its form, not the error page.
    const { status, html } = await renderRoute(emailChange, await referentPost("/area-referente/email", { email: typed }, cookie));
    expect(status).toBe(429);
    expect(html).toContain("Richiesta non riuscita");
    expect(html).toContain("riprova tra 60 minuti.");
    expect(html).toMatch(new RegExp(`<input[^>]*value="${typed}"`));
  });
});

describe("a referente of several enti", () => {
  it("sees the other enti of their address and passes to one without signing in again; never to an ente of another address", async () => {
    const email = uniqueEmail("due-enti");
    const comune = await createReferent("active", { email });
    const unione = await createReferent("pending", {
      email,
      bodyKind: "unione_comuni",
      municipalityCode: "",
      bodyName: "Unione dei Comuni dei Nebrodi",
      provinceCode: "083",
    });
    const stranger = await createReferent("active");
    const { cookie } = await referentCookie(comune.referentId);

    const page = (await get(overview, "/area-referente", cookie)) as Response;
    const data = (await page.json()) as { otherEnti: { referentId: number; bodyName: string; statusLabel: string }[]; overview: { body: { provinceName: string } } };
    expect(data.otherEnti).toEqual([{ referentId: unione.referentId, bodyName: "Unione dei Comuni dei Nebrodi", status: "pending", statusLabel: "richiesta in attesa di approvazione" }]);
    expect(data.overview.body.provinceName).toBeTruthy();

    // Another address's ente, or one's own: refused, and the session stays as it was.
    for (const referentId of [stranger.referentId, comune.referentId, 999_999]) {
      const refused = (await post(overview, "/area-referente", { intent: "switch-body", referentId: String(referentId) }, cookie)) as Response;
      expect(refused.status).toBe(404);
    }

    const switched = (await post(overview, "/area-referente", { intent: "switch-body", referentId: String(unione.referentId) }, cookie)) as Response;
    expect(switched.status).toBe(302);
    expect(switched.headers.get("Location")).toBe("/area-referente?esito=ente-cambiato");
    const newCookie = switched.headers.get("Set-Cookie")!.split(";")[0];
    const afterPage = (await get(overview, "/area-referente?esito=ente-cambiato", newCookie)) as Response;
    const after = (await afterPage.json()) as {
      header: { bodyName: string };
      outcome: string;
      otherEnti: { referentId: number }[];
      overview: { body: { provinceName: string } };
    };
    expect(after.header.bodyName).toBe("Unione dei Comuni dei Nebrodi");
    expect(after.overview.body.provinceName).toBe("Messina");
    expect(after.outcome).toBe("Ora operi per questo ente: le pagine dell'area mostrano i suoi dati.");
    expect(after.otherEnti.map((e) => e.referentId)).toEqual([comune.referentId]);
    // The previous session is over; the switch is audited as a sign-in of the other referente.
    expect(((await get(overview, "/area-referente", cookie)) as Response).headers.get("Location")).toBe("/area-referente/accedi?redirectTo=%2Farea-referente");
    const audit = getDb().select().from(auditLog).where(and(eq(auditLog.actorId, unione.referentId), eq(auditLog.action, "auth.login_succeeded"))).all();
    expect(audit.at(-1)!.details).toMatchObject({ method: "switch", area: "referente" });
  });
});
