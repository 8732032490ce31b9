import { z } from "zod";
import { OUTBOX_STATUSES } from "#db/enums";
import { pagina } from "./page-param";

const optional = <T extends z.ZodTypeAny>(schema: T) => schema.optional().catch(undefined);

/** The delivery log's GET parameters; anything malformed is ignored rather than an error. */
export const outboxQuerySchema = z.object({
  stato: optional(z.enum(OUTBOX_STATUSES)),
  modello: optional(z.string().trim().max(100).regex(/^[a-z-]+$/)),
  destinatario: optional(z.string().trim().max(254).min(1)),
  tavolo: optional(z.coerce.number().int().positive()),
  comunicazione: optional(z.coerce.number().int().positive()),
  pagina,
});

export const retrySchema = z.object({
  ids: z.array(z.coerce.number().int().positive()).min(1, "Seleziona almeno un messaggio da riprovare").max(1000),
});
