import { z } from "zod";
import { MEMBER_BODY_KINDS, REFERENT_ROLES, SAI_CATEGORIES } from "#db/enums";
import { typedDayToIso } from "~/utils/typed-day";
import { cleanLine } from "~/utils/text";
import { isValidBodyFiscalCode } from "./fiscal-code";
import { hasPhoneExtension, isItalianNonMobile, normalizeItalianPhone, NOT_A_MOBILE_MESSAGE, PHONE_EXTENSION_MESSAGE } from "./phone";
import { maxLengthMessage } from "./messages";

// The online scheda referente. The same schema runs in the browser (react-hook-form) and in the action.

// Zod skips object-level refinements once a field is "aborted" (wrong type, bad enum); every field
// here fails softly instead, so a person sees all the problems of the form at once.
// Every value is one line as typed: control characters and line breaks are cleaned away (cleanLine).
const text = (message: string) =>
  z.preprocess((v) => (v == null ? "" : typeof v === "string" ? cleanLine(v) : v), z.string({ invalid_type_error: message }));

const oneOf = <T extends string>(values: readonly T[], message: string) =>
  text(message).refine((v) => (values as readonly string[]).includes(v), message) as unknown as z.ZodType<T, z.ZodTypeDef, string>;

const required = (message: string, subject: string, max = 200) =>
  text(message).pipe(z.string().trim().min(1, message).max(max, maxLengthMessage(subject, max)));

// Each address says which one is wrong: the summary lists the PEC and the Email one above the other.
const emailField = (message: string, subject: string, invalid: string) =>
  text(message)
    .pipe(z.string().trim().min(1, message).max(254, maxLengthMessage(subject, 254)).email(invalid)
    .transform((v) => v.toLowerCase()));

const isChecked = (v: unknown) => v === true || v === "on" || v === "true";
const checkbox = z.preprocess(isChecked, z.boolean());

export { normalizeItalianPhone };

const phone = (label: string) =>
  required(`Inserisci il numero di ${label}`, `Il numero di ${label}`, 30).transform((value, ctx) => {
    if (hasPhoneExtension(value)) {
      ctx.addIssue({ code: "custom", message: PHONE_EXTENSION_MESSAGE });
      return z.NEVER;
    }
    const normalized = normalizeItalianPhone(value);
    if (!normalized) {
      ctx.addIssue({ code: "custom", message: `Numero di ${label} non valido: ad esempio 091 1234567 o 333 1234567` });
      return z.NEVER;
    }
    return normalized;
  });

/** A real calendar day as `YYYY-MM-DD` (what <input type="date"> posts); 30 February is refused. */
export function isCalendarDate(value: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

// A date picker turns a year typed with two digits («24») into the year 24: no SAI project is that old.
const PLAUSIBLE_YEARS = { from: 1990, to: 2100 };

const isoDate = (message: string) =>
  text(message).pipe(
    z
      .string()
      .trim()
      .min(1, message)
      .transform(typedDayToIso)
      .refine(isCalendarDate, "Data non valida: usa il formato gg/mm/aaaa")
      .refine((v) => {
        const year = Number(v.slice(0, 4));
        return year >= PLAUSIBLE_YEARS.from && year <= PLAUSIBLE_YEARS.to;
      }, "Controlla l'anno: scrivilo con quattro cifre, ad esempio 31/12/2027"),
  );

/**
 * The number of places as typed: digits, also with the dots Italians put between thousands
 * («1.500»), or with zero decimals as a spreadsheet writes them («25,0»). Null for anything else
 * («1,5», «1e2», «0x10»), which Number() would have read as some other number.
 */
export function placesFromText(value: string): number | null {
  const v = value.replace(/\s/g, "");
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d{1,3}(\.\d{3})+$/.test(v)) return Number(v.replaceAll(".", ""));
  const zeroDecimals = v.match(/^(\d+)[.,]0+$/);
  return zeroDecimals ? Number(zeroDecimals[1]) : null;
}

const projectFields = z.object({
  category: oneOf(SAI_CATEGORIES, "Scegli la tipologia del progetto"),
  fundedPlaces: z.preprocess((v) => (v == null ? "" : String(v)), z.string()).transform((value, ctx) => {
    const trimmed = value.trim();
    const n = placesFromText(trimmed);
    if (trimmed === "") ctx.addIssue({ code: "custom", message: "Indica il numero dei posti finanziati" });
    else if (n === null) ctx.addIssue({ code: "custom", message: "I posti finanziati sono un numero intero, ad esempio 25" });
    else if (n < 1) ctx.addIssue({ code: "custom", message: "I posti finanziati devono essere almeno 1" });
    else if (n > 10_000) ctx.addIssue({ code: "custom", message: "Controlla il numero dei posti finanziati" });
    else return n;
    return z.NEVER;
  }),
  projectCode: text("Codice non valido")
    .pipe(z.string().trim().max(50, maxLengthMessage("Il codice progetto", 50)))
    .transform((v) => (v ? v : undefined)),
  managingOrganization: required("Indica l'ente attuatore", "L'ente attuatore"),
  startDate: isoDate("Indica la data di inizio"),
  endDate: isoDate("Indica la data di fine"),
});

const asRecord = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : "");

// Zod runs refinements only on fully valid objects; rules that span fields run first, on the raw
// input, so their messages appear together with every other error.
export const projectSchema = z.preprocess((raw, ctx) => {
  const p = asRecord(raw);
  const start = typedDayToIso(trimmed(p.startDate));
  const end = typedDayToIso(trimmed(p.endDate));
  // Between real days only: «30/02/2024» is refused as no date, not as a date before the start.
  if (isCalendarDate(start) && isCalendarDate(end) && end <= start) {
    ctx.addIssue({ code: "custom", path: ["endDate"], message: "La data di fine deve essere successiva alla data di inizio" });
  }
  return raw;
}, projectFields);

const registrationFields = z.object({
    bodyKind: oneOf(MEMBER_BODY_KINDS, "Scegli il tipo di ente"),
    municipalityCode: text("Comune non valido").pipe(z.string().trim()),
    bodyName: text("Denominazione non valida").pipe(z.string().trim().max(200, maxLengthMessage("La denominazione", 200))),
    // Asked for enti other than a Comune (a Comune's province is its comune's); see bodyProvinceIssue.
    provinceCode: text("Provincia non valida").pipe(z.string().trim()),
    pec: emailField("Inserisci la PEC dell'ente", "La PEC", "PEC non valida: controlla che sia nella forma nome@dominio.it"),
    fiscalCode: required("Inserisci il codice fiscale dell'ente", "Il codice fiscale", 20)
      // As it is also written: «IT 00232710830» (the partita IVA's form), «002.327.108.30».
      .transform((v) => v.replace(/[\s.\-]+/g, "").replace(/^IT(?=\d{11}$)/i, ""))
      .superRefine((v, ctx) => {
        if (!/^\d{11}$/.test(v)) ctx.addIssue({ code: "custom", message: "Il codice fiscale dell'ente è composto da 11 cifre" });
        else if (!isValidBodyFiscalCode(v))
          ctx.addIssue({ code: "custom", message: "Codice fiscale non valido: controlla le cifre (l'ultima è di controllo)" });
      }),
    firstName: required("Inserisci il nome", "Il nome", 100),
    lastName: required("Inserisci il cognome", "Il cognome", 100),
    role: oneOf(REFERENT_ROLES, "Scegli il ruolo"),
    office: required("Indica l'ufficio o settore", "L'ufficio o settore"),
    email: emailField("Inserisci l'email", "L'email", "Indirizzo email non valido: controlla che sia nella forma nome@dominio.it"),
    phone: phone("telefono"),
    mobile: text("Numero non valido")
      .pipe(z.string().trim())
      .transform((value, ctx) => {
        if (!value) return undefined;
        if (hasPhoneExtension(value)) {
          ctx.addIssue({ code: "custom", message: PHONE_EXTENSION_MESSAGE });
          return z.NEVER;
        }
        const normalized = normalizeItalianPhone(value);
        if (!normalized) {
          ctx.addIssue({ code: "custom", message: "Numero di cellulare non valido: ad esempio 333 1234567" });
          return z.NEVER;
        }
        if (isItalianNonMobile(normalized)) {
          ctx.addIssue({ code: "custom", message: NOT_A_MOBILE_MESSAGE });
          return z.NEVER;
        }
        return normalized;
      }),
    noActiveProjects: checkbox,
    projects: z.preprocess((v) => v ?? [], z.array(projectSchema).max(20, "Massimo 20 progetti per scheda")),
    privacyConsent: checkbox.refine((v) => v, "Per inviare la scheda devi dichiarare di aver letto l'informativa"),
});

/**
 * An ente other than a Comune names the province of its seat (an ISTAT province code, from the
 * list); a Comune's is taken from its comune. The message, or null when there is nothing to say.
 */
export function bodyProvinceIssue(kind: string, provinceCode: unknown) {
  if (!kind || kind === "comune") return null;
  const code = trimmed(provinceCode);
  if (!code) return "Scegli la provincia in cui ha sede l'ente";
  if (!/^\d{3}$/.test(code)) return "Provincia non riconosciuta: sceglila dall'elenco";
  return null;
}

/** The single-field rules of the scheda, for forms that edit the same data (e.g. a coordinator's correction). */
export const registrationFieldRules = registrationFields.shape;

// With "nessun progetto attivo" ticked, any half-filled project rows are discarded before validation.
export const registrationSchema = z.preprocess((raw, ctx) => {
  const v = asRecord(raw);
  const kind = trimmed(v.bodyKind);
  const municipalityCode = trimmed(v.municipalityCode);
  if (kind === "comune") {
    if (!municipalityCode) ctx.addIssue({ code: "custom", path: ["municipalityCode"], message: "Scegli il Comune" });
    else if (!/^\d{6}$/.test(municipalityCode))
      ctx.addIssue({ code: "custom", path: ["municipalityCode"], message: "Comune non riconosciuto: sceglilo dall'elenco" });
  } else if (kind && trimmed(v.bodyName).length < 3) {
    ctx.addIssue({ code: "custom", path: ["bodyName"], message: "Inserisci la denominazione dell'ente" });
  }
  const provinceIssue = bodyProvinceIssue(kind, v.provinceCode);
  if (provinceIssue) ctx.addIssue({ code: "custom", path: ["provinceCode"], message: provinceIssue });
  const noActiveProjects = isChecked(v.noActiveProjects);
  if (!noActiveProjects && (!Array.isArray(v.projects) || v.projects.length === 0)) {
    ctx.addIssue({
      code: "custom",
      path: ["projects"],
      message: "Aggiungi almeno un progetto SAI oppure indica che l'ente non ha progetti attivi",
    });
  }
  return noActiveProjects ? { ...v, projects: [] } : raw;
}, registrationFields);

export type RegistrationInput = z.input<typeof registrationSchema>;
export type Registration = z.output<typeof registrationSchema>;

export const emptyProject = {
  category: "",
  fundedPlaces: "",
  projectCode: "",
  managingOrganization: "",
  startDate: "",
  endDate: "",
};
