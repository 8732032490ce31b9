import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import * as detailRoute from "~/routes/admin.adesioni.$id";
import { loader as csvLoader } from "~/routes/admin.adesioni.export[.]csv";
import { loader as xlsxLoader } from "~/routes/admin.adesioni.export[.]xlsx";
import { formatDateIt } from "~/utils/dates";
import { adminGet, createTestCoordinator, settle } from "../../support/admin";
import { createReferent } from "../../support/invitations";
import { createParticipationHistory, type ParticipationHistory } from "../../support/participation";
import { renderRoute } from "../../support/render-route";
import { routeArgs } from "../../support/requests";

// Issue 4, point 7: an ente's participation in the Tavoli tecnici on its detail page
// (/admin/adesioni/:id) and in the member list's CSV and Excel downloads.

let coordinatorId: number;
let history: ParticipationHistory;
let neverInvited: Awaited<ReturnType<typeof createReferent>>;

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  history = await createParticipationHistory(coordinatorId);
  neverInvited = await createReferent({ provinceCode: "086" });
});

async function detailHtml(requestId: number) {
  const { status, html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${requestId}`, coordinatorId), "/admin/adesioni/:id");
  expect(status).toBe(200);
  return html;
}

/** The "Partecipazione ai Tavoli tecnici" section of the page. */
function participationSection(html: string) {
  const section = html.match(/<section aria-labelledby="partecipazione"[^>]*>([\s\S]*?)<\/section>/)?.[1];
  expect(section, "the participation section").toBeTruthy();
  return section!;
}

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ").trim();
const bodyRows = (html: string) =>
  [...(html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "").matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => text(cell[1])),
  );

describe("GET /admin/adesioni/:id: Partecipazione ai Tavoli tecnici", () => {
  it("shows the counts and one row per tavolo, newest first, linked to the tavolo", async () => {
    const { t1, t2, t3, t4, t5 } = history.roundTables;
    // Same ente from the request of either referente.
    for (const requestId of [history.successor.request.id, history.first.request.id]) {
      const section = participationSection(await detailHtml(requestId));
      expect(section).toMatch(/^<h2 id="partecipazione" class="h3">Partecipazione ai Tavoli tecnici<\/h2>/);
      expect(text(section)).toContain("Invitato a 4 tavoli · ha risposto a 3 · presente a 2");
      expect(section).toMatch(/<table[^>]*>\s*<caption class="visually-hidden"[^>]*>Tavoli tecnici a cui l&#x27;ente è stato invitato/);
      expect(bodyRows(section.replace(/<thead>[\s\S]*?<\/thead>/, ""))).toEqual([
        [`Tavolo tecnico - ${t4.title} Annullato`, formatDateIt(t4.startsAt), "In attesa", "—"],
        [`Tavolo tecnico - ${t3.title}`, formatDateIt(t3.startsAt), "Partecipa", "presente"],
        [`Tavolo tecnico - ${t2.title}`, formatDateIt(t2.startsAt), "Non partecipa", "assente"],
        [`Tavolo tecnico - ${t1.title}`, formatDateIt(t1.startsAt), "Partecipa", "presente"],
      ]);
      expect(section.match(/<th scope="col">([^<]+)<\/th>/g)?.map(text)).toEqual(["Tavolo", "Data", "Risposta", "Presenza"]);
      for (const t of [t1, t2, t3, t4]) expect(section).toMatch(new RegExp(`<th scope="row"><a [^>]*href="/admin/tavoli/${t.id}">Tavolo tecnico - ${t.title}</a>`));
      expect(section).not.toContain(`/admin/tavoli/${t5.id}"`);
    }
  });

  it("says so when the ente was never invited", async () => {
    const section = participationSection(await detailHtml(neverInvited.request.id));
    expect(text(section)).toBe("Partecipazione ai Tavoli tecnici Nessun invito ai Tavoli tecnici.");
    expect(section).not.toContain("<table");
  });
});

async function download(kind: "csv" | "xlsx", query: string) {
  const run = kind === "csv" ? csvLoader : xlsxLoader;
  const response = await settle(async () => run(routeArgs(await adminGet(`/admin/adesioni/export.${kind}${query}`, coordinatorId))));
  expect(response.status).toBe(200);
  return response;
}

const PARTICIPATION_HEADERS = ["Tavoli: inviti", "Tavoli: risposte", "Tavoli: presenze"];

describe("member list exports: the Tavoli columns", () => {
  it("CSV: three columns at the end, with the ente's counts on each of its requests", async () => {
    const records = parse(await (await download("csv", "?ordina=ente")).text(), { bom: true, delimiter: ";" }) as string[][];
    expect(records[0].slice(0, 2)).toEqual(["Ente", "Tipo di ente"]);
    expect(records[0].slice(-3)).toEqual(PARTICIPATION_HEADERS);
    const byEmail = (email: string) => records.find((r) => r.includes(email))!;
    // The superseded request of the first referente and the approved one of the successor: same ente.
    expect(byEmail(history.first.email).slice(-3)).toEqual(["4", "3", "2"]);
    expect(byEmail(history.successor.email).slice(-3)).toEqual(["4", "3", "2"]);
    expect(byEmail(neverInvited.email).slice(-3)).toEqual(["0", "0", "0"]);
    expect(records).toHaveLength(1 + 3);
  });

  it("Excel: the same columns, as numbers", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await download("xlsx", `?q=${encodeURIComponent(history.successor.email)}`)).arrayBuffer());
    const sheet = workbook.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(-3)).toEqual(PARTICIPATION_HEADERS);
    expect(sheet.rowCount).toBe(2);
    expect((sheet.getRow(2).values as unknown[]).slice(header.length - 2)).toEqual([4, 3, 2]);
  });
});
