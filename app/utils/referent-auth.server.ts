import { redirect, redirectDocument } from "@remix-run/node";
import { recordAudit } from "~/models/audit.server";
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
import { consumeRateLimit, isRateLimited } from "./rate-limit.server";
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

/** The id of the material whose download (/materiali/:id) a path of the portal is, or null. */
function downloadedMaterialId(path: string) {
  const match = /^\/materiali\/([^/]+)\/?$/.exec(new URL(path, "http://portale.invalid").pathname);
  return match ? parseRecordId(match[1]) : null;
}

/**
 * The page of a Tavolo tecnico that, after signing in, offers the download of one of its materials
 * (`?esito=accesso&materiale=<id>`, read by materialOfferedAfterSignIn).
 */
const materialAfterSignInPath = (roundTableId: number, materialId: number) =>
  `/tavoli-tecnici/${roundTableId}?esito=accesso&materiale=${materialId}`;

/** On a Tavolo tecnico's page: the id of the material whose download is offered after signing in, or null. */
export function materialOfferedAfterSignIn(request: Request) {
  const params = new URL(request.url).searchParams;
  const id = params.get("materiale");
  return params.get("esito") === "accesso" ? parseRecordId(id) : null;
}

/**
 * After signing in: back to the page that asked for it, else the referente's home. Pages are opened
 * by a document redirect. A material's download is not a page: the browser would save the file and
 * stay on the sign-in form, saying nothing of the sign-in. The person goes instead to the material's
 * Tavolo tecnico, whose page says they are signed in and links the download; when the material does
 * not exist or is not theirs to download, to their home, which says nothing of it.
 */
export function redirectAfterSignIn(access: SignedInReferent, returnTo: string | null, init: ResponseInit = {}) {
  const target = safeRedirectPath(returnTo, null);
  if (!target) return redirect(referentHomePath(access), init);
  const materialId = downloadedMaterialId(target);
  if (materialId === null) return redirectDocument(target, init);
  // A former referente is signed in for their own data only (as at /materiali/:id).
  const referent = access.status === "former" ? null : { id: access.referentId, active: access.status === "active" };
  const roundTableId = downloadableMaterialRoundTableId(getDb(), { id: materialId, referent });
  return redirect(roundTableId === null ? referentHomePath(access) : materialAfterSignInPath(roundTableId, materialId), init);
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
// Rate limits of the sign-in (per IP and per address; in memory, like the coordinators' login).

export const CODE_REQUESTS_PER_EMAIL = 5;
export const CODE_REQUESTS_PER_IP = 20;
export const CODE_REQUEST_WINDOW_MS = 60 * 60 * 1000;
export const SIGN_IN_FAILURES_PER_IP = 30;
export const SIGN_IN_FAILURES_PER_EMAIL = 15;
export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** Counts a request for a code; once the address or the IP has asked too often, the seconds to wait (else null). */
export function limitCodeRequests({ ip, email }: { ip: string; email: string }): number | null {
  const byIp = consumeRateLimit({ key: `ref-code-ip:${ip}`, limit: CODE_REQUESTS_PER_IP, windowMs: CODE_REQUEST_WINDOW_MS });
  if (!byIp.allowed) return byIp.retryAfterSeconds;
  const byEmail = consumeRateLimit({ key: `ref-code-email:${email}`, limit: CODE_REQUESTS_PER_EMAIL, windowMs: CODE_REQUEST_WINDOW_MS });
  return byEmail.allowed ? null : byEmail.retryAfterSeconds;
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
