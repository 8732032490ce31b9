import { and, asc, eq, exists, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { memberBodies, referents, saiProjects, type SaiCategory } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { recordAudit } from "./audit.server";
import { notAwaitingApproval } from "./sai-project.server";

/** Opts every referente with this address in or out of non-essential emails (comunicazioni). */
export function setCommunicationsPreference(db: Db, { email, receives }: { email: string; receives: boolean }) {
  return db.transaction((tx) => {
    const changed = tx
      .update(referents)
      .set({ receivesCommunications: receives })
      .where(eq(referents.email, email.toLowerCase()))
      .returning({ id: referents.id })
      .all();
    for (const { id } of changed) {
      recordAudit(tx, {
        actorType: "referent",
        actorId: id,
        action: receives ? "referent.communications_resumed" : "referent.unsubscribed",
        entityType: "referent",
        entityId: id,
      });
    }
    return changed.length;
  });
}

export const lowerReferentEmail = sql<string>`lower(${referents.email})`;

/** A referente still in office: not replaced, revoked (both end the term: validTo) nor erased. */
export function referentInOffice() {
  return and(isNull(referents.validTo), isNull(referents.erasedAt))!;
}

/** "Active" referente: approved (validFrom), still in office, ente still a member. */
export function activeReferentConditions() {
  return [isNotNull(referents.validFrom), referentInOffice(), eq(memberBodies.status, "member")];
}

export type ReferentSegment = {
  /** ISTAT codes of provinces ("082"): referenti of an ente in any of them. Empty: every province. */
  provinceCodes?: string[];
  /** Referenti of an ente with an open SAI project of any of these tipologie. Empty: any. */
  categories?: SaiCategory[];
};

/**
 * The active referenti of a segment (the recipients chooser of invitations and comunicazioni), in
 * the order they joined, with their address lowercased; `also` narrows them further.
 */
export function activeReferentsInSegment(tx: Db | Tx, { provinceCodes = [], categories = [] }: ReferentSegment, also?: SQL) {
  return tx
    .select({
      referentId: referents.id,
      email: lowerReferentEmail,
      firstName: referents.firstName,
      lastName: referents.lastName,
      memberBodyId: memberBodies.id,
      bodyName: memberBodies.name,
      receivesCommunications: referents.receivesCommunications,
    })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(
      and(
        ...activeReferentConditions(),
        provinceCodes.length > 0 ? inArray(memberBodies.provinceCode, provinceCodes) : undefined,
        categories.length > 0
          ? exists(
              tx
                .select({ one: sql`1` })
                .from(saiProjects)
                .where(and(eq(saiProjects.memberBodyId, memberBodies.id), isNull(saiProjects.closedAt), inArray(saiProjects.category, categories), notAwaitingApproval())),
            )
          : undefined,
        also,
      ),
    )
    .orderBy(asc(referents.id))
    .all();
}
