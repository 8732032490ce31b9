import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { SignOutForm } from "~/components/sign-out-form";
import { endReferentSession } from "~/utils/referent-auth.server";
import { signOut } from "~/utils/sign-out.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: pageTitle("Esci dall'area referente") }];

export async function action({ request }: ActionFunctionArgs) {
  return signOut(request, { endSession: endReferentSession, to: "/area-referente/accedi?uscito=1" });
}

// Signing out changes state, so GET only offers the button.
export default function ReferentSignOutPage() {
  return (
    <div className="container my-5">
      <h1>Esci dall'area referente</h1>
      <SignOutForm action="/area-referente/esci" buttonClassName="btn btn-primary" />
    </div>
  );
}
