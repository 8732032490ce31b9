import { z } from "zod";
import { parseRecordId } from "~/utils/record-id";
import { cleanLines } from "~/utils/text";
import { formatCount } from "~/utils/numbers";

// The reason a coordinator gives when rejecting a request or revoking a membership. The rejection
// reason is quoted in the email to the referente, so it must be a real sentence.

export const DECISION_REASON_MIN = 10;
export const DECISION_REASON_MAX = 2000;

const reason = (missing: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? cleanLines(v) : ""),
    z
      .string()
      .trim()
      .min(1, missing)
      .min(DECISION_REASON_MIN, `Il motivo deve contenere almeno ${DECISION_REASON_MIN} caratteri`)
      .max(DECISION_REASON_MAX, `Il motivo può contenere al massimo ${formatCount(DECISION_REASON_MAX)} caratteri`),
  );

export const rejectionSchema = z.object({
  reason: reason("Indica il motivo del rifiuto: sarà riportato nell'email al referente"),
});

export const revocationSchema = z.object({
  reason: reason("Indica il motivo della revoca"),
});

export type DecisionReasonInput = { reason: string };

// The approval form names, in a hidden field, the referente in office the page showed: the approval
// is refused if another has taken office meanwhile (another scheda of the ente approved in another tab).

export const SHOWN_REFERENT_FIELD = "referenteInCarica";
/** The hidden field's value when the page showed no referente in office. */
export const NO_REFERENT_SHOWN = "nessuno";

/** The hidden field as the approval reads it: the referente's id, null for none, undefined when the form did not say. */
export function parseShownReferent(value: FormDataEntryValue | null): number | null | undefined {
  if (value === NO_REFERENT_SHOWN) return null;
  return typeof value === "string" ? parseRecordId(value) ?? undefined : undefined;
}

/** The list's approval form names the referente in office of each request's ente, field by field. */
export const shownReferentFieldOf = (requestId: number) => `${SHOWN_REFERENT_FIELD}.${requestId}`;

/** The referente in office the list showed for each of these requests' enti (see parseShownReferent). */
export function parseShownReferents(formData: FormData, ids: number[]) {
  return new Map(ids.map((id) => [id, parseShownReferent(formData.get(shownReferentFieldOf(id)))]));
}

/** The value of the hidden field for a referente in office (null: none). */
export const shownReferentValue = (referentId: number | null) => (referentId === null ? NO_REFERENT_SHOWN : String(referentId));
