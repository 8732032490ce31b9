import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { SAI_CATEGORIES } from "#db/enums";
import { toXlsx } from "~/utils/spreadsheet.server";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS } from "~/validation/labels";
import { BASE_COLUMNS, columnDocs, LAYOUT_RULES, PROJECT_FIELDS, projectColumnKey, templateColumns } from "~/validation/member-import";
import type { ImportRow } from "./member-import-file.server";
import type { PreviewRow } from "./member-import-preview.server";

// The files coordinators download around an import (issue 9): the .xlsx and .csv templates, and
// the report of the rows with errors.

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

export type FailedRow = { line: number; sheet?: string; cells: string[]; reason: string };

const rowKey = (r: { line: number; sheet?: string }) => `${r.sheet ?? ""}\n${r.line}`;

/** The failing rows with their reasons, ready for the error report. */
export function failedRowsOf(rows: ImportRow[], errorRows: PreviewRow[]): FailedRow[] {
  const byLine = new Map(rows.map((r) => [rowKey(r), r]));
  return errorRows.map((e) => ({
    line: e.line,
    ...(e.sheet ? { sheet: e.sheet } : {}),
    cells: byLine.get(rowKey(e))?.cells ?? [],
    reason: e.errors.map((x) => `${x.column}: ${x.message}`).join("; "),
  }));
}

/** "Scarica le righe con errori (.xlsx)": the file's own columns, the failing rows, and "Motivo". */
export function buildErrorReportXlsx({ headers, failed }: { headers: string[]; failed: FailedRow[] }) {
  // A workbook of several sheets: the report names each row's sheet too.
  const sheets = failed.some((r) => r.sheet) ? [{ header: "Foglio", width: 16, value: (r: FailedRow) => r.sheet ?? "" }] : [];
  const columns = [
    ...sheets,
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
