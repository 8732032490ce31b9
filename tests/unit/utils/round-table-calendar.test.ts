import { describe, expect, it } from "vitest";
import { buildCalendar } from "~/utils/ical.server";
import { isRepeatedRomeTime, isSkippedRomeTime, parseRomeLocal, toRomeLocalInput } from "~/utils/rome-time";
import { roundTableWhen } from "~/utils/round-table-format";
import { roundTableCalendarEvent, roundTableEmailData, roundTableHeading, roundTableHeadingAfter, roundTableUid } from "~/utils/round-table-calendar";
import { parseSpeakers, speakersToText } from "~/validation/round-table";

const rt = {
  id: 12,
  number: 3,
  title: "Coordinamento dei Progetti SAI della Provincia di Brescia",
  description: "15:00 Saluti",
  startsAt: new Date("2030-12-03T14:00:00Z"),
  endsAt: new Date("2030-12-03T16:00:00Z"),
  mode: "ibrido" as const,
  place: "Palermo",
  onlineUrl: "https://meet.example.org/x",
  sequence: 2,
  status: "published" as const,
  speakers: [{ name: "A. Trebeschi", affiliation: "Brescia" }],
};

describe("Europe/Rome times of the round-table form", () => {
  it("reads datetime-local values as Italian time, in winter and in summer", () => {
    expect(parseRomeLocal("2030-12-03T15:00")?.toISOString()).toBe("2030-12-03T14:00:00.000Z");
    expect(parseRomeLocal("2031-06-10T09:30")?.toISOString()).toBe("2031-06-10T07:30:00.000Z");
    expect(parseRomeLocal("2030-02-30T15:00")).toBeNull();
    expect(parseRomeLocal("3 dicembre")).toBeNull();
    expect(toRomeLocalInput(new Date("2031-06-10T07:30:00Z"))).toBe("2031-06-10T09:30");
    expect(roundTableWhen(rt)).toBe("martedì 3 dicembre 2030, dalle 15:00 alle 17:00");
  });

  it("words a meeting over two days as the emails do", () => {
    const start = parseRomeLocal("2027-03-27T15:00")!;
    const end = parseRomeLocal("2027-03-28T12:00")!;
    expect(roundTableWhen({ startsAt: start, endsAt: end })).toBe("da sabato 27 marzo 2027 alle 15:00 a domenica 28 marzo 2027 alle 12:00");
  });

  it("reads the hour that comes twice in autumn as its first occurrence, as calendars read the .ics", () => {
    expect(parseRomeLocal("2027-10-31T02:30")?.toISOString()).toBe("2027-10-31T00:30:00.000Z");
    expect(parseRomeLocal("2027-10-31T01:59")?.toISOString()).toBe("2027-10-30T23:59:00.000Z");
    expect(parseRomeLocal("2027-10-31T03:00")?.toISOString()).toBe("2027-10-31T02:00:00.000Z");
    expect(toRomeLocalInput(parseRomeLocal("2027-10-31T02:30")!)).toBe("2027-10-31T02:30");
  });
});

describe("dates typed by hand, where the browser offers no date picker", () => {
  it("reads gg/mm/aaaa hh:mm as Italian time, and nothing that is not a real date in that form", () => {
    expect(parseRomeLocal("15/12/2026 15:00")?.toISOString()).toBe("2026-12-15T14:00:00.000Z");
    expect(parseRomeLocal(" 5/6/2031 9:30 ")?.toISOString()).toBe("2031-06-05T07:30:00.000Z");
    expect(parseRomeLocal("29/02/2028 10:00")?.toISOString()).toBe("2028-02-29T09:00:00.000Z");
    for (const wrong of ["31/02/2026 10:00", "15/12/26 15:00", "15/13/2026 15:00", "15/12/2026 24:00", "15/12/2026 15.00", "15/12/2026", "15-12-2026 15:00", "12/15/2026 15:00"]) {
      expect(parseRomeLocal(wrong), wrong).toBeNull();
    }
    // The hour skipped in spring is recognised whatever the server's own time zone.
    expect(isSkippedRomeTime("28/03/2027 02:30")).toBe(true);
    expect(isSkippedRomeTime("28/03/2027 03:00")).toBe(false);
  });
});

describe("the hour skipped when the clocks go forward", () => {
  it("is recognised (28/03/2027 02:00–02:59); the hour that comes twice in autumn is not", () => {
    expect(isSkippedRomeTime("2027-03-28T02:30")).toBe(true);
    expect(isSkippedRomeTime("2027-03-28T02:00")).toBe(true);
    expect(isSkippedRomeTime("2027-03-28T03:00")).toBe(false);
    expect(isSkippedRomeTime("2027-03-28T01:59")).toBe(false);
    expect(isSkippedRomeTime("2027-10-31T02:30")).toBe(false);
    expect(isSkippedRomeTime("2030-12-03T15:00")).toBe(false);
  });
});

describe("the hour that comes twice when the clocks go back", () => {
  it("is recognised (31/10/2027 02:00–02:59), typed either way; the hours around it and the spring change are not", () => {
    const repeated = ["2027-10-31T02:00", "2027-10-31T02:30", "2027-10-31T02:59", "31/10/2027 2:30"];
    const once = ["2027-10-31T01:59", "2027-10-31T03:00", "2027-10-24T02:30", "2027-03-28T02:30", "2030-12-03T15:00", "non è una data"];
    expect(repeated.filter(isRepeatedRomeTime)).toEqual(repeated);
    expect(once.filter(isRepeatedRomeTime)).toEqual([]);
  });
});

describe("roundTableCalendarEvent", () => {
  it("maps a round table to the event of buildCalendar, with a stable UID and its SEQUENCE", () => {
    const event = roundTableCalendarEvent(rt, { appUrl: "https://sai.example.org" });
    expect(event).toMatchObject({
      uid: "tavolo-12@sai.example.org",
      sequence: 2,
      title: "3° Tavolo tecnico: Coordinamento dei Progetti SAI della Provincia di Brescia",
      start: rt.startsAt,
      end: rt.endsAt,
      location: "Palermo e online: https://meet.example.org/x",
      url: "https://sai.example.org/tavoli-tecnici/12",
      cancelled: false,
    });
    expect(event.description).toContain("- A. Trebeschi — Brescia");
    expect(roundTableUid(12, "https://sai.example.org")).toBe(event.uid);
  });

  it("accepts the JSON form of the outbox props; for the public, without the online link and under a UID of its own", () => {
    const fromJson = roundTableCalendarEvent(roundTableEmailData(rt), { appUrl: "https://sai.example.org", audience: "public" });
    expect(fromJson.start.toISOString()).toBe("2030-12-03T14:00:00.000Z");
    expect(fromJson.location).toBe("Palermo e online");
    expect(fromJson.description).not.toContain("meet.example.org");
    // Imported over the invitation's event, a public file would drop the link from it.
    expect(fromJson.uid).toBe("tavolo-12-calendario@sai.example.org");
    expect(fromJson.sequence).toBe(2);
    const cancelled = roundTableCalendarEvent({ ...rt, status: "cancelled" }, { appUrl: "https://sai.example.org" });
    expect(cancelled.cancelled).toBe(true);
    expect(buildCalendar([cancelled], { method: "CANCEL" })).toContain("STATUS:CANCELLED");
    expect(roundTableHeading({ number: null })).toBe("Tavolo tecnico");
  });
});

describe("speakers, one per line", () => {
  it("reads «Nome — argomento» with any dash and writes it back", () => {
    const { speakers, problems } = parseSpeakers("S. Bottari — Modello SAI Torino\nA. Fontana e S. Rovetto - Modello SAI Chiesanuova (TO)\n\nG. Zollo\nM. Rossi–Ente");
    expect(problems).toEqual([]);
    expect(speakers).toEqual([
      { name: "S. Bottari", affiliation: "Modello SAI Torino" },
      { name: "A. Fontana e S. Rovetto", affiliation: "Modello SAI Chiesanuova (TO)" },
      { name: "G. Zollo" },
      { name: "M. Rossi", affiliation: "Ente" },
    ]);
    expect(speakersToText(speakers)).toBe("S. Bottari — Modello SAI Torino\nA. Fontana e S. Rovetto — Modello SAI Chiesanuova (TO)\nG. Zollo\nM. Rossi — Ente");
    expect(parseSpeakers("Anna-Maria Rossi").speakers).toEqual([{ name: "Anna-Maria Rossi" }]);
    expect(parseSpeakers(" — senza nome").problems).toEqual(["Riga 1 dei relatori: manca il nome prima del trattino"]);
  });
});

describe("roundTableHeadingAfter", () => {
  it("elides the article before an ordinal read with a vowel first (ottavo, undicesimo, ottantesimo)", () => {
    expect(roundTableHeadingAfter("di", { number: 8 })).toBe("dell'8° Tavolo tecnico");
    expect(roundTableHeadingAfter("a", { number: 11 })).toBe("all'11° Tavolo tecnico");
    expect(roundTableHeadingAfter("di", { number: 83 })).toBe("dell'83° Tavolo tecnico");
    expect(roundTableHeadingAfter("di", { number: 12 })).toBe("del 12° Tavolo tecnico");
    expect(roundTableHeadingAfter("a", { number: 1 })).toBe("al 1° Tavolo tecnico");
    expect(roundTableHeadingAfter("a", { number: 18 })).toBe("al 18° Tavolo tecnico");
    expect(roundTableHeadingAfter("di", { number: null })).toBe("del Tavolo tecnico");
  });
});
