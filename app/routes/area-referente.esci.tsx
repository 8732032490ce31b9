import { redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { validateCsrf } from "~/utils/csrf.server";
import { endReferentSession } from "~/utils/referent-auth.server";

export const meta: MetaFunction = () => [{ title: "Esci dall'area referente - Coordinamento SAI" }];

export async function action({ request }: ActionFunctionArgs) {
  await validateCsrf(request, await request.formData());
  return redirect("/area-referente/accedi?uscito=1", { headers: { "Set-Cookie": await endReferentSession(request) } });
}

// Signing out changes state, so GET only offers the button.
export default function ReferentSignOutPage() {
  return (
    <div className="container my-5">
      <h1>Esci dall'area referente</h1>
      <Form method="post" action="/area-referente/esci">
        <AuthenticityTokenInput name="csrf" />
        <button type="submit" className="btn btn-primary">
          Esci
        </button>
      </Form>
    </div>
  );
}
