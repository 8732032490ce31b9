import crypto from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { memberBodies, membershipRequests, referents, sessions } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "./session.server";

// Sessions of the referent area (issue 6). They live in the shared `sessions` table with
// `referent_id` set (coordinators' rows have `coordinator_id`), with the same idle and absolute
// limits as the coordinators' ones. Every lookup re-checks that the referente may still enter:
// a handover, a revocation or an erasure ends the access at the next request.

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

type ReferentRow = typeof referents.$inferSelect;

function accessOf(tx: Db | Tx, referent: ReferentRow, bodyName: string): ReferentAccess | null {
  if (referent.erasedAt) return null;
  const base = {
    referentId: referent.id,
    memberBodyId: referent.memberBodyId,
    email: referent.email,
    firstName: referent.firstName,
    lastName: referent.lastName,
    bodyName,
  };
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

/** The referente's access now, or null when they may not enter the referent area. */
export function findReferentAccess(db: Db | Tx, { referentId }: { referentId: number }): ReferentAccess | null {
  const row = db
    .select({ referent: referents, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(eq(referents.id, referentId))
    .get();
  return row ? accessOf(db, row.referent, row.bodyName) : null;
}

/**
 * Every referente with this address who may sign in: the current referente of an approved ente,
 * or a referente whose own request is pending. Current referenti first, then the newest.
 */
export function findEligibleReferents(db: Db | Tx, { email }: { email: string }): ReferentAccess[] {
  const rows = db
    .select({ referent: referents, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(and(eq(sql`lower(${referents.email})`, email.trim().toLowerCase()), isNull(referents.erasedAt)))
    .orderBy(desc(referents.id))
    .all();
  const found = rows.map((r) => accessOf(db, r.referent, r.bodyName)).filter((a): a is ReferentAccess => a !== null);
  return [...found.filter((a) => a.status === "active"), ...found.filter((a) => a.status === "pending")];
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
 * past its absolute limit (12 h), or the referente may no longer enter (then it is revoked).
 */
export function findSessionReferent(db: Db, { sessionId, now = new Date() }: { sessionId: string; now?: Date }): ReferentAccess | null {
  const session = db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .get();
  if (!session || session.referentId === null) return null;
  const idle = now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS;
  const access = idle || session.expiresAt <= now ? null : findReferentAccess(db, { referentId: session.referentId });
  if (!access) {
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
