import { describe, expect, it } from "vitest";
import { issuesToFieldErrors } from "~/utils/form-data";
import { isValidBodyFiscalCode } from "~/validation/fiscal-code";
import { normalizeItalianPhone, registrationSchema } from "~/validation/registration";

const valid = {
  bodyKind: "comune",
  municipalityCode: "082027",
  bodyName: "",
  pec: "Protocollo@PEC.comune.cefalu.pa.it",
  fiscalCode: "00110740826",
  firstName: " Maria ",
  lastName: "Rossi",
  role: "responsabile_sai",
  office: "Servizi sociali",
  email: "Maria.Rossi@Example.org",
  phone: "0921 123456",
  mobile: "",
  noActiveProjects: false,
  projects: [
    { category: "DM/DS", fundedPlaces: "10", projectCode: "", managingOrganization: "Coop", startDate: "2024-01-01", endDate: "2024-01-02" },
  ],
  privacyConsent: true,
};

const errorsOf = (input: unknown) => {
  const result = registrationSchema.safeParse(input);
  if (result.success) return {};
  return issuesToFieldErrors(result.error.issues);
};

describe("registrationSchema", () => {
  it("accepts a valid scheda and normalises it", () => {
    const parsed = registrationSchema.parse(valid);
    expect(parsed).toMatchObject({
      pec: "protocollo@pec.comune.cefalu.pa.it",
      email: "maria.rossi@example.org",
      firstName: "Maria",
      phone: "+39092112345" + "6",
      mobile: undefined,
      projects: [{ category: "DM/DS", fundedPlaces: 10, projectCode: undefined }],
    });
  });

  it("accepts form posts as strings: 'on' checkboxes and numeric text", () => {
    expect(errorsOf({ ...valid, privacyConsent: "on", noActiveProjects: undefined })).toEqual({});
  });

  it.each([
    [{ bodyKind: "" }, "bodyKind", "Scegli il tipo di ente"],
    [{ bodyKind: "provincia" }, "bodyKind", "Scegli il tipo di ente"],
    [{ municipalityCode: "" }, "municipalityCode", "Scegli il Comune"],
    [{ municipalityCode: "Cefalù" }, "municipalityCode", "Comune non riconosciuto"],
    [{ bodyKind: "altro", bodyName: "AB" }, "bodyName", "denominazione"],
    [{ pec: "" }, "pec", "Inserisci la PEC"],
    [{ pec: "protocollo@" }, "pec", "PEC non valida"],
    [{ fiscalCode: "0011074082" }, "fiscalCode", "11 cifre"],
    [{ fiscalCode: "0011074082A" }, "fiscalCode", "11 cifre"],
    [{ fiscalCode: "00110740827" }, "fiscalCode", "controllo"],
    [{ firstName: "" }, "firstName", "Inserisci il nome"],
    // A length error names its field: the error summary shows it away from the field.
    [{ firstName: "x".repeat(101) }, "firstName", "Il nome può avere al massimo 100 caratteri"],
    [{ lastName: "x".repeat(101) }, "lastName", "Il cognome può avere al massimo 100 caratteri"],
    [{ office: "x".repeat(201) }, "office", "L'ufficio o settore può avere al massimo 200 caratteri"],
    [{ bodyKind: "altro", bodyName: "x".repeat(201) }, "bodyName", "La denominazione può avere al massimo 200 caratteri"],
    [{ email: `${"x".repeat(250)}@example.org` }, "email", "L'email può avere al massimo 254 caratteri"],
    [{ pec: `${"x".repeat(250)}@example.org` }, "pec", "La PEC può avere al massimo 254 caratteri"],
    [{ phone: "0".repeat(31) }, "phone", "Il numero di telefono può avere al massimo 30 caratteri"],
    [{ lastName: " " }, "lastName", "Inserisci il cognome"],
    [{ role: "" }, "role", "Scegli il ruolo"],
    [{ office: "" }, "office", "ufficio"],
    [{ email: "maria" }, "email", "non valido"],
    [{ phone: "" }, "phone", "Inserisci il numero di telefono"],
    [{ phone: "091" }, "phone", "non valido"],
    [{ phone: "+1 202 555 0199 99" }, "phone", "non valido"],
    // An extension would be dropped silently by the E.164 form: refused with the reason.
    [{ phone: "091 1234567 int. 22" }, "phone", "non conserva l'interno"],
    [{ mobile: "091 1234567 ext. 5" }, "mobile", "non conserva l'interno"],
    [{ mobile: "33" }, "mobile", "cellulare non valido"],
    // A landline, or a free number, typed as the cellulare: the coordinators would text a desk phone.
    [{ mobile: "091 1234567" }, "mobile", "Questo è un numero fisso: scrivilo in «Telefono»"],
    [{ mobile: "+39 06 6988 1234" }, "mobile", "numero fisso"],
    [{ mobile: "800 123456" }, "mobile", "numero fisso"],
    [{ projects: [] }, "projects", "almeno un progetto"],
    [{ projects: [{ ...valid.projects[0], category: "speciali" }] }, "projects.0.category", "tipologia"],
    [{ projects: [{ ...valid.projects[0], fundedPlaces: "" }] }, "projects.0.fundedPlaces", "Indica il numero"],
    [{ projects: [{ ...valid.projects[0], fundedPlaces: "0" }] }, "projects.0.fundedPlaces", "almeno 1"],
    [{ projects: [{ ...valid.projects[0], fundedPlaces: "dieci" }] }, "projects.0.fundedPlaces", "numero intero"],
    [{ projects: [{ ...valid.projects[0], projectCode: "x".repeat(51) }] }, "projects.0.projectCode", "Il codice progetto può avere al massimo 50 caratteri"],
    [{ projects: [{ ...valid.projects[0], managingOrganization: "x".repeat(201) }] }, "projects.0.managingOrganization", "L'ente attuatore può avere al massimo 200 caratteri"],
    [{ projects: [{ ...valid.projects[0], managingOrganization: "" }] }, "projects.0.managingOrganization", "ente attuatore"],
    [{ projects: [{ ...valid.projects[0], startDate: "2024-02-30x" }] }, "projects.0.startDate", "Data non valida"],
    [{ projects: [{ ...valid.projects[0], startDate: "2023-02-29" }] }, "projects.0.startDate", "Data non valida"],
    [{ projects: [{ ...valid.projects[0], endDate: "2024-01-01" }] }, "projects.0.endDate", "successiva"],
    [{ privacyConsent: false }, "privacyConsent", "informativa"],
  ])("refuses %j at %s", (patch, path, message) => {
    expect(errorsOf({ ...valid, ...patch })[path]).toContain(message);
  });

  it("takes an Italian mobile however it is written, and a foreign number as it is", () => {
    for (const [typed, stored] of [["333 1234567", "+393331234567"], ["+39 347 123 4567", "+393471234567"], ["0039 320.1234567", "+393201234567"], ["+44 7911 123456", "+447911123456"]]) {
      const parsed = registrationSchema.safeParse({ ...valid, mobile: typed });
      expect(parsed.success && parsed.data.mobile, typed).toBe(stored);
    }
  });

  it("reads the posti finanziati as Italians write them, and refuses what is no whole number", () => {
    const places = (fundedPlaces: string) => registrationSchema.safeParse({ ...valid, projects: [{ ...valid.projects[0], fundedPlaces }] });
    for (const [typed, read] of [["2.000", 2000], ["1.500", 1500], ["25", 25], [" 25 ", 25], ["25,0", 25], ["12.345.678", 12345678]] as const) {
      const parsed = places(typed);
      if (read > 10_000) expect(parsed.success).toBe(false);
      else expect(parsed.data?.projects[0]?.fundedPlaces, typed).toBe(read);
    }
    for (const typed of ["1e2", "0x10", "1,5", "1.5", "-3", "+4", "1.5.0"]) {
      expect(errorsOf({ ...valid, projects: [{ ...valid.projects[0], fundedPlaces: typed }] })["projects.0.fundedPlaces"], typed).toBe(
        "I posti finanziati sono un numero intero, ad esempio 25",
      );
    }
  });

  it("takes the ente's codice fiscale also as the partita IVA is written, with IT and dots", () => {
    for (const typed of ["IT00110740826", "it 00110740826", "001.107.408.26", "00110 740 826"]) {
      expect(registrationSchema.parse({ ...valid, fiscalCode: typed }).fiscalCode, typed).toBe("00110740826");
    }
    expect(errorsOf({ ...valid, fiscalCode: "IT0011074082" }).fiscalCode).toBe("Il codice fiscale dell'ente è composto da 11 cifre");
  });

  it("calls a day that does not exist no date, rather than a date before the start", () => {
    const errors = errorsOf({ ...valid, projects: [{ ...valid.projects[0], startDate: "01/03/2024", endDate: "30/02/2024" }] });
    expect(errors["projects.0.endDate"]).toBe("Data non valida: usa il formato gg/mm/aaaa");
  });

  it("refuses a project year that a date picker took from two typed digits", () => {
    const errors = errorsOf({ ...valid, projects: [{ ...valid.projects[0], startDate: "0024-01-01", endDate: "0026-12-31" }] });
    expect(errors["projects.0.startDate"]).toBe("Controlla l'anno: scrivilo con quattro cifre, ad esempio 31/12/2027");
    expect(errors["projects.0.endDate"]).toBe("Controlla l'anno: scrivilo con quattro cifre, ad esempio 31/12/2027");
    // As text, two digits are this century's years.
    expect(registrationSchema.parse({ ...valid, projects: [{ ...valid.projects[0], startDate: "01/01/24", endDate: "31/12/26" }] }).projects[0]).toMatchObject({
      startDate: "2024-01-01",
      endDate: "2026-12-31",
    });
  });

  it("reports cross-field problems together with field problems", () => {
    const errors = errorsOf({ ...valid, municipalityCode: "", role: "", phone: "1", projects: [{ ...valid.projects[0], fundedPlaces: "x", endDate: "2023-01-01" }] });
    expect(Object.keys(errors).sort()).toEqual(["municipalityCode", "phone", "projects.0.endDate", "projects.0.fundedPlaces", "role"]);
  });

  it("ignores half-filled projects when 'nessun progetto attivo' is ticked", () => {
    const parsed = registrationSchema.parse({ ...valid, noActiveProjects: "on", projects: [{ category: "" }] });
    expect(parsed.projects).toEqual([]);
  });

  it("does not need a comune for other kinds of ente, but the province of their seat", () => {
    const catania = { ...valid, bodyKind: "citta_metropolitana", municipalityCode: "", bodyName: "Città Metropolitana di Catania" };
    expect(errorsOf({ ...catania, provinceCode: "087" })).toEqual({});
    expect(errorsOf({ ...catania, provinceCode: "" })).toEqual({ provinceCode: "Scegli la provincia in cui ha sede l'ente" });
    expect(errorsOf({ ...catania, provinceCode: "Catania" })).toEqual({ provinceCode: "Provincia non riconosciuta: sceglila dall'elenco" });
    // A Comune's province is its comune's: nothing is asked.
    expect(errorsOf({ ...valid, provinceCode: "" })).toEqual({});
  });
});

describe("isValidBodyFiscalCode", () => {
  it.each(["80016350821", "00110740826"])("accepts %s", (code) => expect(isValidBodyFiscalCode(code)).toBe(true));
  // «00000000000» has a right check digit but no tax office number: typed to get past the field.
  it.each(["80016350822", "8001635082", "RSSMRA80A01H501U", "", "00000000000", "00000000810"])("refuses %s", (code) => expect(isValidBodyFiscalCode(code)).toBe(false));
});

describe("normalizeItalianPhone", () => {
  it.each([
    ["091 1234567", "+390911234567"],
    ["+39 333 123 4567", "+393331234567"],
    ["0039 06 12345678", "+390612345678"],
    ["333-1234567", "+393331234567"],
  ])("%s -> %s", (input, expected) => expect(normalizeItalianPhone(input)).toBe(expected));
  it.each(["12", "abc", "091"])("refuses %s", (input) => expect(normalizeItalianPhone(input)).toBeNull());
});
