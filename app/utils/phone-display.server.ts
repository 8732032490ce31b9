import { parsePhoneNumberFromString } from "libphonenumber-js";

// Formatting parses the number against the numbering plans each time (about 25 µs): a page of the
// member list shows 25, the exports thousands, and the same numbers come back page after page.
const formatted = new Map<string, string>();
const MAX_REMEMBERED = 20_000;

/** "+390911234567" as people write it: "091 123 4567" (numbers abroad keep their prefix); null when there is none. */
export function displayPhone(value: string | null): string | null {
  if (!value) return null;
  let shown = formatted.get(value);
  if (shown === undefined) {
    const parsed = parsePhoneNumberFromString(value);
    shown = !parsed ? value : parsed.country === "IT" ? parsed.formatNational() : parsed.formatInternational();
    if (formatted.size >= MAX_REMEMBERED) formatted.clear();
    formatted.set(value, shown);
  }
  return shown;
}
