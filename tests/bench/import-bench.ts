// Benchmark of the member-list import (issue 9): an 8,000-row national list, as an .xlsx file, is
// parsed and previewed (target < 10 s) and then imported with emails in one transaction
// (target < 30 s), in a temporary database seeded with every Italian comune.
//
//   npx tsx tests/bench/import-bench.ts            prints the timings as JSON
//   import { runImportBench } from "./import-bench" for `npm run bench`
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ExcelJS from "exceljs";
import { asc } from "drizzle-orm";
import { coordinators, municipalities } from "#db/schema";
import { parseImportFile } from "~/models/member-import-file.server";
import { previewImport } from "~/models/member-import-preview.server";
import { runImport } from "~/models/member-import.server";
import { seedTerritory } from "~/models/territory.server";
import { migrateDatabase, openDatabase, type Db } from "~/utils/db.server";
import { templateColumns } from "~/validation/member-import";

export type ImportBenchResult = {
  rows: number;
  /** Reading the .xlsx (part of previewMs). */
  parseMs: number;
  /** From the uploaded bytes to the preview of every row: what the coordinator waits for. */
  previewMs: number;
  /** The import of every row in one transaction, with an email queued per new member. */
  importMs: number;
  /** CPU time of the same phases (all threads): steadier than wall time on a busy machine. */
  previewCpuMs: number;
  importCpuMs: number;
  created: number;
  errors: number;
  fileBytes: number;
};

function fiscalCode(n: number) {
  const first10 = String(10_000_000 + n).padStart(10, "8");
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

/** A national list: most rows are Comuni (by ISTAT code or by name), the rest Unioni di Comuni; 1 or 2 projects each. */
async function nationalFile(db: Db, rows: number) {
  const comuni = db.select({ code: municipalities.istatCode, name: municipalities.name }).from(municipalities).orderBy(asc(municipalities.istatCode)).all();
  const byName = new Map<string, number>();
  for (const c of comuni) byName.set(c.name, (byName.get(c.name) ?? 0) + 1);
  const comuneRows = Math.min(rows, comuni.length - 500);
  const columns = templateColumns(2);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Aderenti");
  sheet.addRow(columns.map((c) => c.header));
  for (let i = 0; i < rows; i++) {
    const comune = i < comuneRows ? comuni[i] : null;
    const values: Record<string, ExcelJS.CellValue> = {
      bodyKind: comune ? "Comune" : "Unione di Comuni",
      // Half by ISTAT code, half by name (names found in two provinces by code).
      municipality: comune ? (i % 2 === 0 || byName.get(comune.name)! > 1 ? comune.code : comune.name.toUpperCase()) : null,
      bodyName: comune ? null : `Unione dei Comuni n. ${i}`,
      pec: `protocollo${i}@pec.example.it`,
      fiscalCode: fiscalCode(i),
      firstName: "Maria",
      lastName: `Rossi ${i}`,
      role: i % 3 === 0 ? "Responsabile progetto SAI" : "Dirigente",
      office: "Servizi sociali",
      email: `referente${i}@example.it`,
      phone: i % 2 === 0 ? "091 1234567" : 911234567,
      mobile: i % 4 === 0 ? "333 1234567" : null,
      "p1.category": "ordinari",
      "p1.fundedPlaces": 10 + (i % 40),
      "p1.projectCode": `PROG-${i}-PR-1`,
      "p1.managingOrganization": "Cooperativa Sociale Esempio",
      "p1.startDate": new Date(Date.UTC(2023, 0, 1)),
      "p1.endDate": 46022,
    };
    if (i % 3 === 0) {
      Object.assign(values, {
        "p2.category": "MSNA",
        "p2.fundedPlaces": "12",
        "p2.managingOrganization": "Associazione Esempio",
        "p2.startDate": "01/03/2024",
        "p2.endDate": "28/02/2027",
      });
    }
    // A few realistic mistakes.
    if (i % 500 === 7) values.phone = "12345";
    if (i % 500 === 11) values["p1.endDate"] = "01/01/2020";
    sheet.addRow(columns.map((c) => values[c.key] ?? null));
  }
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

const cpuMs = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage) => Math.round((to.user - from.user + to.system - from.system) / 1000);

export async function runImportBench({ rows = 8000 }: { rows?: number } = {}): Promise<ImportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-import-bench-"));
  const db = openDatabase(path.join(dir, "bench.db"));
  try {
    migrateDatabase(db);
    seedTerritory(db, { regions: ["tutte"] });
    const coordinatorId = db
      .insert(coordinators)
      .values({ email: "bench@example.org", name: "Benchmark", role: "admin", passwordHash: "scrypt$17$8$1$x$y" })
      .returning({ id: coordinators.id })
      .get().id;
    const buffer = await nationalFile(db, rows);

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const parsed = await parseImportFile({ buffer, fileName: "elenco-nazionale.xlsx" });
    if (!parsed.ok) throw new Error(parsed.error);
    const t1 = performance.now();
    const preview = await previewImport(db, { rows: parsed.rows, labels: parsed.labels });
    const t2 = performance.now();
    const cpu2 = process.cpuUsage();
    const result = runImport(db, {
      rows: parsed.rows,
      labels: parsed.labels,
      status: "approved",
      sendEmails: true,
      coordinatorId,
      fileName: "elenco-nazionale.xlsx",
      appUrl: "http://localhost:3000",
      expectedDigest: preview.digest,
    });
    const t3 = performance.now();
    const cpu3 = process.cpuUsage();
    if (!result.ok) throw new Error(result.error);
    return {
      rows: parsed.rows.length,
      parseMs: Math.round(t1 - t0),
      previewMs: Math.round(t2 - t0),
      importMs: Math.round(t3 - t2),
      previewCpuMs: cpuMs(cpu0, cpu2),
      importCpuMs: cpuMs(cpu2, cpu3),
      created: result.summary.created,
      errors: result.summary.errors,
      fileBytes: buffer.length,
    };
  } finally {
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (isMain || (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]))) {
  const rows = Number(process.env.IMPORT_BENCH_ROWS ?? 8000);
  runImportBench({ rows }).then(
    (result) => console.log(JSON.stringify(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
