import { z } from "zod";

// The forms of the privacy page of the referent area and of the coordinators' erasure page.

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/** "Comunicazioni": the checkbox unticked means no comunicazioni (service emails still arrive). */
export const communicationsSchema = z.object({ receivesCommunications: checkbox });

/** "Chiedi la cancellazione": the referente confirms having read what the erasure implies. */
export const erasureRequestSchema = z.object({
  confirmErasure: checkbox.refine((v) => v, "Per inviare la richiesta conferma di aver letto che cosa comporta la cancellazione"),
});
export type ErasureRequestInput = { confirmErasure: boolean };

/** A coordinator executes an erasure request: the referente and an explicit confirmation. */
export const erasureExecutionSchema = z.object({
  referentId: z.preprocess(
    (v) => (typeof v === "string" ? Number(v) : v),
    z.number({ required_error: "Referente non valido: ricarica la pagina e riprova", invalid_type_error: "Referente non valido: ricarica la pagina e riprova" }).int("Referente non valido: ricarica la pagina e riprova").positive("Referente non valido: ricarica la pagina e riprova"),
  ),
  confirm: checkbox.refine((v) => v, "Spunta la conferma prima di eseguire la cancellazione"),
});
