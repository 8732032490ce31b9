import { and, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import {
  auditLog,
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
import { roundTableHeadingAfter } from "~/utils/round-table-calendar";
import { roundTableName } from "~/utils/round-table-format";
import { foldForSearch } from "~/utils/text";

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
      .map((r) => ({ id: r.id, name: `Invito ${roundTableHeadingAfter("a", r)}` })),
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

// ----------------------------------------------------------------------------------------------
// Searching the log by the names of what it touched: an entry stores an ente or a request by id,
// while a coordinator searches "paterno". The names are matched here, folded as the log's search
// text is, and the log is then searched for those records. Enti and people are a few thousand
// rows at most (national scale): read and folded at each search, which is not a hot path.

/** Record ids as the log stores them (text), as one bound JSON array rather than a list of parameters. */
const amongIds = (ids: readonly (number | string)[]) => sql`(SELECT value FROM json_each(${JSON.stringify(ids.map(String))}))`;

const ofKind = (kind: RecordKind, ids: SQL) => and(eq(auditLog.entityType, kind), sql`${auditLog.entityId} IN ${ids}`)!;

/** Entries whose details name one of `ids` (record ids as text) under `key`, as the page shows them by name. */
const detailRefers = (key: string, ids: SQL) =>
  // The folded details name the key ("roundtableid"): rows without it are not parsed at all.
  sql`(instr(${auditLog.searchText}, ${`"${key.toLowerCase()}":`}) > 0 AND EXISTS (SELECT 1 FROM json_each(${auditLog.details}, ${`$.${key}`}) WHERE CAST(value AS TEXT) IN ${ids}))`;

/**
 * The log entries about a record whose name contains `text` (accents, case and apostrophes
 * ignored), as the page names them: an ente (and its requests and projects), a referente, a
 * coordinator, a Tavolo tecnico, a material, a comunicazione, an invitation (by its Tavolo, the
 * invitee's name or address). An entry is found by the record it touched, by a record its details
 * name by id (`roundTableId`, `memberBodyId`…, shown by name in the details) and, for a referente,
 * by what they did themselves (the "Chi" column names them). An erased person's rows, invitations and entries bear the placeholder name and address, so
 * their former name or address finds nothing.
 */
export function namedRecordsCondition(db: Db, text: string): SQL | undefined {
  const wanted = foldForSearch(text.trim());
  if (!wanted) return undefined;
  const named = <T extends { id: number }>(rows: T[], name: (row: T) => string) =>
    rows.filter((r) => foldForSearch(name(r)).includes(wanted)).map((r) => r.id);

  // The ids (as text) of the records of each kind that the text names.
  const matches = new Map<RecordKind, SQL>();
  const bodyIds = named(db.select({ id: memberBodies.id, name: memberBodies.name }).from(memberBodies).all(), (r) => r.name);
  if (bodyIds.length > 0) {
    const bodies = amongIds(bodyIds);
    matches.set("member_body", bodies);
    matches.set("membership_request", sql`(SELECT CAST(${membershipRequests.id} AS TEXT) FROM ${membershipRequests} WHERE CAST(${membershipRequests.memberBodyId} AS TEXT) IN ${bodies})`);
    matches.set("sai_project", sql`(SELECT CAST(${saiProjects.id} AS TEXT) FROM ${saiProjects} WHERE CAST(${saiProjects.memberBodyId} AS TEXT) IN ${bodies})`);
  }
  const lists: [RecordKind, number[]][] = [
    ["referent", named(db.select({ id: referents.id, first: referents.firstName, last: referents.lastName }).from(referents).all(), (r) => `${r.first} ${r.last}`)],
    ["coordinator", named(db.select({ id: coordinators.id, name: coordinators.name }).from(coordinators).all(), (r) => r.name)],
    ["round_table", named(db.select({ id: roundTables.id, number: roundTables.number, title: roundTables.title }).from(roundTables).all(), roundTableName)],
    ["material", named(db.select({ id: materials.id, title: materials.title }).from(materials).all(), (r) => r.title)],
    ["communication", named(db.select({ id: communications.id, subject: communications.subject }).from(communications).all(), (r) => r.subject)],
  ];
  for (const [kind, ids] of lists) if (ids.length > 0) matches.set(kind, amongIds(ids));

  // An invitation as the log names it (by its Tavolo) and as the list of invitees names them: a
  // referente by their name, another address by the name typed with it, and the address itself
  // (matched in SQL: invitations are many, and an address has no accents to fold).
  const namedInvitees = named(
    db.select({ id: invitations.id, name: invitations.name }).from(invitations).where(isNotNull(invitations.name)).all(),
    (r) => r.name ?? "",
  );
  const invitationBy: SQL[] = [sql`instr(replace(lower(${invitations.email}), '''', ''), ${wanted}) > 0`];
  if (namedInvitees.length > 0) invitationBy.push(sql`CAST(${invitations.id} AS TEXT) IN ${amongIds(namedInvitees)}`);
  const referentIds = matches.get("referent");
  if (referentIds) invitationBy.push(sql`CAST(${invitations.referentId} AS TEXT) IN ${referentIds}`);
  const tables = matches.get("round_table");
  if (tables) invitationBy.push(sql`CAST(${invitations.roundTableId} AS TEXT) IN ${tables}`);
  matches.set("invitation", sql`(SELECT CAST(${invitations.id} AS TEXT) FROM ${invitations} WHERE ${or(...invitationBy)})`);

  const conditions: SQL[] = [];
  for (const [kind, ids] of matches) conditions.push(ofKind(kind, ids));
  for (const [key, kind] of Object.entries(RECORD_DETAIL_TYPES)) {
    const ids = matches.get(kind as RecordKind);
    if (ids) conditions.push(detailRefers(key, ids));
  }
  if (referentIds) conditions.push(and(eq(auditLog.actorType, "referent"), sql`CAST(${auditLog.actorId} AS TEXT) IN ${referentIds}`)!);
  return or(...conditions);
}
