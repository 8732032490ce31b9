import { redirect, redirectDocument } from "@remix-run/node";
import { recordAudit } from "~/models/audit.server";
import { LOGIN_CODE_RESEND_AFTER_MS, LOGIN_CODE_TTL_MS, normalizeEmail } from "~/models/referent-login.server";
import { downloadableMaterialRoundTableId } from "~/models/material.server";
import {
  createReferentSession,
  findSessionReferent,
  revokeReferentSession,
  type FormerReferentAccess,
  type ReferentAccess,
  type SignedInReferent,
} from "~/models/referent-session.server";
import { getCookies } from "./cookies.server";
import { getDb } from "./db.server";
import { clearRateLimit, consumeRateLimit, isRateLimited, rateLimitedUntil } from "./rate-limit.server";
import { safeRedirectPath, signInPathFor } from "./safe-redirect.server";
import { parseRecordId } from "./record-id";

// Request helpers of the referent area (issue 6). Every referent loader and action calls
// requireReferent (or requireActiveReferent) itself and reads data only through the returned
// memberBodyId / referentId: a referente sees their own ente and nothing else.
//
// A former referente (term ended, data not erased) is signed in too, but only the privacy page and
// its downloads call requireReferentForPrivacy, which admits them ("Esci" ends any session):
// requireReferent sends them to the privacy page, so every other page and action of the area
// refuses them without changing anything.

export type { FormerReferentAccess, ReferentAccess, SignedInReferent };

export const REFERENT_SIGN_IN_PATH = "/area-referente/accedi";
export const REFERENT_AREA_PATH = "/area-referente";
export const REFERENT_PRIVACY_PATH = "/area-referente/privacy";
/** The sign-in's second step, where the emailed code is typed. */
export const REFERENT_CODE_STEP_PATH = "/area-referente/accedi/codice";
/** The first step asked for with an empty address (the code step's «Usa un altro indirizzo email»). */
export const OTHER_ADDRESS_PARAM = "altro";

async function readSessionId(request: Request): Promise<string | null> {
  const value = await getCookies().referentSession.parse(request.headers.get("Cookie"));
  return typeof value === "string" && value ? value : null;
}

/** Anyone signed in to the referent area, a former referente included, or null. */
export async function getSignedInReferent(request: Request): Promise<SignedInReferent | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  return findSessionReferent(getDb(), { sessionId });
}

/** The signed-in referente (current or pending), or null; a former referente is not one. */
export async function getReferent(request: Request): Promise<ReferentAccess | null> {
  const signedIn = await getSignedInReferent(request);
  return signedIn && signedIn.status !== "former" ? signedIn : null;
}

/** Where a referente lands after signing in: the area, or for a former referente the privacy page. */
const referentHomePath = (access: SignedInReferent) => (access.status === "former" ? REFERENT_PRIVACY_PATH : REFERENT_AREA_PATH);

/** The page that sent the person to sign in (`?redirectTo=` of the sign-in page), if it is one of the portal's. */
export const signInReturnAddress = (request: Request) => safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), null);

// ---------------------------------------------------------------------------------------------
// Back from the sign-in. A download is not a page: redirecting the browser to it after signing in
// would save the file and leave the sign-in form on screen, saying nothing of the sign-in. The person
// lands instead on the page that offers the download, which takes the focus with a link to it: it says
// «Accesso effettuato» when they have just signed in, not when they already were (a sign-in link
// followed while signed in).

/** The address parameter of a page that offers a download, when the person has just signed in. */
const SIGNED_IN_NOW = { name: "esito", value: "accesso" };

/** The downloads a return address may name: the one place that knows which paths are files. */
type Download = { kind: "material"; id: number | null } | { kind: "personal-data" } | { kind: "other-file" };

/** The download a path of the portal is, or null for a page. */
function downloadAt(path: string): Download | null {
  const { pathname } = new URL(path, "http://portale.invalid");
  const material = /^\/materiali\/([^/]+)\/?$/.exec(pathname);
  if (material) return { kind: "material", id: parseRecordId(material[1]) };
  if (/^\/area-referente\/privacy\/dati\.json\/?$/.test(pathname)) return { kind: "personal-data" };
  // Every other file of the portal (calendars, exports…) is named with its extension.
  if (/\.[A-Za-z0-9]+\/?$/.test(pathname)) return { kind: "other-file" };
  return null;
}

const offerPath = (page: string, offer: string, signedInNow: boolean) => `${page}?${signedInNow ? `${SIGNED_IN_NOW.name}=${SIGNED_IN_NOW.value}&` : ""}${offer}`;

/** A download offered by the page of this request (its parameter `name`), and whether the person has just signed in; or null. */
function offerOf(request: Request, name: string) {
  const params = new URL(request.url).searchParams;
  const value = params.get(name);
  return value === null ? null : { value, signedInNow: params.get(SIGNED_IN_NOW.name) === SIGNED_IN_NOW.value };
}

/** On a Tavolo tecnico's page: the id of the material whose download is offered (`?materiale=<id>`), or null. */
export function materialOfferedAfterSignIn(request: Request) {
  const offer = offerOf(request, "materiale");
  const id = offer ? parseRecordId(offer.value) : null;
  return offer && id !== null ? { id, signedInNow: offer.signedInNow } : null;
}

/** On the privacy page: whether the download of the person's own data is offered (`?scarica=dati`), or null. */
export function personalDataOfferedAfterSignIn(request: Request) {
  const offer = offerOf(request, "scarica");
  return offer?.value === "dati" ? { signedInNow: offer.signedInNow } : null;
}

/**
 * The page that offers a download instead of it: a material's Tavolo tecnico, when the material
 * exists and is this person's to download, the privacy page for their own data; else null.
 */
function downloadPagePath(access: SignedInReferent, download: Download, signedInNow: boolean) {
  switch (download.kind) {
    case "personal-data":
      // Anyone signed in, a former referente included, may download their own data.
      return offerPath(REFERENT_PRIVACY_PATH, "scarica=dati", signedInNow);
    case "material": {
      if (download.id === null) return null;
      // A former referente is signed in for their own data only (as at /materiali/:id).
      const referent = access.status === "former" ? null : { id: access.referentId, active: access.status === "active" };
      const roundTableId = downloadableMaterialRoundTableId(getDb(), { id: download.id, referent });
      return roundTableId === null ? null : offerPath(`/tavoli-tecnici/${roundTableId}`, `materiale=${download.id}`, signedInNow);
    }
    case "other-file":
      return null;
  }
}

function redirectBack(access: SignedInReferent, returnTo: string | null, signedInNow: boolean, init: ResponseInit = {}) {
  const target = safeRedirectPath(returnTo, null);
  const download = target ? downloadAt(target) : null;
  // Pages are opened by a document redirect.
  if (target && !download) return redirectDocument(target, init);
  // A download that is not theirs, or not offered anywhere: their home, which says nothing of it.
  return redirect((download && downloadPagePath(access, download, signedInNow)) ?? referentHomePath(access), init);
}

/** After signing in: back to the page that asked for it (or the one offering its download), else the referente's home. */
export function redirectAfterSignIn(access: SignedInReferent, returnTo: string | null, init: ResponseInit = {}) {
  return redirectBack(access, returnTo, true, init);
}

/** A person already signed in who opens the sign-in page: where redirectAfterSignIn would take them, not told they have just signed in. */
export function redirectAlreadySignedIn(access: SignedInReferent, returnTo: string | null) {
  return redirectBack(access, returnTo, false);
}

/** The signed-in referente; a former referente is sent to the privacy page, anyone else to the sign-in page (and back). */
export async function requireReferent(request: Request): Promise<ReferentAccess> {
  const signedIn = await requireReferentForPrivacy(request);
  if (signedIn.status === "former") throw redirect(REFERENT_PRIVACY_PATH);
  return signedIn;
}

/**
 * The signed-in referente, a former one included: only for the pages where a person exercises their
 * rights over their own data (see, download, ask for the erasure). Anyone else goes to the sign-in
 * page, and comes back here afterwards.
 */
export async function requireReferentForPrivacy(request: Request): Promise<SignedInReferent> {
  const signedIn = await getSignedInReferent(request);
  if (!signedIn) throw redirect(signInPathFor(REFERENT_SIGN_IN_PATH, request));
  return signedIn;
}

/** Only the ente's current referente (not one whose request still awaits approval). */
export async function requireActiveReferent(request: Request): Promise<ReferentAccess> {
  const referent = await requireReferent(request);
  if (referent.status !== "active") {
    throw new Response("Questa funzione è disponibile dopo l'approvazione della richiesta di adesione.", {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return referent;
}

/**
 * A fresh session id at every sign-in, and when a referente passes to another ente of theirs
 * ("switch"); the previous referent session of this browser is revoked.
 */
export async function startReferentSession(
  request: Request,
  access: SignedInReferent,
  { ip, method }: { ip: string; method: "code" | "link" | "switch" },
) {
  const db = getDb();
  const previous = await readSessionId(request);
  if (previous) revokeReferentSession(db, { sessionId: previous });
  const sessionId = createReferentSession(db, { referentId: access.referentId });
  // The code just used is no longer one to protect: signing out and in again asks a new one at once.
  if (method !== "switch") forgetRecentCodeRequest(access.email);
  recordAudit(db, {
    actorType: "referent",
    actorId: access.referentId,
    action: "auth.login_succeeded",
    entityType: "referent",
    entityId: access.referentId,
    details: { ip, method, area: "referente" },
  });
  return getCookies().referentSession.serialize(sessionId);
}

/** Revokes this browser's referent session ("Esci") and returns the cookie that clears it. */
export async function endReferentSession(request: Request) {
  const sessionId = await readSessionId(request);
  const db = getDb();
  if (sessionId) {
    const referent = findSessionReferent(db, { sessionId });
    revokeReferentSession(db, { sessionId });
    if (referent) {
      recordAudit(db, {
        actorType: "referent",
        actorId: referent.referentId,
        action: "auth.logout",
        entityType: "referent",
        entityId: referent.referentId,
      });
    }
  }
  return getCookies().referentSession.serialize("", { maxAge: 0 });
}

// ---------------------------------------------------------------------------------------------
// The sign-in waiting for its code. Asking for a code redirects (post/redirect/get) to the code step,
// whose address names nobody: the address the code was asked for is in a signed cookie of this
// browser, so the step survives a reload, the back and forward buttons, and a phone reopening the
// tab after the mail app. It lasts as long as the code; past that the person is sent back to ask
// again, told why (whether the address is registered or not: the same words for all).

// A browser keeps the few most recent sign-ins waiting for their code (two tabs, two addresses): the
// code step shows the newest, and its form names, in a hidden field, the address it was shown for,
// which the code step accepts only if it is one of these (never an address typed by hand).

/** How many sign-ins waiting for their code one browser keeps, the newest first. */
export const MAX_PENDING_SIGN_INS = 3;

/**
 * What the code step says of the last request for a new code for this address, made at `at`: sent
 * ("resent", replacing the previous one), refused by the rate limit ("limited", a new code may be
 * asked from `retryAt`), or not sent because the code sent at `sentAt` is less than a minute old
 * ("recent": it still works, and a new one would have killed it).
 */
export type PendingNotice =
  | { kind: "resent"; at: number }
  | { kind: "limited"; at: number; retryAt: number }
  | { kind: "recent"; at: number; sentAt: number };
type PendingEntry = { email: string; until: number; notice?: PendingNotice };
export type PendingSignIn = PendingEntry & { expired: boolean };

const isPendingEntry = (value: unknown): value is PendingEntry => {
  const { email, until } = (value ?? {}) as { email?: unknown; until?: unknown };
  return typeof email === "string" && email !== "" && typeof until === "number";
};

const isNotice = (value: unknown): value is PendingNotice => {
  const { kind, at, retryAt } = (value ?? {}) as Record<string, unknown>;
  const { sentAt } = (value ?? {}) as Record<string, unknown>;
  return (
    typeof at === "number" &&
    (kind === "resent" || (kind === "limited" && typeof retryAt === "number") || (kind === "recent" && typeof sentAt === "number"))
  );
};

const pendingCookieOf = (entries: PendingEntry[], { expired }: { expired?: string } = {}) =>
  getCookies().referentSignIn.serialize({
    pending: entries.slice(0, MAX_PENDING_SIGN_INS).map(({ email, until, notice }) => ({ email, until, ...(notice ? { notice } : {}) })),
    ...(expired ? { expired } : {}),
  });

/** The cookie with `newest` first, before the `previous` sign-ins of other addresses still waiting. */
const newestPendingCookie = (newest: PendingEntry, previous: PendingSignIn[]) =>
  pendingCookieOf([newest, ...previous.filter((p) => p.email !== newest.email && !p.expired)]);

/**
 * The cookie of a code just asked for `email` (whether or not one was sent): the newest pending
 * sign-in, before the browser's `previous` ones still waiting (a new code for the same address
 * replaces its entry, as it replaces its code).
 */
export function pendingSignInCookie(email: string, { now = new Date(), previous = [] }: { now?: Date; previous?: PendingSignIn[] } = {}) {
  // A code asked again for an address of this browser replaces the one sent before: the code step says so.
  const notice: PendingNotice | undefined = previous.some((p) => p.email === email) ? { kind: "resent", at: now.getTime() } : undefined;
  return newestPendingCookie({ email, until: now.getTime() + LOGIN_CODE_TTL_MS, notice }, previous);
}

/**
 * The cookie of a request for a new code refused by the rate limit, for an address this browser
 * still waits a code for (`pending`): its sign-in becomes the newest again, with its own expiry (the
 * codes already received still work), and the code step says that no new code was sent.
 */
export function limitedPendingSignInCookie(pending: PendingSignIn, { now = new Date(), previous, retryAfterSeconds }: { now?: Date; previous: PendingSignIn[]; retryAfterSeconds: number }) {
  const notice: PendingNotice = { kind: "limited", at: now.getTime(), retryAt: now.getTime() + retryAfterSeconds * 1000 };
  return newestPendingCookie({ email: pending.email, until: pending.until, notice }, previous);
}

/**
 * The cookie of a request for a code that came less than a minute after the last one for `email`
 * (sent at `sentAt`), which is kept and not replaced. A browser that already waits for that address
 * («Invia un nuovo codice» at once, or a second tap that came back with the first one's cookie) is
 * told that the code sent then still works; one that does not (a second tap whose first answer was
 * lost) sees the code step as after the first tap. Either way the expiry is that code's.
 */
export function recentPendingSignInCookie(email: string, { now = new Date(), previous, sentAt }: { now?: Date; previous: PendingSignIn[]; sentAt: number }) {
  const waiting = previous.some((p) => p.email === email && !p.expired);
  const notice: PendingNotice | undefined = waiting ? { kind: "recent", at: now.getTime(), sentAt } : undefined;
  return newestPendingCookie({ email, until: sentAt + LOGIN_CODE_TTL_MS, notice }, previous);
}

/** The cookie that keeps only the sign-ins still waiting (unexpired), or forgets them all (after signing in, or once all have expired). */
export function remainingPendingSignInCookie(pending: PendingSignIn[] = []) {
  const waiting = pending.filter((p) => !p.expired);
  return waiting.length ? pendingCookieOf(waiting) : getCookies().referentSignIn.serialize("", { maxAge: 0 });
}

/**
 * The cookie of a code step left because the code of `expiredEmail` has expired: the sign-ins still
 * waiting are kept, and the address is remembered for the first step to fill in again (the person
 * asks a new code with one click). The next code asked forgets it.
 */
export function expiredPendingSignInCookie(pending: PendingSignIn[], expiredEmail: string) {
  return pendingCookieOf(
    pending.filter((p) => !p.expired),
    { expired: expiredEmail },
  );
}

/** The address whose code expired on the code step (expiredPendingSignInCookie), if any. */
export async function readExpiredSignInEmail(request: Request): Promise<string | null> {
  const value: unknown = await getCookies().referentSignIn.parse(request.headers.get("Cookie"));
  const expired = value && typeof value === "object" && "expired" in value ? value.expired : null;
  return typeof expired === "string" && expired !== "" ? expired : null;
}

/** The cookie that forgets every pending sign-in (after signing in). */
export const clearPendingSignInCookie = () => remainingPendingSignInCookie();

/** The sign-ins waiting for their code in this browser, the newest first (none: an empty list). */
export async function readPendingSignIns(request: Request, now = new Date()): Promise<PendingSignIn[]> {
  const value: unknown = await getCookies().referentSignIn.parse(request.headers.get("Cookie"));
  if (!value || typeof value !== "object" || !("pending" in value) || !Array.isArray(value.pending)) return [];
  return (value.pending as unknown[])
    .filter(isPendingEntry)
    .slice(0, MAX_PENDING_SIGN_INS)
    .map(({ email, until, notice }) => ({ email, until, expired: now.getTime() > until, ...(isNotice(notice) ? { notice } : {}) }));
}

/** A page of the sign-in (either step), keeping the page to return to afterwards (`?redirectTo=`). */
export function signInStepPath(path: string, request: Request, extra?: Record<string, string>) {
  const query = new URLSearchParams(extra);
  const returnTo = signInReturnAddress(request);
  if (returnTo) query.set("redirectTo", returnTo);
  const rest = query.toString();
  return rest ? `${path}?${rest}` : path;
}

// ---------------------------------------------------------------------------------------------
// Rate limits of the sign-in (per IP and per address; in memory, like the coordinators' login).

export const CODE_REQUESTS_PER_EMAIL = 5;
export const CODE_REQUESTS_PER_IP = 20;
export const CODE_REQUEST_WINDOW_MS = 60 * 60 * 1000;
export const SIGN_IN_FAILURES_PER_IP = 30;
export const SIGN_IN_FAILURES_PER_EMAIL = 15;
export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

// The last request for a code let through for an address, whoever made it and whether or not the
// address is registered: for a minute after it, another request for that address sends nothing,
// keeps the code sent, and does not count against the limits (a second tap on a slow connection
// used them up twice as fast). Kept in memory and not read from the codes stored, so that an
// unknown address is answered exactly as a registered one; the model keeps the code all the same.
const recentCodeRequestKey = (email: string) => `ref-code-recent:${normalizeEmail(email)}`;

/** Lets the next request for a code for `email` send one at once (the code was used: nothing left to protect). */
export function forgetRecentCodeRequest(email: string) {
  clearRateLimit(recentCodeRequestKey(email));
}

export type CodeRequestAdmission =
  | { kind: "send" }
  | { kind: "recent"; sentAt: number }
  | { kind: "limited"; retryAfterSeconds: number };

/**
 * Whether a code may be sent to `email` now: within a minute of the last one let through, not
 * again ("recent", uncounted); past the limits of the address or the IP, "limited" with the seconds
 * to wait; else "send", counted, and the minute starts.
 */
export function admitCodeRequest({ ip, email, now = Date.now() }: { ip: string; email: string; now?: number }): CodeRequestAdmission {
  const recent = { key: recentCodeRequestKey(email), limit: 1, windowMs: LOGIN_CODE_RESEND_AFTER_MS, now };
  const recentUntil = rateLimitedUntil(recent);
  if (recentUntil !== null) return { kind: "recent", sentAt: recentUntil - LOGIN_CODE_RESEND_AFTER_MS };
  const byIp = consumeRateLimit({ key: `ref-code-ip:${ip}`, limit: CODE_REQUESTS_PER_IP, windowMs: CODE_REQUEST_WINDOW_MS, now });
  if (!byIp.allowed) return { kind: "limited", retryAfterSeconds: byIp.retryAfterSeconds };
  const byEmail = consumeRateLimit({ key: `ref-code-email:${email}`, limit: CODE_REQUESTS_PER_EMAIL, windowMs: CODE_REQUEST_WINDOW_MS, now });
  if (!byEmail.allowed) return { kind: "limited", retryAfterSeconds: byEmail.retryAfterSeconds };
  consumeRateLimit(recent);
  return { kind: "send" };
}

const failureKeys = ({ ip, email }: { ip: string; email?: string }) => [
  { key: `ref-signin-ip:${ip}`, limit: SIGN_IN_FAILURES_PER_IP, by: "ip" as const },
  ...(email ? [{ key: `ref-signin-email:${email}`, limit: SIGN_IN_FAILURES_PER_EMAIL, by: "email" as const }] : []),
];

/**
 * Whether this IP, or the codes typed for this address, have failed too often lately: null, or what
 * is blocked and for how long.
 */
export function signInBlock(who: { ip: string; email?: string }) {
  for (const { key, limit, by } of failureKeys(who)) {
    const state = isRateLimited({ key, limit, windowMs: SIGN_IN_FAILURE_WINDOW_MS });
    if (state.limited) return { by, retryAfterSeconds: state.retryAfterSeconds };
  }
  return null;
}

export function countSignInFailure(who: { ip: string; email?: string }) {
  for (const { key, limit } of failureKeys(who)) consumeRateLimit({ key, limit, windowMs: SIGN_IN_FAILURE_WINDOW_MS });
  recordAudit(getDb(), { actorType: "public", action: "auth.login_failed", details: { ip: who.ip, area: "referente" } });
}
