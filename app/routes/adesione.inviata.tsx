import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getCookies } from "~/utils/cookies.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: pageTitle("Scheda inviata") }];

type Flash = { email?: string; kind?: "new" | "handover"; outcome?: "created" | "resent" | "repeated"; sentAt?: string };

// What became of the scheda just sent. Nothing when the page is opened without sending one.
const OUTCOME_MESSAGES = {
  created: () => "La scheda referente è stata ricevuta.",
  resent: () =>
    "Avevamo già ricevuto questa scheda: abbiamo aggiornato i dati e inviato un nuovo collegamento di conferma. Usa quello dell'ultima email: i collegamenti precedenti non valgono più.",
  repeated: (sentAt?: string) =>
    `Avevamo già ricevuto questa scheda, identica: il collegamento di conferma che ti abbiamo inviato${sentAt ? ` alle ${sentAt}` : ""} resta valido, non ne serve un altro.`,
};

export async function loader({ request }: LoaderFunctionArgs) {
  const flash = getCookies().flash;
  const data = ((await flash.parse(request.headers.get("Cookie"))) ?? {}) as Flash;
  return json(data, { headers: { "Set-Cookie": await flash.serialize("", { maxAge: 0 }) } });
}

export default function RegistrationSent() {
  const { email, kind, outcome, sentAt } = useLoaderData<typeof loader>();
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-8">
          <h1>Controlla la tua casella di posta</h1>
          {outcome && outcome in OUTCOME_MESSAGES ? (
            <div className="alert alert-success" role="status">
              {OUTCOME_MESSAGES[outcome](sentAt)}
            </div>
          ) : null}
          {kind === "handover" ? (
            <p>
              L'ente ha già un referente attivo: la tua scheda è registrata come <strong>richiesta di subentro</strong>.
              Dopo l'approvazione diventerai il nuovo referente e il precedente ne riceverà notizia.
            </p>
          ) : null}
          <h2 className="h4 mt-4">Cosa succede adesso</h2>
          <ol>
            <li>
              Ti abbiamo inviato un'email{email ? <> all'indirizzo <strong>{email}</strong></> : null} con un collegamento
              per confermare l'indirizzo. Il collegamento vale 7 giorni e si usa una sola volta.
            </li>
            <li>Dopo la conferma, i coordinatori di ANCI Sicilia esaminano la scheda.</li>
            <li>Riceverai un'email con l'esito e l'accesso all'area referente.</li>
          </ol>
          <p>
            Non trovi l'email? Controlla la cartella della posta indesiderata. Se hai sbagliato indirizzo puoi{" "}
            <a href="/adesione">compilare di nuovo la scheda</a>.
          </p>
        </div>
      </div>
    </div>
  );
}
