import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { useEffect, useRef } from "react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { ReferentSignInFrame } from "~/components/referent-area";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { useValidatedForm } from "~/components/use-validated-form";
import { LOGIN_CODE_RESEND_AFTER_MS, verifyLoginCode } from "~/models/referent-login.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { formatTimeIt } from "~/utils/dates";
import { checkHoneypot } from "~/utils/honeypot.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import {
  clearPendingSignInCookie,
  expiredPendingSignInCookie,
  countSignInFailure,
  getSignedInReferent,
  readPendingSignIns,
  remainingPendingSignInCookie,
  type PendingSignIn,
  redirectAfterSignIn,
  redirectAlreadySignedIn,
  OTHER_ADDRESS_PARAM,
  REFERENT_SIGN_IN_PATH,
  signInBlock,
  signInReturnAddress,
  signInStepPath,
  startReferentSession,
} from "~/utils/referent-auth.server";
import { codeEntrySchema, type CodeEntryInput } from "~/validation/referent-login";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  // Its own title and heading: a screen reader user hears that this is the next step.
  { title: pageTitle("Inserisci il codice", "Accesso all'area referente") },
  { name: "robots", content: "noindex" },
];

// The sign-in's second step: the code emailed to the address asked for on /area-referente/accedi,
// which reaches here by a redirect (post/redirect/get) with the cookie of the pending sign-in. The
// page is a plain GET of an address that names nobody, so a reload, the back and forward buttons,
// and a phone reopening the tab after the mail app show it again. The address comes from the cookie,
// never from the page's address: the page shows the newest sign-in waiting in this browser, and its
// form names that address in a hidden field, accepted only if the cookie still waits for it (so a tab
// left on another address, before a second tab asked for a new one, still signs in with its code).

const CODE_SENT_MESSAGE =
  "Se l'indirizzo è registrato, riceverai un codice di accesso via email entro pochi minuti. Il codice vale 10 minuti e si può usare una sola volta.";
// One answer for a code that is wrong, expired, used or blocked after too many wrong tries: only a
// registered address has a code to block, so telling "blocked" apart would say which addresses are.
// The email's button dies with its code (10 minutes): it is offered only for an email that recent.
const INVALID_CODE =
  "Codice non valido, scaduto o bloccato dopo troppi tentativi errati. Controlla di averlo copiato per intero oppure chiedi un nuovo codice con «Invia un nuovo codice»; se l'ultima email che hai ricevuto è di meno di 10 minuti fa, puoi anche entrare con il suo pulsante «Accedi all'area referente».";

const codeEntryBlockedMessage = ({ by, retryAfterSeconds }: { by: "ip" | "email"; retryAfterSeconds: number }) =>
  `Per sicurezza, dopo troppi codici errati ${by === "email" ? "per questo indirizzo" : "dalla tua rete"}, l'accesso con il codice è sospeso per ${minutesText(retryAfterSeconds)}. Puoi entrare subito con il pulsante «Accedi all'area referente» dell'ultima email che hai ricevuto, se è di meno di 10 minuti fa; altrimenti chiedi un nuovo codice e usa il pulsante della nuova email.`;

type ActionData = { errors: Record<string, string>; formError?: string };

/**
 * What the code step says above its form: that the code has been sent, or what became of the last
 * request for a new one (the same words whether the address is registered or not). Its text differs
 * at each request, so that the status region is read out again.
 */
function statusOf({ until, notice }: PendingSignIn) {
  if (notice?.kind === "limited") {
    return {
      tone: "warning",
      text: `Nessun nuovo codice inviato alle ${formatTimeIt(new Date(notice.at), { seconds: true })}: ne sono stati chiesti troppi in poco tempo, potrai chiederne un altro dalle ${formatTimeIt(new Date(notice.retryAt))}. L'ultimo codice che hai ricevuto vale fino alle ${formatTimeIt(new Date(until))}; puoi anche entrare con il pulsante «Accedi all'area referente» dell'email.`,
    };
  }
  if (notice?.kind === "recent") {
    return {
      tone: "info",
      text: `Nessun nuovo codice inviato alle ${formatTimeIt(new Date(notice.at), { seconds: true })}: se l'indirizzo è registrato, il codice che ti abbiamo inviato alle ${formatTimeIt(new Date(notice.sentAt))} vale ancora, fino alle ${formatTimeIt(new Date(until))}, e uno nuovo lo annullerebbe. Usa quello; se non è arrivato, controlla la posta indesiderata, o chiedine un altro dalle ${formatTimeIt(new Date(notice.sentAt + LOGIN_CODE_RESEND_AFTER_MS), { seconds: true })}.`,
    };
  }
  if (notice?.kind === "resent") {
    return {
      tone: "info",
      text: `Se l'indirizzo è registrato, alle ${formatTimeIt(new Date(notice.at), { seconds: true })} ti abbiamo inviato un nuovo codice: usa l'ultimo che hai ricevuto, quelli precedenti non valgono più. Il codice vale 10 minuti e si può usare una sola volta.`,
    };
  }
  return { tone: "info", text: CODE_SENT_MESSAGE };
}

/**
 * Back to the first step, saying that the code waited for (`left`, if any) has expired or that there
 * is none. The first step fills in the address of the expired code again.
 */
async function backToFirstStep(request: Request, pending: PendingSignIn[], left: PendingSignIn | undefined) {
  return redirect(signInStepPath(REFERENT_SIGN_IN_PATH, request, { scaduto: "1" }), {
    status: 303,
    // The sign-ins of other tabs still waiting for their code are kept.
    headers: { "Set-Cookie": await (left ? expiredPendingSignInCookie(pending, left.email) : remainingPendingSignInCookie(pending)) },
  });
}

/** The newest sign-in waiting for its code in this browser, the one the page shows; else a redirect to the first step. */
async function newestPending(request: Request) {
  const pending = await readPendingSignIns(request);
  const newest = pending[0];
  if (!newest || newest.expired) throw await backToFirstStep(request, pending, newest);
  return newest;
}

/**
 * The address whose code is typed: the one the form was shown for (its hidden field), when this
 * browser still waits for a code for it; a post without the field types for the newest. Else a
 * redirect to the first step.
 */
async function addressOfTheCode(request: Request, formData: FormData) {
  const pending = await readPendingSignIns(request);
  const shownFor = formData.get("email");
  const entry = typeof shownFor === "string" ? pending.find((p) => p.email === shownFor) : pending[0];
  if (!entry || entry.expired) throw await backToFirstStep(request, pending, entry);
  return entry.email;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const signedIn = await getSignedInReferent(request);
  if (signedIn) throw redirectAlreadySignedIn(signedIn, signInReturnAddress(request));
  const pending = await newestPending(request);
  // The forms that ask for a new code, or start again with another address, go to the first step.
  return json({
    email: pending.email,
    status: statusOf(pending),
    firstStep: signInStepPath(REFERENT_SIGN_IN_PATH, request),
    otherAddress: signInStepPath(REFERENT_SIGN_IN_PATH, request, { [OTHER_ADDRESS_PARAM]: "1" }),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  checkHoneypot(formData);
  if (formData.get("intent") !== "verify") throw new Response("Richiesta non valida.", { status: 400 });
  const email = await addressOfTheCode(request, formData);
  const ip = context.clientIp;
  const parsed = codeEntrySchema.safeParse({ code: formData.get("code") });
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  // Too many wrong codes from this network or for this address, typed by anyone: the person is told
  // how to enter all the same (the email's link is not subject to these limits).
  const block = signInBlock({ ip, email });
  if (block) return json<ActionData>({ errors: {}, formError: codeEntryBlockedMessage(block) }, tooManyRequestsInit(block.retryAfterSeconds));
  const result = verifyLoginCode(getDb(), { email, code: parsed.data.code });
  if (!result.ok) {
    countSignInFailure({ ip, email });
    // The field's error: it is marked invalid and the error summary links to it.
    return json<ActionData>({ errors: { code: INVALID_CODE } }, { status: 401 });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", await startReferentSession(request, result.access, { ip, method: "code" }));
  headers.append("Set-Cookie", await clearPendingSignInCookie());
  return redirectAfterSignIn(result.access, result.returnTo, { headers });
}

export default function ReferentCodeStepPage() {
  const { email, status, firstStep, otherAddress } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const formAction = useIndexFormAction();
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit, clear } = useValidatedForm<CodeEntryInput>({
    schema: codeEntrySchema,
    defaultValues: { code: "" },
    serverErrors: data?.errors,
    formError: data?.formError,
  });
  // A new code asked from this page with JavaScript comes back to the same page: its status says
  // so, and the person goes on typing the new code (a full page load does it with autoFocus) in an
  // empty field: the wrong code typed before, its error and the error summary would otherwise stay
  // under the new status, as they do not on a full page load.
  const shownStatus = useRef(status.text);
  useEffect(() => {
    if (shownStatus.current === status.text) return;
    shownStatus.current = status.text;
    clear({ code: "" });
    form.setFocus("code");
  }, [status.text, form, clear]);
  return (
    <ReferentSignInFrame>
      <h1>Inserisci il codice di accesso</h1>
      {/* Always on the page, so that a new text (a new code asked with JavaScript) is read out. */}
      <div className={data ? undefined : `alert alert-${status.tone}`} role="status">
        {data ? null : status.text}
      </div>
      <p>
        Codice richiesto per <strong>{email}</strong>. Puoi anche aprire il collegamento contenuto nell'email.
      </p>
      <Form method="post" action={formAction} noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <HoneypotInputs label="Non compilare questo campo" />
        <input type="hidden" name="intent" value="verify" />
        {/* The address this page was shown for: another tab may since have asked a code for another. */}
        <input type="hidden" name="email" value={email} />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data?.formError} failureTitle="Accesso non riuscito" /> : null}
        <TextField
          label="Codice di accesso"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          hint="Le 6 cifre ricevute per email."
          // The person goes on by typing it (with or without JavaScript), unless a wrong code's
          // errors took the focus.
          autoFocus={!data}
          error={errorFor("code")}
          {...form.register("code")}
        />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Accedi
        </button>
      </Form>
      <Form method="post" action={firstStep} className="mt-4">
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name="intent" value="request" />
        <input type="hidden" name="email" value={email} />
        <p className="mb-2">Non hai ricevuto il codice, o è scaduto?</p>
        <button type="submit" className="btn btn-outline-primary btn-sm">
          Invia un nuovo codice
        </button>
      </Form>
      <p className="mt-3">
        {/* The first step, still with its return address. */}
        <a href={otherAddress}>Usa un altro indirizzo email</a>
      </p>
    </ReferentSignInFrame>
  );
}
