import { Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { EmailLayout, Signature } from "./components/layout";
import {
  AnswerButtons,
  PREVIEW_ROUND_TABLE,
  RoundTableDetails,
  roundTableIcsAttachment,
  roundTableName,
  roundTableWhen,
  type RoundTableEmailInfo,
} from "./components/round-table-details";
import { ROUND_TABLE_MODE_LABELS } from "~/utils/round-table-calendar";

export type RoundTableUpdatedProps = {
  recipientName: string | null;
  recipientEmail: string;
  appUrl: string;
  /** The round table after the change, with its new SEQUENCE. */
  roundTable: RoundTableEmailInfo;
  /** Before the change, to say what it was. */
  previous: { startsAt: string; endsAt: string; mode: RoundTableEmailInfo["mode"]; place: string | null };
  /** What changed, in Italian: "data e orario", "luogo"… */
  changes: string[];
  /** The invitee's answer page, read back from their invitation email (null if none is found, or absent in older rows). */
  answerUrl?: string | null;
  /**
   * The invitee's answer when the update was queued; absent in older rows. Who declined is told too
   * (a new date may suit them), without a calendar entry: they get one if they now say yes.
   */
  answer?: "yes" | "pending" | "no";
};

/** What asks for an answer again, by the answer given so far; rows queued without it ask everybody at once. */
const ANSWER_AGAIN = {
  yes: "Se con il cambiamento non puoi più partecipare, faccelo sapere:",
  pending: "Facci sapere se parteciperai:",
  no: "Avevi risposto «Non partecipo»: se con il cambiamento ora puoi partecipare, faccelo sapere.",
  legacy: "Se con il cambiamento non puoi più partecipare, o ora puoi, faccelo sapere:",
} as const;

export const subject = (p: RoundTableUpdatedProps) => `Aggiornamento: ${roundTableName(p.roundTable)}`;

/** The updated calendar entry: same UID, higher SEQUENCE, METHOD:REQUEST. */
export const attachments = (p: RoundTableUpdatedProps) =>
  p.answer === "no" ? [] : [roundTableIcsAttachment(p, { method: "REQUEST", filename: "aggiornamento.ics" })];

// Commas only: the items have an «e» of their own ("data e orario"), and "data e orario e luogo"
// would read as a stutter.
const list = (items: string[]) => items.join(", ");

/** How one takes part, with the place when there is one to go to: «In presenza, Sala Giunta». */
function whereOf({ mode, place }: Pick<RoundTableUpdatedProps["previous"], "mode" | "place">) {
  return mode !== "online" && place ? `${ROUND_TABLE_MODE_LABELS[mode]}, ${place}` : ROUND_TABLE_MODE_LABELS[mode];
}

/** «Prima: … Ora: …», so whoever noted the old date or place knows what to correct. */
function BeforeAndNow({ label, before, now }: { label: string; before: string; now: string }) {
  return (
    <Text>
      {label} prima: {before}.
      <br />
      Ora: <strong>{now}</strong>.
    </Text>
  );
}

export function RoundTableUpdatedEmail(p: RoundTableUpdatedProps) {
  const rt = p.roundTable;
  const timeChanged = roundTableWhen(p.previous) !== roundTableWhen(rt);
  const whereChanged = whereOf(p.previous) !== whereOf(rt);
  return (
    <EmailLayout preview={`${roundTableName(rt)}. Cosa cambia: ${list(p.changes)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Aggiornamento: {roundTableName(rt)}
      </Heading>
      <Greeting name={p.recipientName} />
      <Text>ti scriviamo perché il Tavolo tecnico «{rt.title}», per il quale hai ricevuto l'invito, è stato modificato.</Text>
      <Text style={{ fontWeight: 700 }}>Cosa cambia: {list(p.changes)}.</Text>
      {timeChanged ? <BeforeAndNow label="Data e orario" before={roundTableWhen(p.previous)} now={roundTableWhen(rt)} /> : null}
      {whereChanged ? <BeforeAndNow label="Modalità e luogo" before={whereOf(p.previous)} now={whereOf(rt)} /> : null}
      <RoundTableDetails rt={rt} appUrl={p.appUrl} />
      {p.answer === "no" ? null : (
        <Text>
          In allegato trovi l'evento aggiornato (file aggiornamento.ics): aprendolo, il tuo calendario sostituisce
          l'appuntamento precedente.{p.answer === "pending" ? null : " La tua risposta all'invito resta valida."}
        </Text>
      )}
      {p.answerUrl ? (
        <>
          <Text style={{ fontWeight: 700 }}>{ANSWER_AGAIN[p.answer ?? "legacy"]}</Text>
          <AnswerButtons answerUrl={p.answerUrl} declineOnly={p.answer === "yes"} acceptOnly={p.answer === "no"} />
        </>
      ) : null}
      <Signature />
    </EmailLayout>
  );
}

RoundTableUpdatedEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  appUrl: "http://localhost:3000",
  roundTable: { ...PREVIEW_ROUND_TABLE, startsAt: "2026-11-25T14:00:00.000Z", endsAt: "2026-11-25T16:00:00.000Z", sequence: 1 },
  previous: { startsAt: PREVIEW_ROUND_TABLE.startsAt, endsAt: PREVIEW_ROUND_TABLE.endsAt, mode: "online", place: null },
  changes: ["data e orario"],
  answerUrl: "http://localhost:3000/invito/anteprima",
  answer: "yes",
} satisfies RoundTableUpdatedProps;

export default RoundTableUpdatedEmail;
