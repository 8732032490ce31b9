import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

export type ReferentEmailChangeProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  newEmail: string;
  confirmUrl: string;
  expiresOn: string;
};

export const subject = (p: ReferentEmailChangeProps) => `Conferma il nuovo indirizzo email - referente ${ofBody(p.bodyName)}`;

export function ReferentEmailChangeEmail(p: ReferentEmailChangeProps) {
  return (
    <EmailLayout preview={`Conferma ${p.newEmail} come nuovo indirizzo del referente ${ofBody(p.bodyName)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Conferma il nuovo indirizzo email
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        dall'area referente è stato chiesto di usare <strong>{p.newEmail}</strong> come indirizzo del referente{" "}
        <strong>{ofBody(p.bodyName)}</strong> per il Coordinamento SAI. Il cambio avrà effetto solo dopo la conferma; fino ad
        allora resta valido l'indirizzo precedente.
      </Text>
      <Button href={p.confirmUrl} style={button}>
        Conferma il nuovo indirizzo
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.confirmUrl}>{p.confirmUrl}</Link>
      </Text>
      <Text>Il collegamento è valido fino al {p.expiresOn} e può essere usato una sola volta.</Text>
      <Text>Se non hai chiesto tu il cambio, ignora questo messaggio: l'indirizzo non verrà modificato.</Text>
    </EmailLayout>
  );
}

ReferentEmailChangeEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  newEmail: "maria.rossi@comune.cefalu.pa.it",
  confirmUrl: "http://localhost:3000/area-referente/email/conferma/esempio",
  expiresOn: "3 dicembre 2026 alle 18:00",
} satisfies ReferentEmailChangeProps;

export default ReferentEmailChangeEmail;
