import allMetadata from "libphonenumber-js/metadata.min.json";
import { describe, expect, it } from "vitest";
import { italianPhoneMetadata } from "~/validation/phone-metadata.client";
import { normalizeItalianPhone } from "~/validation/phone";

// The browser validates phone numbers with Italy's (and San Marino's) numbering plan only; the
// server with every country's (app/validation/phone.ts, issue 7).
describe("phone numbers", () => {
  it("the browser's numbering plans are the installed libphonenumber-js metadata for +39 and +378", () => {
    const all = allMetadata as unknown as { version: number; country_calling_codes: Record<string, string[]>; countries: Record<string, unknown> };
    const subset = italianPhoneMetadata as unknown as typeof all;
    expect(subset.version).toBe(all.version);
    expect(subset.country_calling_codes).toEqual({ "39": all.country_calling_codes["39"], "378": all.country_calling_codes["378"] });
    expect(subset.countries).toEqual({ IT: all.countries.IT, VA: all.countries.VA, SM: all.countries.SM });
  });

  it("normalises Italian numbers to E.164 and refuses impossible ones", () => {
    expect(normalizeItalianPhone("091 1234567")).toBe("+390911234567");
    expect(normalizeItalianPhone("333 1234567")).toBe("+393331234567");
    expect(normalizeItalianPhone("+39 06 6982")).toBe("+39066982");
    expect(normalizeItalianPhone("12345")).toBeNull();
    expect(normalizeItalianPhone("abc")).toBeNull();
  });

  it("outside the browser knows every country", () => {
    expect(normalizeItalianPhone("+44 20 7946 0018")).toBe("+442079460018");
    expect(normalizeItalianPhone("+44 20")).toBeNull();
  });
});
