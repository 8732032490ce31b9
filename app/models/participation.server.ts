import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { invitations, referents, roundTables } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { invitationWithdrawn, type InvitationAnswer } from "./invitation.server";

// Participation of an ente in the Tavoli tecnici (issue 4, point 7): how many round tables it was
// invited to, answered and attended. An ente's invitations are those of every referente it ever had
// (referents.member_body_id), past ones included; extra addresses (no referente) belong to no ente.
// Counts are of distinct round tables: two referenti of the same ente invited to the same tavolo
// count once, the tavolo is answered if any of them answered, "yes" if any said yes, attended if
// any was marked present. Cancelled tavoli count as invitations like the others. An invitation
// withdrawn from a referente who left office before the tavolo (decision 012) does not count: their
// successor's does.

export type ParticipationCounts = {
  /** Round tables the ente was invited to. */
  invited: number;
  /** Of those, the ones with an answer (yes or no). */
  answered: number;
  /** Of those, the ones with a "yes". */
  yes: number;
  /** Of those, the ones where someone of the ente was marked present. */
  attended: number;
};

export const NO_PARTICIPATION: Readonly<ParticipationCounts> = Object.freeze({ invited: 0, answered: 0, yes: 0, attended: 0 });

// One row per (ente, tavolo): the best answer and attendance among the ente's invitations.
// max() skips NULLs, so attended is 1 if anyone was present, 0 if only absences were recorded,
// NULL if attendance was never recorded.
const saidYes = sql<number>`max(${invitations.answer} = 'yes')`;
const saidNo = sql<number>`max(${invitations.answer} = 'no')`;
const wasPresent = sql<number | null>`max(${invitations.attended})`;

/** The ente's participation: the counts and one row per round table it was invited to, newest first. */
export function getBodyParticipation(db: Db | Tx, { memberBodyId }: { memberBodyId: number }) {
  const roundTableRows = db
    .select({
      id: roundTables.id,
      number: roundTables.number,
      title: roundTables.title,
      startsAt: roundTables.startsAt,
      status: roundTables.status,
      yes: saidYes,
      no: saidNo,
      attended: wasPresent,
    })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    // The ente's referenti first (a few rows), then their invitations by invitations_referent_idx;
    // as a join SQLite would read every invitation of the country instead.
    .where(
      and(
        inArray(invitations.referentId, db.select({ id: referents.id }).from(referents).where(eq(referents.memberBodyId, memberBodyId))),
        sql`NOT ${invitationWithdrawn()}`,
      ),
    )
    .groupBy(roundTables.id)
    .orderBy(desc(roundTables.startsAt), desc(roundTables.id))
    .all()
    .map(({ yes, no, attended, ...rt }) => ({
      ...rt,
      answer: (yes ? "yes" : no ? "no" : "pending") as InvitationAnswer,
      attended: attended === null ? null : attended === 1,
    }));
  return {
    invited: roundTableRows.length,
    answered: roundTableRows.filter((r) => r.answer !== "pending").length,
    yes: roundTableRows.filter((r) => r.answer === "yes").length,
    attended: roundTableRows.filter((r) => r.attended === true).length,
    roundTables: roundTableRows,
  };
}

/**
 * The counts of every ente invited at least once (an ente missing from the map has none), in one
 * grouped query: a single pass over the invitations with referente, joined to referents by key.
 */
export function participationByBody(db: Db | Tx): Map<number, ParticipationCounts> {
  const perTable = db
    .select({
      memberBodyId: referents.memberBodyId,
      yes: saidYes.as("yes"),
      answered: sql<number>`max(${invitations.answer} <> 'pending')`.as("answered"),
      attended: sql<number>`max(${invitations.attended} = 1)`.as("attended"),
    })
    .from(invitations)
    .innerJoin(referents, eq(referents.id, invitations.referentId))
    .where(sql`NOT ${invitationWithdrawn()}`)
    .groupBy(referents.memberBodyId, invitations.roundTableId)
    .as("per_table");
  const rows = db
    .select({
      memberBodyId: perTable.memberBodyId,
      invited: sql<number>`count(*)`,
      answered: sql<number>`total(${perTable.answered})`,
      yes: sql<number>`total(${perTable.yes})`,
      attended: sql<number>`total(${perTable.attended})`,
    })
    .from(perTable)
    .groupBy(perTable.memberBodyId)
    .all();
  return new Map(
    rows.map((r) => [r.memberBodyId, { invited: r.invited, answered: r.answered, yes: r.yes, attended: r.attended }]),
  );
}
