import crypto from "node:crypto";
import ExcelJS from "exceljs";
import { templateColumns } from "~/validation/member-import";

// Member-list files as Italian offices produce them, built in the tests: CSV in UTF-8 or
// Windows-1252 with `;` or `,`, and .xlsx workbooks with typed cells (numbers, dates, hyperlinks).

/** The codice fiscale of an ente with the given first 10 digits and the right check digit. */
export function bodyFiscalCode(first10: string) {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(first10[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return first10 + String((10 - (sum % 10)) % 10);
}

export function randomFiscalCode() {
  return bodyFiscalCode(Array.from({ length: 10 }, () => crypto.randomInt(10)).join(""));
}

/** The template's headers with `groups` project groups. */
export const importHeaders = (groups = 2) => templateColumns(groups).map((c) => c.header);

export type Cell = string | number | Date | ExcelJS.CellValue | null | undefined;
export type SheetRow = Record<string, Cell>;

const csvQuote = (value: string, delimiter: string) =>
  /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;

function csvText(value: Cell): string {
  if (value == null) return "";
  if (value instanceof Date) return `${String(value.getUTCDate()).padStart(2, "0")}/${String(value.getUTCMonth() + 1).padStart(2, "0")}/${value.getUTCFullYear()}`;
  if (typeof value === "object") {
    const v = value as { text?: unknown; result?: unknown };
    return csvText((v.text ?? v.result ?? "") as Cell);
  }
  return String(value);
}

/** A CSV file: `rows` are objects keyed by header; empty objects make empty lines. */
export function csvFile(
  headers: string[],
  rows: SheetRow[],
  { delimiter = ";", encoding = "utf-8" as "utf-8" | "utf-8-bom" | "latin1", eol = "\r\n" } = {},
) {
  const lines = [headers, ...rows.map((r) => headers.map((h) => csvText(r[h])))].map((cells) =>
    cells.map((c) => csvQuote(c, delimiter)).join(delimiter),
  );
  const text = lines.join(eol) + eol;
  if (encoding === "latin1") return Buffer.from(text, "latin1");
  return Buffer.concat([encoding === "utf-8-bom" ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, "utf8")]);
}

/** An .xlsx workbook with one sheet "Aderenti"; values keep their type (numbers, Dates, hyperlinks, formulas). */
export async function xlsxFile(headers: string[], rows: SheetRow[], { sheetName = "Aderenti", before }: { sheetName?: string; before?: string } = {}) {
  const workbook = new ExcelJS.Workbook();
  if (before) workbook.addWorksheet(before).addRow(["Questo foglio non contiene dati"]);
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(headers);
  for (const row of rows) {
    const added = sheet.addRow(headers.map((h) => (row[h] ?? null) as ExcelJS.CellValue));
    headers.forEach((h, i) => {
      if (row[h] instanceof Date) added.getCell(i + 1).numFmt = "dd/mm/yyyy";
    });
  }
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

/** Reads the first sheet of an .xlsx: the header row and the other rows as text. */
export async function readXlsx(data: Uint8Array | ArrayBuffer, sheetName?: string) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as ArrayBuffer);
  const sheet = sheetName ? workbook.getWorksheet(sheetName)! : workbook.worksheets[0];
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const values: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const v = row.getCell(c).value;
      values.push(v == null ? "" : typeof v === "object" && !(v instanceof Date) ? String((v as { text?: unknown }).text ?? "") : String(v));
    }
    rows.push(values);
  });
  return { workbook, headers: rows[0] ?? [], rows: rows.slice(1) };
}
