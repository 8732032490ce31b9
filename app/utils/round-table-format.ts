import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { it } from "date-fns/locale";
import { italianIsoDay } from "./dates";
import { roundTableHeading } from "./round-table-calendar";

// How invitations, reminders and the invitation page word a round table's date and name.
// Browser-safe (no server imports): used by emails and by route components.

const rome = (value: Date | string | number) => new TZDate(new Date(value), "Europe/Rome");

// Time-zone formatting costs tens of microseconds per date, and every invitation of a round table
// words the same dates (twice per email): the wordings are remembered (issue 7, delivery rate).
const whenCache = new Map<string, string>();

/** "martedì 3 dicembre 2026, dalle 15:00 alle 17:00" (Italian time). */
export function roundTableWhen(rt: { startsAt: Date | string | number; endsAt: Date | string | number }) {
  const key = `${new Date(rt.startsAt).getTime()}|${new Date(rt.endsAt).getTime()}`;
  let wording = whenCache.get(key);
  if (wording === undefined) {
    wording = formatWhen(rt);
    if (whenCache.size >= 1000) whenCache.clear();
    whenCache.set(key, wording);
  }
  return wording;
}

function formatWhen(rt: { startsAt: Date | string | number; endsAt: Date | string | number }) {
  const start = rome(rt.startsAt);
  const end = rome(rt.endsAt);
  const day = (d: Date) => format(d, "EEEE d MMMM yyyy", { locale: it });
  const time = (d: Date) => format(d, "HH:mm");
  if (day(start) === day(end)) return `${day(start)}, dalle ${time(start)} alle ${time(end)}`;
  return `da ${day(start)} alle ${time(start)} a ${day(end)} alle ${time(end)}`;
}

/** "3° Tavolo tecnico - Titolo" or "Tavolo tecnico - Titolo". */
export const roundTableName = (rt: { number?: number | null; title: string }) => `${roundTableHeading(rt)} - ${rt.title}`;

/**
 * The start of a file name about a round table, as people know it: by its number
 * ("tavolo-tecnico-7"), or by its day when it has none ("tavolo-tecnico-2026-05-20"). A cancelled
 * one gives its number back (migration 0011) to the Tavolo that replaces it, so its files say
 * "annullato" and, after a number, its day ("tavolo-tecnico-7-del-2026-05-20-annullato"): the
 * two Tavoli's downloads never share a name, nor do two cancelled 7s of different days.
 */
export function roundTableFileStem(rt: { number?: number | null; startsAt: Date; status: "draft" | "published" | "cancelled" }) {
  if (rt.status !== "cancelled") return `tavolo-tecnico-${rt.number ?? italianIsoDay(rt.startsAt)}`;
  const day = italianIsoDay(rt.startsAt);
  return rt.number == null ? `tavolo-tecnico-${day}-annullato` : `tavolo-tecnico-${rt.number}-del-${day}-annullato`;
}

/** Said after a «Partecipo» that brought the invitee's calendar up to date (answerInvitation's calendarSent). */
export const CALENDAR_RESENT_MESSAGE =
  "Dopo l'invito il Tavolo tecnico è stato modificato: ti abbiamo inviato per email i dettagli aggiornati, con l'evento da aggiungere al calendario.";
