import { z } from "zod";
import { segmentFields, segmentInput, toSegment } from "./recipient-segment";
import { formatCount } from "~/utils/numbers";

// The forms of the invitations to a Tavolo tecnico: the recipients chooser of
// /admin/tavoli/:id/inviti (a GET for the preview, then the same fields POSTed to send), the
// attendance form, and the invitee's answer on /invito/:token.

export const MAX_EXTRA_EMAILS = 1000;

export const ANSWER_LABELS = { yes: "Partecipa", no: "Non partecipa", pending: "In attesa" } as const;

/** Attendance as the organiser recorded it: "presente", "assente", or "—" when not recorded. */
export const attendanceLabel = (attended: boolean | null) => (attended === null ? "—" : attended ? "presente" : "assente");

// A name before an address in angle brackets, as mail programs copy recipients:
// «Mario Rossi <mario@x.it>», «"Rossi, Mario" <mario@x.it>». Groups: the separator before it
// (kept), the quoted name, the plain name (words without "@", so that an address typed before it on
// the same line is not taken for a name), the address.
const NAMED_ADDRESS = /(^|[\s,;])(?:"([^"]*)"\s*|([^\s,;<>"@]+(?:[ \t]+[^\s,;<>"@]+)*[ \t]*)?)<([^<>\s]*)>/g;

/**
 * Splits the "Indirizzi aggiuntivi" text: one per line, commas and semicolons also accepted, and
 * recipients pasted from a mail program («Mario Rossi <mario@x.it>; …») taken by their address.
 */
export function splitEmailLines(text: string) {
  return text
    .replace(NAMED_ADDRESS, "$1 $4 ")
    .split(/[\s,;]+/)
    .map((v) => v.trim())
    .filter(Boolean);
}

const MAX_NAME_LENGTH = 120;

/**
 * The names pasted with the addresses («Mario Rossi <mario@x.it>»), by address in lower case: the
 * invitation greets them by name. «"Rossi, Mario"», as some mail programs write it, is «Mario Rossi».
 */
export function namesOfAddresses(text: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [, , quoted, plain, address] of text.matchAll(NAMED_ADDRESS)) {
    const typed = (quoted ?? plain ?? "").replace(/\s+/g, " ").trim();
    const email = address.trim().toLowerCase();
    if (!typed || !email || email in names) continue;
    const parts = typed.split(",").map((p) => p.trim());
    const name = parts.length === 2 && parts[0] && parts[1] ? `${parts[1]} ${parts[0]}` : typed;
    names[email] = name.slice(0, MAX_NAME_LENGTH);
  }
  return names;
}

const emailAddress = z.string().email();

/**
 * Field names as in the form (posted for the preview, then again to send): provincia (repeated), tipologia (repeated),
 * indirizzi (textarea), destinatari ("referenti" or "indirizzi": only the extra addresses).
 */
export const recipientsFormSchema = z
  .object({
    ...segmentFields,
    indirizzi: z.string().max(100_000, "Troppi indirizzi aggiuntivi").default(""),
    destinatari: z.enum(["referenti", "indirizzi"]).catch("referenti").default("referenti"),
  })
  .superRefine((v, ctx) => {
    const entries = splitEmailLines(v.indirizzi);
    const invalid = entries.filter((e) => e.length > 254 || !emailAddress.safeParse(e).success);
    if (invalid.length > 0) {
      // Quoted: what was typed, set apart from the sentence ("NaN" or "x@" read as words otherwise).
      const shown = invalid.slice(0, 5).map((e) => `«${e}»`).join(", ");
      ctx.addIssue({
        code: "custom",
        path: ["indirizzi"],
        message: `${invalid.length === 1 ? "Indirizzo non valido" : `${invalid.length} indirizzi non validi`}: ${shown}${invalid.length > 5 ? "…" : ""}. Scrivi un indirizzo email per riga.`,
      });
    } else if (entries.length > MAX_EXTRA_EMAILS) {
      ctx.addIssue({ code: "custom", path: ["indirizzi"], message: `Si possono aggiungere al massimo ${formatCount(MAX_EXTRA_EMAILS)} indirizzi alla volta.` });
    }
    if (v.destinatari === "indirizzi" && entries.length === 0) {
      ctx.addIssue({ code: "custom", path: ["indirizzi"], message: "Scrivi almeno un indirizzo aggiuntivo, oppure scegli di invitare i referenti." });
    }
  });

export type RecipientsForm = z.infer<typeof recipientsFormSchema>;

/** The raw fields of the chooser from a posted form. */
export function recipientsFormInput(source: URLSearchParams | FormData) {
  const text = (name: string) => {
    const v = source.get(name);
    return typeof v === "string" ? v : undefined;
  };
  return {
    ...segmentInput(source),
    indirizzi: text("indirizzi"),
    destinatari: text("destinatari"),
  };
}

/** The model's filters (app/models/invitation.server.ts) from the validated form. */
export function toRecipientFilters(form: RecipientsForm) {
  return {
    ...toSegment(form),
    extraEmails: splitEmailLines(form.indirizzi),
    extraNames: namesOfAddresses(form.indirizzi),
    includeReferents: form.destinatari !== "indirizzi",
  };
}

/** The same choice written back as form fields (for the "Invia inviti" form after the preview). */
export function recipientsFormFields(form: RecipientsForm): [string, string][] {
  return [
    ...form.provincia.map((p): [string, string] => ["provincia", p]),
    ...form.tipologia.map((t): [string, string] => ["tipologia", t]),
    ["indirizzi", form.indirizzi],
    ["destinatari", form.destinatari],
  ];
}

/** "Salva presenze": the invitations shown on the page and, of those, the ones ticked present. */
export const attendanceSchema = z.object({
  mostrati: z.array(z.coerce.number().int().positive()).max(1000).default([]),
  presenti: z.array(z.coerce.number().int().positive()).max(1000).default([]),
});

/** The invitee's answer: the two buttons post risposta=si or risposta=no. */
export const answerSchema = z.object({
  risposta: z.enum(["si", "no"], { errorMap: () => ({ message: "Scegli «Partecipo» oppure «Non partecipo»." }) }),
});

export const answerFromParam = (v: string | null): "yes" | "no" | null => (v === "si" ? "yes" : v === "no" ? "no" : null);
