import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { useReturnAfterExpiredSession } from "~/components/draft-across-sign-in";
import { ErrorSummary, FormRefusal, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import {
  attemptsLeftWarning,
  authenticateCoordinator,
  getCoordinator,
  loginBlockedFor,
  startCoordinatorSession,
} from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { checkHoneypot } from "~/utils/honeypot.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { safeRedirectPath } from "~/utils/safe-redirect.server";
import { loginSchema, SESSION_EXPIRED_OUTCOME, type LoginInput } from "~/validation/login";
import { withErrorPrefix } from "~/utils/error-title";
import { pageTitle } from "~/utils/page-title";

/** A form of the area sent once the session had expired: nothing was saved (requireCoordinator sends here). */
const SESSION_EXPIRED_MESSAGE =
  "La sessione è scaduta: l'operazione non è stata eseguita e quanto avevi scritto non è stato salvato. Accedi di nuovo e ripetila.";

const sessionExpired = (search: string) => new URLSearchParams(search).get("esito") === SESSION_EXPIRED_OUTCOME;

// The expired session is said by the title too, as an error (FormRefusal does so in the browser).
export const meta: MetaFunction = ({ location }) => {
  const title = pageTitle("Accesso coordinatori");
  return [{ title: sessionExpired(location.search) ? withErrorPrefix(title) : title }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await getCoordinator(request);
  if (coordinator) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), "/admin"));
  return json({});
}

const INVALID = "Email o password non corretti.";
const signInBlockedMessage = (retryAfterSeconds: number) =>
  `Troppi tentativi di accesso non riusciti in poco tempo: per sicurezza l'accesso è sospeso. Riprova tra ${minutesText(retryAfterSeconds)}, oppure, se non ricordi la password, reimpostala con «Password dimenticata?»: con la nuova password potrai accedere subito.`;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.clone().formData();
  await validateCsrf(request, formData);
  checkHoneypot(formData);
  const parsed = loginSchema.safeParse(Object.fromEntries(formData));
  const email = String(formData.get("email") ?? "").slice(0, 254);
  if (!parsed.success) {
    return json<FormErrors & { email: string }>({ errors: issuesToFieldErrors(parsed.error.issues), email }, { status: 400 });
  }
  const ip = context.clientIp;
  const retryAfter = loginBlockedFor({ ip, email: parsed.data.email });
  if (retryAfter) {
    return json<FormErrors & { email: string }>({ errors: {}, formError: signInBlockedMessage(retryAfter), email }, tooManyRequestsInit(retryAfter));
  }

  const signIn = await authenticateCoordinator(request, { ip, email: parsed.data.email });
  if (!signIn.coordinator) {
    const warning = attemptsLeftWarning(signIn.attemptsLeft);
    return json<FormErrors & { email: string }>({ errors: {}, formError: warning ? `${INVALID} ${warning}` : INVALID, email }, { status: 401 });
  }
  const cookie = await startCoordinatorSession(request, signIn.coordinator.id);
  return redirect(safeRedirectPath(parsed.data.redirectTo, "/admin"), { headers: { "Set-Cookie": cookie } });
}

export default function LoginPage() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const expired = sessionExpired(searchParams.toString());
  // The page whose form was refused may give back what was typed once signed in.
  useReturnAfterExpiredSession(expired ? searchParams.get("redirectTo") : null);
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<LoginInput>({
    schema: loginSchema,
    defaultValues: { email: actionData?.email ?? "", password: "" },
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-8 col-lg-6">
          <h1>Accesso coordinatori</h1>
          <p>Area riservata ai coordinatori di ANCI Sicilia.</p>
          {searchParams.get("esito") === "password-reimpostata" && !actionData ? (
            <div className="alert alert-success" role="status">
              Password reimpostata: accedi con la nuova password.
            </div>
          ) : null}
          <FormRefusal message={!actionData && expired ? SESSION_EXPIRED_MESSAGE : null} />
          {searchParams.get("esito") === "uscito" && !actionData ? (
            <div className="alert alert-success" role="status">
              Hai chiuso la sessione dell'area coordinatori.
            </div>
          ) : null}
          <Form method="post" noValidate onSubmit={onSubmit}>
            <AuthenticityTokenInput name="csrf" />
            <HoneypotInputs label="Non compilare questo campo" />
            <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? "/admin"} />
            {showSummary ? (
              <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Accesso non riuscito" />
            ) : null}
            <TextField
              label="Email"
              type="email"
              autoComplete="username"
              defaultValue={actionData?.email}
              error={errorFor("email")}
              {...form.register("email")}
            />
            <TextField
              label="Password"
              type="password"
              autoComplete="current-password"
              error={errorFor("password")}
              {...form.register("password")}
            />
            <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
              Accedi
            </button>
          </Form>
          <p className="mt-4">
            <Link to="/login/password-dimenticata">Password dimenticata?</Link>
          </p>
        </div>
      </div>
    </div>
  );
}
