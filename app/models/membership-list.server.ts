import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteSelect } from "drizzle-orm/sqlite-core";
import {
  memberBodies,
  membershipRequests,
  MEMBERSHIP_STATUSES,
  municipalities,
  provinces,
  referents,
  saiProjects,
  type MembershipStatus,
} from "#db/schema";
import { displayPhone } from "~/utils/phone-display.server";
import type { Db } from "~/utils/db.server";
import type { SheetColumn } from "~/utils/spreadsheet.server";
import { foldAccents, searchKey } from "~/utils/text";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS } from "~/validation/labels";
import {
  LIST_PAGE_SIZE,
  MEMBERSHIP_KIND_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  NO_PROVINCE,
  type MembershipFilters,
  type MembershipSort,
} from "~/validation/membership-filters";
import { recordAudit } from "./audit.server";
import { NO_PARTICIPATION, participationByBody, type ParticipationCounts } from "./participation.server";
import { notAwaitingApproval } from "./sai-project.server";

// The coordinators' list of membership requests, and its CSV/Excel export.
//
// - Province: the province of the ente's seat (member_bodies.province_code): its comune's for a
//   Comune, chosen in the scheda for the others. Enti recorded before it was asked may have none: a
//   province filter leaves them out, and sorting by province puts them last in both directions.
// - Tipologia: requests whose ente has at least one open project (closed_at null) of that tipologia.
//   "Progetti" and "Posti finanziati" of a row count the ente's open projects (not those of a
//   handover awaiting approval, but on its own row), on the rows of current requests only: a
//   rejected, revoked or superseded request shows none, so an export's rows add up.
// - Counts per status apply every filter except the status one, so each count says how many rows
//   choosing that status would show.
// - Free text: every word must be found in the ente name, the comune, the referente's first or last
//   name or email; case and accents (à, è, é, ì, ò, ù…) do not matter. The names are read folded from
//   columns that triggers keep (member_bodies.search_name, referents.search_text, decision 015).

// The ente's open projects, without those a handover scheda still waiting declares (decision 012),
// except on that request's own row.
const openProjects = sql`${saiProjects.closedAt} IS NULL AND (${saiProjects.requestId} = ${membershipRequests.id} OR ${notAwaitingApproval()})`;

/**
 * Open projects of the row's ente, as correlated subqueries on sai_projects_body_idx: SQLite
 * evaluates them only for the rows that match the filters (a page is 25), where a grouped subquery
 * joined to the list was materialised over every project of the country at each request.
 */
/**
 * A rejected, revoked or superseded request is history: the ente's projects are counted on the row of
 * its current request only, so the rows of an export add up to the enti's figures (they repeated the
 * ente's projects on every past request of it). NULL on the others.
 */
const countsProjects = sql`${membershipRequests.status} IN ('approved', 'pending', 'email_unverified')`;
const openProjectCount = sql<
  number | null
>`CASE WHEN ${countsProjects} THEN (SELECT count(*) FROM ${saiProjects} WHERE ${saiProjects.memberBodyId} = ${memberBodies.id} AND ${openProjects}) END`;
const openProjectPlaces = sql<
  number | null
>`CASE WHEN ${countsProjects} THEN (SELECT coalesce(sum(${saiProjects.fundedPlaces}), 0) FROM ${saiProjects} WHERE ${saiProjects.memberBodyId} = ${memberBodies.id} AND ${openProjects}) END`;

const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The filters as SQL with placeholders, the values those take, and the query's shape: which filters
 * are set and how the search words are matched. Queries of the same shape share one prepared query
 * (see `preparedOnce`), so the SQL is built only when a shape is first seen.
 */
type BoundFilters = { where: () => SQL | undefined; params: QueryParams; shape: string };
type QueryParams = Record<string, string | number>;

const ph = (name: string) => sql.placeholder(name);
const like = (expression: SQL, param: string) => sql`${expression} LIKE ${ph(param)} ESCAPE '\\'`;

const MAX_SEARCH_WORDS = 6;
const APOSTROPHES = /['’`]/g;

function textParams(q: string, params: QueryParams) {
  const words = q.split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
  return words.map((word, i) => {
    // The stored search columns hold the names folded the same way (migration 0008), apostrophes as
    // typed: either apostrophe, the typographic ’ of phones and word processors or ', matches either.
    params[`word${i}`] = likePattern(foldAccents(word)).replace(APOSTROPHES, "_");
    // The comune's key has no apostrophes ("santagata di militello"): matched at the start of its
    // words only, or "D'Alì" (key "dali") would find Raffadali.
    const key = searchKey(word);
    if (key) params[`comune${i}`] = likePattern(` ${key}`);
    return { i, hasKey: !!key };
  });
}

function textCondition(words: { i: number; hasKey: boolean }[]): SQL | undefined {
  const perWord = words.map(({ i, hasKey }) => {
    const alternatives: SQL[] = [like(sql`${memberBodies.searchName}`, `word${i}`), like(sql`${referents.searchText}`, `word${i}`)];
    if (hasKey) alternatives.push(like(sql`' ' || ${municipalities.searchKey}`, `comune${i}`));
    return sql`(${sql.join(alternatives, sql` OR `)})`;
  });
  return perWord.length ? and(...perWord) : undefined;
}

function conditions(filters: MembershipFilters, { withStatus }: { withStatus: boolean }): BoundFilters {
  const params: QueryParams = {};
  const status = withStatus && filters.status;
  if (status) params.status = status;
  const noProvince = filters.provinceCode === NO_PROVINCE;
  if (filters.provinceCode && !noProvince) params.province = filters.provinceCode;
  if (filters.kind) params.kind = filters.kind;
  if (filters.category) params.category = filters.category;
  const words = filters.q ? textParams(filters.q, params) : [];
  // The values' names say which filters are set and how each word is matched (with or without a
  // comune); only "no province" takes no value.
  const shape = [...Object.keys(params), noProvince ? NO_PROVINCE : ""].join(" ");
  const where = () => {
    const parts: (SQL | undefined)[] = [];
    if (status) parts.push(eq(membershipRequests.status, ph("status")));
    if (noProvince) parts.push(isNull(memberBodies.provinceCode));
    else if (params.province) parts.push(eq(memberBodies.provinceCode, ph("province")));
    if (filters.kind) parts.push(eq(membershipRequests.kind, ph("kind")));
    if (filters.category) {
      parts.push(
        sql`EXISTS (SELECT 1 FROM ${saiProjects} WHERE ${saiProjects.memberBodyId} = ${memberBodies.id} AND ${openProjects} AND ${saiProjects.category} = ${ph("category")})`,
      );
    }
    if (filters.q) parts.push(textCondition(words));
    const present = parts.filter((p): p is SQL => !!p);
    return present.length ? and(...present) : undefined;
  };
  return { where, params, shape };
}

const statusOrder = sql`CASE ${membershipRequests.status} ${sql.join(
  MEMBERSHIP_STATUSES.map((s, i) => sql`WHEN ${s} THEN ${i}`),
  sql` `,
)} END`;

function orderBy({ key, direction }: MembershipSort): SQL[] {
  const dir = direction === "asc" ? asc : desc;
  const newestFirst = desc(membershipRequests.id);
  switch (key) {
    case "ente":
      return [dir(memberBodies.searchName), newestFirst];
    case "status":
      return [dir(statusOrder), asc(memberBodies.searchName), newestFirst];
    case "province":
      return [sql`${provinces.sigla} IS NULL`, dir(provinces.sigla), asc(memberBodies.searchName), newestFirst];
    case "created":
    default:
      return [dir(membershipRequests.createdAt), dir(membershipRequests.id)];
  }
}

type Prepared<Row> = { all: (params: QueryParams) => Row[] };

const preparedByDb = new WeakMap<Db, Map<string, Prepared<unknown>>>();
const MAX_PREPARED = 200;

/**
 * One prepared query per shape of filters and sort, per connection: building the SQL with drizzle
 * at each request cost about as much as SQLite running it (issue 7, docs/performance.md). The most
 * recently used MAX_PREPARED are kept.
 */
function preparedOnce<Row>(db: Db, key: string, build: () => Prepared<Row>): Prepared<Row> {
  let cache = preparedByDb.get(db);
  if (!cache) preparedByDb.set(db, (cache = new Map()));
  const found = cache.get(key);
  if (found) {
    cache.delete(key);
    cache.set(key, found);
    return found as Prepared<Row>;
  }
  const prepared = build();
  cache.set(key, prepared as Prepared<unknown>);
  if (cache.size > MAX_PREPARED) cache.delete(cache.keys().next().value as string);
  return prepared;
}

export type MembershipListRow = {
  id: number;
  status: MembershipStatus;
  kind: "new" | "handover";
  createdAt: Date;
  confirmedAt: Date | null;
  decidedAt: Date | null;
  body: { id: number; name: string; kind: keyof typeof MEMBER_BODY_KIND_LABELS; pec: string; fiscalCode: string };
  comune: string | null;
  province: { code: string; sigla: string; name: string } | null;
  referent: {
    firstName: string;
    lastName: string;
    role: keyof typeof REFERENT_ROLE_LABELS;
    office: string;
    email: string;
    phone: string;
    mobile: string | null;
  };
  /** Null on a rejected, revoked or superseded request: the ente's projects are on its current request's row. */
  openProjects: number | null;
  fundedPlaces: number | null;
};

/** A request with its ente, referente, comune and province: what a row of the list is made of. */
function withListJoins<Query extends SQLiteSelect>(query: Query) {
  return query
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .leftJoin(municipalities, eq(municipalities.istatCode, memberBodies.municipalityCode))
    .leftJoin(provinces, eq(provinces.code, memberBodies.provinceCode));
}

/**
 * Only the joins that the filters and the sort read. Besides saving the lookups, this keeps SQLite's
 * plan right before the table statistics exist: with the comune and province outer joins present it
 * started from every request of the status (10 ms at national scale) instead of from the province.
 */
function withFilterJoins<Query extends SQLiteSelect>(query: Query, { filters, sort }: { filters: MembershipFilters; sort: MembershipSort }) {
  const bySort = sort.key === "ente" || sort.key === "province" || sort.key === "status";
  if (filters.provinceCode || filters.category || filters.q || bySort) query.innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId));
  if (filters.q) {
    query.innerJoin(referents, eq(referents.id, membershipRequests.referentId));
    query.leftJoin(municipalities, eq(municipalities.istatCode, memberBodies.municipalityCode));
  }
  if (sort.key === "province") query.leftJoin(provinces, eq(provinces.code, memberBodies.provinceCode));
  return query;
}

type Paging = { limit: number; offset: number };

function selectRows(db: Db, { filters, sort, paging }: { filters: MembershipFilters; sort: MembershipSort; paging?: Paging }) {
  const bound = conditions(filters, { withStatus: true });
  const key = `rows ${bound.shape} ${sort.key} ${sort.direction}${paging ? " page" : ""}`;
  const query = preparedOnce(db, key, () => buildRowsQuery(db, { filters, sort, where: bound.where(), paged: !!paging }));
  const rows = query.all(paging ? { ...bound.params, ...paging } : bound.params);
  return rows.map(toListRow);
}

function buildRowsQuery(db: Db, { filters, sort, where, paged }: { filters: MembershipFilters; sort: MembershipSort; where: SQL | undefined; paged: boolean }) {
  if (paged) {
    // A page: its ids first, sorted on the sort keys alone; the columns and the project totals are
    // then read for those 25 rows only, not for every row that matches the filters.
    const pageIds = withFilterJoins(db.select({ id: membershipRequests.id }).from(membershipRequests).$dynamic(), { filters, sort })
      .where(where)
      .orderBy(...orderBy(sort))
      .limit(ph("limit"))
      .offset(ph("offset"));
    where = inArray(membershipRequests.id, pageIds);
  }
  const query = db
    .select({
      id: membershipRequests.id,
      status: membershipRequests.status,
      kind: membershipRequests.kind,
      createdAt: membershipRequests.createdAt,
      confirmedAt: membershipRequests.confirmedAt,
      decidedAt: membershipRequests.decidedAt,
      bodyId: memberBodies.id,
      bodyName: memberBodies.name,
      bodyKind: memberBodies.kind,
      pec: memberBodies.pec,
      fiscalCode: memberBodies.fiscalCode,
      comune: municipalities.name,
      provinceCode: provinces.code,
      provinceSigla: provinces.sigla,
      provinceName: provinces.name,
      firstName: referents.firstName,
      lastName: referents.lastName,
      role: referents.role,
      office: referents.office,
      email: referents.email,
      phone: referents.phone,
      mobile: referents.mobile,
      openProjects: openProjectCount,
      fundedPlaces: openProjectPlaces,
    })
    .from(membershipRequests)
    .$dynamic();
  return withListJoins(query).where(where).orderBy(...orderBy(sort)).prepare();
}

type SelectedRow = ReturnType<ReturnType<typeof buildRowsQuery>["all"]>[number];

function toListRow(r: SelectedRow): MembershipListRow {
  return {
    id: r.id,
    status: r.status,
    kind: r.kind,
    createdAt: r.createdAt,
    confirmedAt: r.confirmedAt,
    decidedAt: r.decidedAt,
    body: { id: r.bodyId, name: r.bodyName, kind: r.bodyKind, pec: r.pec, fiscalCode: r.fiscalCode },
    comune: r.comune,
    province: r.provinceCode && r.provinceSigla && r.provinceName ? { code: r.provinceCode, sigla: r.provinceSigla, name: r.provinceName } : null,
    referent: {
      firstName: r.firstName,
      lastName: r.lastName,
      role: r.role,
      office: r.office,
      email: r.email,
      phone: r.phone,
      mobile: r.mobile,
    },
    openProjects: r.openProjects === null ? null : Number(r.openProjects),
    fundedPlaces: r.fundedPlaces === null ? null : Number(r.fundedPlaces),
  };
}

export type StatusCounts = Record<MembershipStatus, number>;

function countByStatus(db: Db, filters: MembershipFilters): StatusCounts {
  const counts = Object.fromEntries(MEMBERSHIP_STATUSES.map((s) => [s, 0])) as StatusCounts;
  const bound = conditions(filters, { withStatus: false });
  const query = preparedOnce(db, `counts ${bound.shape}`, () =>
    // Only the joins the filters need: without filters this reads the status index alone.
    withFilterJoins(db.select({ status: membershipRequests.status, n: sql<number>`count(*)` }).from(membershipRequests).$dynamic(), {
      filters,
      sort: { key: "created", direction: "desc" },
    })
      .where(bound.where())
      .groupBy(membershipRequests.status)
      .prepare(),
  );
  for (const r of query.all(bound.params)) counts[r.status] = Number(r.n);
  return counts;
}

export type MembershipListInput = {
  filters: MembershipFilters;
  sort: MembershipSort;
  page?: number;
  pageSize?: number;
};

export type MembershipList = {
  rows: MembershipListRow[];
  total: number;
  countsByStatus: StatusCounts;
  page: number;
  pageSize: number;
  pageCount: number;
};

/**
 * One page of requests matching the filters, with the total and the counts per status. A page past
 * the end shows the last one. Two queries whatever the page size.
 */
export function listMembershipRequests(db: Db, { filters, sort, page = 1, pageSize = LIST_PAGE_SIZE }: MembershipListInput): MembershipList {
  return db.transaction(() => {
    const countsByStatus = countByStatus(db, filters);
    const total = filters.status
      ? countsByStatus[filters.status]
      : Object.values(countsByStatus).reduce((sum, n) => sum + n, 0);
    const pageCount = Math.max(1, Math.ceil(total / pageSize));
    const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
    const rows = total === 0 ? [] : selectRows(db, { filters, sort, paging: { limit: pageSize, offset: (current - 1) * pageSize } });
    return { rows, total, countsByStatus, page: current, pageSize, pageCount };
  });
}

export type MembershipExportRow = MembershipListRow & { participation: ParticipationCounts };

/**
 * Every request matching the filters, in the list's order, for the CSV and Excel downloads, with the
 * ente's participation in the Tavoli tecnici (one grouped query for the whole export).
 */
export function exportMembershipRequests(db: Db, { filters, sort }: { filters: MembershipFilters; sort: MembershipSort }): MembershipExportRow[] {
  return db.transaction((tx) => {
    const rows = selectRows(db, { filters, sort });
    const participation = rows.length ? participationByBody(tx) : new Map<number, ParticipationCounts>();
    return rows.map((r) => ({ ...r, participation: participation.get(r.body.id) ?? NO_PARTICIPATION }));
  });
}

/** The audit entry of a download of the member list: who, which filters, how many rows. */
export function recordMembershipExport(
  db: Db,
  { coordinatorId, format, filters, sort, rowCount }: { coordinatorId: number; format: "csv" | "xlsx"; filters: MembershipFilters; sort: MembershipSort; rowCount: number },
) {
  recordAudit(db, {
    actorType: "coordinator",
    actorId: coordinatorId,
    action: "membership.exported",
    entityType: "membership_request",
    details: { format, filters, sort, rowCount },
  });
}

/** Ente name and status of some requests, to explain a bulk approval that did not go through. */
export function findRequestSummaries(db: Db, { ids }: { ids: number[] }) {
  if (ids.length === 0) return [];
  return db
    .select({ id: membershipRequests.id, status: membershipRequests.status, kind: membershipRequests.kind, bodyName: memberBodies.name })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .where(inArray(membershipRequests.id, ids))
    .all();
}

/** The columns of the CSV and Excel downloads, with Italian headers. */
export const MEMBERSHIP_EXPORT_COLUMNS: SheetColumn<MembershipExportRow>[] = [
  { header: "Ente", width: 36, value: (r) => r.body.name },
  { header: "Tipo di ente", width: 22, value: (r) => MEMBER_BODY_KIND_LABELS[r.body.kind] },
  { header: "Comune", width: 22, value: (r) => r.comune },
  { header: "Provincia", width: 10, value: (r) => r.province?.sigla },
  { header: "Stato", width: 26, value: (r) => MEMBERSHIP_STATUS_LABELS[r.status] },
  { header: "Tipo di richiesta", width: 22, value: (r) => MEMBERSHIP_KIND_LABELS[r.kind] },
  { header: "Data richiesta", width: 14, value: (r) => r.createdAt },
  { header: "Data conferma", width: 14, value: (r) => r.confirmedAt },
  { header: "Nome referente", width: 18, value: (r) => r.referent.firstName },
  { header: "Cognome referente", width: 20, value: (r) => r.referent.lastName },
  { header: "Ruolo", width: 24, value: (r) => REFERENT_ROLE_LABELS[r.referent.role] },
  { header: "Ufficio o settore", width: 24, value: (r) => r.referent.office },
  { header: "Email", width: 32, value: (r) => r.referent.email },
  { header: "Telefono", width: 16, value: (r) => displayPhone(r.referent.phone) ?? "" },
  { header: "Cellulare", width: 16, value: (r) => displayPhone(r.referent.mobile) ?? "" },
  { header: "PEC dell'ente", width: 32, value: (r) => r.body.pec },
  { header: "Codice fiscale dell'ente", width: 16, value: (r) => r.body.fiscalCode },
  // Not «Posti finanziati»: the import reads that header as the first project's (a re-imported
  // export would have every ente's total as a project of its own).
  { header: "Progetti aperti", width: 10, value: (r) => r.openProjects ?? "" },
  { header: "Posti finanziati (progetti aperti)", width: 12, value: (r) => r.fundedPlaces ?? "" },
  { header: "Tavoli: inviti", width: 12, value: (r) => r.participation.invited },
  { header: "Tavoli: risposte", width: 12, value: (r) => r.participation.answered },
  { header: "Tavoli: presenze", width: 12, value: (r) => r.participation.attended },
];
