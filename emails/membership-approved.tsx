import { Button, Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { Link } from "./components/link";
import { EmailLayout, button } from "./components/layout";
import { ofBody } from "~/utils/text";

export type MembershipApprovedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  isHandover: boolean;
  referentAreaUrl: string;
  /** Recorded by the coordinators' import of the member list, not sent by the person: said so. */
  imported?: boolean;
  /** With `imported`: the privacy notice, since the person was not shown it (art. 14 GDPR). */
  privacyUrl?: string;
};

export const subject = (p: MembershipApprovedProps) =>
  p.isHandover ? `Subentro approvato: sei il referente ${ofBody(p.bodyName)}` : `Adesione approvata: ${p.bodyName} nel Coordinamento SAI`;

export function MembershipApprovedEmail(p: MembershipApprovedProps) {
  return (
    <EmailLayout
      preview={p.isHandover ? `La richiesta di subentro ${ofBody(p.bodyName)} è stata approvata` : `La scheda referente ${ofBody(p.bodyName)} è stata approvata`}
    >
      <Heading as="h1" style={{ fontSize: "22px" }}>
        {p.isHandover ? "Sei il nuovo referente dell'ente" : "Ti diamo il benvenuto nel Coordinamento"}
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        {p.imported
          ? `i coordinatori di ANCI Sicilia ti hanno registrato come referente ${ofBody(p.bodyName)} nel portale del Coordinamento dei Comuni siciliani aderenti alla Rete SAI, riprendendo l'elenco degli enti aderenti.`
          : p.isHandover
            ? `la richiesta di subentro è stata approvata: da oggi sei referente ${ofBody(p.bodyName)} per il Coordinamento dei Comuni siciliani aderenti alla Rete SAI.`
            : `la scheda referente ${ofBody(p.bodyName)} è stata approvata: l'ente fa ora parte del Coordinamento dei Comuni siciliani aderenti alla Rete SAI, con te come referente.`}
      </Text>
      <Text>Cosa succede adesso:</Text>
      <Text>
        • riceverai gli inviti ai Tavoli tecnici, con il programma e i pulsanti per rispondere;
        <br />• dopo ogni incontro riceverai i materiali (slide, video, documenti);
        <br />• nell'area referente puoi aggiornare i dati tuoi e dei progetti SAI dell'ente e indicare chi ti
        succederà come referente.
      </Text>
      <Button href={p.referentAreaUrl} style={button}>
        Vai all'area referente
      </Button>
      {p.imported ? (
        <Text>
          Se non sei tu il referente dell'ente, avvisa i coordinatori.
          {p.privacyUrl ? (
            <>
              {" "}
              Come trattiamo i tuoi dati: <Link href={p.privacyUrl}>{p.privacyUrl}</Link>
            </>
          ) : null}
        </Text>
      ) : null}
    </EmailLayout>
  );
}

MembershipApprovedEmail.PreviewProps = {
  firstName: "Maria",
  lastName: "Rossi",
  bodyName: "Comune di Cefalù",
  isHandover: false,
  referentAreaUrl: "http://localhost:3000/area-referente",
} satisfies MembershipApprovedProps;

export default MembershipApprovedEmail;
