import { Form } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";

/** Signing out changes state, so it is always a POST with the CSRF token, never a link. */
export function SignOutForm({ action, buttonClassName }: { action: string; buttonClassName: string }) {
  return (
    <Form method="post" action={action}>
      <AuthenticityTokenInput name="csrf" />
      <button type="submit" className={buttonClassName}>
        Esci
      </button>
    </Form>
  );
}
