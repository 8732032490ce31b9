import { describe, expect, it } from "vitest";
import { projectClosureSchema, todayInItaly } from "~/validation/project-closure";

const errorOf = (closedOn: unknown) => {
  const parsed = projectClosureSchema.safeParse({ closedOn });
  return parsed.success ? null : parsed.error.issues.map((i) => i.message);
};

describe("projectClosureSchema (Chiudi il progetto)", () => {
  it("accepts a past day and today in Italy, trimmed", () => {
    expect(projectClosureSchema.parse({ closedOn: " 2025-06-30 " })).toEqual({ closedOn: "2025-06-30" });
    // As Italians type it, where the browser has no date picker.
    expect(projectClosureSchema.parse({ closedOn: "30/6/2025" })).toEqual({ closedOn: "2025-06-30" });
    expect(errorOf(todayInItaly())).toBeNull();
  });

  it("refuses a missing, malformed, impossible or future day with one Italian message each", () => {
    expect(errorOf("")).toEqual(["Indica la data di chiusura del progetto"]);
    expect(errorOf(undefined)).toEqual(["Indica la data di chiusura del progetto"]);
    expect(errorOf(["2025-01-01"])).toEqual(["Indica la data di chiusura del progetto"]);
    expect(errorOf("30 giugno 2025")).toEqual(["Data non valida: usa il formato gg/mm/aaaa"]);
    expect(errorOf("31/06/2025")).toEqual(["Data non valida: usa il formato gg/mm/aaaa"]);
    expect(errorOf("2025-02-29")).toEqual(["Data non valida: usa il formato gg/mm/aaaa"]);
    expect(errorOf("2025-06-30\u0000")).toBeNull();
    expect(errorOf("9999-12-31")).toEqual(["La data di chiusura non può essere successiva a oggi"]);
  });

  it("counts days in Italian time: just after midnight in Rome is already the next day", () => {
    // 23:30 UTC on 31 December is 00:30 on 1 January in Rome.
    expect(todayInItaly(new Date("2025-12-31T23:30:00Z"))).toBe("2026-01-01");
    expect(todayInItaly(new Date("2025-07-01T21:59:00Z"))).toBe("2025-07-01");
  });
});
