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

export type RoundTableInvitationProps = {
  recipientName: string | null;
  recipientEmail: string;
  /** `${appUrl}/invito/<token>`: "Partecipo" adds ?risposta=si, "Non partecipo" ?risposta=no. */
  answerUrl: string;
  appUrl: string;
  roundTable: RoundTableEmailInfo;
  /** The round table's notes of invitation this recipient may open; absent in rows queued before they were linked. */
  invitationNotes?: InvitationNoteLink[];
  /**
   * Set when the invitation moved here from the referente's previous address (moveInvitations):
   * the answer it carries. Absent in a first invitation, and in rows queued before it existed.
   */
  currentAnswer?: "yes" | "no" | "pending";
};

const ANSWER_WORDS = { yes: "«Partecipo»", no: "«Non partecipo»" } as const;

export const subject = (p: RoundTableInvitationProps) => `Invito: ${roundTableName(p.roundTable)}`;

/** The calendar invitation (METHOD:REQUEST), built at delivery from the props; accepted when it moved here with a «Partecipo». */
export const attachments = (p: RoundTableInvitationProps) => [
  roundTableIcsAttachment({ ...p, answer: p.currentAnswer }, { method: "REQUEST", filename: "invito.ics" }),
];

export function RoundTableInvitationEmail(p: RoundTableInvitationProps) {
  const rt = p.roundTable;
  return (
    <EmailLayout preview={`Invito al ${roundTableName(rt)}, ${roundTableWhen(rt)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        {roundTableName(rt)}
      </Heading>
      <Greeting name={p.recipientName} />
      {p.currentAnswer ? (
        <Text>
          il tuo indirizzo email di referente è cambiato: l'invito al Tavolo tecnico «{rt.title}», {roundTableWhen(rt)},
          è stato trasferito a questo indirizzo{p.currentAnswer === "pending" ? "" : ", con la tua risposta"}. I pulsanti
          dell'email di invito precedente non funzionano più: usa quelli qui sotto.
        </Text>
      ) : (
        <Text>
          il Coordinamento dei Comuni siciliani aderenti alla Rete SAI ti invita a partecipare al Tavolo tecnico «{rt.title}»,{" "}
          {roundTableWhen(rt)}.
        </Text>
      )}
      {p.currentAnswer === "yes" || p.currentAnswer === "no" ? (
        <Text style={{ fontWeight: 700 }}>La tua risposta: {ANSWER_WORDS[p.currentAnswer]}. Se vuoi cambiarla:</Text>
      ) : (
        <Text style={{ fontWeight: 700 }}>{ANSWER_PROMPT}</Text>
      )}
      <AnswerButtons answerUrl={p.answerUrl} />
      <RoundTableDetails rt={rt} appUrl={p.appUrl} invitationNotes={p.invitationNotes} />
      <Text>
        In allegato trovi l'evento da aggiungere al tuo calendario (file invito.ics). Se cambiano data, orario o luogo ti
        scriveremo di nuovo.
      </Text>
      <Signature />
    </EmailLayout>
  );
}

RoundTableInvitationEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  answerUrl: "http://localhost:3000/invito/esempio",
  appUrl: "http://localhost:3000",
  roundTable: PREVIEW_ROUND_TABLE,
  invitationNotes: [{ title: "Invito al 7° Tavolo tecnico", url: "http://localhost:3000/materiali/12", membersOnly: false }],
} satisfies RoundTableInvitationProps;

export default RoundTableInvitationEmail;
