import { redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { endCoordinatorSession } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";

export const meta: MetaFunction = () => [{ title: "Esci - Coordinamento SAI" }];

export async function action({ request }: ActionFunctionArgs) {
  await validateCsrf(request, await request.formData());
  return redirect("/login", { headers: { "Set-Cookie": await endCoordinatorSession(request) } });
}

// Signing out changes state, so GET only offers the button.
export default function LogoutPage() {
  return (
    <div className="container my-5">
      <h1>Esci dall'area riservata</h1>
      <Form method="post" action="/logout">
        <AuthenticityTokenInput name="csrf" />
        <button type="submit" className="btn btn-primary">
          Esci
        </button>
      </Form>
    </div>
  );
}
