import { describe, expect, it } from "vitest";
import { printable } from "~/utils/scheda-pdf.server";

describe("printable (the text the scheda's font can draw)", () => {
  it("keeps Italian and the letters of other European names as typed", () => {
    const names = "Niccolò Perù «Città» – € Ștefan Dumitrașcu Łukasz Wiśniewski Dvořák Győr Đurđević Şahin Ħal Għargħur";
    expect(printable(names)).toBe(names);
  });

  it("composes a letter typed as base and combining accent (S + comma below is Ș)", () => {
    expect(printable("S\u0326tefan Dvor\u030Cák")).toBe("Ștefan Dvořák");
  });

  it("drops only the accents the font lacks, and writes ? for a letter it has no form of", () => {
    expect(printable("Nguyễn")).toBe("Nguyên");
    expect(printable("Дмитрий")).toBe("???????");
  });

  it("spaces a tab, leaves out a soft hyphen, keeps line breaks", () => {
    expect(printable("Via\tRoma\r\nCoope\u00ADrativa\rsociale")).toBe("Via Roma\nCooperativa\nsociale");
  });
});
