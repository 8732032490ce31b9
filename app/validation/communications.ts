import { z } from "zod";
import { cleanLine, cleanLines } from "~/utils/text";
import { confirmationSchema } from "./confirmation";
import { segmentFields } from "./recipient-segment";
import { maxLengthMessage } from "./messages";

// The form of a comunicazione (/admin/comunicazioni/nuova): subject, text, the segment of referenti
// and an optional attachment. The file itself is read by the action (multipart), not by this schema.

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_BODY_LENGTH = 20_000;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_TOO_LARGE_MESSAGE =
  "L'allegato supera il limite di 10 MB, oltre il quale molte caselle rifiutano i messaggi: riducine le dimensioni o pubblicalo come materiale e metti il link nel testo.";

const text = (clean: (v: string) => string) => z.preprocess((v) => (typeof v === "string" ? clean(v) : ""), z.string());

export const communicationFormSchema = z.object({
  oggetto: text(cleanLine).pipe(
    z.string().trim().min(1, "Scrivi l'oggetto della comunicazione").max(MAX_SUBJECT_LENGTH, maxLengthMessage("L'oggetto", MAX_SUBJECT_LENGTH)),
  ),
  testo: text(cleanLines).pipe(
    z.string().trim().min(1, "Scrivi il testo della comunicazione").max(MAX_BODY_LENGTH, maxLengthMessage("Il testo", MAX_BODY_LENGTH)),
  ),
  ...segmentFields,
  rimuoviAllegato: z.preprocess((v) => v === true || v === "on", z.boolean()).default(false),
});

export type CommunicationFormInput = z.input<typeof communicationFormSchema>;
export type CommunicationForm = z.output<typeof communicationFormSchema>;

export type CommunicationFormValues = { oggetto: string; testo: string; provincia: string[]; tipologia: string[]; rimuoviAllegato: boolean };

/** The paragraphs of the email: the text split at blank lines. */
export const paragraphsOf = (body: string) =>
  body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

export const DELETE_DRAFT_UNCONFIRMED = "Per eliminare la bozza spunta la conferma";
/** «Elimina la bozza» asks for this tick first: the draft and its attachment cannot be recovered. */
export const deleteDraftSchema = confirmationSchema(DELETE_DRAFT_UNCONFIRMED);
