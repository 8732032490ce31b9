import { json } from "@remix-run/node";
import { lookupPasswordLink, type InviteLookup, type PasswordLinkKind } from "~/models/coordinator.server";
import { setPasswordSchema } from "~/validation/set-password";
import { validateCsrf } from "./csrf.server";
import { getDb } from "./db.server";
import { issuesToFieldErrors } from "./form-data";

// The pages opened from a one-time link to choose a password: the invitation
// (/invito-coordinatore/:token) and the reset link (/login/reimposta-password/:token).

export type PasswordLinkData = { lookup: InviteLookup; errors: Record<string, string>; formError?: string };

/** 200 for a link that works, 410 for an expired one, 404 for an unknown or used one. */
export const passwordLinkStatus = (lookup: InviteLookup) => (lookup.state === "valid" ? 200 : lookup.state === "expired" ? 410 : 404);

/** The page shown again after a POST: the link's state, and the form's errors (400) if any. */
export function passwordLinkAnswer(lookup: InviteLookup, errors: Record<string, string> = {}) {
  return json<PasswordLinkData>({ lookup, errors }, { status: Object.keys(errors).length > 0 ? 400 : passwordLinkStatus(lookup) });
}

/**
 * The POST of such a page: the CSRF token, the link still valid, the new password by the rules.
 * Gives the password, or the answer that shows the page again.
 */
export async function readNewPassword(
  request: Request,
  { token, kind }: { token: string; kind: PasswordLinkKind },
): Promise<{ password: string } | { answer: ReturnType<typeof passwordLinkAnswer> }> {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const lookup = lookupPasswordLink(getDb(), { token, kind });
  if (lookup.state !== "valid") return { answer: passwordLinkAnswer(lookup) };
  const parsed = setPasswordSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { answer: passwordLinkAnswer(lookup, issuesToFieldErrors(parsed.error.issues)) };
  return { password: parsed.data.password };
}
