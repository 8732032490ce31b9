import { Button, Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

// To the coordinators. It names the ente and the request only: the person's data are on the
// (protected) page, so this email holds nothing that the erasure would have to remove later.
export type ErasureRequestedProps = {
  coordinatorName: string;
  bodyName: string;
  referentId: number;
  requestedOn: string;
  erasuresUrl: string;
};

export const subject = (p: ErasureRequestedProps) => `Richiesta di cancellazione dei dati: referente ${ofBody(p.bodyName)}`;

export function ErasureRequestedEmail(p: ErasureRequestedProps) {
  return (
    <EmailLayout preview={`Un referente ${ofBody(p.bodyName)} ha chiesto la cancellazione dei propri dati`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Richiesta di cancellazione dei dati
      </Heading>
      <Greeting name={p.coordinatorName} />
      <Text>
        il {p.requestedOn} un referente <strong>{ofBody(p.bodyName)}</strong> (scheda n. {p.referentId}) ha chiesto, dall'area
        referente, la cancellazione dei propri dati personali (art. 17 GDPR).
      </Text>
      <Text>
        La richiesta va eseguita senza ingiustificato ritardo e comunque entro un mese. Dalla pagina delle cancellazioni
        puoi verificarla ed eseguirla: i dati personali saranno resi anonimi, mentre l'ente, i progetti e i dati
        aggregati restano invariati.
      </Text>
      <Button href={p.erasuresUrl} style={button}>
        Apri le richieste di cancellazione
      </Button>
    </EmailLayout>
  );
}

ErasureRequestedEmail.PreviewProps = {
  coordinatorName: "Amministratore",
  bodyName: "Comune di Cefalù",
  referentId: 12,
  requestedOn: "3 dicembre 2026",
  erasuresUrl: "http://localhost:3000/admin/cancellazioni",
} satisfies ErasureRequestedProps;

export default ErasureRequestedEmail;
