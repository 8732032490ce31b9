import crypto from "node:crypto";

/** A random codice fiscale of an ente: 10 random digits plus the check digit. */
export function randomBodyFiscalCode() {
  const digits = Array.from({ length: 10 }, () => crypto.randomInt(10));
  let sum = 0;
  digits.forEach((d, i) => {
    let v = d;
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  });
  return digits.join("") + String((10 - (sum % 10)) % 10);
}

export function uniqueEmail(prefix = "referente") {
  return `${prefix}.${crypto.randomUUID().slice(0, 8)}@example.org`;
}

// Sicilian comuni by ISTAT code, handed out one per call so tests in a file never collide.
const COMUNI = ["082027", "082006", "082054", "087033", "084011", "083002", "088006", "089013", "086009", "085007", "081021", "082053", "087015", "083048", "084001", "089017", "081011", "088009", "085004", "086014",
  "081008", "082009", "083009", "084009", "085010", "086008", "087008", "088010", "089008", "081014", "082014", "083014", "084015", "085015", "086015", "087013", "088002", "089014", "081019", "082019"];
let next = crypto.randomInt(COMUNI.length);

export function nextComuneCode() {
  next = (next + 1) % COMUNI.length;
  return COMUNI[next];
}

export type RegistrationFields = Record<string, string>;

/** The fields a browser posts for a valid scheda referente with one project. */
export function validRegistrationFields(overrides: RegistrationFields = {}): RegistrationFields {
  return {
    bodyKind: "comune",
    municipalityCode: nextComuneCode(),
    bodyName: "",
    // Read only for enti other than a Comune (a Comune's is its comune's): Palermo.
    provinceCode: "082",
    pec: "protocollo@pec.comune.esempio.it",
    fiscalCode: randomBodyFiscalCode(),
    firstName: "Maria",
    lastName: "Rossi",
    role: "dirigente",
    office: "Servizi sociali",
    email: uniqueEmail(),
    phone: "091 1234567",
    mobile: "",
    "projects.0.category": "ordinari",
    "projects.0.fundedPlaces": "25",
    "projects.0.projectCode": "PROG-1776-PR-3",
    "projects.0.managingOrganization": "Cooperativa Sociale Esempio",
    "projects.0.startDate": "2024-01-01",
    "projects.0.endDate": "2030-12-31",
    privacyConsent: "on",
    ...overrides,
  };
}
