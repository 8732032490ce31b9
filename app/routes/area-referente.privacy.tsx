import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { DownloadOffer } from "~/components/download-offer";
import { CheckboxField, ErrorSummary, FormRefusal } from "~/components/form-fields";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { useValidatedForm } from "~/components/use-validated-form";
import { getPrivacySettings, requestErasure, withdrawErasure } from "~/models/privacy.server";
import { setCommunicationsPreference } from "~/models/referent.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { personalDataOfferedAfterSignIn, requireReferentForPrivacy } from "~/utils/referent-auth.server";
import { communicationsSchema, erasureRequestSchema, type ErasureRequestInput } from "~/validation/privacy";
import { ofBody } from "~/utils/text";
import { areaPageHandle } from "~/utils/skip-link";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [{ title: referentPageTitle("Privacy e dati personali") }];

// The one page of the referent area open to a former referente too (with the data download and
// "Esci"): their rights over their own data outlive their term. Communications are for referenti
// in charge, so a former referente neither sees nor changes that choice.

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferentForPrivacy(request);
  const settings = getPrivacySettings(getDb(), { referentId: access.referentId });
  if (!settings) throw new Response("Referente non trovato.", { status: 404 });
  return json({
    header: headerData(access),
    name: `${access.firstName} ${access.lastName}`,
    email: access.email,
    bodyName: access.bodyName,
    status: access.status,
    receivesCommunications: settings.receivesCommunications,
    erasureRequestedAt: settings.erasureRequestedAt,
    // After signing in for "Scarica i miei dati" (redirectAfterSignIn): the download one click away.
    downloadOffer: personalDataOfferedAfterSignIn(request),
  });
}

type ActionData =
  | { intent: "communications"; ok: true; message: string }
  | { intent: "erasure"; ok: true; message: string }
  | { intent: "erasure"; ok: false; errors: Record<string, string>; formError?: string }
  | { intent: "withdraw-erasure"; ok: true; message: string }
  | { intent: "withdraw-erasure" | "unknown"; ok: false; errors: Record<string, string>; formError: string };

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const access = await requireReferentForPrivacy(request);
  const db = getDb();
  const fields = Object.fromEntries(formData);

  if (fields.intent === "communications") {
    if (access.status === "former") {
      throw new Response("Le comunicazioni del Coordinamento sono per i referenti in carica: il tuo incarico è terminato.", {
        status: 403,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
    const { receivesCommunications } = communicationsSchema.parse(fields);
    setCommunicationsPreference(db, { email: access.email, receives: receivesCommunications });
    return json<ActionData>({
      intent: "communications",
      ok: true,
      message: receivesCommunications
        ? "Preferenza salvata: riceverai le comunicazioni del Coordinamento."
        : "Preferenza salvata: non riceverai più le comunicazioni del Coordinamento. I messaggi di servizio continueranno ad arrivare.",
    });
  }

  if (fields.intent === "erasure") {
    const parsed = erasureRequestSchema.safeParse(fields);
    if (!parsed.success) {
      return json<ActionData>({ intent: "erasure", ok: false, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
    }
    const result = requestErasure(db, { referentId: access.referentId, appUrl: getEnv().appUrl });
    if (!result.ok) return json<ActionData>({ intent: "erasure", ok: false, errors: {}, formError: result.error }, { status: 409 });
    if (!result.alreadyRequested) wakeOutboxWorker();
    return json<ActionData>({
      intent: "erasure",
      ok: true,
      message: result.alreadyRequested
        ? "La tua richiesta di cancellazione era già stata registrata: i coordinatori la stanno esaminando."
        : "Richiesta di cancellazione inviata. I coordinatori la eseguiranno entro un mese: da quel momento non potrai più accedere all'area referente. Ti abbiamo inviato una conferma per email.",
    });
  }

  if (fields.intent === "withdraw-erasure") {
    const result = withdrawErasure(db, { referentId: access.referentId });
    if (!result.ok) return json<ActionData>({ intent: "withdraw-erasure", ok: false, errors: {}, formError: result.error }, { status: 409 });
    return json<ActionData>({
      intent: "withdraw-erasure",
      ok: true,
      message: "Hai ritirato la richiesta di cancellazione: i tuoi dati restano nel portale e i coordinatori non la eseguiranno.",
    });
  }

  return json<ActionData>({ intent: "unknown", ok: false, errors: {}, formError: "Operazione non riconosciuta." }, { status: 400 });
}

const PERSONAL_DATA_FILE = "/area-referente/privacy/dati.json";

export default function ReferentPrivacyPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);
  const erasure = actionData?.intent === "erasure" ? actionData : undefined;
  const erasureRequestedAt = data.erasureRequestedAt ? new Date(data.erasureRequestedAt) : null;
  const former = data.status === "former";

  return (
    <ReferentAreaFrame referent={data.header}>
      <h1>Privacy e dati personali</h1>
      <p className="lead">
        {former ? (
          <>
            {data.name}, già referente {ofBody(data.bodyName)}. Qui puoi scaricare i dati che il portale conserva su di te e
            chiedere la cancellazione dei tuoi dati.
          </>
        ) : (
          <>
            {data.name}, referente {ofBody(data.bodyName)}. Qui puoi scaricare i dati che il portale conserva su di te, scegliere
            se ricevere le comunicazioni e chiedere la cancellazione dei tuoi dati.
          </>
        )}{" "}
        Le regole sono nell'<Link to="/privacy">informativa privacy</Link>.
      </p>

      {/* Not over a form's outcome: the address keeps the offer when a form of the page is sent. */}
      {data.downloadOffer && !actionData ? (
        <DownloadOffer signedInNow={data.downloadOffer.signedInNow}>
          Ora puoi scaricare i tuoi dati:{" "}
          <a href={PERSONAL_DATA_FILE} download>
            scarica i tuoi dati
          </a>{" "}
          (file JSON).
        </DownloadOffer>
      ) : null}
      {actionData?.ok ? (
        <div className="alert alert-success" role="status">
          {actionData.message}
        </div>
      ) : null}
      <FormRefusal message={actionData && !actionData.ok && actionData.intent !== "erasure" ? actionData.formError : null} />

      <section aria-labelledby="dati-title" className="mb-5">
        <h2 id="dati-title">Scarica i miei dati</h2>
        <p>
          Tutto ciò che il portale conserva su di te: i tuoi dati di referente, le schede inviate, l'ente e i suoi progetti
          SAI, gli inviti ai Tavoli tecnici con le tue risposte, le email che ti abbiamo inviato e le attività registrate
          che ti riguardano.
        </p>
        <ul className="list-unstyled d-flex flex-wrap gap-3">
          <li>
            <a className="btn btn-primary" href={PERSONAL_DATA_FILE} download>
              Scarica i miei dati (JSON)
            </a>
          </li>
          <li>
            <Link className="btn btn-outline-primary" to="/area-referente/privacy/dati">
              Leggi e stampa i miei dati
            </Link>
          </li>
        </ul>
      </section>

      {former ? null : (
        <section aria-labelledby="comunicazioni-title" className="mb-5">
          <h2 id="comunicazioni-title">Comunicazioni</h2>
          <p>
            Oltre ai messaggi di servizio (inviti ai Tavoli tecnici, esito delle richieste, codici di accesso), il
            Coordinamento invia comunicazioni periodiche ai referenti.
          </p>
          <Form method="post" key={String(data.receivesCommunications)}>
            <AuthenticityTokenInput name="csrf" />
            <input type="hidden" name="intent" value="communications" />
            <CheckboxField
              name="receivesCommunications"
              label="Voglio ricevere le comunicazioni del Coordinamento"
              defaultChecked={data.receivesCommunications}
            />
            <button type="submit" className="btn btn-outline-primary" disabled={busy}>
              Salva la preferenza
            </button>
          </Form>
        </section>
      )}

      <section aria-labelledby="cancellazione-title" className="mb-5">
        <h2 id="cancellazione-title">Chiedi la cancellazione</h2>
        {erasureRequestedAt ? (
          <>
            <p className="alert alert-info">
              Hai chiesto la cancellazione dei tuoi dati il {formatDateIt(erasureRequestedAt)}. I coordinatori la eseguiranno
              entro un mese dalla richiesta.
            </p>
            <p>Finché la cancellazione non è eseguita puoi ritirare la richiesta: i tuoi dati resteranno nel portale.</p>
            <Form method="post">
              <AuthenticityTokenInput name="csrf" />
              <button type="submit" name="intent" value="withdraw-erasure" className="btn btn-outline-primary" disabled={busy}>
                Ritira la richiesta di cancellazione
              </button>
            </Form>
          </>
        ) : (
          <ErasureForm
            status={data.status}
            busy={busy}
            serverErrors={erasure && !erasure.ok ? erasure.errors : undefined}
            formError={erasure && !erasure.ok ? erasure.formError : undefined}
          />
        )}
      </section>
    </ReferentAreaFrame>
  );
}

function ErasureForm({
  status,
  busy,
  serverErrors,
  formError,
}: {
  status: "active" | "pending" | "former";
  busy: boolean;
  serverErrors?: Record<string, string>;
  formError?: string;
}) {
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ErasureRequestInput>({
    schema: erasureRequestSchema,
    defaultValues: { confirmErasure: false },
    serverErrors,
    formError,
  });
  return (
    <>
      <p>Che cosa succede se chiedi la cancellazione:</p>
      <ul>
        <li>la richiesta arriva ai coordinatori di ANCI Sicilia, che la eseguono entro un mese;</li>
        <li>
          nome, cognome, ruolo, ufficio, email e numeri di telefono vengono sostituiti da dati anonimi ovunque compaiano
          nel portale (schede, inviti, email inviate, registro delle attività) e non potrai più accedere all'area
          referente;
        </li>
        <li>a cancellazione eseguita ricevi un'ultima email di conferma, dopo la quale anche il tuo indirizzo è cancellato;</li>
        {status === "active" ? (
          <li>
            il tuo incarico di referente termina: l'ente resta aderente al Coordinamento senza referente finché non ne
            viene indicato uno nuovo con una nuova scheda;
          </li>
        ) : status === "pending" ? (
          <li>le richieste di adesione non ancora decise vengono ritirate;</li>
        ) : null}
        <li>
          restano i dati dell'ente (denominazione, PEC, codice fiscale), i suoi progetti SAI e i dati aggregati (numero
          di enti, progetti, posti e risposte agli inviti), che non riguardano te personalmente.
        </li>
      </ul>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name="intent" value="erasure" />
        {showSummary ? (
          <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} subject="La richiesta" failureTitle="Richiesta non inviata" />
        ) : null}
        <CheckboxField
          label="Ho letto che cosa comporta la cancellazione e voglio che i miei dati siano cancellati"
          error={errorFor("confirmErasure")}
          {...form.register("confirmErasure")}
        />
        <button type="submit" className="btn btn-danger" disabled={busy}>
          Chiedi la cancellazione
        </button>
      </Form>
    </>
  );
}
