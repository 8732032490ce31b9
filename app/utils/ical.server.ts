import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { createEvents, type EventAttributes } from "ics";
import { TIME_ZONE } from "./dates";

export type CalendarEvent = {
  uid: string;
  sequence: number;
  title: string;
  description: string;
  start: Date;
  end: Date;
  location?: string | null;
  url?: string | null;
  cancelled?: boolean;
  organizer?: { name: string; email: string };
  attendee?: { name: string; email: string };
};

export type CalendarMethod = "PUBLISH" | "REQUEST" | "CANCEL";

const PRODUCT_ID = "-//ANCI Sicilia//Portale Coordinamento SAI//IT";

// Europe/Rome as a VTIMEZONE, so calendars show the times the Coordinamento announced.
const ROME_VTIMEZONE = [
  "BEGIN:VTIMEZONE",
  "TZID:Europe/Rome",
  "BEGIN:DAYLIGHT",
  "TZOFFSETFROM:+0100",
  "TZOFFSETTO:+0200",
  "TZNAME:CEST",
  "DTSTART:19700329T020000",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
  "END:DAYLIGHT",
  "BEGIN:STANDARD",
  "TZOFFSETFROM:+0200",
  "TZOFFSETTO:+0100",
  "TZNAME:CET",
  "DTSTART:19701025T030000",
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "END:STANDARD",
  "END:VTIMEZONE",
].join("\r\n");

function toAttributes(event: CalendarEvent): EventAttributes {
  return {
    uid: event.uid,
    sequence: event.sequence,
    title: event.title,
    description: event.description,
    start: event.start.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    end: event.end.getTime(),
    endInputType: "utc",
    endOutputType: "utc",
    location: event.location ?? undefined,
    url: event.url ?? undefined,
    status: event.cancelled ? "CANCELLED" : "CONFIRMED",
    organizer: event.organizer,
    attendees: event.attendee
      ? [{ name: event.attendee.name, email: event.attendee.email, rsvp: true, partstat: "NEEDS-ACTION", role: "REQ-PARTICIPANT" }]
      : undefined,
  };
}

// Remembered: the invitations of a round table all carry the same two times (issue 7).
const romeLocalCache = new Map<string, string>();

const romeLocal = (utc: string) => {
  let local = romeLocalCache.get(utc);
  if (local === undefined) {
    const d = new Date(`${utc.slice(0, 4)}-${utc.slice(4, 6)}-${utc.slice(6, 8)}T${utc.slice(9, 11)}:${utc.slice(11, 13)}:${utc.slice(13, 15)}Z`);
    local = format(new TZDate(d, TIME_ZONE), "yyyyMMdd'T'HHmmss");
    if (romeLocalCache.size >= 1000) romeLocalCache.clear();
    romeLocalCache.set(utc, local);
  }
  return local;
};

/**
 * iCalendar text (RFC 5545) with stable UIDs and SEQUENCE; start and end in Europe/Rome.
 * `ics` writes UTC times, which are rewritten here as TZID=Europe/Rome local times.
 */
export function buildCalendar(events: CalendarEvent[], { method, name }: { method: CalendarMethod; name?: string }): string {
  const { error, value } = createEvents(events.map(toAttributes), { productId: PRODUCT_ID, method, calName: name });
  if (error || !value) throw error ?? new Error("iCalendar generation failed");
  const withRomeTimes = value.replace(/^(DTSTART|DTEND):(\d{8}T\d{6})Z$/gm, (_, key: string, utc: string) => `${key};TZID=Europe/Rome:${romeLocal(utc)}`);
  const timezone = events.length > 0 ? `${ROME_VTIMEZONE}\r\n` : "";
  return withRomeTimes.replace(/\r?\nBEGIN:VEVENT/, `\r\n${timezone}BEGIN:VEVENT`).replace(/\r?\n/g, "\r\n");
}
