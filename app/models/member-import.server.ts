import crypto from "node:crypto";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import {
  auditLog,
  memberBodies,
  membershipRequests,
  municipalities,
  provinces,
  referents,
  saiProjects,
  type MemberBodyKind,
  type MembershipStatus,
  type ReferentRole,
  type SaiCategory,
} from "#db/schema";
import { MEMBER_BODY_KINDS, REFERENT_ROLES, SAI_CATEGORIES } from "#db/enums";
import { formatDateIt } from "~/utils/dates";
import type { Db, Tx } from "~/utils/db.server";
import { toXlsx } from "~/utils/spreadsheet.server";
import { searchKey } from "~/utils/text";
import { createToken } from "~/utils/tokens.server";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS, SAI_CATEGORY_LABELS } from "~/validation/labels";
import {
  BASE_COLUMNS,
  columnDocs,
  IMPORT_STATUS_LABELS,
  LAYOUT_RULES,
  MAX_IMPORT_ROWS,
  MAX_PROJECT_GROUPS,
  PENDING_WITHOUT_EMAILS_MESSAGE,
  PROJECT_FIELDS,
  projectColumnKey,
  projectHeader,
  templateColumns,
  type BaseColumnKey,
  type ImportStatus,
  type ProjectFieldKey,
  type RowStatus,
} from "~/validation/member-import";
import { normalizeItalianPhone, registrationSchema, type Registration } from "~/validation/registration";
import { recordAudit } from "./audit.server";
import { CONFIRMATION_TTL_MS } from "./membership.server";
import { queueEmail } from "./outbox.server";
import { projectValues } from "./sai-project.server";

// Import of the member list that ANCI kept by hand (issue 9): parse an .xlsx or .csv file, preview
// what each row would do (new / update / duplicate / error, with Italian reasons per cell, using the
// validation of the online scheda), then write every valid row in one transaction.
//
// Matching: a Comune by its ISTAT code (or by its name, ignoring case, accents, apostrophes and
// spaces), any other ente by its codice fiscale; the referente by email within the ente. A row equal
// to what is stored is a duplicate and writes nothing, so importing the same file twice is a no-op.
// A row for a known ente with the same referente updates the data (ente, referente, projects: new
// projects are added, matching ones updated, none removed). A different referente for an ente that
// already has one (or has a request in progress) is an error: that is a handover, done with the scheda.

/** Stored as the referente's privacy notice version: consent was given on the emailed paper scheda. */
export const IMPORT_PRIVACY_NOTICE_VERSION = "scheda-importata";

export type ImportRow = {
  /** The row number in the spreadsheet (or the line of the CSV), as the coordinator sees it. */
  line: number;
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
      rows: ImportRow[];
    }
  | { ok: false; error: string };

export type CellError = { key: string; column: string; value: string; message: string };

export type PreviewRow = {
  line: number;
  status: RowStatus;
  body: string;
  kind: string;
  referent: string;
  email: string;
  projects: number;
  errors: CellError[];
  /** For updates: what would change, in Italian. */
  changes: string[];
};

export type ImportCounts = Record<RowStatus, number> & { total: number };

export type ImportPreview = { rows: PreviewRow[]; counts: ImportCounts; digest: string };

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
const compactKey = (value: string) => searchKey(value).replace(/ /g, "");

const pad = (n: number, size = 2) => String(n).padStart(size, "0");
const DAY_MS = 24 * 60 * 60 * 1000;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function isoFromUtc(date: Date) {
  const rounded = new Date(Math.round(date.getTime() / DAY_MS) * DAY_MS);
  return `${rounded.getUTCFullYear()}-${pad(rounded.getUTCMonth() + 1)}-${pad(rounded.getUTCDate())}`;
}

/** "gg/mm/aaaa" of an ISO day, for display and for the error report. */
function italianDay(iso: string) {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/**
 * A date cell as the scheda's <input type="date"> posts it (YYYY-MM-DD): ISO text, Italian text
 * (gg/mm/aaaa, also with - or . and two-digit years) or an Excel serial number. Anything else is
 * returned unchanged, and the scheda's rule rejects it with its own message.
 */
export function toIsoDate(value: string): string {
  const v = value.trim();
  if (!v) return "";
  const iso = v.match(/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/);
  if (iso) return `${iso[1]}-${pad(Number(iso[2]))}-${pad(Number(iso[3]))}`;
  const it = v.match(/^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?: .*)?$/);
  if (it) {
    const year = it[3].length === 2 ? (Number(it[3]) <= 69 ? 2000 : 1900) + Number(it[3]) : Number(it[3]);
    return `${year}-${pad(Number(it[2]))}-${pad(Number(it[1]))}`;
  }
  if (/^\d{4,5}(?:[.,]\d+)?$/.test(v)) {
    const serial = Math.floor(Number(v.replace(",", ".")));
    // 1954-10-03 .. 2119-01-12: any plausible project date.
    if (serial >= 20_000 && serial <= 80_000) return isoFromUtc(new Date(EXCEL_EPOCH_MS + serial * DAY_MS));
  }
  return v;
}

/** "25", "25.0", "25,00" and " 25 " are 25; anything else is left for the scheda's rule. */
function toIntegerText(value: string) {
  const v = value.replace(/\s/g, "");
  const m = v.match(/^(\d+)(?:[.,]0+)?$/);
  return m ? String(Number(m[1])) : value;
}

/** Digits only, with the leading zeros Excel drops from numbers put back. */
function codeDigits(value: string, length: number) {
  const v = value.replace(/[\s.\-]/g, "");
  return /^\d+$/.test(v) && v.length < length && v.length >= length - 4 ? v.padStart(length, "0") : v;
}

/**
 * A phone as the scheda accepts it; when Excel stored it as a number and dropped the leading 0 of
 * a landline ("911234567"), the 0 is put back if that makes a valid Italian number. "0039…" is "+39…".
 */
function fixPhone(value: string) {
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

const KIND_ALIASES = aliasMap<MemberBodyKind>(
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

const ROLE_ALIASES = aliasMap<ReferentRole>(
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

const CATEGORY_ALIASES = aliasMap<SaiCategory>(
  SAI_CATEGORIES.map((c) => {
    const extra: Record<SaiCategory, string[]> = {
      ordinari: ["ordinario", "ord"],
      MSNA: ["minori stranieri non accompagnati", "minori"],
      "DM/DS": ["dm ds", "dmds", "disagio mentale", "disabilita", "disagio mentale o disabilita"],
    };
    return [c, [c, SAI_CATEGORY_LABELS[c], ...extra[c]]];
  }),
);

const ALLOWED_KINDS = Object.values(MEMBER_BODY_KIND_LABELS).join(", ");
const ALLOWED_ROLES = Object.values(REFERENT_ROLE_LABELS).join(", ");
const ALLOWED_CATEGORIES = SAI_CATEGORIES.join(", ");

// ---------------------------------------------------------------------------------------------
// Headers

const BASE_HEADER_MAP = aliasMap<BaseColumnKey>(BASE_COLUMNS.map((c) => [c.key, [c.header, c.key, ...c.aliases]]));
const PROJECT_HEADER_MAP = aliasMap<ProjectFieldKey>(PROJECT_FIELDS.map((f) => [f.key, [f.label, f.key, ...f.aliases]]));
/** Columns our own error report adds; recognised so that a corrected report uploads without warnings. */
const REPORT_HEADERS = new Set(["riga", "rigadelfile", "rigadelfileoriginale", "motivo", "esito"]);

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
function defaultLabel(key: string) {
  const project = key.match(/^p(\d+)\.(\w+)$/);
  if (project) return projectHeader(Number(project[1]), PROJECT_FIELDS.find((f) => f.key === project[2])?.label ?? project[2]);
  return baseHeader(key);
}

// ---------------------------------------------------------------------------------------------
// Parsing

type RawTable = { records: { line: number; cells: string[] }[] };

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
  // The instructions sheet of the template is skipped; the data sheet is the first with headers.
  const sheets = workbook.worksheets.filter((s) => !/istruzion/i.test(s.name));
  const tables: RawTable[] = sheets.map((sheet) => {
    const records: RawTable["records"] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      const count = row.cellCount;
      for (let c = 1; c <= count; c++) cells.push(cleanCell(xlsxCellText(row.getCell(c).value)));
      records.push({ line: rowNumber, cells });
    });
    return { records };
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
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parseCsv(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { ok: false, error: `Il file CSV non è leggibile${line ? ` (riga ${line})` : ""}: controlla le virgolette e salvalo di nuovo dal foglio di calcolo.` };
  }
  const records = parsed.map(({ record, info }) => ({ line: info.lines, cells: record.map(cleanCell) }));
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
    return { ok: false, error: "Il formato .xls (Excel 97-2003) non è supportato: salva il file come .xlsx oppure come .csv." };
  }

  let table: RawTable;
  let format: "xlsx" | "csv";
  let encoding: string | null = null;
  let delimiter: string | null = null;
  let layout: HeaderLayout | null = null;
  if (startsWith(data, XLSX_MAGIC)) {
    format = "xlsx";
    const read = await readXlsx(data);
    if (!read.ok) return read;
    table = { records: [] };
    for (const candidate of read.tables) {
      layout = findHeader(candidate);
      if (layout) {
        table = candidate;
        break;
      }
    }
  } else {
    if (/\.(ods|numbers|pdf|docx?)$/i.test(fileName)) return { ok: false, error: "Carica un file .xlsx (Excel) o .csv." };
    format = "csv";
    const read = readCsv(data);
    if (!read.ok) return read;
    ({ table, encoding, delimiter } = read);
    layout = findHeader(table);
  }
  if (!layout) {
    return {
      ok: false,
      error: `Non trovo la riga con i nomi delle colonne: la prima riga del file deve contenere le intestazioni del modello (${BASE_COLUMNS.slice(0, 5)
        .map((c) => `«${c.header}»`)
        .join(", ")}…). Scarica il modello da questa pagina.`,
    };
  }
  const { index, keys, labels, ignored } = layout as HeaderLayout;

  const missing = REQUIRED_COLUMNS.filter((k) => !(k in labels)).map(baseHeader);
  if (!("municipality" in labels) && !("bodyName" in labels)) missing.unshift(`${baseHeader("municipality")}» o «${baseHeader("bodyName")}`);
  if (missing.length) {
    return {
      ok: false,
      error: `Nel file ${missing.length === 1 ? "manca la colonna" : "mancano le colonne"} ${missing.map((m) => `«${m}»`).join(", ")}. Usa il modello scaricabile da questa pagina.`,
    };
  }

  const headers = table.records[index].cells;
  const rows: ImportRow[] = [];
  for (const record of table.records.slice(index + 1)) {
    if (record.cells.every((c) => c === "")) continue;
    const values: Record<string, string> = {};
    keys.forEach((key, i) => {
      if (key) values[key] = record.cells[i] ?? "";
    });
    rows.push({ line: record.line, values, cells: headers.map((_, i) => record.cells[i] ?? "") });
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    return { ok: false, error: `Il file ha ${rows.length.toLocaleString("it-IT")} righe: al massimo se ne importano ${MAX_IMPORT_ROWS.toLocaleString("it-IT")} per volta. Dividilo in più file.` };
  }
  return { ok: true, format, encoding, delimiter, headers, labels, ignoredHeaders: ignored, rows };
}

// ---------------------------------------------------------------------------------------------
// Reference data, loaded once per preview or import

type Comune = { istatCode: string; name: string; sigla: string; provinceCode: string };
type Body = typeof memberBodies.$inferSelect;
type Referent = typeof referents.$inferSelect;
type Project = typeof saiProjects.$inferSelect;
type KnownReferent = { referent: Referent; requestId: number | null; requestStatus: MembershipStatus | null };

type Reference = {
  /** Province codes by sigla and by name (compactKey). */
  provincesByKey: Map<string, string>;
  comuniByCode: Map<string, Comune>;
  comuniByName: Map<string, Comune[]>;
  bodiesByComune: Map<string, Body>;
  bodiesByFiscalCode: Map<string, Body>;
  knownReferents: Map<number, KnownReferent[]>;
  openProjects: Map<number, Project[]>;
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function loadReference(db: Db | Tx): Reference {
  const comuni = db
    .select({ istatCode: municipalities.istatCode, name: municipalities.name, sigla: provinces.sigla, provinceCode: provinces.code })
    .from(municipalities)
    .innerJoin(provinces, eq(provinces.code, municipalities.provinceCode))
    .all();
  const provincesByKey = new Map<string, string>();
  for (const p of db.select({ code: provinces.code, sigla: provinces.sigla, name: provinces.name }).from(provinces).all()) {
    for (const key of [p.sigla, p.name, ...p.name.split("/")].map(compactKey)) if (key) provincesByKey.set(key, p.code);
  }
  const comuniByCode = new Map<string, Comune>();
  const comuniByName = new Map<string, Comune[]>();
  for (const c of comuni) {
    comuniByCode.set(c.istatCode, c);
    const keys = new Set([compactKey(c.name), ...c.name.split("/").map(compactKey)]);
    for (const key of keys) if (key) push(comuniByName, key, c);
  }

  const bodies = db.select().from(memberBodies).all();
  const bodiesByComune = new Map<string, Body>();
  const bodiesByFiscalCode = new Map<string, Body>();
  for (const b of bodies) {
    if (b.kind === "comune" && b.municipalityCode) bodiesByComune.set(b.municipalityCode, b);
    bodiesByFiscalCode.set(b.fiscalCode, b);
  }

  // The referenti an ente has now: the active one and those of requests in progress.
  const knownReferents = new Map<number, KnownReferent[]>();
  const seen = new Set<number>();
  const withRequests = db
    .select({ referent: referents, requestId: membershipRequests.id, requestStatus: membershipRequests.status })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(inArray(membershipRequests.status, ["email_unverified", "pending", "approved"]))
    .all();
  for (const r of withRequests) {
    seen.add(r.referent.id);
    push(knownReferents, r.referent.memberBodyId, r);
  }
  const active = db
    .select()
    .from(referents)
    .where(and(isNotNull(referents.validFrom), isNull(referents.validTo)))
    .all();
  for (const referent of active) {
    if (!seen.has(referent.id)) push(knownReferents, referent.memberBodyId, { referent, requestId: null, requestStatus: null });
  }

  const openProjects = new Map<number, Project[]>();
  for (const p of db.select().from(saiProjects).where(isNull(saiProjects.closedAt)).all()) push(openProjects, p.memberBodyId, p);

  return { provincesByKey, comuniByCode, comuniByName, bodiesByComune, bodiesByFiscalCode, knownReferents, openProjects };
}

type ComuneLookup = { ok: true; comune: Comune } | { ok: false; message: string };

/** A comune by ISTAT code or by name; "Castro (LE)" picks among homonyms. */
function findComune(ref: Reference, value: string): ComuneLookup {
  const code = value.replace(/[\s.]/g, "");
  if (/^\d{1,6}$/.test(code)) {
    const comune = ref.comuniByCode.get(code.padStart(6, "0"));
    return comune
      ? { ok: true, comune }
      : { ok: false, message: `Codice ISTAT ${code.padStart(6, "0")} non trovato tra i comuni del portale: controllalo` };
  }
  let name = value.replace(/^comune di\s+/i, "");
  let sigla: string | null = null;
  const withSigla = name.match(/^(.*?)\s*\(\s*([A-Za-z]{2})\s*\)$/);
  if (withSigla) {
    name = withSigla[1];
    sigla = withSigla[2].toUpperCase();
  }
  let found = ref.comuniByName.get(compactKey(name)) ?? [];
  if (sigla) found = found.filter((c) => c.sigla === sigla);
  if (found.length === 1) return { ok: true, comune: found[0] };
  if (found.length > 1) {
    const options = found.map((c) => `${c.name} (${c.sigla})`).join(", ");
    return { ok: false, message: `Ci sono più comuni con questo nome (${options}): indica il codice ISTAT o la sigla della provincia, ad esempio «${found[0].name} (${found[0].sigla})»` };
  }
  return { ok: false, message: `Comune non trovato: controlla il nome o indica il codice ISTAT a 6 cifre` };
}

// ---------------------------------------------------------------------------------------------
// Classification

type ProjectValues = Registration["projects"][number];
type BodyChanges = Partial<Pick<Body, "pec" | "fiscalCode" | "name" | "kind" | "provinceCode">>;
type ReferentChanges = Partial<Pick<Referent, "firstName" | "lastName" | "role" | "office" | "phone" | "mobile">>;

type RowPlan = PreviewRow & {
  registration?: Registration;
  /** The ente's name as stored: "Comune di …" or the denominazione. */
  bodyName?: string;
  /** The province of a new ente: its comune's, or the one the row names. */
  provinceCode?: string;
  existingBodyId?: number;
  bodyChanges?: BodyChanges;
  /** Set when the row's referente is already the ente's (data to update); unset: a new membership. */
  referentMatch?: { referentId: number; requestId: number | null; changes: ReferentChanges };
  projectAdds?: ProjectValues[];
  projectUpdates?: { id: number; values: Partial<ProjectValues> }[];
};

const BASE_SCHEMA_PATHS: Record<string, BaseColumnKey> = { municipalityCode: "municipality", provinceCode: "province" };

function changedFields<T extends Record<string, unknown>>(current: T, next: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const [key, value] of Object.entries(next) as [keyof T, T[keyof T]][]) {
    if ((current[key] ?? null) !== (value ?? null)) changes[key] = value;
  }
  return changes;
}

/** Open projects matched by codice progetto, else by tipologia, dates and ente attuatore. */
function diffProjects(existing: Project[], wanted: ProjectValues[]) {
  const free = [...existing];
  const adds: ProjectValues[] = [];
  const updates: { id: number; values: Partial<ProjectValues>; group: number }[] = [];
  const take = (predicate: (p: Project) => boolean) => {
    const i = free.findIndex(predicate);
    return i >= 0 ? free.splice(i, 1)[0] : undefined;
  };
  wanted.forEach((w, index) => {
    // A project without a code in the file keeps the code stored for it.
    if (!w.projectCode) w = { ...w, projectCode: undefined };
    const code = w.projectCode ? compactKey(w.projectCode) : null;
    const match =
      (code ? take((p) => !!p.projectCode && compactKey(p.projectCode) === code) : undefined) ??
      take(
        (p) =>
          (!p.projectCode || !code) &&
          p.category === w.category &&
          p.startDate === w.startDate &&
          p.endDate === w.endDate &&
          compactKey(p.managingOrganization) === compactKey(w.managingOrganization),
      );
    if (!match) {
      adds.push(w);
      return;
    }
    const changes = changedFields(
      {
        category: match.category,
        fundedPlaces: match.fundedPlaces,
        projectCode: match.projectCode ?? undefined,
        managingOrganization: match.managingOrganization,
        startDate: match.startDate,
        endDate: match.endDate,
      } as ProjectValues,
      w,
    );
    if (!w.projectCode) delete changes.projectCode;
    if (Object.keys(changes).length) updates.push({ id: match.id, values: changes, group: index });
  });
  return { adds, updates };
}

const FIELD_WORDS: Partial<Record<string, string>> = {
  fundedPlaces: "posti finanziati",
  projectCode: "codice progetto",
  managingOrganization: "ente attuatore",
  startDate: "data di inizio",
  endDate: "data di fine",
  category: "tipologia",
};

function classifyRows(ref: Reference, rows: ImportRow[], fileLabels: Record<string, string> = {}): RowPlan[] {
  const label = (key: string) => fileLabels[key] ?? defaultLabel(key);
  const entiInFile = new Map<string, number>();
  const fiscalCodesInFile = new Map<string, { line: number; ente: string }>();

  return rows.map((row): RowPlan => {
    const v = (key: string) => row.values[key] ?? "";
    const errors: CellError[] = [];
    const addError = (key: string, message: string) => {
      if (!errors.some((e) => e.key === key)) errors.push({ key, column: label(key), value: v(key), message });
    };

    // Project groups present in the row, in the file's order.
    const groups = new Set<number>();
    for (const key of Object.keys(row.values)) {
      const m = key.match(/^p(\d+)\./);
      if (m && row.values[key] !== "") groups.add(Number(m[1]));
    }
    const projectGroups = [...groups].sort((a, b) => a - b);

    // Cells as the scheda's form would post them.
    const kindText = v("bodyKind");
    let bodyKind: string = kindText ? (KIND_ALIASES.get(compactKey(kindText)) ?? kindText) : "";
    if (!bodyKind && v("municipality") && !v("bodyName")) bodyKind = "comune";
    let municipalityCode = "";
    let comune: Comune | undefined;
    if (bodyKind === "comune") {
      if (!v("municipality")) addError("municipality", "Indica il Comune: il codice ISTAT o il nome");
      else {
        const found = findComune(ref, v("municipality"));
        if (found.ok) {
          comune = found.comune;
          municipalityCode = comune.istatCode;
        } else addError("municipality", found.message);
      }
    }
    // A Comune's province is its comune's; the others name theirs by sigla or name.
    let provinceCode = "";
    if (bodyKind !== "comune" && v("province")) {
      provinceCode = ref.provincesByKey.get(compactKey(v("province"))) ?? "";
      if (!provinceCode) addError("province", `«${v("province")}» non è una provincia: indica la sigla (ad esempio PA) o il nome`);
    }
    const roleText = v("role");
    const input = {
      bodyKind,
      municipalityCode,
      bodyName: bodyKind === "comune" ? "" : v("bodyName"),
      provinceCode,
      pec: v("pec"),
      fiscalCode: codeDigits(v("fiscalCode"), 11),
      firstName: v("firstName"),
      lastName: v("lastName"),
      role: roleText ? (ROLE_ALIASES.get(compactKey(roleText)) ?? roleText) : "",
      office: v("office"),
      email: v("email"),
      phone: fixPhone(v("phone")),
      mobile: fixPhone(v("mobile")),
      noActiveProjects: projectGroups.length === 0 ? "on" : "",
      projects: projectGroups.map((g) => {
        const p = (field: ProjectFieldKey) => v(projectColumnKey(g, field));
        return {
          category: p("category") ? (CATEGORY_ALIASES.get(compactKey(p("category"))) ?? p("category")) : "",
          fundedPlaces: toIntegerText(p("fundedPlaces")),
          projectCode: p("projectCode"),
          managingOrganization: p("managingOrganization"),
          startDate: toIsoDate(p("startDate")),
          endDate: toIsoDate(p("endDate")),
        };
      }),
      // The coordinator imports schede whose referenti accepted the notice on paper.
      privacyConsent: "on",
    };

    const parsed = registrationSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, index, field] = issue.path;
        let key: string;
        if (first === "projects" && typeof index === "number" && typeof field === "string") key = projectColumnKey(projectGroups[index], field as ProjectFieldKey);
        else if (first === "projects") key = projectColumnKey(projectGroups[0] ?? 1, "category");
        else key = BASE_SCHEMA_PATHS[String(first)] ?? String(first);
        if ((key === "municipality" || key === "province") && errors.some((e) => e.key === key)) continue;
        let message = issue.message;
        if (key === "bodyKind")
          message = kindText ? `«${kindText}» non è un tipo di ente: usa ${ALLOWED_KINDS}` : `Indica il tipo di ente: ${ALLOWED_KINDS}`;
        else if (key === "role") message = roleText ? `«${roleText}» non è un ruolo: usa ${ALLOWED_ROLES}` : `Indica il ruolo: ${ALLOWED_ROLES}`;
        else if (key.endsWith(".category"))
          message = v(key) ? `«${v(key)}» non è una tipologia: usa ${ALLOWED_CATEGORIES}` : `Indica la tipologia del progetto: ${ALLOWED_CATEGORIES}`;
        else if (key === "municipality" && bodyKind === "comune") message = "Indica il Comune: il codice ISTAT o il nome";
        else if (key === "province") message = "Indica la provincia in cui ha sede l'ente: la sigla (ad esempio PA) o il nome";
        addError(key, message);
      }
    }

    const display = {
      body: comune
        ? `Comune di ${comune.name} (${comune.sigla})`
        : v("bodyName") || (v("municipality") ? `Comune: ${v("municipality")}` : "—"),
      kind: MEMBER_BODY_KIND_LABELS[bodyKind as MemberBodyKind] ?? (kindText || "—"),
      referent: [v("firstName"), v("lastName")].filter(Boolean).join(" ") || "—",
      email: v("email"),
      projects: projectGroups.length,
    };
    const base = { line: row.line, ...display, changes: [] as string[] };
    if (!parsed.success || errors.length) return { ...base, status: "error", errors };

    const r = parsed.data;
    const bodyName = comune ? `Comune di ${comune.name}` : r.bodyName!;

    // The same ente twice in the file, or one codice fiscale for two enti.
    const enteKey = r.bodyKind === "comune" ? `c:${r.municipalityCode}` : `f:${r.fiscalCode}`;
    const enteLine = entiInFile.get(enteKey);
    if (enteLine !== undefined) {
      addError(
        r.bodyKind === "comune" ? "municipality" : "bodyName",
        `Lo stesso ente è già alla riga ${enteLine} del file: unisci le due righe (gli altri progetti vanno nelle colonne «Progetto 2», «Progetto 3»…)`,
      );
      return { ...base, status: "error", errors };
    }
    const cfInFile = fiscalCodesInFile.get(r.fiscalCode);
    if (cfInFile && cfInFile.ente !== enteKey) {
      addError("fiscalCode", `Lo stesso codice fiscale è indicato alla riga ${cfInFile.line} per un altro ente: controllalo`);
      return { ...base, status: "error", errors };
    }

    // The ente in the database.
    const byFiscalCode = ref.bodiesByFiscalCode.get(r.fiscalCode);
    const body = r.bodyKind === "comune" ? ref.bodiesByComune.get(r.municipalityCode!) : byFiscalCode;
    if (byFiscalCode && byFiscalCode !== body) {
      addError(
        "fiscalCode",
        body
          ? `Questo codice fiscale appartiene a un altro ente già registrato (${byFiscalCode.name}): controllalo`
          : `Questo codice fiscale è già registrato per ${byFiscalCode.name}: controllalo`,
      );
    } else if (body && r.bodyKind !== "comune" && body.kind === "comune") {
      addError("bodyKind", `Questo codice fiscale è registrato per il ${body.name}: controlla il tipo di ente o il codice fiscale`);
    }
    if (errors.length) return { ...base, status: "error", errors };
    entiInFile.set(enteKey, row.line);
    fiscalCodesInFile.set(r.fiscalCode, { line: row.line, ente: enteKey });

    if (!body) {
      return { ...base, status: "new", errors, registration: r, bodyName, provinceCode: comune?.provinceCode ?? r.provinceCode, projectAdds: r.projects, projectUpdates: [] };
    }

    const bodyChanges = changedFields(body, {
      pec: r.pec,
      fiscalCode: r.fiscalCode,
      ...(body.kind === "comune" ? {} : { name: bodyName, kind: r.bodyKind, provinceCode: r.provinceCode }),
    });
    const known = ref.knownReferents.get(body.id) ?? [];
    const match = known.find((k) => k.referent.email === r.email);
    if (!match && known.length > 0) {
      const current = [...new Set(known.map((k) => k.referent.email))].join(", ");
      const inProgress = known.every((k) => k.requestStatus === "email_unverified" || k.requestStatus === "pending");
      addError(
        "email",
        inProgress
          ? `Per ${body.name} c'è già una richiesta di adesione in corso con un altro referente (${current}): decidila prima in Adesioni`
          : `${body.name} ha già un referente (${current}): il cambio di referente si fa con la scheda di subentro, non con l'importazione`,
      );
      return { ...base, status: "error", errors };
    }

    const { adds, updates } = diffProjects(ref.openProjects.get(body.id) ?? [], r.projects);
    const changes: string[] = [];
    const describeBody = Object.keys(bodyChanges).map((k) =>
      k === "name" ? label("bodyName") : k === "kind" ? label("bodyKind") : k === "provinceCode" ? label("province") : label(k),
    );
    let referentMatch: RowPlan["referentMatch"];
    if (match) {
      const referentChanges = changedFields(match.referent, {
        firstName: r.firstName,
        lastName: r.lastName,
        role: r.role,
        office: r.office,
        phone: r.phone,
        mobile: r.mobile ?? null,
      });
      referentMatch = { referentId: match.referent.id, requestId: match.requestId, changes: referentChanges };
      const changedCells = [...describeBody, ...Object.keys(referentChanges).map(label)];
      if (changedCells.length) changes.push(`Cambia: ${changedCells.join(", ")}`);
    } else {
      changes.push(`Nuova adesione per un ente già registrato (${body.name})`);
      if (describeBody.length) changes.push(`Cambia: ${describeBody.join(", ")}`);
    }
    if (adds.length) changes.push(adds.length === 1 ? "Aggiunge 1 progetto" : `Aggiunge ${adds.length} progetti`);
    for (const u of updates) {
      const group = projectGroups[u.group];
      const fields = Object.keys(u.values).map((k) => FIELD_WORDS[k] ?? k);
      changes.push(`Progetto ${group}: cambia ${fields.join(", ")}`);
    }
    if (changes.length === 0) {
      return { ...base, status: "duplicate", errors, changes: ["Nessuna modifica: ente, referente e progetti sono già registrati così"] };
    }
    return {
      ...base,
      status: "update",
      errors,
      changes,
      registration: r,
      bodyName,
      existingBodyId: body.id,
      bodyChanges,
      referentMatch,
      projectAdds: adds,
      projectUpdates: updates.map(({ id, values }) => ({ id, values })),
    };
  });
}

function countRows(plans: PreviewRow[]): ImportCounts {
  const counts: ImportCounts = { new: 0, update: 0, duplicate: 0, error: 0, total: plans.length };
  for (const p of plans) counts[p.status]++;
  return counts;
}

/** Fingerprint of what the preview showed: the import refuses to run if the rows would now do otherwise. */
function digestOf(plans: PreviewRow[]) {
  const hash = crypto.createHash("sha256");
  for (const p of plans) hash.update(`${p.line}:${p.status}:${p.changes.join("|")}\n`);
  return hash.digest("hex");
}

const toPreviewRow = ({ line, status, body, kind, referent, email, projects, errors, changes }: RowPlan): PreviewRow => ({
  line,
  status,
  body,
  kind,
  referent,
  email,
  projects,
  errors,
  changes,
});

/** What importing the rows would do, row by row; writes nothing. */
export function previewImport(db: Db, { rows, labels }: { rows: ImportRow[]; labels?: Record<string, string> }): ImportPreview {
  const plans = classifyRows(loadReference(db), rows, labels);
  const previewRows = plans.map(toPreviewRow);
  return { rows: previewRows, counts: countRows(previewRows), digest: digestOf(previewRows) };
}

// ---------------------------------------------------------------------------------------------
// Import

export type ImportSummary = {
  fileName: string;
  status: ImportStatus;
  sendEmails: boolean;
  total: number;
  /** Rows that created a new ente with its membership ("Nuovo" in the preview). */
  created: number;
  /** Rows that updated a registered ente: its data, its referente's, its projects, or a new membership for it. */
  updated: number;
  duplicates: number;
  errors: number;
  emails: number;
};

export type RunImportResult =
  | { ok: true; summary: ImportSummary; errorRows: PreviewRow[] }
  | { ok: false; reason: "changed" | "failed" | "invalid"; error: string };

type RunImportInput = {
  rows: ImportRow[];
  labels?: Record<string, string>;
  status: ImportStatus;
  sendEmails: boolean;
  coordinatorId: number;
  fileName: string;
  appUrl: string;
  /** The preview's digest: when given, the import runs only if every row still does what was shown. */
  expectedDigest?: string;
  now?: Date;
};

class PreviewChangedError extends Error {}

const ph = (name: string) => sql.placeholder(name);

/**
 * The inserts an import repeats for every row, prepared once: drizzle would otherwise build the SQL
 * and better-sqlite3 prepare the statement again for each of the thousands of rows. (The audit
 * insert is recordAudit's, with the coordinator as actor.)
 */
function prepareWriters(tx: Tx, { approved }: { approved: boolean }) {
  // drizzle cannot encode a null placeholder of a timestamp column: those are fixed per import.
  return {
    body: tx
      .insert(memberBodies)
      .values({
        kind: ph("kind"),
        municipalityCode: ph("municipalityCode"),
        provinceCode: ph("provinceCode"),
        name: ph("name"),
        pec: ph("pec"),
        fiscalCode: ph("fiscalCode"),
        status: ph("status"),
        updatedAt: ph("updatedAt"),
      })
      .returning({ id: memberBodies.id })
      .prepare(),
    referent: tx
      .insert(referents)
      .values({
        memberBodyId: ph("memberBodyId"),
        firstName: ph("firstName"),
        lastName: ph("lastName"),
        role: ph("role"),
        office: ph("office"),
        email: ph("email"),
        phone: ph("phone"),
        mobile: ph("mobile"),
        privacyConsentAt: ph("privacyConsentAt"),
        privacyNoticeVersion: ph("privacyNoticeVersion"),
        validFrom: approved ? ph("now") : null,
      })
      .returning({ id: referents.id })
      .prepare(),
    request: tx
      .insert(membershipRequests)
      .values({
        memberBodyId: ph("memberBodyId"),
        referentId: ph("referentId"),
        kind: "new",
        status: ph("status"),
        noActiveProjects: ph("noActiveProjects"),
        submission: ph("submission"),
        confirmationTokenHash: ph("confirmationTokenHash"),
        confirmationExpiresAt: approved ? null : ph("confirmationExpiresAt"),
        decidedById: ph("decidedById"),
        decidedAt: approved ? ph("now") : null,
        updatedAt: ph("updatedAt"),
      })
      .returning({ id: membershipRequests.id })
      .prepare(),
    project: tx
      .insert(saiProjects)
      .values({
        memberBodyId: ph("memberBodyId"),
        requestId: ph("requestId"),
        category: ph("category"),
        fundedPlaces: ph("fundedPlaces"),
        projectCode: ph("projectCode"),
        managingOrganization: ph("managingOrganization"),
        startDate: ph("startDate"),
        endDate: ph("endDate"),
      })
      .prepare(),
    audit: tx
      .insert(auditLog)
      .values({
        actorType: "coordinator",
        actorId: ph("actorId"),
        action: ph("action"),
        entityType: ph("entityType"),
        entityId: ph("entityId"),
        details: ph("details"),
      })
      .prepare(),
  };
}

/**
 * Writes every valid row in ONE transaction: new enti with their referente, request and projects,
 * updates of known ones; rows with errors are skipped and returned for the error report. If any
 * write fails, nothing at all is written. Emails are queued only when asked: the approval notice
 * ("membership-approved") or the email confirmation ("confirm-registration") of the scheda.
 */
export function runImport(
  db: Db,
  { rows, labels, status, sendEmails, coordinatorId, fileName, appUrl, expectedDigest, now = new Date() }: RunImportInput,
): RunImportResult {
  const approved = status === "approved";
  // Awaiting a confirmation email that is never sent, the requests could never be approved.
  if (!approved && !sendEmails) return { ok: false, reason: "invalid", error: PENDING_WITHOUT_EMAILS_MESSAGE };
  const domain = new URL(appUrl).hostname;
  const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
  const expiresOn = formatDateIt(expiresAt);
  let currentLine: number | null = null;
  try {
    return db.transaction((tx): RunImportResult => {
      const plans = classifyRows(loadReference(tx), rows, labels);
      const previewRows = plans.map(toPreviewRow);
      if (expectedDigest && digestOf(previewRows) !== expectedDigest) throw new PreviewChangedError();

      let created = 0;
      let updated = 0;
      let emails = 0;
      const write = prepareWriters(tx, { approved });
      const audit = (action: string, entityType: string, entityId: number, details: Record<string, unknown>) =>
        write.audit.run({ actorId: coordinatorId, action, entityType, entityId: String(entityId), details });
      const insertProjects = (memberBodyId: number, requestId: number | null, projects: ProjectValues[]) => {
        for (const p of projects) {
          write.project.run({ memberBodyId, requestId, ...projectValues(p) });
        }
      };

      for (const plan of plans) {
        if (plan.status !== "new" && plan.status !== "update") continue;
        currentLine = plan.line;
        const r = plan.registration!;

        let bodyId = plan.existingBodyId;
        if (bodyId === undefined) {
          bodyId = write.body.get({
            kind: r.bodyKind,
            municipalityCode: r.bodyKind === "comune" ? r.municipalityCode! : null,
            provinceCode: plan.provinceCode!,
            name: plan.bodyName!,
            pec: r.pec,
            fiscalCode: r.fiscalCode,
            status: approved ? "member" : "candidate",
            updatedAt: now,
          })!.id;
        } else {
          const statusChange = !plan.referentMatch && approved ? { status: "member" as const } : {};
          if (Object.keys(plan.bodyChanges ?? {}).length || Object.keys(statusChange).length) {
            tx.update(memberBodies)
              .set({ ...plan.bodyChanges, ...statusChange, updatedAt: now })
              .where(eq(memberBodies.id, bodyId))
              .run();
          }
        }

        for (const u of plan.projectUpdates ?? []) {
          tx.update(saiProjects).set(u.values).where(eq(saiProjects.id, u.id)).run();
        }

        if (plan.referentMatch) {
          // A known ente and referente: their data are brought up to date, nothing else changes.
          const { referentId, requestId, changes } = plan.referentMatch;
          if (Object.keys(changes).length) tx.update(referents).set(changes).where(eq(referents.id, referentId)).run();
          insertProjects(bodyId, requestId, plan.projectAdds ?? []);
          if (requestId !== null) tx.update(membershipRequests).set({ updatedAt: now }).where(eq(membershipRequests.id, requestId)).run();
          audit("member_body.updated", "member_body", bodyId, { source: "importazione", fileName, line: plan.line, changes: plan.changes, referentId });
          updated++;
          continue;
        }

        // A new membership: referente, request (approved, or awaiting the email confirmation), projects.
        const referentId = write.referent.get({
          memberBodyId: bodyId,
          firstName: r.firstName,
          lastName: r.lastName,
          role: r.role,
          office: r.office,
          email: r.email,
          phone: r.phone,
          mobile: r.mobile ?? null,
          privacyConsentAt: now,
          privacyNoticeVersion: IMPORT_PRIVACY_NOTICE_VERSION,
          now,
        })!.id;
        const token = approved ? null : createToken();
        const requestId = write.request.get({
          memberBodyId: bodyId,
          referentId,
          status: approved ? "approved" : "email_unverified",
          noActiveProjects: r.noActiveProjects,
          submission: { ...r, importedFrom: { fileName, line: plan.line } },
          confirmationTokenHash: token?.hash ?? null,
          confirmationExpiresAt: expiresAt,
          decidedById: approved ? coordinatorId : null,
          now,
          updatedAt: now,
        })!.id;
        insertProjects(bodyId, requestId, plan.projectAdds ?? r.projects);

        if (sendEmails) {
          if (approved) {
            queueEmail(tx, {
              to: r.email,
              template: "membership-approved",
              props: { firstName: r.firstName, bodyName: plan.bodyName!, isHandover: false, referentAreaUrl: `${appUrl}/area-referente` },
              memberBodyId: bodyId,
              domain,
            });
          } else {
            queueEmail(tx, {
              to: r.email,
              template: "confirm-registration",
              props: {
                firstName: r.firstName,
                bodyName: plan.bodyName!,
                confirmUrl: `${appUrl}/adesione/conferma/${token!.token}`,
                expiresOn,
                isHandover: false,
              },
              memberBodyId: bodyId,
              domain,
            });
          }
          emails++;
        }
        audit("membership.created", "membership_request", requestId, {
          source: "importazione",
          fileName,
          line: plan.line,
          memberBodyId: bodyId,
          referentId,
          status: approved ? "approved" : "email_unverified",
        });
        if (plan.status === "new") created++;
        else updated++;
      }
      currentLine = null;

      const counts = countRows(previewRows);
      const summary: ImportSummary = {
        fileName,
        status,
        sendEmails,
        total: counts.total,
        created,
        updated,
        duplicates: counts.duplicate,
        errors: counts.error,
        emails,
      };
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "members.imported",
        entityType: "import",
        details: {
          fileName,
          status: IMPORT_STATUS_LABELS[status],
          sendEmails,
          rows: counts.total,
          created,
          updated,
          duplicates: counts.duplicate,
          errors: counts.error,
          emails,
        },
      });
      return { ok: true, summary, errorRows: previewRows.filter((p) => p.status === "error") };
    });
  } catch (error) {
    if (error instanceof PreviewChangedError) {
      return {
        ok: false,
        reason: "changed",
        error: "Dall'anteprima qualcosa è cambiato nei dati del portale: controlla di nuovo l'anteprima aggiornata e ripeti l'importazione. Nessun dato è stato scritto.",
      };
    }
    const where = currentLine !== null ? ` alla riga ${currentLine}` : "";
    console.error(`Member import of "${fileName}" failed${where}:`, error instanceof Error ? error.message : error);
    return {
      ok: false,
      reason: "failed",
      error: `L'importazione si è interrotta per un errore${where} (${describeDbError(error)}). Nessun dato è stato scritto: correggi la riga e riprova.`,
    };
  }
}

function describeDbError(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (/UNIQUE constraint failed: member_bodies\.fiscal_code/.test(message)) return "codice fiscale già usato da un altro ente";
  if (/UNIQUE constraint failed: member_bodies\.municipality_code/.test(message)) return "Comune già registrato";
  if (/UNIQUE constraint failed/.test(message)) return "dato già presente";
  if (/FOREIGN KEY constraint failed/.test(message)) return "riferimento a un dato inesistente";
  return message.slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// Templates and error report

const TEXT_COLUMNS = new Set<string>(["municipality", "fiscalCode", "phone", "mobile"]);
const LIST_VALUES: Partial<Record<string, string[]>> = {
  bodyKind: Object.values(MEMBER_BODY_KIND_LABELS),
  role: Object.values(REFERENT_ROLE_LABELS),
};
const TEMPLATE_ROWS = 2000;

function columnLetter(n: number) {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The .xlsx template: the "Aderenti" sheet to fill in (one row per ente) and the "Istruzioni" sheet. */
export async function buildImportTemplateXlsx({ now = new Date() }: { now?: Date } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Portale del Coordinamento SAI";
  workbook.created = now;
  const sheet = workbook.addWorksheet("Aderenti", { views: [{ state: "frozen", ySplit: 1 }] });
  const columns = templateColumns();
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.key, width: Math.max(14, Math.min(36, c.header.length + 4)) }));
  sheet.getRow(1).font = { bold: true };
  const validations = (sheet as unknown as { dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void } }).dataValidations;
  columns.forEach((c, i) => {
    const column = sheet.getColumn(i + 1);
    const field = c.key.includes(".") ? c.key.split(".")[1] : c.key;
    // Codes and phones as text, so Excel keeps their leading zeros; dates shown as gg/mm/aaaa.
    if (TEXT_COLUMNS.has(field)) column.numFmt = "@";
    if (field === "startDate" || field === "endDate") column.numFmt = "dd/mm/yyyy";
    const list = field === "category" ? [...SAI_CATEGORIES] : LIST_VALUES[field];
    if (list) {
      const letter = columnLetter(i + 1);
      validations.add(`${letter}2:${letter}${TEMPLATE_ROWS}`, {
        type: "list",
        allowBlank: true,
        formulae: [`"${list.join(",")}"`],
        showErrorMessage: true,
        errorStyle: "warning",
        errorTitle: c.header,
        error: `Valori ammessi: ${list.join(", ")}`,
      });
    }
  });

  const help = workbook.addWorksheet("Istruzioni");
  help.columns = [{ width: 34 }, { width: 26 }, { width: 80 }, { width: 34 }];
  help.addRow(["Importazione dell'elenco degli aderenti - Coordinamento SAI"]).font = { bold: true, size: 14 };
  help.addRow([]);
  help.addRow(["Come è fatto il file"]).font = { bold: true };
  for (const rule of LAYOUT_RULES) help.addRow([`• ${rule}`]);
  help.addRow(["• Compila il foglio «Aderenti» a partire dalla seconda riga; non cambiare la prima riga."]);
  help.addRow([
    "• Importando l'elenco dichiari che i referenti hanno ricevuto l'informativa sul trattamento dei dati con la scheda referente.",
  ]);
  help.addRow([]);
  help.addRow(["Colonne"]).font = { bold: true };
  help.addRow(["Colonna", "Obbligatoria", "Cosa inserire", "Esempio"]).font = { bold: true };
  for (const doc of columnDocs()) help.addRow([doc.header, doc.required, doc.description, doc.example]);
  help.addRow([]);
  help.addRow(["Esempio di riga (Comune con un progetto)"]).font = { bold: true };
  const example = templateColumns(1);
  const exampleValues: Record<string, string> = Object.fromEntries([
    ...BASE_COLUMNS.map((c) => [c.key, c.example] as const),
    ...PROJECT_FIELDS.map((f) => [projectColumnKey(1, f.key), f.example] as const),
  ]);
  exampleValues.bodyName = "";
  exampleValues.province = "";
  for (const c of example) help.addRow([c.header, exampleValues[c.key] ?? ""]);
  help.getColumn(3).alignment = { wrapText: true, vertical: "top" };
  help.getColumn(1).alignment = { wrapText: false, vertical: "top" };

  const buffer = (await workbook.xlsx.writeBuffer()) as unknown as Uint8Array;
  return new Uint8Array(buffer);
}

/** The .csv template: the header row only, UTF-8 with BOM and `;` as Italian Excel expects. */
export function buildImportTemplateCsv(): string {
  return stringify([templateColumns().map((c) => c.header)], { bom: true, delimiter: ";", record_delimiter: "windows" });
}

export type FailedRow = { line: number; cells: string[]; reason: string };

/** The failing rows with their reasons, ready for the error report. */
export function failedRowsOf(rows: ImportRow[], errorRows: PreviewRow[]): FailedRow[] {
  const byLine = new Map(rows.map((r) => [r.line, r]));
  return errorRows.map((e) => ({
    line: e.line,
    cells: byLine.get(e.line)?.cells ?? [],
    reason: e.errors.map((x) => `${x.column}: ${x.message}`).join("; "),
  }));
}

/** "Scarica le righe con errori (.xlsx)": the file's own columns, the failing rows, and "Motivo". */
export function buildErrorReportXlsx({ headers, failed }: { headers: string[]; failed: FailedRow[] }) {
  const columns = [
    { header: "Riga del file", width: 10, value: (r: FailedRow) => r.line },
    ...headers.map((header, i) => ({
      header: header || `Colonna ${i + 1}`,
      width: Math.max(12, Math.min(36, header.length + 4)),
      value: (r: FailedRow) => r.cells[i] ?? "",
    })),
    { header: "Motivo", width: 80, value: (r: FailedRow) => r.reason },
  ];
  return toXlsx(columns, failed, { sheetName: "Righe con errori" });
}
