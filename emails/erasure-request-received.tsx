import { Button, Heading, Text } from "@react-email/components";
import { CoordinatorsContact } from "./components/coordinators-contact";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

// To the referente who asked, from the referent area, for the erasure of their data: the
// acknowledgement of the request, and how to withdraw it while it is pending. If someone else
// asked in their name, this is how the person finds out. The erasure, when executed, empties this
// email's data in the outbox as it does for every email to the person.
export type ErasureRequestReceivedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  requestedOn: string;
  privacyUrl: string;
  /** Added at delivery, never stored: CONTACT_EMAIL as it is then, the address to warn the coordinators at. */
  contactEmail?: string;
};

export const subject = () => "Abbiamo ricevuto la tua richiesta di cancellazione dei dati";

export function ErasureRequestReceivedEmail(p: ErasureRequestReceivedProps) {
  return (
    <EmailLayout preview="La tua richiesta di cancellazione dei dati personali è stata registrata">
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Richiesta di cancellazione ricevuta
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        il {p.requestedOn} hai chiesto, dall'area referente, la cancellazione dei tuoi dati personali di referente{" "}
        {ofBody(p.bodyName)} (art. 17 GDPR). La richiesta è stata registrata e inoltrata ai coordinatori di ANCI Sicilia,
        che la eseguiranno senza ingiustificato ritardo e comunque entro un mese.
      </Text>
      <Text>
        Quando la cancellazione sarà eseguita, nome, cognome, ruolo, ufficio, email e numeri di telefono saranno resi
        anonimi ovunque compaiano nel portale e non potrai più accedere all'area referente; te lo confermeremo con
        un'ultima email a questo indirizzo. Se vuoi conservare una copia dei tuoi dati, scaricala prima dalla pagina
        Privacy e dati personali.
      </Text>
      <Text>
        Finché la cancellazione non è eseguita puoi ritirare la richiesta dalla stessa pagina. Se non l'hai chiesta tu,
        ritirala e avvisa <CoordinatorsContact contactEmail={p.contactEmail} />.
      </Text>
      <Button href={p.privacyUrl} style={button}>
        Apri Privacy e dati personali
      </Button>
    </EmailLayout>
  );
}

ErasureRequestReceivedEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  requestedOn: "3 dicembre 2026",
  privacyUrl: "http://localhost:3000/area-referente/privacy",
} satisfies ErasureRequestReceivedProps;

export default ErasureRequestReceivedEmail;
