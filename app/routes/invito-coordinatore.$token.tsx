import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { acceptCoordinatorInvite, lookupCoordinatorInvite, type InviteLookup } from "~/models/coordinator.server";
import { startCoordinatorSession } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { PASSWORD_MIN_LENGTH, setPasswordSchema, type SetPasswordInput } from "~/validation/set-password";

export const meta: MetaFunction = () => [{ title: "Imposta la password - Area coordinatori" }];

const statusOf = (lookup: InviteLookup) => (lookup.state === "valid" ? 200 : lookup.state === "expired" ? 410 : 404);

// GET only shows the form (mail scanners follow links); the password is set by the POST.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupCoordinatorInvite(getDb(), { token: params.token ?? "" });
  return json({ lookup }, { status: statusOf(lookup) });
}

type ActionData = { lookup: InviteLookup; errors: Record<string, string>; formError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const token = params.token ?? "";
  const db = getDb();
  const lookup = lookupCoordinatorInvite(db, { token });
  if (lookup.state !== "valid") return json<ActionData>({ lookup, errors: {} }, { status: statusOf(lookup) });

  const parsed = setPasswordSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return json<ActionData>({ lookup, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  }
  const result = await acceptCoordinatorInvite(db, { token, password: parsed.data.password });
  if (result.state !== "accepted") return json<ActionData>({ lookup: result, errors: {} }, { status: statusOf(result) });
  const cookie = await startCoordinatorSession(request, result.coordinatorId);
  return redirect("/admin", { headers: { "Set-Cookie": cookie } });
}

export default function CoordinatorInvitePage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const lookup = acted?.lookup ?? loaded.lookup;
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-8 col-lg-6">
          {lookup.state === "valid" ? (
            <SetPasswordForm name={lookup.name} email={lookup.email} serverErrors={acted?.errors} formError={acted?.formError} />
          ) : lookup.state === "expired" ? (
            <>
              <h1>Invito scaduto</h1>
              <p className="lead">
                Il collegamento per impostare la password vale 7 giorni ed è scaduto. Chiedi a un amministratore del
                Coordinamento di inviarti un nuovo invito.
              </p>
            </>
          ) : (
            <>
              <h1>Collegamento non valido</h1>
              <p className="lead">
                Il collegamento non è valido oppure è già stato usato: ogni invito serve una sola volta. Se hai già
                impostato la password, <a href="/login">accedi all'area coordinatori</a>; altrimenti chiedi a un
                amministratore un nuovo invito.
              </p>
            </>
          )}
        </div>
      </div>
    </div>
  );
}

function SetPasswordForm({
  name,
  email,
  serverErrors,
  formError,
}: {
  name: string;
  email: string;
  serverErrors?: Record<string, string>;
  formError?: string;
}) {
  const navigation = useNavigation();
  const { form, summaryRef, errorList, errorFor, showSummary, onSubmit } = useValidatedForm<SetPasswordInput>({
    schema: setPasswordSchema,
    defaultValues: { password: "", confirmPassword: "" },
    serverErrors,
    formError,
  });
  return (
    <>
      <h1>Imposta la password</h1>
      <p>
        Ti diamo il benvenuto nell'area coordinatori, {name}. Scegli la password con cui accederai come <strong>{email}</strong>.
      </p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? (
          <ErrorSummary ref={summaryRef} errors={errorList} formError={formError} subject="Il modulo" failureTitle="Password non impostata" />
        ) : null}
        {/* Lets password managers store the new password under the right account. */}
        <input type="text" name="username" value={email} autoComplete="username" readOnly hidden aria-hidden="true" />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`Almeno ${PASSWORD_MIN_LENGTH} caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.`}
          error={errorFor("password")}
          {...form.register("password")}
        />
        <TextField
          label="Conferma la password"
          type="password"
          autoComplete="new-password"
          error={errorFor("confirmPassword")}
          {...form.register("confirmPassword")}
        />
        <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
          Imposta la password e accedi
        </button>
      </Form>
    </>
  );
}
