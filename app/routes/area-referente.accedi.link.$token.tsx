import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { isLoginLinkUsable, verifyLoginLink } from "~/models/referent-login.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { clearPendingSignInCookie, countSignInFailure, redirectAfterSignIn, startReferentSession } from "~/utils/referent-auth.server";
import { pageTitle } from "~/utils/page-title";

// Titled as its heading: a link already used or expired says so in the tab too.
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: pageTitle(data?.usable === false ? LINK_NOT_USABLE : "Accesso all'area referente") },
  { name: "robots", content: "noindex" },
];

const LINK_NOT_USABLE = "Collegamento non valido o scaduto";

// The link in the sign-in email. Opening it (GET) changes nothing, since mail scanners and link
// previews follow links: the page shows a button, and only its POST signs in. The limits on wrong
// codes do not apply to it: its token cannot be guessed, and it is how the owner of the address still
// gets in while strangers' wrong codes have suspended the code entry for the address or the network.
export function loader({ params }: LoaderFunctionArgs) {
  // A link already used or expired says so at once, rather than offering a button that fails.
  const usable = isLoginLinkUsable(getDb(), { token: params.token ?? "" });
  return json({ usable }, { status: usable ? 200 : 410 });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const ip = context.clientIp;
  const result = verifyLoginLink(getDb(), { token: params.token ?? "" });
  if (!result.ok) {
    countSignInFailure({ ip });
    return json({ failed: true }, { status: 410 });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", await startReferentSession(request, result.access, { ip, method: "link" }));
  // Signed in: the code step this browser may still be waiting on is done with, as after the code.
  headers.append("Set-Cookie", await clearPendingSignInCookie());
  return redirectAfterSignIn(result.access, result.returnTo, { headers });
}

export default function SignInLinkPage() {
  const acted = useActionData<typeof action>();
  const { usable } = useLoaderData<typeof loader>();
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-9 col-lg-7">
          {acted?.failed || !usable ? (
            <>
              <h1>{LINK_NOT_USABLE}</h1>
              <p className="lead">
                Il collegamento di accesso vale 10 minuti e si può usare una sola volta; vale solo l'ultimo ricevuto.
              </p>
              <p>
                <a href="/area-referente/accedi" className="btn btn-primary">
                  Richiedi un nuovo codice
                </a>
              </p>
            </>
          ) : (
            <>
              <h1>Accesso all'area referente</h1>
              <p className="lead">Premi il pulsante per entrare nell'area referente del Coordinamento SAI.</p>
              <Form method="post">
                <AuthenticityTokenInput name="csrf" />
                <button type="submit" className="btn btn-primary btn-lg">
                  Accedi
                </button>
              </Form>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
