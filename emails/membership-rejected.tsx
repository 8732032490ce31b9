import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { EmailLayout } from "./components/layout";
import { MultilineText } from "./components/multiline-text";
import { ofBody } from "~/utils/text";

export type MembershipRejectedProps = {
  firstName: string;
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
      <Text>Gentile {p.firstName},</Text>
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
  bodyName: "Comune di Cefalù",
  reason: "Il codice fiscale indicato non corrisponde all'ente.",
  formUrl: "http://localhost:3000/adesione",
} satisfies MembershipRejectedProps;

export default MembershipRejectedEmail;
