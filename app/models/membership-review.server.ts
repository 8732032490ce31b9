import { and, eq, gt, inArray, isNotNull, isNull, max, ne, sql } from "drizzle-orm";
import { auditLog, coordinators, memberBodies, membershipRequests, provinces, referents, saiProjects, type MembershipStatus } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { formatDateIt, formatDateTimeIt } from "~/utils/dates";
import { formVersionOf } from "~/utils/form-version.server";
import { roundTableName, roundTableWhen } from "~/utils/round-table-format";
import { recordAudit } from "./audit.server";
import { transferInvitations } from "./invitation.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { projectValues, registeredProjectMatches, replaceableProjects, updateRegisteredProject } from "./sai-project.server";

// Coordinators' decisions on membership requests. Each runs in one transaction with its emails
// and audit entry, and refuses to act on a request that is not in the state it expects.

type Decision = { id: number; coordinatorId: number; appUrl: string; now?: Date };
type Approval = Decision & {
  /** Handover: close the ente's open projects, leaving those the scheda declares (default: keep them and add these). */
  replaceProjects?: boolean;
  /**
   * The referente in office the approving page showed (null: none). When given, the approval is
   * refused if the ente's referente in office is no longer that one. Left out: not checked.
   */
  shownReferentId?: number | null;
};
/** `notEmailed`: a rejection of a scheda whose address was never confirmed, about which nobody is written to. */
export type DecisionResult = { ok: true; notEmailed?: true } | { ok: false; error: string };

/** A request with its referente and ente (undefined: none). */
export function loadRequest(tx: Db | Tx, id: number) {
  return tx
    .select({ request: membershipRequests, referent: referents, body: memberBodies })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .where(eq(membershipRequests.id, id))
    .get();
}


const DECIDED_WORDS: Partial<Record<MembershipStatus, string>> = {
  approved: "approvata",
  rejected: "respinta",
  revoked: "approvata e poi revocata",
  superseded: "approvata e poi sostituita da un subentro",
};

/**
 * Why a request cannot be decided now, said to the coordinator who tried: most often another
 * coordinator decided it meanwhile (in another tab, or just before), so who and when.
 */
function notPendingError(tx: Tx, request: typeof membershipRequests.$inferSelect, verb: "approvare" | "respingere") {
  if (request.status === "email_unverified") {
    return "La richiesta non è ancora confermata: si potrà approvare quando il referente avrà confermato il suo indirizzo email.";
  }
  const decided = DECIDED_WORDS[request.status] ?? "decisa";
  const by = request.decidedById
    ? tx.select({ name: coordinators.name }).from(coordinators).where(eq(coordinators.id, request.decidedById)).get()?.name
    : undefined;
  const when = request.decidedAt ? ` il ${formatDateTimeIt(request.decidedAt)}` : "";
  return `Non è possibile ${verb} questa richiesta: è già stata ${decided}${by ? ` da ${by}` : ""}${when}.`;
}

/**
 * Why an approval decided on a page that showed another referente in office (or none) must not go
 * through, or null: another scheda of the ente was approved meanwhile (in another tab, or by another
 * coordinator), and approving this one would replace, unseen, the referente it has just put in office.
 */
function sittingReferentChanged(tx: Tx, { memberBodyId, shownReferentId }: { memberBodyId: number; shownReferentId: number | null | undefined }) {
  if (shownReferentId === undefined) return null;
  const sitting = sittingReferent(tx, memberBodyId);
  if ((sitting?.id ?? null) === shownReferentId) return null;
  const now = sitting ? `ora è ${sitting.firstName} ${sitting.lastName}` : "ora l'ente non ha un referente in carica";
  return `Nel frattempo il referente in carica per l'ente è cambiato (${now}): ricarica la pagina e verifica prima di approvare.`;
}

/** The ente's referente in office (undefined: none). */
function sittingReferent(tx: Db | Tx, memberBodyId: number) {
  return tx
    .select({ id: referents.id, firstName: referents.firstName, lastName: referents.lastName })
    .from(referents)
    .where(and(eq(referents.memberBodyId, memberBodyId), isNotNull(referents.validFrom), isNull(referents.validTo)))
    .get();
}

/** The referente in office of each of these enti, by ente (none: not in the map), for a page to name in its approval form. */
export function sittingReferentIds(db: Db, { memberBodyIds }: { memberBodyIds: number[] }) {
  if (memberBodyIds.length === 0) return new Map<number, number>();
  const rows = db
    .select({ memberBodyId: referents.memberBodyId, id: referents.id })
    .from(referents)
    .where(and(inArray(referents.memberBodyId, [...new Set(memberBodyIds)]), isNotNull(referents.validFrom), isNull(referents.validTo)))
    .all();
  return new Map(rows.map((r) => [r.memberBodyId, r.id]));
}

/**
 * Approves a confirmed request. The ente takes the data its scheda declares (PEC, codice fiscale,
 * and for an ente other than a Comune its name and province), but for what a coordinator corrected
 * after the scheda was sent, which stays (`declaredBodyChanges`). For a handover (whatever the kind
 * recorded when the scheda was sent: another one may have been approved since) the current
 * referente gets an end date and a notice, the previous membership is marked superseded, the
 * invitations to Tavoli still to come pass to the successor, and the projects the scheda declares
 * join the ente's open ones (but for those the ente already has), or replace them when the
 * coordinator chose so (`replaceProjects`).
 */
export function approveMembership(db: Db, { id, coordinatorId, appUrl, replaceProjects = false, shownReferentId, now = new Date() }: Approval): DecisionResult {
  return db.transaction((tx): DecisionResult => {
    const found = loadRequest(tx, id);
    if (!found) return { ok: false, error: "Richiesta non trovata." };
    const { request, referent, body } = found;
    if (request.status !== "pending") return { ok: false, error: notPendingError(tx, request, "approvare") };
    const changedMeanwhile = sittingReferentChanged(tx, { memberBodyId: body.id, shownReferentId });
    if (changedMeanwhile) return { ok: false, error: changedMeanwhile };
    const previous = tx
      .select()
      .from(referents)
      .where(and(eq(referents.memberBodyId, body.id), isNotNull(referents.validFrom), isNull(referents.validTo)))
      .get();
    if (previous && previous.id !== referent.id && previous.email === referent.email) {
      return {
        ok: false,
        error:
          "Questa scheda è stata inviata con l'indirizzo del referente già in carica per l'ente: approvarla lo farebbe subentrare a sé stesso. Respingila: i dati del referente e dei progetti si aggiornano dall'area referente.",
      };
    }
    // Whatever the history (handover, erased or revoked referente), the ente keeps one approved membership.
    tx.update(membershipRequests)
      .set({ status: "superseded", updatedAt: now })
      .where(and(eq(membershipRequests.memberBodyId, body.id), eq(membershipRequests.status, "approved")))
      .run();
    const closedProjects =
      previous && replaceProjects
        ? tx
            .update(saiProjects)
            .set({ closedAt: now })
            .where(replaceableProjects({ memberBodyId: body.id, requestId: request.id }))
            .returning({ id: saiProjects.id })
            .all()
            .map((p) => p.id)
        : [];
    // Kept, the ente's projects are not added again when the scheda declares them too: the declared
    // copy is closed now and marked, so it stays with this request but is none of the ente's (decision 021).
    // A project declared with newer values (extended, more places) updates the ente's instead (decision 021 addendum).
    const registered = previous && !replaceProjects ? registeredProjectMatches(tx, { request }) : [];
    const alreadyRegistered = registered.map((m) => m.declared.id);
    const updatedProjects = registered.filter(
      (m) => !m.same && updateRegisteredProject(tx, { match: m, audit: { actorType: "coordinator", actorId: coordinatorId, requestId: request.id } }).length > 0,
    ).length;
    if (alreadyRegistered.length) {
      tx.update(saiProjects).set({ closedAt: now, alreadyRegistered: true }).where(inArray(saiProjects.id, alreadyRegistered)).run();
    }
    if (previous) tx.update(referents).set({ validTo: now }).where(eq(referents.id, previous.id)).run();
    tx.update(referents).set({ validFrom: now }).where(eq(referents.id, referent.id)).run();
    // Queued before the invitations passed on below: the worker sends in queue order, so a successor
    // hears that they are the referente before the first invitation addressed to them arrives.
    const bodyChanges = declaredBodyChanges(tx, { body, request });
    queueWelcomeEmail(tx, {
      referent,
      bodyName: bodyChanges.after.name ?? body.name,
      memberBodyId: body.id,
      isHandover: !!previous,
      appUrl,
      now,
    });
    const successorName = `${referent.firstName} ${referent.lastName}`;
    const transferred = previous
      ? transferInvitations(db, {
          fromReferentId: previous.id,
          to: { referentId: referent.id, email: referent.email, name: successorName, memberBodyId: body.id },
          appUrl,
          now,
        })
      : null;
    if (previous) {
      queueEmail(tx, {
        to: previous.email,
        template: "referent-replaced",
        props: {
          firstName: previous.firstName,
          lastName: previous.lastName,
          bodyName: body.name,
          successorName,
          endDate: formatDateIt(now),
          passedOn: transferred!.notDeclined.map((rt) => ({ name: roundTableName(rt), when: roundTableWhen(rt) })),
        },
        memberBodyId: body.id,
        domain: messageDomainOf(appUrl),
      });
    }
    const transferredInvitations = transferred?.count ?? 0;
    tx.update(membershipRequests)
      .set({ status: "approved", kind: previous ? "handover" : "new", decidedById: coordinatorId, decidedAt: now, updatedAt: now })
      .where(eq(membershipRequests.id, request.id))
      .run();
    // Other schede of the ente still open would now replace this referente: the list says so.
    tx.update(membershipRequests)
      .set({ kind: "handover", updatedAt: now })
      .where(
        and(
          eq(membershipRequests.memberBodyId, body.id),
          inArray(membershipRequests.status, ["email_unverified", "pending"]),
          eq(membershipRequests.kind, "new"),
        ),
      )
      .run();
    tx.update(memberBodies).set({ ...bodyChanges.after, status: "member", updatedAt: now }).where(eq(memberBodies.id, body.id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: previous ? "membership.handover_approved" : "membership.approved",
      entityType: "membership_request",
      entityId: request.id,
      details: {
        memberBodyId: body.id,
        referentId: referent.id,
        previousReferentId: previous?.id ?? null,
        ...(previous ? { transferredInvitations, closedProjects: closedProjects.length, alreadyRegisteredProjects: alreadyRegistered.length, updatedProjects } : {}),
        // The ente's data the scheda changed, worded as the log words an edit ("prima PEC", "dopo PEC").
        ...(Object.keys(bodyChanges.after).length ? { before: auditBodyData(bodyChanges.before), after: auditBodyData(bodyChanges.after) } : {}),
        // What the scheda declared and the approval did not apply, a coordinator having corrected it since.
        ...(Object.keys(bodyChanges.kept.declared).length ? { declaredNotApplied: auditBodyData(bodyChanges.kept.declared) } : {}),
      },
    });
    return { ok: true };
  });
}

const auditBodyData = ({ name, ...rest }: BodyData) => ({ ...(name !== undefined ? { bodyName: name } : {}), ...rest });

type BodyData = Partial<Pick<typeof memberBodies.$inferSelect, "pec" | "fiscalCode" | "name" | "provinceCode">>;
type BodyField = keyof BodyData;

/** The ente's fields as «Modifica dati» names them in its audit entries. */
const EDITED_BODY_FIELDS: Record<string, BodyField> = { bodyName: "name", provinceCode: "provinceCode", pec: "pec", fiscalCode: "fiscalCode" };

/**
 * The ente's fields a coordinator corrected with «Modifica dati» (from the page of any of the ente's
 * requests) after the scheda was sent, or sent again: those corrections are what the coordinators
 * know last, so the approval keeps them instead of the scheda's values (decision 022). Read from the
 * log, which records every correction with its fields in the same transaction.
 */
function bodyFieldsCorrectedSince(tx: Db | Tx, { requestId, memberBodyId }: { requestId: number; memberBodyId: number }) {
  const sent =
    tx
      .select({ id: max(auditLog.id) })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.entityType, "membership_request"),
          eq(auditLog.entityId, String(requestId)),
          inArray(auditLog.action, ["membership.submitted", "membership.resubmitted"]),
        ),
      )
      .get()?.id ?? 0;
  const corrections = tx
    .select({ details: auditLog.details })
    .from(auditLog)
    .where(and(gt(auditLog.id, sent), eq(auditLog.action, "membership.edited"), sql`json_extract(${auditLog.details}, '$.memberBodyId') = ${memberBodyId}`))
    .all();
  const fields = new Set<BodyField>();
  for (const { details } of corrections) {
    const after = details?.after && typeof details.after === "object" ? Object.keys(details.after) : [];
    for (const key of after) if (EDITED_BODY_FIELDS[key]) fields.add(EDITED_BODY_FIELDS[key]);
  }
  return fields;
}

/**
 * What the scheda declares about the ente and differs from what is recorded, as before/after. Only a
 * scheda sent through the public form declares it (a successor proposed from the referent area copies
 * the ente's data of that day, an import wrote it already). A codice fiscale taken meanwhile by
 * another ente, or an unknown province, is left as recorded; so is a field a coordinator corrected
 * after the scheda was sent (`kept`: what the scheda said, and the correction that stays).
 */
export function declaredBodyChanges(
  tx: Db | Tx,
  { body, request }: { body: typeof memberBodies.$inferSelect; request: Pick<typeof membershipRequests.$inferSelect, "id" | "submission"> },
): { before: BodyData; after: BodyData; kept: { declared: BodyData; recorded: BodyData } } {
  const before: BodyData = {};
  const after: BodyData = {};
  const kept = { declared: {} as BodyData, recorded: {} as BodyData };
  const declared = (request.submission ?? {}) as Record<string, unknown>;
  if (declared.source !== undefined || declared.importedFrom !== undefined) return { before, after, kept };
  const text = (key: string) => (typeof declared[key] === "string" && (declared[key] as string).trim() ? (declared[key] as string).trim() : null);
  let corrected: Set<BodyField> | undefined;
  const change = <K extends BodyField>(key: K, value: BodyData[K] | null) => {
    if (value === null || value === undefined || value === body[key]) return;
    corrected ??= bodyFieldsCorrectedSince(tx, { requestId: request.id, memberBodyId: body.id });
    const [from, to] = corrected.has(key) ? [kept.recorded, kept.declared] : [before, after];
    from[key] = body[key];
    to[key] = value;
  };
  change("pec", text("pec"));
  const fiscalCode = text("fiscalCode");
  if (fiscalCode && !tx.select({ id: memberBodies.id }).from(memberBodies).where(and(eq(memberBodies.fiscalCode, fiscalCode), ne(memberBodies.id, body.id))).get()) {
    change("fiscalCode", fiscalCode);
  }
  if (body.kind !== "comune") {
    change("name", text("bodyName"));
    const provinceCode = text("provinceCode");
    if (provinceCode && tx.select({ code: provinces.code }).from(provinces).where(eq(provinces.code, provinceCode)).get()) change("provinceCode", provinceCode);
  }
  return { before, after, kept };
}

/**
 * Approves several requests (handovers keep the ente's projects); each succeeds or fails on its own.
 * Two of one ente are never both approved: the second would replace, unseen, the referente the
 * first has just put in office. Nor is one whose ente's referente in office is no longer the one
 * the list was shown with (`shownReferents`, by request id: see approveMembership's shownReferentId).
 */
export function approveMemberships(
  db: Db,
  { ids, coordinatorId, appUrl, shownReferents, now }: Omit<Decision, "id"> & { ids: number[]; shownReferents?: Map<number, number | null | undefined> },
) {
  const approvedBodies = new Set<number>();
  const outcomes = ids.map((id) => {
    const memberBodyId = db.select({ id: membershipRequests.memberBodyId }).from(membershipRequests).where(eq(membershipRequests.id, id)).get()?.id;
    if (memberBodyId !== undefined && approvedBodies.has(memberBodyId)) {
      return { id, result: { ok: false as const, error: "Per l'ente è stata approvata un'altra richiesta della selezione: aprila per decidere se sostituire il referente." } };
    }
    const result = approveMembership(db, { id, coordinatorId, appUrl, shownReferentId: shownReferents?.get(id), now });
    if (result.ok && memberBodyId !== undefined) approvedBodies.add(memberBodyId);
    return { id, result };
  });
  return {
    approved: outcomes.filter((o) => o.result.ok).map((o) => o.id),
    failed: outcomes.filter((o) => !o.result.ok).map((o) => ({ id: o.id, error: (o.result as { error: string }).error })),
  };
}

/**
 * The fingerprint of what a request's page shows a decision is about: the scheda as sent (sent
 * again, it changes), its state (confirmed or not: whether the rejection is emailed), the ente's and
 * the referente's data (corrected with «Modifica dati», or by the referente), the projects it
 * carries, and the ente's referente in office. The rejection and revocation forms carry it (decision 025).
 */
function requestVersionOf(tx: Db | Tx, { request, referent, body }: NonNullable<ReturnType<typeof loadRequest>>) {
  const sitting = sittingReferent(tx, body.id);
  const projects = tx
    .select()
    .from(saiProjects)
    .where(eq(saiProjects.requestId, request.id))
    .orderBy(saiProjects.id)
    .all()
    .map((p) => ({ ...projectValues(p), closedAt: p.closedAt?.toISOString() ?? null }));
  return formVersionOf({
    status: request.status,
    kind: request.kind,
    submission: request.submission,
    body: { name: body.name, provinceCode: body.provinceCode, pec: body.pec, fiscalCode: body.fiscalCode },
    referent: [referent.firstName, referent.lastName, referent.role, referent.office, referent.email, referent.phone, referent.mobile],
    projects,
    sittingReferentId: sitting?.id ?? null,
  });
}

/** The fingerprint the request's page gives its rejection or revocation form (null: no such request). */
export function requestVersion(db: Db | Tx, { id }: { id: number }) {
  const found = loadRequest(db, id);
  return found ? requestVersionOf(db, found) : null;
}

/** Said when a rejection was written on a page that no longer shows the request as it is (status 409): the reason stays in the form. */
export const REJECTION_CONFLICT_ERROR =
  "Nel frattempo questa richiesta è cambiata (la scheda è stata inviata di nuovo o confermata, i dati sono stati corretti o è cambiato il referente in carica): la pagina ora mostra la versione attuale. Controllala e, se la richiesta va comunque respinta, premi di nuovo «Respingi»: il motivo che hai scritto è ancora nel modulo qui sotto.";

/**
 * Rejects a request not yet decided, with the reason emailed to the referente (but for a scheda whose
 * address was never confirmed). `version` is the request's fingerprint when the page was loaded
 * (`requestVersion`): if the request changed since, nothing is done, lest the coordinator reject
 * what they did not see. Left out, not checked.
 */
export function rejectMembership(db: Db, { id, coordinatorId, appUrl, reason, version, now = new Date() }: Decision & { reason: string; version?: string }): DecisionResult {
  return db.transaction((tx): DecisionResult => {
    const found = loadRequest(tx, id);
    if (!found) return { ok: false, error: "Richiesta non trovata." };
    const { request, referent, body } = found;
    if (request.status !== "pending" && request.status !== "email_unverified") {
      return { ok: false, error: notPendingError(tx, request, "respingere") };
    }
    if (version !== undefined && requestVersionOf(tx, found) !== version) return { ok: false, error: REJECTION_CONFLICT_ERROR };
    tx.update(membershipRequests)
      .set({ status: "rejected", decidedById: coordinatorId, decidedAt: now, decisionReason: reason, updatedAt: now })
      .where(eq(membershipRequests.id, request.id))
      .run();
    // An address nobody confirmed may be a stranger's, typed by mistake or on purpose: not written to.
    const unconfirmed = request.status === "email_unverified";
    if (!unconfirmed) {
      queueEmail(tx, {
        to: referent.email,
        template: "membership-rejected",
        props: { firstName: referent.firstName, lastName: referent.lastName, bodyName: body.name, reason, formUrl: `${appUrl}/adesione` },
        memberBodyId: body.id,
        domain: messageDomainOf(appUrl),
      });
    }
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "membership.rejected",
      entityType: "membership_request",
      entityId: request.id,
      details: { memberBodyId: body.id, reason },
    });
    return unconfirmed ? { ok: true, notEmailed: true } : { ok: true };
  });
}

/** Said when a revocation was written on a page that no longer shows the membership as it is (status 409): the reason stays in the form. */
export const REVOCATION_CONFLICT_ERROR =
  "Nel frattempo questa adesione è cambiata (i dati dell'ente, del referente o dei progetti sono stati corretti): la pagina ora mostra la versione attuale. Controllala e, se l'adesione va comunque revocata, premi di nuovo «Revoca adesione»: il motivo che hai scritto è ancora nel modulo qui sotto.";

/**
 * Ends an approved membership: the referente's term ends and the ente leaves the Coordinamento.
 * `version`, as for `rejectMembership`: if the request changed since the page was loaded, nothing is
 * done. Left out, not checked.
 */
export function revokeMembership(db: Db, { id, coordinatorId, appUrl, reason, version, now = new Date() }: Decision & { reason: string; version?: string }): DecisionResult {
  return db.transaction((tx): DecisionResult => {
    const found = loadRequest(tx, id);
    if (!found) return { ok: false, error: "Richiesta non trovata." };
    const { request, referent, body } = found;
    if (request.status !== "approved") return { ok: false, error: "Si possono revocare solo le adesioni approvate." };
    if (version !== undefined && requestVersionOf(tx, found) !== version) return { ok: false, error: REVOCATION_CONFLICT_ERROR };
    tx.update(membershipRequests)
      .set({ status: "revoked", decidedById: coordinatorId, decidedAt: now, decisionReason: reason, updatedAt: now })
      .where(eq(membershipRequests.id, request.id))
      .run();
    tx.update(referents).set({ validTo: now }).where(and(eq(referents.id, referent.id), isNull(referents.validTo))).run();
    tx.update(memberBodies).set({ status: "revoked", updatedAt: now }).where(eq(memberBodies.id, body.id)).run();
    queueEmail(tx, {
      to: referent.email,
      template: "membership-revoked",
      props: { firstName: referent.firstName, lastName: referent.lastName, bodyName: body.name, reason, privacyUrl: `${appUrl}/area-referente/privacy`, formUrl: `${appUrl}/adesione` },
      memberBodyId: body.id,
      domain: messageDomainOf(appUrl),
    });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "membership.revoked",
      entityType: "membership_request",
      entityId: request.id,
      details: { memberBodyId: body.id, reason },
    });
    return { ok: true };
  });
}

/**
 * The email telling a referente that the ente's membership is approved: on a coordinator's approval, or
 * for a referente the import wrote as approved (`imported`: registered from ANCI's list of enti, so it
 * carries the privacy notice they were never shown).
 */
export function queueWelcomeEmail(
  tx: Db | Tx,
  {
    referent,
    bodyName,
    memberBodyId,
    isHandover = false,
    imported = false,
    appUrl,
    now,
  }: {
    referent: { email: string; firstName: string; lastName: string };
    bodyName: string;
    memberBodyId: number;
    isHandover?: boolean;
    imported?: boolean;
    appUrl: string;
    now?: Date;
  },
) {
  queueEmail(tx, {
    to: referent.email,
    template: "membership-approved",
    props: {
      firstName: referent.firstName,
      lastName: referent.lastName,
      bodyName,
      isHandover,
      referentAreaUrl: `${appUrl}/area-referente`,
      ...(imported ? { imported: true, privacyUrl: `${appUrl}/privacy` } : {}),
    },
    memberBodyId,
    domain: messageDomainOf(appUrl),
    ...(now ? { dueAt: now } : {}),
  });
}
