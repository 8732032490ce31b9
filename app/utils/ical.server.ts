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

function attendeeAttributes({ name, email }: { name: string; email: string }): EventAttributes["attendees"] {
  // No reply is asked of the calendar: it would go to the sender's no-reply address and never reach
  // the portal, where the invitation is answered (/invito/:token, the referent area).
  return [{ name, email, rsvp: false, partstat: "NEEDS-ACTION", role: "REQ-PARTICIPANT" }];
}

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
    attendees: event.attendee ? attendeeAttributes(event.attendee) : undefined,
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

// ---------------------------------------------------------------------------------------------
// The invitations of a round table carry the same calendar but for the ATTENDEE line. Building
// it with `ics` for each of thousands of recipients validated (yup) and folded the whole event
// each time, a fifth of the delivery (issue 7). The shared text is built by `ics` once per event;
// each recipient's line is written here the way `ics` writes it (setContact, encodeParamValue,
// foldLine: 75 characters, then 74, by grapheme), which tests/unit/utils/ical.test.ts checks
// byte for byte against `ics` itself.

type Attendee = NonNullable<CalendarEvent["attendee"]>;

const PLACEHOLDER_ATTENDEE: Attendee = { name: "Partecipante", email: "partecipante@segnaposto.invalid" };
const ATTENDEE_LINE = /^ATTENDEE[^\r\n]*(?:\r\n[ \t][^\r\n]*)*/m;
const sharedCalendars = new Map<string, { text: string; placeholderLine: string }>();
const graphemes = new Intl.Segmenter("it", { granularity: "grapheme" });

function attendeeLine(calendar: string) {
  const line = ATTENDEE_LINE.exec(calendar)?.[0];
  if (!line) throw new Error("iCalendar generation failed: no ATTENDEE line");
  return line;
}

const paramValue = (value: string) => `"${value.replaceAll('"', '\\"')}"`;

function foldLine(line: string) {
  const parts: string[] = [];
  let current = "";
  let count = 0;
  let limit = 75;
  for (const { segment } of graphemes.segment(line)) {
    if (count === limit) {
      parts.push(current);
      current = "";
      count = 0;
      limit = 74;
    }
    current += segment;
    count++;
  }
  parts.push(current);
  return parts.join("\r\n\t");
}

function formatAttendeeLine({ name, email }: Attendee) {
  const contact = `RSVP=FALSE;ROLE=${paramValue("REQ-PARTICIPANT")};PARTSTAT=${paramValue("NEEDS-ACTION")};CN=${paramValue(name || "Unnamed attendee")}:mailto:${email}`;
  return foldLine(`ATTENDEE;${contact.replace(/\r?\n/g, "\\n")}`);
}

/** The same text as buildCalendar([event]) for an event with an attendee, built faster for many attendees of one event. */
export function buildAttendeeCalendar(event: CalendarEvent & { attendee: Attendee }, { method }: { method: CalendarMethod }): string {
  const { attendee, ...shared } = event;
  const key = JSON.stringify([method, shared]);
  let base = sharedCalendars.get(key);
  if (!base) {
    const text = buildCalendar([{ ...shared, attendee: PLACEHOLDER_ATTENDEE }], { method });
    base = { text, placeholderLine: attendeeLine(text) };
    if (sharedCalendars.size >= 100) sharedCalendars.clear();
    sharedCalendars.set(key, base);
  }
  const line = formatAttendeeLine(attendee);
  return base.text.replace(base.placeholderLine, () => line);
}
