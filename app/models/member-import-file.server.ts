import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import type { MemberBodyKind, ReferentRole, SaiCategory } from "#db/schema";
import { MEMBER_BODY_KINDS, REFERENT_ROLES, SAI_CATEGORIES } from "#db/enums";
import { typedDayToIso } from "~/utils/typed-day";
import { searchKey } from "~/utils/text";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS, SAI_CATEGORY_LABELS } from "~/validation/labels";
import {
  BASE_COLUMNS,
  MAX_IMPORT_ROWS,
  MAX_PROJECT_GROUPS,
  OLD_EXCEL_FORMAT_MESSAGE,
  PROJECT_FIELDS,
  projectColumnKey,
  projectHeader,
  type BaseColumnKey,
  type ProjectFieldKey,
} from "~/validation/member-import";
import { normalizeItalianPhone, placesFromText } from "~/validation/registration";
import { formatCount } from "~/utils/numbers";

// Reading an uploaded member list (issue 9): an .xlsx or a .csv, told apart by content; its header
// row matched to the template's columns by name and aliases; its cells cleaned as a spreadsheet
// leaves them (dates as serial numbers, codes without their leading zeros, phones as numbers).

export type ImportRow = {
  /** The row number in the spreadsheet (or the record of the CSV), as the coordinator sees it. */
  line: number;
  /** The sheet the row is on, when the workbook has more than one sheet of rows. */
  sheet?: string;
  /** Cell text by column key ("email", "p2.startDate"…). */
  values: Record<string, string>;
  /** Every cell of the row, aligned with the file's headers (for the error report). */
  cells: string[];
};

export type ParsedImport =
  | {
      ok: true;
      format: "xlsx" | "csv";
      encoding: string | null;
      delimiter: string | null;
      /** The header row as written in the file. */
      headers: string[];
      /** The header of each recognised column, by key: messages name columns as the file does. */
      labels: Record<string, string>;
      /** Headers that matched no column of the template (ignored). */
      ignoredHeaders: string[];
      /** Sheets of the workbook that have something but no header row: not read. */
      skippedSheets: string[];
      rows: ImportRow[];
    }
  | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Trailing and repeated spaces (also non-breaking), invisible characters, and the apostrophe a
 * spreadsheet puts before a number or a would-be formula ("'082027", "'+39 091…") go away. */
export function cleanCell(value: string): string {
  return value
    .replace(/[\u200b\u200c\u200d\u2060\ufeff]/g, "")
    .replace(/[\s\u00a0]+/g, " ")
    .trim()
    .replace(/^'(?=[=+\-@\d])/, "");
}

/** Compact key of a name: searchKey without spaces ("Sant'Agata di Militello" -> "santagatadimilitello"). */
export const compactKey = (value: string) => searchKey(value).replace(/ /g, "");

const pad = (n: number, size = 2) => String(n).padStart(size, "0");
const DAY_MS = 24 * 60 * 60 * 1000;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function isoFromUtc(date: Date) {
  const rounded = new Date(Math.round(date.getTime() / DAY_MS) * DAY_MS);
  return `${rounded.getUTCFullYear()}-${pad(rounded.getUTCMonth() + 1)}-${pad(rounded.getUTCDate())}`;
}

/** "gg/mm/aaaa" of an ISO day, for display and for the error report. */
export function italianDay(iso: string) {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/**
 * A date cell as the scheda's <input type="date"> posts it (YYYY-MM-DD): ISO text, Italian text
 * (gg/mm/aaaa, also with - or . and two-digit years) or an Excel serial number. Anything else is
 * returned unchanged, and the scheda's rule rejects it with its own message.
 */
export function toIsoDate(value: string): string {
  const v = typedDayToIso(value);
  if (!v || /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  if (/^\d{4,5}(?:[.,]\d+)?$/.test(v)) {
    const serial = Math.floor(Number(v.replace(",", ".")));
    // 1954-10-03 .. 2119-01-12: any plausible project date.
    if (serial >= 20_000 && serial <= 80_000) return isoFromUtc(new Date(EXCEL_EPOCH_MS + serial * DAY_MS));
  }
  return v;
}

/** "25", "25.0", "25,00" and " 25 " are 25, "1.500" is 1500 (placesFromText); anything else is left for the scheda's rule. */
export function toIntegerText(value: string) {
  const n = placesFromText(value);
  return n === null ? value : String(n);
}

/** Digits only, with the leading zeros Excel drops from numbers put back. */
export function codeDigits(value: string, length: number) {
  const v = value.replace(/[\s.\-]/g, "");
  return /^\d+$/.test(v) && v.length < length && v.length >= length - 4 ? v.padStart(length, "0") : v;
}

/**
 * A phone as the scheda accepts it; when Excel stored it as a number and dropped the leading 0 of
 * a landline ("911234567"), the 0 is put back if that makes a valid Italian number. "0039…" is "+39…".
 */
export function fixPhone(value: string) {
  if (!value || normalizeItalianPhone(value)) return value;
  const compact = value.replace(/[\s./\-()]/g, "");
  if (/^00\d{8,}$/.test(compact) && normalizeItalianPhone(`+${compact.slice(2)}`)) return `+${compact.slice(2)}`;
  if (/^[1-9]\d{7,9}$/.test(compact) && normalizeItalianPhone(`0${compact}`)) return `0${compact}`;
  return value;
}

function aliasMap<T extends string>(entries: [T, string[]][]) {
  const map = new Map<string, T>();
  for (const [value, aliases] of entries) for (const a of aliases) map.set(compactKey(a), value);
  return map;
}

export const KIND_ALIASES = aliasMap<MemberBodyKind>(
  MEMBER_BODY_KINDS.map((k) => {
    const extra: Record<MemberBodyKind, string[]> = {
      comune: ["comune"],
      unione_comuni: ["unione dei comuni", "unione comuni", "unione"],
      libero_consorzio: ["libero consorzio", "libero consorzio comunale", "consorzio"],
      citta_metropolitana: ["citta metropolitana", "città metropolitana"],
      altro: ["altro", "altro ente"],
    };
    return [k, [k, MEMBER_BODY_KIND_LABELS[k], ...extra[k]]];
  }),
);

export const ROLE_ALIASES = aliasMap<ReferentRole>(
  REFERENT_ROLES.map((r) => {
    const extra: Record<ReferentRole, string[]> = {
      sindaco: ["sindaca", "sindaco sindaca"],
      assessore: ["assessora", "assessore assessora"],
      dirigente: ["dirigente"],
      funzionario: ["funzionaria", "funzionario funzionaria"],
      responsabile_sai: ["responsabile sai", "responsabile del progetto sai", "responsabile progetto"],
      altro: ["altro", "altra"],
    };
    return [r, [r, REFERENT_ROLE_LABELS[r], ...extra[r]]];
  }),
);

export const CATEGORY_ALIASES = aliasMap<SaiCategory>(
  SAI_CATEGORIES.map((c) => {
    const extra: Record<SaiCategory, string[]> = {
      ordinari: ["ordinario", "ord"],
      MSNA: ["minori stranieri non accompagnati", "minori"],
      "DM/DS": ["dm ds", "dmds", "disagio mentale", "disabilita", "disagio mentale o disabilita"],
    };
    return [c, [c, SAI_CATEGORY_LABELS[c], ...extra[c]]];
  }),
);

export const ALLOWED_KINDS = Object.values(MEMBER_BODY_KIND_LABELS).join(", ");
export const ALLOWED_ROLES = Object.values(REFERENT_ROLE_LABELS).join(", ");
export const ALLOWED_CATEGORIES = SAI_CATEGORIES.join(", ");

// ---------------------------------------------------------------------------------------------
// Headers

const BASE_HEADER_MAP = aliasMap<BaseColumnKey>(BASE_COLUMNS.map((c) => [c.key, [c.header, c.key, ...c.aliases]]));
const PROJECT_HEADER_MAP = aliasMap<ProjectFieldKey>(PROJECT_FIELDS.map((f) => [f.key, [f.label, f.key, ...f.aliases]]));
/** Columns our own error report adds; recognised so that a corrected report uploads without warnings. */
const REPORT_HEADERS = new Set(["riga", "rigadelfile", "rigadelfileoriginale", "foglio", "motivo", "esito"]);

type HeaderMatch = { kind: "column"; key: string } | { kind: "report" } | { kind: "unknown" };

export function matchHeader(header: string): HeaderMatch {
  const compact = compactKey(header);
  if (!compact) return { kind: "unknown" };
  if (REPORT_HEADERS.has(compact)) return { kind: "report" };
  const base = BASE_HEADER_MAP.get(compact);
  if (base) return { kind: "column", key: base };
  // "Progetto 2 - Data di fine", "Data di fine progetto 2", "Tipologia 3", "Tipologia" (= project 1).
  const words = searchKey(header);
  const number = words.match(/(?:^| )(\d{1,2})(?: |$)/);
  let rest = words;
  let group = 1;
  if (number) {
    group = Number(number[1]);
    rest = `${words.slice(0, number.index)} ${words.slice(number.index! + number[0].length)}`;
  }
  rest = rest.replace(/(?:^| )progett[oi](?= |$)/g, " ");
  const field = PROJECT_HEADER_MAP.get(compactKey(rest));
  if (field && group >= 1 && group <= MAX_PROJECT_GROUPS) return { kind: "column", key: projectColumnKey(group, field) };
  return { kind: "unknown" };
}

const REQUIRED_COLUMNS: BaseColumnKey[] = ["pec", "fiscalCode", "firstName", "lastName", "role", "office", "email", "phone"];
const baseHeader = (key: string) => BASE_COLUMNS.find((c) => c.key === key)?.header ?? key;

/** The default label of a column key, when the file has no such column. */
export function defaultLabel(key: string) {
  const project = key.match(/^p(\d+)\.(\w+)$/);
  if (project) return projectHeader(Number(project[1]), PROJECT_FIELDS.find((f) => f.key === project[2])?.label ?? project[2]);
  return baseHeader(key);
}

// ---------------------------------------------------------------------------------------------
// Parsing

type RawTable = { name?: string; records: { line: number; cells: string[] }[] };

function xlsxCellText(value: ExcelJS.CellValue): string {
  if (value == null) return "";
  if (value instanceof Date) return italianDay(isoFromUtc(value));
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "VERO" : "FALSO";
  if (typeof value === "object") {
    if ("richText" in value && Array.isArray(value.richText)) return value.richText.map((r) => r.text).join("");
    if ("error" in value) return "";
    if ("formula" in value || "sharedFormula" in value) return xlsxCellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ("text" in value) return xlsxCellText((value as { text: ExcelJS.CellValue }).text);
  }
  return String(value);
}

async function readXlsx(buffer: Buffer): Promise<{ ok: true; tables: RawTable[] } | { ok: false; error: string }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  } catch {
    return { ok: false, error: "Il file non è un file Excel (.xlsx) leggibile: salvalo di nuovo da Excel o LibreOffice come .xlsx oppure come .csv." };
  }
  // The instructions sheet of the template is skipped; every sheet with the header row is read.
  const sheets = workbook.worksheets.filter((s) => !/istruzion/i.test(s.name));
  const tables: RawTable[] = sheets.map((sheet) => {
    const records: RawTable["records"] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      const count = row.cellCount;
      for (let c = 1; c <= count; c++) cells.push(cleanCell(xlsxCellText(row.getCell(c).value)));
      records.push({ line: rowNumber, cells });
    });
    return { name: sheet.name, records };
  });
  return { ok: true, tables };
}

/** UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252 (what Excel's "CSV" writes in Italy). */
export function decodeText(buffer: Buffer): { text: string; encoding: string } {
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return { text: buffer.subarray(3).toString("utf8"), encoding: "utf-8" };
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return { text: iconv.decode(buffer.subarray(2), "utf-16le"), encoding: "utf-16le" };
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return { text: iconv.decode(buffer.subarray(2), "utf-16be"), encoding: "utf-16be" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(buffer), encoding: "utf-8" };
  } catch {
    // Node's TextDecoder decodes "windows-1252" as Latin-1 (0x80 is not €), hence iconv-lite.
    return { text: iconv.decode(buffer, "win1252"), encoding: "windows-1252" };
  }
}

/** The separator used most in the first non-empty line, outside quotes: `;`, `,` or tab. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[";", 0], [",", 0], ["\t", 0]]);
  let inQuotes = false;
  let seenContent = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === "\n" || ch === "\r")) {
      if (seenContent) break;
    } else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
    if (ch.trim()) seenContent = true;
  }
  let best = ";";
  for (const [delimiter, n] of counts) if (n > counts.get(best)!) best = delimiter;
  return best;
}

function readCsv(buffer: Buffer): { ok: true; table: RawTable; encoding: string; delimiter: string } | { ok: false; error: string } {
  const { text, encoding } = decodeText(buffer);
  if (text.includes("\u0000")) return { ok: false, error: "Il file non è un testo CSV: carica un file .csv o .xlsx." };
  const delimiter = detectDelimiter(text);
  let parsed: string[][];
  try {
    // Empty lines are kept as empty records (skipped later): a spreadsheet shows them as rows.
    parsed = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { ok: false, error: `Il file CSV non è leggibile${line ? ` (riga ${line})` : ""}: controlla le virgolette e salvalo di nuovo dal foglio di calcolo.` };
  }
  // Rows numbered as a spreadsheet opening the file numbers them: one per record, so a cell with a
  // line break (Alt+Enter in Excel) is one row, not two.
  const records = parsed.map((record, i) => ({ line: i + 1, cells: record.map(cleanCell) }));
  return { ok: true, table: { records }, encoding, delimiter };
}

type HeaderLayout = { index: number; keys: (string | null)[]; labels: Record<string, string>; ignored: string[] };

/** The header row: the first of the first 10 rows where at least 3 columns are recognised. */
function findHeader(table: RawTable): HeaderLayout | null {
  const limit = Math.min(table.records.length, 10);
  for (let i = 0; i < limit; i++) {
    const cells = table.records[i].cells;
    const keys: (string | null)[] = [];
    const labels: Record<string, string> = {};
    const ignored: string[] = [];
    let recognised = 0;
    for (const header of cells) {
      const match = matchHeader(header);
      if (match.kind === "column" && !(match.key in labels)) {
        keys.push(match.key);
        labels[match.key] = header;
        recognised++;
      } else {
        keys.push(null);
        if (header && match.kind !== "report") ignored.push(header);
      }
    }
    if (recognised >= 3) return { index: i, keys, labels, ignored };
  }
  return null;
}

const XLSX_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (buffer: Buffer, magic: number[]) => magic.every((b, i) => buffer[i] === b);

/**
 * Reads an uploaded .xlsx or .csv into rows keyed by column. The format is told by the content
 * (an .xlsx is a zip), not by the name; errors are Italian sentences for the coordinator.
 */
export async function parseImportFile({ buffer, fileName }: { buffer: Buffer | Uint8Array; fileName: string }): Promise<ParsedImport> {
  const data = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (data.length === 0) return { ok: false, error: "Il file è vuoto." };
  if (startsWith(data, OLE_MAGIC) || /\.xls$/i.test(fileName)) {
    return { ok: false, error: OLD_EXCEL_FORMAT_MESSAGE };
  }

  let format: "xlsx" | "csv";
  let encoding: string | null = null;
  let delimiter: string | null = null;
  /** The tables with a header row, in the file's order; sheets with something else are only named. */
  let found: { table: RawTable; layout: HeaderLayout }[] = [];
  const skippedSheets: string[] = [];
  if (startsWith(data, XLSX_MAGIC)) {
    format = "xlsx";
    const read = await readXlsx(data);
    if (!read.ok) return read;
    for (const table of read.tables) {
      const layout = findHeader(table);
      if (layout) found.push({ table, layout });
      else if (table.records.length) skippedSheets.push(table.name ?? "");
    }
  } else {
    if (/\.(ods|numbers|pdf|docx?)$/i.test(fileName)) return { ok: false, error: "Carica un file .xlsx (Excel) o .csv." };
    format = "csv";
    const read = readCsv(data);
    if (!read.ok) return read;
    ({ encoding, delimiter } = read);
    const layout = findHeader(read.table);
    if (layout) found = [{ table: read.table, layout }];
  }
  if (!found.length) {
    return {
      ok: false,
      error: `Non trovo la riga con i nomi delle colonne: la prima riga del file deve contenere le intestazioni del modello (${BASE_COLUMNS.slice(0, 5)
        .map((c) => `«${c.header}»`)
        .join(", ")}…). Scarica il modello da questa pagina.`,
    };
  }
  // Several sheets of rows («Comuni», «Unioni»…): each row says which sheet it is on.
  const named = found.length > 1;

  for (const { table, layout } of found) {
    const missing = REQUIRED_COLUMNS.filter((k) => !(k in layout.labels)).map(baseHeader);
    if (!("municipality" in layout.labels) && !("bodyName" in layout.labels)) missing.unshift(`${baseHeader("municipality")}» o «${baseHeader("bodyName")}`);
    if (missing.length) {
      return {
        ok: false,
        error: `${named ? `Nel foglio «${table.name}»` : "Nel file"} ${missing.length === 1 ? "manca la colonna" : "mancano le colonne"} ${missing.map((m) => `«${m}»`).join(", ")}. Usa il modello scaricabile da questa pagina.`,
      };
    }
  }

  // The first sheet's headers are the file's (the error report's columns); the rows of the other
  // sheets are laid out under them, by column, whatever their order there.
  const first = found[0];
  const headers = first.table.records[first.layout.index].cells;
  const labels: Record<string, string> = {};
  const ignored: string[] = [];
  for (const { layout } of found) {
    for (const [key, header] of Object.entries(layout.labels)) if (!(key in labels)) labels[key] = header;
    for (const header of layout.ignored) if (!ignored.includes(header)) ignored.push(header);
  }
  const rows: ImportRow[] = [];
  for (const { table, layout } of found) {
    const own = table.records[layout.index].cells;
    const position = headers.map((header, i) => {
      if (table === first.table) return i;
      const key = first.layout.keys[i];
      return key ? layout.keys.indexOf(key) : own.findIndex((h) => h && compactKey(h) === compactKey(header));
    });
    for (const record of table.records.slice(layout.index + 1)) {
      if (record.cells.every((c) => c === "")) continue;
      const values: Record<string, string> = {};
      layout.keys.forEach((key, i) => {
        if (key) values[key] = record.cells[i] ?? "";
      });
      const cells = position.map((at) => (at >= 0 ? (record.cells[at] ?? "") : ""));
      rows.push({ line: record.line, ...(named ? { sheet: table.name } : {}), values, cells });
    }
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    return { ok: false, error: `Il file ha ${formatCount(rows.length)} righe: al massimo se ne importano ${formatCount(MAX_IMPORT_ROWS)} per volta. Dividilo in più file.` };
  }
  return { ok: true, format, encoding, delimiter, headers, labels, ignoredHeaders: ignored, skippedSheets, rows };
}

