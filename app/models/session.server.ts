import crypto from "node:crypto";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { coordinators, sessions } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";

export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
// lastSeenAt is refreshed at most once a minute, so browsing does not write on every request.
const TOUCH_EVERY_MS = 60 * 1000;

export function createCoordinatorSession(db: Db, { coordinatorId, now = new Date() }: { coordinatorId: number; now?: Date }) {
  const id = crypto.randomBytes(32).toString("base64url");
  db.insert(sessions)
    .values({ id, coordinatorId, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS), createdAt: now })
    .run();
  return id;
}

// Every page of the coordinators' area looks its session up, in the layout and in the page: the
// query is built once per database (drizzle's prepared query) instead of at each call (issue 7).
const sessionLookups = new WeakMap<Db, ReturnType<typeof prepareSessionLookup>>();

function prepareSessionLookup(db: Db) {
  return db
    .select({ session: sessions, coordinator: coordinators })
    .from(sessions)
    .innerJoin(coordinators, eq(coordinators.id, sessions.coordinatorId))
    .where(and(eq(sessions.id, sql.placeholder("sessionId")), isNull(sessions.revokedAt)))
    .prepare();
}

/** The coordinator behind a session id, or null when the session is unknown, revoked, idle, expired or disabled. */
export function findSessionCoordinator(db: Db, { sessionId, now = new Date() }: { sessionId: string; now?: Date }) {
  let lookup = sessionLookups.get(db);
  if (!lookup) sessionLookups.set(db, (lookup = prepareSessionLookup(db)));
  const row = lookup.get({ sessionId });
  if (!row) return null;
  const { session, coordinator } = row;
  const idle = now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS;
  if (idle || session.expiresAt <= now || coordinator.disabledAt) {
    revokeSession(db, { sessionId, now });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId)).run();
  }
  return { id: coordinator.id, email: coordinator.email, name: coordinator.name, role: coordinator.role };
}

export function revokeSession(db: Db, { sessionId, now = new Date() }: { sessionId: string; now?: Date }) {
  db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt))).run();
}

/** Ends every session of a coordinator, except `exceptSessionId` (the browser that changed the password). */
export function revokeCoordinatorSessions(
  db: Db | Tx,
  { coordinatorId, exceptSessionId, now = new Date() }: { coordinatorId: number; exceptSessionId?: string; now?: Date },
) {
  db.update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.coordinatorId, coordinatorId),
        isNull(sessions.revokedAt),
        exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
      ),
    )
    .run();
}

export type SessionCoordinator = NonNullable<ReturnType<typeof findSessionCoordinator>>;
