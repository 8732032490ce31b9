import { z } from "zod";
import { cleanLines } from "~/utils/text";

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
      .max(DECISION_REASON_MAX, `Il motivo può contenere al massimo ${DECISION_REASON_MAX} caratteri`),
  );

export const rejectionSchema = z.object({
  reason: reason("Indica il motivo del rifiuto: sarà riportato nell'email al referente"),
});

export const revocationSchema = z.object({
  reason: reason("Indica il motivo della revoca"),
});

export type DecisionReasonInput = { reason: string };
