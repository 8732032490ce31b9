import { createRequire } from "node:module";
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import * as fontkit from "fontkit";
import PDFDocument from "pdfkit";
import type { MembershipRequestDetail } from "~/models/membership-detail.server";
import { formatIsoDay, TIME_ZONE } from "./dates";
import { consentDescription, importedConsentNote } from "./privacy-consent";
import { arrivalFacts } from "./request-arrival";

// The printable scheda referente: what an ente registered, for filing in the protocol. Drawn in
// Titillium Web, the design system's typeface, embedded from bootstrap-italia: unlike pdfkit's
// standard Helvetica (WinAnsi only), its latin-ext cut has the letters of Romanian, Polish, Czech,
// Hungarian, Croatian... names (Ș, Ł, ř, ő, đ), so a referente's name prints as typed.

export const SCHEDA_TITLE = "Scheda referente - Coordinamento SAI ANCI Sicilia";

const MARGIN = 50;
const FONT = "Titillium";
const BOLD = "Titillium-Bold";
const GREY = "#444444";
const BLUE = "#0066cc";

// The same files the portal's pages load (app/styles/app.css), as TrueType: the quickest for
// fontkit to read, and pdfkit embeds only the glyphs used.
const TITILLIUM_FILE = "bootstrap-italia/dist/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-";

type SchedaFonts = { regular: fontkit.Font; bold: fontkit.Font };
let schedaFonts: SchedaFonts | undefined;

/** The regular and bold Titillium, read and parsed once per process. */
function titillium(): SchedaFonts {
  if (!schedaFonts) {
    // Resolved from this module, so from app/ under vitest and from build/ in the built server.
    const resolve = createRequire(import.meta.url).resolve;
    const open = (weight: string) => {
      const font = fontkit.openSync(resolve(`${TITILLIUM_FILE}${weight}.ttf`));
      if ("fonts" in font) throw new Error(`Titillium ${weight} is a font collection, not a font`);
      return laidOutForTheScheda(font);
    };
    schedaFonts = { regular: open("regular"), bold: open("700") };
  }
  return schedaFonts;
}

// Titillium's line spacing, in its units (1000 to the em), reined in: its own ascent and descent
// (1133 and 388, a line of 1.52 em) would run a typical one-page scheda onto a second page. These
// still hold the tallest and deepest letters it has (Ő, 973 in bold; Ș and Ģ, 311).
const LINE_METRICS: Partial<Record<keyof fontkit.Font, number>> = { ascent: 980, descent: -320, lineGap: 0 };

/**
 * The font as pdfkit is to lay it out: with LINE_METRICS, and without its local forms (OpenType
 * "locl"), which Titillium applies to every language: fontkit would draw a Turkish "Şahin" with
 * the Romanian comma ("Șahin") and, caching each glyph with the first letter it drew, later
 * schede would read "Ș" as "Ş".
 */
function laidOutForTheScheda(font: fontkit.Font): fontkit.Font {
  const layout: fontkit.Font["layout"] = (text, features = [], ...rest) => {
    const switches = Array.isArray(features) ? Object.fromEntries(features.map((tag) => [tag, true])) : features;
    return font.layout(text, { ...switches, locl: false }, ...rest);
  };
  return new Proxy(font, {
    get: (target, key, receiver) => {
      if (key === "layout") return layout;
      return Object.hasOwn(LINE_METRICS, key) ? LINE_METRICS[key as keyof fontkit.Font] : Reflect.get(target, key, receiver);
    },
  });
}

function hasGlyph(ch: string) {
  const { regular, bold } = titillium();
  const code = ch.codePointAt(0)!;
  return regular.hasGlyphForCodePoint(code) && bold.hasGlyphForCodePoint(code);
}

// Characters Titillium lacks that have a plain equivalent; a soft hyphen, invisible where no line
// breaks at it, is left out.
const FALLBACKS: Record<string, string> = { "\t": " ", "\u00ad": "", "‐": "-", "‑": "-" };

/**
 * Text Titillium can draw. A letter it lacks loses accents, the last first, until it has it
 * ("ễ" becomes "ê"), and anything else (a Cyrillic or Greek letter) becomes "?", never a blank glyph.
 */
export function printable(value: string): string {
  let out = "";
  for (const ch of value.replace(/\r\n?/g, "\n").normalize("NFC")) {
    if (ch === "\n") out += ch;
    else out += FALLBACKS[ch] ?? (hasGlyph(ch) ? ch : withoutMissingAccents(ch));
  }
  return out;
}

function withoutMissingAccents(ch: string) {
  const [base, ...marks] = ch.normalize("NFD");
  while (marks.length > 0 && /\p{M}/u.test(marks.at(-1)!)) {
    marks.pop();
    const simpler = [base, ...marks].join("").normalize("NFC");
    if ([...simpler].every(hasGlyph)) return simpler;
  }
  return "?";
}

const day = (d: Date) => format(new TZDate(d, TIME_ZONE), "dd/MM/yyyy");
const time = (d: Date) => format(new TZDate(d, TIME_ZONE), "HH:mm");
const dayTime = (d: Date) => `${day(d)} alle ${time(d)}`;
const shorten = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

type Doc = InstanceType<typeof PDFDocument>;

function contentWidth(doc: Doc) {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function bottomLimit(doc: Doc) {
  return doc.page.height - doc.page.margins.bottom;
}

function ensureSpace(doc: Doc, height: number) {
  if (doc.y + height > bottomLimit(doc)) doc.addPage();
}

// A tagged PDF (PDF/UA's structure): every text drawn belongs to a heading, a paragraph or a table
// cell of the structure tree, in reading order, and what is only drawn (rules, shading, page
// numbers, a table header repeated on a new page) is marked as an artifact, so a screen reader
// reads the scheda as the page shows it.
type Struct = PDFKit.PDFStructureElement;
type Tagged = { doc: Doc; root: Struct };
// pdfkit writes a header cell's scope (its typings do not list the option).
const headerOf = (scope: "Row" | "Column") => ({ scope }) as Parameters<Doc["struct"]>[1];

function artifact(doc: Doc, draw: () => void, type: "Layout" | "Pagination" = "Layout") {
  doc.markContent("Artifact", { type });
  draw();
  doc.endMarkedContent();
}

function heading({ doc, root }: Tagged, text: string) {
  ensureSpace(doc, 60);
  doc.moveDown(0.8);
  root.add(doc.struct("H2", {}, () => doc.font(BOLD).fontSize(12).fillColor(BLUE).text(printable(text), MARGIN, doc.y, { width: contentWidth(doc) })));
  const y = doc.y + 2;
  artifact(doc, () => doc.moveTo(MARGIN, y).lineTo(MARGIN + contentWidth(doc), y).lineWidth(0.5).strokeColor(BLUE).stroke());
  doc.y = y + 6;
  doc.fillColor("black");
}

const LABEL_WIDTH = 150;

/** A label and its value, side by side: a row of a two-column table whose header cell is the label. */
function field({ doc, root }: Tagged, label: string, value: string | number | null | undefined) {
  const text = printable(value === null || value === undefined || value === "" ? "—" : String(value));
  const valueWidth = contentWidth(doc) - LABEL_WIDTH - 10;
  doc.fontSize(10);
  const height = Math.max(
    doc.font(BOLD).heightOfString(printable(label), { width: LABEL_WIDTH }),
    doc.font(FONT).heightOfString(text, { width: valueWidth }),
  );
  ensureSpace(doc, height + 4);
  const y = doc.y;
  const row = doc.struct("TR");
  fieldTable(root, doc).add(row);
  row.add(doc.struct("TH", headerOf("Row"), () => doc.font(BOLD).fillColor(GREY).text(printable(label), MARGIN, y, { width: LABEL_WIDTH })));
  row.add(doc.struct("TD", {}, () => doc.font(FONT).fillColor("black").text(text, MARGIN + LABEL_WIDTH + 10, y, { width: valueWidth })));
  row.end();
  doc.x = MARGIN;
  doc.y = y + height + 4;
}

// The fields under a heading form one table, ended by the next heading, paragraph or table.
const openFieldTables = new WeakMap<Struct, Struct>();

function fieldTable(root: Struct, doc: Doc) {
  let table = openFieldTables.get(root);
  if (!table) {
    table = doc.struct("Table");
    root.add(table);
    openFieldTables.set(root, table);
  }
  return table;
}

function endFieldTable(root: Struct) {
  openFieldTables.get(root)?.end();
  openFieldTables.delete(root);
}

function paragraph({ doc, root }: Tagged, text: string) {
  doc.font(FONT).fontSize(10).fillColor("black");
  const height = doc.heightOfString(printable(text), { width: contentWidth(doc) });
  ensureSpace(doc, height);
  root.add(doc.struct("P", {}, () => doc.text(printable(text), MARGIN, doc.y, { width: contentWidth(doc) })));
  doc.x = MARGIN;
}

type Column = { header: string; width: number; align?: "left" | "right" };

function table({ doc, root }: Tagged, columns: Column[], rows: string[][]) {
  const pad = 4;
  const fontSize = 9;
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(fontSize);
    return Math.max(...cells.map((c, i) => doc.heightOfString(printable(c || "—"), { width: columns[i].width - 2 * pad }))) + 2 * pad;
  };
  const tagged = doc.struct("Table");
  root.add(tagged);
  // `into`: the table row the cells belong to; none for a header repeated on a new page (an artifact).
  const drawRow = (cells: string[], font: string, shaded: boolean, into: Struct | null) => {
    const height = rowHeight(cells, font);
    const y = doc.y;
    let x = MARGIN;
    if (shaded) artifact(doc, () => doc.rect(MARGIN, y, contentWidth(doc), height).fill("#e8f0fa"));
    doc.fillColor("black").font(font).fontSize(fontSize);
    cells.forEach((cell, i) => {
      const col = columns[i];
      const cellX = x;
      const draw = () => doc.fillColor("black").font(font).fontSize(fontSize).text(printable(cell || "—"), cellX + pad, y + pad, { width: col.width - 2 * pad, align: col.align ?? "left" });
      if (into) into.add(shaded ? doc.struct("TH", headerOf("Column"), draw) : doc.struct("TD", {}, draw));
      else artifact(doc, draw, "Pagination");
      x += col.width;
    });
    into?.end();
    artifact(doc, () => doc.moveTo(MARGIN, y + height).lineTo(MARGIN + contentWidth(doc), y + height).lineWidth(0.5).strokeColor("#999999").stroke());
    doc.x = MARGIN;
    doc.y = y + height;
  };
  const newRow = () => {
    const row = doc.struct("TR");
    tagged.add(row);
    return row;
  };
  const header = columns.map((c) => c.header);
  ensureSpace(doc, rowHeight(header, BOLD) + (rows[0] ? rowHeight(rows[0], FONT) : 0));
  drawRow(header, BOLD, true, newRow());
  for (const row of rows) {
    if (doc.y + rowHeight(row, FONT) > bottomLimit(doc)) {
      doc.addPage();
      drawRow(header, BOLD, true, null);
    }
    drawRow(row, FONT, false, newRow());
  }
  tagged.end();
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}

/** The scheda of one request as a PDF file. */
export async function buildSchedaPdf(detail: MembershipRequestDetail, { now = new Date() }: { now?: Date } = {}): Promise<Buffer> {
  const { request, body, referent } = detail;
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    lang: "it-IT",
    displayTitle: true,
    tagged: true,
    pdfVersion: "1.7",
    info: {
      Title: `${SCHEDA_TITLE} - ${body.name}`,
      Author: "Coordinamento SAI ANCI Sicilia",
      Subject: `Richiesta di adesione n. ${request.id}`,
      Creator: "Portale del Coordinamento SAI",
      CreationDate: now,
    },
  });
  const done = collect(doc);
  // pdfkit takes a parsed fontkit font as well as a file (its typings list only the file forms).
  const { regular, bold } = titillium();
  doc.registerFont(FONT, regular as unknown as Buffer);
  doc.registerFont(BOLD, bold as unknown as Buffer);
  const root = doc.struct("Document");
  doc.addStructure(root);
  const pdf: Tagged = { doc, root };
  // Each heading, paragraph or table ends the table of fields above it.
  const section = (title: string) => {
    endFieldTable(root);
    heading(pdf, title);
  };

  root.add(doc.struct("H1", {}, () => doc.font(BOLD).fontSize(16).fillColor("black").text(printable(SCHEDA_TITLE), { width: contentWidth(doc) })));
  doc.moveDown(0.2);
  root.add(
    doc.struct("P", {}, () =>
      doc
        .font(FONT)
        .fontSize(10)
        .fillColor(GREY)
        .text(printable("Coordinamento dei Comuni siciliani aderenti alla Rete SAI (Sistema di Accoglienza e Integrazione)"), {
          width: contentWidth(doc),
        }),
    ),
  );
  doc.fillColor("black");

  section("Richiesta");
  field(pdf, "Numero della richiesta", String(request.id));
  field(pdf, "Tipo di richiesta", request.kindLabel);
  field(pdf, "Stato", request.statusLabel);
  // As the request's page says them: an import names its file and row, and asked no confirmation if approved.
  const arrival = arrivalFacts({
    importedFrom: request.importedFrom,
    status: request.status,
    createdAt: dayTime(request.createdAt),
    confirmedAt: request.confirmedAt ? dayTime(request.confirmedAt) : null,
  });
  for (const [label, value] of arrival) field(pdf, label, value);

  section("Ente");
  field(pdf, "Tipo di ente", body.kindLabel);
  field(pdf, "Denominazione ente", body.name);
  if (body.municipalityName) {
    field(pdf, "Comune", `${body.municipalityName}${body.provinceSigla ? ` (${body.provinceSigla})` : ""}`);
  }
  if (body.provinceName) field(pdf, "Provincia", body.provinceName);
  field(pdf, "PEC dell'ente", body.pec);
  field(pdf, "Codice fiscale dell'ente", body.fiscalCode);

  section("Referente");
  field(pdf, "Nome", referent.firstName);
  field(pdf, "Cognome", referent.lastName);
  field(pdf, "Ruolo", referent.roleLabel);
  field(pdf, "Ufficio o settore", referent.office);
  field(pdf, "Email", referent.email);
  field(pdf, "Telefono", referent.phoneDisplay);
  field(pdf, "Cellulare", referent.mobileDisplay);
  field(pdf, "Email verificata il", referent.emailVerifiedAt ? dayTime(referent.emailVerifiedAt) : "Non ancora verificata");

  section("Progetti SAI");
  if (request.declaredProjects.length === 0) {
    paragraph(
      pdf,
      request.noActiveProjects
        ? "L'ente ha dichiarato di non avere progetti SAI attivi."
        : "Nessun progetto SAI indicato nella scheda.",
    );
  } else {
    endFieldTable(root);
    table(
      pdf,
      [
        { header: "Tipologia", width: 70 },
        { header: "Posti", width: 45, align: "right" },
        { header: "Codice", width: 95 },
        { header: "Ente attuatore", width: 155 },
        { header: "Dal", width: 65 },
        { header: "Al", width: contentWidth(doc) - 430 },
      ],
      request.declaredProjects.map((p) => [
        p.category === "ordinari" ? "Ordinari" : p.category,
        p.fundedPlaces === null ? "" : String(p.fundedPlaces),
        p.projectCode ?? "",
        p.managingOrganization,
        formatIsoDay(p.startDate),
        formatIsoDay(p.endDate),
      ]),
    );
  }

  section("Consenso al trattamento dei dati personali");
  paragraph(
    pdf,
    importedConsentNote(referent.privacyNoticeVersion, dayTime(referent.privacyConsentAt))?.concat(".") ??
      (referent.privacyNoticeVersion
        ? `Consenso all'informativa versione ${referent.privacyNoticeVersion} reso il ${dayTime(referent.privacyConsentAt)}`
        : `Consenso all'informativa ${consentDescription("", "").toLowerCase()}.`),
  );

  if (request.decidedAt) {
    section("Decisione");
    field(pdf, "Esito", request.statusLabel);
    field(pdf, "Data", dayTime(request.decidedAt));
    field(pdf, "Coordinatore", request.decidedByName);
    if (request.decisionReason) field(pdf, "Motivo", request.decisionReason);
  }

  endFieldTable(root);
  doc.moveDown(2);
  paragraph(pdf, `Documento generato il ${dayTime(now)} dal Portale del Coordinamento SAI.`);

  // Page numbers at the foot of every page (writing inside the bottom margin must not add pages).
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    artifact(
      doc,
      () =>
        doc
          .font(FONT)
          .fontSize(8)
          .fillColor(GREY)
          .text(printable(`Scheda n. ${request.id} - ${shorten(body.name, 70)} - pagina ${i + 1} di ${range.count}`), MARGIN, doc.page.height - 35, {
            width: contentWidth(doc),
            align: "center",
            lineBreak: false,
          }),
      "Pagination",
    );
    doc.page.margins.bottom = bottom;
  }
  root.end();
  doc.end();
  return done;
}
