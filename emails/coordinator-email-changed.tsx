import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout } from "./components/layout";

export type CoordinatorEmailChangedProps = {
  name: string;
  previousEmail: string;
  newEmail: string;
  /** The administrator who changed it; null when it was the coordinator themselves. */
  changedByName: string | null;
  /** "3 dicembre 2026 alle 09:30", Italian time. */
  changedAt: string;
  /** Where the coordinator signs in (/login). */
  signInUrl: string;
};

export const subject = () => "L'indirizzo email del tuo account nell'area coordinatori è cambiato";

/** Sent to the previous and the new address: the previous one learns of a change they may not have asked for. */
export function CoordinatorEmailChangedEmail(p: CoordinatorEmailChangedProps) {
  return (
    <EmailLayout preview={`Da ora accedi all'area coordinatori con ${p.newEmail}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Indirizzo email cambiato
      </Heading>
      <Greeting name={p.name} />
      <Text>
        il {p.changedAt} {p.changedByName ? `${p.changedByName} ha cambiato` : "hai cambiato"} l'indirizzo email del tuo
        account nell'area coordinatori del Portale del Coordinamento SAI: da <strong>{p.previousEmail}</strong> a{" "}
        <strong>{p.newEmail}</strong>.
      </Text>
      <Text>
        Le email del portale arrivano al nuovo indirizzo; un collegamento per reimpostare la password inviato prima del
        cambio non vale più. Da ora accedi con <strong>{p.newEmail}</strong> e la password di sempre, da questa pagina:{" "}
        <Link href={p.signInUrl}>{p.signInUrl}</Link>
      </Text>
      <Text>Se il cambio non è stato chiesto da te, avvisa subito un amministratore del Coordinamento.</Text>
    </EmailLayout>
  );
}

CoordinatorEmailChangedEmail.PreviewProps = {
  name: "Giulia Bianchi",
  previousEmail: "giulia.bianchi@example.org",
  newEmail: "g.bianchi@anci.sicilia.it",
  changedByName: "Amministratore",
  changedAt: "3 dicembre 2026 alle 09:30",
  signInUrl: "http://localhost:3000/login",
} satisfies CoordinatorEmailChangedProps;

export default CoordinatorEmailChangedEmail;
