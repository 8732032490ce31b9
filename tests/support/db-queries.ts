import { eq, sql } from "drizzle-orm";
import { memberBodies, membershipRequests, outbox, referents, saiProjects } from "#db/schema";
import { getDb } from "~/utils/db.server";

export function countRows() {
  const db = getDb();
  const count = (table: typeof memberBodies | typeof referents | typeof membershipRequests | typeof saiProjects | typeof outbox) =>
    db.select({ n: sql<number>`count(*)` }).from(table).get()!.n;
  return {
    bodies: count(memberBodies),
    referents: count(referents),
    requests: count(membershipRequests),
    projects: count(saiProjects),
    outbox: count(outbox),
  };
}

export function outboxFor(recipient: string) {
  return getDb().select().from(outbox).where(eq(outbox.recipient, recipient)).all();
}

export function requestsForEmail(email: string) {
  return getDb()
    .select({ request: membershipRequests, referent: referents })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(eq(referents.email, email))
    .all();
}

/** The confirmation token as the email carries it, read from the queued props. */
export function confirmationTokenFor(email: string) {
  const rows = outboxFor(email).filter((r) => r.template === "confirm-registration");
  const url = String(rows.at(-1)!.props.confirmUrl);
  return url.split("/").pop()!;
}

export function projectsOfBody(memberBodyId: number) {
  return getDb().select().from(saiProjects).where(eq(saiProjects.memberBodyId, memberBodyId)).orderBy(saiProjects.id).all();
}
