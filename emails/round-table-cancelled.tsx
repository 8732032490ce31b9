import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, Signature } from "./components/layout";
import {
  PREVIEW_ROUND_TABLE,
  roundTableIcsAttachment,
  roundTableName,
  roundTableWhen,
  type RoundTableEmailInfo,
} from "./components/round-table-details";
import { roundTablePageUrl } from "~/utils/round-table-calendar";

export type RoundTableCancelledProps = {
  recipientName: string | null;
  recipientEmail: string;
  appUrl: string;
  /** The cancelled round table, with its new SEQUENCE. */
  roundTable: RoundTableEmailInfo;
};

export const subject = (p: RoundTableCancelledProps) => `Annullato: ${roundTableName(p.roundTable)}`;

/** The cancellation of the calendar entry: same UID, higher SEQUENCE, METHOD:CANCEL, STATUS:CANCELLED. */
export const attachments = (p: RoundTableCancelledProps) => [
  roundTableIcsAttachment({ ...p, roundTable: { ...p.roundTable, status: "cancelled" } }, { method: "CANCEL", filename: "annullamento.ics" }),
];

export function RoundTableCancelledEmail(p: RoundTableCancelledProps) {
  const rt = p.roundTable;
  return (
    <EmailLayout preview={`Il ${roundTableName(rt)} di ${roundTableWhen(rt)} è annullato`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Annullato: {roundTableName(rt)}
      </Heading>
      <Greeting name={p.recipientName} />
      <Text>
        ti informiamo che il Tavolo tecnico «{rt.title}», previsto per {roundTableWhen(rt)}, è stato annullato. Ci scusiamo per
        il disagio: se l'incontro sarà riproposto in un'altra data, riceverai un nuovo invito.
      </Text>
      <Text>
        In allegato trovi l'annullamento dell'evento (file annullamento.ics): aprendolo, il tuo calendario rimuove
        l'appuntamento.
      </Text>
      <Text>
        Il calendario dei Tavoli tecnici: <Link href={`${p.appUrl}/tavoli-tecnici`}>{`${p.appUrl}/tavoli-tecnici`}</Link>
        <br />
        La pagina del tavolo annullato: <Link href={roundTablePageUrl(rt.id, p.appUrl)}>{roundTablePageUrl(rt.id, p.appUrl)}</Link>
      </Text>
      <Signature />
    </EmailLayout>
  );
}

RoundTableCancelledEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  appUrl: "http://localhost:3000",
  roundTable: { ...PREVIEW_ROUND_TABLE, status: "cancelled", sequence: 1 },
} satisfies RoundTableCancelledProps;

export default RoundTableCancelledEmail;
