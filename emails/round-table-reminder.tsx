import { Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { EmailLayout, Signature } from "./components/layout";
import {
  ANSWER_PROMPT,
  AnswerButtons,
  PREVIEW_ROUND_TABLE,
  RoundTableDetails,
  roundTableIcsAttachment,
  type InvitationNoteLink,
  roundTableName,
  roundTableWhen,
  type RoundTableEmailInfo,
} from "./components/round-table-details";

export type RoundTableReminderProps = {
  recipientName: string | null;
  recipientEmail: string;
  /** The invitation's answer page; null when it can no longer be recovered. */
  answerUrl: string | null;
  /** The answer when the reminder was queued: "yes" or still "pending". */
  answer: "yes" | "pending";
  appUrl: string;
  roundTable: RoundTableEmailInfo;
  /** The round table's notes of invitation this recipient may open; absent in rows queued before they were linked. */
  invitationNotes?: InvitationNoteLink[];
};

export const subject = (p: RoundTableReminderProps) => `Promemoria: ${roundTableName(p.roundTable)}`;

export const attachments = (p: RoundTableReminderProps) => [roundTableIcsAttachment(p, { method: "REQUEST", filename: "invito.ics" })];

export function RoundTableReminderEmail(p: RoundTableReminderProps) {
  const rt = p.roundTable;
  return (
    <EmailLayout preview={`Promemoria: ${roundTableName(rt)}, ${roundTableWhen(rt)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Promemoria: {roundTableName(rt)}
      </Heading>
      <Greeting name={p.recipientName} />
      <Text>
        ti ricordiamo che il Tavolo tecnico «{rt.title}» si terrà {roundTableWhen(rt)}.{" "}
        {p.answer === "yes" ? "Hai risposto che parteciperai: ti aspettiamo." : "Non ci hai ancora detto se parteciperai."}
      </Text>
      {p.answerUrl ? (
        <>
          <Text style={{ fontWeight: 700 }}>{p.answer === "yes" ? "Se non puoi più partecipare, faccelo sapere:" : ANSWER_PROMPT}</Text>
          <AnswerButtons answerUrl={p.answerUrl} />
        </>
      ) : (
        <Text>Puoi rispondere dal collegamento che trovi nell'email di invito.</Text>
      )}
      <RoundTableDetails rt={rt} appUrl={p.appUrl} invitationNotes={p.invitationNotes} />
      <Text>In allegato trovi l'evento da aggiungere al tuo calendario (file invito.ics).</Text>
      <Signature />
    </EmailLayout>
  );
}

RoundTableReminderEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  answerUrl: "http://localhost:3000/invito/esempio",
  answer: "pending",
  appUrl: "http://localhost:3000",
  roundTable: PREVIEW_ROUND_TABLE,
} satisfies RoundTableReminderProps;

export default RoundTableReminderEmail;
