import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { requestLoginCode, verifyLoginCode } from "~/models/referent-login.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { checkHoneypot } from "~/utils/honeypot.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import {
  countSignInFailure,
  getSignedInReferent,
  limitCodeRequests,
  redirectAfterSignIn,
  redirectAlreadySignedIn,
  signInBlock,
  signInReturnAddress,
  startReferentSession,
} from "~/utils/referent-auth.server";
import { codeRequestSchema, codeVerifySchema, type CodeRequestInput, type CodeVerifyInput } from "~/validation/referent-login";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Accesso all'area referente") },
  { name: "robots", content: "noindex" },
];

const CODE_SENT_MESSAGE =
  "Se l'indirizzo è registrato, riceverai un codice di accesso via email entro pochi minuti. Il codice vale 10 minuti e si può usare una sola volta.";
const INVALID_CODE = "Codice non valido o scaduto. Controlla di averlo copiato per intero oppure richiedi un nuovo codice.";
const LOCKED_CODE =
  "Questo codice è stato bloccato dopo troppi tentativi errati. Richiedi un nuovo codice, oppure entra con il pulsante «Accedi all'area referente» dell'email che hai ricevuto.";

const codeEntryBlockedMessage = ({ by, retryAfterSeconds }: { by: "ip" | "email"; retryAfterSeconds: number }) =>
  `Per sicurezza, dopo troppi codici errati ${by === "email" ? "per questo indirizzo" : "dalla tua rete"}, l'accesso con il codice è sospeso per ${minutesText(retryAfterSeconds)}. Puoi entrare subito con il pulsante «Accedi all'area referente» dell'email che hai ricevuto.`;

type ActionData =
  | { step: "email"; email: string; errors: Record<string, string>; formError?: string }
  | { step: "code"; email: string; errors: Record<string, string>; formError?: string; notice?: string };

// The page that sent the person here (`?redirectTo=`) stays in this page's address, which its forms
// keep (useIndexFormAction), and is stored with the code: the email's link does not carry it.
export async function loader({ request }: LoaderFunctionArgs) {
  const signedIn = await getSignedInReferent(request);
  if (signedIn) throw redirectAlreadySignedIn(signedIn, signInReturnAddress(request));
  const signedOut = new URL(request.url).searchParams.get("uscito") === "1";
  return json({ signedOut });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  checkHoneypot(formData);
  const ip = context.clientIp;
  const intent = String(formData.get("intent") ?? "request");

  if (intent === "verify") {
    const raw = { email: String(formData.get("email") ?? ""), code: String(formData.get("code") ?? "") };
    const parsed = codeVerifySchema.safeParse(raw);
    if (!parsed.success) {
      const errors = issuesToFieldErrors(parsed.error.issues);
      // A tampered hidden address sends the person back to the first step.
      if (errors.email) return json<ActionData>({ step: "email", email: raw.email, errors }, { status: 400 });
      return json<ActionData>({ step: "code", email: raw.email, errors }, { status: 400 });
    }
    const { email, code } = parsed.data;
    // Too many wrong codes from this network or for this address, typed by anyone: the person is told
    // how to enter all the same (the email's link is not subject to these limits).
    const block = signInBlock({ ip, email });
    if (block) {
      const formError = codeEntryBlockedMessage(block);
      return json<ActionData>({ step: "code", email, errors: {}, formError }, tooManyRequestsInit(block.retryAfterSeconds));
    }
    const result = verifyLoginCode(getDb(), { email, code });
    if (!result.ok) {
      countSignInFailure({ ip, email });
      return json<ActionData>({ step: "code", email, errors: {}, formError: result.locked ? LOCKED_CODE : INVALID_CODE }, { status: 401 });
    }
    const cookie = await startReferentSession(request, result.access, { ip, method: "code" });
    return redirectAfterSignIn(result.access, result.returnTo, { headers: { "Set-Cookie": cookie } });
  }

  const raw = { email: String(formData.get("email") ?? "") };
  const parsed = codeRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return json<ActionData>({ step: "email", email: raw.email, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  }
  const { email } = parsed.data;
  const retryAfter = limitCodeRequests({ ip, email });
  if (retryAfter !== null) {
    // The form stays, with the address typed, rather than an error page.
    const formError = `Sono stati chiesti troppi codici in poco tempo: riprova tra ${minutesText(retryAfter)}. Se hai già ricevuto un'email, puoi entrare con il suo pulsante «Accedi all'area referente».`;
    return json<ActionData>({ step: "email", email, errors: {}, formError }, tooManyRequestsInit(retryAfter));
  }
  // Known or not, eligible or not: the same page and the same words.
  const { sent } = requestLoginCode(getDb(), { email, appUrl: getEnv().appUrl, returnTo: signInReturnAddress(request) });
  if (sent) wakeOutboxWorker();
  return json<ActionData>({ step: "code", email, errors: {}, notice: CODE_SENT_MESSAGE });
}

export default function ReferentSignInPage() {
  const { signedOut } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-9 col-lg-7">
          <h1>Accesso all'area referente</h1>
          {actionData?.step === "code" ? (
            <CodeStep key={`code-${actionData.email}`} data={actionData} />
          ) : (
            <>
              {signedOut && !actionData ? (
                <div className="alert alert-info" role="status">
                  Sei uscito dall'area referente.
                </div>
              ) : null}
              <EmailStep data={actionData} />
            </>
          )}
        </div>
      </div>
    </div>
  );
}

function EmailStep({ data }: { data: ActionData | undefined }) {
  const formAction = useIndexFormAction();
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CodeRequestInput>({
    schema: codeRequestSchema,
    defaultValues: { email: data?.email ?? "" },
    serverErrors: data?.errors,
    formError: data?.formError,
  });
  return (
    <>
      <p className="lead">
        L'area riservata ai referenti degli enti aderenti al Coordinamento: qui tieni aggiornati i dati tuoi e dei
        progetti SAI dell'ente, indichi un successore, rispondi agli inviti ai Tavoli tecnici e trovi i materiali.
      </p>
      <p>Per entrare non serve una password: indica il tuo indirizzo email e ti invieremo un codice di accesso.</p>
      <Form method="post" action={formAction} noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <HoneypotInputs label="Non compilare questo campo" />
        <input type="hidden" name="intent" value="request" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data?.formError} failureTitle="Richiesta non riuscita" /> : null}
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          hint="L'indirizzo con cui sei registrato come referente."
          defaultValue={data?.email}
          error={errorFor("email")}
          {...form.register("email")}
        />
        <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
          Invia il codice
        </button>
      </Form>
      <p className="mt-4">
        Il tuo ente non ha ancora un referente? <a href="/adesione">Compila la scheda referente</a>.
      </p>
    </>
  );
}

function CodeStep({ data }: { data: Extract<ActionData, { step: "code" }> }) {
  const formAction = useIndexFormAction();
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CodeVerifyInput>({
    schema: codeVerifySchema,
    defaultValues: { email: data.email, code: "" },
    serverErrors: data.errors,
    formError: data.formError,
  });
  return (
    <>
      {data.notice ? (
        <div className="alert alert-info" role="status">
          {data.notice}
        </div>
      ) : null}
      <p>
        Codice richiesto per <strong>{data.email}</strong>. Puoi anche aprire il collegamento contenuto nell'email.
      </p>
      <Form method="post" action={formAction} noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <HoneypotInputs label="Non compilare questo campo" />
        <input type="hidden" name="intent" value="verify" />
        <input type="hidden" defaultValue={data.email} {...form.register("email")} />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data.formError} failureTitle="Accesso non riuscito" /> : null}
        <TextField
          label="Codice di accesso"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          hint="Le 6 cifre ricevute per email."
          // Just sent: the person goes on by typing it (with or without JavaScript).
          autoFocus={!!data.notice}
          error={errorFor("code")}
          {...form.register("code")}
        />
        <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
          Accedi
        </button>
      </Form>
      <Form method="post" action={formAction} className="mt-4">
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name="intent" value="request" />
        <input type="hidden" name="email" value={data.email} />
        <p className="mb-2">Non hai ricevuto il codice, o è scaduto?</p>
        <button type="submit" className="btn btn-outline-primary btn-sm">
          Invia un nuovo codice
        </button>
      </Form>
      <p className="mt-3">
        {/* The same page without the code step, still with its return address. */}
        <a href={formAction}>Usa un altro indirizzo email</a>
      </p>
    </>
  );
}
