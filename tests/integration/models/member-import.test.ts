import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberBodies, membershipRequests, outbox, referents, saiProjects } from "#db/schema";
import { listMembershipRequests } from "~/models/membership-list.server";
import { approveMembership } from "~/models/membership-review.server";
import { confirmRegistration } from "~/models/membership.server";
import { parseImportFile, type ImportRow, type ParsedImport } from "~/models/member-import-file.server";
import { previewImport } from "~/models/member-import-preview.server";
import { buildErrorReportXlsx, buildImportTemplateCsv, buildImportTemplateXlsx, failedRowsOf } from "~/models/member-import-templates.server";
import { IMPORT_PRIVACY_NOTICE_VERSION, runImport } from "~/models/member-import.server";
import { seedTerritory } from "~/models/territory.server";
import { getDb } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { PENDING_WITHOUT_EMAILS_MESSAGE, templateColumns } from "~/validation/member-import";
import { createTestCoordinator } from "../../support/admin";
import { countRows } from "../../support/db-queries";
import { bodyFiscalCode, csvFile, importHeaders, randomFiscalCode, readXlsx, xlsxFile, type SheetRow } from "../../support/import-files";
import { createReferent, freeComune } from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { adminGet } from "../../support/admin";
import { renderRoute } from "../../support/render-route";
import * as detailRoute from "~/routes/admin.adesioni.$id";

const H = Object.fromEntries(templateColumns(2).map((c) => [c.key, c.header])) as Record<string, string>;
const HEADERS = [...importHeaders(2), "Note"];

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
  // Sardinia too, for a comune name found in two provinces (San Teodoro, ME and SS).
  seedTerritory(getDb(), { regions: ["Sicilia", "Sardegna"] });
});

function ok(parsed: ParsedImport) {
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  return parsed;
}

/** A complete, valid row for a Comune with one project; `over` replaces cells by column key. */
function row(over: Record<string, SheetRow[string]> = {}): SheetRow {
  const base: Record<string, SheetRow[string]> = {
    bodyKind: "Comune",
    municipality: "082027",
    bodyName: "",
    pec: "protocollo@pec.comune.esempio.it",
    fiscalCode: randomFiscalCode(),
    firstName: "Maria",
    lastName: "Rossi",
    role: "Dirigente",
    office: "Servizi sociali",
    email: `maria.${Math.random().toString(36).slice(2, 8)}@example.org`,
    phone: "091 1234567",
    mobile: "",
    "p1.category": "ordinari",
    "p1.fundedPlaces": "25",
    "p1.projectCode": "",
    "p1.managingOrganization": "Cooperativa Sociale Esempio",
    "p1.startDate": "01/01/2024",
    "p1.endDate": "31/12/2026",
    ...over,
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [H[k] ?? k, v]));
}

const CF_CEFALU = bodyFiscalCode("0012345678");
const CF_SANTAGATA = bodyFiscalCode("8400012345");
const CF_MADONIE = bodyFiscalCode("9100012345");

/**
 * The realistic file of the issue: accents, apostrophes and capitals in comune names, trailing
 * spaces, numbers stored as text, Excel serial dates, and rows with the typical mistakes.
 * `typed` gives the .xlsx flavour: real numbers and dates where Excel would keep them.
 */
function realisticRows({ typed }: { typed: boolean }): SheetRow[] {
  return [
    // 2: new, found by name with an accent; trailing spaces; mixed-case email; CF with leading zeros.
    row({
      municipality: "Cefalù  ",
      pec: " Protocollo@PEC.comune.cefalu.pa.it ",
      fiscalCode: typed ? Number(CF_CEFALU) : CF_CEFALU,
      firstName: "Nicolò ",
      lastName: "Lo Verde",
      email: typed
        ? { text: "Nicolo.LoVerde@Comune.Cefalu.PA.it", hyperlink: "mailto:Nicolo.LoVerde@Comune.Cefalu.PA.it" }
        : "Nicolo.LoVerde@Comune.Cefalu.PA.it ",
      phone: typed ? 921123456 : "0921 123456",
      "p1.fundedPlaces": typed ? 25 : "25",
      "p1.projectCode": "PROG-1-PR-1",
      "p1.managingOrganization": "Cooperativa Àncora",
      "p1.startDate": typed ? new Date(Date.UTC(2024, 0, 1)) : "01/01/2024",
      "p1.endDate": typed ? new Date(Date.UTC(2026, 11, 31)) : "31/12/2026",
    }),
    // 3: new, name without apostrophe in capitals, no kind (a Comune), two projects, serial dates.
    row({
      bodyKind: "",
      municipality: "SANTAGATA DI MILITELLO",
      fiscalCode: CF_SANTAGATA,
      role: "responsabile progetto SAI",
      email: "sai@comune.santagatadimilitello.me.it",
      "p1.category": "MSNA",
      "p1.fundedPlaces": typed ? { formula: "10+2", result: 12 } : "12",
      "p1.startDate": typed ? 45292 : "45292",
      "p1.endDate": typed ? 46022 : "46022",
      "p2.category": "DM/DS",
      "p2.fundedPlaces": "5",
      "p2.managingOrganization": "Associazione Esempio",
      "p2.startDate": "2024-03-01",
      "p2.endDate": "28/02/2027",
    }),
    // 4: error: ISTAT code without its leading zero is fine, the phone is not.
    row({ municipality: typed ? 82006 : "82006", phone: "12345" }),
    // 5: error: unknown comune.
    row({ municipality: "Paperopoli" }),
    // 6: error: end before start.
    row({ municipality: "083002", "p1.startDate": "31/12/2025", "p1.endDate": "01/01/2025" }),
    // 7: new: an Unione di Comuni without projects.
    row({
      bodyKind: "Unione di Comuni",
      municipality: "",
      bodyName: "Unione dei Comuni delle Madonie",
      province: " palermo ",
      fiscalCode: CF_MADONIE,
      email: "unione@madonie.example.it",
      "p1.category": "",
      "p1.fundedPlaces": "",
      "p1.managingOrganization": "",
      "p1.startDate": "",
      "p1.endDate": "",
    }),
    // 8: error: Cefalù again (by ISTAT code).
    row({ municipality: "082027" }),
    // 9: error: wrong check digit.
    row({ municipality: "084001", fiscalCode: `${CF_CEFALU.slice(0, 10)}${(Number(CF_CEFALU[10]) + 1) % 10}` }),
    // 10: error: a role that the scheda does not know; a note in an unknown column.
    row({ municipality: "Agrigento", role: "Presidente", Note: "chiamare in settimana" }),
    // an empty line is skipped
    {},
  ];
}

const EXPECTED = [
  { line: 2, status: "new", body: "Comune di Cefalù (PA)", projects: 1 },
  { line: 3, status: "new", body: "Comune di Sant'Agata di Militello (ME)", projects: 2 },
  { line: 4, status: "error", errors: { [H.phone]: "Numero di telefono non valido: ad esempio 091 1234567 o 333 1234567" } },
  { line: 5, status: "error", errors: { [H.municipality]: "Comune non trovato: controlla il nome o indica il codice ISTAT a 6 cifre" } },
  { line: 6, status: "error", errors: { [H["p1.endDate"]]: "La data di fine deve essere successiva alla data di inizio" } },
  { line: 7, status: "new", body: "Unione dei Comuni delle Madonie", projects: 0 },
  { line: 8, status: "error", errors: { [H.municipality]: expect.stringMatching(/^Lo stesso ente è già alla riga 2 del file/) } },
  { line: 9, status: "error", errors: { [H.fiscalCode]: "Codice fiscale non valido: controlla le cifre (l'ultima è di controllo)" } },
  { line: 10, status: "error", errors: { [H.role]: expect.stringMatching(/^«Presidente» non è un ruolo: usa Sindaco, Assessore/) } },
];

async function expectRealisticPreview(parsed: ParsedImport & { ok: true }) {
  expect(parsed.ignoredHeaders).toEqual(["Note"]);
  const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
  const simplified = preview.rows.map((r) =>
    r.status === "error"
      ? { line: r.line, status: r.status, errors: Object.fromEntries(r.errors.map((e) => [e.column, e.message])) }
      : { line: r.line, status: r.status, body: r.body, projects: r.projects },
  );
  expect(simplified).toEqual(EXPECTED);
  expect(preview.counts).toEqual({ new: 3, update: 0, duplicate: 0, error: 6, total: 9 });
  return preview;
}

describe("templates", () => {
  it("the .xlsx template parses back: every column recognised, no rows, an Istruzioni sheet", async () => {
    const buffer = Buffer.from(await buildImportTemplateXlsx());
    const parsed = ok(await parseImportFile({ buffer, fileName: "modello.xlsx" }));
    expect(parsed.format).toBe("xlsx");
    expect(parsed.rows).toEqual([]);
    expect(parsed.ignoredHeaders).toEqual([]);
    expect(parsed.headers).toEqual(templateColumns().map((c) => c.header));
    expect(Object.keys(parsed.labels).sort()).toEqual(templateColumns().map((c) => c.key).sort());

    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Aderenti", "Istruzioni"]);
    const text: string[] = [];
    workbook.getWorksheet("Istruzioni")!.eachRow((r) => text.push(r.values ? (r.values as unknown[]).filter(Boolean).join(" | ") : ""));
    expect(text.join("\n")).toContain("Una riga per ente");
    expect(text.join("\n")).toContain("Progetto N - Data di fine");
  });

  it("the .csv template parses back (UTF-8 with BOM, semicolons)", async () => {
    const csv = buildImportTemplateCsv();
    expect(csv.startsWith("\ufeffTipo di ente;Comune (codice ISTAT o nome);")).toBe(true);
    const parsed = ok(await parseImportFile({ buffer: Buffer.from(csv, "utf8"), fileName: "modello.csv" }));
    expect(parsed).toMatchObject({ format: "csv", encoding: "utf-8", delimiter: ";", rows: [], ignoredHeaders: [] });
    expect(parsed.headers).toEqual(templateColumns().map((c) => c.header));
  });

  it("a template filled in Excel parses into rows keyed by column", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildImportTemplateXlsx()) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Aderenti")!;
    const values = row({ municipality: "Trapani", fiscalCode: "80004290817", email: "a@b.it" });
    sheet.addRow(templateColumns().map((c) => values[c.header] ?? null));
    const parsed = ok(await parseImportFile({ buffer: Buffer.from(await workbook.xlsx.writeBuffer()), fileName: "compilato.xlsx" }));
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0]).toMatchObject({ line: 2, values: { municipality: "Trapani", fiscalCode: "80004290817", email: "a@b.it", "p1.category": "ordinari" } });
  });
});

describe("parsing and preview of a realistic file", () => {
  it("CSV in Windows-1252 with semicolons", async () => {
    const buffer = csvFile(HEADERS, realisticRows({ typed: false }), { delimiter: ";", encoding: "latin1" });
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(buffer)).toThrow();
    const parsed = ok(await parseImportFile({ buffer, fileName: "aderenti.csv" }));
    expect(parsed).toMatchObject({ format: "csv", encoding: "windows-1252", delimiter: ";" });
    expect(parsed.rows.find((r) => r.line === 2)!.values).toMatchObject({ municipality: "Cefalù", firstName: "Nicolò" });
    await expectRealisticPreview(parsed);
  });

  it("CSV in UTF-8 with BOM and commas", async () => {
    const buffer = csvFile(HEADERS, realisticRows({ typed: false }), { delimiter: ",", encoding: "utf-8-bom" });
    const parsed = ok(await parseImportFile({ buffer, fileName: "aderenti.csv" }));
    expect(parsed).toMatchObject({ format: "csv", encoding: "utf-8", delimiter: "," });
    await expectRealisticPreview(parsed);
  });

  it("CSV in UTF-8 without BOM, LF line ends", async () => {
    const buffer = csvFile(HEADERS, realisticRows({ typed: false }), { delimiter: ";", encoding: "utf-8", eol: "\n" });
    const parsed = ok(await parseImportFile({ buffer, fileName: "aderenti.txt" }));
    expect(parsed).toMatchObject({ encoding: "utf-8", delimiter: ";" });
    await expectRealisticPreview(parsed);
  });

  it("XLSX with numbers, Excel dates as serial numbers and as dates, formulas and hyperlinks", async () => {
    const buffer = await xlsxFile(HEADERS, realisticRows({ typed: true }), { before: "Istruzioni" });
    const parsed = ok(await parseImportFile({ buffer, fileName: "aderenti.xlsx" }));
    expect(parsed.format).toBe("xlsx");
    const byLine = new Map(parsed.rows.map((r) => [r.line, r.values]));
    expect(byLine.get(2)).toMatchObject({ fiscalCode: String(Number(CF_CEFALU)), phone: "921123456", "p1.startDate": "01/01/2024" });
    expect(byLine.get(3)).toMatchObject({ "p1.startDate": "45292", "p1.fundedPlaces": "12" });
    await expectRealisticPreview(parsed);
  });

  it("the file name does not decide the format, and bad files get an Italian reason", async () => {
    const xlsx = await xlsxFile(HEADERS, realisticRows({ typed: true }));
    expect(ok(await parseImportFile({ buffer: xlsx, fileName: "aderenti.csv" })).format).toBe("xlsx");
    const bad = async (buffer: Buffer, fileName: string) => {
      const parsed = await parseImportFile({ buffer, fileName });
      expect(parsed.ok).toBe(false);
      return (parsed as { error: string }).error;
    };
    expect(await bad(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), "vecchio.xls")).toMatch(/\.xls \(Excel 97-2003\) non è supportato/);
    expect(await bad(Buffer.from("PK\u0003\u0004rotto"), "rotto.xlsx")).toMatch(/non è un file Excel/);
    expect(await bad(Buffer.from("a;b;c\n1;2;3\n"), "x.csv")).toMatch(/Non trovo la riga con i nomi delle colonne/);
    expect(await bad(Buffer.from("Comune;Nome;Cognome;Email\nCefalù;A;B;c@d.it\n"), "x.csv")).toBe(
      "Nel file mancano le colonne «PEC dell'ente», «Codice fiscale dell'ente», «Ruolo», «Ufficio o settore», «Telefono». Usa il modello scaricabile da questa pagina.",
    );
    expect(await bad(Buffer.alloc(0), "vuoto.csv")).toBe("Il file è vuoto.");
  });

  it("headers are recognised in other words and orders; title rows above the headers are skipped", async () => {
    const text = [
      "Elenco aderenti al 31/12;;;;;;;;;;;",
      "email;cognome;nome;ruolo;ufficio;telefono;PEC;codice fiscale;comune;tipologia progetto 1;posti finanziati 1;ente attuatore 1;data inizio 1;data fine 1",
      `a@b.it;Rossi;Anna;sindaco;Sindaco;091 1111111;p@pec.it;${randomFiscalCode()};alì terme;ordinari;10;Coop;1/3/24;28.2.2026`,
    ].join("\n");
    const parsed = ok(await parseImportFile({ buffer: Buffer.from(text), fileName: "altro.csv" }));
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0].line).toBe(3);
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    expect(preview.rows[0]).toMatchObject({ status: "new", body: "Comune di Alì Terme (ME)", projects: 1, errors: [] });
  });

  it("CSV rows are numbered as a spreadsheet shows them: a cell with a line break is one row, an empty line is a row", async () => {
    const multiline = row({ municipality: "Acate", office: "Servizi sociali\nUfficio immigrazione", email: "anna.neri@example.org" });
    const buffer = csvFile(HEADERS, [multiline, row({ municipality: "Comiso", email: "paolo.verdi@example.org" }), {}, row({ municipality: "Giarratana", phone: "12" })]);
    const parsed = ok(await parseImportFile({ buffer, fileName: "a-capo.csv" }));
    expect(parsed.rows.map((r) => [r.line, r.values.municipality])).toEqual([
      [2, "Acate"],
      [3, "Comiso"],
      [5, "Giarratana"],
    ]);
    expect(parsed.rows[0].values.office).toBe("Servizi sociali Ufficio immigrazione");
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    const failed = failedRowsOf(parsed.rows, preview.rows.filter((r) => r.status === "error"));
    expect(failed.map((f) => [f.line, f.cells[HEADERS.indexOf(H.municipality)]])).toEqual([[5, "Giarratana"]]);
  });

  it("infers the Tipo di ente from an «Ente» column as the instructions promise, and names a column the file lacks", async () => {
    const text = [
      "Ente;Comune;PEC;Codice fiscale;Nome;Cognome;Ruolo;Ufficio;Email;Telefono",
      `Comune di Trapani;Trapani;protocollo@pec.comune.trapani.it;${randomFiscalCode()};Giulia;Barraco;Dirigente;Servizi Sociali;g.barraco@example.org;0923 590111`,
      `Comune di Marsala;;protocollo@pec.comune.marsala.tp.it;${randomFiscalCode()};Pietro;Genna;Funzionario;Servizi Sociali;p.genna@example.org;0923 993111`,
      `Unione dei Comuni Elimo Ericini;;unione@pec.it;${randomFiscalCode()};Vito;Ferrara;Dirigente;Segreteria;v.ferrara.elimo@example.org;0923 111111`,
    ].join("\r\n");
    const parsed = ok(await parseImportFile({ buffer: Buffer.from(text), fileName: "ente.csv" }));
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    expect(preview.rows.map((r) => [r.line, r.status, r.body, r.kind, r.errors.map((e) => [e.column, e.message])])).toEqual([
      [2, "new", "Comune di Trapani (TP)", "Comune", []],
      [3, "new", "Comune di Marsala (TP)", "Comune", []],
      [
        4,
        "error",
        "Unione dei Comuni Elimo Ericini",
        "Unione di Comuni",
        [["Provincia (sigla o nome)", "Nel file manca la colonna «Provincia (sigla o nome)», che serve per questa riga: Indica la provincia in cui ha sede l'ente: la sigla (ad esempio PA) o il nome"]],
      ],
    ]);

    // An Unione named in a file without the Denominazione column.
    const unione = ["Tipo di ente;Provincia;PEC;Codice fiscale;Nome;Cognome;Ruolo;Ufficio;Email;Telefono;Comune", `Unione di Comuni;TP;u@pec.it;${randomFiscalCode()};Lia;Costa;Dirigente;Segreteria;l.costa.u@example.org;0923 111112;`].join("\n");
    const parsedUnione = ok(await parseImportFile({ buffer: Buffer.from(unione), fileName: "unione.csv" }));
    const previewUnione = await previewImport(getDb(), { rows: parsedUnione.rows, labels: parsedUnione.labels });
    expect(previewUnione.rows[0].errors.map((e) => [e.column, e.message])).toEqual([
      ["Denominazione ente", "Nel file manca la colonna «Denominazione ente», che serve per questa riga: Inserisci la denominazione dell'ente"],
    ]);
  });

  it("comune names match despite case, accents, apostrophes and spaces; homonyms need the province", async () => {
    const rows: ImportRow[] = [
      "Sant'Agata di Militello",
      "SANTAGATA DI MILITELLO",
      "sant agata di militello",
      "Sant’Agata  di  Militello",
      "Comune di Sant'Agata di Militello",
      "083084",
      "83084",
      "San Teodoro",
      "San Teodoro (SS)",
      "CASTELL UMBERTO",
    ].map((municipality, i) => ({ line: i + 2, values: { ...valuesOf(row({ email: `x${i}@y.it` })), municipality }, cells: [] }));
    const preview = await previewImport(getDb(), { rows });
    const santagata = "Comune di Sant'Agata di Militello (ME)";
    expect(preview.rows.map((r) => (r.status === "error" ? r.errors[0].message : r.body))).toEqual([
      santagata,
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      expect.stringMatching(/^Lo stesso ente è già alla riga 2/),
      "Ci sono più comuni con questo nome (San Teodoro (ME), San Teodoro (SS)): indica il codice ISTAT o la sigla della provincia, ad esempio «San Teodoro (ME)»",
      "Comune di San Teodoro (SS)",
      "Comune di Castell'Umberto (ME)",
    ]);
  });

  it("recognises the abbreviations of San, Santo, Santa, Sant' and Santi in comune names", async () => {
    const rows: ImportRow[] = ["S. Agata di Militello", "S.ta Flavia", "S. Giovanni la Punta", "S Stefano di Camastra", "SS. Qualcosa"].map((municipality, i) => ({
      line: i + 2,
      values: { ...valuesOf(row({ email: `abbr${i}@y.it` })), municipality },
      cells: [],
    }));
    const preview = await previewImport(getDb(), { rows });
    expect(preview.rows.map((r) => (r.status === "error" ? r.errors[0].message : r.body))).toEqual([
      "Comune di Sant'Agata di Militello (ME)",
      "Comune di Santa Flavia (PA)",
      "Comune di San Giovanni la Punta (CT)",
      "Comune di Santo Stefano di Camastra (ME)",
      "Comune non trovato: controlla il nome o indica il codice ISTAT a 6 cifre",
    ]);
  });
});

describe("preview of addresses shared between enti", () => {
  it("notes, without refusing the rows, an address given for two enti or already the referente's of another ente", async () => {
    // Catania: the realistic file of the "import" tests names comuni of PA, ME and AG, which must stay free.
    const existing = await createReferent({ provinceCode: "087" });
    const existingBody = getDb().select().from(memberBodies).where(eq(memberBodies.id, existing.request.memberBodyId)).get()!;
    const shared = `ufficio.${Math.random().toString(36).slice(2, 8)}@example.org`;
    const rows: ImportRow[] = [
      { municipality: freeComune("084"), email: shared },
      { municipality: freeComune("085"), email: shared },
      { municipality: freeComune("086"), email: existing.email },
      { municipality: freeComune("088"), email: `altro.${Math.random().toString(36).slice(2, 8)}@example.org` },
    ].map((over, i) => ({ line: i + 2, values: { ...valuesOf(row({ email: over.email })), municipality: over.municipality }, cells: [] }));
    const preview = await previewImport(getDb(), { rows });
    expect(preview.rows.map((r) => [r.status, r.changes])).toEqual([
      ["new", []],
      ["new", ["Nuovo ente con il suo referente", "Attenzione: lo stesso indirizzo email è alla riga 2 per un altro ente, e la stessa persona sarà referente di entrambi"]],
      ["new", ["Nuovo ente con il suo referente", `Attenzione: questo indirizzo email è già del referente del ${existingBody.name}, e la stessa persona sarà referente di entrambi gli enti`]],
      ["new", []],
    ]);
  });
});

describe("preview of a row with several problems", () => {
  it("says at once that the Comune already has another referente, beside the cells to fix", async () => {
    const existing = await createReferent({ provinceCode: "089" });
    const rows: ImportRow[] = [
      { line: 2, values: { ...valuesOf(row({ "p1.fundedPlaces": "12,5" })), municipality: existing.fields.municipalityCode }, cells: [] },
    ];
    const [plan] = (await previewImport(getDb(), { rows })).rows;
    expect(plan.status).toBe("error");
    expect(plan.errors.map((e) => [e.key, e.message])).toEqual([
      ["p1.fundedPlaces", expect.any(String)],
      ["email", expect.stringMatching(/ha già un referente \(.*\): il cambio di referente si fa con la scheda di subentro, non con l'importazione$/)],
    ]);
  });

  it("says at once that a row with cells to fix repeats an ente of an earlier row, not only once they are fixed", async () => {
    const rows: ImportRow[] = [
      { line: 2, values: { ...valuesOf(row({ email: "prima.riga@example.org" })), municipality: "082064" }, cells: [] },
      { line: 35, values: { ...valuesOf(row({ email: "altra.riga@example.org", office: "" })), municipality: "082064" }, cells: [] },
    ];
    const [, repeated] = (await previewImport(getDb(), { rows })).rows;
    expect(repeated.status).toBe("error");
    expect(repeated.errors.map((e) => [e.key, e.message])).toEqual([
      ["office", expect.any(String)],
      ["municipality", expect.stringMatching(/^Lo stesso ente è già alla riga 2 del file: unisci le due righe/)],
    ]);
  });
});

describe("preview of a long file", () => {
  it("judges the rows in turns of 500, letting other work run in between, and keeps the file's order", async () => {
    // The same ente on every row: row 2 is new, each later row is refused as a repeat of row 2,
    // which also needs the rows judged in order across the turns.
    const rows: ImportRow[] = Array.from({ length: 1_200 }, (_, i) => ({ line: i + 2, values: valuesOf(row({ email: `lungo${i}@y.it` })), cells: [] }));
    let turns = 0;
    let finished = false;
    const countTurn = () => {
      if (finished) return;
      turns++;
      setImmediate(countTurn);
    };
    setImmediate(countTurn);
    const preview = await previewImport(getDb(), { rows });
    finished = true;
    expect(turns, "other work ran while the file was judged").toBeGreaterThanOrEqual(2);
    expect(preview.rows.map((r) => r.line)).toEqual(rows.map((r) => r.line));
    expect(preview.rows[0].status).toBe("new");
    expect(preview.rows.slice(1).every((r) => r.status === "error" && /^Lo stesso ente è già alla riga 2/.test(r.errors[0].message))).toBe(true);
  });
});

function valuesOf(sheetRow: SheetRow): Record<string, string> {
  const byHeader = Object.fromEntries(templateColumns(2).map((c) => [c.header, c.key]));
  return Object.fromEntries(Object.entries(sheetRow).flatMap(([h, v]) => (byHeader[h] ? [[byHeader[h], v == null ? "" : String(v)]] : [])));
}

function dbSnapshot() {
  const db = getDb();
  return {
    ...countRows(),
    bodies: db.select().from(memberBodies).orderBy(memberBodies.id).all(),
    referents: db.select().from(referents).orderBy(referents.id).all(),
    requests: db.select().from(membershipRequests).orderBy(membershipRequests.id).all(),
    projects: db.select().from(saiProjects).orderBy(saiProjects.id).all(),
  };
}

const importAuditEntries = (fileName: string) =>
  getDb()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "members.imported"), sql`json_extract(${auditLog.details}, '$.fileName') = ${fileName}`))
    .all();

describe("import", () => {
  it("writes the valid rows (approved, no emails), records the file name, and a second run changes nothing", async () => {
    const buffer = csvFile(HEADERS, realisticRows({ typed: false }), { encoding: "latin1" });
    const parsed = ok(await parseImportFile({ buffer, fileName: "elenco aderenti 2022.csv" }));
    const preview = await expectRealisticPreview(parsed);
    const before = countRows();

    const first = runImport(getDb(), {
      rows: parsed.rows,
      labels: parsed.labels,
      status: "approved",
      sendEmails: false,
      coordinatorId,
      fileName: "elenco aderenti 2022.csv",
      appUrl: APP_URL,
      expectedDigest: preview.digest,
    });
    expect(first).toMatchObject({
      ok: true,
      summary: { total: 9, created: 3, updated: 0, duplicates: 0, errors: 6, emails: 0, status: "approved", sendEmails: false },
    });
    if (!first.ok) return;
    expect(first.errorRows.map((r) => r.line)).toEqual([4, 5, 6, 8, 9, 10]);
    const after = countRows();
    expect(after).toEqual({
      bodies: before.bodies + 3,
      referents: before.referents + 3,
      requests: before.requests + 3,
      projects: before.projects + 3,
      outbox: before.outbox,
    });

    const db = getDb();
    const cefalu = db.select().from(memberBodies).where(eq(memberBodies.fiscalCode, CF_CEFALU)).get()!;
    expect(cefalu).toMatchObject({ kind: "comune", municipalityCode: "082027", name: "Comune di Cefalù", pec: "protocollo@pec.comune.cefalu.pa.it", status: "member" });
    const referent = db.select().from(referents).where(eq(referents.memberBodyId, cefalu.id)).get()!;
    expect(referent).toMatchObject({
      firstName: "Nicolò",
      email: "nicolo.loverde@comune.cefalu.pa.it",
      phone: "+39092112345" + "6",
      privacyNoticeVersion: IMPORT_PRIVACY_NOTICE_VERSION,
      emailVerifiedAt: null,
    });
    expect(referent.validFrom).toBeInstanceOf(Date);
    const request = db.select().from(membershipRequests).where(eq(membershipRequests.memberBodyId, cefalu.id)).get()!;
    expect(request).toMatchObject({ status: "approved", kind: "new", decidedById: coordinatorId, confirmationTokenHash: null });
    const santagata = db.select().from(memberBodies).where(eq(memberBodies.municipalityCode, "083084")).get()!;
    expect(
      db
        .select({ category: saiProjects.category, places: saiProjects.fundedPlaces, start: saiProjects.startDate, end: saiProjects.endDate })
        .from(saiProjects)
        .where(eq(saiProjects.memberBodyId, santagata.id))
        .orderBy(saiProjects.id)
        .all(),
    ).toEqual([
      { category: "MSNA", places: 12, start: "2024-01-01", end: "2025-12-31" },
      { category: "DM/DS", places: 5, start: "2024-03-01", end: "2027-02-28" },
    ]);
    const madonie = db.select().from(memberBodies).where(eq(memberBodies.fiscalCode, CF_MADONIE)).get()!;
    expect(madonie).toMatchObject({ kind: "unione_comuni", name: "Unione dei Comuni delle Madonie", municipalityCode: null, provinceCode: "082" });
    // A Comune's province is its comune's (Sant'Agata di Militello, Messina).
    expect(santagata.provinceCode).toBe("083");
    expect(db.select().from(membershipRequests).where(eq(membershipRequests.memberBodyId, madonie.id)).get()!.noActiveProjects).toBe(true);

    // The members appear in the coordinators' list, approved.
    const list = listMembershipRequests(db, { filters: { q: "Cefalù" }, sort: { key: "created", direction: "desc" }, page: 1 });
    expect(list.rows.map((r) => [r.body.name, r.status])).toEqual([["Comune di Cefalù", "approved"]]);

    // The audit log names the file, with the counts, and each new membership.
    const [entry] = importAuditEntries("elenco aderenti 2022.csv");
    expect(entry).toMatchObject({ actorType: "coordinator", actorId: coordinatorId, action: "members.imported" });
    expect(entry.details).toMatchObject({ fileName: "elenco aderenti 2022.csv", created: 3, errors: 6, rows: 9, sendEmails: false });
    const created = db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "membership.created"), eq(auditLog.entityId, String(request.id))))
      .get()!;
    expect(created.details).toMatchObject({ source: "importazione", fileName: "elenco aderenti 2022.csv", line: 2 });

    // Again: every written row is now a duplicate, nothing changes.
    const snapshot = dbSnapshot();
    const again = await previewImport(db, { rows: parsed.rows, labels: parsed.labels });
    expect(again.counts).toEqual({ new: 0, update: 0, duplicate: 3, error: 6, total: 9 });
    const second = runImport(db, {
      rows: parsed.rows,
      labels: parsed.labels,
      status: "approved",
      sendEmails: true,
      coordinatorId,
      fileName: "elenco aderenti 2022.csv",
      appUrl: APP_URL,
      expectedDigest: again.digest,
    });
    expect(second).toMatchObject({ ok: true, summary: { created: 0, updated: 0, duplicates: 3, errors: 6, emails: 0 } });
    expect(dbSnapshot()).toEqual(snapshot);

    // The same list as .xlsx is the same data: still nothing to do.
    const xlsx = ok(await parseImportFile({ buffer: await xlsxFile(HEADERS, realisticRows({ typed: true })), fileName: "elenco.xlsx" }));
    expect((await previewImport(db, { rows: xlsx.rows, labels: xlsx.labels })).counts).toEqual({ new: 0, update: 0, duplicate: 3, error: 6, total: 9 });
  });

  it("an adesione imported as approved says on its page that it came from the file, and that no confirmation was asked", async () => {
    const email = "importata.approvata@example.org";
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Naro", email })]), fileName: "elenco-2026.csv" }));
    expect(runImport(getDb(), { rows: parsed.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "elenco-2026.csv", appUrl: APP_URL }).ok).toBe(true);
    const request = getDb()
      .select({ id: membershipRequests.id })
      .from(membershipRequests)
      .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
      .where(eq(referents.email, email))
      .get()!;
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${request.id}`, coordinatorId), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toMatch(/Importata il \d+ \w+ \d{4} alle \d\d:\d\d, dal file «elenco-2026\.csv» \(riga 2\)/);
    expect(text).toContain("Email confermata il Non richiesta: importata già approvata");
    expect(text).not.toContain("Non ancora confermata");
    // Its Registro says where the adesione came from, as /admin/registro does (it showed «—»).
    const registro = text.slice(text.indexOf("Registro delle attività"));
    expect(registro).toMatch(/Ha creato un(?:'|&#x27;)adesione importata Dal file «elenco-2026\.csv» \(riga 2\)/);
  });

  it("the status is for the adesioni a file creates: without one, a row that would create an adesione stops the import", async () => {
    const email = "senza.stato@example.org";
    const known = row({ municipality: "Ravanusa", email });
    const parsedKnown = ok(await parseImportFile({ buffer: csvFile(HEADERS, [known]), fileName: "a.csv" }));
    expect((await previewImport(getDb(), { rows: parsedKnown.rows, labels: parsedKnown.labels })).newMemberships).toBe(1);
    expect(runImport(getDb(), { rows: parsedKnown.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "a.csv", appUrl: APP_URL }).ok).toBe(true);

    // An update alone needs no status.
    const updated = ok(await parseImportFile({ buffer: csvFile(HEADERS, [{ ...known, [H.phone]: "0922 111111" }]), fileName: "b.csv" }));
    expect(await previewImport(getDb(), { rows: updated.rows, labels: updated.labels })).toMatchObject({ counts: { update: 1 }, newMemberships: 0 });
    const result = runImport(getDb(), { rows: updated.rows, labels: updated.labels, status: null, sendEmails: false, coordinatorId, fileName: "b.csv", appUrl: APP_URL });
    expect(result).toMatchObject({ ok: true, summary: { created: 0, updated: 1, emails: 0, status: null } });

    // A new ente without a status (the preview said there was none): nothing is written.
    const withNew = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Campobello di Licata" })]), fileName: "c.csv" }));
    const before = countRows();
    const refused = runImport(getDb(), { rows: withNew.rows, labels: withNew.labels, status: null, sendEmails: false, coordinatorId, fileName: "c.csv", appUrl: APP_URL });
    expect(refused).toMatchObject({ ok: false, reason: "changed" });
    expect(countRows()).toEqual(before);
  });

  it("a changed row is an update: new data and new projects are written, nothing duplicated", async () => {
    const email = "update.test@example.org";
    const cf = randomFiscalCode();
    const first = row({ municipality: "Licata", fiscalCode: cf, email, "p1.projectCode": "PROG-9" });
    const parsedFirst = ok(await parseImportFile({ buffer: csvFile(HEADERS, [first]), fileName: "a.csv" }));
    expect(runImport(getDb(), { rows: parsedFirst.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "a.csv", appUrl: APP_URL }).ok).toBe(true);

    const changed = {
      ...first,
      [H.phone]: "0922 999999",
      [H["p1.fundedPlaces"]]: "30",
      [H["p2.category"]]: "MSNA",
      [H["p2.fundedPlaces"]]: "8",
      [H["p2.managingOrganization"]]: "Coop Due",
      [H["p2.startDate"]]: "01/06/2024",
      [H["p2.endDate"]]: "31/05/2027",
    };
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [changed]), fileName: "b.csv" }));
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    expect(preview.rows[0]).toMatchObject({
      status: "update",
      changes: ["Cambia Telefono: da «091 123 4567» a «0922 999999»", "Aggiunge 1 progetto", "Progetto 1: cambia posti finanziati da «25» a «30»"],
    });
    const before = countRows();
    const result = runImport(getDb(), { rows: parsed.rows, labels: parsed.labels, status: "pending", sendEmails: true, coordinatorId, fileName: "b.csv", appUrl: APP_URL });
    expect(result).toMatchObject({ ok: true, summary: { created: 0, updated: 1, emails: 0 } });
    expect(countRows()).toEqual({ ...before, projects: before.projects + 1 });
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.fiscalCode, cf)).get()!;
    expect(getDb().select().from(referents).where(eq(referents.memberBodyId, body.id)).get()!.phone).toBe("+390922999999");
    expect(
      getDb().select({ code: saiProjects.projectCode, places: saiProjects.fundedPlaces }).from(saiProjects).where(eq(saiProjects.memberBodyId, body.id)).orderBy(saiProjects.id).all(),
    ).toEqual([
      { code: "PROG-9", places: 30 },
      { code: null, places: 8 },
    ]);
    expect((await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels })).rows[0].status).toBe("duplicate");

    // Another person for the same ente is not an import: it is a handover.
    const other = { ...changed, [H.email]: "someone.else@example.org" };
    const otherParsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [other]), fileName: "c.csv" }));
    expect((await previewImport(getDb(), { rows: otherParsed.rows, labels: otherParsed.labels })).rows[0]).toMatchObject({
      status: "error",
      errors: [{ column: "Email", message: expect.stringMatching(/^Il Comune di Licata ha già un referente \(update\.test@example\.org\): il cambio di referente si fa con la scheda di subentro/) }],
    });
  });

  it("compares a row with the ente's own projects, not with those of a handover awaiting approval", async () => {
    const current = await createReferent({ provinceCode: "086" });
    const successor = await createReferent({
      state: "pending",
      fields: {
        municipalityCode: current.fields.municipalityCode,
        fiscalCode: current.fields.fiscalCode,
        firstName: "Subentrante",
        "projects.0.category": "MSNA",
        "projects.0.fundedPlaces": "40",
        "projects.0.projectCode": "",
      },
    });
    expect(successor.request.kind).toBe("handover");
    const projectsOf = () =>
      getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, current.request.memberBodyId)).orderBy(saiProjects.id).all();
    const successorProject = projectsOf().find((p) => p.requestId === successor.request.id)!;
    // The current referente's row lists, besides their own project, one just like the successor's.
    const sameAsSuccessors = { "p2.category": "MSNA", "p2.fundedPlaces": "40", "p2.managingOrganization": "Cooperativa Sociale Esempio", "p2.startDate": "01/01/2024", "p2.endDate": "31/12/2030" };
    const file = row({
      municipality: current.fields.municipalityCode,
      fiscalCode: current.fields.fiscalCode,
      email: current.email,
      "p1.projectCode": "PROG-1776-PR-3",
      "p1.endDate": "31/12/2030",
      ...sameAsSuccessors,
    });
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [file]), fileName: "h.csv" }));
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    expect(preview.rows[0]).toMatchObject({ status: "update", changes: expect.arrayContaining(["Aggiunge 1 progetto"]) });

    const result = runImport(getDb(), { rows: parsed.rows, labels: parsed.labels, status: "approved", sendEmails: false, coordinatorId, fileName: "h.csv", appUrl: APP_URL });
    expect(result).toMatchObject({ ok: true });
    const after = projectsOf();
    expect(after.find((p) => p.id === successorProject.id)).toEqual(successorProject);
    expect(after.filter((p) => p.category === "MSNA" && p.requestId !== successor.request.id)).toHaveLength(1);
  });

  it("pending with emails: each new referente is asked to confirm the email, then the coordinators approve", async () => {
    const email = "pending.test@example.org";
    const parsed = ok(
      await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Modica", email, firstName: "Giuseppe" })]), fileName: "attesa.csv" }),
    );
    const result = runImport(getDb(), { rows: parsed.rows, labels: parsed.labels, status: "pending", sendEmails: true, coordinatorId, fileName: "attesa.csv", appUrl: APP_URL });
    expect(result).toMatchObject({ ok: true, summary: { created: 1, emails: 1, status: "pending" } });
    const db = getDb();
    const body = db.select().from(memberBodies).where(eq(memberBodies.municipalityCode, "088006")).get()!;
    expect(body.status).toBe("candidate");
    const request = db.select().from(membershipRequests).where(eq(membershipRequests.memberBodyId, body.id)).get()!;
    expect(request.status).toBe("email_unverified");
    expect(db.select().from(referents).where(eq(referents.id, request.referentId)).get()!.validFrom).toBeNull();

    const mails = db.select().from(outbox).where(eq(outbox.recipient, email)).all();
    expect(mails.map((m) => m.template)).toEqual(["confirm-registration"]);
    expect(mails[0].props).toMatchObject({ firstName: "Giuseppe", bodyName: "Comune di Modica", isHandover: false });
    // The person sent no scheda: the email says who recorded them, and where the privacy notice is.
    const confirmText = (await renderEmail("confirm-registration", mails[0].props)).text.replace(/\s+/g, " ");
    expect(confirmText).toContain("i coordinatori di ANCI Sicilia ti hanno indicato come referente del Comune di Modica");
    expect(confirmText).not.toContain("abbiamo ricevuto la scheda");
    expect(confirmText).not.toContain("Se non hai compilato tu la scheda");
    expect(confirmText).not.toContain("Per completare l'invio");
    expect(confirmText).toContain("Per completare la registrazione conferma che questo indirizzo è tuo");
    expect(confirmText).toContain(`Come trattiamo i tuoi dati: ${APP_URL}/privacy`);
    const token = String(mails[0].props.confirmUrl).match(/\/adesione\/conferma\/([\w-]+)$/)![1];
    expect(confirmRegistration(db, { token, appUrl: APP_URL })).toMatchObject({ state: "valid", bodyName: "Comune di Modica" });
    expect(approveMembership(db, { id: request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
    expect(db.select().from(memberBodies).where(eq(memberBodies.id, body.id)).get()!.status).toBe("member");
  });

  it("pending without emails is refused: the confirmation link would never reach the referente", async () => {
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Pozzallo", email: "pending.nomail@example.org" })]), fileName: "p.csv" }));
    const before = countRows();
    const result = runImport(getDb(), { rows: parsed.rows, status: "pending", sendEmails: false, coordinatorId, fileName: "p.csv", appUrl: APP_URL });
    expect(result).toEqual({ ok: false, reason: "invalid", error: PENDING_WITHOUT_EMAILS_MESSAGE });
    expect(countRows()).toEqual(before);
    expect((await previewImport(getDb(), { rows: parsed.rows })).rows[0].status).toBe("new");
  });

  it("approved with emails: the welcome email; without the option no email at all", async () => {
    const withEmail = "approved.mail@example.org";
    const withoutEmail = "approved.nomail@example.org";
    const a = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Scicli", email: withEmail })]), fileName: "a.csv" }));
    runImport(getDb(), { rows: a.rows, status: "approved", sendEmails: true, coordinatorId, fileName: "a.csv", appUrl: APP_URL });
    const b = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Nicosia", email: withoutEmail })]), fileName: "b.csv" }));
    runImport(getDb(), { rows: b.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "b.csv", appUrl: APP_URL });
    const db = getDb();
    const mails = db.select().from(outbox).where(eq(outbox.recipient, withEmail)).all();
    expect(mails.map((m) => m.template)).toEqual(["membership-approved"]);
    expect(mails[0].props).toMatchObject({ bodyName: "Comune di Scicli", referentAreaUrl: `${APP_URL}/area-referente` });
    const welcomeText = (await renderEmail("membership-approved", mails[0].props)).text.replace(/\s+/g, " ");
    expect(welcomeText).toContain("i coordinatori di ANCI Sicilia ti hanno registrato come referente del Comune di Scicli");
    expect(welcomeText).not.toContain("la scheda referente del Comune di Scicli è stata approvata");
    expect(welcomeText).toContain(`Come trattiamo i tuoi dati: ${APP_URL}/privacy`);
    expect(db.select().from(outbox).where(eq(outbox.recipient, withoutEmail)).all()).toEqual([]);
  });

  it("a failure in the middle leaves nothing written", async () => {
    const db = getDb();
    const rows = [
      row({ municipality: "Marsala", email: "first.ok@example.org" }),
      row({ municipality: "Alcamo", email: "boom@example.org" }),
      row({ municipality: "Mazara del Vallo", email: "third.ok@example.org" }),
    ];
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, rows), fileName: "guasto.csv" }));
    const preview = await previewImport(db, { rows: parsed.rows, labels: parsed.labels });
    expect(preview.counts.new).toBe(3);
    // A constraint of the database refuses the second referente, after the first row was written.
    db.$client.exec(
      "CREATE TRIGGER refuse_boom BEFORE INSERT ON referents WHEN NEW.email = 'boom@example.org' BEGIN SELECT RAISE(ABORT, 'referente rifiutato'); END",
    );
    const snapshot = dbSnapshot();
    const auditBefore = db.select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;
    try {
      const result = runImport(db, {
        rows: parsed.rows,
        labels: parsed.labels,
        status: "approved",
        sendEmails: true,
        coordinatorId,
        fileName: "guasto.csv",
        appUrl: APP_URL,
        expectedDigest: preview.digest,
      });
      expect(result).toEqual({
        ok: false,
        reason: "failed",
        error: "L'importazione si è interrotta per un errore alla riga 3 (referente rifiutato). Nessun dato è stato scritto: correggi la riga e riprova.",
      });
    } finally {
      db.$client.exec("DROP TRIGGER refuse_boom");
    }
    expect(dbSnapshot()).toEqual(snapshot);
    expect(db.select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n).toBe(auditBefore);
    expect(importAuditEntries("guasto.csv")).toEqual([]);
  });

  it("refuses to run when the rows would no longer do what the preview showed", async () => {
    const db = getDb();
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "Ragusa", email: "r1@example.org" })]), fileName: "r.csv" }));
    const preview = await previewImport(db, { rows: parsed.rows, labels: parsed.labels });
    // Meanwhile the same Comune is imported by someone else.
    const meanwhile = ok(await parseImportFile({ buffer: csvFile(HEADERS, [row({ municipality: "088009", email: "r2@example.org" })]), fileName: "m.csv" }));
    expect(runImport(db, { rows: meanwhile.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "m.csv", appUrl: APP_URL }).ok).toBe(true);
    const snapshot = dbSnapshot();
    const result = runImport(db, { rows: parsed.rows, status: "approved", sendEmails: false, coordinatorId, fileName: "r.csv", appUrl: APP_URL, expectedDigest: preview.digest });
    expect(result).toMatchObject({ ok: false, reason: "changed" });
    expect(dbSnapshot()).toEqual(snapshot);
  });

  it("an ente other than a Comune names its province by sigla or name; missing or unknown is an error on that cell", async () => {
    const db = getDb();
    const other = (province: string) =>
      valuesOf(row({ bodyKind: "Libero Consorzio", municipality: "", bodyName: "Libero Consorzio Comunale di Ragusa", province, fiscalCode: randomFiscalCode() }));
    const preview = await previewImport(db, {
      rows: [
        { line: 2, values: other("RG"), cells: [] },
        { line: 3, values: other("ragusa"), cells: [] },
        { line: 4, values: other(""), cells: [] },
        { line: 5, values: other("Ragusia"), cells: [] },
        // A Comune's own province column is not read: its comune decides.
        { line: 6, values: valuesOf(row({ municipality: "083002", province: "zz" })), cells: [] },
      ],
    });
    expect(preview.rows.map((r) => [r.line, r.status, r.errors.map((e) => [e.column, e.message])])).toEqual([
      [2, "new", []],
      [3, "new", []],
      [4, "error", [["Provincia (sigla o nome)", "Indica la provincia in cui ha sede l'ente: la sigla (ad esempio PA) o il nome"]]],
      [5, "error", [["Provincia (sigla o nome)", "«Ragusia» non è una provincia: indica la sigla (ad esempio PA) o il nome"]]],
      [6, "new", []],
    ]);
  });

  it("a codice fiscale already used by another ente is an error on that cell", async () => {
    const db = getDb();
    const existing = db.select().from(memberBodies).where(eq(memberBodies.fiscalCode, CF_CEFALU)).get()!;
    expect(existing).toBeTruthy();
    const preview = await previewImport(db, {
      rows: [{ line: 2, values: valuesOf(row({ municipality: "Palermo", fiscalCode: CF_CEFALU })), cells: [] }],
    });
    expect(preview.rows[0].errors).toEqual([
      {
        key: "fiscalCode",
        column: "Codice fiscale dell'ente",
        value: CF_CEFALU,
        message: "Questo codice fiscale è già registrato per il Comune di Cefalù: controllalo",
      },
    ]);
  });
});

describe("re-importing an ente already registered", () => {
  const importFile = async (headers: string[], rows: SheetRow[], fileName: string) => {
    const parsed = ok(await parseImportFile({ buffer: csvFile(headers, rows), fileName }));
    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    const result = runImport(getDb(), { rows: parsed.rows, labels: parsed.labels, status: "approved", sendEmails: false, coordinatorId, fileName, appUrl: APP_URL });
    expect(result.ok).toBe(true);
    return preview.rows[0];
  };
  const referentOf = (cf: string) => {
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.fiscalCode, cf)).get()!;
    return getDb().select().from(referents).where(eq(referents.memberBodyId, body.id)).get()!;
  };

  it("an empty Cellulare cell or a file without that column keeps the stored mobile; a new one shows and logs the old and new number", async () => {
    const cf = randomFiscalCode();
    const first = row({ municipality: "Acireale", fiscalCode: cf, email: "cell.test@example.org", mobile: "333 1234567" });
    await importFile(HEADERS, [first], "con-cellulare.csv");
    expect(referentOf(cf).mobile).toBe("+393331234567");

    // The column is not in the file at all.
    const withoutColumn = HEADERS.filter((h) => h !== H.mobile);
    expect(await importFile(withoutColumn, [first], "senza-cellulare.csv")).toMatchObject({ status: "duplicate" });
    expect(referentOf(cf).mobile).toBe("+393331234567");
    // The cell is empty.
    expect(await importFile(HEADERS, [{ ...first, [H.mobile]: "" }], "cella-vuota.csv")).toMatchObject({ status: "duplicate" });
    expect(referentOf(cf).mobile).toBe("+393331234567");

    // A different number replaces it, and the preview and the log say which number it replaced.
    const changed = await importFile(HEADERS, [{ ...first, [H.mobile]: "347 7654321", [H.phone]: "095 7654321" }], "nuovo-cellulare.csv");
    expect(changed).toMatchObject({
      status: "update",
      changes: ["Cambia Telefono: da «091 123 4567» a «095 765 4321»", "Cambia Cellulare: da «333 123 4567» a «347 765 4321»"],
    });
    expect(referentOf(cf).mobile).toBe("+393477654321");
    const entry = getDb()
      .select({ details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.action, "member_body.updated"), sql`json_extract(${auditLog.details}, '$.fileName') = 'nuovo-cellulare.csv'`))
      .get()!;
    expect(entry.details).toMatchObject({
      before: { phone: "+390911234567", mobile: "+393331234567" },
      after: { phone: "+390957654321", mobile: "+393477654321" },
      changes: changed.changes,
    });
  });

  it("a project without a codice progetto, same tipologia, ente attuatore and start, is the stored one extended, not a second project", async () => {
    const cf = randomFiscalCode();
    const first = row({ municipality: "Bronte", fiscalCode: cf, email: "proroga.test@example.org", "p1.category": "DM/DS", "p1.fundedPlaces": "10" });
    await importFile(HEADERS, [first], "progetto.csv");
    const extended = { ...first, [H["p1.endDate"]]: "31/12/2028", [H["p1.fundedPlaces"]]: "12" };
    const before = countRows();
    expect(await importFile(HEADERS, [extended], "proroga.csv")).toMatchObject({
      status: "update",
      changes: ["Progetto 1: cambia posti finanziati da «10» a «12», data di fine da «31/12/2026» a «31/12/2028»"],
    });
    expect(countRows()).toEqual(before);
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.fiscalCode, cf)).get()!;
    expect(
      getDb().select({ places: saiProjects.fundedPlaces, end: saiProjects.endDate }).from(saiProjects).where(eq(saiProjects.memberBodyId, body.id)).all(),
    ).toEqual([{ places: 12, end: "2028-12-31" }]);
    // Another start date is another project.
    const another = { ...extended, [H["p1.startDate"]]: "01/01/2025" };
    const parsed = ok(await parseImportFile({ buffer: csvFile(HEADERS, [another]), fileName: "altro.csv" }));
    expect((await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels })).rows[0].changes).toEqual(["Aggiunge 1 progetto"]);
  });
});

describe("a workbook with several sheets", () => {
  it("reads every sheet with the header row, naming the sheet of each row; a sheet without it is named as not read", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    const comuni = workbook.addWorksheet("Comuni");
    comuni.addRow(HEADERS);
    const lampedusa = row({ municipality: "Lampedusa e Linosa", email: "r.spitale@example.org" });
    comuni.addRow(HEADERS.map((h) => (lampedusa[h] ?? null) as never));
    // The second sheet has its columns in another order.
    const unioni = workbook.addWorksheet("Unioni");
    const reversed = [...HEADERS].reverse();
    unioni.addRow(reversed);
    const unione = (name: string, email: string, fiscalCode: string) =>
      row({ bodyKind: "Unione di Comuni", municipality: "", bodyName: name, province: "TP", fiscalCode, email, "p1.category": "", "p1.fundedPlaces": "", "p1.managingOrganization": "", "p1.startDate": "", "p1.endDate": "" });
    const belice = unione("Unione dei Comuni Valle del Belice", "v.ferrara@example.org", randomFiscalCode());
    for (const r of [belice, unione("Unione dei Comuni Terre del Nisseno", "l.costa@example.org", belice[H.fiscalCode] as string)]) {
      unioni.addRow(reversed.map((h) => (r[h] ?? null) as never));
    }
    workbook.addWorksheet("Appunti").addRow(["da chiamare: Licata"]);
    const buffer = Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);

    const parsed = ok(await parseImportFile({ buffer, fileName: "due-fogli.xlsx" }));
    expect(parsed.skippedSheets).toEqual(["Appunti"]);
    expect(parsed.rows.map((r) => [r.sheet, r.line, r.values.email])).toEqual([
      ["Comuni", 2, "r.spitale@example.org"],
      ["Unioni", 2, "v.ferrara@example.org"],
      ["Unioni", 3, "l.costa@example.org"],
    ]);
    // Laid out under the first sheet's columns, for the error report.
    expect(parsed.rows[1].cells[HEADERS.indexOf(H.bodyName)]).toBe("Unione dei Comuni Valle del Belice");

    const preview = await previewImport(getDb(), { rows: parsed.rows, labels: parsed.labels });
    expect(preview.rows.map((r) => [r.sheet, r.line, r.status])).toEqual([
      ["Comuni", 2, "new"],
      ["Unioni", 2, "new"],
      ["Unioni", 3, "error"],
    ]);
    expect(preview.rows[2].errors[0].message).toMatch(/^Lo stesso ente è già alla riga 2 del foglio «Unioni»: unisci le due righe/);

    const report = await readXlsx(await buildErrorReportXlsx({ headers: parsed.headers, failed: failedRowsOf(parsed.rows, preview.rows.filter((r) => r.status === "error")) }));
    expect(report.headers.slice(0, 2)).toEqual(["Foglio", "Riga del file"]);
    expect(report.rows[0].slice(0, 2)).toEqual(["Unioni", "3"]);
    expect(report.rows[0][2 + HEADERS.indexOf(H.bodyName)]).toBe("Unione dei Comuni Terre del Nisseno");
  });
});
