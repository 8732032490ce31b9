import { and, desc, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import { auditLog, memberBodies, membershipRequests, referentEmailChanges, referents, saiProjects, type ReferentRole } from "#db/schema";
import { displayPhone } from "~/utils/phone-display.server";
import type { Db, Tx } from "~/utils/db.server";
import { formatDateIt, formatDateTimeIt } from "~/utils/dates";
import { createToken, hashToken } from "~/utils/tokens.server";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS } from "~/validation/labels";
import type { ContactChange, ProjectInput } from "~/validation/referent-area";
import { recordAudit } from "./audit.server";
import {
  changedProjectFields,
  changeProject,
  insertProject,
  isStaleProjectChange,
  markProjectClosed,
  notAwaitingApproval,
  projectFormValues,
  projectName,
  projectVersionOf,
  projectView,
  type ProjectAudit,
} from "./sai-project.server";
import { moveInvitations } from "./invitation.server";
import { messageDomainOf, queueEmail, readdressWaitingEmails } from "./outbox.server";
import { findEligibleReferents, type ReferentAccess } from "./referent-session.server";
import { provinceName } from "./territory.server";
import { ofBody } from "~/utils/text";

// "Il mio ente" in the referent area (issue 6, point 2). Every function takes the signed-in
// referente's access (from requireReferent) and touches only that referente and that ente: a
// project id of another ente is "not found". Each change is audited with the values before and
// after, on the referente's membership request, so coordinators see it in /admin/registro and on
// /admin/adesioni/:id.

export const EMAIL_CHANGE_TTL_MS = 48 * 60 * 60 * 1000;

/** The referente's request for a new address still waiting for its confirmation, if any (only the newest counts). */
export function findPendingEmailChange(db: Db | Tx, { referentId, now = new Date() }: { referentId: number; now?: Date }) {
  return db
    .select()
    .from(referentEmailChanges)
    .where(and(eq(referentEmailChanges.referentId, referentId), gt(referentEmailChanges.expiresAt, now)))
    .orderBy(desc(referentEmailChanges.id))
    .get();
}

/** Marks a handover request created by a referente's proposal (see handover.server.ts). */
export const REFERENT_PROPOSAL_SOURCE = "referent_proposal";


type RequestRow = typeof membershipRequests.$inferSelect;

/** A successor proposed from the referent area, not a scheda (their request declares no projects of its own). */
export const isProposal = (request: Pick<RequestRow, "submission">) =>
  !!request.submission && typeof request.submission === "object" && (request.submission as { source?: unknown }).source === REFERENT_PROPOSAL_SOURCE;

const proposalSource = sql`coalesce(json_extract(${membershipRequests.submission}, '$.source'), '') = ${REFERENT_PROPOSAL_SOURCE}`;

/**
 * The ente's open handover request: the referente's own proposal first (whether or not the successor
 * has consented yet), otherwise a scheda sent by someone else once its sender has confirmed the
 * address. Anyone can send a scheda: unconfirmed, it neither shows in the area nor stops a proposal.
 */
export function findOpenHandover(db: Db | Tx, { memberBodyId }: { memberBodyId: number }) {
  return db
    .select({ request: membershipRequests, referent: referents })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(
      and(
        eq(membershipRequests.memberBodyId, memberBodyId),
        eq(membershipRequests.kind, "handover"),
        or(eq(membershipRequests.status, "pending"), and(eq(membershipRequests.status, "email_unverified"), proposalSource)),
      ),
    )
    .orderBy(desc(proposalSource), desc(membershipRequests.id))
    .get();
}

function loadRequest(db: Db | Tx, access: ReferentAccess) {
  return db.select().from(membershipRequests).where(eq(membershipRequests.id, access.requestId)).get();
}

/**
 * Projects may be changed by the ente's current referente, or by the referente of a new ente
 * whose request awaits approval (the projects are the ones they declared). Someone asking to take
 * over from another referente cannot change the ente's projects before being approved.
 */
export function canEditProjects(db: Db | Tx, access: ReferentAccess) {
  if (access.status === "active") return true;
  return loadRequest(db, access)?.kind === "new";
}

const MEMBERSHIP_WORDS = {
  active: "Adesione approvata",
  pendingNew: "Richiesta di adesione in attesa di approvazione",
  pendingHandover: "Richiesta di subentro in attesa di approvazione",
};

/**
 * The other enti whose referente (current, or awaiting approval) has the signed-in address: a
 * dirigente may be referente of a Comune and of its Unione. Switching to one needs no new sign-in,
 * the address being the one just proved.
 */
export function listOtherEnti(db: Db, { access }: { access: ReferentAccess }) {
  return findEligibleReferents(db, { email: access.email })
    .filter((a) => a.referentId !== access.referentId)
    .map((a) => ({ referentId: a.referentId, bodyName: a.bodyName, status: a.status }));
}

/** The access to another ente of the same address (see listOtherEnti), or null. */
export function findOtherEnte(db: Db, { access, referentId }: { access: ReferentAccess; referentId: number }) {
  if (referentId === access.referentId) return null;
  return findEligibleReferents(db, { email: access.email }).find((a) => a.referentId === referentId) ?? null;
}

/** Everything "Il mio ente" shows, for the signed-in referente only. */
export function getReferentOverview(db: Db, { access, now = new Date() }: { access: ReferentAccess; now?: Date }) {
  const row = db
    .select({ referent: referents, body: memberBodies })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(and(eq(referents.id, access.referentId), eq(referents.memberBodyId, access.memberBodyId)))
    .get();
  if (!row) return null;
  const { referent, body } = row;
  const request = loadRequest(db, access);

  let statusTitle: string;
  let statusText: string;
  if (access.status === "active") {
    statusTitle = MEMBERSHIP_WORDS.active;
    statusText = `${body.name} fa parte del Coordinamento dei Comuni siciliani aderenti alla Rete SAI. Sei il referente dell'ente dal ${formatDateIt(referent.validFrom!)}.`;
  } else if (request?.kind === "handover") {
    const current = db
      .select({ firstName: referents.firstName, lastName: referents.lastName })
      .from(referents)
      .where(and(eq(referents.memberBodyId, body.id), isNotNull(referents.validFrom), isNull(referents.validTo)))
      .get();
    statusTitle = MEMBERSHIP_WORDS.pendingHandover;
    // Only the successor the current referente proposed learns who they are: someone who sent a
    // scheda for the ente on their own is not yet anyone the ente chose (security QA).
    statusText = `La tua richiesta di subentrare come referente ${ofBody(body.name)} è stata confermata ed è in attesa dell'approvazione dei coordinatori di ANCI Sicilia.${
      current && isProposal(request) ? ` Fino ad allora il referente dell'ente resta ${current.firstName} ${current.lastName}.` : ""
    }`;
  } else {
    statusTitle = MEMBERSHIP_WORDS.pendingNew;
    statusText = `La scheda referente ${ofBody(body.name)} è stata confermata ed è in attesa dell'approvazione dei coordinatori di ANCI Sicilia. Riceverai l'esito per email.`;
  }

  // A successor's scheda awaiting approval declares projects of the ente: not the current referente's;
  // and who sent one sees only what they declared (a proposed successor: the ente's, attached to it).
  const ownOnly = access.status === "pending" && request?.kind === "handover";
  const projects = db
    .select()
    .from(saiProjects)
    .where(
      and(
        eq(saiProjects.memberBodyId, body.id),
        ownOnly ? eq(saiProjects.requestId, access.requestId) : or(eq(saiProjects.requestId, access.requestId), notAwaitingApproval()),
        // A project the scheda declared again, not added at the approval (decision 021), is no closed project of the ente.
        eq(saiProjects.alreadyRegistered, false),
      ),
    )
    .orderBy(sql`${saiProjects.closedAt} IS NOT NULL`, desc(saiProjects.startDate), desc(saiProjects.id))
    .all()
    .map((p) => projectView(p, now));

  const emailChange = findPendingEmailChange(db, { referentId: referent.id, now });

  const handover = access.status === "active" ? findOpenHandover(db, { memberBodyId: body.id }) : undefined;

  return {
    status: access.status,
    statusTitle,
    statusText,
    body: {
      id: body.id,
      name: body.name,
      kindLabel: MEMBER_BODY_KIND_LABELS[body.kind],
      provinceName: provinceName(db, body.provinceCode),
      pec: body.pec,
      fiscalCode: body.fiscalCode,
    },
    referent: {
      firstName: referent.firstName,
      lastName: referent.lastName,
      role: referent.role,
      roleLabel: REFERENT_ROLE_LABELS[referent.role],
      office: referent.office,
      email: referent.email,
      phone: displayPhone(referent.phone),
      mobile: displayPhone(referent.mobile),
    },
    pendingEmail: emailChange ? { email: emailChange.newEmail, expiresAt: emailChange.expiresAt } : null,
    projects,
    canEditProjects: canEditProjects(db, access),
    handover: handover
      ? {
          requestId: handover.request.id,
          name: `${handover.referent.firstName} ${handover.referent.lastName}`,
          email: handover.referent.email,
          status: handover.request.status,
          proposedByMe: isProposal(handover.request),
        }
      : null,
  };
}

export type ReferentOverview = NonNullable<ReturnType<typeof getReferentOverview>>;

// ---------------------------------------------------------------------------------------------
// The referente's contact data

export const CONTACT_FIELDS = ["firstName", "lastName", "role", "office", "phone", "mobile"] as const;
type ContactField = (typeof CONTACT_FIELDS)[number];

/** The contact form's current values, phones written as people write them. */
export function getContactValues(db: Db, { access }: { access: ReferentAccess }) {
  const r = db.select().from(referents).where(eq(referents.id, access.referentId)).get();
  if (!r) return null;
  return {
    firstName: r.firstName,
    lastName: r.lastName,
    role: r.role as string,
    office: r.office,
    phone: displayPhone(r.phone) ?? "",
    mobile: displayPhone(r.mobile) ?? "",
  };
}

/** Writes the fields that really change and audits them (before/after) in one transaction. */
export function updateReferentContact(
  db: Db,
  { access, changes, now = new Date() }: { access: ReferentAccess; changes: ContactChange; now?: Date },
): { ok: true; changed: ContactField[] } | { ok: false } {
  return db.transaction((tx) => {
    const r = tx
      .select()
      .from(referents)
      .where(and(eq(referents.id, access.referentId), eq(referents.memberBodyId, access.memberBodyId)))
      .get();
    if (!r) return { ok: false as const };
    const current: Record<ContactField, string | null> = {
      firstName: r.firstName,
      lastName: r.lastName,
      role: r.role,
      office: r.office,
      phone: r.phone,
      mobile: r.mobile,
    };
    const wanted: Record<ContactField, string | null> = {
      firstName: changes.firstName,
      lastName: changes.lastName,
      role: changes.role,
      office: changes.office,
      phone: changes.phone,
      mobile: changes.mobile ?? null,
    };
    const changed = CONTACT_FIELDS.filter((f) => current[f] !== wanted[f]);
    if (changed.length === 0) return { ok: true as const, changed };
    const before: Record<string, string | null> = {};
    const after: Record<string, string | null> = {};
    for (const f of changed) {
      before[f] = current[f];
      after[f] = wanted[f];
    }
    tx.update(referents)
      .set({
        firstName: changes.firstName,
        lastName: changes.lastName,
        role: changes.role as ReferentRole,
        office: changes.office,
        phone: changes.phone,
        mobile: changes.mobile ?? null,
      })
      .where(eq(referents.id, r.id))
      .run();
    tx.update(membershipRequests).set({ updatedAt: now }).where(eq(membershipRequests.id, access.requestId)).run();
    recordAudit(tx, {
      actorType: "referent",
      actorId: r.id,
      action: "referent.updated",
      entityType: "membership_request",
      entityId: access.requestId,
      details: { memberBodyId: access.memberBodyId, referentId: r.id, before, after },
    });
    return { ok: true as const, changed };
  });
}

// ---------------------------------------------------------------------------------------------
// Change of email address, confirmed at the new address

export type EmailChangeResult = { ok: true; email: string } | { ok: false; fieldErrors: Record<string, string> };

/**
 * Sends a confirmation link to the new address; nothing changes until it is used, and the current
 * address keeps working. A newer request replaces an older one.
 */
export function requestEmailChange(
  db: Db,
  { access, email, appUrl, now = new Date() }: { access: ReferentAccess; email: string; appUrl: string; now?: Date },
): EmailChangeResult {
  const newEmail = email.trim().toLowerCase();
  return db.transaction((tx): EmailChangeResult => {
    const r = tx.select().from(referents).where(eq(referents.id, access.referentId)).get();
    if (!r) return { ok: false, fieldErrors: { email: "Referente non trovato" } };
    if (r.email.toLowerCase() === newEmail) {
      return { ok: false, fieldErrors: { email: "È già il tuo indirizzo attuale: indicane uno diverso" } };
    }
    tx.delete(referentEmailChanges).where(eq(referentEmailChanges.referentId, r.id)).run();
    const { token, hash } = createToken();
    const expiresAt = new Date(now.getTime() + EMAIL_CHANGE_TTL_MS);
    tx.insert(referentEmailChanges).values({ referentId: r.id, newEmail, tokenHash: hash, expiresAt, createdAt: now }).run();
    queueEmail(tx, {
      to: newEmail,
      template: "referent-email-change",
      props: {
        firstName: r.firstName,
        lastName: r.lastName,
        bodyName: access.bodyName,
        newEmail,
        confirmUrl: `${appUrl}/area-referente/email/conferma/${token}`,
        expiresOn: formatDateTimeIt(expiresAt),
      },
      memberBodyId: access.memberBodyId,
      domain: messageDomainOf(appUrl),
    });
    recordAudit(tx, {
      actorType: "referent",
      actorId: r.id,
      action: "referent.email_change_requested",
      entityType: "membership_request",
      entityId: access.requestId,
      details: { memberBodyId: access.memberBodyId, referentId: r.id, before: { email: r.email }, after: { email: newEmail } },
    });
    return { ok: true, email: newEmail };
  });
}

export type EmailChangeLookup =
  | { state: "valid"; newEmail: string; bodyName: string }
  | { state: "invalid" };

function findEmailChange(db: Db | Tx, token: string, now: Date) {
  if (!token || token.length > 200) return undefined;
  return db
    .select({ change: referentEmailChanges, referent: referents, bodyName: memberBodies.name })
    .from(referentEmailChanges)
    .innerJoin(referents, eq(referents.id, referentEmailChanges.referentId))
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(and(eq(referentEmailChanges.tokenHash, hashToken(token)), gt(referentEmailChanges.expiresAt, now), isNull(referents.erasedAt)))
    .get();
}

/** What the confirmation page shows (GET: reads only). Used, replaced or expired links are invalid. */
export function lookupEmailChange(db: Db, { token, now = new Date() }: { token: string; now?: Date }): EmailChangeLookup {
  const found = findEmailChange(db, token, now);
  return found ? { state: "valid", newEmail: found.change.newEmail, bodyName: found.bodyName } : { state: "invalid" };
}

/** The POST of the confirmation page: the new address replaces the old one (once). */
export function confirmEmailChange(db: Db, { token, appUrl, now = new Date() }: { token: string; appUrl: string; now?: Date }): EmailChangeLookup {
  return db.transaction((tx): EmailChangeLookup => {
    const found = findEmailChange(tx, token, now);
    if (!found) return { state: "invalid" };
    const { change, referent } = found;
    const deleted = tx.delete(referentEmailChanges).where(eq(referentEmailChanges.id, change.id)).returning({ id: referentEmailChanges.id }).get();
    if (!deleted) return { state: "invalid" };
    tx.update(referents).set({ email: change.newEmail, emailVerifiedAt: now }).where(eq(referents.id, referent.id)).run();
    moveInvitations(tx, {
      referentId: referent.id,
      from: referent.email,
      to: change.newEmail,
      name: `${referent.firstName} ${referent.lastName}`,
      memberBodyId: referent.memberBodyId,
      appUrl,
      now,
    });
    readdressWaitingEmails(tx, { memberBodyId: referent.memberBodyId, from: referent.email, to: change.newEmail, now });
    // The old address is told: if someone else made the change, the person finds out.
    queueEmail(tx, {
      to: referent.email,
      template: "referent-email-changed",
      props: { firstName: referent.firstName, lastName: referent.lastName, bodyName: found.bodyName, newEmail: change.newEmail, changedAt: formatDateTimeIt(now) },
      memberBodyId: referent.memberBodyId,
      domain: messageDomainOf(appUrl),
    });
    const request = tx
      .select({ id: membershipRequests.id })
      .from(membershipRequests)
      .where(eq(membershipRequests.referentId, referent.id))
      .orderBy(sql`${membershipRequests.status} = 'approved' DESC`, sql`${membershipRequests.status} = 'pending' DESC`, desc(membershipRequests.id))
      .get();
    recordAudit(tx, {
      actorType: "referent",
      actorId: referent.id,
      action: "referent.email_changed",
      entityType: request ? "membership_request" : "referent",
      entityId: request?.id ?? referent.id,
      details: { memberBodyId: referent.memberBodyId, referentId: referent.id, before: { email: referent.email }, after: { email: change.newEmail } },
    });
    return { state: "valid", newEmail: change.newEmail, bodyName: found.bodyName };
  });
}

/** Drops a referente's pending address changes (for the erasure of their data). */
export function forgetEmailChanges(db: Db | Tx, { referentId }: { referentId: number }) {
  db.delete(referentEmailChanges).where(eq(referentEmailChanges.referentId, referentId)).run();
}

// ---------------------------------------------------------------------------------------------
// The ente's SAI projects

/** `conflict`: the project changed since the page was loaded (see `projectVersionOf`). */
export type ProjectResult = { ok: true; projectId: number } | { ok: false; reason: "not_found" | "forbidden" | "closed" | "unconfirmed" | "conflict" };

const referentAudit = (access: ReferentAccess): ProjectAudit => ({ actorType: "referent", actorId: access.referentId, requestId: access.requestId });

/**
 * Which request a project changed from the referent area belongs to: the ente's open handover
 * proposal when there is one (so its approval keeps the project), otherwise none.
 */
function requestForEditedProject(tx: Tx, access: ReferentAccess) {
  // A new ente awaiting approval: the projects stay those of its (only) request.
  if (access.status === "pending") return access.requestId;
  const open = findOpenHandover(tx, { memberBodyId: access.memberBodyId });
  return open && isProposal(open.request) && open.request.status === "pending" ? open.request.id : null;
}

/** One project of the referente's own ente (undefined for any other id). */
export function getOwnProject(db: Db | Tx, { access, projectId }: { access: ReferentAccess; projectId: number }) {
  return db
    .select()
    .from(saiProjects)
    .where(
      and(
        eq(saiProjects.id, projectId),
        eq(saiProjects.memberBodyId, access.memberBodyId),
        or(eq(saiProjects.requestId, access.requestId), notAwaitingApproval()),
        eq(saiProjects.alreadyRegistered, false),
      ),
    )
    .get();
}

export function addProject(
  db: Db,
  { access, project, now = new Date() }: { access: ReferentAccess; project: ProjectInput; now?: Date },
): ProjectResult {
  return db.transaction((tx): ProjectResult => {
    if (!canEditProjects(tx, access)) return { ok: false, reason: "forbidden" };
    const projectId = insertProject(tx, {
      memberBodyId: access.memberBodyId,
      requestId: requestForEditedProject(tx, access),
      project,
      audit: referentAudit(access),
      now,
    });
    return { ok: true, projectId };
  });
}

/**
 * Who closed a project, as the log recorded it: the referente (from the area, perhaps in another
 * window) or the coordinators (directly, or by approving a handover that replaced the ente's projects).
 */
export function closedByReferent(db: Db | Tx, { project }: { project: { id: number; memberBodyId: number } }) {
  // Recorded on a request of the ente (the referente's, or the one whose page the coordinator used): through the entity index.
  const requestsOfBody = sql`SELECT CAST(${membershipRequests.id} AS TEXT) FROM ${membershipRequests} WHERE ${membershipRequests.memberBodyId} = ${project.memberBodyId}`;
  const last = db
    .select({ actorType: auditLog.actorType })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entityType, "membership_request"),
        sql`${auditLog.entityId} IN (${requestsOfBody})`,
        eq(auditLog.action, "sai_project.closed"),
        sql`json_extract(${auditLog.details}, '$.projectId') = ${project.id}`,
      ),
    )
    .orderBy(desc(auditLog.id))
    .get();
  return last?.actorType === "referent";
}

/**
 * The referente's change of a project. A project closed meanwhile is `closed`, whatever the page
 * showed (its page then shows what was typed, unsaved). Otherwise `version` is the project's
 * fingerprint when the page was loaded (left out, not checked): if it changed since (a coordinator's
 * correction), the change is refused (`conflict`), unless the form's values are already the project's.
 */
export function updateProject(
  db: Db,
  { access, projectId, project, version }: { access: ReferentAccess; projectId: number; project: ProjectInput; version?: string },
): ProjectResult | { ok: true; projectId: number; unchanged: true } {
  return db.transaction((tx) => {
    const current = getOwnProject(tx, { access, projectId });
    if (!current) return { ok: false as const, reason: "not_found" as const };
    if (!canEditProjects(tx, access)) return { ok: false as const, reason: "forbidden" as const };
    if (current.closedAt) return { ok: false as const, reason: "closed" as const };
    if (isStaleProjectChange(current, version, changedProjectFields(current, project).length === 0)) return { ok: false as const, reason: "conflict" as const };
    const changed = changeProject(tx, { current, project, requestId: () => requestForEditedProject(tx, access), audit: referentAudit(access) });
    if (changed.length === 0) return { ok: true as const, projectId, unchanged: true as const };
    return { ok: true as const, projectId };
  });
}

/** "Chiudi progetto": the project ends (closedAt) but stays in the ente's history. `closed` or refused (`conflict`) as `updateProject`. */
export function closeProject(
  db: Db,
  {
    access,
    projectId,
    confirmed,
    version,
    now = new Date(),
  }: { access: ReferentAccess; projectId: number; confirmed: boolean; version?: string; now?: Date },
): ProjectResult {
  return db.transaction((tx): ProjectResult => {
    const current = getOwnProject(tx, { access, projectId });
    if (!current) return { ok: false, reason: "not_found" };
    if (!canEditProjects(tx, access)) return { ok: false, reason: "forbidden" };
    if (current.closedAt) return { ok: false, reason: "closed" };
    if (isStaleProjectChange(current, version)) return { ok: false, reason: "conflict" };
    // It cannot be reopened from the area: the referente ticks a confirmation.
    if (!confirmed) return { ok: false, reason: "unconfirmed" };
    markProjectClosed(tx, { current, closedAt: now, audit: referentAudit(access) });
    return { ok: true, projectId: current.id };
  });
}

/** The project form's values as the browser holds them, and the fingerprint its forms carry. */
export { projectFormValues, projectName, projectVersionOf };
