import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { confirmRegistration, lookupConfirmation, resendConfirmation, type ConfirmationLookup } from "~/models/membership.server";
import { consumeRateLimit, minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { ofBody } from "~/utils/text";
import { pageTitle } from "~/utils/page-title";

// The title follows the heading of the link's state. Meta sees only the loader's data, which after a
// successful POST already reads "used": its title is true both just confirmed and on a later visit.
const TITLES: Record<ConfirmationLookup["state"], string> = {
  valid: "Conferma dell'indirizzo email",
  used: "Indirizzo email confermato",
  expired: "Collegamento scaduto",
  resent: "Nuovo collegamento inviato",
  invalid: "Collegamento non valido",
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: pageTitle(TITLES[data?.lookup.state ?? "valid"]) }];

// GET never changes anything (mail scanners follow links): confirming takes the POST below.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupConfirmation(getDb(), { token: params.token ?? "" });
  return json({ lookup, confirmed: false }, { status: lookup.state === "invalid" ? 404 : 200 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const token = params.token ?? "";
  if (formData.get("intent") === "resend") {
    // Each one emails the scheda's address: a few an hour for one link.
    const limit = consumeRateLimit({ key: `confirm-resend:${token.slice(0, 64)}`, limit: 3, windowMs: 60 * 60_000 });
    if (!limit.allowed) {
      const lookup: ConfirmationLookup = { state: "expired" };
      return json({ lookup, confirmed: false, limitedFor: minutesText(limit.retryAfterSeconds) }, tooManyRequestsInit(limit.retryAfterSeconds));
    }
    const lookup = resendConfirmation(getDb(), { token, appUrl: getEnv().appUrl });
    if (lookup.state === "resent") wakeOutboxWorker();
    return json({ lookup, confirmed: false }, { status: lookup.state === "resent" ? 200 : 410 });
  }
  const lookup = confirmRegistration(getDb(), { token, appUrl: getEnv().appUrl });
  if (lookup.state === "valid") wakeOutboxWorker();
  return json({ lookup, confirmed: lookup.state === "valid" }, { status: lookup.state === "valid" ? 200 : 410 });
}

export default function ConfirmEmailPage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const { lookup, confirmed } = acted ?? loaded;
  const limitedFor = acted && "limitedFor" in acted ? String(acted.limitedFor) : undefined;
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-8">{confirmed ? <Confirmed lookup={lookup} /> : <State lookup={lookup} limitedFor={limitedFor} />}</div>
      </div>
    </div>
  );
}

function Confirmed({ lookup }: { lookup: ConfirmationLookup }) {
  return (
    <>
      <h1>Indirizzo email confermato</h1>
      <div className="alert alert-success" role="status">
        Grazie: la scheda referente{"bodyName" in lookup ? ` ${ofBody(lookup.bodyName)}` : ""} è ora in attesa di approvazione.
      </div>
      <p>
        I coordinatori di ANCI Sicilia esamineranno la richiesta e riceverai l'esito per email. Non devi fare altro.
      </p>
      <p>
        <a href="/">Torna alla pagina iniziale</a>
      </p>
    </>
  );
}

function State({ lookup, limitedFor }: { lookup: ConfirmationLookup; limitedFor?: string }) {
  switch (lookup.state) {
    case "valid":
      return (
        <>
          <h1>Conferma il tuo indirizzo email</h1>
          <p className="lead">
            Stai confermando l'indirizzo <strong>{lookup.email}</strong> come referente <strong>{ofBody(lookup.bodyName)}</strong>
            {lookup.kind === "handover" ? " (richiesta di subentro)" : ""}.
          </p>
          <Form method="post">
            <AuthenticityTokenInput name="csrf" />
            <button type="submit" className="btn btn-primary btn-lg">
              Conferma l'indirizzo email
            </button>
          </Form>
        </>
      );
    case "used":
      return (
        <>
          <h1>Indirizzo già confermato</h1>
          <p className="lead">
            Questo collegamento è già stato usato: la scheda {ofBody(lookup.bodyName)} è in attesa di approvazione o già
            esaminata. Non devi fare altro.
          </p>
        </>
      );
    case "expired":
      return (
        <>
          <h1>Collegamento scaduto</h1>
          <p className="lead">
            Il collegamento di conferma vale 7 giorni ed è scaduto. Possiamo inviarne uno nuovo all'indirizzo indicato nella
            scheda, senza doverla compilare di nuovo.
          </p>
          {limitedFor ? (
            <p className="alert alert-warning" role="alert">
              Hai già chiesto più volte un nuovo collegamento: riprova tra {limitedFor}, oppure controlla la posta indesiderata.
            </p>
          ) : null}
          <Form method="post">
            <AuthenticityTokenInput name="csrf" />
            <button type="submit" name="intent" value="resend" className="btn btn-primary">
              Inviami un nuovo collegamento
            </button>
          </Form>
          <p className="mt-3">
            Se i dati della scheda sono cambiati, <a href="/adesione">compila di nuovo la scheda</a>.
          </p>
        </>
      );
    case "resent":
      return (
        <>
          <h1>Nuovo collegamento inviato</h1>
          <p className="lead" role="status">
            Ti abbiamo inviato un nuovo collegamento di conferma all'indirizzo indicato nella scheda: vale fino al{" "}
            {lookup.expiresOn}. Se non lo trovi, controlla la posta indesiderata.
          </p>
        </>
      );
    default:
      return (
        <>
          <h1>Collegamento non valido</h1>
          <p className="lead">
            Il collegamento non corrisponde a nessuna scheda. Se hai inviato la scheda più di una volta, vale solo il
            collegamento dell'ultima email ricevuta. Altrimenti controlla di averlo copiato per intero dall'email, oppure{" "}
            <a href="/adesione">compila la scheda referente</a>.
          </p>
        </>
      );
  }
}
