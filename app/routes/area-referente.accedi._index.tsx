import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { ReferentSignInFrame } from "~/components/referent-area";
import { useValidatedForm } from "~/components/use-validated-form";
import { requestLoginCode } from "~/models/referent-login.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { checkHoneypot } from "~/utils/honeypot.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import {
  admitCodeRequest,
  getSignedInReferent,
  limitedPendingSignInCookie,
  OTHER_ADDRESS_PARAM,
  pendingSignInCookie,
  readExpiredSignInEmail,
  readPendingSignIns,
  recentPendingSignInCookie,
  redirectAlreadySignedIn,
  REFERENT_CODE_STEP_PATH,
  signInReturnAddress,
  signInStepPath,
} from "~/utils/referent-auth.server";
import { codeRequestSchema, type CodeRequestInput } from "~/validation/referent-login";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Accesso all'area referente") },
  { name: "robots", content: "noindex" },
];

// The code step sends the person back here once the code it waits for has expired (or is gone): a
// browser that refuses cookies lands here at once, every time, and is told what to check.
const CODE_STEP_EXPIRED =
  "Il codice di accesso richiesto è scaduto o non è più valido: indica di nuovo il tuo indirizzo email per riceverne uno nuovo. Se questo messaggio compare subito dopo aver chiesto il codice, controlla che il browser accetti i cookie di questo sito: servono per entrare.";

type ActionData = { email: string; errors: Record<string, string>; formError?: string };

// The first step of the sign-in: the address. Asking for a code leads (post/redirect/get) to the code
// step, /area-referente/accedi/codice, which the cookie of the pending sign-in feeds.
// The page that sent the person here (`?redirectTo=`) stays in this page's address, which its forms
// keep (useIndexFormAction) and the code step's too, and is stored with the code: the email's link
// does not carry it.
export async function loader({ request }: LoaderFunctionArgs) {
  const signedIn = await getSignedInReferent(request);
  if (signedIn) throw redirectAlreadySignedIn(signedIn, signInReturnAddress(request));
  const params = new URL(request.url).searchParams;
  const expired = params.get("scaduto") === "1";
  return json({ signedOut: params.get("uscito") === "1", expired, initialEmail: await addressToFillIn(request, params) });
}

// The address whose code expired is filled in again, so a new code is one click away; so is the
// one still waiting for its code, for a person who goes back from the code step (with JavaScript
// the page is drawn again, and the browser would not restore what was typed). Not after «Usa un
// altro indirizzo email», which asks for an empty field.
async function addressToFillIn(request: Request, params: URLSearchParams) {
  if (params.get("scaduto") === "1") return readExpiredSignInEmail(request);
  if (params.get(OTHER_ADDRESS_PARAM) === "1") return null;
  return (await readPendingSignIns(request)).find((p) => !p.expired)?.email ?? null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  checkHoneypot(formData);
  const ip = context.clientIp;
  // The code is typed on the code step's own page (a form of this page, left open in a tab from
  // before the code step had one, is sent there).
  if (formData.get("intent") === "verify") return redirect(signInStepPath(REFERENT_CODE_STEP_PATH, request), 303);

  const raw = { email: String(formData.get("email") ?? "") };
  const parsed = codeRequestSchema.safeParse(raw);
  if (!parsed.success) {
    return json<ActionData>({ email: raw.email, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  }
  const { email } = parsed.data;
  // The browser's sign-ins still waiting for their code (another tab's too), kept.
  const previous = await readPendingSignIns(request);
  const waiting = previous.find((p) => p.email === email && !p.expired);
  const admission = admitCodeRequest({ ip, email });
  if (admission.kind === "recent") {
    // A second tap, or «Invia un nuovo codice» at once: the code sent a moment ago still works (the
    // model keeps it too), no email goes out and nothing is counted; the code step says so.
    return redirect(signInStepPath(REFERENT_CODE_STEP_PATH, request), {
      status: 303,
      headers: { "Set-Cookie": await recentPendingSignInCookie(email, { previous, sentAt: admission.sentAt }) },
    });
  }
  if (admission.kind === "limited" && waiting) {
    // «Invia un nuovo codice» on the code step: no new code, but the codes received still work, so
    // the person stays where they type them, told so (the same for an unknown address).
    return redirect(signInStepPath(REFERENT_CODE_STEP_PATH, request), {
      status: 303,
      headers: { "Set-Cookie": await limitedPendingSignInCookie(waiting, { previous, retryAfterSeconds: admission.retryAfterSeconds }) },
    });
  }
  if (admission.kind === "limited") {
    // The form stays, with the address typed, rather than an error page.
    const formError = `Sono stati chiesti troppi codici in poco tempo: riprova tra ${minutesText(admission.retryAfterSeconds)}. Se hai ricevuto un'email negli ultimi 10 minuti, puoi entrare con il suo pulsante «Accedi all'area referente».`;
    return json<ActionData>({ email, errors: {}, formError }, tooManyRequestsInit(admission.retryAfterSeconds));
  }
  // Known or not, eligible or not: the same redirect, the same cookie, the same code step.
  const { sent } = requestLoginCode(getDb(), { email, appUrl: getEnv().appUrl, returnTo: signInReturnAddress(request) });
  if (sent) wakeOutboxWorker();
  return redirect(signInStepPath(REFERENT_CODE_STEP_PATH, request), {
    status: 303,
    headers: { "Set-Cookie": await pendingSignInCookie(email, { previous }) },
  });
}

export default function ReferentSignInPage() {
  const { signedOut, expired, initialEmail } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <ReferentSignInFrame>
      <h1>Accesso all'area referente</h1>
      {signedOut && !actionData ? (
        <div className="alert alert-info" role="status">
          Hai chiuso la sessione dell'area referente.
        </div>
      ) : null}
      {expired && !actionData ? (
        <div className="alert alert-warning" role="status" data-outcome>
          {CODE_STEP_EXPIRED}
        </div>
      ) : null}
      <EmailStep data={actionData} initialEmail={initialEmail ?? ""} />
    </ReferentSignInFrame>
  );
}

function EmailStep({ data, initialEmail }: { data: ActionData | undefined; initialEmail: string }) {
  const formAction = useIndexFormAction();
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CodeRequestInput>({
    schema: codeRequestSchema,
    defaultValues: { email: data?.email ?? initialEmail },
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
          defaultValue={data?.email ?? initialEmail}
          error={errorFor("email")}
          {...form.register("email")}
        />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Invia il codice
        </button>
      </Form>
      <p className="mt-4">
        Il tuo ente non ha ancora un referente? <a href="/adesione">Compila la scheda referente</a>.
      </p>
    </>
  );
}
