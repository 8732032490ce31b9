import { describe, expect, it } from "vitest";
import { buildAttendeeCalendar, buildCalendar } from "~/utils/ical.server";

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

describe("buildAttendeeCalendar", () => {
  const organizer = { name: "Coordinamento SAI - ANCI Sicilia", email: "noreply@example.org" };
  const attendees = [
    { name: "Maria Rossi", email: "maria.rossi@comune.example.it" },
    { name: "Nicolò D'Amico-Lo Verde, dirigente; servizi \"sociali\"", email: "n.damico@comune.santagatadimilitello.example.it" },
    { name: "Giuseppe Maria Francesco Saverio Alessandro Bonaventura Lo Presti Seminerio", email: "g.lopresti@example.org" },
    { name: "Ελένη 🇮🇹 Ñoño", email: "eleni@example.org" },
    { name: "referente@example.org", email: "referente@example.org" },
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
