import { stringify } from "csv-stringify/sync";
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { italianDay } from "./dates";
import { nextTurn, ROWS_PER_TURN } from "./event-loop.server";

// Generic helpers for the CSV and Excel downloads: columns are declared once and feed both formats.

/** Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection). */
const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"];

const readAsFormula = (value: string) => FORMULA_TRIGGERS.includes(value[0]);

/**
 * In a CSV, a text that a spreadsheet would run as a formula gets a leading single quote, so it is
 * shown as text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)". Other values are returned unchanged.
 */
export function neutraliseFormula<T>(value: T): T | string {
  if (typeof value !== "string" || value === "") return value;
  return readAsFormula(value) ? `'${value}` : value;
}

export type SheetValue = string | number | Date | null | undefined;

export type SheetColumn<Row> = {
  header: string;
  /** Excel column width in characters. */
  width?: number;
  /** Dates are exported as the calendar day in Europe/Rome. */
  value: (row: Row) => SheetValue;
};

/** "26/11/2026": the calendar day in Italy. */
export function formatSheetDate(date: Date) {
  const { year, month, day } = italianDay(date);
  return `${day}/${month}/${year}`;
}

/** "2026-11-26": today in Italy, for file names. */
export function todayInRome(now = new Date()) {
  const { year, month, day } = italianDay(now);
  return `${year}-${month}-${day}`;
}

/** The Italian calendar day of a moment as midnight UTC: Excel serial dates carry no time zone. */
function sheetDay(date: Date) {
  const { year, month, day } = italianDay(date);
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
}

function csvCell(value: SheetValue): string | number {
  if (value == null) return "";
  if (value instanceof Date) return formatSheetDate(value);
  if (typeof value === "number") return value;
  return neutraliseFormula(value);
}

/**
 * CSV as Italian Excel opens it with a double click: UTF-8 with BOM (accents survive), `;` between
 * fields (the comma is the decimal separator in Italy), CRLF line ends.
 */
export async function toCsv<Row>(columns: SheetColumn<Row>[], rows: Row[]): Promise<string> {
  const options = { delimiter: ";", record_delimiter: "windows" } as const;
  const parts = [stringify([columns.map((c) => neutraliseFormula(c.header))], { ...options, bom: true })];
  for (let start = 0; start < rows.length; start += ROWS_PER_TURN) {
    if (start > 0) await nextTurn();
    parts.push(stringify(rows.slice(start, start + ROWS_PER_TURN).map((row) => columns.map((c) => csvCell(c.value(row)))), options));
  }
  return parts.join("");
}

/**
 * An .xlsx workbook: bold, frozen header row with an autofilter; real dates shown as dd/mm/yyyy.
 * Written with ExcelJS's streaming writer, each row committed as it is added: the national member
 * list (40,000 requests) took 1.2 GB of memory as an in-memory workbook, and takes a few MB so
 * (issue 7, docs/performance.md).
 */
export async function toXlsx<Row>(
  columns: SheetColumn<Row>[],
  rows: Row[],
  { sheetName, creator = "Portale del Coordinamento SAI", now = new Date() }: { sheetName: string; creator?: string; now?: Date },
): Promise<Uint8Array<ArrayBuffer>> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => output.on("end", resolve).on("error", reject));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = creator;
  workbook.created = now;
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width ?? 18 }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for (const [index, row] of rows.entries()) {
    if (index > 0 && index % ROWS_PER_TURN === 0) await nextTurn();
    const added = sheet.addRow(
      columns.map((c) => {
        const value = c.value(row);
        if (value == null) return null;
        return value instanceof Date ? sheetDay(value) : value;
      }),
    );
    columns.forEach((c, i) => {
      const cell = added.getCell(i + 1);
      if (cell.value instanceof Date) cell.numFmt = "dd/mm/yyyy";
      // A workbook's text cell is never run, but editing it would be: the Text format keeps it text,
      // where a quote as in the CSV would become part of the data.
      else if (typeof cell.value === "string" && readAsFormula(cell.value)) cell.numFmt = "@";
    });
    added.commit();
  }
  sheet.commit();
  await workbook.commit();
  await ended;
  const buffer = Buffer.concat(chunks);
  const bytes = new Uint8Array(new ArrayBuffer(buffer.length));
  bytes.set(buffer);
  return bytes;
}

/** The two download formats: a CSV for any program, an .xlsx workbook for Excel. */
export type SheetFormat = "csv" | "xlsx";

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";
export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Headers of a personal-data download: saved as a file, never cached. */
export function downloadHeaders({ fileName, contentType }: { fileName: string; contentType: string }) {
  return {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": "no-store",
  };
}
