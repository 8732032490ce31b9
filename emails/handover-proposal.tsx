import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

export type HandoverProposalProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  proposerName: string;
  confirmUrl: string;
  expiresOn: string;
};

export const subject = (p: HandoverProposalProps) => `Proposta di subentro come referente ${ofBody(p.bodyName)}`;

export function HandoverProposalEmail(p: HandoverProposalProps) {
  return (
    <EmailLayout preview={`${p.proposerName} ti propone il subentro come referente ${ofBody(p.bodyName)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Proposta di subentro come referente
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        {p.proposerName}, attuale referente <strong>{ofBody(p.bodyName)}</strong> per il Coordinamento dei Comuni siciliani
        aderenti alla Rete SAI, ti propone di subentrare come referente.
      </Text>
      <Text>
        Per accettare controlla i tuoi dati, leggi l'informativa sul trattamento dei dati personali e conferma. La
        richiesta passerà poi ai coordinatori di ANCI Sicilia per l'approvazione.
      </Text>
      <Button href={p.confirmUrl} style={button}>
        Controlla e conferma
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.confirmUrl}>{p.confirmUrl}</Link>
      </Text>
      <Text>Il collegamento è valido fino al {p.expiresOn} e può essere usato una sola volta.</Text>
      <Text>Se non sei la persona indicata o non vuoi accettare, ignora questo messaggio: senza conferma i dati vengono cancellati.</Text>
    </EmailLayout>
  );
}

HandoverProposalEmail.PreviewProps = {
  firstName: "Giuseppe",
  lastName: "Verdi",
  bodyName: "Comune di Cefalù",
  proposerName: "Maria Rossi",
  confirmUrl: "http://localhost:3000/subentro/esempio",
  expiresOn: "3 dicembre 2026 alle 18:00",
} satisfies HandoverProposalProps;

export default HandoverProposalEmail;
