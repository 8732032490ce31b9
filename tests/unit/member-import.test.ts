import { describe, expect, it } from "vitest";
import { cleanCell, decodeText, detectDelimiter, matchHeader, toIntegerText, toIsoDate } from "~/models/member-import-file.server";
import { isValidBodyFiscalCode } from "~/validation/fiscal-code";
import { BASE_COLUMNS, importRunSchema, importUpdatesOnlySchema, importUploadSchema, PENDING_WITHOUT_EMAILS_MESSAGE, templateColumns } from "~/validation/member-import";
import { theBody } from "~/utils/text";

describe("cells of an imported file", () => {
  it("trims trailing and non-breaking spaces and the apostrophe before numbers and would-be formulas", () => {
    expect(cleanCell("  Cefalù \u00a0 ")).toBe("Cefalù");
    expect(cleanCell("Lo   Verde")).toBe("Lo Verde");
    expect(cleanCell("'082027")).toBe("082027");
    expect(cleanCell("'+39 091 1234567")).toBe("+39 091 1234567");
    expect(cleanCell("Sant'Agata")).toBe("Sant'Agata");
    expect(cleanCell("\ufeffTipo di ente\u200b")).toBe("Tipo di ente");
  });

  it("reads dates as Excel serial numbers, Italian text and ISO text", () => {
    expect(toIsoDate("45292")).toBe("2024-01-01");
    expect(toIsoDate("46022")).toBe("2025-12-31");
    expect(toIsoDate("45292.5")).toBe("2024-01-01");
    expect(toIsoDate("01/01/2024")).toBe("2024-01-01");
    expect(toIsoDate("1/3/24")).toBe("2024-03-01");
    expect(toIsoDate("28.02.2027")).toBe("2027-02-28");
    expect(toIsoDate("31-12-2026")).toBe("2026-12-31");
    expect(toIsoDate("2024-03-01")).toBe("2024-03-01");
    expect(toIsoDate("2024-03-01 00:00:00")).toBe("2024-03-01");
    // Left for the scheda's rule, which explains the format.
    expect(toIsoDate("primo marzo")).toBe("primo marzo");
    expect(toIsoDate("31/02/2024")).toBe("2024-02-31");
    expect(toIsoDate("")).toBe("");
  });
});

describe("numbers of places in an imported file", () => {
  it("reads a spreadsheet's decimals and the dots between thousands, and leaves anything else for the scheda's rule", () => {
    expect(["25", "25.0", "25,00", " 25 ", "2.000", "1.500"].map(toIntegerText)).toEqual(["25", "25", "25", "25", "2000", "1500"]);
    expect(["1,5", "1e2", "dieci"].map(toIntegerText)).toEqual(["1,5", "1e2", "dieci"]);
  });
});

describe("CSV encodings and separators", () => {
  it("tells UTF-8 (with or without BOM) from Windows-1252", () => {
    expect(decodeText(Buffer.from("\ufeffCefalù;Alì", "utf8"))).toEqual({ text: "Cefalù;Alì", encoding: "utf-8" });
    expect(decodeText(Buffer.from("Cefalù;Alì", "utf8"))).toEqual({ text: "Cefalù;Alì", encoding: "utf-8" });
    expect(decodeText(Buffer.from("Cefalù;Alì", "latin1"))).toEqual({ text: "Cefalù;Alì", encoding: "windows-1252" });
    // 0x80 and 0x92 are € and ’ in Windows-1252 (not the C1 controls of Latin-1).
    expect(decodeText(Buffer.from([0x38, 0x30, 0x80, 0x20, 0x53, 0x61, 0x6e, 0x74, 0x92, 0x41])).text).toBe("80€ Sant’A");
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Comune\tEmail", "utf16le")]))).toEqual({ text: "Comune\tEmail", encoding: "utf-16le" });
  });

  it("picks the separator of the header line, ignoring the ones inside quotes", () => {
    expect(detectDelimiter("Comune;Email;Telefono\n")).toBe(";");
    expect(detectDelimiter("Comune,Email,Telefono\n")).toBe(",");
    expect(detectDelimiter('"Comune, o codice ISTAT";Email;Telefono\na,b,c,d,e\n')).toBe(";");
    expect(detectDelimiter("\n\nComune\tEmail\tTelefono")).toBe("\t");
  });
});

describe("headers", () => {
  it("recognises every template header, in other words too", () => {
    for (const c of templateColumns(3)) expect(matchHeader(c.header)).toEqual({ kind: "column", key: c.key });
    expect(matchHeader("PEC dell ente")).toEqual({ kind: "column", key: "pec" });
    expect(matchHeader("CODICE FISCALE")).toEqual({ kind: "column", key: "fiscalCode" });
    expect(matchHeader("E-mail")).toEqual({ kind: "column", key: "email" });
    expect(matchHeader("Data fine progetto 2")).toEqual({ kind: "column", key: "p2.endDate" });
    expect(matchHeader("Progetto 12 - Ente attuatore")).toEqual({ kind: "column", key: "p12.managingOrganization" });
    expect(matchHeader("Tipologia")).toEqual({ kind: "column", key: "p1.category" });
    expect(matchHeader("Progetto 21 - Tipologia")).toEqual({ kind: "unknown" });
    expect(matchHeader("Motivo")).toEqual({ kind: "report" });
    expect(matchHeader("Riga del file")).toEqual({ kind: "report" });
    expect(matchHeader("Note")).toEqual({ kind: "unknown" });
  });
});

describe("forms", () => {
  it("the upload needs an .xlsx or .csv file of at most 10 MB", () => {
    const issue = (file: unknown) => importUploadSchema.safeParse({ file }).error?.issues[0]?.message;
    expect(issue(null)).toBe("Scegli il file da importare (.xlsx o .csv)");
    expect(issue({ name: "", size: 0 })).toBe("Scegli il file da importare (.xlsx o .csv)");
    // A file chosen, but empty: said so, by its name.
    expect(issue({ name: "a.xlsx", size: 0 })).toBe("Il file «a.xlsx» è vuoto: scegli il file con l'elenco degli enti");
    expect(issue({ name: "a.pdf", size: 10 })).toBe("Il file deve essere in formato .xlsx (Excel) o .csv");
    // An Excel 97-2003 file is named as such, with what to do, not taken for any other file.
    expect(issue({ name: "Aderenti 2019.XLS", size: 10 })).toBe(
      "Il formato .xls (Excel 97-2003) non è supportato: salva il file come .xlsx oppure come .csv.",
    );
    expect(issue({ name: "a.csv", size: 10 * 1024 * 1024 + 1 })).toBe("Il file supera i 10 MB: dividilo in più file");
    expect(issue({ name: "a.xlsx", size: 10 })).toBeUndefined();
    // A FileList, as react-hook-form holds it in the browser.
    expect(issue({ length: 1, 0: { name: "Elenco.XLSX", size: 10 } })).toBeUndefined();
    expect(issue({ length: 0 })).toBe("Scegli il file da importare (.xlsx o .csv)");
  });

  it("the import needs a status; the emails are opt-in", () => {
    expect(importRunSchema.safeParse({}).error?.issues[0]?.message).toBe("Scegli lo stato da dare alle adesioni importate");
    expect(importRunSchema.parse({ status: "approved" })).toEqual({ status: "approved", sendEmails: false, digest: "" });
    expect(importRunSchema.parse({ status: "pending", sendEmails: "on", digest: "abc" })).toEqual({ status: "pending", sendEmails: true, digest: "abc" });
    expect(importRunSchema.safeParse({ status: "member" }).success).toBe(false);
  });

  it("a file of updates alone asks no status and sends no email, whatever the request carries", () => {
    expect(importUpdatesOnlySchema.parse({ digest: "abc" })).toEqual({ status: null, sendEmails: false, digest: "abc" });
    expect(importUpdatesOnlySchema.parse({ status: "pending", sendEmails: "on" })).toEqual({ status: null, sendEmails: false, digest: "" });
  });

  it("awaiting the email confirmation is refused without the confirmation emails, on the emails checkbox", () => {
    for (const sendEmails of [undefined, "", "off"]) {
      const result = importRunSchema.safeParse({ status: "pending", sendEmails, digest: "abc" });
      expect(result.error?.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([
        { path: ["sendEmails"], message: PENDING_WITHOUT_EMAILS_MESSAGE },
      ]);
    }
    expect(importRunSchema.parse({ status: "pending", sendEmails: true })).toMatchObject({ status: "pending", sendEmails: true });
    expect(importRunSchema.parse({ status: "approved", sendEmails: "" })).toMatchObject({ status: "approved", sendEmails: false });
  });
});

describe("the instructions' examples", () => {
  it("the example codice fiscale passes its own check digit", () => {
    expect(isValidBodyFiscalCode(BASE_COLUMNS.find((c) => c.key === "fiscalCode")!.example)).toBe(true);
  });

  it("an ente opening a sentence takes its article", () => {
    expect(theBody("Comune di Petrosino")).toBe("Il Comune di Petrosino");
    expect(theBody("Unione dei Comuni delle Madonie")).toBe("L'Unione dei Comuni delle Madonie");
    expect(theBody("Città Metropolitana di Catania")).toBe("La Città Metropolitana di Catania");
  });
});
