import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { memberBodies, membershipRequests, projectHostMunicipalities, saiProjects } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { formatIsoDay, isPastIsoDay, italianIsoDay } from "~/utils/dates";
import { formVersionOf } from "~/utils/form-version.server";
import { parseRomeLocal } from "~/utils/rome-time";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";
import type { ProjectInput } from "~/validation/referent-area";
import { recordAudit } from "./audit.server";
import { isProposal, REFERENT_PROPOSAL_SOURCE } from "./referent-area.server";

// The SAI projects of an ente: the writes shared by its referente (referent-area.server.ts, through
// the referent area) and by the coordinators (below, from /admin/adesioni/:id/progetti). Every
// write is audited on a membership request, with who made it and the values before and after, so
// it shows in /admin/registro and in the "Registro" of /admin/adesioni/:id.

type ProjectRow = typeof saiProjects.$inferSelect;

/** Who changes a project, and the membership request the change is recorded on. */
export type ProjectAudit = { actorType: "referent" | "coordinator"; actorId: number; requestId: number };

export const PROJECT_FIELDS = ["category", "fundedPlaces", "projectCode", "managingOrganization", "startDate", "endDate"] as const;
export type ProjectField = (typeof PROJECT_FIELDS)[number];

/** The labels of the project form (SPEC §5), for the audit trail shown to coordinators. */
export const PROJECT_FIELD_LABELS: Record<ProjectField | "closedAt", string> = {
  category: "Tipologia",
  fundedPlaces: "Posti finanziati",
  projectCode: "Codice progetto",
  managingOrganization: "Ente attuatore",
  startDate: "Data di inizio",
  endDate: "Data di fine",
  closedAt: "Data di chiusura",
};

/** The audited values of a project (a form's input or a stored row). */
export function projectValues(p: Pick<ProjectRow, ProjectField> | (Omit<ProjectInput, "projectCode"> & { projectCode?: string | null })) {
  return {
    category: p.category,
    fundedPlaces: p.fundedPlaces,
    projectCode: p.projectCode ?? null,
    managingOrganization: p.managingOrganization,
    startDate: p.startDate,
    endDate: p.endDate,
  };
}

/** How pages name a project: "Ordinari PROG-1-PR-1", or its start without a code. */
export function projectName(p: Pick<ProjectRow, "category" | "projectCode" | "startDate">) {
  return `${SAI_CATEGORY_LABELS[p.category]} ${p.projectCode ?? `dal ${formatIsoDay(p.startDate)}`}`;
}

/** The project form's values as the browser holds them. */
export function projectFormValues(p: ProjectRow) {
  return {
    category: p.category as string,
    fundedPlaces: String(p.fundedPlaces),
    projectCode: p.projectCode ?? "",
    managingOrganization: p.managingOrganization,
    startDate: p.startDate,
    endDate: p.endDate,
  };
}

/**
 * The fingerprint of a project as its page showed it (its values, and whether and when it was
 * closed), carried by the page's forms: a change made on a page that no longer shows what is
 * recorded (another coordinator's or the referente's change, a closure, a reopening) is refused
 * instead of putting back, unseen, the values the page still shows.
 */
export const projectVersionOf = (p: ProjectRow) =>
  formVersionOf({ ...projectValues(p), closedAt: p.closedAt?.toISOString() ?? null, alreadyRegistered: p.alreadyRegistered });

/** Said when the project changed after its page was loaded (status 409): what was typed stays in the form. */
export const PROJECT_CONFLICT_ERROR =
  "Nel frattempo questo progetto è stato modificato (da un altro coordinatore o dal referente): ricarica la pagina per vedere la versione attuale, poi ripeti l'operazione.";

/**
 * Whether a change of `current` must be refused because the page it was made on showed another
 * version (`version`, undefined: not checked). `unchanged`: the change would write nothing, and
 * may go through whatever the page showed.
 */
export const isStaleProjectChange = (current: ProjectRow, version: string | undefined, unchanged = false) =>
  version !== undefined && !unchanged && projectVersionOf(current) !== version;

/** The fields of a project a form's values would change. */
export function changedProjectFields(current: Pick<ProjectRow, ProjectField>, project: ProjectInput): ProjectField[] {
  const was = projectValues(current);
  const wanted = projectValues(project);
  return PROJECT_FIELDS.filter((k) => was[k] !== wanted[k]);
}

/** A project as the ente's page and the referente's area show it. */
export function projectView(p: ProjectRow, now: Date) {
  return {
    id: p.id,
    category: p.category,
    categoryLabel: SAI_CATEGORY_LABELS[p.category],
    /** How pages name it, its correction's heading too: "Ordinari PROG-1-PR-1". */
    name: projectName(p),
    fundedPlaces: p.fundedPlaces,
    projectCode: p.projectCode,
    managingOrganization: p.managingOrganization,
    startDate: p.startDate,
    endDate: p.endDate,
    closedAt: p.closedAt,
    /** Still open although its end date has passed: to be extended or closed (decision 011). */
    pastEnd: !p.closedAt && isPastIsoDay(p.endDate, now),
  };
}

/** Inserts a project of the ente and audits it (`sai_project.added`, with its values). */
export function insertProject(
  tx: Tx,
  { memberBodyId, requestId, project, audit, now = new Date() }: { memberBodyId: number; requestId: number | null; project: ProjectInput; audit: ProjectAudit; now?: Date },
) {
  const values = projectValues(project);
  const created = tx
    .insert(saiProjects)
    .values({ memberBodyId, requestId, ...values, createdAt: now })
    .returning({ id: saiProjects.id })
    .get();
  recordAudit(tx, {
    actorType: audit.actorType,
    actorId: audit.actorId,
    action: "sai_project.added",
    entityType: "membership_request",
    entityId: audit.requestId,
    details: { memberBodyId, projectId: created.id, after: values },
  });
  return created.id;
}

/**
 * Writes the fields that really change (and, when `requestId` is given, the request it then belongs to) and audits them
 * (`sai_project.updated`, before and after). Returns the changed fields: none, nothing written.
 */
export function changeProject(
  tx: Tx,
  { current, project, requestId, audit }: { current: ProjectRow; project: ProjectInput; requestId?: () => number | null; audit: ProjectAudit },
): ProjectField[] {
  const was = projectValues(current);
  const wanted = projectValues(project);
  const changed = changedProjectFields(current, project);
  if (changed.length === 0) return changed;
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const k of changed) {
    before[k] = was[k];
    after[k] = wanted[k];
  }
  tx.update(saiProjects)
    .set(requestId ? { ...wanted, requestId: requestId() } : wanted)
    .where(eq(saiProjects.id, current.id))
    .run();
  recordAudit(tx, {
    actorType: audit.actorType,
    actorId: audit.actorId,
    action: "sai_project.updated",
    entityType: "membership_request",
    entityId: audit.requestId,
    details: { memberBodyId: current.memberBodyId, projectId: current.id, before, after },
  });
  return changed;
}

/** Closes an open project at `closedAt` (it stays in the ente's history) and audits it. */
export function markProjectClosed(tx: Tx, { current, closedAt, audit }: { current: ProjectRow; closedAt: Date; audit: ProjectAudit }) {
  tx.update(saiProjects).set({ closedAt }).where(and(eq(saiProjects.id, current.id), isNull(saiProjects.closedAt))).run();
  recordAudit(tx, {
    actorType: audit.actorType,
    actorId: audit.actorId,
    action: "sai_project.closed",
    entityType: "membership_request",
    entityId: audit.requestId,
    details: { memberBodyId: current.memberBodyId, projectId: current.id, before: { closedAt: null }, after: { closedAt: closedAt.toISOString() } },
  });
}

// ---------------------------------------------------------------------------------------------
// Corrections by a coordinator, from the page of one membership request. The project must belong
// to the ente of that request: any other id is "not found" (no way to reach another ente's project
// through a request). Coordinators may correct closed projects too, and reopen one closed by mistake.

type RequestRef = { requestId: number };

/** The request's ente, for the "Aggiungi progetto" page. */
export function getRequestBody(db: Db | Tx, { requestId }: RequestRef) {
  return (
    db
      .select({ requestId: membershipRequests.id, memberBodyId: memberBodies.id, bodyName: memberBodies.name })
      .from(membershipRequests)
      .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
      .where(eq(membershipRequests.id, requestId))
      .get() ?? null
  );
}

/** One project of the request's ente, with the ente; null for an unknown request or another ente's project. */
export function getRequestProject(db: Db | Tx, { requestId, projectId }: RequestRef & { projectId: number }) {
  const found = db
    .select({ project: saiProjects, bodyName: memberBodies.name })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .innerJoin(saiProjects, and(eq(saiProjects.memberBodyId, memberBodies.id), eq(saiProjects.id, projectId)))
    .where(eq(membershipRequests.id, requestId))
    .get();
  return found ? { requestId, bodyName: found.bodyName, project: found.project } : null;
}

const coordinatorAudit = (coordinatorId: number, requestId: number): ProjectAudit => ({ actorType: "coordinator", actorId: coordinatorId, requestId });

/**
 * A project added by a coordinator joins the ente's open request (a scheda or a handover awaiting
 * approval), so that approving it keeps the project, as for one declared in it; otherwise it
 * belongs to no request, like one added from the referent area.
 */
function requestForNewProject(tx: Tx, memberBodyId: number) {
  const open = tx
    .select({ id: membershipRequests.id })
    .from(membershipRequests)
    .where(and(eq(membershipRequests.memberBodyId, memberBodyId), inArray(membershipRequests.status, ["email_unverified", "pending"])))
    .orderBy(desc(membershipRequests.id))
    .get();
  return open?.id ?? null;
}

export type CoordinatorProjectResult = { ok: true; projectId: number } | { ok: false; reason: "not_found" };

export function addProjectAsCoordinator(
  db: Db,
  { requestId, coordinatorId, project, now = new Date() }: RequestRef & { coordinatorId: number; project: ProjectInput; now?: Date },
): CoordinatorProjectResult {
  return db.transaction((tx): CoordinatorProjectResult => {
    const body = getRequestBody(tx, { requestId });
    if (!body) return { ok: false, reason: "not_found" };
    const projectId = insertProject(tx, {
      memberBodyId: body.memberBodyId,
      requestId: requestForNewProject(tx, body.memberBodyId),
      project,
      audit: coordinatorAudit(coordinatorId, requestId),
      now,
    });
    return { ok: true, projectId };
  });
}

/** What a coordinator's page sends along with a change: the project's fingerprint when it was loaded (`projectVersionOf`; left out, not checked). */
type ShownVersion = { version?: string };

/**
 * The coordinator's correction: only the fields that change are written and audited; the project
 * keeps its request. Refused (`conflict`) when the project changed since the page was loaded,
 * unless the form's values are already the project's.
 */
export function updateProjectAsCoordinator(
  db: Db,
  { requestId, projectId, coordinatorId, project, version }: RequestRef & ShownVersion & { projectId: number; coordinatorId: number; project: ProjectInput },
): { ok: true; changed: ProjectField[] } | { ok: false; reason: "not_found" } | { ok: false; reason: "conflict"; error: string } {
  return db.transaction((tx) => {
    const found = getRequestProject(tx, { requestId, projectId });
    if (!found) return { ok: false as const, reason: "not_found" as const };
    if (isStaleProjectChange(found.project, version, changedProjectFields(found.project, project).length === 0)) {
      return { ok: false as const, reason: "conflict" as const, error: PROJECT_CONFLICT_ERROR };
    }
    const changed = changeProject(tx, { current: found.project, project, audit: coordinatorAudit(coordinatorId, requestId) });
    return { ok: true as const, changed };
  });
}

export type ClosureResult =
  | { ok: true }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "closed" | "open" | "conflict"; error: string }
  | { ok: false; reason: "invalid"; fieldErrors: { closedOn: string } };

/**
 * "Chiudi il progetto" on a day (`YYYY-MM-DD`, already validated by projectClosureSchema): from the
 * start of that day in Italy. Refused (`conflict`) when the project changed since the page was loaded.
 */
export function closeProjectAsCoordinator(
  db: Db,
  { requestId, projectId, coordinatorId, closedOn, version }: RequestRef & ShownVersion & { projectId: number; coordinatorId: number; closedOn: string },
): ClosureResult {
  return db.transaction((tx): ClosureResult => {
    const found = getRequestProject(tx, { requestId, projectId });
    if (!found) return { ok: false, reason: "not_found" };
    const { project } = found;
    if (project.closedAt) return { ok: false, reason: "closed", error: "Il progetto è già chiuso." };
    if (isStaleProjectChange(project, version)) return { ok: false, reason: "conflict", error: PROJECT_CONFLICT_ERROR };
    if (closedOn < project.startDate) {
      const start = project.startDate.split("-").reverse().join("/");
      return { ok: false, reason: "invalid", fieldErrors: { closedOn: `La data di chiusura non può precedere la data di inizio del progetto (${start})` } };
    }
    const closedAt = parseRomeLocal(`${closedOn}T00:00`);
    if (!closedAt) return { ok: false, reason: "invalid", fieldErrors: { closedOn: "Data non valida: usa il formato gg/mm/aaaa" } };
    markProjectClosed(tx, { current: project, closedAt, audit: coordinatorAudit(coordinatorId, requestId) });
    return { ok: true };
  });
}

/**
 * "Riapri il progetto": undoes a closure (by mistake, or by the approval of a handover). A project
 * not added at a handover's approval because the ente had it already becomes one of the ente's.
 * Refused (`conflict`) when the project changed since the page was loaded (closed again on another day, corrected).
 */
export function reopenProjectAsCoordinator(
  db: Db,
  { requestId, projectId, coordinatorId, version }: RequestRef & ShownVersion & { projectId: number; coordinatorId: number },
): ClosureResult {
  return db.transaction((tx): ClosureResult => {
    const found = getRequestProject(tx, { requestId, projectId });
    if (!found) return { ok: false, reason: "not_found" };
    const { project } = found;
    if (!project.closedAt) return { ok: false, reason: "open", error: "Il progetto è già aperto." };
    if (isStaleProjectChange(project, version)) return { ok: false, reason: "conflict", error: PROJECT_CONFLICT_ERROR };
    tx.update(saiProjects).set({ closedAt: null, alreadyRegistered: false }).where(and(eq(saiProjects.id, project.id), isNotNull(saiProjects.closedAt))).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "sai_project.reopened",
      entityType: "membership_request",
      entityId: requestId,
      details: { memberBodyId: project.memberBodyId, projectId: project.id, before: { closedAt: project.closedAt.toISOString() }, after: { closedAt: null } },
    });
    return { ok: true };
  });
}

/**
 * The projects a scheda declares are stored with the ente at once, but become the ente's only when a
 * coordinator approves that request. Until then (and for good if it is rejected) they must not count
 * as the ente's: not in the figures, the invitations by tipologia, nor in the current referente's
 * area. That matters whenever the ente is already a member: a handover scheda, or a second "new"
 * scheda sent by someone else for an ente approved meanwhile. A proposal from the referent area
 * declares none (it carries the ente's own projects), so it is not concerned.
 * A function: the condition is built when first used (referent-area.server imports this module).
 * The source is a constant of ours, written into the SQL rather than bound, so that the statements
 * of the member list keep their parameters (and their cached plans).
 */
export function notAwaitingApproval() {
  // Not correlated: SQLite builds the (small) set of requests waiting or rejected once per statement.
  // A lookup per project made the figures slow enough at national scale to take GET / from 4.8 to
  // 2.8 times /healthz in the benchmark, the cached page being recomputed after every write (issue 7).
  return sql`(${saiProjects.requestId} IS NULL OR ${saiProjects.requestId} NOT IN (SELECT awaiting.id FROM membership_requests awaiting
    WHERE awaiting.status IN ('email_unverified', 'pending', 'rejected')
      AND coalesce(json_extract(awaiting.submission, '$.source'), '') <> ${sql.raw(`'${REFERENT_PROPOSAL_SOURCE}'`)}))`;
}

/**
 * The ente's own open projects other than those a request declared: what approving that request as a
 * handover may replace (the request page counts them, the approval closes them on request).
 */
export function replaceableProjects({ memberBodyId, requestId }: { memberBodyId: number; requestId: number }) {
  return and(
    eq(saiProjects.memberBodyId, memberBodyId),
    isNull(saiProjects.closedAt),
    or(isNull(saiProjects.requestId), ne(saiProjects.requestId, requestId)),
    // Only the ente's own: not those of another scheda still waiting.
    notAwaitingApproval(),
  )!;
}

/**
 * How two projects are told to be the same one: tipologia, posti finanziati, ente attuatore (trimmed,
 * whatever the case), dates, codice progetto (both empty, or equal whatever the case and the spaces)
 * and host comuni.
 */
function sameProjectKey(p: ProjectRow, hosts: string[]) {
  return JSON.stringify([
    p.category,
    p.fundedPlaces,
    p.managingOrganization.trim().toLowerCase(),
    p.startDate,
    p.endDate,
    (p.projectCode ?? "").replace(/\s+/g, "").toLowerCase(),
    [...hosts].sort(),
  ]);
}

/** A project the scheda declares matched with one of the ente's own; `same`: identical, else newer values of it. */
export type RegisteredProjectMatch = { declared: ProjectRow; own: ProjectRow; same: boolean; declaredHosts: string[]; ownHosts: string[] };

const compactKey = (value: string | null) => (value ?? "").replace(/\s+/g, "").toLowerCase();

/**
 * The open projects a request declares that the ente already has among its own open ones (those
 * `replaceableProjects` finds): approving that request as a handover that keeps the ente's projects
 * does not add them a second time (decision 021). First the identical ones; then the same project
 * with newer values (extended, more places), told much as the import tells it (decision 032): the
 * same tipologia and codice progetto, or, without a code, the same tipologia, ente attuatore and start
 * date. Each of the
 * ente's projects stands for one declared project at most. In the order they were declared. A
 * proposal from the referent area declares none: the projects attached to it are the ente's own.
 */
export function registeredProjectMatches(
  db: Db | Tx,
  { request }: { request: Pick<typeof membershipRequests.$inferSelect, "id" | "memberBodyId" | "submission"> },
): RegisteredProjectMatch[] {
  if (isProposal(request)) return [];
  const { memberBodyId, id: requestId } = request;
  const declared = db
    .select()
    .from(saiProjects)
    .where(and(eq(saiProjects.memberBodyId, memberBodyId), eq(saiProjects.requestId, requestId), isNull(saiProjects.closedAt)))
    .orderBy(asc(saiProjects.id))
    .all();
  if (declared.length === 0) return [];
  const own = db.select().from(saiProjects).where(replaceableProjects({ memberBodyId, requestId })).orderBy(asc(saiProjects.id)).all();
  if (own.length === 0) return [];
  const hosts = new Map<number, string[]>();
  for (const h of db
    .select()
    .from(projectHostMunicipalities)
    .where(inArray(projectHostMunicipalities.projectId, [...declared, ...own].map((p) => p.id)))
    .all()) {
    hosts.set(h.projectId, [...(hosts.get(h.projectId) ?? []), h.municipalityCode]);
  }
  const keyOf = (p: ProjectRow) => sameProjectKey(p, hosts.get(p.id) ?? []);
  const free = [...own];
  const matched = new Map<number, RegisteredProjectMatch>();
  const take = (d: ProjectRow, predicate: (p: ProjectRow) => boolean, same: boolean) => {
    const at = free.findIndex(predicate);
    if (at < 0) return;
    const o = free.splice(at, 1)[0];
    matched.set(d.id, { declared: d, own: o, same, declaredHosts: hosts.get(d.id) ?? [], ownHosts: hosts.get(o.id) ?? [] });
  };
  for (const d of declared) take(d, (p) => keyOf(p) === keyOf(d), true);
  for (const d of declared) {
    if (matched.has(d.id)) continue;
    take(
      d,
      (p) =>
        p.category === d.category &&
        (p.projectCode && d.projectCode
          ? compactKey(p.projectCode) === compactKey(d.projectCode)
          : p.startDate === d.startDate && compactKey(p.managingOrganization) === compactKey(d.managingOrganization)),
      false,
    );
  }
  return declared.flatMap((d) => matched.get(d.id) ?? []);
}

/** The declared projects' ids of `registeredProjectMatches`: not added again by a handover that keeps the ente's. */
export function alreadyRegisteredProjects(db: Db | Tx, { request }: Parameters<typeof registeredProjectMatches>[1]): number[] {
  return registeredProjectMatches(db, { request }).map((m) => m.declared.id);
}

/**
 * The ente's project takes the newer values the scheda declares for it (a later end date, more
 * places, a code); a code the scheda leaves out is kept. Audited as a coordinator's correction.
 */
export function updateRegisteredProject(tx: Tx, { match, audit }: { match: RegisteredProjectMatch; audit: ProjectAudit }) {
  const changed = changeProject(tx, { current: match.own, project: newerValues(match), audit });
  // Host comuni the scheda names replace the registered ones; a scheda naming none keeps them.
  if (match.declaredHosts.length > 0 && [...match.declaredHosts].sort().join() !== [...match.ownHosts].sort().join()) {
    tx.delete(projectHostMunicipalities).where(eq(projectHostMunicipalities.projectId, match.own.id)).run();
    tx.insert(projectHostMunicipalities)
      .values(match.declaredHosts.map((municipalityCode) => ({ projectId: match.own.id, municipalityCode })))
      .run();
  }
  return changed;
}

const newerValues = ({ declared, own }: RegisteredProjectMatch) =>
  ({ ...projectValues(declared), projectCode: declared.projectCode ?? own.projectCode ?? undefined }) as ProjectInput;

/** The fields of the ente's project that the approval would update from the scheda. */
export const registeredProjectChanges = (match: RegisteredProjectMatch) => changedProjectFields(match.own, newerValues(match));

export type OverdueProject = {
  projectId: number;
  bodyName: string;
  /** The ente's approved membership request, whose page holds its projects. */
  requestId: number;
  category: (typeof saiProjects.$inferSelect)["category"];
  projectCode: string | null;
  endDate: string;
};

/**
 * Open projects of member enti whose end date has passed in Italy: they still count as active until
 * someone closes them, so the coordinators' overview lists them (the oldest end first) to be
 * extended or closed.
 */
export function listOverdueProjects(db: Db, { now = new Date(), limit = 10 }: { now?: Date; limit?: number } = {}) {
  const overdue = and(isNull(saiProjects.closedAt), lt(saiProjects.endDate, italianIsoDay(now)), eq(memberBodies.status, "member"), notAwaitingApproval());
  const total =
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(saiProjects)
      .innerJoin(memberBodies, eq(memberBodies.id, saiProjects.memberBodyId))
      .where(overdue)
      .get()?.n ?? 0;
  const items: OverdueProject[] = db
    .select({
      projectId: saiProjects.id,
      bodyName: memberBodies.name,
      requestId: membershipRequests.id,
      category: saiProjects.category,
      projectCode: saiProjects.projectCode,
      endDate: saiProjects.endDate,
    })
    .from(saiProjects)
    .innerJoin(memberBodies, eq(memberBodies.id, saiProjects.memberBodyId))
    .innerJoin(membershipRequests, and(eq(membershipRequests.memberBodyId, memberBodies.id), eq(membershipRequests.status, "approved")))
    .where(overdue)
    .orderBy(asc(saiProjects.endDate), asc(memberBodies.name), asc(saiProjects.id))
    .limit(limit)
    .all();
  return { total, items };
}
