import { Button, Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

export type RegistrationAwaitingApprovalProps = {
  coordinatorName: string;
  bodyName: string;
  referentName: string;
  isHandover: boolean;
  requestUrl: string;
};

export const subject = (p: RegistrationAwaitingApprovalProps) =>
  `${p.isHandover ? "Richiesta di subentro" : "Nuova adesione"} da approvare: ${p.bodyName}`;

export function RegistrationAwaitingApprovalEmail(p: RegistrationAwaitingApprovalProps) {
  return (
    <EmailLayout preview={`${p.bodyName} attende l'approvazione`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        {p.isHandover ? "Richiesta di subentro da approvare" : "Nuova adesione da approvare"}
      </Heading>
      <Greeting name={p.coordinatorName} />
      <Text>
        {p.referentName} ha confermato il proprio indirizzo email e la scheda referente <strong>{ofBody(p.bodyName)}</strong>{" "}
        {p.isHandover
          ? "chiede di subentrare all'attuale referente dell'ente."
          : "è in attesa di approvazione."}
      </Text>
      <Button href={p.requestUrl} style={button}>
        Apri la richiesta
      </Button>
    </EmailLayout>
  );
}

RegistrationAwaitingApprovalEmail.PreviewProps = {
  coordinatorName: "Amministratore",
  bodyName: "Comune di Cefalù",
  referentName: "Maria Rossi",
  isHandover: false,
  requestUrl: "http://localhost:3000/admin/adesioni/1",
} satisfies RegistrationAwaitingApprovalProps;

export default RegistrationAwaitingApprovalEmail;
