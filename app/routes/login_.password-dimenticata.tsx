import { json, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { PASSWORD_RESET_TTL_MS, requestCoordinatorPasswordReset } from "~/models/coordinator-password.server";
import { limitPasswordResetRequests } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { checkHoneypot } from "~/utils/honeypot.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { passwordResetRequestSchema, type PasswordResetRequestInput } from "~/validation/login";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Password dimenticata", "Accesso coordinatori") },
  { name: "robots", content: "noindex" },
];

const tooManyLinksMessage = (retryAfterSeconds: number) =>
  `Sono stati chiesti troppi collegamenti in poco tempo: riprova tra ${minutesText(retryAfterSeconds)}. Se hai già ricevuto un'email, usa il collegamento dell'ultima arrivata.`;

type ActionData = (FormErrors & { sent: false; email: string }) | { sent: true; message: string };

export function loader() {
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  checkHoneypot(formData);
  const email = String(formData.get("email") ?? "").slice(0, 254);
  const parsed = passwordResetRequestSchema.safeParse({ email });
  if (!parsed.success) return json<ActionData>({ sent: false, errors: issuesToFieldErrors(parsed.error.issues), email }, { status: 400 });
  const ip = context.clientIp;
  const retryAfter = limitPasswordResetRequests({ ip, email: parsed.data.email });
  if (retryAfter !== null) {
    return json<ActionData>({ sent: false, errors: {}, formError: tooManyLinksMessage(retryAfter), email }, tooManyRequestsInit(retryAfter));
  }
  // Known or not, active or not: the same page and the same words.
  const { sent } = requestCoordinatorPasswordReset(getDb(), { email: parsed.data.email, ip, appUrl: getEnv().appUrl });
  if (sent) wakeOutboxWorker();
  const message = `Se l'indirizzo appartiene a un coordinatore attivo, riceverai a breve un'email con un collegamento per scegliere una nuova password. Il collegamento vale ${PASSWORD_RESET_TTL_MS / 60_000} minuti e si può usare una sola volta.`;
  return json<ActionData>({ sent: true, message });
}

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>();
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-8 col-lg-6">
          <h1>Password dimenticata</h1>
          {actionData?.sent ? (
            <>
              <div className="alert alert-info" role="status" data-outcome>
                {actionData.message}
              </div>
              <p>Se non la trovi, controlla anche la cartella della posta indesiderata.</p>
              <p>
                <Link to="/login">Torna all'accesso</Link>
              </p>
            </>
          ) : (
            <RequestForm data={actionData} />
          )}
        </div>
      </div>
    </div>
  );
}

function RequestForm({ data }: { data: (FormErrors & { email: string }) | undefined }) {
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<PasswordResetRequestInput>({
    schema: passwordResetRequestSchema,
    defaultValues: { email: data?.email ?? "" },
    serverErrors: data?.errors,
    formError: data?.formError,
  });
  return (
    <>
      <p>
        Indica l'indirizzo email con cui accedi all'area coordinatori: ti invieremo un collegamento per scegliere una
        nuova password.
      </p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <HoneypotInputs label="Non compilare questo campo" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data?.formError} failureTitle="Richiesta non riuscita" /> : null}
        <TextField label="Email" type="email" autoComplete="username" defaultValue={data?.email} error={errorFor("email")} {...form.register("email")} />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Invia il collegamento
        </button>
      </Form>
      <p className="mt-4">
        <Link to="/login">Torna all'accesso</Link>
      </p>
    </>
  );
}
