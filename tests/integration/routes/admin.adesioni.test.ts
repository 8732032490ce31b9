import { parse } from "csv-parse/sync";
import { and, eq, inArray } from "drizzle-orm";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberBodies, membershipRequests, municipalities, outbox, referents } from "#db/schema";
import { parseImportFile } from "~/models/member-import-file.server";
import { previewImport } from "~/models/member-import-preview.server";
import { exportMembershipRequests, listMembershipRequests } from "~/models/membership-list.server";
import { displayPhone } from "~/utils/phone-display.server";
import { approveMembership, rejectMembership, revokeMembership } from "~/models/membership-review.server";
import { action as submitAction } from "~/routes/adesione._index";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import * as listRoute from "~/routes/admin.adesioni._index";
import { action, loader } from "~/routes/admin.adesioni._index";
import { loader as csvLoader } from "~/routes/admin.adesioni.export[.]csv";
import { loader as xlsxLoader } from "~/routes/admin.adesioni.export[.]xlsx";
import { getDb } from "~/utils/db.server";
import { formatSheetDate, todayInRome } from "~/utils/spreadsheet.server";
import { parseMembershipListParams } from "~/validation/membership-filters";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { confirmationTokenFor, countRows, outboxFor, requestsForEmail } from "../../support/db-queries";
import { uniqueEmail, validRegistrationFields } from "../../support/factories";
import { freeComune } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

// The data go through the real scheda, confirmation and decisions, so every status is one a real
// request can reach.

type Fixture = { id: number; email: string; fiscalCode: string };

async function register(overrides: Record<string, string>): Promise<Fixture> {
  const fields = validRegistrationFields({ email: uniqueEmail(), ...overrides });
  const response = await submitAction(routeArgs(await browserPost("/adesione", fields)));
  expect(response.status).toBe(302);
  const [{ request }] = requestsForEmail(fields.email);
  return { id: request.id, email: fields.email, fiscalCode: fields.fiscalCode };
}

async function confirm(f: Fixture) {
  const token = confirmationTokenFor(f.email);
  const response = await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
  expect(response.status).toBe(200);
  return f;
}

const comune = (code: string, first: string, last: string, project: Record<string, string> = {}, extra: Record<string, string> = {}) => ({
  municipalityCode: code,
  firstName: first,
  lastName: last,
  ...Object.fromEntries(Object.entries(project).map(([k, v]) => [`projects.0.${k}`, v])),
  ...extra,
});

let coordinatorId: number;
const f = {} as Record<
  | "cefalu"
  | "bagheria"
  | "catania"
  | "messina"
  | "trapani"
  | "madonie"
  | "ragusa1"
  | "ragusa2"
  | "siracusa1"
  | "siracusa2"
  | "enna"
  | "evil",
  Fixture
>;
const paginated: Fixture[] = [];
const EVIL_NAME = '=HYPERLINK("http://evil.example","clic")';

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  const decide = { coordinatorId, appUrl: APP_URL };
  const approve = (x: Fixture) => expect(approveMembership(getDb(), { id: x.id, ...decide })).toEqual({ ok: true });

  f.cefalu = await confirm(await register(comune("082027", "Nicolò", "Lo Verde", { category: "ordinari", fundedPlaces: "25" })));
  f.bagheria = await confirm(await register(comune("082006", "Anna", "Bianchi", { category: "MSNA", fundedPlaces: "10" }, { email: uniqueEmail("anna.bianchi") })));
  f.catania = await confirm(
    await register(
      comune("087015", "Giuseppe", "Russo", { category: "ordinari", fundedPlaces: "40" }, {
        "projects.1.category": "DM/DS",
        "projects.1.fundedPlaces": "5",
        "projects.1.managingOrganization": "Cooperativa Due",
        "projects.1.startDate": "2025-01-01",
        "projects.1.endDate": "2027-12-31",
      }),
    ),
  );
  approve(f.catania);
  f.messina = await register(comune("083048", "Maria", "Rossi", { category: "ordinari", fundedPlaces: "12" }));
  f.trapani = await confirm(await register(comune("081021", "Salvatore", "Greco", { category: "MSNA", fundedPlaces: "8" })));
  expect(rejectMembership(getDb(), { id: f.trapani.id, ...decide, reason: "Dati incompleti" })).toEqual({ ok: true });
  f.madonie = await confirm(
    await register({
      bodyKind: "unione_comuni",
      municipalityCode: "",
      bodyName: "Unione dei Comuni delle Madonie",
      provinceCode: "082",
      firstName: "Rosa",
      lastName: "Ferrara",
      "projects.0.category": "DM/DS",
      "projects.0.fundedPlaces": "6",
    }),
  );
  f.ragusa1 = await confirm(await register(comune("088009", "Paolo", "Conti", { category: "ordinari", fundedPlaces: "20" })));
  approve(f.ragusa1);
  f.ragusa2 = await confirm(
    await register(comune("088009", "Lucia", "Marino", { category: "ordinari", fundedPlaces: "22" }, { fiscalCode: f.ragusa1.fiscalCode })),
  );
  f.siracusa1 = await confirm(await register(comune("089017", "Marco", "Gallo", { category: "MSNA", fundedPlaces: "15" })));
  approve(f.siracusa1);
  f.siracusa2 = await confirm(
    await register(comune("089017", "Elena", "Costa", { category: "MSNA", fundedPlaces: "18" }, { fiscalCode: f.siracusa1.fiscalCode })),
  );
  // A handover whose projects replace the ente's (the coordinator's choice).
  expect(approveMembership(getDb(), { id: f.siracusa2.id, ...decide, replaceProjects: true })).toEqual({ ok: true });
  f.enna = await confirm(await register(comune("086009", "Franco", "Bruno", { category: "ordinari", fundedPlaces: "9" })));
  approve(f.enna);
  expect(revokeMembership(getDb(), { appUrl: "http://portale.test", id: f.enna.id, coordinatorId, reason: "Richiesta dell'ente" })).toEqual({ ok: true });
  f.evil = await register({
    bodyKind: "altro",
    municipalityCode: "",
    bodyName: EVIL_NAME,
    firstName: "@Mario",
    lastName: "+Rossi",
    office: "-Ufficio",
    noActiveProjects: "on",
  });
  for (let i = 1; i <= 26; i++) {
    paginated.push(
      await register({
        bodyKind: "altro",
        municipalityCode: "",
        bodyName: `Consorzio Paginazione ${String(i).padStart(2, "0")}`,
        noActiveProjects: "on",
      }),
    );
  }
  // The "altro" enti were recorded before the scheda asked for the province of the seat.
  getDb()
    .update(memberBodies)
    .set({ provinceCode: null })
    .where(inArray(memberBodies.name, [EVIL_NAME, ...Array.from({ length: 26 }, (_, i) => `Consorzio Paginazione ${String(i + 1).padStart(2, "0")}`)]))
    .run();
  // Cefalù has been waiting for three days (and an hour).
  getDb()
    .update(membershipRequests)
    .set({ confirmedAt: new Date(Date.now() - 3 * 24 * 3600_000 - 3600_000) })
    .where(eq(membershipRequests.id, f.cefalu.id))
    .run();
});

type ListRow = {
  id: number;
  status: string;
  statusLabel: string;
  bodyName: string;
  comune: string | null;
  provinceSigla: string | null;
  waiting: string | null;
  openProjects: number;
  fundedPlaces: number;
};
type ListData = {
  rows: ListRow[];
  total: number;
  countsByStatus: Record<string, number>;
  page: number;
  pageCount: number;
  filters: Record<string, string>;
  outcome: { approved: number; failures: string[] } | null;
};

async function list(query = ""): Promise<ListData> {
  const response = await settle(async () => loader(routeArgs(await adminGet(`/admin/adesioni${query}`, coordinatorId))));
  expect(response.status).toBe(200);
  return (await response.json()) as ListData;
}

const ids = (data: ListData) => data.rows.map((r) => r.id).sort((a, b) => a - b);
const idsOf = (...fixtures: Fixture[]) => fixtures.map((x) => x.id).sort((a, b) => a - b);

const ALL_COUNTS = { email_unverified: 28, pending: 4, approved: 3, rejected: 1, revoked: 1, superseded: 1 };

describe("GET /admin/adesioni: filters", () => {
  it("lists every request with counts per status, newest first, 25 per page", async () => {
    const data = await list();
    expect(data.total).toBe(38);
    expect(data.countsByStatus).toEqual(ALL_COUNTS);
    expect(data.rows).toHaveLength(25);
    expect(data.page).toBe(1);
    expect(data.pageCount).toBe(2);
    const rowIds = data.rows.map((r) => r.id);
    expect(rowIds).toEqual([...rowIds].sort((a, b) => b - a));
    expect(data.outcome).toBeNull();
  });

  it("filters by status; the counts keep showing every status", async () => {
    const data = await list("?stato=pending");
    expect(ids(data)).toEqual(idsOf(f.cefalu, f.bagheria, f.madonie, f.ragusa2));
    expect(data.total).toBe(4);
    expect(data.countsByStatus).toEqual(ALL_COUNTS);
    for (const [status, fixture] of [
      ["approved", [f.catania, f.ragusa1, f.siracusa2]],
      ["rejected", [f.trapani]],
      ["revoked", [f.enna]],
      ["superseded", [f.siracusa1]],
    ] as const) {
      expect(ids(await list(`?stato=${status}`))).toEqual(idsOf(...fixture));
    }
  });

  it("filters by the province of the ente's seat: a Comune's comune's, the one chosen by other enti", async () => {
    const palermo = await list("?provincia=082");
    expect(ids(palermo)).toEqual(idsOf(f.cefalu, f.bagheria, f.madonie));
    expect(palermo.rows.every((r) => r.provinceSigla === "PA")).toBe(true);
    expect(palermo.countsByStatus).toEqual({ ...zeroCounts(), pending: 3 });
    expect(ids(await list("?provincia=088"))).toEqual(idsOf(f.ragusa1, f.ragusa2));
    const madonie = (await list(`?q=madonie`)).rows[0];
    expect(madonie).toMatchObject({ id: f.madonie.id, comune: null, provinceSigla: "PA" });
    // An ente recorded before the province was asked has none, and no province filter shows it...
    const legacy = (await list(`?q=${encodeURIComponent("Consorzio Paginazione 01")}`)).rows[0];
    expect(legacy).toMatchObject({ comune: null, provinceSigla: null });
    // ...but "Senza provincia" lists exactly those, for the coordinators to complete them.
    const without = await list("?provincia=nessuna&ordina=ente");
    expect(without.total).toBe(27);
    expect(without.filters).toEqual({ provinceCode: "nessuna" });
    expect(without.rows.every((r) => r.provinceSigla === null && r.comune === null)).toBe(true);
    expect(without.rows.map((r) => r.bodyName)).toContain("Consorzio Paginazione 01");
  });

  it("filters by tipologia of an open project of the ente", async () => {
    expect(ids(await list("?tipologia=DM%2FDS"))).toEqual(idsOf(f.catania, f.madonie));
    // Siracusa's open MSNA project is the successor's; the superseded request belongs to the same ente.
    expect(ids(await list("?tipologia=MSNA"))).toEqual(idsOf(f.bagheria, f.trapani, f.siracusa1, f.siracusa2));
  });

  it("filters by kind of request", async () => {
    expect(ids(await list("?tipo=handover"))).toEqual(idsOf(f.ragusa2, f.siracusa2));
    const fresh = await list("?tipo=new&stato=approved");
    expect(ids(fresh)).toEqual(idsOf(f.catania, f.ragusa1));
  });

  it("combines filters", async () => {
    expect(ids(await list("?stato=pending&provincia=082&tipologia=MSNA"))).toEqual(idsOf(f.bagheria));
    expect(ids(await list("?stato=approved&tipo=handover"))).toEqual(idsOf(f.siracusa2));
    expect(ids(await list("?provincia=088&tipo=handover&q=lucia"))).toEqual(idsOf(f.ragusa2));
    const none = await list("?stato=rejected&provincia=082");
    expect(none.rows).toEqual([]);
    expect(none.total).toBe(0);
    expect(none.pageCount).toBe(1);
  });

  it.each([
    ["cefalu", () => [f.cefalu]],
    ["CEFALÙ", () => [f.cefalu]],
    ["Cefalù", () => [f.cefalu]],
    ["nicolo", () => [f.cefalu]],
    ["NICOLÒ lo verde", () => [f.cefalu]],
    ["anna.bianchi", () => [f.bagheria]],
    ["madonie", () => [f.madonie]],
    ["ragusa", () => [f.ragusa1, f.ragusa2]],
    ["russo catania", () => [f.catania]],
    ["hyperlink", () => [f.evil]],
  ])("free text %j is case- and accent-insensitive", async (q, expected) => {
    expect(ids(await list(`?q=${encodeURIComponent(q)}`))).toEqual(idsOf(...expected()));
  });

  it("treats % and _ in the free text literally", async () => {
    expect((await list("?q=%25")).rows).toEqual([]);
    expect((await list("?q=_")).rows).toEqual([]);
  });

  it("ignores invalid parameters instead of failing", async () => {
    const data = await list("?stato=boh&provincia=xx&tipologia=altro&tipo=qualsiasi&ordina=colore&verso=su&pagina=-3&q=");
    expect(data.total).toBe(38);
    expect(data.filters).toEqual({});
    expect(data.page).toBe(1);
    const unknownProvince = await list("?provincia=999&stato=pending");
    expect(unknownProvince.filters).toEqual({ status: "pending" });
    expect(unknownProvince.total).toBe(4);
  });
});

function zeroCounts() {
  return { email_unverified: 0, pending: 0, approved: 0, rejected: 0, revoked: 0, superseded: 0 };
}

describe("GET /admin/adesioni: rows, sorting, pagination", () => {
  it("shows ente, comune, province, projects and how long pending requests have waited", async () => {
    const data = await list("?q=cefalu");
    expect(data.rows[0]).toMatchObject({
      bodyName: "Comune di Cefalù",
      comune: "Cefalù",
      provinceSigla: "PA",
      status: "pending",
      statusLabel: "In attesa di approvazione",
      waiting: "in attesa da 3 giorni",
      openProjects: 1,
      fundedPlaces: 25,
    });
    expect((await list("?q=bianchi")).rows[0].waiting).toBe("in attesa da oggi");
    expect((await list("?q=russo")).rows[0]).toMatchObject({ waiting: null, openProjects: 2, fundedPlaces: 45 });
    // After the handover only the successor's project is open.
    expect((await list("?q=elena")).rows[0]).toMatchObject({ openProjects: 1, fundedPlaces: 18 });
  });

  it("counts an ente's projects on its current request only: a superseded, revoked or rejected one shows none, so an export adds up", async () => {
    // Siracusa: the superseded request of Marco Gallo beside the approved one of Elena Costa.
    expect((await list("?q=gallo")).rows[0]).toMatchObject({ status: "superseded", openProjects: null, fundedPlaces: null });
    expect((await list("?q=trapani")).rows.find((r) => r.status === "rejected")).toMatchObject({ openProjects: null, fundedPlaces: null });
    expect((await list("?stato=revoked")).rows[0]).toMatchObject({ openProjects: null, fundedPlaces: null });
    const html = (await renderRoute(listRoute, await adminGet("/admin/adesioni?q=gallo", coordinatorId))).html;
    expect(html).toContain('<span aria-hidden="true">—</span><span class="visually-hidden">Progetti dell&#x27;ente nella sua richiesta attuale</span>');
    // The export of Siracusa: one row with the ente's project, the past one with empty cells.
    const rows = exportMembershipRequests(getDb(), parseMembershipListParams(new URLSearchParams("q=siracusa")));
    expect(rows.map((r) => [r.referent.lastName, r.openProjects, r.fundedPlaces]).sort()).toEqual([["Costa", 1, 18], ["Gallo", null, null]]);
  });

  it("sorts by ente name both ways", async () => {
    const asc = await list("?q=paginazione&ordina=ente");
    expect(asc.rows.map((r) => r.bodyName).slice(0, 3)).toEqual(["Consorzio Paginazione 01", "Consorzio Paginazione 02", "Consorzio Paginazione 03"]);
    const desc = await list("?q=paginazione&ordina=ente&verso=desc");
    expect(desc.rows[0].bodyName).toBe("Consorzio Paginazione 26");
  });

  it("sorts by date of the request, newest first by default", async () => {
    const oldest = await list("?q=paginazione&ordina=data&verso=asc");
    expect(oldest.rows[0].id).toBe(paginated[0].id);
    const newest = await list("?q=paginazione");
    expect(newest.rows[0].id).toBe(paginated[25].id);
  });

  it("sorts by status in the order of the workflow", async () => {
    const rows = exportMembershipRequests(getDb(), parseMembershipListParams(new URLSearchParams("ordina=stato")));
    const order = ["email_unverified", "pending", "approved", "rejected", "revoked", "superseded"];
    const ranks = rows.map((r) => order.indexOf(r.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const first = await list("?ordina=stato&verso=desc");
    expect(first.rows[0].status).toBe("superseded");
  });

  it("sorts by province, enti without one last in both directions", async () => {
    for (const verso of ["asc", "desc"] as const) {
      const rows = exportMembershipRequests(getDb(), parseMembershipListParams(new URLSearchParams(`ordina=provincia&verso=${verso}`)));
      const siglas = rows.map((r) => r.province?.sigla ?? null);
      const withProvince = siglas.filter((s): s is string => s !== null);
      expect(siglas.slice(0, withProvince.length)).toEqual(withProvince);
      const sorted = [...withProvince].sort();
      expect(withProvince).toEqual(verso === "asc" ? sorted : sorted.reverse());
      expect(withProvince).toHaveLength(11);
    }
    const page = await list("?ordina=provincia");
    expect(page.rows[0].provinceSigla).toBe("CT");
  });

  it("pages 25 rows at a time; a page past the end shows the last one", async () => {
    const first = await list("?q=paginazione&ordina=ente");
    expect(first).toMatchObject({ total: 26, page: 1, pageCount: 2 });
    expect(first.rows).toHaveLength(25);
    const second = await list("?q=paginazione&ordina=ente&pagina=2");
    expect(second.page).toBe(2);
    expect(second.rows.map((r) => r.bodyName)).toEqual(["Consorzio Paginazione 26"]);
    const beyond = await list("?q=paginazione&ordina=ente&pagina=99");
    expect(beyond.page).toBe(2);
    expect(beyond.rows).toEqual(second.rows);
    expect((await list("?q=paginazione&pagina=0")).page).toBe(1);
    expect((await list("?q=paginazione&pagina=1.5")).page).toBe(1);
    // Exact multiples of the page size make no empty last page.
    const paged = (pageSize: number, page: number) =>
      listMembershipRequests(getDb(), { filters: { q: "paginazione" }, sort: { key: "ente", direction: "asc" }, page, pageSize });
    expect(paged(26, 1)).toMatchObject({ pageCount: 1, page: 1 });
    expect(paged(13, 2)).toMatchObject({ pageCount: 2, page: 2 });
    expect(paged(13, 2).rows.map((r) => r.body.name).at(-1)).toBe("Consorzio Paginazione 26");
    expect(paged(13, 3).page).toBe(2);
  });
});

const render = async (query = "") => {
  const { status, html } = await renderRoute(listRoute, await adminGet(`/admin/adesioni${query}`, coordinatorId), "/admin/adesioni");
  expect(status).toBe(200);
  return html;
};
const esc = (s: string) => s.replace(/&/g, "&amp;");
const rx = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** An <a> to `href` (as the HTML escapes it) followed by `text`. */
const link = (href: string, text = "") => new RegExp(`<a[^>]*href="${rx(esc(href))}"[^>]*>${rx(text)}`);

describe("the page", () => {
  it("has one h1, the filter form with Italian labels, counts as links and the export links", async () => {
    const html = await render("?stato=pending&q=comune");
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain(">Adesioni</h1>");
    for (const label of ["Stato", "Provincia", "Tipologia progetto", "Tipo di richiesta", "Cerca"]) {
      expect(html).toMatch(new RegExp(`<label for="[^"]+">${label}</label>`));
    }
    expect(html).toMatch(/<form method="get" action="\/admin\/adesioni"[^>]*>/);
    expect(html).toContain(">Filtra</button>");
    expect(html).toMatch(link("/admin/adesioni", "Azzera filtri</a>"));
    expect(html).toMatch(link("/admin/adesioni?stato=approved&q=comune", "Approvata"));
    expect(html).toMatch(/aria-current="true"[^>]*>In attesa di approvazione <span class="badge bg-primary">3<\/span>/);
    // The exports are buttons of the filter form: they send the fields as shown, applied or not.
    const form = html.slice(html.indexOf('<form method="get" action="/admin/adesioni"'));
    const filterForm = form.slice(0, form.indexOf("</form>"));
    expect(filterForm).toMatch(/<button type="submit"[^>]*formAction="\/admin\/adesioni\/export\.xlsx"[^>]*>Esporta Excel<\/button>/i);
    expect(filterForm).toMatch(/<button type="submit"[^>]*formAction="\/admin\/adesioni\/export\.csv"[^>]*>Esporta CSV<\/button>/i);
    // «Filtra» comes first, so Enter in a field filters the list rather than downloading a file.
    expect(filterForm.indexOf(">Filtra</button>")).toBeLessThan(filterForm.indexOf(">Esporta Excel</button>"));
    expect(filterForm).toContain("Le esportazioni contengono le richieste che corrispondono ai filtri scelti qui sopra, anche prima di premere «Filtra»");
    // Excel drops a codice fiscale's leading zeros from a CSV: the page says which file to open in it.
    expect(html).toContain("Per lavorare con Excel scegli «Esporta Excel»: aprendo il CSV, Excel toglie gli zeri iniziali dei codici fiscali.");
  });

  it("renders an accessible table: caption, header scopes, aria-sort, row links, selection labels, waiting age", async () => {
    const html = await render("?stato=pending");
    expect(html).toMatch(/<caption[^>]*>Richieste di adesione: 4 risultati, pagina 1 di 1<\/caption>/);
    expect(html).toMatch(/<th scope="col" aria-sort="descending"><a[^>]*>Data richiesta/);
    expect(html.match(/aria-sort=/g)).toHaveLength(1);
    expect(html).toMatch(link(`/admin/adesioni/${f.cefalu.id}`, "Comune di Cefalù</a>"));
    expect(html).toMatch(new RegExp(`<th scope="row"><a[^>]*href="/admin/adesioni/${f.madonie.id}">Unione dei Comuni delle Madonie</a>`));
    expect(html).toContain(`<label for="seleziona-${f.cefalu.id}" class="visually-hidden">Seleziona Comune di Cefalù</label>`);
    expect(html).toContain("in attesa da 3 giorni");
    expect(html).toContain(">Approva selezionate</button>");
    expect(html).toContain('name="csrf"');
    expect(html).toContain(esc(`action="/admin/adesioni?stato=pending"`));

    const approved = await render("?stato=approved");
    expect(approved).not.toContain('type="checkbox"');
    expect(approved).not.toContain("Approva selezionate");
    expect(approved).not.toContain("in attesa da");
  });

  it("sort headers toggle the direction and keep the filters", async () => {
    const html = await render("?tipo=handover&ordina=ente");
    expect(html).toMatch(new RegExp(`<th scope="col" aria-sort="ascending"><a[^>]*href="${rx(esc("/admin/adesioni?tipo=handover&ordina=ente&verso=desc"))}">Ente`));
    expect(html).toMatch(link("/admin/adesioni?tipo=handover&ordina=stato", "Stato"));
    expect(html).toMatch(link("/admin/adesioni?tipo=handover", "Data richiesta"));
    expect(html.match(/aria-sort=/g)).toHaveLength(1);
  });

  it("has a pagination nav with previous and next links only where they lead somewhere", async () => {
    const first = await render("?q=paginazione&ordina=ente");
    expect(first).toContain('<nav class="pagination-wrapper" aria-label="Paginazione">');
    expect(first).toContain("Pagina 1 di 2");
    expect(first).toMatch(link("/admin/adesioni?q=paginazione&ordina=ente&pagina=2", "Pagina successiva"));
    expect(first).not.toMatch(/<a[^>]*>Pagina precedente/);
    const second = await render("?q=paginazione&ordina=ente&pagina=2");
    expect(second).toContain("Pagina 2 di 2");
    expect(second).toMatch(link("/admin/adesioni?q=paginazione&ordina=ente", "Pagina precedente"));
    expect(second).not.toMatch(/<a[^>]*>Pagina successiva/);
  });

  it("says when nothing matches", async () => {
    const html = await render("?q=nessuno-si-chiama-cosi");
    expect(html).toContain("Nessuna richiesta corrisponde ai filtri scelti.");
    expect(html).not.toContain("<table");
  });
});

const HEADERS = [
  "Ente",
  "Tipo di ente",
  "Comune",
  "Provincia",
  "Stato",
  "Tipo di richiesta",
  "Data richiesta",
  "Data conferma",
  "Nome referente",
  "Cognome referente",
  "Ruolo",
  "Ufficio o settore",
  "Email",
  "Telefono",
  "Cellulare",
  "PEC dell'ente",
  "Codice fiscale dell'ente",
  "Progetti aperti",
  "Posti finanziati (progetti aperti)",
  "Tavoli: inviti",
  "Tavoli: risposte",
  "Tavoli: presenze",
];

async function download(kind: "csv" | "xlsx", query: string, who: number | null = coordinatorId) {
  const run = kind === "csv" ? csvLoader : xlsxLoader;
  return settle(async () => run(routeArgs(await adminGet(`/admin/adesioni/export.${kind}${query}`, who))));
}

function exportAudits() {
  return getDb().select().from(auditLog).where(eq(auditLog.action, "membership.exported")).all();
}

describe("exports", () => {
  it("an exported list imports back: each ente and referente recognised, nothing to fix, no project made of the totals", async () => {
    for (const kind of ["csv", "xlsx"] as const) {
      const response = await download(kind, "?stato=approved");
      const parsed = await parseImportFile({ buffer: new Uint8Array(await response.arrayBuffer()), fileName: `adesioni.${kind}` });
      if (!parsed.ok) throw new Error(parsed.error);
      // The list's own columns are named among those the import leaves aside.
      expect(parsed.ignoredHeaders).toEqual(["Stato", "Tipo di richiesta", "Data richiesta", "Data conferma", "Progetti aperti", "Posti finanziati (progetti aperti)", "Tavoli: inviti", "Tavoli: risposte", "Tavoli: presenze"]);
      const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
      expect(preview.rows.map((r) => [r.body, r.status, r.errors])).toEqual((await list("?stato=approved")).rows.map((r) => [expect.stringContaining(r.bodyName), "duplicate", []]));
      expect(new Set(preview.rows.flatMap((r) => r.changes))).toEqual(new Set(["Nessuna modifica: ente e referente sono già registrati così; i progetti dell'ente restano come sono"]));
    }
  });

  it("CSV: the filtered rows in the list's order, Italian headers, BOM and semicolons", async () => {
    const query = "?stato=pending&ordina=ente";
    const response = await download("csv", query);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="adesioni-${todayInRome()}.csv"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(new TextDecoder().decode(bytes), { bom: true, delimiter: ";" }) as string[][];
    expect(records[0]).toEqual(HEADERS);

    const listed = await list(query);
    expect(records.slice(1).map((r) => r[0])).toEqual(listed.rows.map((r) => r.bodyName));
    expect(records).toHaveLength(1 + 4);

    const cefalu = records.find((r) => r[0] === "Comune di Cefalù")!;
    const [{ request, referent }] = requestsForEmail(f.cefalu.email);
    expect(cefalu).toEqual([
      "Comune di Cefalù",
      "Comune",
      "Cefalù",
      "PA",
      "In attesa di approvazione",
      "Nuova adesione",
      formatSheetDate(request.createdAt),
      formatSheetDate(request.confirmedAt!),
      "Nicolò",
      "Lo Verde",
      "Dirigente",
      "Servizi sociali",
      f.cefalu.email,
      displayPhone(referent.phone),
      "",
      "protocollo@pec.comune.esempio.it",
      f.cefalu.fiscalCode,
      "1",
      "25",
      // Never invited to a Tavolo tecnico.
      "0",
      "0",
      "0",
    ]);
    expect(cefalu[13]).toBe("091 123 4567");
    const madonie = records.find((r) => r[0] === "Unione dei Comuni delle Madonie")!;
    expect(madonie.slice(1, 6)).toEqual(["Unione di Comuni", "", "PA", "In attesa di approvazione", "Nuova adesione"]);
  });

  it("CSV with every filter at once equals the list", async () => {
    const query = "?provincia=089&tipologia=MSNA&q=siracusa";
    const records = parse(await (await download("csv", query)).text(), { bom: true, delimiter: ";" }) as string[][];
    const listed = await list(query);
    expect(records.slice(1).map((r) => [r[0], r[4], r[5]])).toEqual([
      ["Comune di Siracusa", "Approvata", "Cambio di referente"],
      ["Comune di Siracusa", "Sostituita da un cambio di referente", "Nuova adesione"],
    ]);
    expect(listed.rows.map((r) => r.statusLabel)).toEqual(["Approvata", "Sostituita da un cambio di referente"]);
  });

  it("XLSX: the same rows, bold frozen header with autofilter, dates as dd/mm/yyyy", async () => {
    const query = "?tipologia=MSNA";
    const response = await download("xlsx", query);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="adesioni-${todayInRome()}.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe("Adesioni");
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.getColumn(1).width).toBeGreaterThan(20);

    const listed = await list(query);
    expect(sheet.rowCount).toBe(1 + listed.total);
    const names: string[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) names.push(String(row.getCell(1).value));
    });
    expect(names).toEqual(listed.rows.map((r) => r.bodyName));

    const trapaniRow = sheet.getRow(1 + listed.rows.findIndex((r) => r.id === f.trapani.id) + 1);
    const [{ request }] = requestsForEmail(f.trapani.email);
    expect(trapaniRow.getCell(5).value).toBe("Respinta");
    expect(trapaniRow.getCell(7).numFmt).toBe("dd/mm/yyyy");
    const day = trapaniRow.getCell(7).value as Date;
    expect(`${String(day.getUTCDate()).padStart(2, "0")}/${String(day.getUTCMonth() + 1).padStart(2, "0")}/${day.getUTCFullYear()}`).toBe(
      formatSheetDate(request.createdAt),
    );
    // A rejected request carries no projects: the ente's count on its current request's row.
    expect([trapaniRow.getCell(18).value, trapaniRow.getCell(19).value]).toEqual([null, null]);
    const bagheriaRow = sheet.getRow(1 + listed.rows.findIndex((r) => r.id === f.bagheria.id) + 1);
    expect([bagheriaRow.getCell(18).value, bagheriaRow.getCell(19).value]).toEqual([1, 10]);
  });

  it("neutralises formulas: quoted in the CSV, kept as they are in the workbook's Text cells", async () => {
    const records = parse(await (await download("csv", "?q=hyperlink")).text(), { bom: true, delimiter: ";" }) as string[][];
    expect(records).toHaveLength(2);
    expect(records[1][0]).toBe(`'${EVIL_NAME}`);
    expect(records[1][1]).toBe("Altro ente");
    expect(records[1].slice(8, 12)).toEqual(["'@Mario", "'+Rossi", "Dirigente", "'-Ufficio"]);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await download("xlsx", "?q=hyperlink")).arrayBuffer());
    const row = workbook.worksheets[0].getRow(2);
    expect(row.getCell(1).value).toBe(EVIL_NAME);
    expect(row.getCell(1).formula).toBeUndefined();
    expect([9, 10, 12].map((c) => row.getCell(c).value)).toEqual(["@Mario", "+Rossi", "-Ufficio"]);
    expect([1, 9, 10, 12].map((c) => row.getCell(c).numFmt)).toEqual(["@", "@", "@", "@"]);
  });

  it("audits each download with its filters and row count", async () => {
    const before = exportAudits().length;
    await download("csv", "?stato=approved&q=ragusa");
    await download("xlsx", "?provincia=082");
    const entries = exportAudits().slice(before);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actorType: "coordinator", actorId: coordinatorId });
    expect(entries[0].details).toMatchObject({ format: "csv", filters: { status: "approved", q: "ragusa" }, rowCount: 1 });
    expect(entries[1].details).toMatchObject({ format: "xlsx", filters: { provinceCode: "082" }, rowCount: 3 });
  });
});

async function approvePost(path: string, selected: number[], who: number | null, { withCsrf = true } = {}) {
  const base = await adminPost(path, {}, who);
  const body = new URLSearchParams(await base.text());
  for (const id of selected) body.append("ids", String(id));
  if (!withCsrf) body.delete("csrf");
  return new Request(base.url, { method: "POST", body, headers: base.headers });
}

const statusOf = (x: Fixture) => getDb().select().from(membershipRequests).where(eq(membershipRequests.id, x.id)).get()!.status;
const approvalEmails = (email: string) => outboxFor(email).filter((r) => r.template === "membership-approved");

describe("authorization", () => {
  it("sends anonymous visitors to /login from the list and the exports, and writes no audit", async () => {
    const auditsBefore = exportAudits().length;
    for (const run of [
      async () => loader(routeArgs(await adminGet("/admin/adesioni?stato=pending", null))),
      async () => csvLoader(routeArgs(await adminGet("/admin/adesioni/export.csv", null))),
      async () => xlsxLoader(routeArgs(await adminGet("/admin/adesioni/export.xlsx", null))),
    ]) {
      const response = await settle(run);
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=%2Fadmin%2Fadesioni/);
    }
    expect(exportAudits()).toHaveLength(auditsBefore);
  });

  it("refuses an anonymous bulk approval with a redirect to /login and changes nothing", async () => {
    const before = countRows();
    const response = await settle(async () => action(routeArgs(await approvePost("/admin/adesioni?index", [f.cefalu.id], null))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
    expect(statusOf(f.cefalu)).toBe("pending");
    expect(countRows()).toEqual(before);
  });

  it("refuses a bulk approval without the CSRF token (403) and changes nothing", async () => {
    const before = countRows();
    const response = await settle(async () =>
      action(routeArgs(await approvePost("/admin/adesioni?index", [f.cefalu.id], coordinatorId, { withCsrf: false }))),
    );
    expect(response.status).toBe(403);
    expect(statusOf(f.cefalu)).toBe("pending");
    expect(countRows()).toEqual(before);
  });
});

describe("POST /admin/adesioni: bulk approval", () => {
  it("asks for a selection when none is ticked", async () => {
    const before = countRows();
    const response = await settle(async () => action(routeArgs(await approvePost("/admin/adesioni?index", [], coordinatorId))));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: { ids: "Seleziona almeno una richiesta da approvare." } });
    expect(countRows()).toEqual(before);
  });

  it("sent without JavaScript and nothing ticked, the page opens on an error summary leading to the first box", async () => {
    const { status, html } = await renderRoute(listRoute, await approvePost("/admin/adesioni?stato=pending", [], coordinatorId), "/admin/adesioni");
    expect(status).toBe(400);
    const summary = html.match(/<div class="alert alert-danger"[^>]*>[\s\S]*?<\/div>/)?.[0] ?? "";
    expect(summary).toMatch(/role="alert"/);
    expect(summary).toMatch(/autofocus=""/);
    expect(summary).toContain("Il modulo di approvazione contiene un errore");
    const firstBox = html.match(/<input type="checkbox" name="ids" id="([^"]+)"[^>]*>/)!;
    expect(summary).toContain(`<a href="#${firstBox[1]}">Seleziona almeno una richiesta da approvare.</a>`);
    // Every box says what is wrong with the selection.
    expect(firstBox[0]).toContain('aria-invalid="true"');
    expect(firstBox[0]).toContain('aria-describedby="ids-error"');
    expect(html).toMatch(/<span id="ids-error" class="field-error"><span class="visually-hidden">Errore: <\/span>Seleziona almeno una richiesta da approvare.<\/span>/);
  });

  it("approves only pending requests, one email each, audited, and returns to the same view", async () => {
    const palermo = await confirm(await register(comune("082053", "Carla", "Amato", { category: "ordinari", fundedPlaces: "30" })));
    const partinico = await confirm(await register(comune("082054", "Luca", "Vitale", { category: "MSNA", fundedPlaces: "7" })));
    const canicatti = await confirm(await register(comune("084011", "Sara", "Leone", { category: "ordinari", fundedPlaces: "11" })));
    const fresh = [palermo, partinico, canicatti];
    const messinaEmailsBefore = outboxFor(f.messina.email).length;
    const cataniaEmailsBefore = approvalEmails(f.catania.email).length;
    const outboxBefore = countRows().outbox;

    const selected = [...fresh.map((x) => x.id), f.messina.id, f.catania.id, 999_999];
    const response = await settle(async () =>
      action(routeArgs(await approvePost("/admin/adesioni?index&stato=pending&ordina=ente&q=comune", selected, coordinatorId))),
    );
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    const target = new URL(location, APP_URL);
    expect(target.pathname).toBe("/admin/adesioni");
    expect(Object.fromEntries(target.searchParams)).toEqual({
      stato: "pending",
      ordina: "ente",
      q: "comune",
      approvate: "3",
      non_approvate: `${f.messina.id},${f.catania.id},999999`,
    });

    for (const x of fresh) {
      expect(statusOf(x)).toBe("approved");
      expect(approvalEmails(x.email)).toHaveLength(1);
      const audit = getDb()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "membership.approved"), eq(auditLog.entityId, String(x.id))))
        .all();
      expect(audit).toHaveLength(1);
      expect(audit[0].actorId).toBe(coordinatorId);
    }
    expect(countRows().outbox - outboxBefore).toBe(3);
    expect(statusOf(f.messina)).toBe("email_unverified");
    expect(outboxFor(f.messina.email)).toHaveLength(messinaEmailsBefore);
    expect(statusOf(f.catania)).toBe("approved");
    expect(approvalEmails(f.catania.email)).toHaveLength(cataniaEmailsBefore);
    const messinaReferent = getDb().select().from(referents).where(eq(referents.email, f.messina.email)).get()!;
    expect(messinaReferent.validFrom).toBeNull();

    // The page the redirect leads to explains the outcome and keeps the filters.
    const after = await list(target.search);
    expect(after.filters).toEqual({ status: "pending", q: "comune" });
    expect(after.outcome?.approved).toBe(3);
    expect(after.outcome?.failures).toEqual([
      `Comune di Messina (richiesta n. ${f.messina.id}): si possono approvare solo le richieste confermate e in attesa di approvazione (stato attuale: email da confermare).`,
      `Comune di Catania (richiesta n. ${f.catania.id}): si possono approvare solo le richieste confermate e in attesa di approvazione (stato attuale: approvata).`,
      "Richiesta n. 999999: richiesta non trovata.",
    ]);
    expect(after.rows.some((r) => fresh.some((x) => x.id === r.id))).toBe(false);
  });

  it("a repeated submission approves nothing twice", async () => {
    // Canicattì has had an approved referente since the previous test: this is a handover request.
    const successor = await confirm(await register(comune("084011", "Irene", "Sala")));
    expect(getDb().select().from(membershipRequests).where(eq(membershipRequests.id, successor.id)).get()!.kind).toBe("handover");
    const post = async () =>
      settle(async () => action(routeArgs(await approvePost("/admin/adesioni?index", [successor.id], coordinatorId))));
    expect(new URL((await post()).headers.get("Location")!, APP_URL).searchParams.get("approvate")).toBe("1");
    const emails = getDb().select().from(outbox).where(eq(outbox.template, "membership-approved")).all().length;
    const second = new URL((await post()).headers.get("Location")!, APP_URL).searchParams;
    expect(second.get("approvate")).toBe("0");
    expect(second.get("non_approvate")).toBe(String(successor.id));
    expect(getDb().select().from(outbox).where(eq(outbox.template, "membership-approved")).all()).toHaveLength(emails);
  });

  it("two schede of one ente selected together: the first is approved, the second left for its own page, and the list then calls it a handover", async () => {
    const code = freeComune("086");
    const comuneName = (istatCode: string) => getDb().select().from(municipalities).where(eq(municipalities.istatCode, istatCode)).get()!.name;
    const first = await confirm(await register(comune(code, "Elena", "Prima")));
    const second = await confirm(await register({ ...comune(code, "Marco", "Seconda"), fiscalCode: first.fiscalCode }));
    const response = await settle(async () => action(routeArgs(await approvePost("/admin/adesioni?stato=pending", [first.id, second.id], coordinatorId))));
    const target = new URL(response.headers.get("Location")!, APP_URL);
    expect(target.searchParams.get("approvate")).toBe("1");
    expect(target.searchParams.get("non_approvate")).toBe(String(second.id));
    const after = await list(target.search);
    expect(after.outcome?.failures).toEqual([
      `Comune di ${comuneName(code)} (richiesta n. ${second.id}): ora è un cambio di referente, perché per l'ente è stata approvata un'altra richiesta: aprila per decidere se sostituire il referente.`,
    ]);
    expect(after.rows.find((r) => r.id === second.id)).toMatchObject({ kindLabel: "Cambio di referente" });
    const referente = getDb().select().from(membershipRequests).where(eq(membershipRequests.id, first.id)).get()!;
    expect(referente.status).toBe("approved");
  });

  it("a list shown before another scheda of the ente was approved (in another tab) does not replace the referente put in office since", async () => {
    const code = freeComune("086");
    const first = await confirm(await register(comune(code, "Nicolò", "D'Amico")));
    expect(approveMembership(getDb(), { id: first.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    const sameEnte = { fiscalCode: first.fiscalCode };
    const mayor = await confirm(await register({ ...comune(code, "Antonio", "Sindaco"), ...sameEnte }));
    const rival = await confirm(await register({ ...comune(code, "Rosa", "Lombardo"), ...sameEnte }));
    const referentOf = (x: Fixture) => requestsForEmail(x.email)[0].referent.id;
    const shownFor = async (id: number) => {
      const { html } = await renderRoute(listRoute, await adminGet("/admin/adesioni?stato=pending", coordinatorId), "/admin/adesioni");
      return new RegExp(`<input type="hidden" name="referenteInCarica\\.${id}" value="([^"]*)"/>`).exec(html)?.[1];
    };
    const approveFromList = async (id: number, shown: string) => {
      const request = await approvePost("/admin/adesioni?stato=pending", [id], coordinatorId);
      const body = new URLSearchParams(await request.text());
      body.set(`referenteInCarica.${id}`, shown);
      const response = await settle(() => action(routeArgs(new Request(request.url, { method: "POST", body, headers: request.headers }))));
      return new URL(response.headers.get("Location")!, APP_URL);
    };

    // Tab B shows the list, the ente with Nicolò D'Amico in office; tab A approves the mayor's scheda from its page.
    const shownInB = (await shownFor(rival.id))!;
    expect(shownInB).toBe(String(referentOf(first)));
    expect(approveMembership(getDb(), { id: mayor.id, coordinatorId, appUrl: APP_URL, shownReferentId: referentOf(first) })).toEqual({ ok: true });
    const mayorMail = outboxFor(mayor.email).length;

    // Tab B approves the rival scheda from its stale list: not approved, the mayor stays in office and hears nothing more.
    const stale = await approveFromList(rival.id, shownInB);
    expect(stale.searchParams.get("approvate")).toBe("0");
    expect(stale.searchParams.get("non_approvate")).toBe(String(rival.id));
    expect((await list(stale.search)).outcome?.failures).toEqual([expect.stringContaining(`(richiesta n. ${rival.id}): ora è un cambio di referente`)]);
    expect(statusOf(rival)).toBe("pending");
    expect(getDb().select().from(referents).where(eq(referents.id, referentOf(mayor))).get()!.validTo).toBeNull();
    expect(outboxFor(mayor.email)).toHaveLength(mayorMail);

    // The list shown again names the mayor: approved from it, the change of referente goes through.
    const fresh = (await shownFor(rival.id))!;
    expect(fresh).toBe(String(referentOf(mayor)));
    expect((await approveFromList(rival.id, fresh)).searchParams.get("approvate")).toBe("1");
  });
});
