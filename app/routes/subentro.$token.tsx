import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { CheckboxField, ErrorSummary } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { acceptHandover, lookupHandover, type HandoverLookup } from "~/models/handover.server";
import { displayPhone } from "~/utils/phone-display.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { successorConsentSchema, type SuccessorConsentInput } from "~/validation/referent-area";
import { forBody, ofBody } from "~/utils/text";
import { pageTitle } from "~/utils/page-title";

// The title follows the heading of the link's state. Meta sees only the loader's data, which after a
// successful POST already reads "used": its title is true both just confirmed and on a later visit.
const TITLES: Record<HandoverLookup["state"], string> = {
  valid: "Conferma del subentro come referente",
  used: "Subentro confermato",
  expired: "Collegamento scaduto",
  invalid: "Collegamento non valido",
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: pageTitle(TITLES[data?.lookup.state ?? "valid"]) },
  { name: "robots", content: "noindex" },
];

type PageData = { lookup: HandoverLookup; accepted: boolean; errors: Record<string, string> };

function forPage(lookup: HandoverLookup): HandoverLookup {
  if (lookup.state !== "valid") return lookup;
  const s = lookup.successor;
  return { ...lookup, successor: { ...s, phone: displayPhone(s.phone) ?? s.phone, mobile: displayPhone(s.mobile) } };
}

// GET shows the data, the privacy notice link and the consent box; only the POST confirms.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupHandover(getDb(), { token: params.token ?? "" });
  return json<PageData>({ lookup: forPage(lookup), accepted: false, errors: {} }, { status: lookup.state === "invalid" ? 404 : 200 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const token = params.token ?? "";
  const db = getDb();
  const parsed = successorConsentSchema.safeParse({ privacyConsent: formData.get("privacyConsent") ?? "" });
  if (!parsed.success) {
    const lookup = lookupHandover(db, { token });
    return json<PageData>({ lookup: forPage(lookup), accepted: false, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  }
  const lookup = acceptHandover(db, { token, appUrl: getEnv().appUrl });
  if (lookup.state === "valid") wakeOutboxWorker();
  return json<PageData>(
    { lookup: forPage(lookup), accepted: lookup.state === "valid", errors: {} },
    { status: lookup.state === "valid" ? 200 : lookup.state === "invalid" ? 404 : 410 },
  );
}

export default function HandoverConfirmationPage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const { lookup, accepted, errors } = acted ?? loaded;
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-8">
          {accepted && lookup.state === "valid" ? (
            <>
              <h1>Subentro confermato</h1>
              <div className="alert alert-success" role="status">
                Grazie: la richiesta di subentro come referente {ofBody(lookup.bodyName)} è ora in attesa di approvazione.
              </div>
              <p>
                I coordinatori di ANCI Sicilia esamineranno la richiesta e riceverai l'esito per email. Intanto puoi già
                accedere all'<a href="/area-referente">area referente</a> con il tuo indirizzo email.
              </p>
            </>
          ) : (
            <State lookup={lookup} errors={errors} />
          )}
        </div>
      </div>
    </div>
  );
}

function State({ lookup, errors }: { lookup: HandoverLookup; errors: Record<string, string> }) {
  switch (lookup.state) {
    case "valid":
      return <ConsentForm lookup={lookup} errors={errors} />;
    case "used":
      return (
        <>
          <h1>Subentro già confermato</h1>
          <p className="lead">
            Questo collegamento è già stato usato: la richiesta di subentro {forBody(lookup.bodyName)} è in attesa di approvazione
            o già esaminata. Non devi fare altro.
          </p>
        </>
      );
    case "expired":
      return (
        <>
          <h1>Collegamento scaduto</h1>
          <p className="lead">
            Il collegamento vale 7 giorni ed è scaduto. Chiedi al referente attuale di proporti di nuovo, oppure{" "}
            <a href="/adesione">compila la scheda referente</a>.
          </p>
        </>
      );
    default:
      return (
        <>
          <h1>Collegamento non valido</h1>
          <p className="lead">
            Il collegamento non corrisponde a nessuna proposta di subentro. Controlla di averlo copiato per intero dall'email.
          </p>
        </>
      );
  }
}

function ConsentForm({ lookup, errors }: { lookup: Extract<HandoverLookup, { state: "valid" }>; errors: Record<string, string> }) {
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<SuccessorConsentInput>({
    schema: successorConsentSchema,
    defaultValues: { privacyConsent: false },
    serverErrors: errors,
  });
  const s = lookup.successor;
  return (
    <>
      <h1>Conferma il subentro come referente</h1>
      <p className="lead">
        {lookup.proposerName ? `${lookup.proposerName} ti propone il subentro` : "Ti è stato proposto il subentro"} come referente{" "}
        <strong>{ofBody(lookup.bodyName)}</strong> per il Coordinamento dei Comuni siciliani aderenti alla Rete SAI.
      </p>
      <h2 className="h4">I tuoi dati</h2>
      <dl className="row">
        <dt className="col-sm-4">Nome e cognome</dt>
        <dd className="col-sm-8">
          {s.firstName} {s.lastName}
        </dd>
        <dt className="col-sm-4">Ruolo</dt>
        <dd className="col-sm-8">{s.roleLabel}</dd>
        <dt className="col-sm-4">Ufficio o settore</dt>
        <dd className="col-sm-8">{s.office}</dd>
        <dt className="col-sm-4">Email</dt>
        <dd className="col-sm-8">{s.email}</dd>
        <dt className="col-sm-4">Telefono</dt>
        <dd className="col-sm-8">{s.phone}</dd>
        <dt className="col-sm-4">Cellulare</dt>
        <dd className="col-sm-8">{s.mobile ?? "—"}</dd>
      </dl>
      <p>Se qualcosa non è corretto potrai aggiornarlo dall'area referente dopo la conferma.</p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} failureTitle="Conferma non riuscita" /> : null}
        <CheckboxField
          label="Ho letto l'informativa sul trattamento dei dati personali (art. 13 GDPR)"
          hint={
            <a href="/privacy" target="_blank" rel="noopener">
              Leggi l'informativa privacy (si apre in una nuova scheda)
            </a>
          }
          error={errorFor("privacyConsent")}
          {...form.register("privacyConsent")}
        />
        <button type="submit" className="btn btn-primary btn-lg" disabled={submissionUnderWay(navigation)}>
          Accetto e confermo
        </button>
      </Form>
    </>
  );
}
