import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { coordinators, membershipRequests, municipalities, outbox, saiProjects } from "#db/schema";
import * as overview from "~/routes/admin._index";
import { action as submitAction } from "~/routes/adesione._index";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { getDashboard } from "~/models/dashboard.server";
import { approveMembership, revokeMembership } from "~/models/membership-review.server";
import { getDb } from "~/utils/db.server";
import { adminGet, createTestCoordinator, settle } from "../../support/admin";
import { confirmationTokenFor, requestsForEmail } from "../../support/db-queries";
import { validRegistrationFields } from "../../support/factories";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const DAY = 24 * 60 * 60 * 1000;
const adminId = () => getDb().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;

/** Registers an ente through the public form and, as asked, confirms the email and approves it. */
async function ente(fields: Record<string, string>, until: "email_unverified" | "pending" | "approved" | "revoked") {
  const all = validRegistrationFields(fields);
  expect((await submitAction(routeArgs(await browserPost("/adesione", all)))).status).toBe(302);
  const id = requestsForEmail(all.email)[0].request.id;
  if (until !== "email_unverified") {
    const token = confirmationTokenFor(all.email);
    expect((await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }))).status).toBe(200);
  }
  if (until === "approved" || until === "revoked") {
    expect(approveMembership(getDb(), { id, coordinatorId: adminId(), appUrl: APP_URL })).toEqual({ ok: true });
  }
  if (until === "revoked") {
    expect(revokeMembership(getDb(), { appUrl: "http://portale.test", id, coordinatorId: adminId(), reason: "Uscita dal Coordinamento" })).toEqual({ ok: true });
  }
  return id;
}

const project = (i: number, category: string, places: number) => ({
  [`projects.${i}.category`]: category,
  [`projects.${i}.fundedPlaces`]: String(places),
  [`projects.${i}.managingOrganization`]: `Ente attuatore ${i}`,
  [`projects.${i}.startDate`]: "2024-01-01",
  [`projects.${i}.endDate`]: "2027-12-31",
});

const comuniOf = (provinceCode: string) =>
  getDb().select({ n: sql<number>`count(*)` }).from(municipalities).where(eq(municipalities.provinceCode, provinceCode)).get()!.n;

let oldPendingId: number;
let newPendingId: number;

beforeAll(async () => {
  // Palermo: two member comuni; Catania: one; an Unione (not a comune) is a member without coverage.
  await ente({ municipalityCode: "082053" }, "approved"); // ordinari 25
  await ente({ municipalityCode: "082027", ...project(1, "MSNA", 12) }, "approved"); // ordinari 25 + MSNA 12
  await ente({ municipalityCode: "087015", ...project(0, "DM/DS", 8) }, "approved");
  await ente({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni delle Madonie", ...project(0, "MSNA", 10) }, "approved");
  // Not members: waiting, unconfirmed, revoked (its projects must not count).
  oldPendingId = await ente({ municipalityCode: "083048" }, "pending");
  newPendingId = await ente({ municipalityCode: "084001", ...project(0, "MSNA", 40) }, "pending");
  await ente({ municipalityCode: "089013" }, "email_unverified");
  await ente({ municipalityCode: "086009", ...project(0, "ordinari", 99) }, "revoked");
  getDb()
    .update(membershipRequests)
    .set({ confirmedAt: new Date(Date.now() - 3 * DAY - 60 * 60 * 1000) })
    .where(eq(membershipRequests.id, oldPendingId))
    .run();
});

describe("getDashboard", () => {
  it("counts requests, member enti, projects and places by tipologia of member enti only", () => {
    const d = getDashboard(getDb(), { now: new Date() });
    expect(d.pendingCount).toBe(2);
    expect(d.emailUnverifiedCount).toBe(1);
    expect(d.approvedBodies).toBe(4);
    expect(d.byCategory).toEqual([
      { category: "ordinari", projects: 2, places: 50 },
      { category: "MSNA", projects: 2, places: 22 },
      { category: "DM/DS", projects: 1, places: 8 },
    ]);
    expect(d.projects).toBe(5);
    expect(d.places).toBe(80);
  });

  it("lists waiting requests oldest first with their age in days", () => {
    const d = getDashboard(getDb(), { now: new Date() });
    expect(d.waiting.map((w) => [w.id, w.ageDays])).toEqual([
      [oldPendingId, 3],
      [newPendingId, 0],
    ]);
    expect(d.waiting[0].bodyName).toMatch(/^Comune di /);
    // Ten days on, both have aged.
    const later = getDashboard(getDb(), { now: new Date(Date.now() + 10 * DAY) });
    expect(later.waiting.map((w) => w.ageDays)).toEqual([13, 10]);
  });

  it("computes coverage per province: member comuni against all comuni of the province", () => {
    const d = getDashboard(getDb(), { now: new Date(), regions: ["Sicilia"] });
    expect(d.coverage).toHaveLength(9);
    expect(d.coverage.map((p) => p.name)).toEqual([...d.coverage.map((p) => p.name)].sort((a, b) => a.localeCompare(b)));
    const byCode = Object.fromEntries(d.coverage.map((p) => [p.code, p]));
    expect(byCode["082"]).toMatchObject({ sigla: "PA", comuni: comuniOf("082"), memberComuni: 2 });
    expect(byCode["082"].percentage).toBe(Math.round((2 / comuniOf("082")) * 1000) / 10);
    expect(byCode["087"]).toMatchObject({ sigla: "CT", comuni: comuniOf("087"), memberComuni: 1 });
    for (const code of ["081", "083", "084", "085", "086", "088", "089"]) expect(byCode[code].memberComuni).toBe(0);
    expect(d.coverageTotal).toEqual({ comuni: 391, memberComuni: 3, percentage: Math.round((3 / 391) * 1000) / 10 });
  });

  it("lists open projects of member enti whose end date has passed in Italy, the oldest end first", () => {
    const overdueAt = (instant: string) => getDashboard(getDb(), { now: new Date(instant) }).overdueProjects;
    // The projects of member enti end on 31/12/2027 (three, set above) and 31/12/2030 (two, the scheda's default).
    expect(overdueAt("2026-06-01T10:00:00Z")).toEqual({ total: 0, items: [] });
    // Still active on its last day, overdue from the next one, in Italian time.
    expect(overdueAt("2027-12-31T22:30:00Z").total).toBe(0);
    const overdue = overdueAt("2027-12-31T23:30:00Z");
    expect(overdue.total).toBe(3);
    expect(overdue.items.map((p) => [p.category, p.endDate])).toEqual([
      ["DM/DS", "2027-12-31"],
      ["MSNA", "2027-12-31"],
      ["MSNA", "2027-12-31"],
    ]);
    expect(overdue.items.map((p) => p.bodyName)).toEqual([...overdue.items.map((p) => p.bodyName)].sort((a, b) => a.localeCompare(b)));
    expect(overdue.items.map((p) => p.bodyName)).toContain("Unione dei Comuni delle Madonie");
    const approvedIds = getDb().select().from(membershipRequests).where(eq(membershipRequests.status, "approved")).all().map((r) => r.id);
    for (const p of overdue.items) expect(approvedIds).toContain(p.requestId);
    // Projects of enti that are not members (waiting, revoked) never count.
    const later = overdueAt("2031-01-01T12:00:00Z");
    expect(later.total).toBe(5);
    expect(later.items.map((p) => p.endDate)).toEqual(["2027-12-31", "2027-12-31", "2027-12-31", "2030-12-31", "2030-12-31"]);
  });

  it("shows the latest 10 audit entries, newest first, with the actor's name", () => {
    const d = getDashboard(getDb(), { now: new Date() });
    expect(d.latestActivity).toHaveLength(10);
    const ids = d.latestActivity.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const revoked = d.latestActivity.find((e) => e.action === "membership.revoked")!;
    expect(revoked.actorName).toBe("Amministratore");
    const submitted = d.latestActivity.find((e) => e.action === "membership.submitted")!;
    expect(submitted.actorName).toBe("Maria Rossi (referente)");
  });
});

describe("/admin", () => {
  it("names the projects past their end date, linking to their ente's projects", async () => {
    const unione = getDb().select().from(membershipRequests).all().find((r) => JSON.stringify(r.submission).includes("Madonie") && r.status === "approved")!;
    const project = getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, unione.memberBodyId)).get()!;
    getDb().update(saiProjects).set({ startDate: "2023-01-01", endDate: "2025-06-30" }).where(eq(saiProjects.id, project.id)).run();
    try {
      const { html } = await renderRoute(overview, await adminGet("/admin", adminId()));
      expect(html).toContain('<h2 id="overdue-title">Progetti da aggiornare</h2>');
      expect(html.replace(/&#x27;/g, "'")).toContain(
        "1 progetto aperto ha superato la data di fine: non è contato tra i progetti attivi qui sopra e nella home page, ma finché non viene chiuso l'ente riceve ancora inviti e comunicazioni per la sua tipologia. Se è stato prorogato va aggiornata la data di fine, altrimenti va chiuso: dalla pagina",
      );
      // What the text says of the figures above it is so.
      const withoutIt = getDashboard(getDb(), { now: new Date() }).projects;
      getDb().update(saiProjects).set({ endDate: "2099-12-31" }).where(eq(saiProjects.id, project.id)).run();
      expect(getDashboard(getDb(), { now: new Date() }).projects).toBe(withoutIt + 1);
      expect(html).toMatch(new RegExp(`<a[^>]*href="/admin/adesioni/${unione.id}#progetti">Unione dei Comuni delle Madonie</a>: MSNA \\(minori stranieri non accompagnati\\) PROG-1776-PR-3, terminato il 30/06/2025`));
    } finally {
      getDb().update(saiProjects).set({ startDate: project.startDate, endDate: project.endDate }).where(eq(saiProjects.id, project.id)).run();
    }
  });

  it("mentions the emails that could not be delivered, with a link to them in the outbox", async () => {
    const failed = () => getDb().select().from(outbox).where(eq(outbox.status, "failed")).all();
    expect(failed()).toEqual([]);
    const before = await renderRoute(overview, await adminGet("/admin", adminId()));
    expect(before.html).not.toContain("Email non consegnate");
    const rows = getDb().select().from(outbox).limit(2).all();
    const ids = rows.map((r) => r.id);
    expect(ids).toHaveLength(2);
    getDb().update(outbox).set({ status: "failed", lastError: "554 5.7.1 Sender address rejected" }).where(inArray(outbox.id, ids)).run();
    try {
      const { html } = await renderRoute(overview, await adminGet("/admin", adminId()));
      expect(html).toContain('<h2 id="failed-emails-title">Email non consegnate</h2>');
      expect(html).toContain("2 email non sono state consegnate: il server di posta le ha rifiutate");
      expect(html).toMatch(/<a[^>]*href="\/admin\/posta\?stato=failed"[^>]*>Vedi le 2 email non consegnate<\/a>/);
    } finally {
      for (const r of rows) getDb().update(outbox).set({ status: r.status, lastError: r.lastError }).where(eq(outbox.id, r.id)).run();
    }
  });

  it("sends anonymous visitors to /login", async () => {
    const response = await settle(async () => overview.loader(routeArgs(await adminGet("/admin", null))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
  });

  it("is open to every coordinator, not only administrators", async () => {
    const coordinator = createTestCoordinator();
    const response = await settle(async () => overview.loader(routeArgs(await adminGet("/admin", coordinator.id))));
    expect(response.status).toBe(200);
    const data = (await response.json()) as { pendingCount: number; approvedBodies: number };
    expect(data).toMatchObject({ pendingCount: 2, approvedBodies: 4 });
  });

  it("renders the figures, the waiting requests, the coverage chart with its table and the latest activity", async () => {
    const { status, html } = await renderRoute(overview, await adminGet("/admin", adminId()));
    expect(status).toBe(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain(">Panoramica</h1>");

    expect(html).toMatch(new RegExp(`<a[^>]*href="/admin/adesioni/${oldPendingId}"[^>]*>Comune di [^<]+</a>: in attesa da 3 giorni`));
    expect(html).toMatch(new RegExp(`<a[^>]*href="/admin/adesioni/${newPendingId}"[^>]*>Comune di [^<]+</a>: in attesa da oggi`));
    expect(html).toContain('href="/admin/adesioni?stato=pending"');

    // The chart: a row per province, its name, its figures and a bar as long as its share; hidden from
    // screen readers, who read the same figures in the table below.
    const chart = html.match(/<div class="coverage-chart" aria-hidden="true">[\s\S]*?(?=<div class="table-responsive)/)![0];
    expect(chart.match(/class="coverage-chart-row"/g)).toHaveLength(9);
    expect(chart).not.toContain("<script");

    // The same numbers in a table.
    const table = html.match(/<table[^>]*><caption[^>]*>Copertura per provincia[\s\S]*?<\/table>/)![0];
    const headers = [...table.matchAll(/<th scope="col"[^>]*>([\s\S]*?)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 3)).toEqual(["Provincia", "Comuni", "Comuni aderenti"]);
    // On a phone the last column is headed "%"; screen readers hear its whole name at every width.
    expect(headers[3]).toBe(
      '<span class="d-none d-sm-inline">Copertura %</span><span class="d-sm-none"><span aria-hidden="true">%</span><span class="visually-hidden">Copertura %</span></span>',
    );
    const pa = comuniOf("082");
    const paPercent = new Intl.NumberFormat("it-IT", { maximumFractionDigits: 1 }).format(Math.round((2 / pa) * 1000) / 10);
    expect(table).toMatch(new RegExp(`<th scope="row">Palermo \\(PA\\)</th><td class="text-end">${pa}</td><td class="text-end">2</td><td class="text-end">${paPercent}%</td>`));
    expect(chart).toContain(
      `<span class="coverage-chart-name">Palermo</span><span class="coverage-chart-value">${paPercent}% (2 su ${pa})</span>` +
        `<span class="coverage-chart-bar"><span class="coverage-chart-fill" style="width:${Math.round((2 / pa) * 1000) / 10}%"></span></span>`,
    );

    // No project is past its end date: no section about them.
    expect(html).not.toContain("Progetti da aggiornare");
    expect(html).toContain("ha revocato l&#x27;adesione");
    expect(html).toContain('href="/admin/registro"');
  });

  it("asks the first coordinator, still called «Amministratore», for their name; nobody else", async () => {
    const first = createTestCoordinator({ name: "Amministratore" });
    const notice = "Nel portale ti chiami ancora «Amministratore»: così ti nominano gli inviti ai coordinatori e il registro.";
    const unnamed = await renderRoute(overview, await adminGet("/admin", first.id));
    expect(unnamed.html).toContain(notice);
    expect(unnamed.html).toContain('<a data-discover="true" href="/admin/account">Indica il tuo nome in Il mio account</a>');
    expect((await renderRoute(overview, await adminGet("/admin", createTestCoordinator({ name: "Rosa Di Stefano" }).id))).html).not.toContain(notice);
  });

  // Last in the file: it adds places to the figures the tests above count.
  it("writes four-digit figures as the home page does, «1.280» and not «1280»", async () => {
    await ente({ municipalityCode: "081001", "projects.0.fundedPlaces": "1200" }, "approved");
    const { html } = await renderRoute(overview, await adminGet("/admin", adminId()));
    const places = html.match(/<table[^>]*><caption[^>]*>Progetti e posti finanziati per tipologia[\s\S]*?<\/table>/)![0];
    expect(places).toContain('<th scope="row">Ordinari</th><td class="text-end">3</td><td class="text-end">1.250</td>');
    expect(places).toContain('<td class="text-end">1.280</td>');
    expect(html).not.toMatch(/>1280</);
  });
});
