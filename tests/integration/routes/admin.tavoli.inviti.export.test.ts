import path from "node:path";
import { UNSAFE_flatRoutes as flatRoutes } from "@remix-run/dev";
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import { matchRoutes, type RouteObject } from "react-router-dom";
import { beforeAll, describe, expect, it } from "vitest";
import { memberBodies } from "#db/schema";
import { answerInvitation, saveAttendance, sendInvitations, setAttendance } from "~/models/invitation.server";
import { revokeMembership } from "~/models/membership-review.server";
import { cancelRoundTable } from "~/models/round-table.server";
import * as invitationsPage from "~/routes/admin.tavoli.$id_.inviti";
import { loader as csvLoader } from "~/routes/admin.tavoli.$id_.inviti_.export[.]csv";
import { loader as xlsxLoader } from "~/routes/admin.tavoli.$id_.inviti_.export[.]xlsx";
import { auditActionLabel } from "~/utils/audit-labels";
import { italianIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { formatSheetDate, todayInRome } from "~/utils/spreadsheet.server";
import { adminGet, createTestCoordinator, settle } from "../../support/admin";
import { answerTokenFor, auditOf, createReferent, createRoundTable, invitationsOf, type RoundTableRow } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

const HEADERS = ["Ente", "Referente", "Email", "Risposta", "Data risposta", "Presenza", "Invito ritirato"];
const EVIL_NAME = '=HYPERLINK("http://evil.example","clic")';
const GUEST = "ospite.relatore@example.org";

type Referente = Awaited<ReturnType<typeof createReferent>>;

let coordinatorId: number;
let rt: RoundTableRow;
let present: Referente;
let evil: Referente;
let leaving: Referente;

/**
 * One Tavolo with every case: a referente who said yes and came, one (with formula-like names) who
 * said no and was marked absent, a guest address (typed with a name) that never answered, and the invitation of a
 * referente revoked before the meeting (withdrawn, decision 012) who had said yes.
 */
beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  present = await createReferent({ provinceCode: "081" });
  evil = await createReferent({
    fields: { bodyKind: "altro", municipalityCode: "", provinceCode: "082", bodyName: EVIL_NAME, firstName: "@Mario", lastName: "+Rossi", noActiveProjects: "on" },
  });
  leaving = await createReferent({ provinceCode: "084" });
  rt = createRoundTable({ number: 707 });
  const db = getDb();
  sendInvitations(db, {
    roundTableId: rt.id,
    filters: { includeReferents: false, extraEmails: [present.email, evil.email, leaving.email, GUEST], extraNames: { [GUEST]: "Giulia Verdi" } },
    coordinatorId,
    appUrl: APP_URL,
  });
  answerInvitation(db, { token: answerTokenFor(rt.id, present.email), answer: "yes", appUrl: APP_URL });
  answerInvitation(db, { token: answerTokenFor(rt.id, evil.email), answer: "no", appUrl: APP_URL });
  answerInvitation(db, { token: answerTokenFor(rt.id, leaving.email), answer: "yes", appUrl: APP_URL });
  expect(revokeMembership(db, { appUrl: APP_URL, id: leaving.request.id, coordinatorId, reason: "Uscita dalla rete" })).toEqual({ ok: true });
  const idOf = (email: string) => invitationsOf(rt.id).find((i) => i.email === email)!.id;
  saveAttendance(db, { roundTableId: rt.id, shownIds: [idOf(present.email), idOf(evil.email)], presentIds: [idOf(present.email)], coordinatorId });
  setAttendance(db, { invitationId: idOf(evil.email), attended: false, coordinatorId });
});

const bodyNameOf = (referente: Referente) =>
  getDb().select({ name: memberBodies.name }).from(memberBodies).where(eq(memberBodies.id, referente.request.memberBodyId)).get()!.name;
const answeredDay = (email: string) => formatSheetDate(invitationsOf(rt.id).find((i) => i.email === email)!.answeredAt!);

/** The rows as the CSV must have them: the invitees in the page's order (by ente, guests last), then the withdrawn invitation. */
const expectedRows = () => [
  [`'${EVIL_NAME}`, "'@Mario +Rossi", evil.email, "Non partecipa", answeredDay(evil.email), "Assente", "No"],
  [bodyNameOf(present), present.name, present.email, "Partecipa", answeredDay(present.email), "Presente", "No"],
  ["", "Giulia Verdi (indirizzo aggiuntivo)", GUEST, "In attesa", "", "Non registrata", "No"],
  [bodyNameOf(leaving), leaving.name, leaving.email, "Partecipa", answeredDay(leaving.email), "Non registrata", "Sì"],
];

async function download(format: "csv" | "xlsx", id: number | string = rt.id, who: number | null = coordinatorId) {
  const run = format === "csv" ? csvLoader : xlsxLoader;
  const urlPath = `/admin/tavoli/${id}/inviti/export.${format}`;
  return settle(async () => run(routeArgs(await adminGet(urlPath, who), { id: String(id) })));
}

const exportAudits = () => auditOf("round_table.invitations_exported");

describe("GET /admin/tavoli/:id/inviti/export.csv and .xlsx", () => {
  it("resolve, in Remix's own route table, to the download routes under the area's layout, not inside the invitations page", () => {
    const manifest = Object.values(flatRoutes(path.resolve("app"), ["**/.*", "**/*.test.*"]));
    const routesUnder = (parentId: string): RouteObject[] =>
      manifest
        .filter((r) => (r.parentId ?? "root") === parentId)
        .map((r) => (r.index ? { id: r.id, path: r.path, index: true } : { id: r.id, path: r.path, children: routesUnder(r.id) }));
    const tree = routesUnder("root");
    for (const format of ["csv", "xlsx"]) {
      const matched = matchRoutes(tree, `/admin/tavoli/7/inviti/export.${format}`)!;
      expect(matched.map((m) => m.route.id)).toEqual(["routes/admin", `routes/admin.tavoli.$id_.inviti_.export[.]${format}`]);
      expect(matched.at(-1)!.params).toEqual({ id: "7" });
    }
    // The page keeps its own address.
    expect(matchRoutes(tree, "/admin/tavoli/7/inviti")!.map((m) => m.route.id)).toEqual(["routes/admin", "routes/admin.tavoli.$id_.inviti"]);
  });

  it("CSV: every invitation in the page's order, the withdrawn one last and marked, with Italian headers and values", async () => {
    const response = await download("csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="tavolo-tecnico-707-inviti-${todayInRome()}.csv"`);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(new TextDecoder().decode(bytes), { bom: true, delimiter: ";" }) as string[][];
    expect(records[0]).toEqual(HEADERS);
    expect(records.slice(1)).toEqual(expectedRows());
  });

  it("XLSX: the same rows, answer dates as real dates, formula-like text kept as it is in Text cells", async () => {
    const response = await download("xlsx");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="tavolo-tecnico-707-inviti-${todayInRome()}.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe("Inviti");
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.rowCount).toBe(1 + 4);

    const evilRow = sheet.getRow(2);
    expect(evilRow.getCell(1).value).toBe(EVIL_NAME);
    expect(evilRow.getCell(1).formula).toBeUndefined();
    expect([1, 2].map((c) => evilRow.getCell(c).numFmt)).toEqual(["@", "@"]);
    expect(evilRow.getCell(2).value).toBe("@Mario +Rossi");
    expect(evilRow.getCell(6).value).toBe("Assente");
    expect(evilRow.getCell(5).numFmt).toBe("dd/mm/yyyy");
    const day = evilRow.getCell(5).value as Date;
    expect(day.toISOString().slice(0, 10).split("-").reverse().join("/")).toBe(answeredDay(evil.email));

    const values = (n: number) => [3, 4, 6, 7].map((c) => sheet.getRow(n).getCell(c).value);
    expect(values(3)).toEqual([present.email, "Partecipa", "Presente", "No"]);
    expect(values(4)).toEqual([GUEST, "In attesa", "Non registrata", "No"]);
    expect(sheet.getRow(4).getCell(5).value).toBeNull();
    expect(values(5)).toEqual([leaving.email, "Partecipa", "Non registrata", "Sì"]);
  });

  it("audits each download: who, which Tavolo, format and row count, worded in the registro", async () => {
    const before = exportAudits().length;
    await download("csv");
    await download("xlsx");
    const entries = exportAudits().slice(before);
    expect(entries).toEqual([
      expect.objectContaining({ actorType: "coordinator", actorId: coordinatorId, entityType: "round_table", entityId: String(rt.id), details: { format: "csv", rowCount: 4 } }),
      expect.objectContaining({ actorType: "coordinator", actorId: coordinatorId, entityType: "round_table", entityId: String(rt.id), details: { format: "xlsx", rowCount: 4 } }),
    ]);
    expect(auditActionLabel("round_table.invitations_exported")).toBe("ha esportato gli inviti e le presenze di un Tavolo tecnico");
  });

  it("names the file by the Tavolo's day when it has no number, and gives a Tavolo without invitations a header row only", async () => {
    const unnumbered = createRoundTable({ number: null });
    const response = await download("csv", unnumbered.id);
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="tavolo-tecnico-${italianIsoDay(unnumbered.startsAt)}-inviti-${todayInRome()}.csv"`);
    expect(parse(await response.text(), { bom: true, delimiter: ";" })).toEqual([HEADERS]);
  });

  it("names a cancelled Tavolo's file apart from the Tavolo that took its number", async () => {
    const cancelled = createRoundTable({ number: 708 });
    expect(cancelRoundTable(getDb(), { id: cancelled.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true });
    const replacement = createRoundTable({ number: 708, startsInMs: 40 * 24 * 60 * 60 * 1000 });
    for (const format of ["csv", "xlsx"] as const) {
      const names = [cancelled, replacement].map(async (t) => (await download(format, t.id)).headers.get("Content-Disposition"));
      expect(await Promise.all(names)).toEqual([
        `attachment; filename="tavolo-tecnico-708-del-${italianIsoDay(cancelled.startsAt)}-annullato-inviti-${todayInRome()}.${format}"`,
        `attachment; filename="tavolo-tecnico-708-inviti-${todayInRome()}.${format}"`,
      ]);
    }
  });

  it("answers 404 for a Tavolo that does not exist or a malformed id, and writes no audit", async () => {
    const before = exportAudits().length;
    for (const format of ["csv", "xlsx"] as const) {
      for (const id of [999_999, "abc", "1e3"]) {
        const response = await download(format, id);
        await expectPortalNotFoundPage(response, { title: "Tavolo tecnico non trovato", back: "/admin/tavoli" });
      }
    }
    expect(exportAudits()).toHaveLength(before);
  });

  it("sends anonymous visitors to /login and writes no audit", async () => {
    const before = exportAudits().length;
    for (const format of ["csv", "xlsx"] as const) {
      const response = await download(format, rt.id, null);
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/admin/tavoli/${rt.id}/inviti/export.${format}`)}`);
    }
    expect(exportAudits()).toHaveLength(before);
  });
});

describe("the invitations page", () => {
  const render = async (id: number) => (await renderRoute(invitationsPage, await adminGet(`/admin/tavoli/${id}/inviti`, coordinatorId), "/admin/tavoli/:id/inviti")).html;

  it("offers «Esporta Excel» and «Esporta CSV» once someone is invited", async () => {
    const html = await render(rt.id);
    expect(html).toContain(`<a class="btn btn-outline-primary btn-sm" href="/admin/tavoli/${rt.id}/inviti/export.xlsx">Esporta Excel</a>`);
    expect(html).toContain(`<a class="btn btn-outline-primary btn-sm" href="/admin/tavoli/${rt.id}/inviti/export.csv">Esporta CSV</a>`);
    expect(html).toContain("Le esportazioni contengono tutti gli invitati con la risposta e la presenza, e in fondo gli inviti ritirati.");
  });

  it("offers no export before anyone is invited", async () => {
    const html = await render(createRoundTable().id);
    expect(html).toContain("Non è stato ancora invitato nessuno.");
    expect(html).not.toContain("Esporta");
  });
});
