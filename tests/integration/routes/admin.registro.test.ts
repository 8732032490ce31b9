import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, coordinators, invitations, memberBodies, saiProjects } from "#db/schema";
import * as registro from "~/routes/admin.registro";
import { AUDIT_PAGE_SIZE, auditDetailsColumns, listAuditEntries, recordAudit } from "~/models/audit.server";
import { answerInvitation, setAttendance } from "~/models/invitation.server";
import { addLinkMaterial } from "~/models/material.server";
import { eraseReferent, requestErasure } from "~/models/privacy.server";
import { getDb } from "~/utils/db.server";
import { hashToken } from "~/utils/tokens.server";
import { adminGet, createTestCoordinator, settle } from "../../support/admin";
import { renderRoute } from "../../support/render-route";
import { createReferent } from "../../support/referent";
import { addInvitation, createTestRoundTable } from "../../support/round-tables";
import { uniqueEmail } from "../../support/factories";
import { APP_URL, routeArgs } from "../../support/requests";

type LogPage = {
  entries: { id: number; action: string; actorName: string; entityId: string | null; createdAt: string }[];
  total: number;
  page: number;
  pageCount: number;
  filters: Record<string, string>;
};

const adminId = () => getDb().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;

async function load(query: string, coordinatorId: number | null = adminId()) {
  const response = await settle(async () => registro.loader(routeArgs(await adminGet(`/admin/registro${query}`, coordinatorId))));
  return response;
}
const page = async (query: string) => (await (await load(query)).json()) as LogPage;

/** An entry with its time and actor chosen, written as recordAudit writes the details. */
function entry(values: Partial<typeof auditLog.$inferInsert> & { action: string }) {
  return getDb()
    .insert(auditLog)
    .values({ actorType: "coordinator", actorId: adminId(), ...values, ...auditDetailsColumns(values.details) })
    .returning()
    .get();
}

let giulia: { id: number };

beforeAll(() => {
  giulia = createTestCoordinator({ name: "Giulia Verdi" });
  const start = Date.UTC(2025, 0, 1);
  // 120 bulk entries, one a minute, oldest first.
  for (let i = 0; i < 120; i++) entry({ action: "test.bulk", entityType: "outbox", entityId: String(1000 + i), createdAt: new Date(start + i * 60_000) });
  entry({ action: "membership.approved", actorId: giulia.id, entityType: "membership_request", entityId: "990042", details: { memberBodyId: 990007 } });
  recordAudit(getDb(), { actorType: "public", action: "auth.login_failed", details: { email: "chi@example.org", ip: "10.0.0.9" } });
  // 9 March 2025, 23:30 in Rome (22:30 UTC) and 10 March 00:30 in Rome (23:30 UTC on the 9th).
  entry({ action: "test.day", entityId: "late-9", createdAt: new Date(Date.UTC(2025, 2, 9, 22, 30)) });
  entry({ action: "test.day", entityId: "early-10", createdAt: new Date(Date.UTC(2025, 2, 9, 23, 30)) });
  entry({ action: "test.day", entityId: "summer", createdAt: new Date(Date.UTC(2025, 6, 1, 10, 0)) });
  entry({ action: "test.search", entityType: "member_body", entityId: "ABC-77", details: { note: "Percentuale 100%_ esatta" } });
  entry({ action: "test.search", entityType: "member_body", entityId: "abc-78", details: { note: "Niente da vedere" } });
  entry({
    action: "test.escape",
    entityType: "member_body",
    entityId: "9",
    details: { reason: "<script>alert(1)</script>", nested: { html: '<img src=x onerror="alert(2)">' }, list: ["a&b", 3] },
  });
  recordAudit(getDb(), { actorType: "coordinator", actorId: adminId(), action: "test.accents", entityType: "member_body", entityId: 501, details: { name: "Comune di Paternò" } });
  recordAudit(getDb(), { actorType: "coordinator", actorId: adminId(), action: "test.accents", entityType: "member_body", entityId: 502, details: { name: "Città Metropolitana di Catania", office: "Sant’Agata" } });
});

describe("/admin/registro access", () => {
  it("sends anonymous visitors to /login", async () => {
    const response = await load("", null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fregistro");
  });

  it("is readable by any coordinator", async () => {
    expect((await load("", giulia.id)).status).toBe(200);
  });
});

describe("/admin/registro filters and pages", () => {
  it("shows 50 entries a page, newest first, and keeps the last page for pages past the end", async () => {
    const first = await page("?azione=test.bulk");
    expect(first.total).toBe(120);
    expect(first.pageCount).toBe(3);
    expect(first.entries).toHaveLength(AUDIT_PAGE_SIZE);
    expect(first.entries[0].entityId).toBe("1119");
    expect(first.entries[49].entityId).toBe("1070");
    const times = first.entries.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const third = await page("?azione=test.bulk&pagina=3");
    expect(third.page).toBe(3);
    expect(third.entries.map((e) => e.entityId)).toEqual(Array.from({ length: 20 }, (_, i) => String(1019 - i)));
    expect((await page("?azione=test.bulk&pagina=99")).page).toBe(3);
    expect((await page("?azione=test.bulk&pagina=abc")).page).toBe(1);

    const all = await page("");
    const total = getDb().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;
    expect(all.total).toBe(total);
    expect(all.entries[0].id).toBeGreaterThan(all.entries[1].id);
  });

  it("filters by who: a coordinator, the system, the public", async () => {
    const byGiulia = await page(`?chi=${giulia.id}`);
    expect(byGiulia.entries.map((e) => [e.action, e.actorName])).toEqual([["membership.approved", "Giulia Verdi"]]);
    const system = await page("?chi=sistema");
    expect(system.entries.map((e) => [e.action, e.actorName])).toEqual([["coordinator.created", "Sistema"]]);
    const publicEntries = await page("?chi=pubblico");
    expect(publicEntries.entries.map((e) => [e.action, e.actorName])).toEqual([["auth.login_failed", "Pubblico"]]);
  });

  it("filters by Italian calendar days, both ends included", async () => {
    const tenth = await page("?azione=test.day&dal=2025-03-10&al=2025-03-10");
    expect(tenth.entries.map((e) => e.entityId)).toEqual(["early-10"]);
    const ninth = await page("?azione=test.day&al=2025-03-09");
    expect(ninth.entries.map((e) => e.entityId)).toEqual(["late-9"]);
    const fromMarch = await page("?azione=test.day&dal=2025-03-10");
    expect(fromMarch.entries.map((e) => e.entityId)).toEqual(["summer", "early-10"]);
  });

  it("searches the details and the record id as plain text, case-insensitive", async () => {
    expect((await page("?q=100%25_")).entries.map((e) => e.entityId)).toEqual(["ABC-77"]);
    expect((await page("?q=abc-7")).entries.map((e) => e.entityId)).toEqual(["abc-78", "ABC-77"]);
    expect((await page("?q=chi%40example.org")).entries.map((e) => e.action)).toEqual(["auth.login_failed"]);
    expect((await page("?q=%25")).entries.map((e) => e.entityId)).toEqual(["ABC-77"]);
  });

  it("finds the details whatever their accents, case and apostrophes, as the portal's other searches", async () => {
    const ids = async (q: string) => (await page(`?azione=test.accents&q=${encodeURIComponent(q)}`)).entries.map((e) => e.entityId);
    expect(await ids("paterno")).toEqual(["501"]);
    expect(await ids("PATERNÒ")).toEqual(["501"]);
    expect(await ids("Paterno'")).toEqual(["501"]);
    expect(await ids("di paternò")).toEqual(["501"]);
    expect(await ids("citta")).toEqual(["502"]);
    expect(await ids("CITTÀ METROPOLITANA")).toEqual(["502"]);
    expect(await ids("sant'agata")).toEqual(["502"]);
    // The record id as before.
    expect(await ids("502")).toEqual(["502"]);
  });

  it("finds an entry by the name of the ente, request, project, person or Tavolo it touched, stored only by id", async () => {
    const ente = await createReferent("active", { firstName: "Calogera", lastName: "Zammìt" });
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.id, ente.memberBodyId)).get()!;
    const project = getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, ente.memberBodyId)).get()!;
    const rt = createTestRoundTable(adminId(), { number: "77", title: "Accoglienza diffusa à Sciacca" }, { publish: false });
    entry({ action: "test.byname", entityType: "membership_request", entityId: String(ente.requestId), details: { reason: "x" } });
    entry({ action: "test.byname", entityType: "member_body", entityId: String(body.id) });
    entry({ action: "test.byname", entityType: "sai_project", entityId: String(project.id) });
    entry({ action: "test.byname", entityType: "referent", entityId: String(ente.referentId) });
    entry({ action: "test.byname", entityType: "round_table", entityId: String(rt.id) });
    const found = async (q: string) =>
      (await page(`?azione=test.byname&q=${encodeURIComponent(q)}`)).entries.map((e) => e.entityId).sort();
    // The ente's name without its accents finds the ente, its request and its project.
    const folded = body.name.normalize("NFD").replace(/\p{Diacritic}/gu, "").toUpperCase();
    expect(await found(folded)).toEqual([String(body.id), String(ente.requestId), String(project.id)].sort());
    expect(await found("zammit")).toEqual([String(ente.referentId)]);
    expect(await found("calogera zammìt")).toEqual([String(ente.referentId)]);
    expect(await found("accoglienza diffusa a sciacca")).toEqual([String(rt.id)]);
    expect(await found("77° tavolo")).toEqual([String(rt.id)]);
    expect(await found("nessun ente si chiama così")).toEqual([]);
  });

  it("combines filters, and ignores values that make no sense instead of failing", async () => {
    const combined = await page(`?azione=membership.approved&chi=${giulia.id}&q=42`);
    expect(combined.total).toBe(1);
    expect((await page(`?azione=membership.approved&chi=${adminId()}`)).total).toBe(0);
    const bad = await load("?dal=2025-02-30&al=ieri&chi=qualcuno&pagina=-4");
    expect(bad.status).toBe(200);
    const data = (await bad.json()) as LogPage & { dateProblems: Record<string, string> };
    expect(data.filters).toEqual({});
    expect(data.page).toBe(1);
    // The dates left out are named on their fields.
    expect(data.dateProblems).toEqual({ dal: "Data non valida: non è stata usata", al: "Data non valida: non è stata usata" });
  });

  it("says so on the field when the range ends before it starts, instead of only finding nothing", async () => {
    const backwards = (await (await load("?dal=2025-03-28&al=2025-03-01")).json()) as LogPage & { dateProblems: Record<string, string> };
    expect(backwards.total).toBe(0);
    expect(backwards.dateProblems).toEqual({ al: "La data «Al» viene prima della data «Dal»: correggi l'intervallo" });
    const { html } = await renderRoute(registro, await adminGet("/admin/registro?dal=2025-03-28&al=2025-03-01", giulia.id));
    expect(html).toMatch(/<input id="al" name="al" type="date" class="form-control is-invalid"[^>]*aria-invalid="true"[^>]*aria-describedby="al-error"/);
    expect(html).toContain("La data «Al» viene prima della data «Dal»: correggi l&#x27;intervallo");
    expect(((await (await load("?dal=2025-03-01&al=2025-03-28")).json()) as { dateProblems: object }).dateProblems).toEqual({});
  });

  it("listAuditEntries answers the same for the model's callers", () => {
    const result = listAuditEntries(getDb(), { filters: { action: "test.day" }, page: 1 });
    expect(result.entries.map((e) => e.entityId)).toEqual(["summer", "early-10", "late-9"]);
    expect(result.entries[0].createdAt).toBeInstanceOf(Date);
  });
});

describe("/admin/registro page", () => {
  it("renders the filters with their labels and the table with Italian times, labels and links", async () => {
    const { status, html } = await renderRoute(registro, await adminGet("/admin/registro?azione=test.day", adminId()));
    expect(status).toBe(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    for (const [id, label] of [["azione", "Azione"], ["chi", "Chi"], ["dal", "Dal"], ["al", "Al"], ["q", "Cerca"]]) {
      expect(html).toContain(`<label for="${id}">${label}</label>`);
    }
    expect(html).toMatch(/<option value="test.day" selected="">/);
    expect(html).toContain(`<option value="${giulia.id}">Giulia Verdi (`);
    const headers = [...html.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["Data e ora", "Chi", "Azione", "Oggetto", "Dettagli"]);
    // 1 July 2025, 10:00 UTC is noon in Rome (summer time).
    expect(html).toContain('<time dateTime="2025-07-01T10:00:00.000Z">01/07/2025 12:00:00</time>');
    expect(html).toContain("<td>Amministratore</td>");

    const approved = await renderRoute(registro, await adminGet(`/admin/registro?chi=${giulia.id}`, adminId()));
    expect(approved.html).toContain("<td>Ha approvato l&#x27;adesione</td>");
    expect(approved.html).toMatch(/<a[^>]*href="\/admin\/adesioni\/990042"[^>]*>Richiesta di adesione n. 990042<\/a>/);
    expect(approved.html).toMatch(/<span class="fw-semibold">ente:<\/span> n. 990007/);
  });

  it("names a Tavolo tecnico as people know it, by its number and title, not by its database id", async () => {
    const rt = createTestRoundTable(adminId(), { number: "7", title: "Le nuove linee guida" }, { publish: false });
    entry({ action: "test.tavolo", entityType: "round_table", entityId: String(rt.id), details: { roundTableId: rt.id } });
    const { html } = await renderRoute(registro, await adminGet("/admin/registro?azione=test.tavolo", adminId()));
    expect(html).toMatch(new RegExp(`<a[^>]*href="/admin/tavoli/${rt.id}"[^>]*>7° Tavolo tecnico - Le nuove linee guida</a>`));
    expect(html).toContain('<span class="fw-semibold">tavolo tecnico:</span> 7° Tavolo tecnico - Le nuove linee guida');
  });

  it("names enti, requests, people, projects and invitations instead of giving their database ids", async () => {
    const ente = await createReferent("active", { firstName: "Rosalia", lastName: "Lo Bue" });
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.id, ente.memberBodyId)).get()!;
    const project = getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, ente.memberBodyId)).get()!;
    const rt = createTestRoundTable(adminId(), { number: "9", title: "Minori soli" }, { publish: false });
    const invitation = addInvitation(rt.id, ente.email);
    entry({
      action: "test.names",
      entityType: "membership_request",
      entityId: String(ente.requestId),
      details: { memberBodyId: body.id, referentId: ente.referentId, projectId: project.id },
    });
    entry({ action: "test.names", entityType: "coordinator", entityId: String(giulia.id) });
    entry({ action: "test.names", entityType: "invitation", entityId: String(invitation.id) });
    const { html } = await renderRoute(registro, await adminGet("/admin/registro?azione=test.names", adminId()));
    // As React writes text: a comune's name may have an apostrophe.
    const name = body.name.replaceAll("&", "&amp;").replaceAll("'", "&#x27;");
    expect(html).toContain(`href="/admin/adesioni/${ente.requestId}">${name} (richiesta n. ${ente.requestId})</a>`);
    expect(html).toContain(`<span class="fw-semibold">ente:</span> ${name}`);
    expect(html).toContain('<span class="fw-semibold">referente:</span> Rosalia Lo Bue (referente)');
    expect(html).toContain(`<span class="fw-semibold">progetto:</span> Progetto SAI (${project.category === "ordinari" ? "Ordinari" : project.category}) - ${name}`);
    expect(html).toContain("<td>Giulia Verdi (coordinatore)</td>");
    expect(html).toContain("<td>Invito al 9° Tavolo tecnico</td>");
  });

  it("words the details in Italian: names of the fields, labels of stored values, Italian times, province names", async () => {
    entry({
      action: "round_table.published",
      entityType: "round_table",
      entityId: "990008",
      details: {
        before: { status: "draft", mode: "ibrido", startsAt: "2026-12-10T14:00:00.000Z" },
        after: { status: "published", speakers: [{ name: "G. Rossi", affiliation: "Comune di Palermo" }] },
      },
    });
    entry({ action: "invitation.answered", actorType: "public", actorId: null, details: { roundTableId: 990008, answer: "yes", previous: "pending" } });
    entry({ action: "auth.login_succeeded", actorType: "public", actorId: null, details: { ip: "10.0.0.1", method: "link", area: "referente" } });
    entry({ action: "communication.sent", details: { subject: "Circolare", count: 1250, provinceCodes: ["082"], categories: [] } });
    entry({ action: "sai_project.added", details: { memberBodyId: 990003, projectId: 990027, after: { category: "MSNA", startDate: "2026-01-01", fundedPlaces: 15 } } });
    const pairs = async (action: string) => {
      const { html } = await renderRoute(registro, await adminGet(`/admin/registro?azione=${action}`, adminId()));
      return [...html.matchAll(/<li><span class="fw-semibold">([^<]*):<\/span> ([^<]*)<\/li>/g)].map((m) => `${m[1]}: ${m[2]}`);
    };
    expect(await pairs("round_table.published")).toEqual([
      "prima stato: Bozza",
      "prima modalità: Ibrido (in presenza e online)",
      // 14:00 UTC is 15:00 in Rome in December.
      "prima inizio: 10/12/2026 15:00",
      "dopo stato: Pubblicato",
      "dopo interventi a cura di: G. Rossi (Comune di Palermo)",
    ]);
    expect(await pairs("invitation.answered")).toEqual(["tavolo tecnico: n. 990008", "risposta: Partecipa", "risposta precedente: In attesa"]);
    expect(await pairs("auth.login_succeeded")).toEqual([
      "indirizzo IP: 10.0.0.1",
      "modalità di accesso: collegamento ricevuto per email",
      "area: area referente",
    ]);
    expect(await pairs("communication.sent")).toEqual(["oggetto: Circolare", "destinatari: 1.250", "province: Palermo", "tipologie: tutte"]);
    entry({ action: "members.imported", entityType: "import", details: { fileName: "aderenti.xlsx", created: 3, sendEmails: true } });
    const imported = await renderRoute(registro, await adminGet("/admin/registro?azione=members.imported", adminId()));
    expect(imported.html).toContain("<td>Importazione</td>");
    expect(await pairs("members.imported")).toEqual(["file: aderenti.xlsx", "nuovi enti: 3", "email ai referenti: sì"]);
    expect(await pairs("sai_project.added")).toEqual([
      "ente: n. 990003",
      "progetto: n. 990027",
      "dopo tipologia: MSNA (minori stranieri non accompagnati)",
      "dopo data di inizio: 01/01/2026",
      "dopo posti finanziati: 15",
    ]);
  });

  it("escapes whatever the details contain", async () => {
    const { html } = await renderRoute(registro, await adminGet("/admin/registro?azione=test.escape", adminId()));
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(html).toMatch(/<span class="fw-semibold">motivo:<\/span> &lt;script&gt;/);
    expect(html).toMatch(/<span class="fw-semibold">nested html:<\/span> &lt;img/);
    expect(html).toMatch(/<span class="fw-semibold">list:<\/span> a&amp;b, 3/);
  });

  it("paginates with links that keep the filters", async () => {
    const { html } = await renderRoute(registro, await adminGet("/admin/registro?azione=test.bulk&pagina=2", adminId()));
    expect(html).toContain("120 voci, pagina 2 di 3.");
    expect(html).toContain('href="/admin/registro?azione=test.bulk"');
    expect(html).toContain('href="/admin/registro?azione=test.bulk&amp;pagina=3"');
    expect(html).toMatch(/<nav aria-label="Pagine del registro"/);
  });
});

// Last: these publish Tavoli, whose entries the wording test above counts.
describe("/admin/registro search in the Tavoli tecnici", () => {
  it("finds the answers to invitations and the attendance by the invitee's name and address, the Tavolo, and the answer as worded", async () => {
    const niccolo = await createReferent("active", { firstName: "Niccolò", lastName: "D'Amico", email: uniqueEmail("niccolo.damico") });
    const rosa = await createReferent("active", { firstName: "Rosa", lastName: "Quagliarella" });
    const work = createTestRoundTable(adminId(), { title: "Percorsi di inserimento lavorativo" });
    const other = createTestRoundTable(adminId(), { title: "Salute mentale e accoglienza" });
    const answer = (roundTableId: number, who: { email: string; referentId: number }, value: "yes" | "no") => {
      const token = crypto.randomUUID();
      const invitation = getDb()
        .insert(invitations)
        .values({ roundTableId, referentId: who.referentId, email: who.email, tokenHash: hashToken(token) })
        .returning()
        .get();
      expect(answerInvitation(getDb(), { token, answer: value, appUrl: APP_URL }).ok).toBe(true);
      return String(invitation.id);
    };
    const niccoloWork = answer(work.id, niccolo, "yes");
    const niccoloOther = answer(other.id, niccolo, "no");
    const rosaWork = answer(work.id, rosa, "no");
    expect(setAttendance(getDb(), { invitationId: Number(niccoloWork), attended: true, coordinatorId: adminId() }).ok).toBe(true);
    const material = addLinkMaterial(getDb(), {
      roundTableId: work.id,
      input: { kind: "video", title: "Registrazione", curatedBy: null, url: "https://www.youtube.com/watch?v=reg1", visibility: "public" },
      coordinatorId: adminId(),
    });
    expect(material.ok).toBe(true);

    const found = async (action: string, q: string) =>
      (await page(`?azione=${action}&q=${encodeURIComponent(q)}`)).entries.map((e) => e.entityId).sort();
    const answered = (q: string) => found("invitation.answered", q);
    for (const q of ["Niccolò", "niccolo", "D'Amico", "damico", "Niccolò D'Amico", niccolo.email.split("@")[0], niccolo.email.toUpperCase()]) {
      expect(await answered(q), q).toEqual([niccoloWork, niccoloOther].sort());
    }
    expect(await answered("inserimento")).toEqual([niccoloWork, rosaWork].sort());
    expect(await answered("percorsi di inserimento lavorativo")).toEqual([niccoloWork, rosaWork].sort());
    expect(await answered("Non partecipa")).toEqual([niccoloOther, rosaWork].sort());
    // «Partecipa» is also in «Non partecipa»: every answer (an earlier test of this file adds one more).
    expect(await answered("Partecipa")).toEqual(expect.arrayContaining([niccoloWork, niccoloOther, rosaWork]));
    // As the QA searched: no action chosen, the answer is among what the search finds.
    const unfiltered = (await page(`?q=${encodeURIComponent("Niccolò")}`)).entries.map((e) => [e.action, e.entityId]);
    expect(unfiltered).toContainEqual(["invitation.answered", niccoloWork]);

    // The attendance recorded by a coordinator, and the Tavolo's materials, are found the same way.
    expect(await found("invitation.attendance_set", "D'Amico")).toEqual([niccoloWork]);
    expect(await found("invitation.attendance_set", "inserimento")).toEqual([niccoloWork]);
    expect(await found("material.added", "inserimento lavorativo")).toEqual([String(material.ok && material.id)]);
    // Whatever a referente did is found by their name, which the «Chi» column shows.
    entry({ action: "test.byactor", actorType: "referent", actorId: rosa.referentId, entityType: "membership_request", entityId: String(rosa.requestId) });
    expect(await found("test.byactor", "quagliarella")).toEqual([String(rosa.requestId)]);

    // Once the person's data are erased, neither their name nor their address finds them; the Tavolo still does.
    expect(requestErasure(getDb(), { referentId: niccolo.referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(getDb(), { referentId: niccolo.referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(true);
    for (const q of ["Niccolò", "D'Amico", niccolo.email.split("@")[0]]) {
      expect(await answered(q), q).toEqual([]);
      expect(await found("invitation.attendance_set", q), q).toEqual([]);
    }
    expect(await answered("inserimento")).toEqual([niccoloWork, rosaWork].sort());
  });
});
