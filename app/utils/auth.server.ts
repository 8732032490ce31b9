import { redirect } from "@remix-run/node";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { recordAudit } from "~/models/audit.server";
import { verifyCoordinatorCredentials } from "~/models/coordinator.server";
import {
  createCoordinatorSession,
  findSessionCoordinator,
  revokeSession,
  type SessionCoordinator,
} from "~/models/session.server";
import { loginSchema, SESSION_EXPIRED_OUTCOME } from "~/validation/login";
import { getCookies } from "./cookies.server";
import { getDb } from "./db.server";
import { clearRateLimit, consumeRateLimit, isRateLimited, rateLimitedUntil, remainingAllowed } from "./rate-limit.server";
import { signInPathFor } from "./safe-redirect.server";

/** Wrong passwords for one address, from anywhere, before its sign-in is suspended. */
export const LOGIN_FAILURE_LIMIT = 10;
/**
 * Wrong passwords from one network, whatever the address: higher, since ANCI's offices share one
 * address and a colleague's typos must not lock the others out; it stops trying many addresses.
 */
export const LOGIN_FAILURES_PER_IP = 50;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** From this many attempts left, a wrong password says how many remain before the suspension. */
const WARN_FROM_REMAINING = 3;

export class InvalidCredentialsError extends Error {}

const authenticator = new Authenticator<SessionCoordinator>();
authenticator.use(
  new FormStrategy(async ({ form }) => {
    const parsed = loginSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) throw new InvalidCredentialsError();
    const coordinator = await verifyCoordinatorCredentials(getDb(), parsed.data);
    if (!coordinator) throw new InvalidCredentialsError();
    return coordinator;
  }),
  "coordinator-password",
);

const emailKey = (email: string) => `login-email:${email.toLowerCase()}`;
const failureLimits = (ip: string, email: string) => [
  { key: `login-ip:${ip}`, limit: LOGIN_FAILURES_PER_IP },
  { key: emailKey(email), limit: LOGIN_FAILURE_LIMIT },
];

// The blocked attempts already audited, by IP and email, until their block ends: the first one of a
// block is recorded and the rest are not, so a flood of attempts cannot fill the audit log.
const auditedBlocks = new Map<string, number>();

/**
 * Seconds until this IP or email may try again (0: not blocked). The first refused attempt of each
 * block is written to the audit log ("auth.login_blocked", without the password).
 */
export function loginBlockedFor({ ip, email, now = Date.now() }: { ip: string; email: string; now?: number }) {
  for (const { key, limit } of failureLimits(ip, email)) {
    const state = isRateLimited({ key, limit, windowMs: LOGIN_WINDOW_MS });
    if (!state.limited) continue;
    const blockKey = `${ip}|${email}`;
    if ((auditedBlocks.get(blockKey) ?? 0) <= now) {
      for (const [k, until] of auditedBlocks) if (until <= now) auditedBlocks.delete(k);
      auditedBlocks.set(blockKey, now + state.retryAfterSeconds * 1000);
      recordAudit(getDb(), { actorType: "public", action: "auth.login_blocked", details: { email, ip, retryAfterSeconds: state.retryAfterSeconds } });
    }
    return state.retryAfterSeconds;
  }
  return 0;
}

/**
 * Checks the password (remix-auth form strategy), audits the attempt without the password, and
 * counts failures per IP and per email. The coordinator, or for bad credentials how many attempts
 * the address has left before its sign-in is suspended.
 */
export async function authenticateCoordinator(
  request: Request,
  { ip, email }: { ip: string; email: string },
): Promise<{ coordinator: SessionCoordinator } | { coordinator: null; attemptsLeft: number }> {
  const db = getDb();
  try {
    const coordinator = await authenticator.authenticate("coordinator-password", request);
    recordAudit(db, { actorType: "coordinator", actorId: coordinator.id, action: "auth.login_succeeded", entityType: "coordinator", entityId: coordinator.id, details: { ip } });
    // Earlier typos no longer count against the address: the person knows the password.
    clearLoginFailures({ email });
    return { coordinator };
  } catch (error) {
    if (!(error instanceof InvalidCredentialsError)) throw error;
    const attemptsLeft = countLoginFailure({ ip, email });
    recordAudit(db, { actorType: "public", action: "auth.login_failed", details: { email, ip } });
    return { coordinator: null, attemptsLeft };
  }
}

/**
 * Counts a wrong password against the sign-in's limits (per IP and per email): at /login, and for the
 * current password asked by /admin/account, so that form cannot be used to guess it either. Returns
 * the attempts the address has left before its sign-in is suspended.
 */
export function countLoginFailure({ ip, email }: { ip: string; email: string }) {
  for (const { key, limit } of failureLimits(ip, email)) consumeRateLimit({ key, limit, windowMs: LOGIN_WINDOW_MS });
  return remainingAllowed({ key: emailKey(email), limit: LOGIN_FAILURE_LIMIT, windowMs: LOGIN_WINDOW_MS });
}

/**
 * After a sign-in, a new password set with a reset link (which proves the mailbox), or an
 * administrator's «Riattiva l'accesso»: the address's wrong attempts are forgotten.
 */
export function clearLoginFailures({ email }: { email: string }) {
  clearRateLimit(emailKey(email));
  // A new suspension of the address is audited again, from its first refused attempt.
  const address = email.toLowerCase();
  for (const blockKey of auditedBlocks.keys()) if (blockKey.slice(blockKey.indexOf("|") + 1).toLowerCase() === address) auditedBlocks.delete(blockKey);
}

/**
 * Until when the sign-in with this address is suspended for too many wrong passwords (null: it is
 * not). The counts are kept in memory by the portal's one process (rate-limit.server.ts), so this
 * is what /login applies; a restart forgets them, and the suspension with them.
 */
export function loginSuspendedUntil({ email, now = Date.now() }: { email: string; now?: number }) {
  const until = rateLimitedUntil({ key: emailKey(email), limit: LOGIN_FAILURE_LIMIT, windowMs: LOGIN_WINDOW_MS, now });
  return until === null ? null : new Date(until);
}

/** The warning added to a wrong password's message once few attempts are left (null: not yet). */
export function attemptsLeftWarning(attemptsLeft: number) {
  if (attemptsLeft > WARN_FROM_REMAINING || attemptsLeft <= 0) return null;
  const after = attemptsLeft === 1 ? "Dopo un altro tentativo non riuscito" : `Dopo altri ${attemptsLeft} tentativi non riusciti`;
  return `${after} l'accesso con questo indirizzo sarà sospeso per ${LOGIN_WINDOW_MS / 60_000} minuti: se non ricordi la password, reimpostala con «Password dimenticata?».`;
}

export const RESET_REQUESTS_PER_IP = 20;
export const RESET_REQUESTS_PER_EMAIL = 5;
export const RESET_REQUEST_WINDOW_MS = 60 * 60 * 1000;

/** Counts a request for a password reset link; once the IP or the address has asked too often, the seconds to wait (else null). */
export function limitPasswordResetRequests({ ip, email }: { ip: string; email: string }): number | null {
  const limits = [
    { key: `reset-ip:${ip}`, limit: RESET_REQUESTS_PER_IP },
    { key: `reset-email:${email}`, limit: RESET_REQUESTS_PER_EMAIL },
  ];
  for (const { key, limit } of limits) {
    const state = consumeRateLimit({ key, limit, windowMs: RESET_REQUEST_WINDOW_MS });
    if (!state.allowed) return state.retryAfterSeconds;
  }
  return null;
}

/** A fresh session id at every sign-in; the previous session of this browser, if any, is revoked. */
export async function startCoordinatorSession(request: Request, coordinatorId: number) {
  const db = getDb();
  const previous = await readSessionId(request);
  if (previous) revokeSession(db, { sessionId: previous });
  const sessionId = createCoordinatorSession(db, { coordinatorId });
  return getCookies().session.serialize(sessionId);
}

async function readSessionId(request: Request): Promise<string | null> {
  const value = await getCookies().session.parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : null;
}

export async function getCoordinator(request: Request) {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  return findSessionCoordinator(getDb(), { sessionId });
}

/**
 * To /login, and back to this page afterwards. A form sent without a valid session did nothing: the
 * sign-in page says so, lest the coordinator, back on the page, take its old values for saved ones.
 */
function loginRedirect(request: Request) {
  const signIn = signInPathFor("/login", request);
  const submitted = request.method !== "GET" && request.method !== "HEAD";
  return redirect(submitted ? `${signIn}&esito=${SESSION_EXPIRED_OUTCOME}` : signIn);
}

/**
 * The signed-in coordinator and this browser's session id; anyone else is sent to /login (and back
 * here afterwards), told when what they sent was not saved.
 */
export async function requireCoordinatorSession(request: Request) {
  const sessionId = await readSessionId(request);
  const coordinator = sessionId ? findSessionCoordinator(getDb(), { sessionId }) : null;
  if (!sessionId || !coordinator) throw loginRedirect(request);
  return { coordinator, sessionId };
}

/** The signed-in coordinator; anyone else is sent to /login (and back here afterwards). */
export async function requireCoordinator(request: Request) {
  return (await requireCoordinatorSession(request)).coordinator;
}

export async function requireAdmin(request: Request) {
  const coordinator = await requireCoordinator(request);
  if (coordinator.role !== "admin") {
    throw new Response("Questa funzione è riservata agli amministratori.", {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return coordinator;
}

export async function endCoordinatorSession(request: Request) {
  const sessionId = await readSessionId(request);
  const db = getDb();
  if (sessionId) {
    const coordinator = findSessionCoordinator(db, { sessionId });
    revokeSession(db, { sessionId });
    if (coordinator) recordAudit(db, { actorType: "coordinator", actorId: coordinator.id, action: "auth.logout", entityType: "coordinator", entityId: coordinator.id });
  }
  return getCookies().session.serialize("", { maxAge: 0 });
}
