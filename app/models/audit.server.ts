import { TZDate } from "@date-fns/tz";
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { auditLog, AUDIT_ACTOR_TYPES, coordinators, membershipRequests, referents } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { auditValuesWorded, referentActorLabel } from "~/utils/audit-labels";
import { foldForSearch } from "~/utils/text";
import { namedRecordsCondition } from "./audit-record-names.server";

export type AuditEntry = {
  actorType: (typeof AUDIT_ACTOR_TYPES)[number];
  actorId?: number | null;
  action: string;
  entityType?: string;
  entityId?: string | number;
  details?: Record<string, unknown>;
};

/** Written inside the caller's transaction so the record and the change stand or fall together. */
export function recordAudit(tx: Db | Tx, entry: AuditEntry) {
  tx.insert(auditLog)
    .values({
      actorType: entry.actorType,
      actorId: entry.actorId ?? null,
      action: entry.action,
      entityType: entry.entityType ?? null,
      entityId: entry.entityId === undefined ? null : String(entry.entityId),
      ...auditDetailsColumns(entry.details),
    })
    .run();
}

/**
 * The log's search text of details stored as JSON text (`details` as the column holds it): folded
 * like the rest of the portal's searches, so "paterno" finds "Paternò". "" without details.
 */
export const auditSearchTextOfJson = (json: string | null) => (json === null ? "" : foldForSearch(json));

/**
 * The columns that hold an entry's details: the details and their search text. Whatever writes or
 * rewrites details (recordAudit, the import, the privacy erasure) writes both.
 */
export function auditDetailsColumns(details: Record<string, unknown> | null | undefined) {
  const value = details ?? null;
  // The text the json column stores (drizzle writes JSON.stringify).
  return { details: value, searchText: auditSearchTextOfJson(value === null ? null : JSON.stringify(value)) };
}

const FILL_BATCH = 2000;

/**
 * Fills the search text of entries written before it existed (migration 0007 adds the column
 * empty; SQLite cannot fold accents like JavaScript does). Idempotent and cheap once done: the
 * rows still to fill are found through a partial index that is empty afterwards. Returns how many.
 */
export function fillAuditSearchText(db: Db) {
  const sqlite = db.$client;
  const next = sqlite.prepare<[number, number], { id: number; details: string | null }>(
    "SELECT id, details FROM audit_log WHERE search_text IS NULL AND id > ? ORDER BY id LIMIT ?",
  );
  const write = sqlite.prepare<[string, number]>("UPDATE audit_log SET search_text = ? WHERE id = ?");
  const fillBatch = sqlite.transaction((rows: { id: number; details: string | null }[]) => {
    for (const row of rows) write.run(auditSearchTextOfJson(row.details), row.id);
  });
  let filled = 0;
  let after = 0;
  for (;;) {
    const rows = next.all(after, FILL_BATCH);
    if (rows.length === 0) return filled;
    fillBatch(rows);
    filled += rows.length;
    after = rows[rows.length - 1].id;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the log (/admin/registro and the overview's latest activity).

export const AUDIT_PAGE_SIZE = 50;

/** What the log can be narrowed by; every field optional. Dates are Italian calendar days. */
export type AuditFilters = {
  /** An exact action code, e.g. "membership.approved". */
  action?: string;
  /** A coordinator id, or "sistema" / "pubblico" (public visitors and referenti). */
  actor?: string;
  /** `YYYY-MM-DD`, from the start of that day in Europe/Rome. */
  from?: string;
  /** `YYYY-MM-DD`, up to the end of that day in Europe/Rome. */
  to?: string;
  /** Free text searched in the details and the record id. */
  q?: string;
};

const isoDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/**
 * The filters and page of the query string (?azione=&chi=&dal=&al=&q=&pagina=); bad values are
 * dropped. A malformed date is left out and a range that ends before it starts is kept (it finds
 * nothing): both are named in `dateProblems`, for the fields to say so.
 */
export function parseAuditQuery(params: URLSearchParams): { filters: AuditFilters; page: number; dateProblems: { dal?: string; al?: string } } {
  const value = (name: string, max = 200) => {
    const v = (params.get(name) ?? "").trim();
    return v && v.length <= max ? v : undefined;
  };
  const actor = value("chi");
  const from = value("dal");
  const to = value("al");
  const page = Number(params.get("pagina") ?? "1");
  const validFrom = from && isoDay(from) ? from : undefined;
  const validTo = to && isoDay(to) ? to : undefined;
  const dateProblems: { dal?: string; al?: string } = {};
  if (from && !validFrom) dateProblems.dal = "Data non valida: non è stata usata";
  if (to && !validTo) dateProblems.al = "Data non valida: non è stata usata";
  else if (validFrom && validTo && validTo < validFrom) dateProblems.al = "La data «Al» viene prima della data «Dal»: correggi l'intervallo";
  return {
    filters: {
      action: value("azione", 100),
      actor: actor && (/^\d{1,9}$/.test(actor) || actor === "sistema" || actor === "pubblico") ? actor : undefined,
      from: validFrom,
      to: validTo,
      q: value("q"),
    },
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    dateProblems,
  };
}

/** Midnight in Italy of a calendar day (`YYYY-MM-DD`), plus `addDays`. */
function romeMidnight(day: string, addDays = 0) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(new TZDate(y, m - 1, d + addDays, "Europe/Rome").getTime());
}

function auditConditions(db: Db, filters: AuditFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.action) conditions.push(eq(auditLog.action, filters.action));
  if (filters.actor === "sistema") conditions.push(eq(auditLog.actorType, "system"));
  else if (filters.actor === "pubblico") conditions.push(inArray(auditLog.actorType, ["public", "referent"]));
  else if (filters.actor) conditions.push(and(eq(auditLog.actorType, "coordinator"), eq(auditLog.actorId, Number(filters.actor)))!);
  if (filters.from) conditions.push(gte(auditLog.createdAt, romeMidnight(filters.from)));
  if (filters.to) conditions.push(lt(auditLog.createdAt, romeMidnight(filters.to, 1)));
  if (filters.q) {
    // instr() rather than LIKE: % and _ typed by a person are plain characters here. The details
    // are searched in their folded copy (no index helps a search inside the text; folding once at
    // writing spares folding every row at each search).
    // An entry names an ente, a person or a Tavolo by id: it is also found by that record's name;
    // and it stores codes ("yes") that the page words ("Partecipa"): found by those words too.
    conditions.push(
      or(
        sql`instr(${auditLog.searchText}, ${foldForSearch(filters.q)}) > 0`,
        ...auditValuesWorded(filters.q).map((pair) => sql`instr(${auditLog.searchText}, ${pair}) > 0`),
        sql`instr(lower(coalesce(${auditLog.entityId}, '')), ${filters.q.toLowerCase()}) > 0`,
        namedRecordsCondition(db, filters.q),
      )!,
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

export type AuditListEntry = {
  id: number;
  createdAt: Date;
  actorType: (typeof AUDIT_ACTOR_TYPES)[number];
  actorId: number | null;
  /** Coordinator's name, "Sistema", "Pubblico", or the referente's name. */
  actorName: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: Record<string, unknown> | null;
};

/** One page of the log, newest first, with who did each thing. Pages past the end show the last one. */
export function listAuditEntries(
  db: Db,
  { filters = {}, page = 1, pageSize = AUDIT_PAGE_SIZE }: { filters?: AuditFilters; page?: number; pageSize?: number },
) {
  const where = auditConditions(db, filters);
  const total = db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(auditLog).where(where).get()?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);

  const actorReferent = alias(referents, "actor_referent");
  const requestReferent = alias(referents, "request_referent");
  const rows = db
    .select({
      entry: auditLog,
      coordinatorName: coordinators.name,
      actorReferentFirst: actorReferent.firstName,
      actorReferentLast: actorReferent.lastName,
      requestReferentFirst: requestReferent.firstName,
      requestReferentLast: requestReferent.lastName,
    })
    .from(auditLog)
    .leftJoin(coordinators, and(eq(auditLog.actorType, "coordinator"), eq(coordinators.id, auditLog.actorId)))
    .leftJoin(actorReferent, and(eq(auditLog.actorType, "referent"), eq(actorReferent.id, auditLog.actorId)))
    .leftJoin(
      membershipRequests,
      and(
        eq(auditLog.actorType, "public"),
        eq(auditLog.entityType, "membership_request"),
        sql`${membershipRequests.id} = CAST(${auditLog.entityId} AS INTEGER)`,
      ),
    )
    .leftJoin(requestReferent, eq(requestReferent.id, membershipRequests.referentId))
    .where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(pageSize)
    .offset((current - 1) * pageSize)
    .all();

  const entries: AuditListEntry[] = rows.map((r) => {
    const e = r.entry;
    let actorName: string;
    if (e.actorType === "coordinator") actorName = r.coordinatorName ?? `Coordinatore n. ${e.actorId ?? "?"}`;
    else if (e.actorType === "system") actorName = "Sistema";
    else if (e.actorType === "referent")
      actorName = r.actorReferentFirst ? referentActorLabel(r.actorReferentFirst, r.actorReferentLast ?? "") : "Referente";
    else actorName = r.requestReferentFirst ? referentActorLabel(r.requestReferentFirst, r.requestReferentLast ?? "") : "Pubblico";
    return {
      id: e.id,
      createdAt: e.createdAt,
      actorType: e.actorType,
      actorId: e.actorId,
      actorName,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      details: e.details ?? null,
    };
  });
  return { entries, total, page: current, pageCount, pageSize };
}

/** The choices of the log's filters: every action recorded so far and every coordinator. */
export function getAuditFilterOptions(db: Db) {
  const actions = db
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(asc(auditLog.action))
    .all()
    .map((r) => r.action);
  const people = db
    .select({ id: coordinators.id, name: coordinators.name, email: coordinators.email })
    .from(coordinators)
    .orderBy(asc(coordinators.name), asc(coordinators.id))
    .all();
  return { actions, coordinators: people };
}
