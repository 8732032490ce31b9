import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { NewPasswordFields } from "~/components/set-password-form";
import { useValidatedForm } from "~/components/use-validated-form";
import { changeCoordinatorPassword } from "~/models/coordinator-password.server";
import { renameCoordinator } from "~/models/coordinator.server";
import { countLoginFailure, loginBlockedFor, requireCoordinator, requireCoordinatorSession } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { COORDINATOR_ROLE_LABELS, coordinatorNameSchema, type CoordinatorNameInput } from "~/validation/coordinator";
import { changePasswordSchema, type ChangePasswordInput } from "~/validation/set-password";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Il mio account") }];

const CHANGED = "password-cambiata";
const RENAMED = "nome-cambiato";

type ActionData = FormErrors & { intent: "name" | "password"; values?: { name: string } };

export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const outcome = new URL(request.url).searchParams.get("esito");
  return json({
    coordinator: { id: coordinator.id, name: coordinator.name, email: coordinator.email, roleLabel: COORDINATOR_ROLE_LABELS[coordinator.role], admin: coordinator.role === "admin" },
    changed: outcome === CHANGED,
    renamed: outcome === RENAMED,
  });
}

const WRONG_PASSWORD = "La password attuale non è corretta";
const changeBlockedMessage = (retryAfterSeconds: number) =>
  `Troppi tentativi con una password errata in poco tempo: per sicurezza la password non è stata cambiata. Riprova tra ${minutesText(retryAfterSeconds)}.`;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const { coordinator, sessionId } = await requireCoordinatorSession(request);
  if (formData.get("intent") === "name") {
    const name = String(formData.get("name") ?? "");
    const named = coordinatorNameSchema.safeParse({ name });
    if (!named.success) return json<ActionData>({ intent: "name", errors: issuesToFieldErrors(named.error.issues), values: { name } }, { status: 400 });
    renameCoordinator(getDb(), { id: coordinator.id, name: named.data.name });
    return redirect(`/admin/account?esito=${RENAMED}`);
  }
  const parsed = changePasswordSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return json<ActionData>({ intent: "password", errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });

  // The current password is a sign-in in all but name: same limits, so it cannot be guessed here.
  const ip = context.clientIp;
  const retryAfter = loginBlockedFor({ ip, email: coordinator.email });
  if (retryAfter) {
    return json<ActionData>({ intent: "password", errors: {}, formError: changeBlockedMessage(retryAfter) }, tooManyRequestsInit(retryAfter));
  }
  const result = await changeCoordinatorPassword(getDb(), {
    coordinatorId: coordinator.id,
    currentPassword: parsed.data.currentPassword,
    newPassword: parsed.data.password,
    keepSessionId: sessionId,
    ip,
    appUrl: getEnv().appUrl,
  });
  if (!result.ok) {
    countLoginFailure({ ip, email: coordinator.email });
    return json<ActionData>({ intent: "password", errors: { currentPassword: WRONG_PASSWORD } }, { status: 400 });
  }
  wakeOutboxWorker();
  return redirect(`/admin/account?esito=${CHANGED}`);
}

export default function AccountPage() {
  const { coordinator, changed, renamed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const passwordResult = actionData?.intent === "password" ? actionData : undefined;
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ChangePasswordInput>({
    schema: changePasswordSchema,
    defaultValues: { currentPassword: "", password: "", confirmPassword: "" },
    serverErrors: passwordResult?.errors,
    formError: passwordResult?.formError,
  });
  return (
    <>
      <h1>Il mio account</h1>
      {changed && !actionData ? (
        <div className="alert alert-success" role="status">
          Password cambiata. Le altre sessioni aperte con il tuo account sono state chiuse e ti abbiamo inviato un'email
          di conferma.
        </div>
      ) : null}
      <dl className="row" style={{ maxWidth: "40rem" }}>
        <dt className="col-sm-3">Nome</dt>
        <dd className="col-sm-9">{coordinator.name}</dd>
        <dt className="col-sm-3">Email</dt>
        <dd className="col-sm-9 text-break">{coordinator.email}</dd>
        <dt className="col-sm-3">Ruolo</dt>
        <dd className="col-sm-9">{coordinator.roleLabel}</dd>
      </dl>
      {coordinator.admin ? (
        <p>
          Il tuo indirizzo email si cambia da <Link to={`/admin/coordinatori/${coordinator.id}/email`}>Cambia email</Link>; il
          ruolo, da un altro amministratore.
        </p>
      ) : (
        <p>Per cambiare email o ruolo chiedi a un amministratore del Coordinamento.</p>
      )}

      <NameForm current={coordinator.name} renamed={renamed && !actionData} result={actionData?.intent === "name" ? actionData : undefined} />

      <section aria-labelledby="password-title" className="mt-5" style={{ maxWidth: "40rem" }}>
        <h2 id="password-title">Cambia password</h2>
        <p>Le sessioni aperte con il tuo account su altri dispositivi verranno chiuse; questa resta aperta.</p>
        <Form method="post" noValidate onSubmit={onSubmit}>
          <AuthenticityTokenInput name="csrf" />
          {showSummary ? (
            <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={passwordResult?.formError} failureTitle="Password non cambiata" />
          ) : null}
          <TextField
            label="Password attuale"
            type="password"
            autoComplete="current-password"
            error={errorFor("currentPassword")}
            {...form.register("currentPassword")}
          />
          <NewPasswordFields email={coordinator.email} errorFor={errorFor} register={form.register} />
          <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
            Cambia password
          </button>
        </Form>
      </section>
    </>
  );
}

/** The coordinator's own name: shown in the emails to the referenti and in the log. */
function NameForm({ current, renamed, result }: { current: string; renamed: boolean; result: ActionData | undefined }) {
  const navigation = useNavigation();
  const name = result?.values?.name ?? current;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CoordinatorNameInput>({
    schema: coordinatorNameSchema,
    defaultValues: { name },
    serverErrors: result?.errors,
  });
  return (
    <section aria-labelledby="nome-title" className="mt-5" style={{ maxWidth: "40rem" }}>
      <h2 id="nome-title">Il tuo nome</h2>
      {renamed ? (
        <div className="alert alert-success" role="status">
          Nome aggiornato.
        </div>
      ) : null}
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name="intent" value="name" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} failureTitle="Nome non cambiato" titleId="name-error-summary-title" /> : null}
        <TextField
          label="Nome e cognome"
          hint="Compare nelle email che invii ai referenti e nel registro delle attività."
          autoComplete="name"
          // Without JavaScript the server fills the field.
          defaultValue={name}
          error={errorFor("name")}
          {...form.register("name")}
        />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Salva il nome
        </button>
      </Form>
    </section>
  );
}
