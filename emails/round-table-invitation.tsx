import { Heading, Text } from "@react-email/components";
import { EmailLayout } from "./components/layout";
import {
  AnswerButtons,
  PREVIEW_ROUND_TABLE,
  RoundTableDetails,
  roundTableIcsAttachment,
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
};

export const subject = (p: RoundTableInvitationProps) => `Invito: ${roundTableName(p.roundTable)}`;

/** The calendar invitation (METHOD:REQUEST), built at delivery from the props. */
export const attachments = (p: RoundTableInvitationProps) => [roundTableIcsAttachment(p, { method: "REQUEST", filename: "invito.ics" })];

export function RoundTableInvitationEmail(p: RoundTableInvitationProps) {
  const rt = p.roundTable;
  return (
    <EmailLayout preview={`Invito al ${roundTableName(rt)}, ${roundTableWhen(rt)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        {roundTableName(rt)}
      </Heading>
      <Text>Gentile {p.recipientName ?? "collega"},</Text>
      <Text>
        il Coordinamento dei Comuni siciliani aderenti alla Rete SAI ti invita a partecipare al Tavolo tecnico «{rt.title}»,{" "}
        {roundTableWhen(rt)}.
      </Text>
      <Text style={{ fontWeight: 700 }}>Parteciperai? Rispondi con un clic:</Text>
      <AnswerButtons answerUrl={p.answerUrl} />
      <RoundTableDetails rt={rt} appUrl={p.appUrl} />
      <Text>
        In allegato trovi l'evento da aggiungere al tuo calendario (file invito.ics). Se cambiano data, orario o luogo ti
        scriveremo di nuovo.
      </Text>
      <Text>
        Cordiali saluti,
        <br />
        il Coordinamento SAI - ANCI Sicilia
      </Text>
    </EmailLayout>
  );
}

RoundTableInvitationEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  answerUrl: "http://localhost:3000/invito/esempio",
  appUrl: "http://localhost:3000",
  roundTable: PREVIEW_ROUND_TABLE,
} satisfies RoundTableInvitationProps;

export default RoundTableInvitationEmail;
