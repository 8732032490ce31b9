import { Button, Column, Row, Section, Text } from "@react-email/components";
import { Link } from "./link";
import type { EmailAttachment } from "../index";
import { MultilineText } from "./multiline-text";
import { getEnv } from "~/utils/env.server";
import { buildAttendeeCalendar, type CalendarMethod } from "~/utils/ical.server";
import {
  ROUND_TABLE_MODE_LABELS,
  roundTableCalendarEvent,
  roundTablePageUrl,
  type RoundTableEmailData,
} from "~/utils/round-table-calendar";
import { roundTableName, roundTableWhen } from "~/utils/round-table-format";

export { roundTableName, roundTableWhen };

// What the invitation and reminder emails show about a round table, and their .ics attachment.
// The props stay JSON (they are stored in the outbox): dates are ISO strings.

/** The round table as stored in an email's props (ISO dates): the shape of roundTableEmailData(). */
export type RoundTableEmailInfo = RoundTableEmailData;

/**
 * A nota di invito of the round table that the recipient may open, as the invitation and the
 * reminder link it (written when the email is queued; older rows have none).
 */
export type InvitationNoteLink = {
  title: string;
  /** Its download (`/materiali/:id`); for a members-only one, the sign-in of the area referente that leads to it. */
  url: string;
  /** Reserved to the member enti: downloaded once signed in to the area referente. */
  membersOnly: boolean;
};

const label = { margin: "0", fontWeight: 700 } as const;
const value = { margin: "0 0 12px 0" } as const;

export function RoundTableDetails({
  rt,
  appUrl,
  invitationNotes = [],
}: {
  rt: RoundTableEmailInfo;
  appUrl: string;
  invitationNotes?: InvitationNoteLink[];
}) {
  const showPlace = rt.mode !== "online" && rt.place;
  const showLink = rt.mode !== "in_presenza" && rt.onlineUrl;
  return (
    <Section style={{ border: "1px solid #c5c7c9", padding: "12px 16px", margin: "16px 0" }}>
      <Text style={label}>Quando</Text>
      <Text style={value}>{roundTableWhen(rt)} (ora italiana)</Text>
      <Text style={label}>Modalità</Text>
      <Text style={value}>{ROUND_TABLE_MODE_LABELS[rt.mode]}</Text>
      {showPlace ? (
        <>
          <Text style={label}>Luogo</Text>
          <Text style={value}>{rt.place}</Text>
        </>
      ) : null}
      {showLink ? (
        <>
          <Text style={label}>Collegamento online</Text>
          <Text style={value}>
            <Link href={rt.onlineUrl!}>{rt.onlineUrl}</Link>
          </Text>
        </>
      ) : null}
      {rt.speakers.length > 0 ? (
        <>
          <Text style={label}>Interventi a cura di</Text>
          <Text style={value}>
            {rt.speakers.map((s, i) => (
              <span key={i}>
                {i > 0 ? <br /> : null}• {s.name}
                {s.affiliation ? ` (${s.affiliation})` : ""}
              </span>
            ))}
          </Text>
        </>
      ) : null}
      {rt.description.trim() ? (
        <>
          <Text style={label}>Programma</Text>
          <MultilineText text={rt.description.trim()} style={value} />
        </>
      ) : null}
      {invitationNotes.map((note, i) => (
        // The address ends the line: a mail program would take punctuation after it into the link.
        <Text key={i} style={value}>
          Nota di invito: <strong>{note.title}</strong>
          {note.membersOnly ? " (riservata agli enti aderenti: si scarica dopo l'accesso all'area referente)" : ""} —{" "}
          <Link href={note.url}>{note.url}</Link>
        </Text>
      ))}
      <Text style={{ margin: 0 }}>
        Pagina del Tavolo tecnico: <Link href={roundTablePageUrl(rt.id, appUrl)}>{roundTablePageUrl(rt.id, appUrl)}</Link>
      </Text>
    </Section>
  );
}

const answerButton = {
  padding: "12px 20px",
  borderRadius: "4px",
  fontWeight: 700,
  fontSize: "16px",
  textDecoration: "none",
  display: "inline-block",
  margin: "0 12px 12px 0",
} as const;

/**
 * What asks for an answer above AnswerButtons. A button only opens the invitation page, where the
 * answer is confirmed (a GET records nothing: mail scanners follow links), so no "one click".
 */
export const ANSWER_PROMPT = "Parteciperai? Scegli la risposta e confermala nella pagina che si apre:";

/** The two answers; they open the invitation page with the choice preselected, to confirm it there. */
/** The answer links; `declineOnly` for whoever already said yes, `acceptOnly` for whoever said no: one answer left to give. */
export function AnswerButtons({ answerUrl, declineOnly = false, acceptOnly = false }: { answerUrl: string; declineOnly?: boolean; acceptOnly?: boolean }) {
  return (
    <Section style={{ margin: "8px 0 16px 0" }}>
      {/* A table cell each: side by side in the HTML, and each link on its own line in the text part. */}
      <Row style={{ width: "auto", margin: 0 }}>
        {declineOnly ? null : (
          <Column>
            <Button href={`${answerUrl}?risposta=si`} style={{ ...answerButton, backgroundColor: "#008055", color: "#ffffff" }}>
              Partecipo
            </Button>
          </Column>
        )}
        {acceptOnly ? null : (
          <Column>
            <Button href={`${answerUrl}?risposta=no`} style={{ ...answerButton, backgroundColor: "#ffffff", color: "#a61919", border: "2px solid #a61919" }}>
              Non partecipo
            </Button>
          </Column>
        )}
      </Row>
      <Text style={{ fontSize: "13px", color: "#5c6f82", margin: 0 }}>
        {/* A link, so that the personal address wraps on a phone instead of widening the message. */}
        Puoi cambiare la risposta fino all'inizio dell'incontro, dallo stesso collegamento: <Link href={answerUrl}>{answerUrl}</Link>
      </Text>
    </Section>
  );
}

function parseMailFrom(from: string | undefined) {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from ?? "");
  if (match) return { name: match[1].trim() || "Coordinamento SAI - ANCI Sicilia", email: match[2].trim() };
  if (from && /^[^\s@]+@[^\s@]+$/.test(from.trim())) return { name: "Coordinamento SAI - ANCI Sicilia", email: from.trim() };
  return { name: "Coordinamento SAI - ANCI Sicilia", email: "noreply@localhost" };
}

/**
 * Calendars offer to accept or decline; that answer would reach no one. Said to every invitee,
 * also to extra addresses, who have no Area referente: only the email's buttons are theirs too.
 */
export const ANSWER_IN_THE_PORTAL =
  "Per rispondere all'invito usa i pulsanti dell'email di invito: una risposta data dal calendario non arriva al Coordinamento.";

/**
 * The calendar file of an invitation (METHOD:REQUEST, the round table's SEQUENCE, the recipient as
 * attendee, the Coordinamento's sender address as organizer), built at delivery from the props.
 * `answer`: the invitee's answer as far as the email knows it; «Partecipo» ("yes") makes them an
 * attendee who accepted (PARTSTAT=ACCEPTED), «Non partecipo» one who declined (DECLINED), none yet
 * one still to answer (NEEDS-ACTION).
 */
export function roundTableIcsAttachment(
  {
    roundTable,
    appUrl,
    recipientEmail,
    recipientName,
    answer,
  }: { roundTable: RoundTableEmailInfo; appUrl: string; recipientEmail: string; recipientName: string | null; answer?: "yes" | "pending" | "no" },
  { method = "REQUEST", filename = "invito.ics" }: { method?: CalendarMethod; filename?: string } = {},
): EmailAttachment {
  const calendarEvent = roundTableCalendarEvent(roundTable, { appUrl });
  const event = {
    ...calendarEvent,
    description: method === "CANCEL" ? calendarEvent.description : `${calendarEvent.description}\n\n${ANSWER_IN_THE_PORTAL}`,
    organizer: parseMailFrom(getEnv().MAIL_FROM),
    attendee: { name: recipientName ?? recipientEmail, email: recipientEmail, answer },
  };
  return {
    filename,
    content: buildAttendeeCalendar(event, { method }),
    contentType: `text/calendar; charset=utf-8; method=${method}`,
  };
}

export const PREVIEW_ROUND_TABLE: RoundTableEmailInfo = {
  id: 7,
  number: 7,
  title: "Inserimento lavorativo dei beneficiari SAI: strumenti e buone pratiche",
  description: "15:00 Saluti istituzionali\n15:15 Gli strumenti per l'inserimento lavorativo\n16:30 Dibattito e conclusioni",
  startsAt: "2026-11-24T14:00:00.000Z",
  endsAt: "2026-11-24T16:00:00.000Z",
  mode: "online",
  place: null,
  onlineUrl: "https://meet.example.org/tavolo-7",
  speakers: [{ name: "G. Zollo", affiliation: "Servizio Centrale SAI" }],
  sequence: 0,
  status: "published",
};
