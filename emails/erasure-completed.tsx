import { Heading, Text } from "@react-email/components";
import { CoordinatorsContact } from "./components/coordinators-contact";
import { EmailLayout } from "./components/layout";
import { ofBody } from "~/utils/text";

// To the person whose erasure request was carried out (GDPR art. 12(3)), at the address of the
// referente row that asked, queued in the erasure's transaction. It greets no one by name: the
// portal no longer holds it. Once delivered (or given up), the outbox row forgets the address and
// these props, as the erasure did for every other email to the person (decision 027).
export type ErasureCompletedProps = {
  bodyName: string;
  erasedOn: string;
  /** Whether the person was the ente's referente in charge until the erasure. */
  termEnded: boolean;
  /** The anonymised referente row that asked: its placeholder address replaces the recipient after delivery. */
  referentId: number;
  /** Added at delivery, never stored: CONTACT_EMAIL as it is then. */
  contactEmail?: string;
};

export const subject = () => "I tuoi dati sono stati cancellati";

export function ErasureCompletedEmail(p: ErasureCompletedProps) {
  return (
    <EmailLayout preview="La tua richiesta di cancellazione dei dati personali è stata eseguita">
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Cancellazione dei dati eseguita
      </Heading>
      <Text>Gentile referente,</Text>
      <Text>
        il {p.erasedOn} i coordinatori di ANCI Sicilia hanno eseguito la tua richiesta di cancellazione dei dati personali
        di referente {ofBody(p.bodyName)} (art. 17 GDPR).
      </Text>
      <Text>
        Nome, cognome, ruolo, ufficio, email e numeri di telefono sono stati resi anonimi ovunque comparivano nel portale:
        schede, inviti, posta inviata e registro attività. Non puoi più accedere all'area referente
        {p.termEnded ? " e il tuo incarico di referente è terminato" : ""}. L'ente, i suoi progetti SAI e le risposte agli
        inviti dei Tavoli tecnici restano nel portale, senza i tuoi dati.
      </Text>
      <Text>
        Questo è l'ultimo messaggio che il portale ti invia: dopo l'invio anche questo indirizzo email viene cancellato.
        Per domande sulla cancellazione puoi contattare <CoordinatorsContact contactEmail={p.contactEmail} />.
      </Text>
    </EmailLayout>
  );
}

ErasureCompletedEmail.PreviewProps = {
  bodyName: "Comune di Cefalù",
  erasedOn: "28 novembre 2026",
  termEnded: true,
  referentId: 42,
} satisfies ErasureCompletedProps;

export default ErasureCompletedEmail;
