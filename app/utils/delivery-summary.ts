import { formatCount } from "~/utils/numbers";

// Where the emails of a comunicazione stand, as its page and the list of comunicazioni word it:
// "1 consegnata", "3 consegnate", "1 non consegnata" (an email, feminine, agrees with its count).

const n = (count: number) => formatCount(count);
const agreed = (count: number) => (count === 1 ? "consegnata" : "consegnate");

export const deliveredText = (count: number) => `${n(count)} ${agreed(count)}`;
export const waitingText = (count: number) => `${n(count)} in attesa`;
export const failedText = (count: number) => `${n(count)} non ${agreed(count)}`;

/** "9 consegnate, 0 in attesa, 1 non consegnata". */
export function deliverySummary(counts: { sent: number; queued: number; sending: number; failed: number }) {
  return [deliveredText(counts.sent), waitingText(counts.queued + counts.sending), failedText(counts.failed)].join(", ");
}
