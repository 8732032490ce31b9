import { describe, expect, it } from "vitest";
import { arrivalFacts, importSourceText, readImportSource } from "~/utils/request-arrival";

describe("where an imported adesione came from", () => {
  it("keeps the sheet of a workbook with several sheets, and leaves it out otherwise", () => {
    expect(readImportSource({ fileName: "aderenti.xlsx", sheet: "Unioni", line: 4, source: "importazione" })).toEqual({ fileName: "aderenti.xlsx", sheet: "Unioni", line: 4 });
    expect(readImportSource({ fileName: "aderenti.csv", line: 2 })).toEqual({ fileName: "aderenti.csv", line: 2 });
    expect(readImportSource({ fileName: "aderenti.csv" })).toBeNull();
    expect(readImportSource(null)).toBeNull();
  });

  it("names the file, the sheet and the row on the adesione's page", () => {
    expect(importSourceText({ fileName: "aderenti.xlsx", sheet: "Unioni", line: 4 })).toBe("«aderenti.xlsx» (foglio «Unioni», riga 4)");
    const [arrival] = arrivalFacts({
      importedFrom: readImportSource({ fileName: "aderenti.xlsx", sheet: "Unioni", line: 4 }),
      status: "approved",
      createdAt: "27 novembre 2026 alle 10:00",
      confirmedAt: null,
    });
    expect(arrival).toEqual(["Importata il", "27 novembre 2026 alle 10:00, dal file «aderenti.xlsx» (foglio «Unioni», riga 4)"]);
  });
});
