import { describe, expect, it } from "vitest";
import { formatCount } from "~/utils/numbers";
import { plural } from "~/utils/text";

describe("formatCount", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    // Italian writing groups from four digits on, unlike Intl's it-IT ("1610").
    [1610, "1.610"],
    [25000, "25.000"],
    [7896, "7.896"],
    [1234567, "1.234.567"],
  ])("%d → %s", (value, expected) => {
    expect(formatCount(value)).toBe(expected);
  });

  it("is what plural() writes", () => {
    expect(plural(1250, "tavolo", "tavoli")).toBe("1.250 tavoli");
  });
});
