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
  /** `answer` in the portal: «Partecipo» is PARTSTAT=ACCEPTED, «Non partecipo» DECLINED, none yet NEEDS-ACTION. */
  attendee?: { name: string; email: string; answer?: "yes" | "no" | "pending" };
};

type Attendee = NonNullable<CalendarEvent["attendee"]>;

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

/** Their calendar shows the answer given in the portal: attending, not attending, or still to answer. */
const partstatOf = ({ answer }: Attendee) => (answer === "yes" ? "ACCEPTED" : answer === "no" ? "DECLINED" : "NEEDS-ACTION");

function attendeeAttributes(attendee: Attendee): EventAttributes["attendees"] {
  // No reply is asked of the calendar: it would go to the sender's no-reply address and never reach
  // the portal, where the invitation is answered (/invito/:token, the referent area).
  const { name, email } = attendee;
  return [{ name, email, rsvp: false, partstat: partstatOf(attendee), role: "REQ-PARTICIPANT" }];
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

// ---------------------------------------------------------------------------------------------
// Folding (RFC 5545 §3.1): no line longer than 75 octets without its CRLF, longer ones split with
// CRLF and one space. `ics` folds at 75 characters (by grapheme), so a line with accented letters or
// emoji could exceed 75 octets: its text is unfolded and every line folded again here, by octets,
// between graphemes (between code points only for a grapheme longer than a whole line).

const MAX_OCTETS = 75;
const graphemes = new Intl.Segmenter("it", { granularity: "grapheme" });

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** UTF-8 octets of a code point (a lone surrogate is written as U+FFFD, 3 octets). */
const octetsOf = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/** One content line folded: at most 75 octets a line, continuation lines starting with one space. */
export function foldContentLine(line: string): string {
  const ascii = ASCII_ONLY.test(line);
  if (ascii && line.length <= MAX_OCTETS) return line;
  const parts: string[] = [];
  if (ascii) {
    parts.push(line.slice(0, MAX_OCTETS));
    for (let i = MAX_OCTETS; i < line.length; i += MAX_OCTETS - 1) parts.push(line.slice(i, i + MAX_OCTETS - 1));
    return parts.join("\r\n ");
  }
  // Octets counted code point by code point; the grapheme segmenter is asked only where a line is
  // cut (walking every grapheme of every line cost ten times more).
  const segments = graphemes.segment(line);
  let start = 0;
  let octets = 0;
  let limit = MAX_OCTETS; // then 74: the leading space counts
  for (let i = 0; i < line.length; ) {
    const codePoint = line.codePointAt(i)!;
    const size = octetsOf(codePoint);
    if (octets + size <= limit) {
      octets += size;
      i += codePoint > 0xffff ? 2 : 1;
      continue;
    }
    // Cut before the grapheme i belongs to, or at i when that grapheme alone fills the line.
    const grapheme = segments.containing(i)!.index;
    const cut = grapheme > start ? grapheme : i;
    parts.push(line.slice(start, cut));
    start = cut;
    limit = MAX_OCTETS - 1;
    octets = 0;
    for (const carried of line.slice(cut, i)) octets += octetsOf(carried.codePointAt(0)!);
  }
  if (start === 0) return line;
  parts.push(line.slice(start));
  return parts.join("\r\n ");
}

/** Lines folded in any way (CRLF or LF, then a space or a tab) joined back (RFC 5545 §3.1). */
export const unfoldCalendar = (text: string) => text.replace(/\r?\n[ \t]/g, "");

/**
 * iCalendar text (RFC 5545) with stable UIDs and SEQUENCE; start and end in Europe/Rome.
 * `ics` writes UTC times, which are rewritten here as TZID=Europe/Rome local times; lines are
 * folded again by octets (foldContentLine).
 */
export function buildCalendar(events: CalendarEvent[], { method, name }: { method: CalendarMethod; name?: string }): string {
  const { error, value } = createEvents(events.map(toAttributes), { productId: PRODUCT_ID, method, calName: name });
  if (error || !value) throw error ?? new Error("iCalendar generation failed");
  const withRomeTimes = unfoldCalendar(value).replace(
    /^(DTSTART|DTEND):(\d{8}T\d{6})Z$/gm,
    (_, key: string, utc: string) => `${key};TZID=Europe/Rome:${romeLocal(utc)}`,
  );
  const timezone = events.length > 0 ? `${ROME_VTIMEZONE}\r\n` : "";
  return withRomeTimes
    .replace(/\r?\nBEGIN:VEVENT/, `\r\n${timezone}BEGIN:VEVENT`)
    .split(/\r?\n/)
    .map(foldContentLine)
    .join("\r\n");
}

// ---------------------------------------------------------------------------------------------
// The invitations of a round table carry the same calendar but for the ATTENDEE line. Building
// it with `ics` for each of thousands of recipients validated (yup) and folded the whole event
// each time, a fifth of the delivery (issue 7). The shared text is built by buildCalendar once per
// event; each recipient's line is written here the way `ics` writes it (setContact,
// encodeParamValue) and folded like every line (foldContentLine), which
// tests/unit/utils/ical.test.ts checks byte for byte against buildCalendar.

const PLACEHOLDER_ATTENDEE: Attendee = { name: "Partecipante", email: "partecipante@segnaposto.invalid" };
const ATTENDEE_LINE = /^ATTENDEE[^\r\n]*(?:\r\n[ \t][^\r\n]*)*/m;
const sharedCalendars = new Map<string, { text: string; placeholderLine: string }>();

function attendeeLine(calendar: string) {
  const line = ATTENDEE_LINE.exec(calendar)?.[0];
  if (!line) throw new Error("iCalendar generation failed: no ATTENDEE line");
  return line;
}

const paramValue = (value: string) => `"${value.replaceAll('"', '\\"')}"`;

function formatAttendeeLine(attendee: Attendee) {
  const { name, email } = attendee;
  const contact = `RSVP=FALSE;ROLE=${paramValue("REQ-PARTICIPANT")};PARTSTAT=${paramValue(partstatOf(attendee))};CN=${paramValue(name || "Unnamed attendee")}:mailto:${email}`;
  return foldContentLine(`ATTENDEE;${contact.replace(/\r?\n/g, "\\n")}`);
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
