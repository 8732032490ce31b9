import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { setCommunicationsPreference } from "~/models/referent.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { readUnsubscribeToken } from "~/utils/unsubscribe.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: pageTitle("Disiscrizione dalle comunicazioni") }];

export function loader({ params }: LoaderFunctionArgs) {
  const email = readUnsubscribeToken(params.token ?? "");
  return json({ email }, { status: email ? 200 : 404 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const email = readUnsubscribeToken(params.token ?? "");
  if (!email) return json({ done: false }, { status: 404 });
  const formData = await request.formData();
  // Mail clients send RFC 8058 one-click POSTs without our form; the signed link is the authority there.
  if (formData.get("List-Unsubscribe") !== "One-Click") await validateCsrf(request, formData);
  setCommunicationsPreference(getDb(), { email, receives: false });
  return json({ done: true });
}

export default function UnsubscribePage() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (!email) {
    return (
      <div className="container my-5">
        <h1>Collegamento non valido</h1>
        <p className="lead">
          Il collegamento di disiscrizione non è valido: se lo hai copiato a mano, controlla di averlo copiato per intero
          dall'email ricevuta.
        </p>
        <p>
          Puoi sempre scegliere se ricevere le comunicazioni del Coordinamento dalla pagina{" "}
          <Link to="/area-referente/privacy">«Privacy e dati personali» dell'area referente</Link>, dopo aver effettuato l'accesso.
        </p>
      </div>
    );
  }
  return (
    <div className="container my-5">
      {result?.done ? (
        <>
          <h1>Disiscrizione completata</h1>
          <p className="lead" role="status">
            L'indirizzo {email} non riceverà più le comunicazioni del Coordinamento. Continuerai a ricevere i messaggi di
            servizio (inviti ai Tavoli tecnici ed esito delle richieste).
          </p>
          {/* Not a dead end: the way back, and where the choice can be undone. */}
          <p>
            Se cambi idea, da referente puoi tornare a ricevere le comunicazioni dall'
            <Link to="/area-referente/privacy">area referente, nella pagina «Privacy e dati personali»</Link>.
          </p>
          <p>
            <Link to="/">Torna alla pagina iniziale del portale</Link>
          </p>
        </>
      ) : (
        <>
          <h1>Non ricevere più le comunicazioni</h1>
          <p className="lead">
            Confermi che l'indirizzo <strong>{email}</strong> non deve più ricevere le comunicazioni del Coordinamento? I
            messaggi di servizio continueranno ad arrivare.
          </p>
          <Form method="post">
            <AuthenticityTokenInput name="csrf" />
            <button type="submit" className="btn btn-primary">
              Conferma la disiscrizione
            </button>
          </Form>
        </>
      )}
    </div>
  );
}
