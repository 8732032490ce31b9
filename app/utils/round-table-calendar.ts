import type { CalendarEvent } from "./ical.server";

/** Italian labels of the round-table modes (db/schema.ts ROUND_TABLE_MODES). */
export const ROUND_TABLE_MODE_LABELS = {
  online: "Online",
  in_presenza: "In presenza",
  ibrido: "Ibrido (in presenza e online)",
} as const;

export type RoundTableMode = keyof typeof ROUND_TABLE_MODE_LABELS;

/**
 * The fields of a round table needed for its calendar entry. Dates may arrive as ISO strings or
 * epoch milliseconds when they come back from the JSON props of an outbox email.
 */
export type RoundTableCalendarInput = {
  id: number;
  number?: number | null;
  title: string;
  description: string;
  startsAt: Date | string | number;
  endsAt: Date | string | number;
  mode: RoundTableMode;
  place: string | null;
  onlineUrl: string | null;
  sequence: number;
  status: "draft" | "published" | "cancelled";
  speakers?: { name: string; affiliation?: string }[] | null;
};

export const toDate = (value: Date | string | number) => (value instanceof Date ? value : new Date(value));

/**
 * Stable iCalendar UID of a round table in its invitees' calendars: `tavolo-<id>@<APP_URL hostname>`.
 * The .ics of the invitation, reminder, update, rejoin and cancellation emails and the invitee's
 * download (/invito/:token/evento.ics) carry it, so each replaces or cancels the invitee's event.
 */
export function roundTableUid(id: number, appUrl: string) {
  return `tavolo-${id}@${new URL(appUrl).hostname}`;
}

/**
 * UID of a round table in the public calendar files (the feed and /tavoli-tecnici/:id/evento.ics),
 * which carry no meeting link: a UID of their own, so that importing one never replaces the
 * invitee's event, link included, with it (docs/decisions/019-calendar-uids.md).
 */
export function roundTablePublicUid(id: number, appUrl: string) {
  return `tavolo-${id}-calendario@${new URL(appUrl).hostname}`;
}

export function roundTablePageUrl(id: number, appUrl: string) {
  return `${appUrl.replace(/\/$/, "")}/tavoli-tecnici/${id}`;
}

/** "3° Tavolo tecnico" or "Tavolo tecnico" when the round table has no number. */
export function roundTableHeading(rt: { number?: number | null }) {
  return rt.number ? `${rt.number}° Tavolo tecnico` : "Tavolo tecnico";
}

/**
 * The heading after «di» or «a» with its article, elided before an ordinal read with a vowel first
 * (ottavo, undicesimo, ottantesimo…): «del 12° Tavolo tecnico», «dell'8° Tavolo tecnico», «all'11°…».
 */
export function roundTableHeadingAfter(preposition: "di" | "a", rt: { number?: number | null }) {
  const vowel = !!rt.number && (rt.number === 11 || String(rt.number).startsWith("8"));
  const article = preposition === "di" ? (vowel ? "dell'" : "del ") : vowel ? "all'" : "al ";
  return `${article}${roundTableHeading(rt)}`;
}

/** Where it takes place, for the LOCATION line and emails. */
export function roundTableLocation(rt: Pick<RoundTableCalendarInput, "mode" | "place" | "onlineUrl">) {
  if (rt.mode === "online") return rt.onlineUrl ? `Online: ${rt.onlineUrl}` : "Online";
  if (rt.mode === "in_presenza") return rt.place ?? "";
  return [rt.place, rt.onlineUrl ? `online: ${rt.onlineUrl}` : "online"].filter(Boolean).join(" e ");
}

/**
 * The CalendarEvent (for buildCalendar in app/utils/ical.server.ts) of a round table. Pure:
 * used by the public feed, the per-event .ics and the invitees' .ics (emails and /invito/:token).
 * `audience: "public"`: without the meeting link, which goes to invitees only, and under the public
 * UID (roundTablePublicUid); "invitees" (default): the link and the invitation's UID.
 */
export function roundTableCalendarEvent(
  rt: RoundTableCalendarInput,
  { appUrl, audience = "invitees" }: { appUrl: string; audience?: "invitees" | "public" },
): CalendarEvent {
  const forPublic = audience === "public";
  const onlineUrl = forPublic ? null : rt.onlineUrl;
  const pageUrl = roundTablePageUrl(rt.id, appUrl);
  const lines: string[] = [];
  if (rt.description.trim()) lines.push(rt.description.trim(), "");
  lines.push(`Modalità: ${ROUND_TABLE_MODE_LABELS[rt.mode]}`);
  if (rt.place && rt.mode !== "online") lines.push(`Luogo: ${rt.place}`);
  if (onlineUrl && rt.mode !== "in_presenza") lines.push(`Collegamento: ${onlineUrl}`);
  const speakers = rt.speakers ?? [];
  if (speakers.length > 0) {
    lines.push("", "Interventi:");
    for (const s of speakers) lines.push(`- ${s.name}${s.affiliation ? ` — ${s.affiliation}` : ""}`);
  }
  lines.push("", `Dettagli e materiali: ${pageUrl}`);
  const title = rt.number ? `${roundTableHeading(rt)}: ${rt.title}` : rt.title;
  return {
    uid: forPublic ? roundTablePublicUid(rt.id, appUrl) : roundTableUid(rt.id, appUrl),
    sequence: rt.sequence,
    title: rt.status === "cancelled" ? `ANNULLATO — ${title}` : title,
    description: lines.join("\n"),
    start: toDate(rt.startsAt),
    end: toDate(rt.endsAt),
    location: roundTableLocation({ ...rt, onlineUrl }) || null,
    url: pageUrl,
    cancelled: rt.status === "cancelled",
  };
}

/** A round table as stored in the JSON props of an outbox email: dates as ISO strings. */
export type RoundTableEmailData = Omit<RoundTableCalendarInput, "startsAt" | "endsAt" | "number" | "speakers"> & {
  number: number | null;
  startsAt: string;
  endsAt: string;
  speakers: { name: string; affiliation?: string }[];
};

export function roundTableEmailData(rt: RoundTableCalendarInput): RoundTableEmailData {
  return {
    id: rt.id,
    number: rt.number ?? null,
    title: rt.title,
    description: rt.description,
    startsAt: toDate(rt.startsAt).toISOString(),
    endsAt: toDate(rt.endsAt).toISOString(),
    mode: rt.mode,
    place: rt.place,
    onlineUrl: rt.onlineUrl,
    sequence: rt.sequence,
    status: rt.status,
    speakers: rt.speakers ?? [],
  };
}
