import { eq, inArray } from "drizzle-orm";
import {
  communications,
  coordinators,
  invitations,
  materials,
  memberBodies,
  membershipRequests,
  referents,
  roundTables,
  saiProjects,
} from "#db/schema";
import type { Db } from "~/utils/db.server";
import { recordNameKey, RECORD_DETAIL_TYPES, type RecordNames } from "~/utils/audit-labels";
import { roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableName } from "~/utils/round-table-format";

// The activity log records what a change touched by table and id. People know an ente, a person or
// a Tavolo by name: these are read for the entries on screen only (a page of the log), a few
// lookups by key whatever the size of the log.

export type RecordKind =
  | "member_body"
  | "membership_request"
  | "referent"
  | "coordinator"
  | "sai_project"
  | "round_table"
  | "material"
  | "invitation"
  | "communication";

type LoggedEntry = { entityType: string | null; entityId: string | null; details: Record<string, unknown> | null };

const categoryName = (category: string) => (category === "ordinari" ? "Ordinari" : category);

type Lookup = (db: Db, ids: number[]) => { id: number; name: string }[];

const LOOKUPS: Record<RecordKind, Lookup> = {
  member_body: (db, ids) => db.select({ id: memberBodies.id, name: memberBodies.name }).from(memberBodies).where(inArray(memberBodies.id, ids)).all(),
  membership_request: (db, ids) =>
    db
      .select({ id: membershipRequests.id, body: memberBodies.name })
      .from(membershipRequests)
      .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
      .where(inArray(membershipRequests.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `${r.body} (richiesta n. ${r.id})` })),
  referent: (db, ids) =>
    db
      .select({ id: referents.id, first: referents.firstName, last: referents.lastName })
      .from(referents)
      .where(inArray(referents.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `${r.first} ${r.last} (referente)` })),
  coordinator: (db, ids) =>
    db
      .select({ id: coordinators.id, name: coordinators.name })
      .from(coordinators)
      .where(inArray(coordinators.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `${r.name} (coordinatore)` })),
  sai_project: (db, ids) =>
    db
      .select({ id: saiProjects.id, category: saiProjects.category, body: memberBodies.name })
      .from(saiProjects)
      .innerJoin(memberBodies, eq(memberBodies.id, saiProjects.memberBodyId))
      .where(inArray(saiProjects.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `Progetto SAI (${categoryName(r.category)}) - ${r.body}` })),
  round_table: (db, ids) =>
    db
      .select({ id: roundTables.id, number: roundTables.number, title: roundTables.title })
      .from(roundTables)
      .where(inArray(roundTables.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: roundTableName(r) })),
  material: (db, ids) =>
    db
      .select({ id: materials.id, title: materials.title })
      .from(materials)
      .where(inArray(materials.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `«${r.title}»` })),
  invitation: (db, ids) =>
    db
      .select({ id: invitations.id, number: roundTables.number, title: roundTables.title })
      .from(invitations)
      .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
      .where(inArray(invitations.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `Invito al ${roundTableHeading(r)}` })),
  communication: (db, ids) =>
    db
      .select({ id: communications.id, subject: communications.subject })
      .from(communications)
      .where(inArray(communications.id, ids))
      .all()
      .map((r) => ({ id: r.id, name: `Comunicazione «${r.subject}»` })),
};

/**
 * Names of the records the entries touch, as `recordNameKey(kind, id)` → name: the entry's own
 * record and the records its details refer to (`memberBodyId`, `referentId`, `materialIds`…).
 * `kinds` limits what is named, e.g. to what a referente may see in their own data.
 */
export function auditRecordNames(db: Db, { entries, kinds = Object.keys(LOOKUPS) as RecordKind[] }: { entries: readonly LoggedEntry[]; kinds?: readonly RecordKind[] }): RecordNames {
  const ids = new Map<RecordKind, Set<number>>(kinds.map((k) => [k, new Set<number>()]));
  const want = (kind: string, value: unknown) => {
    const set = ids.get(kind as RecordKind);
    const id = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
    if (set && Number.isSafeInteger(id)) set.add(id);
  };
  for (const e of entries) {
    if (e.entityType) want(e.entityType, e.entityId);
    for (const [key, kind] of Object.entries(RECORD_DETAIL_TYPES)) {
      const value = e.details?.[key];
      for (const v of Array.isArray(value) ? value : [value]) want(kind, v);
    }
  }

  const names: RecordNames = {};
  for (const [kind, wanted] of ids) {
    if (wanted.size === 0) continue;
    for (const r of LOOKUPS[kind](db, [...wanted])) names[recordNameKey(kind, r.id)] = r.name;
  }
  return names;
}

/**
 * Names for a referente's own activity ("I miei dati"): their ente, its projects, the Tavoli, their
 * materials and invitations, and the person themself; anyone else is "un altro referente", since
 * another person's name is not this person's data.
 */
export function ownActivityRecordNames(db: Db, { entries, ownReferentIds }: { entries: readonly LoggedEntry[]; ownReferentIds: readonly number[] }): RecordNames {
  const names = auditRecordNames(db, { entries, kinds: ["member_body", "sai_project", "round_table", "material", "invitation", "referent"] });
  const own = new Set(ownReferentIds.map((id) => recordNameKey("referent", id)));
  for (const key of Object.keys(names)) {
    if (key.startsWith(recordNameKey("referent", "")) && !own.has(key)) names[key] = "un altro referente";
  }
  return names;
}
