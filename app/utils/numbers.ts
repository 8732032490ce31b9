/**
 * A count written the Italian way, with the thousands separator from 1.000 on ("1.610", "5.133").
 * Intl's it-IT groups only from five digits ("1610"), so the same figure read differently on the
 * home page and in the admin area.
 */
export function formatCount(value: number) {
  return String(Math.trunc(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}
