import { describe, expect, it } from "vitest";
import { roundTableFileStem } from "~/utils/round-table-format";

// 20 May 2026, 23:30 in Italy: the day in the name is Italy's, not UTC's.
const startsAt = new Date("2026-05-20T21:30:00Z");

describe("roundTableFileStem", () => {
  it("names a Tavolo by its number, or by its day when it has none", () => {
    expect(roundTableFileStem({ number: 7, startsAt, status: "published" })).toBe("tavolo-tecnico-7");
    expect(roundTableFileStem({ number: null, startsAt, status: "draft" })).toBe("tavolo-tecnico-2026-05-20");
  });

  it("tells a cancelled Tavolo from the one that took its number, and two cancelled ones of different days", () => {
    const cancelled = roundTableFileStem({ number: 7, startsAt, status: "cancelled" });
    const replacement = roundTableFileStem({ number: 7, startsAt, status: "published" });
    const cancelledAgain = roundTableFileStem({ number: 7, startsAt: new Date("2026-06-10T13:00:00Z"), status: "cancelled" });
    expect(cancelled).toBe("tavolo-tecnico-7-del-2026-05-20-annullato");
    expect(cancelledAgain).toBe("tavolo-tecnico-7-del-2026-06-10-annullato");
    expect(new Set([cancelled, replacement, cancelledAgain]).size).toBe(3);
    expect(roundTableFileStem({ number: null, startsAt, status: "cancelled" })).toBe("tavolo-tecnico-2026-05-20-annullato");
  });

  it("stays within letters, digits and hyphens, safe in a Content-Disposition header and on any file system", () => {
    for (const status of ["draft", "published", "cancelled"] as const) {
      for (const number of [1, 707, null]) expect(roundTableFileStem({ number, startsAt, status })).toMatch(/^[a-z0-9-]+$/);
    }
  });
});
