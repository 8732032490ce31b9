import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout } from "./components/layout";
import { MultilineText } from "./components/multiline-text";
import { ofBody } from "~/utils/text";

export type MembershipRejectedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  reason: string;
  formUrl: string;
};

export const subject = (p: MembershipRejectedProps) => `Scheda referente non approvata: ${p.bodyName}`;

export function MembershipRejectedEmail(p: MembershipRejectedProps) {
  return (
    <EmailLayout preview={`La scheda referente ${ofBody(p.bodyName)} non è stata approvata`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Scheda referente non approvata
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        i coordinatori di ANCI Sicilia hanno esaminato la scheda referente {ofBody(p.bodyName)} e non hanno potuto
        approvarla, per questo motivo:
      </Text>
      <MultilineText text={p.reason} style={{ borderLeft: "4px solid #0066cc", paddingLeft: "12px" }} />
      <Text>
        Se il problema può essere risolto puoi inviare una nuova scheda: <Link href={p.formUrl}>{p.formUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

MembershipRejectedEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  reason: "Il codice fiscale indicato non corrisponde all'ente.",
  formUrl: "http://localhost:3000/adesione",
} satisfies MembershipRejectedProps;

export default MembershipRejectedEmail;
