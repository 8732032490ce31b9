import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { SignOutForm } from "~/components/sign-out-form";
import { endCoordinatorSession } from "~/utils/auth.server";
import { signOut } from "~/utils/sign-out.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: pageTitle("Esci") }];

export async function action({ request }: ActionFunctionArgs) {
  return signOut(request, { endSession: endCoordinatorSession, to: "/login?esito=uscito" });
}

// Signing out changes state, so GET only offers the button.
export default function LogoutPage() {
  return (
    <div className="container my-5">
      <h1>Esci dall'area riservata</h1>
      <SignOutForm action="/logout" buttonClassName="btn btn-primary" />
    </div>
  );
}
