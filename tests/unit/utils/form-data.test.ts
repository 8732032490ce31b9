import { describe, expect, it } from "vitest";
import { fieldId, formDataToObject, issuesToFieldErrors } from "~/utils/form-data";
import { searchKey } from "~/utils/text";

describe("formDataToObject", () => {
  it("nests dotted names the way react-hook-form registers them", () => {
    const fd = new FormData();
    fd.set("email", "a@b.it");
    fd.set("projects.0.category", "MSNA");
    fd.set("projects.1.category", "ordinari");
    fd.set("projects.1.fundedPlaces", "3");
    fd.set("csrf", "secret");
    expect(formDataToObject(fd, { skip: ["csrf"] })).toEqual({
      email: "a@b.it",
      projects: [{ category: "MSNA" }, { category: "ordinari", fundedPlaces: "3" }],
    });
  });

  it("does not build huge sparse arrays from crafted indexes", () => {
    const fd = new FormData();
    fd.set("projects.99999999.category", "MSNA");
    fd.set("projects.2.category", "MSNA");
    expect(formDataToObject(fd)).toEqual({ projects: [{ category: "MSNA" }] });
  });
});

describe("issuesToFieldErrors", () => {
  it("keeps the first message per field", () => {
    expect(issuesToFieldErrors([
      { path: ["pec"], message: "primo" },
      { path: ["pec"], message: "secondo" },
      { path: ["projects", 0, "endDate"], message: "data" },
    ])).toEqual({ pec: "primo", "projects.0.endDate": "data" });
    expect(fieldId("projects.0.endDate")).toBe("projects-0-endDate");
  });
});

describe("searchKey", () => {
  it("matches names despite case, accents and apostrophes", () => {
    expect(searchKey("Sant'Agata di Militello")).toBe(searchKey("SANTAGATA DI MILITELLO"));
    expect(searchKey("Cefalù")).toBe("cefalu");
    expect(searchKey("Forza d’Agrò")).toBe("forza dagro");
  });
});
