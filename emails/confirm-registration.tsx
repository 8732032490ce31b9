import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

export type ConfirmRegistrationProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  confirmUrl: string;
  expiresOn: string;
  isHandover: boolean;
  /** Recorded by the coordinators' import of the member list, not sent by the person: said so. */
  imported?: boolean;
  /** With `imported`: the privacy notice, since the person was not shown it (art. 14 GDPR). */
  privacyUrl?: string;
};

export const subject = (p: ConfirmRegistrationProps) => `Conferma l'indirizzo email - adesione ${ofBody(p.bodyName)}`;

export function ConfirmRegistrationEmail(p: ConfirmRegistrationProps) {
  return (
    <EmailLayout
      preview={
        p.imported
          ? `Conferma l'indirizzo email per completare la registrazione come referente ${ofBody(p.bodyName)}`
          : `Conferma l'indirizzo email per completare la scheda referente ${ofBody(p.bodyName)}`
      }
    >
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Conferma il tuo indirizzo email
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      {p.imported ? (
        <Text>
          i coordinatori di ANCI Sicilia ti hanno indicato come referente <strong>{ofBody(p.bodyName)}</strong> nel portale del
          Coordinamento dei Comuni siciliani aderenti alla Rete SAI, riprendendo l'elenco degli enti aderenti.
        </Text>
      ) : (
        <Text>
          abbiamo ricevuto la scheda referente <strong>{ofBody(p.bodyName)}</strong> per l'adesione al Coordinamento dei
          Comuni siciliani aderenti alla Rete SAI.
          {p.isHandover
            ? " L'ente ha già un referente: la scheda sarà trattata come richiesta di subentro."
            : ""}
        </Text>
      )}
      {/* Someone the coordinators registered sent nothing: there is no «invio» to complete. */}
      <Text>{p.imported ? "Per completare la registrazione" : "Per completare l'invio"} conferma che questo indirizzo è tuo:</Text>
      <Button href={p.confirmUrl} style={button}>
        Conferma l'indirizzo email
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.confirmUrl}>{p.confirmUrl}</Link>
      </Text>
      <Text>
        Il collegamento è valido fino al {p.expiresOn} e può essere usato una sola volta. Dopo la conferma la
        richiesta passa ai coordinatori di ANCI Sicilia per l'approvazione.
      </Text>
      {p.imported ? (
        <>
          <Text>
            Se non sei tu il referente dell'ente, ignora questo messaggio: senza conferma i dati vengono cancellati.
          </Text>
          {p.privacyUrl ? (
            <Text>
              Come trattiamo i tuoi dati: <Link href={p.privacyUrl}>{p.privacyUrl}</Link>
            </Text>
          ) : null}
        </>
      ) : (
        <Text>Se non hai compilato tu la scheda, ignora questo messaggio: senza conferma i dati vengono cancellati.</Text>
      )}
    </EmailLayout>
  );
}

ConfirmRegistrationEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  confirmUrl: "http://localhost:3000/adesione/conferma/esempio",
  expiresOn: "3 dicembre 2026 alle 18:00",
  isHandover: false,
} satisfies ConfirmRegistrationProps;

export default ConfirmRegistrationEmail;
