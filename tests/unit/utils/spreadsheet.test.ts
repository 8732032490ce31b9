import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { formatSheetDate, neutraliseFormula, todayInRome, toCsv, toXlsx, type SheetColumn, type SheetValue } from "~/utils/spreadsheet.server";

describe("neutraliseFormula", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ['=HYPERLINK("http://evil.example","clic")', `'=HYPERLINK("http://evil.example","clic")`],
    ["+39 091 123", "'+39 091 123"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
  ])("prefixes %j with a single quote", (value, expected) => {
    expect(neutraliseFormula(value)).toBe(expected);
  });

  it.each(["Comune di Cefalù", "a=b", "mario.rossi@example.org", "Sant'Agata", " =1", "'già protetto", ""])(
    "leaves %j as it is",
    (value) => {
      expect(neutraliseFormula(value)).toBe(value);
    },
  );

  it("does not touch numbers, dates, null or undefined", () => {
    const date = new Date();
    expect(neutraliseFormula(-5)).toBe(-5);
    expect(neutraliseFormula(date)).toBe(date);
    expect(neutraliseFormula(null)).toBeNull();
    expect(neutraliseFormula(undefined)).toBeUndefined();
  });
});

describe("dates", () => {
  it("are the calendar day in Italy, not in UTC", () => {
    // 23:30 UTC on 31 December is already 1 January in Rome (UTC+1 in winter).
    expect(formatSheetDate(new Date("2026-12-31T23:30:00Z"))).toBe("01/01/2027");
    // 22:30 UTC on 30 June is 00:30 on 1 July in Rome (UTC+2 in summer).
    expect(formatSheetDate(new Date("2026-06-30T22:30:00Z"))).toBe("01/07/2026");
    expect(todayInRome(new Date("2026-11-25T23:30:00Z"))).toBe("2026-11-26");
  });
});

type Row = { name: string; places: number; when: Date | null };
const COLUMNS: SheetColumn<Row>[] = [
  { header: "Ente", width: 30, value: (r) => r.name },
  { header: "Posti finanziati", value: (r) => r.places },
  { header: "Data richiesta", width: 12, value: (r) => r.when },
];
const ROWS: Row[] = [
  { name: "Comune di Cefalù", places: 25, when: new Date("2026-11-26T10:00:00Z") },
  { name: '=HYPERLINK("http://x","y")', places: 3, when: null },
  { name: "Unione; \"Valle\"\nseconda riga", places: 0, when: new Date("2026-12-31T23:30:00Z") },
];

const csv = await toCsv(COLUMNS, ROWS);

describe("toCsv", () => {
  it("writes a long list in turns, with the same bytes as in one go", async () => {
    const many = Array.from({ length: 1_234 }, (_, i) => ({ name: `Ente ${i}; "n. ${i}"`, places: i, when: i % 3 ? null : new Date(Date.UTC(2026, 0, 1 + (i % 365))) }));
    const cell = (v: SheetValue) => (v instanceof Date ? formatSheetDate(v) : (v ?? ""));
    const whole = stringify([COLUMNS.map((c) => c.header), ...many.map((r) => COLUMNS.map((c) => cell(c.value(r))))], {
      bom: true,
      delimiter: ";",
      record_delimiter: "windows",
    });
    expect(await toCsv(COLUMNS, many)).toBe(whole);
  });

  it("is UTF-8 with BOM, semicolon separated, CRLF terminated", () => {
    expect(csv.startsWith("\uFEFFEnte;Posti finanziati;Data richiesta\r\n")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  it("round-trips through a CSV parser with quoting, accents, dates and neutralised formulas", () => {
    const records = parse(csv, { bom: true, delimiter: ";" }) as string[][];
    expect(records).toEqual([
      ["Ente", "Posti finanziati", "Data richiesta"],
      ["Comune di Cefalù", "25", "26/11/2026"],
      [`'=HYPERLINK("http://x","y")`, "3", ""],
      ['Unione; "Valle"\nseconda riga', "0", "01/01/2027"],
    ]);
  });
});

describe("toXlsx", () => {
  it("writes a sheet with a bold, frozen, filterable header, widths and real dates", async () => {
    const bytes = await toXlsx(COLUMNS, ROWS, { sheetName: "Prova" });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes.buffer as ArrayBuffer);
    const sheet = workbook.getWorksheet("Prova")!;
    expect(sheet.getRow(1).values).toEqual([undefined, "Ente", "Posti finanziati", "Data richiesta"]);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.getColumn(1).width).toBe(30);
    expect(sheet.rowCount).toBe(4);

    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBe("Comune di Cefalù");
    expect(first.getCell(2).value).toBe(25);
    expect(first.getCell(3).value).toEqual(new Date(Date.UTC(2026, 10, 26)));
    expect(first.getCell(3).numFmt).toBe("dd/mm/yyyy");

    const injected = sheet.getRow(3);
    // The text as it is, in a cell formatted as Text: shown and edited as text, never run.
    expect(injected.getCell(1).value).toBe(`=HYPERLINK("http://x","y")`);
    expect(injected.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(injected.getCell(1).numFmt).toBe("@");
    expect(first.getCell(1).numFmt).toBeUndefined();
    expect(injected.getCell(3).value).toBeNull();

    // The Italian day, not the UTC one.
    expect(sheet.getRow(4).getCell(3).value).toEqual(new Date(Date.UTC(2027, 0, 1)));
  });
});

describe("long exports", () => {
  it("let the server answer other requests while they are written (the event loop turns every 500 rows)", async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const seen: number[] = [];
    const columns: SheetColumn<number>[] = [{ header: "N", value: (n) => (seen.push(turns), n) }];
    const rows = Array.from({ length: 2_000 }, (_, i) => i);
    try {
      await toCsv(columns, rows);
      // Rows 0–499 are written in one turn, 500–999 in a later one, and so on.
      expect(new Set(seen).size).toBe(4);
      seen.length = 0;
      await toXlsx(columns, rows, { sheetName: "Prova" });
      expect(new Set(seen).size).toBe(4);
    } finally {
      running = false;
    }
  });
});
