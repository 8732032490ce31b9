import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { SetPasswordForm } from "~/components/set-password-form";
import { acceptCoordinatorInvite, lookupCoordinatorInvite } from "~/models/coordinator.server";
import { startCoordinatorSession } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { passwordLinkAnswer, passwordLinkStatus, readNewPassword } from "~/utils/password-link.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: pageTitle("Imposta la password", "Accesso coordinatori") }];

// GET only shows the form (mail scanners follow links); the password is set by the POST.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupCoordinatorInvite(getDb(), { token: params.token ?? "" });
  return json({ lookup }, { status: passwordLinkStatus(lookup) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const form = await readNewPassword(request, { token, kind: "invite" });
  if ("answer" in form) return form.answer;
  const result = await acceptCoordinatorInvite(getDb(), { token, password: form.password });
  if (result.state !== "accepted") return passwordLinkAnswer(result);
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
            <>
              <h1>Imposta la password</h1>
              <p>
                Ti diamo il benvenuto nell'area coordinatori, {lookup.name}. Scegli la password con cui accederai come{" "}
                <strong>{lookup.email}</strong>.
              </p>
              <SetPasswordForm
                email={lookup.email}
                serverErrors={acted?.errors}
                formError={acted?.formError}
                failureTitle="Password non impostata"
                submitLabel="Imposta la password e accedi"
                labels={["Password", "Conferma la password"]}
              />
            </>
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
