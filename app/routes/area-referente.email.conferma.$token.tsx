import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { confirmEmailChange, lookupEmailChange } from "~/models/referent-area.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { ofBody } from "~/utils/text";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Conferma del nuovo indirizzo email") },
  { name: "robots", content: "noindex" },
];

// The link sent to the new address. GET shows a button (mail scanners follow links); the POST
// confirms. It works without signing in: the link itself proves that the address is the person's.
export function loader({ params }: LoaderFunctionArgs) {
  const lookup = lookupEmailChange(getDb(), { token: params.token ?? "" });
  return json({ lookup, confirmed: false }, { status: lookup.state === "valid" ? 200 : 404 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const lookup = confirmEmailChange(getDb(), { token: params.token ?? "", appUrl: getEnv().appUrl });
  if (lookup.state === "valid") wakeOutboxWorker();
  return json({ lookup, confirmed: lookup.state === "valid" }, { status: lookup.state === "valid" ? 200 : 410 });
}

export default function ConfirmEmailChangePage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const { lookup, confirmed } = acted ?? loaded;
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-8">
          {lookup.state !== "valid" ? (
            <>
              <h1>Collegamento non valido o scaduto</h1>
              <p className="lead">
                Il collegamento vale 48 ore, si può usare una sola volta e vale solo l'ultimo ricevuto. Se serve, accedi
                all'area referente e chiedi di nuovo il cambio di indirizzo.
              </p>
              <p>
                <a href="/area-referente">Vai all'area referente</a>
              </p>
            </>
          ) : confirmed ? (
            <>
              <h1>Nuovo indirizzo confermato</h1>
              <div className="alert alert-success" role="status">
                Da ora il tuo indirizzo di referente {ofBody(lookup.bodyName)} è <strong>{lookup.newEmail}</strong>.
              </div>
              <p>
                <a href="/area-referente">Vai all'area referente</a>
              </p>
            </>
          ) : (
            <>
              <h1>Conferma il nuovo indirizzo email</h1>
              <p className="lead">
                Stai confermando <strong>{lookup.newEmail}</strong> come indirizzo del referente <strong>{ofBody(lookup.bodyName)}</strong>.
              </p>
              <Form method="post">
                <AuthenticityTokenInput name="csrf" />
                <button type="submit" className="btn btn-primary btn-lg">
                  Conferma il nuovo indirizzo
                </button>
              </Form>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
