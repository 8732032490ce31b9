import { createEvents } from "ics";
import { describe, expect, it } from "vitest";
import { buildAttendeeCalendar, buildCalendar, foldContentLine, unfoldCalendar } from "~/utils/ical.server";

const event = {
  uid: "tavolo-7@sai.example.org",
  sequence: 2,
  title: "7° Tavolo tecnico: accoglienza integrata",
  description: "Programma; con punto e virgola, e a capo\nseconda riga",
  start: new Date("2026-12-03T14:00:00Z"), // 15:00 in Rome (CET)
  end: new Date("2026-12-03T16:00:00Z"),
  location: "Palermo, Sala ANCI",
  url: "https://meet.example.org/tavolo-7",
};

describe("buildCalendar", () => {
  it("writes a valid calendar with Europe/Rome times, stable UID and SEQUENCE", () => {
    const ics = buildCalendar([event], { method: "REQUEST" });
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(ics.trimEnd().endsWith("END:VCALENDAR")).toBe(true);
    expect(ics).toContain("METHOD:REQUEST");
    expect(ics).toContain("UID:tavolo-7@sai.example.org");
    expect(ics).toContain("SEQUENCE:2");
    expect(ics).toContain("DTSTART;TZID=Europe/Rome:20261203T150000");
    expect(ics).toContain("DTEND;TZID=Europe/Rome:20261203T170000");
    expect(ics).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Rome");
    expect(ics.indexOf("BEGIN:VTIMEZONE")).toBeLessThan(ics.indexOf("BEGIN:VEVENT"));
    expect(ics).toContain("STATUS:CONFIRMED");
    expect(ics).not.toMatch(/[^\r]\n/);
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it("uses summer time in summer and marks cancellations", () => {
    const ics = buildCalendar([{ ...event, start: new Date("2027-06-10T07:00:00Z"), end: new Date("2027-06-10T11:00:00Z"), cancelled: true }], { method: "CANCEL" });
    expect(ics).toContain("DTSTART;TZID=Europe/Rome:20270610T090000");
    expect(ics).toContain("STATUS:CANCELLED");
    expect(ics).toContain("METHOD:CANCEL");
  });

  it("builds a feed of several events", () => {
    const ics = buildCalendar([event, { ...event, uid: "tavolo-8@sai.example.org" }], { method: "PUBLISH", name: "Tavoli tecnici" });
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(ics.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    expect(ics).toContain("X-WR-CALNAME:Tavoli tecnici");
  });
});

// Long Italian text with accents, a flag and a family emoji (one grapheme of seven code points).
const italian = {
  ...event,
  title: "Tavolo tecnico sull’accoglienza integrata: perché è più difficile per le città più piccole 🇮🇹 👨‍👩‍👧‍👦 àèéìòù",
  description: `Ordine del giorno: l’identità dei progetti, la qualità dell’accoglienza e l’università 😊\n${"àèìòù ".repeat(30)}`,
  location: "Città Metropolitana di Catania, Sala “Nicolò Paternò”, piano più alto 🏛️",
};
const SUMMARY = `SUMMARY:${italian.title}`;

/** What a reader of RFC 5545 checks: lines of at most 75 octets, folds on one space, no character or grapheme cut. */
function expectFoldedByOctets(text: string) {
  expect(text.endsWith("\r\n") || text.endsWith("END:VCALENDAR")).toBe(true);
  expect(text).not.toMatch(/\r?\n\t/);
  const lines = text.split("\r\n");
  for (const line of lines) {
    expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(75);
    // No surrogate pair cut (so no UTF-8 sequence cut): the line survives a round trip through UTF-8.
    expect(Buffer.from(line, "utf8").toString("utf8"), line).toBe(line);
  }
  // Each folded line's graphemes are the unfolded line's: no grapheme is cut either.
  const segmenter = new Intl.Segmenter("it", { granularity: "grapheme" });
  const segments = (t: string) => [...segmenter.segment(t)].map((s) => s.segment);
  for (const logical of text.split(/\r\n(?![ ])/)) {
    const pieces = logical.split("\r\n ");
    expect(pieces.flatMap(segments)).toEqual(segments(pieces.join("")));
  }
}

describe("folding by octets (RFC 5545 §3.1)", () => {
  it("keeps every line of a calendar with accents and emoji within 75 octets, and unfolding gives the text back", () => {
    const ics = buildCalendar([italian, { ...italian, uid: "tavolo-8@sai.example.org" }], { method: "PUBLISH", name: "Tavoli tecnici - Città e qualità 🇮🇹" });
    expectFoldedByOctets(ics);
    const unfolded = unfoldCalendar(ics).split("\r\n");
    expect(unfolded.filter((l) => l === SUMMARY)).toHaveLength(2);
    expect(unfolded).toContain(`DESCRIPTION:${italian.description.replace(",", "\\,").replace("\n", "\\n")}`);
    expect(unfolded).toContain("LOCATION:Città Metropolitana di Catania\\, Sala “Nicolò Paternò”\\, piano più alto 🏛️");
  });

  it("is the text `ics` writes, once unfolded, but for the times in Europe/Rome", () => {
    const { value } = createEvents([{ uid: italian.uid, sequence: 2, title: italian.title, description: italian.description, location: italian.location, start: italian.start.getTime(), startInputType: "utc", startOutputType: "utc", end: italian.end.getTime(), endInputType: "utc", endOutputType: "utc", url: italian.url, status: "CONFIRMED" }], { productId: "-//ANCI Sicilia//Portale Coordinamento SAI//IT", method: "PUBLISH" });
    const ours = new Set(unfoldCalendar(buildCalendar([italian], { method: "PUBLISH" })).split("\r\n"));
    const theirs = unfoldCalendar(value!.replace(/\r?\n/g, "\r\n")).split("\r\n").filter((l) => !/^(DTSTART|DTEND|DTSTAMP)/.test(l));
    expect(theirs.filter((l) => !ours.has(l))).toEqual([]);
    expect(theirs).toContain(SUMMARY);
  });

  it("folds one line at 75 octets, then 74 after the space, and cuts a grapheme longer than a line between code points", () => {
    const ascii = `DESCRIPTION:${"x".repeat(200)}`;
    expect(foldContentLine(ascii).split("\r\n").map((l) => l.length)).toEqual([75, 75, 1 + 212 - 75 - 74]);
    expect(foldContentLine(ascii).replaceAll("\r\n ", "")).toBe(ascii);
    const accented = `SUMMARY:${"è".repeat(100)}`; // 208 octets
    const lines = foldContentLine(accented).split("\r\n");
    // 8 + 33 "è" = 74 (one more would be 76), then a space and 37 "è", then a space and the last 30.
    expect(lines.map((l) => Buffer.byteLength(l))).toEqual([74, 75, 61]);
    expect(unfoldCalendar(foldContentLine(accented))).toBe(accented);
    const huge = `SUMMARY:e${"\u0301".repeat(60)}`; // one grapheme of 129 octets
    const hugeLines = foldContentLine(huge).split("\r\n");
    for (const l of hugeLines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(unfoldCalendar(hugeLines.join("\r\n"))).toBe(huge);
    expect(foldContentLine("SUMMARY:breve")).toBe("SUMMARY:breve");
  });
});

describe("buildAttendeeCalendar", () => {
  const organizer = { name: "Coordinamento SAI - ANCI Sicilia", email: "noreply@example.org" };
  const attendees = [
    { name: "Maria Rossi", email: "maria.rossi@comune.example.it" },
    { name: "Nicolò D'Amico-Lo Verde, dirigente; servizi \"sociali\"", email: "n.damico@comune.santagatadimilitello.example.it" },
    { name: "Giuseppe Maria Francesco Saverio Alessandro Bonaventura Lo Presti Seminerio", email: "g.lopresti@example.org" },
    { name: "Ελένη 🇮🇹 Ñoño", email: "eleni@example.org" },
    { name: "referente@example.org", email: "referente@example.org" },
    { name: "Rosalia Lo Presti", email: "r.lopresti@example.org", accepted: true },
    { name: "Maria Àngela Nicolò Paternò Castelli di Sant’Agata, Città Metropolitana di Catania 👩‍👩‍👧", email: "m.paterno@comune.example.it" },
  ];

  it("gives each attendee exactly the calendar buildCalendar gives, while building the shared part once", () => {
    // DTSTAMP is the moment the shared part was built: on a busy machine the two may fall in different seconds.
    const sameStamp = (text: string) => text.replace(/DTSTAMP:\d{8}T\d{6}Z/g, "DTSTAMP:…");
    for (const method of ["REQUEST", "CANCEL"] as const) {
      for (const attendee of attendees) {
        const full = { ...event, organizer, attendee, cancelled: method === "CANCEL" };
        expect(sameStamp(buildAttendeeCalendar(full, { method }))).toBe(sameStamp(buildCalendar([full], { method })));
      }
    }
  });

  it("folds each attendee's line by octets too", () => {
    for (const attendee of attendees) expectFoldedByOctets(buildAttendeeCalendar({ ...italian, organizer, attendee }, { method: "REQUEST" }));
    const unfolded = unfoldCalendar(buildAttendeeCalendar({ ...italian, organizer, attendee: attendees.at(-1)! }, { method: "REQUEST" }));
    expect(unfolded).toContain(`CN="${attendees.at(-1)!.name}":mailto:m.paterno@comune.example.it\r\n`);
  });

  it("never mixes up two events or two versions of one", () => {
    const attendee = attendees[0];
    const first = buildAttendeeCalendar({ ...event, organizer, attendee }, { method: "REQUEST" });
    const moved = buildAttendeeCalendar({ ...event, organizer, attendee, sequence: 3, start: new Date("2026-12-04T14:00:00Z") }, { method: "REQUEST" });
    expect(first).toContain("SEQUENCE:2");
    expect(moved).toContain("SEQUENCE:3");
    expect(moved).toContain("DTSTART;TZID=Europe/Rome:20261204T150000");
    expect(buildAttendeeCalendar({ ...event, organizer, attendee }, { method: "REQUEST" })).toBe(first);
  });
});
