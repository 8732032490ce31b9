import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";

export type CoordinatorPasswordResetProps = {
  name: string;
  /** The page with the form for the new password (/login/reimposta-password/<token>). */
  resetUrl: string;
  validMinutes: number;
  /** The administrator who sent the link from /admin/coordinatori; null when the coordinator asked for it. */
  sentByName: string | null;
};

export const subject = () => "Reimposta la password dell'area coordinatori del Portale del Coordinamento SAI";

export function CoordinatorPasswordResetEmail(p: CoordinatorPasswordResetProps) {
  return (
    <EmailLayout preview="Il collegamento per scegliere una nuova password dell'area coordinatori">
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Reimposta la password
      </Heading>
      <Greeting name={p.name} />
      <Text>
        {p.sentByName
          ? `${p.sentByName}, amministratore del Coordinamento, ti ha inviato un collegamento per scegliere una nuova password dell'area coordinatori del Portale del Coordinamento SAI.`
          : "abbiamo ricevuto una richiesta di reimpostare la password del tuo account nell'area coordinatori del Portale del Coordinamento SAI."}
      </Text>
      <Text>Per scegliere la nuova password apri questa pagina:</Text>
      <Button href={p.resetUrl} style={button}>
        Scegli una nuova password
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.resetUrl}>{p.resetUrl}</Link>
      </Text>
      <Text>
        Il collegamento vale {p.validMinutes} minuti e si può usare una sola volta; vale solo l'ultimo ricevuto. Non
        inoltrarlo a nessuno.
      </Text>
      {p.sentByName ? (
        <Text>
          Se non aspettavi questo messaggio, chiedine il motivo a {p.sentByName} prima di usare il collegamento. Se non lo
          usi, la password attuale resta valida e il collegamento scade da solo.
        </Text>
      ) : (
        <Text>
          Se non hai chiesto tu di reimpostare la password, ignora questo messaggio: la password attuale resta valida.
        </Text>
      )}
    </EmailLayout>
  );
}

CoordinatorPasswordResetEmail.PreviewProps = {
  name: "Giulia Bianchi",
  resetUrl: "http://localhost:3000/login/reimposta-password/esempio",
  validMinutes: 60,
  sentByName: null,
} satisfies CoordinatorPasswordResetProps;

export default CoordinatorPasswordResetEmail;
