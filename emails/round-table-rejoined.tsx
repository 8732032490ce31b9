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

// Whoever answered «Non partecipo» is left out of a Tavolo's updates (updateRoundTable). If they
// answer «Partecipo» after a change, this email brings their calendar up to date.
export type RoundTableRejoinedProps = {
  recipientName: string | null;
  recipientEmail: string;
  appUrl: string;
  /** The round table as it is now, with its current SEQUENCE. */
  roundTable: RoundTableEmailInfo;
  /** The invitee's answer page, to change the answer again. */
  answerUrl: string;
};

export const subject = (p: RoundTableRejoinedProps) => `Partecipazione registrata: ${roundTableName(p.roundTable)}`;

/** The current calendar entry: same UID as the invitation, the current SEQUENCE, METHOD:REQUEST, the invitee as accepted. */
export const attachments = (p: RoundTableRejoinedProps) => [
  roundTableIcsAttachment({ ...p, answer: "yes" }, { method: "REQUEST", filename: "aggiornamento.ics" }),
];

export function RoundTableRejoinedEmail(p: RoundTableRejoinedProps) {
  const rt = p.roundTable;
  return (
    <EmailLayout preview={`${roundTableName(rt)}: ${roundTableWhen(rt)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Partecipazione registrata: {roundTableName(rt)}
      </Heading>
      <Greeting name={p.recipientName} />
      <Text>
        abbiamo registrato che parteciperai al Tavolo tecnico «{rt.title}». Dopo l'invito il Tavolo è stato modificato,
        mentre la tua risposta era «Non partecipo»: ecco i dettagli aggiornati.
      </Text>
      <RoundTableDetails rt={rt} appUrl={p.appUrl} />
      <Text>
        In allegato trovi l'evento aggiornato (file aggiornamento.ics): aprendolo, il tuo calendario sostituisce
        l'appuntamento dell'invito.
      </Text>
      <Text style={{ fontWeight: 700 }}>Se non puoi più partecipare, faccelo sapere:</Text>
      <AnswerButtons answerUrl={p.answerUrl} declineOnly />
      <Signature />
    </EmailLayout>
  );
}

RoundTableRejoinedEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  appUrl: "http://localhost:3000",
  roundTable: { ...PREVIEW_ROUND_TABLE, startsAt: "2026-11-25T14:00:00.000Z", endsAt: "2026-11-25T16:00:00.000Z", sequence: 1 },
  answerUrl: "http://localhost:3000/invito/anteprima",
} satisfies RoundTableRejoinedProps;

export default RoundTableRejoinedEmail;
