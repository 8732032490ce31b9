import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, memberBodies, outbox, referents } from "#db/schema";
import { parseImportFile } from "~/models/member-import-file.server";
import * as previewPage from "~/routes/admin.importa.$id";
import { loader as errorReportLoader } from "~/routes/admin.importa.$id_.errori[.]xlsx";
import * as uploadPage from "~/routes/admin.importa._index";
import { loader as csvTemplateLoader } from "~/routes/admin.importa.modello[.]csv";
import { loader as xlsxTemplateLoader } from "~/routes/admin.importa.modello[.]xlsx";
import { commitCsrfToken } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { IMPORT_TTL_MS } from "~/utils/import-store.server";
import { PENDING_WITHOUT_EMAILS_MESSAGE, templateColumns } from "~/validation/member-import";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { countRows, outboxFor, requestsForEmail } from "../../support/db-queries";
import { freeComune } from "../../support/invitations";
import { action as requestPageAction } from "~/routes/admin.adesioni.$id";
import { csvFile, importHeaders, randomFiscalCode, readXlsx, xlsxFile, type SheetRow } from "../../support/import-files";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

const H = Object.fromEntries(templateColumns(2).map((c) => [c.key, c.header])) as Record<string, string>;
const HEADERS = importHeaders(2);

function row(over: Record<string, SheetRow[string]>): SheetRow {
  const base: Record<string, SheetRow[string]> = {
    bodyKind: "Comune",
    pec: "protocollo@pec.comune.esempio.it",
    fiscalCode: randomFiscalCode(),
    firstName: "Maria",
    lastName: "Rossi",
    role: "Dirigente",
    office: "Servizi sociali",
    phone: "091 1234567",
    "p1.category": "ordinari",
    "p1.fundedPlaces": 25,
    "p1.managingOrganization": "Cooperativa Sociale Esempio",
    "p1.startDate": 45292,
    "p1.endDate": "31/12/2026",
    ...over,
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [H[k] ?? k, v]));
}

const MIXED = [
  row({ municipality: "Caltagirone", email: "caltagirone@example.org" }),
  row({ municipality: "PATERNÒ", email: "paterno@example.org" }),
  row({ municipality: "Acireale", email: "acireale@example.org", phone: "non lo so" }),
  row({ municipality: "Atlantide", email: "atlantide@example.org" }),
];

/** A multipart upload as the browser sends it: CSRF cookie and token, the session, the file. */
async function upload(
  file: { name: string; data: Buffer } | null,
  coordinatorId: number | null,
  { csrf = true, origin = APP_URL }: { csrf?: boolean; origin?: string } = {},
) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const form = new FormData();
  if (csrf) form.set("csrf", token);
  if (file) form.set("file", new File([new Uint8Array(file.data)], file.name));
  const cookies = [setCookie!.split(";")[0]];
  if (coordinatorId !== null) cookies.push((await sessionCookieFor(coordinatorId)).cookie);
  const request = new Request(`${APP_URL}/admin/importa`, { method: "POST", body: form, headers: { Cookie: cookies.join("; "), Origin: origin } });
  return settle(() => uploadPage.action(routeArgs(request)));
}

async function uploadId(file: { name: string; data: Buffer }, coordinatorId: number) {
  const response = await upload(file, coordinatorId);
  expect(response.status).toBe(302);
  const location = response.headers.get("Location")!;
  expect(location).toMatch(/^\/admin\/importa\/[a-f0-9]{32}$/);
  return location.split("/").pop()!;
}

const storedFile = (id: string) => path.join(getEnv().dataDir, "imports", `${id}.json`);

async function previewData(id: string, coordinatorId: number, query = "") {
  const response = await settle(async () => previewPage.loader(routeArgs(await adminGet(`/admin/importa/${id}${query}`, coordinatorId), { id })));
  return { status: response.status, data: response.status === 200 ? ((await response.json()) as Record<string, unknown>) : null };
}

async function runImportAction(id: string, fields: Record<string, string>, coordinatorId: number | null) {
  return settle(async () => previewPage.action(routeArgs(await adminPost(`/admin/importa/${id}`, fields, coordinatorId), { id })));
}

describe("authorization", () => {
  it("anonymous visitors are sent to the sign-in page, from every import page and action", async () => {
    const id = "0".repeat(32);
    const gets = [
      () => uploadPage.loader(routeArgs(new Request(`${APP_URL}/admin/importa`))),
      () => previewPage.loader(routeArgs(new Request(`${APP_URL}/admin/importa/${id}`), { id })),
      () => xlsxTemplateLoader(routeArgs(new Request(`${APP_URL}/admin/importa/modello.xlsx`))),
      () => csvTemplateLoader(routeArgs(new Request(`${APP_URL}/admin/importa/modello.csv`))),
      () => errorReportLoader(routeArgs(new Request(`${APP_URL}/admin/importa/${id}/errori.xlsx`), { id })),
    ];
    for (const get of gets) {
      const response = await settle(get);
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=%2Fadmin%2Fimporta/);
    }
    const before = countRows();
    const anonymousUpload = await upload({ name: "a.csv", data: csvFile(HEADERS, MIXED) }, null);
    expect(anonymousUpload.status).toBe(302);
    expect(anonymousUpload.headers.get("Location")).toMatch(/^\/login/);
    const anonymousImport = await runImportAction(id, { status: "approved" }, null);
    expect(anonymousImport.headers.get("Location")).toMatch(/^\/login/);
    expect(countRows()).toEqual(before);
  });

  it("without the CSRF token, or from another site, nothing is uploaded or imported", async () => {
    const coordinatorId = createTestCoordinator().id;
    const file = { name: "a.csv", data: csvFile(HEADERS, MIXED) };
    expect((await upload(file, coordinatorId, { csrf: false })).status).toBe(403);
    expect((await upload(file, coordinatorId, { origin: "https://evil.example" })).status).toBe(403);

    const id = await uploadId(file, coordinatorId);
    const before = countRows();
    const { cookie } = await sessionCookieFor(coordinatorId);
    const forged = new Request(`${APP_URL}/admin/importa/${id}`, {
      method: "POST",
      body: new URLSearchParams({ status: "approved", sendEmails: "on" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
    });
    expect((await settle(() => previewPage.action(routeArgs(forged, { id })))).status).toBe(403);
    expect(countRows()).toEqual(before);
  });

  it("an upload belongs to the coordinator who made it", async () => {
    const owner = createTestCoordinator().id;
    const other = createTestCoordinator().id;
    const id = await uploadId({ name: "a.csv", data: csvFile(HEADERS, MIXED) }, owner);
    expect((await previewData(id, other)).status).toBe(404);
    expect((await runImportAction(id, { status: "approved" }, other)).status).toBe(404);
    const report = await settle(async () => errorReportLoader(routeArgs(await adminGet(`/admin/importa/${id}/errori.xlsx`, other), { id })));
    await expectPortalNotFoundPage(report, { title: "Caricamento non trovato", back: "/admin/importa" });
    expect((await previewData("../../etc/passwd", owner)).status).toBe(404);
  });
});

describe("templates", () => {
  it("the .xlsx and .csv templates download and parse back", async () => {
    const coordinatorId = createTestCoordinator().id;
    const xlsx = await settle(async () => xlsxTemplateLoader(routeArgs(await adminGet("/admin/importa/modello.xlsx", coordinatorId))));
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.headers.get("Content-Disposition")).toBe('attachment; filename="modello-importazione-aderenti.xlsx"');
    const fromXlsx = await parseImportFile({ buffer: Buffer.from(await xlsx.arrayBuffer()), fileName: "modello.xlsx" });
    expect(fromXlsx).toMatchObject({ ok: true, rows: [], ignoredHeaders: [], headers: templateColumns().map((c) => c.header) });

    const csv = await settle(async () => csvTemplateLoader(routeArgs(await adminGet("/admin/importa/modello.csv", coordinatorId))));
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const fromCsv = await parseImportFile({ buffer: Buffer.from(await csv.arrayBuffer()), fileName: "modello.csv" });
    expect(fromCsv).toMatchObject({ ok: true, rows: [], ignoredHeaders: [], delimiter: ";", headers: templateColumns().map((c) => c.header) });
  });
});

describe("upload, preview, import", () => {
  it("refuses missing, unreadable, empty and oversized files with a reason on the field", async () => {
    const coordinatorId = createTestCoordinator().id;
    const errorOf = async (response: Response) => ((await response.json()) as { errors: Record<string, string> }).errors.file;

    const none = await upload(null, coordinatorId);
    expect(none.status).toBe(400);
    expect(await errorOf(none)).toBe("Scegli il file da importare (.xlsx o .csv)");

    const pdf = await upload({ name: "elenco.pdf", data: Buffer.from("%PDF-1.4") }, coordinatorId);
    expect(await errorOf(pdf)).toBe("Il file deve essere in formato .xlsx (Excel) o .csv");
    const xls = await upload({ name: "aderenti.xls", data: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) }, coordinatorId);
    expect(xls.status).toBe(400);
    expect(await errorOf(xls)).toBe("Il formato .xls (Excel 97-2003) non è supportato: salva il file come .xlsx oppure come .csv.");

    // What a browser posts with no file chosen: an empty file without a name.
    expect(await errorOf(await upload({ name: "", data: Buffer.alloc(0) }, coordinatorId))).toBe("Scegli il file da importare (.xlsx o .csv)");
    const empty = await upload({ name: "aderenti.csv", data: Buffer.alloc(0) }, coordinatorId);
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toBe("Il file «aderenti.csv» è vuoto: scegli il file con l'elenco degli enti");

    const headerOnly = await upload({ name: "vuoto.csv", data: csvFile(HEADERS, []) }, coordinatorId);
    expect(await errorOf(headerOnly)).toMatch(/^Il file non contiene righe da importare/);

    const noHeaders = await upload({ name: "dati.csv", data: Buffer.from("1;2;3\n4;5;6\n") }, coordinatorId);
    expect(await errorOf(noHeaders)).toMatch(/^Non trovo la riga con i nomi delle colonne/);

    const big = await upload({ name: "enorme.csv", data: Buffer.alloc(10 * 1024 * 1024 + 1, 0x41) }, coordinatorId);
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toBe("Il file supera i 10 MB: dividilo in più file");
  });

  it("preview writes nothing; import writes the valid rows once; the error report lists the rest", async () => {
    const coordinatorId = createTestCoordinator().id;
    const before = countRows();
    const id = await uploadId({ name: "Elenco aderenti.xlsx", data: await xlsxFile(HEADERS, MIXED) }, coordinatorId);
    expect(fs.existsSync(storedFile(id))).toBe(true);

    // The preview: counts, statuses, reasons; nothing written.
    const { data } = await previewData(id, coordinatorId);
    expect(data).toMatchObject({
      state: "preview",
      fileName: "Elenco aderenti.xlsx",
      format: "xlsx",
      counts: { new: 2, update: 0, duplicate: 0, error: 2, total: 4 },
      page: 1,
      pageCount: 1,
    });
    expect((data!.rows as { line: number; status: string }[]).map((r) => [r.line, r.status])).toEqual([
      [2, "new"],
      [3, "new"],
      [4, "error"],
      [5, "error"],
    ]);
    expect(countRows()).toEqual(before);
    const onlyErrors = await previewData(id, coordinatorId, "?esito=errori");
    expect((onlyErrors.data!.rows as { line: number }[]).map((r) => r.line)).toEqual([4, 5]);

    const page = await renderRoute(previewPage as never, await adminGet(`/admin/importa/${id}`, coordinatorId), "/admin/importa/:id");
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h1>Anteprima dell&#x27;importazione</h1>");
    expect(page.html).toContain("Nulla è stato ancora scritto.");
    expect(page.html).toContain("Comune di Paternò (CT)");
    expect(page.html).toContain("<strong>Telefono</strong> («non lo so»): Numero di telefono non valido");
    expect(page.html).toContain("<strong>Comune (codice ISTAT o nome)</strong> («Atlantide»): Comune non trovato");
    expect(page.html).toContain("Scarica le righe con errori (.xlsx)");
    expect(page.html).toContain("Le righe con errori (2) saranno escluse.");
    for (const label of ["Approvate", "In attesa della conferma dell&#x27;email", "Invia le email ai referenti", ">Importa</button>"]) {
      expect(page.html).toContain(label);
    }

    // The error report before the import.
    const report = await settle(async () => errorReportLoader(routeArgs(await adminGet(`/admin/importa/${id}/errori.xlsx`, coordinatorId), { id })));
    expect(report.headers.get("Content-Disposition")).toBe('attachment; filename="righe-con-errori-Elenco-aderenti.xlsx"');
    const sheet = await readXlsx(await report.arrayBuffer());
    expect(sheet.headers).toEqual(["Riga del file", ...HEADERS, "Motivo"]);
    expect(sheet.rows.map((r) => [r[0], r[2], r.at(-1)])).toEqual([
      ["4", "Acireale", "Telefono: Numero di telefono non valido: ad esempio 091 1234567 o 333 1234567"],
      ["5", "Atlantide", "Comune (codice ISTAT o nome): Comune non trovato: controlla il nome o indica il codice ISTAT a 6 cifre"],
    ]);

    // The import form needs a status.
    const missing = await runImportAction(id, { sendEmails: "on", digest: String(data!.digest) }, coordinatorId);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ errors: { status: "Scegli lo stato da dare alle adesioni importate" }, values: { status: "", sendEmails: true } });
    expect(countRows()).toEqual(before);

    const imported = await runImportAction(id, { status: "approved", sendEmails: "on", digest: String(data!.digest) }, coordinatorId);
    expect(imported.status).toBe(302);
    expect(imported.headers.get("Location")).toBe(`/admin/importa/${id}`);
    expect(countRows()).toMatchObject({ bodies: before.bodies + 2, referents: before.referents + 2, requests: before.requests + 2, outbox: before.outbox + 2 });
    const mail = getDb().select().from(outbox).where(eq(outbox.recipient, "paterno@example.org")).get()!;
    expect(mail.template).toBe("membership-approved");

    // The summary replaces the preview; the rows themselves are gone from the disk.
    const done = await previewData(id, coordinatorId);
    expect(done.data).toMatchObject({
      state: "done",
      summary: { fileName: "Elenco aderenti.xlsx", total: 4, created: 2, updated: 0, duplicates: 0, errors: 2, emails: 2, status: "approved" },
    });
    const stored = JSON.parse(fs.readFileSync(storedFile(id), "utf8"));
    expect(stored.rows).toBeNull();
    const summaryPage = await renderRoute(previewPage as never, await adminGet(`/admin/importa/${id}`, coordinatorId), "/admin/importa/:id");
    expect(summaryPage.html).toContain("<h1>Importazione completata</h1>");
    expect(summaryPage.html).toContain("Scarica le righe con errori (.xlsx)");

    const [entry] = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "members.imported"), eq(auditLog.actorId, coordinatorId)))
      .all();
    expect(entry.details).toMatchObject({ fileName: "Elenco aderenti.xlsx", created: 2, errors: 2, emails: 2, status: "Approvate" });

    // A second click on "Importa" changes nothing.
    const after = countRows();
    const again = await runImportAction(id, { status: "approved", sendEmails: "on" }, coordinatorId);
    expect(again.status).toBe(302);
    expect(countRows()).toEqual(after);

    // The error report after the import: fix it and upload it again.
    const finalReport = await settle(async () => errorReportLoader(routeArgs(await adminGet(`/admin/importa/${id}/errori.xlsx`, coordinatorId), { id })));
    const workbook = (await readXlsx(await finalReport.arrayBuffer())).workbook;
    const ws = workbook.worksheets[0];
    expect(ws.getRow(2).getCell(1).value).toBe(4);
    ws.getRow(2).getCell(1 + HEADERS.indexOf(H.phone) + 1).value = "095 1234567";
    ws.getRow(3).getCell(1 + HEADERS.indexOf(H.municipality) + 1).value = "Aci Castello";
    const fixedId = await uploadId({ name: "corretto.xlsx", data: Buffer.from(await workbook.xlsx.writeBuffer()) }, coordinatorId);
    const fixed = await previewData(fixedId, coordinatorId);
    expect(fixed.data).toMatchObject({ ignoredHeaders: [], counts: { new: 2, error: 0, total: 2 } });
  });

  it("importing the same file twice: the second time every row is a duplicate and nothing changes", async () => {
    const coordinatorId = createTestCoordinator().id;
    const file = { name: "due-volte.csv", data: csvFile(HEADERS, [row({ municipality: "Bronte", email: "bronte@example.org" })], { encoding: "latin1" }) };
    const first = await uploadId(file, coordinatorId);
    const firstPreview = await previewData(first, coordinatorId);
    const imported = await runImportAction(first, { status: "pending", sendEmails: "on", digest: String(firstPreview.data!.digest) }, coordinatorId);
    expect(imported.status).toBe(302);
    const after = countRows();
    expect(getDb().select().from(memberBodies).where(eq(memberBodies.municipalityCode, "087009")).get()).toMatchObject({ status: "candidate" });

    const second = await uploadId(file, coordinatorId);
    const secondPreview = await previewData(second, coordinatorId);
    expect(secondPreview.data).toMatchObject({ counts: { new: 0, update: 0, duplicate: 1, error: 0, total: 1 } });
    const page = await renderRoute(previewPage as never, await adminGet(`/admin/importa/${second}`, coordinatorId), "/admin/importa/:id");
    expect(page.html).toContain("Non c&#x27;è nulla da importare");
    await runImportAction(second, { status: "approved", sendEmails: "on", digest: String(secondPreview.data!.digest) }, coordinatorId);
    expect(countRows()).toEqual(after);
  });

  it("a file with no new adesioni imports without a status: not shown, not required; its counts agree in number", async () => {
    const coordinatorId = createTestCoordinator().id;
    const same = row({ municipality: "Biancavilla", email: "biancavilla@example.org" });
    const changed = row({ municipality: "Belpasso", email: "belpasso@example.org" });
    const firstId = await uploadId({ name: "primo.csv", data: csvFile(HEADERS, [same, changed]) }, coordinatorId);
    const first = await previewData(firstId, coordinatorId);
    expect((await runImportAction(firstId, { status: "approved", digest: String(first.data!.digest) }, coordinatorId)).status).toBe(302);

    // One ente unchanged, the other with a new phone number.
    const id = await uploadId({ name: "telefono.csv", data: csvFile(HEADERS, [same, { ...changed, [H.phone]: "095 7654321" }]) }, coordinatorId);
    const { data } = await previewData(id, coordinatorId);
    expect(data).toMatchObject({ counts: { new: 0, update: 1, duplicate: 1, error: 0, total: 2 } });
    const page = await renderRoute(previewPage as never, await adminGet(`/admin/importa/${id}`, coordinatorId), "/admin/importa/:id");
    expect(page.html).toContain("Verrà scritta 1 riga: 0 nuovi enti e 1 aggiornamento. Il duplicato non cambia nulla.");
    expect(page.html).not.toContain("Stato da dare alle nuove adesioni");
    expect(page.html).not.toContain("Invia le email ai referenti");
    expect(page.html).toContain(">Importa</button>");

    const before = countRows();
    const imported = await runImportAction(id, { digest: String(data!.digest) }, coordinatorId);
    expect(imported.status).toBe(302);
    expect(countRows()).toEqual(before);
    const done = await previewData(id, coordinatorId);
    expect(done.data).toMatchObject({ state: "done", summary: { created: 0, updated: 1, duplicates: 1, emails: 0, status: null } });
    const summaryPage = await renderRoute(previewPage as never, await adminGet(`/admin/importa/${id}`, coordinatorId), "/admin/importa/:id");
    expect(summaryPage.html).toContain("Nessuna nuova adesione");
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.fiscalCode, String(changed[H.fiscalCode]))).get()!;
    expect(getDb().select().from(referents).where(eq(referents.memberBodyId, body.id)).get()!.phone).toBe("+390957654321");
  });

  it("awaiting the email confirmation needs the confirmation emails: without them nothing is imported", async () => {
    const coordinatorId = createTestCoordinator().id;
    const email = "randazzo@example.org";
    const id = await uploadId({ name: "in-attesa.csv", data: csvFile(HEADERS, [row({ municipality: "Randazzo", email })]) }, coordinatorId);
    const digest = String((await previewData(id, coordinatorId)).data!.digest);
    const before = countRows();

    // Unticked "Invia le email ai referenti" (the checkbox is then absent from the form data).
    const refused = await runImportAction(id, { status: "pending", digest }, coordinatorId);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ errors: { sendEmails: PENDING_WITHOUT_EMAILS_MESSAGE }, values: { status: "pending", sendEmails: false } });
    // Without JavaScript the page answering the form shows the status chosen, beside the reason.
    const page = await renderRoute(previewPage as never, await adminPost(`/admin/importa/${id}`, { status: "pending", digest }, coordinatorId), "/admin/importa/:id");
    expect(page.status).toBe(400);
    expect(page.html).toContain(PENDING_WITHOUT_EMAILS_MESSAGE.replace(/'/g, "&#x27;"));
    expect(page.html).toMatch(/<input type="radio" id="status-pending"[^>]* checked=""/);
    expect(page.html).not.toMatch(/<input type="radio" id="status"[^>]* value="approved" checked=""/);
    expect(countRows()).toEqual(before);
    // The upload is still there, its preview unchanged: the coordinator fixes the form and imports.
    expect((await previewData(id, coordinatorId)).data).toMatchObject({ state: "preview", digest });

    const imported = await runImportAction(id, { status: "pending", sendEmails: "on", digest }, coordinatorId);
    expect(imported.status).toBe(302);
    expect(countRows()).toMatchObject({ bodies: before.bodies + 1, requests: before.requests + 1, outbox: before.outbox + 1 });
    const mail = getDb().select().from(outbox).where(eq(outbox.recipient, email)).get()!;
    expect(mail.template).toBe("confirm-registration");
    expect(String(mail.props.confirmUrl)).toMatch(/\/adesione\/conferma\/[\w-]+$/);
  });

  it("a preview that no longer matches the data is not imported", async () => {
    const coordinatorId = createTestCoordinator().id;
    const file = { name: "vecchia.csv", data: csvFile(HEADERS, [row({ municipality: "Adrano", email: "adrano@example.org" })]) };
    const id = await uploadId(file, coordinatorId);
    const { data } = await previewData(id, coordinatorId);
    const other = await uploadId(file, coordinatorId);
    await runImportAction(other, { status: "approved" }, coordinatorId);
    const after = countRows();
    const stale = await runImportAction(id, { status: "approved", digest: String(data!.digest) }, coordinatorId);
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { formError: string }).formError).toMatch(/^Dall'anteprima qualcosa è cambiato/);
    expect(countRows()).toEqual(after);
    // The preview drawn again has nothing left to import, so no form: the page still says why nothing was imported.
    const page = await renderRoute(previewPage as never, await adminPost(`/admin/importa/${id}`, { status: "approved", digest: String(data!.digest) }, coordinatorId), "/admin/importa/:id");
    expect(page.status).toBe(409);
    expect(page.html).toMatch(/<div class="alert alert-danger" role="alert"[^>]*>Dall&#x27;anteprima qualcosa è cambiato/);
    expect(page.html).toContain("la riga è già registrata così.");
    expect(countRows()).toEqual(after);
  });

  it("the error report's name keeps the accented letters of the file's name, without their accents", async () => {
    const coordinatorId = createTestCoordinator().id;
    const id = await uploadId({ name: "Elenco aderenti – Città e Unioni (2024).csv", data: csvFile(HEADERS, MIXED) }, coordinatorId);
    const report = await settle(async () => errorReportLoader(routeArgs(await adminGet(`/admin/importa/${id}/errori.xlsx`, coordinatorId), { id })));
    expect(report.headers.get("Content-Disposition")).toBe('attachment; filename="righe-con-errori-Elenco-aderenti-Citta-e-Unioni-2024.xlsx"');
  });

  it("importing from a second tab a preview already imported says that this sending wrote nothing, beside the summary", async () => {
    const coordinatorId = createTestCoordinator().id;
    const id = await uploadId({ name: "due-schede.csv", data: csvFile(HEADERS, [row({ municipality: "Biancavilla", email: "biancavilla@example.org" })]) }, coordinatorId);
    const digest = String((await previewData(id, coordinatorId)).data!.digest);
    expect((await runImportAction(id, { status: "approved", digest }, coordinatorId)).status).toBe(302);
    const after = countRows();

    const again = await renderRoute(previewPage as never, await adminPost(`/admin/importa/${id}`, { status: "approved", digest }, coordinatorId), "/admin/importa/:id");
    expect(again.status).toBe(409);
    expect(again.html).toContain("<h1>Importazione completata</h1>");
    expect(again.html).toMatch(/<div class="alert alert-danger" role="alert"[^>]*>Questo file era già stato importato, da un&#x27;altra scheda/);
    expect(countRows()).toEqual(after);
  });

  it("the coordinator can discard an upload; uploads older than 24 hours are gone", async () => {
    const coordinatorId = createTestCoordinator().id;
    const file = { name: "scarta.csv", data: csvFile(HEADERS, MIXED) };
    const id = await uploadId(file, coordinatorId);
    const discarded = await runImportAction(id, { intent: "annulla" }, coordinatorId);
    expect(discarded.headers.get("Location")).toBe("/admin/importa");
    expect(fs.existsSync(storedFile(id))).toBe(false);

    const old = await uploadId(file, coordinatorId);
    const stored = JSON.parse(fs.readFileSync(storedFile(old), "utf8"));
    fs.writeFileSync(storedFile(old), JSON.stringify({ ...stored, createdAt: Date.now() - IMPORT_TTL_MS - 1000 }));
    expect((await previewData(old, coordinatorId)).status).toBe(404);
    expect(fs.existsSync(storedFile(old))).toBe(false);

    const stale = await uploadId(file, coordinatorId);
    const past = new Date(Date.now() - IMPORT_TTL_MS - 60_000);
    fs.utimesSync(storedFile(stale), past, past);
    await settle(async () => uploadPage.loader(routeArgs(await adminGet("/admin/importa", coordinatorId))));
    expect(fs.existsSync(storedFile(stale))).toBe(false);
  });

  it("the upload page documents the layout and labels the file field", async () => {
    const coordinatorId = createTestCoordinator().id;
    const page = await renderRoute(uploadPage as never, await adminGet("/admin/importa", coordinatorId));
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h1>Importa l&#x27;elenco degli aderenti</h1>");
    expect(page.html).toContain('<label for="file">File da importare (.xlsx o .csv)</label>');
    expect(page.html).toContain('href="/admin/importa/modello.xlsx"');
    expect(page.html).toContain('href="/admin/importa/modello.csv"');
    expect(page.html).toContain("Una riga per ente");
  });
});

describe("the welcome emails of an import made without them", () => {
  it("the summary sends them later to the referenti still owed one, each once; none asked when the import sent them", async () => {
    const coordinatorId = createTestCoordinator().id;
    const emails = ["benvenuto.uno@example.org", "benvenuto.due@example.org", "benvenuto.tre@example.org"];
    // Three different free comuni (freeComune knows only the registered ones).
    const comuni = new Set<string>();
    while (comuni.size < emails.length) comuni.add(freeComune("083"));
    const id = await uploadId({ name: "aderenti.csv", data: csvFile(HEADERS, [...comuni].map((municipality, i) => row({ municipality, email: emails[i] }))) }, coordinatorId);
    expect((await runImportAction(id, { status: "approved" }, coordinatorId)).status).toBe(302);
    expect(emails.flatMap(outboxFor)).toEqual([]);
    expect((await previewData(id, coordinatorId)).data).toMatchObject({ state: "done", welcomesOwed: 3, welcomesSent: null });
    const page = await renderRoute(previewPage, await adminGet(`/admin/importa/${id}`, coordinatorId), "/admin/importa/:id");
    expect(page.html).toContain("Invia ora l&#x27;email di benvenuto ai 3 referenti importati senza email</button>");

    // One is sent meanwhile from its adesione's page: the summary sends the other two.
    const first = requestsForEmail(emails[0])[0].request.id;
    const fromPage = await settle(async () =>
      requestPageAction(routeArgs(await adminPost(`/admin/adesioni/${first}`, { intent: "welcome" }, coordinatorId), { id: String(first) })),
    );
    expect(fromPage.status).toBe(302);
    const sent = await runImportAction(id, { intent: "benvenuto" }, coordinatorId);
    expect(sent.status).toBe(302);
    expect(sent.headers.get("Location")).toBe(`/admin/importa/${id}?benvenuto=2`);
    for (const email of emails) {
      const welcome = outboxFor(email);
      expect(welcome).toHaveLength(1);
      expect(welcome[0]).toMatchObject({ template: "membership-approved", props: { imported: true, isHandover: false, privacyUrl: `${APP_URL}/privacy` } });
    }
    expect((await previewData(id, coordinatorId, "?benvenuto=2")).data).toMatchObject({ welcomesOwed: 0, welcomesSent: 2 });
    const after = await renderRoute(previewPage, await adminGet(`/admin/importa/${id}?benvenuto=2`, coordinatorId), "/admin/importa/:id");
    expect(after.html).toContain("Le email di benvenuto sono state messe in coda (2): i referenti le riceveranno a breve.");
    expect(after.html).not.toContain("Invia ora l&#x27;email di benvenuto");

    // Sent again from a summary loaded before: refused, nothing queued.
    const again = await runImportAction(id, { intent: "benvenuto" }, coordinatorId);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { formError: string }).formError).toMatch(/^Nel frattempo tutti i referenti importati con questo file hanno già ricevuto l'email di benvenuto/);
    expect(emails.flatMap(outboxFor)).toHaveLength(3);

    // Imported with the emails: nothing left to send.
    const withEmails = await uploadId({ name: "aderenti.csv", data: csvFile(HEADERS, [row({ municipality: freeComune("083"), email: "benvenuto.quattro@example.org" })]) }, coordinatorId);
    expect((await runImportAction(withEmails, { status: "approved", sendEmails: "on" }, coordinatorId)).status).toBe(302);
    expect((await previewData(withEmails, coordinatorId)).data).toMatchObject({ welcomesOwed: 0 });
    expect((await runImportAction(withEmails, { intent: "benvenuto" }, coordinatorId)).status).toBe(409);
    expect(outboxFor("benvenuto.quattro@example.org")).toHaveLength(1);
  });
});
