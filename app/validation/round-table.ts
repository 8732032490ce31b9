import { z } from "zod";
import { formatDateIt } from "~/utils/dates";
import { isRepeatedRomeTime, isSkippedRomeTime, parseRomeLocal } from "~/utils/rome-time";
import { cleanLine, cleanLines } from "~/utils/text";
import { ROUND_TABLE_MODE_LABELS, type RoundTableMode } from "~/utils/round-table-calendar";
import { confirmationSchema } from "./confirmation";
import { maxLengthMessage } from "./messages";

// The form of a Tavolo tecnico (/admin/tavoli/nuovo and /admin/tavoli/:id). The same schema runs in
// the browser (react-hook-form) and in the action; every field fails softly so all problems show at once.

export const ROUND_TABLE_MODE_VALUES = Object.keys(ROUND_TABLE_MODE_LABELS) as RoundTableMode[];

export const ROUND_TABLE_STATUS_LABELS = {
  draft: "Bozza",
  published: "Pubblicato",
  cancelled: "Annullato",
} as const;

/** The colour of a round table's status badge, the same on every page. */
export const ROUND_TABLE_STATUS_BADGES: Record<keyof typeof ROUND_TABLE_STATUS_LABELS, string> = {
  draft: "bg-secondary",
  published: "bg-success",
  cancelled: "bg-danger",
};

export type Speaker = { name: string; affiliation?: string };

export type RoundTableFormValues = {
  number: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  mode: string;
  place: string;
  onlineUrl: string;
  speakers: string;
  /** Days before the start when the reminder goes out, 0 for none (sendDueReminders). */
  reminderDays: string;
};

/** Four digits: the Coordinamento meets about once a month. */
export const MAX_ROUND_TABLE_NUMBER = 9999;
export const DEFAULT_REMINDER_DAYS = 2;
export const MAX_REMINDER_DAYS = 14;

export const emptyRoundTableForm: RoundTableFormValues = {
  number: "",
  title: "",
  description: "",
  startsAt: "",
  endsAt: "",
  mode: "online",
  place: "",
  onlineUrl: "",
  speakers: "",
  reminderDays: String(DEFAULT_REMINDER_DAYS),
};

/** The form's text values as posted (missing fields empty). */
export function roundTableFormValuesOf(formData: FormData): RoundTableFormValues {
  const values = { ...emptyRoundTableForm };
  for (const key of Object.keys(emptyRoundTableForm) as (keyof RoundTableFormValues)[]) {
    const v = formData.get(key);
    values[key] = typeof v === "string" ? v : "";
  }
  return values;
}

// One-line values lose control characters and line breaks (cleanLine); the programme and the
// speakers keep their lines (cleanLines).
const text = (message = "Valore non valido") =>
  z.preprocess((v) => (v == null ? "" : typeof v === "string" ? cleanLine(v) : v), z.string({ invalid_type_error: message }));
const lines = (message = "Valore non valido") =>
  z.preprocess((v) => (v == null ? "" : typeof v === "string" ? cleanLines(v) : v), z.string({ invalid_type_error: message }));
const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : "");

export const SPEAKER_SEPARATOR = " — ";
const SEPARATOR = /\s+[—–-]\s+|\s*[—–]\s*/;
export const MAX_SPEAKERS = 30;

/** One speaker per line, "Nome — argomento o ente": the inverse of `speakersToText`. */
export function parseSpeakers(value: string): { speakers: Speaker[]; problems: string[] } {
  const speakers: Speaker[] = [];
  const problems: string[] = [];
  const lines = value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > MAX_SPEAKERS) problems.push(`Massimo ${MAX_SPEAKERS} relatori`);
  lines.slice(0, MAX_SPEAKERS).forEach((line, i) => {
    const match = SEPARATOR.exec(line);
    const name = (match ? line.slice(0, match.index) : line).trim();
    const affiliation = match ? line.slice(match.index + match[0].length).trim() : "";
    if (!name) problems.push(`Riga ${i + 1} dei relatori: manca il nome prima del trattino`);
    else if (name.length > 150) problems.push(`Riga ${i + 1} dei relatori: il nome è troppo lungo (massimo 150 caratteri)`);
    else if (affiliation.length > 300) problems.push(`Riga ${i + 1} dei relatori: il testo dopo il trattino è troppo lungo (massimo 300 caratteri)`);
    else speakers.push(affiliation ? { name, affiliation } : { name });
  });
  return { speakers, problems };
}

export function speakersToText(speakers: Speaker[]) {
  return speakers.map((s) => (s.affiliation ? `${s.name}${SPEAKER_SEPARATOR}${s.affiliation}` : s.name)).join("\n");
}

/** An absolute https:// address with a host. */
export function isHttpsUrl(value: string) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.includes(".") && !/\s/.test(value);
  } catch {
    return false;
  }
}

const dateTime = (missing: string) =>
  text(missing).transform((value, ctx) => {
    const v = value.trim();
    if (!v) {
      ctx.addIssue({ code: "custom", message: missing });
      return z.NEVER;
    }
    const date = parseRomeLocal(v);
    if (!date) {
      ctx.addIssue({ code: "custom", message: "Data e ora non valide: usa il formato gg/mm/aaaa hh:mm" });
      return z.NEVER;
    }
    // The night the clocks change, an hour is skipped or comes twice: a time in it would be read
    // differently by whoever put it in a calendar.
    if (isSkippedRomeTime(v)) {
      ctx.addIssue({ code: "custom", message: `Quest'ora non esiste il ${formatDateIt(date)} (cambio all'ora legale): scegli un altro orario` });
      return z.NEVER;
    }
    if (isRepeatedRomeTime(v)) {
      ctx.addIssue({ code: "custom", message: `Quest'ora capita due volte il ${formatDateIt(date)} (ritorno all'ora solare): scegli un altro orario` });
      return z.NEVER;
    }
    return date;
  });

const roundTableFields = z.object({
  number: text().transform((value, ctx) => {
    const v = value.trim();
    if (!v) return null;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= 1 && n <= MAX_ROUND_TABLE_NUMBER)) {
      ctx.addIssue({ code: "custom", message: `Il numero del tavolo deve essere un numero intero da 1 a ${MAX_ROUND_TABLE_NUMBER} (oppure lascialo vuoto)` });
      return z.NEVER;
    }
    return n;
  }),
  title: text("Inserisci il titolo").pipe(z.string().trim().min(1, "Inserisci il titolo").max(200, maxLengthMessage("Il titolo", 200))),
  description: lines().pipe(z.string().trim().max(5000, maxLengthMessage("Il programma", 5000))),
  startsAt: dateTime("Indica data e ora di inizio"),
  endsAt: dateTime("Indica data e ora di fine"),
  mode: text("Scegli la modalità").refine((v) => (ROUND_TABLE_MODE_VALUES as string[]).includes(v), "Scegli la modalità") as unknown as z.ZodType<
    RoundTableMode,
    z.ZodTypeDef,
    string
  >,
  place: text()
    .pipe(z.string().trim().max(300, maxLengthMessage("Il luogo", 300)))
    .transform((v) => v || null),
  onlineUrl: text()
    .pipe(z.string().trim().max(500, maxLengthMessage("Il link", 500)))
    .refine((v) => !v || isHttpsUrl(v), "Il link per partecipare online deve essere un indirizzo completo che inizia con https://")
    .transform((v) => v || null),
  speakers: lines().transform((value, ctx) => {
    const { speakers, problems } = parseSpeakers(value);
    if (problems.length > 0) {
      ctx.addIssue({ code: "custom", message: problems[0] });
      return z.NEVER;
    }
    return speakers;
  }),
  reminderDays: text().transform((value, ctx) => {
    const v = value.trim();
    if (!v) {
      ctx.addIssue({ code: "custom", message: "Indica quanti giorni prima dell'inizio inviare il promemoria (0 per non inviarlo)" });
      return z.NEVER;
    }
    if (!/^\d{1,2}$/.test(v) || Number(v) > MAX_REMINDER_DAYS) {
      ctx.addIssue({ code: "custom", message: `I giorni del promemoria devono essere un numero intero da 0 a ${MAX_REMINDER_DAYS}` });
      return z.NEVER;
    }
    return Number(v);
  }),
});

const asRecord = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

// Rules spanning fields run first, on the raw input, so they are reported with every other error.
export const roundTableSchema = z.preprocess((raw, ctx) => {
  const v = asRecord(raw);
  const start = parseRomeLocal(trimmed(v.startsAt));
  const end = parseRomeLocal(trimmed(v.endsAt));
  if (start && end && end.getTime() <= start.getTime()) {
    ctx.addIssue({ code: "custom", path: ["endsAt"], message: "La fine deve essere successiva all'inizio" });
  }
  const mode = trimmed(v.mode);
  if ((mode === "in_presenza" || mode === "ibrido") && !trimmed(v.place)) {
    ctx.addIssue({ code: "custom", path: ["place"], message: "Indica il luogo dell'incontro (in presenza o ibrido)" });
  }
  // The link is for joining: a Tavolo whose end (as typed) has passed is a record of the past and may
  // be kept without one, like the history imported by db/seed-demo.ts. Judged on the form's own
  // values, so the browser and the server agree.
  const ended = end !== null && end.getTime() <= Date.now();
  if ((mode === "online" || mode === "ibrido") && !trimmed(v.onlineUrl) && !ended) {
    ctx.addIssue({ code: "custom", path: ["onlineUrl"], message: "Inserisci il link per partecipare online (https://…)" });
  }
  return raw;
}, roundTableFields);

export type RoundTableInput = z.output<typeof roundTableSchema>;

// Status changes.
export const cancelRoundTableSchema = confirmationSchema("Per annullare il tavolo spunta la conferma");
