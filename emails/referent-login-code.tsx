import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, button } from "./components/layout";

export type ReferentLoginCodeProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  code: string;
  /** The magic link: a page with an "Accedi" button (opening it signs nobody in). */
  signInUrl: string;
  validMinutes: number;
};

export const subject = (p: ReferentLoginCodeProps) => `Codice di accesso all'area referente: ${p.code}`;

export function ReferentLoginCodeEmail(p: ReferentLoginCodeProps) {
  return (
    <EmailLayout preview={`Il tuo codice di accesso è ${p.code}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Accesso all'area referente
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>per accedere all'area referente del Portale del Coordinamento SAI inserisci questo codice:</Text>
      <Text style={{ fontSize: "28px", fontWeight: 700, letterSpacing: "6px", margin: "16px 0" }}>{p.code}</Text>
      <Text>Oppure apri la pagina di accesso e premi il pulsante "Accedi":</Text>
      <Button href={p.signInUrl} style={button}>
        Accedi all'area referente
      </Button>
      <Text>
        Se il pulsante non funziona, copia questo indirizzo nel browser: <Link href={p.signInUrl}>{p.signInUrl}</Link>
      </Text>
      <Text>
        Il codice e il collegamento valgono {p.validMinutes} minuti e possono essere usati una sola volta. Non
        comunicarli a nessuno: i coordinatori di ANCI Sicilia non te li chiederanno mai.
      </Text>
      <Text>Se non hai chiesto tu di accedere, ignora questo messaggio: senza il codice nessuno può entrare.</Text>
    </EmailLayout>
  );
}

ReferentLoginCodeEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  code: "482913",
  signInUrl: "http://localhost:3000/area-referente/accedi/link/esempio",
  validMinutes: 10,
} satisfies ReferentLoginCodeProps;

export default ReferentLoginCodeEmail;
