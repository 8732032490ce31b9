import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout } from "./components/layout";
import { MultilineText } from "./components/multiline-text";
import { ofBody } from "~/utils/text";

// To the referente of an ente whose membership a coordinator revoked: the reason, the end of their
// term, and what they can still do (their data in the referent area, a new scheda for the ente).
export type MembershipRevokedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  reason: string;
  privacyUrl: string;
  formUrl: string;
};

export const subject = (p: MembershipRevokedProps) => `Adesione revocata: ${p.bodyName}`;

export function MembershipRevokedEmail(p: MembershipRevokedProps) {
  return (
    <EmailLayout preview={`L'adesione ${ofBody(p.bodyName)} al Coordinamento SAI è stata revocata`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Adesione revocata
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        i coordinatori di ANCI Sicilia hanno revocato l'adesione {ofBody(p.bodyName)} al Coordinamento dei Comuni
        siciliani aderenti alla Rete SAI, per questo motivo:
      </Text>
      <MultilineText text={p.reason} style={{ borderLeft: "4px solid #0066cc", paddingLeft: "12px" }} />
      <Text>
        Da oggi il tuo incarico di referente è terminato e non riceverai più gli inviti ai Tavoli tecnici per l'ente.
        Dall'area referente puoi ancora scaricare i tuoi dati o chiederne la cancellazione:{" "}
        <Link href={p.privacyUrl}>{p.privacyUrl}</Link>
      </Text>
      <Text>
        Se l'ente vuole aderire di nuovo può inviare una nuova scheda referente: <Link href={p.formUrl}>{p.formUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

MembershipRevokedEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  reason: "L'ente ha comunicato di non partecipare più alla Rete SAI.",
  privacyUrl: "http://localhost:3000/area-referente/privacy",
  formUrl: "http://localhost:3000/adesione",
} satisfies MembershipRevokedProps;

export default MembershipRevokedEmail;
