import { Heading, Text } from "@react-email/components";
import { Greeting } from "./components/greeting";
import { Link } from "./components/link";
import { EmailLayout } from "./components/layout";
import { forBody, ofBody } from "~/utils/text";

export type ReferentReplacedProps = {
  firstName: string;
  /** Absent in the emails queued before it was added: they greet by first name alone. */
  lastName?: string;
  bodyName: string;
  successorName: string;
  endDate: string;
  /**
   * The upcoming Tavoli tecnici they were invited to and had not declined, now the successor's
   * (absent in emails queued before it existed).
   */
  passedOn?: { name: string; when: string }[];
  /**
   * Added at delivery, never stored: CONTACT_EMAIL as it is then, the Reply-To of the email. Without
   * it a reply would go to the no-reply sender, so the email does not ask for one.
   */
  contactEmail?: string;
};

export const subject = (p: ReferentReplacedProps) => `Nuovo referente ${forBody(p.bodyName)}`;

export function ReferentReplacedEmail(p: ReferentReplacedProps) {
  return (
    <EmailLayout preview={`${p.successorName} è il nuovo referente ${ofBody(p.bodyName)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Cambio di referente
      </Heading>
      <Greeting firstName={p.firstName} lastName={p.lastName} />
      <Text>
        ti informiamo che dal {p.endDate} il referente {ofBody(p.bodyName)} per il Coordinamento dei Comuni siciliani
        aderenti alla Rete SAI è {p.successorName}, la cui richiesta di subentro è stata approvata.
      </Text>
      <Text>
        Grazie per il lavoro svolto. Da oggi non riceverai più gli inviti e le comunicazioni del Coordinamento per
        conto dell'ente. Se non eri a conoscenza di questo cambio,{" "}
        {p.contactEmail ? (
          <>
            rispondi a questo messaggio o scrivi a <Link href={`mailto:${p.contactEmail}`}>{p.contactEmail}</Link>.
          </>
        ) : (
          "scrivi ai coordinatori di ANCI Sicilia."
        )}
      </Text>
      {p.passedOn?.length ? (
        <>
          <Text>
            {p.passedOn.length === 1 ? "Il tuo invito a questo Tavolo tecnico è passato" : "I tuoi inviti a questi Tavoli tecnici sono passati"}{" "}
            a {p.successorName}
            {p.passedOn.length === 1 ? ": se l'avevi aggiunto al calendario, puoi toglierlo." : ": se li avevi aggiunti al calendario, puoi toglierli."}
          </Text>
          <ul>
            {p.passedOn.map((rt) => (
              <li key={rt.name + rt.when}>
                {rt.name}, {rt.when}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <Text>
        Con il tuo indirizzo email puoi ancora accedere all'area referente per scaricare i tuoi dati personali o
        chiederne la cancellazione.
      </Text>
    </EmailLayout>
  );
}

ReferentReplacedEmail.PreviewProps = {
  firstName: "Giuseppe",
  lastName: "Verdi",
  bodyName: "Comune di Cefalù",
  successorName: "Maria Rossi",
  endDate: "26 novembre 2026",
  passedOn: [{ name: "7° Tavolo tecnico - Inserimento lavorativo dei beneficiari SAI", when: "martedì 24 novembre 2026, dalle 15:00 alle 17:00" }],
} satisfies ReferentReplacedProps;

export default ReferentReplacedEmail;
