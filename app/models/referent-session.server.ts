import crypto from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { memberBodies, membershipRequests, referents, sessions } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "./session.server";

// Sessions of the referent area (issue 6). They live in the shared `sessions` table with
// `referent_id` set (coordinators' rows have `coordinator_id`), with the same idle and absolute
// limits as the coordinators' ones. Every lookup re-checks that the referente may still enter:
// a handover, a revocation or an erasure ends the access at the next request.
//
// A former referente (term ended by a handover or a revocation, data not erased) may still sign in,
// to exercise their rights over their data (GDPR arts. 15, 17): they get a FormerReferentAccess,
// which only the privacy pages accept (requireReferentForPrivacy). A session or a code obtained
// while they were in charge still ends with the term: the reduced access needs a new sign-in.
// docs/decisions/014-former-referenti.md

const TOUCH_EVERY_MS = 60 * 1000;

export type ReferentAccessStatus = "active" | "pending";

/** Who is signed in to the referent area, and the only ente they may see. */
export type ReferentAccess = {
  referentId: number;
  memberBodyId: number;
  /** The request that made them referente (approved) or that awaits approval (pending). */
  requestId: number;
  email: string;
  firstName: string;
  lastName: string;
  bodyName: string;
  /** "active": the ente's current referente; "pending": their own request awaits a coordinator. */
  status: ReferentAccessStatus;
};

/**
 * A referente whose term ended (handover or revocation) and whose data were not erased: they may
 * see and download their own data and ask for (or withdraw) the erasure, nothing else. It carries
 * no request: nothing done with it can reach the ente's membership, projects or invitations.
 */
export type FormerReferentAccess = Omit<ReferentAccess, "status" | "requestId"> & { status: "former"; termEndedAt: Date };

/** Whoever may be signed in to the referent area: a referente (current or pending) or a former one. */
export type SignedInReferent = ReferentAccess | FormerReferentAccess;

type ReferentRow = typeof referents.$inferSelect;

/** Who the referente row is, in every kind of access. */
const personOf = (referent: ReferentRow, bodyName: string) => ({
  referentId: referent.id,
  memberBodyId: referent.memberBodyId,
  email: referent.email,
  firstName: referent.firstName,
  lastName: referent.lastName,
  bodyName,
});

/** The reduced access of a referente whose term ended, or null (never in charge, or erased). */
function formerAccessOf(referent: ReferentRow, bodyName: string): FormerReferentAccess | null {
  if (referent.erasedAt || !referent.validFrom || !referent.validTo) return null;
  return { ...personOf(referent, bodyName), status: "former", termEndedAt: referent.validTo };
}

/** Whether something granted at `grantedAt` (a session, a sign-in code) came before the term ended. */
export const grantedBeforeTermEnded = (access: SignedInReferent, grantedAt: Date) =>
  access.status === "former" && grantedAt.getTime() < access.termEndedAt.getTime();

function accessOf(tx: Db | Tx, referent: ReferentRow, bodyName: string): ReferentAccess | null {
  if (referent.erasedAt) return null;
  const base = personOf(referent, bodyName);
  if (referent.validFrom && !referent.validTo) {
    const request = tx
      .select({ id: membershipRequests.id, status: membershipRequests.status })
      .from(membershipRequests)
      .where(eq(membershipRequests.referentId, referent.id))
      .orderBy(sql`${membershipRequests.status} = 'approved' DESC`, desc(membershipRequests.id))
      .get();
    if (!request) return null;
    return { ...base, requestId: request.id, status: "active" };
  }
  if (referent.validFrom) return null; // term ended (handover approved or membership revoked)
  const pending = tx
    .select({ id: membershipRequests.id })
    .from(membershipRequests)
    .where(and(eq(membershipRequests.referentId, referent.id), eq(membershipRequests.status, "pending")))
    .orderBy(desc(membershipRequests.id))
    .get();
  return pending ? { ...base, requestId: pending.id, status: "pending" } : null;
}

function referentRow(db: Db | Tx, referentId: number) {
  return db
    .select({ referent: referents, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(eq(referents.id, referentId))
    .get();
}

/** The referente's access now, or null when they may not enter the referent area. */
export function findReferentAccess(db: Db | Tx, { referentId }: { referentId: number }): ReferentAccess | null {
  const row = referentRow(db, referentId);
  return row ? accessOf(db, row.referent, row.bodyName) : null;
}

/** As findReferentAccess, and a former referente's reduced access too: who may be signed in. */
export function findSignedInAccess(db: Db | Tx, { referentId }: { referentId: number }): SignedInReferent | null {
  const row = referentRow(db, referentId);
  return row ? (accessOf(db, row.referent, row.bodyName) ?? formerAccessOf(row.referent, row.bodyName)) : null;
}

/**
 * Every referente with this address who may sign in: the current referente of an approved ente,
 * or a referente whose own request is pending. Current referenti first, then the newest.
 */
export function findEligibleReferents(db: Db | Tx, { email }: { email: string }): ReferentAccess[] {
  const found = rowsOfAddress(db, email).map((r) => accessOf(db, r.referent, r.bodyName)).filter((a): a is ReferentAccess => a !== null);
  return [...found.filter((a) => a.status === "active"), ...found.filter((a) => a.status === "pending")];
}

/**
 * Who signs in with this address: the first of findEligibleReferents (so a person still in charge
 * somewhere keeps their full access), otherwise their most recently ended term, otherwise nobody.
 */
export function findSignInReferent(db: Db | Tx, { email }: { email: string }): SignedInReferent | null {
  const [eligible] = findEligibleReferents(db, { email });
  if (eligible) return eligible;
  const former = rowsOfAddress(db, email)
    .map((r) => formerAccessOf(r.referent, r.bodyName))
    .filter((a): a is FormerReferentAccess => a !== null)
    .sort((a, b) => b.termEndedAt.getTime() - a.termEndedAt.getTime() || b.referentId - a.referentId);
  return former[0] ?? null;
}

/** The referente rows of an address not erased, newest first, with their ente's name. */
function rowsOfAddress(db: Db | Tx, email: string) {
  return db
    .select({ referent: referents, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(and(eq(sql`lower(${referents.email})`, email.trim().toLowerCase()), isNull(referents.erasedAt)))
    .orderBy(desc(referents.id))
    .all();
}

export function createReferentSession(db: Db, { referentId, now = new Date() }: { referentId: number; now?: Date }) {
  const id = crypto.randomBytes(32).toString("base64url");
  db.insert(sessions)
    .values({ id, referentId, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS), createdAt: now })
    .run();
  return id;
}

/**
 * The referente behind a session id, or null when the session is unknown, revoked, idle (2 h),
 * past its absolute limit (12 h), or the referente may no longer enter (then it is revoked). A
 * session started before the referente's term ended ends with it.
 */
export function findSessionReferent(db: Db, { sessionId, now = new Date() }: { sessionId: string; now?: Date }): SignedInReferent | null {
  const session = db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .get();
  if (!session || session.referentId === null) return null;
  const idle = now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS;
  const access = idle || session.expiresAt <= now ? null : findSignedInAccess(db, { referentId: session.referentId });
  if (!access || grantedBeforeTermEnded(access, session.createdAt)) {
    revokeReferentSession(db, { sessionId, now });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId)).run();
  }
  return access;
}

export function revokeReferentSession(db: Db | Tx, { sessionId, now = new Date() }: { sessionId: string; now?: Date }) {
  db.update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), sql`${sessions.referentId} IS NOT NULL`))
    .run();
}

/** Ends every session of a referente (erasure, handover, revocation: call inside their transaction). */
export function revokeReferentSessions(db: Db | Tx, { referentId, now = new Date() }: { referentId: number; now?: Date }) {
  db.update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.referentId, referentId), isNull(sessions.revokedAt)))
    .run();
}
