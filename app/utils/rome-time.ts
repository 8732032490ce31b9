import { TZDate, tz } from "@date-fns/tz";
import { format, isValid, parse } from "date-fns";
import { TIME_ZONE } from "./dates";

// Round tables are announced in Italian time: these helpers turn <input type="datetime-local">
// values into instants and back, always in Europe/Rome whatever the server's or browser's zone.

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;
// What people type where the browser offers no date picker: "15/12/2026 15:00" (the year in full).
const TYPED_PATTERN = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/;

/**
 * A date and time as a datetime-local value ("2026-12-15T15:00"), whether it came as one or typed
 * as "15/12/2026 15:00"; the value itself when it is neither (the callers then find no date).
 */
function asLocalInput(value: string) {
  const v = value.trim();
  if (!TYPED_PATTERN.test(v)) return v;
  // Read in UTC, where every hour exists: the server's own zone would move 02:30 of the spring
  // change to 03:30 and hide it from isSkippedRomeTime.
  const date = parse(v, "d/M/yyyy H:mm", new Date(2000, 0, 1), { in: tz("UTC") });
  return isValid(date) ? format(date, "yyyy-MM-dd'T'HH:mm") : v;
}

/** "2026-12-03T15:00" or "3/12/2026 15:00" read as Italian time, or null when it is not a real date and time. */
export function parseRomeLocal(value: string): Date | null {
  const m = LOCAL_PATTERN.exec(asLocalInput(value));
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  const instant = new TZDate(year, month - 1, day, hour, minute, TIME_ZONE).getTime();
  // 02:00–02:59 on the last Sunday of October comes twice. Calendars read an .ics time with TZID as
  // its first occurrence (RFC 5545, 3.3.5), still summer time: so does the portal, or the invitation
  // would show an hour off from the page. The Tavolo's form refuses such a time (isRepeatedRomeTime).
  const hourEarlier = instant - 60 * 60 * 1000;
  return new Date(toRomeLocalInput(hourEarlier) === toRomeLocalInput(instant) ? hourEarlier : instant);
}

/**
 * Whether a date and time typed for Italy falls in the hour skipped when the clocks go forward
 * (the last Sunday of March, 02:00–02:59): parseRomeLocal would move it an hour later.
 */
export function isSkippedRomeTime(value: string) {
  const date = parseRomeLocal(value);
  const m = LOCAL_PATTERN.exec(asLocalInput(value));
  if (!date || !m) return false;
  const [year, month, day, hour, minute] = m.slice(1);
  return toRomeLocalInput(date) !== `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}T${hour.padStart(2, "0")}:${minute}`;
}

/**
 * Whether a date and time typed for Italy comes twice, when the clocks go back (the last Sunday of
 * October, 02:00–02:59): first in summer time, then an hour later in winter time.
 */
export function isRepeatedRomeTime(value: string) {
  const first = parseRomeLocal(value);
  return !!first && toRomeLocalInput(first.getTime() + 60 * 60 * 1000) === toRomeLocalInput(first);
}

/** The value of a datetime-local input showing this instant in Italian time. */
export function toRomeLocalInput(date: Date | string | number) {
  return format(new TZDate(new Date(date), TIME_ZONE), "yyyy-MM-dd'T'HH:mm");
}
