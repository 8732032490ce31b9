import { redirect } from "@remix-run/node";
import { validateCsrf } from "~/utils/csrf.server";

/** The answer to a sign-out POST: the CSRF token checked, the session's cookie cleared, then on to `to`. */
export async function signOut(request: Request, { endSession, to }: { endSession: (request: Request) => Promise<string>; to: string }) {
  await validateCsrf(request, await request.formData());
  return redirect(to, { headers: { "Set-Cookie": await endSession(request) } });
}
