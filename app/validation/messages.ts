import { formatCount } from "~/utils/numbers";

/**
 * "Il nome può avere al massimo 100 caratteri": a length error names its field, since the error
 * summary lists it away from the field (WCAG 3.3.1). `subject` carries its article.
 */
export const maxLengthMessage = (subject: string, max: number) =>
  `${subject} può avere al massimo ${formatCount(max)} caratteri`;
