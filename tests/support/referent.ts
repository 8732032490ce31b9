// Helpers for the referent area's tests (issue 6): enti with a referente in a given state, and
// requests as that referente's browser sends them.
import { expect } from "vitest";
import { approveMembership } from "~/models/membership-review.server";
import { createReferentSession } from "~/models/referent-session.server";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { action as signInAction } from "~/routes/area-referente.accedi._index";
import { action as codeStepAction } from "~/routes/area-referente.accedi.codice";
import { getCookies } from "~/utils/cookies.server";
import { getDb } from "~/utils/db.server";
import { LOGIN_CODE_RESEND_AFTER_MS } from "~/models/referent-login.server";
import { forgetRecentCodeRequest, pendingSignInCookie } from "~/utils/referent-auth.server";
import { createTestCoordinator, settle } from "./admin";
import { confirmationTokenFor, requestsForEmail } from "./db-queries";
import { validRegistrationFields, type RegistrationFields } from "./factories";
import { APP_URL, browserPost, routeArgs } from "./requests";

export type TestReferent = { fields: RegistrationFields; email: string; referentId: number; memberBodyId: number; requestId: number };

/**
 * A registered ente: "unverified" (scheda sent, email not confirmed), "pending" (confirmed) or
 * "active" (approved by a coordinator).
 */
export async function createReferent(state: "unverified" | "pending" | "active" = "active", overrides: RegistrationFields = {}): Promise<TestReferent> {
  const fields = validRegistrationFields(overrides);
  expect((await submitAction(routeArgs(await browserPost("/adesione", fields)))).status).toBe(302);
  if (state !== "unverified") {
    const token = confirmationTokenFor(fields.email);
    await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
  }
  const { request, referent } = requestsForEmail(fields.email).at(-1)!;
  if (state === "active") {
    const coordinator = createTestCoordinator();
    expect(approveMembership(getDb(), { id: request.id, coordinatorId: coordinator.id, appUrl: APP_URL })).toEqual({ ok: true });
  }
  return { fields, email: fields.email, referentId: referent.id, memberBodyId: request.memberBodyId, requestId: request.id };
}

/** The Cookie header value of a new referent session (as after a sign-in). */
export async function referentCookie(referentId: number) {
  const sessionId = createReferentSession(getDb(), { referentId });
  const cookie = await getCookies().referentSession.serialize(sessionId);
  return { sessionId, cookie: cookie.split(";")[0] };
}

/** A GET from the referente's browser (anonymous when cookie is null). */
export function referentGet(path: string, cookie: string | null) {
  return new Request(`${APP_URL}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
}

/** A form POST with a valid CSRF token from the referente's browser (anonymous when cookie is null). */
export async function referentPost(path: string, fields: Record<string, string>, cookie: string | null) {
  const request = await browserPost(path, fields);
  const headers = new Headers(request.headers);
  if (cookie) headers.set("Cookie", `${headers.get("Cookie")}; ${cookie}`);
  return new Request(request.url, { method: "POST", body: await request.text(), headers });
}

/** The code and the link of the latest sign-in email to `email`, read from the outbox. */
export function latestLoginEmail(email: string) {
  const rows = getDb()
    .$client.prepare("SELECT props FROM outbox WHERE recipient = ? AND template = 'referent-login-code' ORDER BY id DESC LIMIT 1")
    .all(email) as { props: string }[];
  if (rows.length === 0) return null;
  const props = JSON.parse(rows[0].props) as { code: string; signInUrl: string };
  return { code: props.code, token: props.signInUrl.split("/").pop()!, signInUrl: props.signInUrl };
}

let ipCounter = 0;
/** A new client address for each sign-in step, so the rate limits of one test never block another. */
export const freshIp = () => `10.50.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

/**
 * As a minute after the last code asked for `email`: the portal keeps a code less than a minute old
 * and sends no other (a second tap). Tests that ask again for another reason (a new code, a new
 * return address) start from here; those about the second tap ask without it.
 */
export function aMinuteLater(email: string) {
  forgetRecentCodeRequest(email);
  getDb()
    .$client.prepare(
      `UPDATE referent_login_codes SET created_at = created_at - ? WHERE used_at IS NULL
         AND referent_id IN (SELECT id FROM referents WHERE lower(email) = lower(?))`,
    )
    .run(LOGIN_CODE_RESEND_AFTER_MS, email.trim());
}

/** "Accedi", first step: asks for a code for `email` (a minute after any code asked before). */
export async function askCode(email: string, ip = freshIp()) {
  aMinuteLater(email);
  const request = await browserPost("/area-referente/accedi", { intent: "request", email });
  return settle(() => signInAction({ request, params: {}, context: { cspNonce: "", clientIp: ip } }));
}

/** The Cookie header value of the sign-in waiting for the code asked for `email` (as after "Invia il codice"). */
export async function pendingSignIn(email: string, now = new Date()) {
  return (await pendingSignInCookie(email, { now })).split(";")[0];
}

/** "Accedi", second step: types `code` on the code step of a browser that asked for a code for `email`. */
export async function sendCode(email: string, code: string, ip = freshIp()) {
  const request = await referentPost("/area-referente/accedi/codice", { intent: "verify", code }, await pendingSignIn(email));
  return settle(() => codeStepAction({ request, params: {}, context: { cspNonce: "", clientIp: ip } }));
}

/** Signs in with the code emailed to `email`; the Cookie header value of the new session. */
export async function signInWithCode(email: string) {
  expect((await askCode(email)).status).toBe(303);
  const mail = latestLoginEmail(email)!;
  const response = await sendCode(email, mail.code);
  expect(response.status).toBe(302);
  return response.headers.get("Set-Cookie")!.split(";")[0];
}
