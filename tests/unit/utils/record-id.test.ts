import { describe, expect, it } from "vitest";
import { parseRecordId } from "~/utils/record-id";

describe("parseRecordId", () => {
  it("reads an id written as the portal writes it", () => {
    expect(parseRecordId("1")).toBe(1);
    expect(parseRecordId("42")).toBe(42);
    expect(parseRecordId("999999999")).toBe(999_999_999);
  });

  it("refuses every other spelling, so one record has one address", () => {
    for (const value of ["", "0", "007", "0x10", "1e3", "16.0", "+16", "-16", " 16", "16 ", "1_000", "١٦", "1234567890", "abc"]) {
      expect(parseRecordId(value), value).toBeNull();
    }
    expect(parseRecordId(null)).toBeNull();
    expect(parseRecordId(undefined)).toBeNull();
  });
});
