import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { SetPasswordForm } from "~/components/set-password-form";
import { lookupPasswordReset, PASSWORD_RESET_TTL_MS, resetCoordinatorPassword } from "~/models/coordinator-password.server";
import { clearLoginFailures } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { passwordLinkAnswer, passwordLinkStatus, readNewPassword } from "~/utils/password-link.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Reimposta la password", "Accesso coordinatori") },
  { name: "robots", content: "noindex" },
];

// GET only shows the form (mail scanners follow links); the password is set by the POST.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupPasswordReset(getDb(), { token: params.token ?? "" });
  return json({ lookup, validMinutes: PASSWORD_RESET_TTL_MS / 60_000 }, { status: passwordLinkStatus(lookup) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const form = await readNewPassword(request, { token, kind: "reset" });
  if ("answer" in form) return form.answer;
  const result = await resetCoordinatorPassword(getDb(), { token, password: form.password, appUrl: getEnv().appUrl });
  if (result.state !== "done") return passwordLinkAnswer(result);
  // The link proves the mailbox: a sign-in suspended for wrong passwords opens again at once.
  clearLoginFailures({ email: result.email });
  wakeOutboxWorker();
  return redirect("/login?esito=password-reimpostata");
}

export default function ResetPasswordPage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const lookup = acted?.lookup ?? loaded.lookup;
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-8 col-lg-6">
          {lookup.state === "valid" ? (
            <>
              <h1>Reimposta la password</h1>
              <p>
                Scegli la nuova password con cui accederai come <strong>{lookup.email}</strong>. Le sessioni aperte con la
                vecchia password verranno chiuse.
              </p>
              <SetPasswordForm
                email={lookup.email}
                serverErrors={acted?.errors}
                formError={acted?.formError}
                failureTitle="Password non reimpostata"
                submitLabel="Salva la nuova password"
              />
            </>
          ) : (
            <>
              <h1>{lookup.state === "expired" ? "Collegamento scaduto" : "Collegamento non valido"}</h1>
              <p className="lead">
                {lookup.state === "expired"
                  ? `Il collegamento per reimpostare la password vale ${loaded.validMinutes} minuti ed è scaduto.`
                  : "Il collegamento non è valido oppure è già stato usato: ogni collegamento serve una sola volta e vale solo l'ultimo ricevuto."}
              </p>
              <p>
                <Link to="/login/password-dimenticata" className="btn btn-primary">
                  Chiedi un nuovo collegamento
                </Link>
              </p>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
