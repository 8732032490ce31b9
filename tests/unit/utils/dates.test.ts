import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { it as italian } from "date-fns/locale";
import { describe, expect, it } from "vitest";
import { formatDateIt, formatDateTimeIt, italianDay, TIME_ZONE } from "~/utils/dates";

const reference = (date: Date, pattern: string) => format(new TZDate(date, TIME_ZONE), pattern, { locale: italian });

describe("Italian dates", () => {
  it("writes day, month and time in Italian time, across both daylight-saving changes", () => {
    expect(formatDateIt(new Date("2026-12-03T23:30:00Z"))).toBe("4 dicembre 2026");
    expect(formatDateTimeIt(new Date("2026-12-03T08:05:00Z"))).toBe("3 dicembre 2026 alle 09:05");
    expect(formatDateTimeIt(new Date("2026-03-29T01:30:00Z"))).toBe("29 marzo 2026 alle 03:30");
    expect(formatDateTimeIt(new Date("2026-10-25T00:30:00Z"))).toBe("25 ottobre 2026 alle 02:30");
    expect(formatDateTimeIt(new Date("2026-10-25T01:30:00Z"))).toBe("25 ottobre 2026 alle 02:30");
    expect(formatDateTimeIt(new Date("2026-06-01T22:00:00Z"))).toBe("2 giugno 2026 alle 00:00");
  });

  // About 15,000 dates: a second or two alone, more while other work shares the cores (it once took 7 s).
  it("agrees with date-fns in the Rome time zone, hour by hour over two years", () => {
    const start = Date.UTC(2025, 0, 1);
    for (let t = start; t < start + 2 * 366 * 24 * 3600_000; t += 3600_000 + 17 * 60_000) {
      const date = new Date(t);
      expect(formatDateIt(date)).toBe(reference(date, "d MMMM yyyy"));
      expect(formatDateTimeIt(date)).toBe(reference(date, "d MMMM yyyy 'alle' HH:mm"));
      const { year, month, day } = italianDay(date);
      expect(`${year}-${month}-${day}`).toBe(reference(date, "yyyy-MM-dd"));
    }
  }, 60_000);
});
