import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout } from "./components/layout";

export type CoordinatorPasswordChangedProps = {
  name: string;
  email: string;
  /** "3 dicembre 2026 alle 09:30", Italian time. */
  changedAt: string;
  /** Where to ask for a reset link (/login/password-dimenticata). */
  forgotPasswordUrl: string;
};

export const subject = () => "La password dell'area coordinatori è stata cambiata";

export function CoordinatorPasswordChangedEmail(p: CoordinatorPasswordChangedProps) {
  return (
    <EmailLayout preview="La password del tuo account nell'area coordinatori è stata cambiata">
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Password cambiata
      </Heading>
      <Greeting name={p.name} />
      <Text>
        la password con cui accedi come <strong>{p.email}</strong> all'area coordinatori del Portale del Coordinamento
        SAI è stata cambiata il {p.changedAt}. Le sessioni aperte con la vecchia password sono state chiuse.
      </Text>
      <Text>Se sei stato tu, non devi fare altro.</Text>
      <Text>
        Se non sei stato tu, qualcuno potrebbe conoscere la tua password: scegline subito una nuova da questa pagina,
        che ti invierà un collegamento a questo indirizzo: <Link href={p.forgotPasswordUrl}>{p.forgotPasswordUrl}</Link>
      </Text>
      <Text>Poi avvisa un amministratore del Coordinamento, che può controllare le attività del tuo account nel registro.</Text>
    </EmailLayout>
  );
}

CoordinatorPasswordChangedEmail.PreviewProps = {
  name: "Giulia Bianchi",
  email: "giulia.bianchi@example.org",
  changedAt: "3 dicembre 2026 alle 09:30",
  forgotPasswordUrl: "http://localhost:3000/login/password-dimenticata",
} satisfies CoordinatorPasswordChangedProps;

export default CoordinatorPasswordChangedEmail;
