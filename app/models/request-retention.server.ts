import { subMonths } from "date-fns";
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { invitations, memberBodies, membershipRequests, outbox, referents, saiProjects, sessions } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { recordAudit } from "./audit.server";
import { collectTraces, erasedEmail, lower, registerMatcher, scrubAuditEntries, scrubEverywhere } from "./privacy.server";
import { isProposal } from "./referent-area.server";

// Retention (SPEC.md §1, issue 6 point 5): requests that never became memberships are not kept for
// ever. The person's traces in emails and the log are scrubbed with the erasure's tools
// (privacy.server.ts) when nothing else of theirs remains.

export const DEFAULT_UNCONFIRMED_DAYS = 30;
export const DEFAULT_REJECTED_MONTHS = 12;

export type PurgeResult = { requests: number; referents: number; memberBodies: number; projects: number };

/**
 * The projects a request declared go with it. A successor proposed from the referent area declares
 * no projects of their own: the ente's real projects are attached to the proposal while it is open
 * (so that its approval keeps them), and projects that existed before the request are not its own
 * either; those are handed back to the ente instead (requestId null), as withdrawing a proposal does.
 */
function dropDeclaredProjects(tx: Tx, request: typeof membershipRequests.$inferSelect) {
  const proposal = isProposal(request);
  const attached = tx.select().from(saiProjects).where(eq(saiProjects.requestId, request.id)).all();
  let deleted = 0;
  for (const project of attached) {
    if (proposal || project.createdAt.getTime() < request.createdAt.getTime()) {
      tx.update(saiProjects).set({ requestId: null }).where(eq(saiProjects.id, project.id)).run();
    } else {
      tx.delete(saiProjects).where(eq(saiProjects.id, project.id)).run();
      deleted++;
    }
  }
  return deleted;
}

/**
 * Deletes membership requests still awaiting email confirmation after `unconfirmedDays` and
 * rejected ones `rejectedMonths` after the decision, with their projects; their referente when it
 * has no other request and was never active (and the person's data in the emails and the log, when
 * no other row of theirs remains); and enti left without requests that were never members.
 * Approved, revoked and superseded requests are never deleted. Running it again deletes nothing more.
 */
export function purgeExpiredRequests(
  db: Db,
  {
    now = new Date(),
    unconfirmedDays = DEFAULT_UNCONFIRMED_DAYS,
    rejectedMonths = DEFAULT_REJECTED_MONTHS,
  }: { now?: Date; unconfirmedDays?: number; rejectedMonths?: number } = {},
): PurgeResult {
  registerMatcher(db);
  const unconfirmedBefore = now.getTime() - unconfirmedDays * 24 * 60 * 60 * 1000;
  const rejectedBefore = subMonths(now, rejectedMonths).getTime();
  return db.transaction((tx): PurgeResult => {
    const result: PurgeResult = { requests: 0, referents: 0, memberBodies: 0, projects: 0 };
    const expired = tx
      .select()
      .from(membershipRequests)
      .where(
        or(
          and(
            eq(membershipRequests.status, "email_unverified"),
            sql`coalesce(${membershipRequests.updatedAt}, ${membershipRequests.createdAt}) < ${unconfirmedBefore}`,
          ),
          and(
            eq(membershipRequests.status, "rejected"),
            sql`coalesce(${membershipRequests.decidedAt}, ${membershipRequests.updatedAt}, ${membershipRequests.createdAt}) < ${rejectedBefore}`,
          ),
        ),
      )
      .orderBy(asc(membershipRequests.id))
      .all();

    const touchedBodies = new Set<number>();
    const expiredIds = new Set(expired.map((r) => r.id));
    const byReferent = new Map<number, (typeof expired)[number][]>();
    for (const request of expired) byReferent.set(request.referentId, [...(byReferent.get(request.referentId) ?? []), request]);

    for (const [referentId, requests] of byReferent) {
      const referent = tx.select().from(referents).where(eq(referents.id, referentId)).get();
      const keepsOtherRequest = tx
        .select({ id: membershipRequests.id })
        .from(membershipRequests)
        .where(eq(membershipRequests.referentId, referentId))
        .all()
        .some((r) => !expiredIds.has(r.id));
      const invited = tx.select({ id: invitations.id }).from(invitations).where(eq(invitations.referentId, referentId)).get();
      const dropReferent = !!referent && !referent.validFrom && !keepsOtherRequest && !invited;
      // When no other row of the person remains, their traces in emails and log go with the row;
      // they are gathered before the requests they point to are deleted.
      const samePerson =
        referent &&
        tx
          .select({ id: referents.id })
          .from(referents)
          .where(and(sql`lower(${referents.email}) = ${lower(referent.email)}`, sql`${referents.id} <> ${referent.id}`))
          .get();
      const traces = dropReferent && !samePerson ? collectTraces(tx, [referent]) : null;

      for (const request of requests) {
        touchedBodies.add(request.memberBodyId);
        result.projects += dropDeclaredProjects(tx, request);
        tx.delete(membershipRequests).where(eq(membershipRequests.id, request.id)).run();
        result.requests++;
        recordAudit(tx, {
          actorType: "system",
          action: "membership.purged",
          entityType: "membership_request",
          entityId: request.id,
          details: { status: request.status, memberBodyId: request.memberBodyId, reason: "retention" },
        });
      }
      if (!dropReferent) continue;

      if (traces) {
        const email = erasedEmail(referent.id);
        tx.update(outbox)
          .set({ recipient: email, props: {}, updatedAt: now })
          .where(inArray(sql`lower(${outbox.recipient})`, traces.emails))
          .run();
        scrubAuditEntries(tx, traces, email);
        scrubEverywhere(tx, traces, email);
      }
      tx.delete(sessions).where(eq(sessions.referentId, referent.id)).run();
      tx.delete(referents).where(eq(referents.id, referent.id)).run();
      result.referents++;
    }

    for (const bodyId of touchedBodies) {
      const body = tx.select().from(memberBodies).where(eq(memberBodies.id, bodyId)).get();
      if (!body || body.status !== "candidate") continue;
      const stillUsed =
        tx.select({ id: membershipRequests.id }).from(membershipRequests).where(eq(membershipRequests.memberBodyId, bodyId)).get() ||
        tx.select({ id: referents.id }).from(referents).where(eq(referents.memberBodyId, bodyId)).get();
      if (stillUsed) continue;
      result.projects += tx.delete(saiProjects).where(eq(saiProjects.memberBodyId, bodyId)).run().changes;
      tx.update(outbox).set({ memberBodyId: null }).where(eq(outbox.memberBodyId, bodyId)).run();
      tx.delete(memberBodies).where(eq(memberBodies.id, bodyId)).run();
      result.memberBodies++;
      recordAudit(tx, { actorType: "system", action: "member_body.purged", entityType: "member_body", entityId: bodyId, details: { reason: "retention" } });
    }
    return result;
  });
}
