import { Heading, Text } from "@react-email/components";
import { CoordinatorsContact } from "./components/coordinators-contact";
import { Greeting } from "./components/greeting";
import { EmailLayout } from "./components/layout";
import { ofBody } from "~/utils/text";

// Sent to the address a referente had before a change of email was confirmed: if someone else
// changed it, this is how the person finds out.
export type ReferentEmailChangedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  newEmail: string;
  changedAt: string;
  /** Added at delivery, never stored: CONTACT_EMAIL as it is then, the address to warn the coordinators at. */
  contactEmail?: string;
};

export const subject = (p: ReferentEmailChangedProps) => `L'indirizzo email del referente ${ofBody(p.bodyName)} è cambiato`;

export function ReferentEmailChangedEmail(p: ReferentEmailChangedProps) {
  return (
    <EmailLayout preview={`Da ora le email del Coordinamento SAI arrivano a ${p.newEmail}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Indirizzo email cambiato
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        il {p.changedAt} è stato confermato un nuovo indirizzo email per il referente {ofBody(p.bodyName)}:{" "}
        <strong>{p.newEmail}</strong>. Da ora gli inviti, le comunicazioni e i codici di accesso all'area referente
        arrivano lì, non più a questo indirizzo.
      </Text>
      <Text>
        Se il cambio l'hai fatto tu, non devi fare altro. Se non lo hai chiesto tu, avvisa subito{" "}
        <CoordinatorsContact contactEmail={p.contactEmail} />: qualcuno potrebbe avere avuto accesso alla tua casella o
        all'area referente.
      </Text>
    </EmailLayout>
  );
}

ReferentEmailChangedEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  newEmail: "maria.rossi@comune.cefalu.pa.it",
  changedAt: "26 novembre 2026 alle 10:15",
} satisfies ReferentEmailChangedProps;

export default ReferentEmailChangedEmail;
