import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";

export type CoordinatorInvitationProps = {
  name: string;
  inviterName: string;
  roleLabel: string;
  inviteUrl: string;
  expiresOn: string;
};

export const subject = (p: CoordinatorInvitationProps) => `Invito all'area coordinatori del Portale del Coordinamento SAI (${p.roleLabel.toLowerCase()})`;

export function CoordinatorInvitationEmail(p: CoordinatorInvitationProps) {
  return (
    <EmailLayout preview={`${p.inviterName} ti invita come ${p.roleLabel.toLowerCase()} nel Portale del Coordinamento SAI`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Un invito per l'area coordinatori
      </Heading>
      <Greeting name={p.name} />
      <Text>
        {p.inviterName} ti ha invitato a far parte dei coordinatori di ANCI Sicilia nel Portale del Coordinamento SAI,
        con il ruolo di <strong>{p.roleLabel}</strong>.
      </Text>
      <Text>Per attivare l'account scegli la tua password:</Text>
      <Button href={p.inviteUrl} style={button}>
        Imposta la password
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.inviteUrl}>{p.inviteUrl}</Link>
      </Text>
      <Text>
        Il collegamento è valido fino al {p.expiresOn} e può essere usato una sola volta. Se non aspettavi questo
        invito, ignora il messaggio: senza la password l'account resta inattivo.
      </Text>
    </EmailLayout>
  );
}

CoordinatorInvitationEmail.PreviewProps = {
  name: "Giulia Bianchi",
  inviterName: "Amministratore",
  roleLabel: "Coordinatore",
  inviteUrl: "http://localhost:3000/invito-coordinatore/esempio",
  expiresOn: "3 dicembre 2026 alle 18:00",
} satisfies CoordinatorInvitationProps;

export default CoordinatorInvitationEmail;
