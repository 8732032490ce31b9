import { and, desc, eq, ne, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { auditActionTitle, referentActorLabel } from "~/utils/audit-labels";
import {
  auditLog,
  coordinators,
  memberBodies,
  membershipRequests,
  municipalities,
  outbox,
  provinces,
  referents,
  saiProjects,
  type MembershipStatus,
} from "#db/schema";
import { formatDateIt } from "~/utils/dates";
import { displayPhone } from "~/utils/phone-display.server";
import type { Db, Tx } from "~/utils/db.server";
import {
  emailTemplateLabel,
  MEMBER_BODY_KIND_LABELS,
  MEMBER_BODY_STATUS_LABELS,
  MEMBERSHIP_KIND_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  OUTBOX_STATUS_LABELS,
  REFERENT_ROLE_LABELS,
  SAI_CATEGORY_LABELS,
} from "~/validation/labels";
import type { MembershipEdit } from "~/validation/membership-edit";
import { recordAudit } from "./audit.server";
import { outboxSubjectForCoordinators } from "./outbox-preview.server";
import { moveInvitations } from "./invitation.server";
import { getBodyParticipation } from "./participation.server";
import { declaredBodyChanges } from "./membership-review.server";
import {
  notAwaitingApproval,
  PROJECT_FIELD_LABELS,
  projectView,
  registeredProjectChanges,
  registeredProjectMatches,
  replaceableProjects,
} from "./sai-project.server";
import { isKnownProvince, provinceName } from "./territory.server";
import { parseRecordId } from "~/utils/record-id";
import { formVersionOf } from "~/utils/form-version.server";
import { readImportSource, type ImportSource } from "~/utils/request-arrival";
import { readdressWaitingEmails } from "./outbox.server";

// Everything a coordinator needs to judge one membership request, and the corrections they can make.

const AUDIT_ACTOR_LABELS = {
  coordinator: "Coordinatore",
  referent: "Referente",
  public: "Modulo pubblico",
  system: "Sistema",
} as const;

/** The fields a coordinator can correct, with the labels of the forms (SPEC §5). */
export const EDITABLE_FIELD_LABELS = {
  bodyName: "Denominazione ente",
  provinceCode: "Provincia",
  pec: "PEC dell'ente",
  fiscalCode: "Codice fiscale dell'ente",
  firstName: "Nome",
  lastName: "Cognome",
  role: "Ruolo",
  office: "Ufficio o settore",
  email: "Email",
  phone: "Telefono",
  mobile: "Cellulare",
} as const;

export type EditableField = keyof typeof EDITABLE_FIELD_LABELS;

const DECLARED_BODY_LABELS = { pec: "PEC dell'ente", fiscalCode: "Codice fiscale dell'ente", name: "Denominazione ente", provinceCode: "Provincia" } as const;

function declaredBodyRows(db: Db, body: typeof memberBodies.$inferSelect, request: typeof membershipRequests.$inferSelect) {
  const { before, after, kept } = declaredBodyChanges(db, { body, request });
  const shown = (key: keyof typeof DECLARED_BODY_LABELS, value: string | null | undefined) =>
    (key === "provinceCode" ? provinceName(db, value ?? null) : value) ?? "—";
  const rows = (recorded: typeof before, declared: typeof after) =>
    (Object.keys(declared) as (keyof typeof DECLARED_BODY_LABELS)[]).map((key) => ({
      label: DECLARED_BODY_LABELS[key],
      recorded: shown(key, recorded[key]),
      declared: shown(key, declared[key]),
    }));
  return { applied: rows(before, after), kept: rows(kept.recorded, kept.declared) };
}

/** A project as the scheda declared it (read from the stored submission, which is never rewritten). */
export type DeclaredProject = {
  category: string;
  categoryLabel: string;
  fundedPlaces: number | null;
  projectCode: string | null;
  managingOrganization: string;
  startDate: string;
  endDate: string;
};

function declaredProjects(submission: unknown): DeclaredProject[] {
  const projects = submission && typeof submission === "object" ? (submission as { projects?: unknown }).projects : undefined;
  if (!Array.isArray(projects)) return [];
  const str = (v: unknown) => (typeof v === "string" ? v : v == null ? "" : String(v));
  return projects
    .filter((p): p is Record<string, unknown> => !!p && typeof p === "object")
    .map((p) => {
      const category = str(p.category);
      const places = Number(p.fundedPlaces);
      return {
        category,
        categoryLabel: SAI_CATEGORY_LABELS[category as keyof typeof SAI_CATEGORY_LABELS] ?? category,
        fundedPlaces: Number.isInteger(places) ? places : null,
        projectCode: str(p.projectCode) || null,
        managingOrganization: str(p.managingOrganization),
        startDate: str(p.startDate),
        endDate: str(p.endDate),
      };
    });
}


const PROJECT_AUDIT_ACTIONS = new Set(["sai_project.added", "sai_project.updated", "sai_project.closed", "sai_project.reopened"]);

/** An audited value as the page shows it: a project's tipologia by its label, dates as dd/mm/yyyy. */
function showAuditValue(field: string, value: unknown, isProject: boolean) {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value);
  if (!isProject) return text;
  if (field === "category") return SAI_CATEGORY_LABELS[text as keyof typeof SAI_CATEGORY_LABELS] ?? text;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text.split("-").reverse().join("/");
  if (field === "closedAt" && !Number.isNaN(Date.parse(text))) return formatDateIt(new Date(text));
  return text;
}

function auditChanges(action: string, details: Record<string, unknown>) {
  const isProject = PROJECT_AUDIT_ACTIONS.has(action);
  const before = details.before && typeof details.before === "object" ? (details.before as Record<string, unknown>) : null;
  const after = details.after && typeof details.after === "object" ? (details.after as Record<string, unknown>) : null;
  // A project added has only its values after.
  if (!after || (!before && !isProject)) return [];
  const labels: Record<string, string> = isProject ? PROJECT_FIELD_LABELS : EDITABLE_FIELD_LABELS;
  return Object.keys(after).map((field) => ({
    field,
    label: labels[field] ?? field,
    before: showAuditValue(field, before?.[field], isProject),
    after: showAuditValue(field, after[field], isProject),
  }));
}

/** The :id of a route as a request id; anything else is null (a 404). */
export const parseRequestId = (value: string | undefined) => parseRecordId(value);

/** The audit entry of a download of a request's printable scheda (personal data leaving the portal). */
export function recordSchedaDownload(db: Db, { coordinatorId, requestId }: { coordinatorId: number; requestId: number }) {
  recordAudit(db, { actorType: "coordinator", actorId: coordinatorId, action: "membership.scheda_downloaded", entityType: "membership_request", entityId: requestId });
}

export function membershipRequestExists(db: Db, { id }: { id: number }) {
  return !!db.select({ id: membershipRequests.id }).from(membershipRequests).where(eq(membershipRequests.id, id)).get();
}

const declaringRequest = alias(membershipRequests, "declaring_request");

/** How the ente's page marks a project declared by another scheda that is not approved. */
const NOT_YET_OF_BODY: Partial<Record<MembershipStatus, string>> = {
  email_unverified: "Dichiarato in una scheda non confermata",
  pending: "Dichiarato in una scheda in attesa di approvazione",
  rejected: "Dichiarato in una scheda respinta",
};

/** A project a handover scheda declares that the ente already has (decision 021): before the approval, and once approved. */
const ALREADY_REGISTERED = {
  willNotBeAdded: "Già registrato per l'ente: non sarà aggiunto di nuovo",
  willUpdate: "Già registrato per l'ente con dati meno recenti: non sarà aggiunto di nuovo, ma aggiornerà quello registrato",
  notAdded: "Già registrato per l'ente: non aggiunto di nuovo",
} as const;

export function getMembershipRequestDetail(db: Db, { id, appUrl, now = new Date() }: { id: number; appUrl: string; now?: Date }) {
  const decider = alias(coordinators, "decider");
  const found = db
    .select({
      request: membershipRequests,
      body: memberBodies,
      referent: referents,
      municipalityName: municipalities.name,
      provinceName: provinces.name,
      provinceSigla: provinces.sigla,
      decidedByName: decider.name,
    })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .leftJoin(municipalities, eq(municipalities.istatCode, memberBodies.municipalityCode))
    .leftJoin(provinces, eq(provinces.code, memberBodies.provinceCode))
    .leftJoin(decider, eq(decider.id, membershipRequests.decidedById))
    .where(eq(membershipRequests.id, id))
    .get();
  if (!found) return null;
  const { request, body, referent } = found;

  const referentHistory = db
    .select({ referent: referents, requestId: membershipRequests.id, requestStatus: membershipRequests.status })
    .from(referents)
    .leftJoin(membershipRequests, eq(membershipRequests.referentId, referents.id))
    .where(eq(referents.memberBodyId, body.id))
    .orderBy(desc(referents.id))
    .all()
    .map(({ referent: r, requestId, requestStatus }) => ({
      id: r.id,
      firstName: r.firstName,
      lastName: r.lastName,
      role: r.role,
      roleLabel: REFERENT_ROLE_LABELS[r.role],
      email: r.email,
      validFrom: r.validFrom,
      validTo: r.validTo,
      isCurrent: r.validFrom !== null && r.validTo === null,
      isThisRequest: r.id === referent.id,
      requestId,
      requestStatusLabel: requestStatus ? MEMBERSHIP_STATUS_LABELS[requestStatus] : null,
    }));
  const currentReferent = referentHistory.find((r) => r.isCurrent) ?? null;
  const beforeDecision = request.status === "pending" || request.status === "email_unverified";
  // Approving this scheda as a handover (someone else is in office) and keeping the ente's projects would not add these again.
  const repeating = new Map(
    (beforeDecision && currentReferent && currentReferent.id !== referent.id ? registeredProjectMatches(db, { request }) : []).map((m) => [m.declared.id, m]),
  );
  const willBeAddedLabel = (id: number) => {
    const match = repeating.get(id);
    if (!match) return null;
    if (match.same) return ALREADY_REGISTERED.willNotBeAdded;
    return `${ALREADY_REGISTERED.willUpdate} (${registeredProjectChanges(match).map((f) => PROJECT_FIELD_LABELS[f].toLowerCase()).join(", ")})`;
  };

  const projects = db
    .select({ project: saiProjects, counted: notAwaitingApproval().mapWith(Boolean), declaringStatus: declaringRequest.status })
    .from(saiProjects)
    .leftJoin(declaringRequest, eq(declaringRequest.id, saiProjects.requestId))
    .where(eq(saiProjects.memberBodyId, body.id))
    .orderBy(saiProjects.closedAt, desc(saiProjects.startDate), desc(saiProjects.id))
    .all()
    .map(({ project: p, counted, declaringStatus }) => ({
      ...projectView(p, now),
      /** Declared by another scheda not approved: not the ente's (nor counted) unless that one is approved. */
      notYetOfBody: !counted && declaringStatus && p.requestId !== request.id ? (NOT_YET_OF_BODY[declaringStatus] ?? null) : null,
      /** Declared again by a handover scheda, the ente having it already: not added (or not to be added, keeping the ente's). */
      alreadyRegistered: p.alreadyRegistered ? ALREADY_REGISTERED.notAdded : willBeAddedLabel(p.id),
      requestId: p.requestId,
    }));

  const otherRequests = db
    .select({ request: membershipRequests, firstName: referents.firstName, lastName: referents.lastName })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(and(eq(membershipRequests.memberBodyId, body.id), ne(membershipRequests.id, request.id)))
    .orderBy(desc(membershipRequests.id))
    .all()
    .map(({ request: r, firstName, lastName }) => ({
      id: r.id,
      status: r.status,
      statusLabel: MEMBERSHIP_STATUS_LABELS[r.status],
      kind: r.kind,
      kindLabel: MEMBERSHIP_KIND_LABELS[r.kind],
      referentName: `${firstName} ${lastName}`,
      createdAt: r.createdAt,
    }));

  const emails = db
    .select()
    .from(outbox)
    .where(eq(outbox.memberBodyId, body.id))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .all()
    .map((row) => ({
      id: row.id,
      recipient: row.recipient,
      template: row.template,
      // As in /admin/posta: the subject of a sign-in code email holds the code, hidden here.
      subject: outboxSubjectForCoordinators(row, { appUrl }) ?? emailTemplateLabel(row.template),
      status: row.status,
      statusLabel: OUTBOX_STATUS_LABELS[row.status],
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      sentAt: row.sentAt,
    }));

  const actor = alias(coordinators, "actor");
  const actingReferent = alias(referents, "acting_referent");
  // Named as /admin/registro names them: a referente by name, and the public form by the referente
  // whose request it sent or confirmed.
  const actorLabelOf = (entry: typeof auditLog.$inferSelect, coordinatorName: string | null, acting: { firstName: string; lastName: string } | null) => {
    if (coordinatorName) return coordinatorName;
    if (acting) return referentActorLabel(acting.firstName, acting.lastName);
    if (entry.actorType === "public" && entry.entityType === "membership_request" && entry.entityId === String(request.id)) {
      return referentActorLabel(referent.firstName, referent.lastName);
    }
    return AUDIT_ACTOR_LABELS[entry.actorType];
  };
  const audit = db
    .select({
      entry: auditLog,
      actorName: actor.name,
      acting: { firstName: actingReferent.firstName, lastName: actingReferent.lastName },
    })
    .from(auditLog)
    .leftJoin(actor, and(eq(auditLog.actorType, "coordinator"), eq(actor.id, auditLog.actorId)))
    .leftJoin(actingReferent, and(eq(auditLog.actorType, "referent"), eq(actingReferent.id, auditLog.actorId)))
    .where(
      or(
        and(eq(auditLog.entityType, "membership_request"), eq(auditLog.entityId, String(request.id))),
        and(eq(auditLog.entityType, "member_body"), eq(auditLog.entityId, String(body.id))),
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .all()
    .map(({ entry, actorName, acting }) => {
      const details = entry.details ?? {};
      return {
        id: entry.id,
        action: entry.action,
        actionLabel: auditActionTitle(entry.action),
        actorType: entry.actorType,
        actorLabel: actorLabelOf(entry, actorName, acting),
        entityType: entry.entityType,
        createdAt: entry.createdAt,
        details,
        /** An edit's fields with their labels, values before and after. */
        changes: auditChanges(entry.action, details),
        /** The project an entry about a project concerns, by name. */
        project: PROJECT_AUDIT_ACTIONS.has(entry.action) ? (projects.find((p) => p.id === details.projectId)?.name ?? null) : null,
        reason: typeof details.reason === "string" ? details.reason : null,
        /** The file and row an import wrote this from. */
        importedFrom: details.source === "importazione" ? readImportSource(details) : null,
      };
    });

  return {
    request: {
      id: request.id,
      status: request.status,
      statusLabel: MEMBERSHIP_STATUS_LABELS[request.status],
      kind: request.kind,
      kindLabel: MEMBERSHIP_KIND_LABELS[request.kind],
      createdAt: request.createdAt,
      confirmedAt: request.confirmedAt,
      /** The file and line an imported request came from (null: a scheda sent from /adesione). */
      importedFrom: importedFrom(request.submission),
      updatedAt: request.updatedAt,
      decidedAt: request.decidedAt,
      decisionReason: request.decisionReason,
      decidedByName: found.decidedByName,
      noActiveProjects: request.noActiveProjects,
      declaredProjects: declaredProjects(request.submission),
    },
    body: {
      id: body.id,
      kind: body.kind,
      kindLabel: MEMBER_BODY_KIND_LABELS[body.kind],
      name: body.name,
      municipalityCode: body.municipalityCode,
      municipalityName: found.municipalityName,
      provinceName: found.provinceName,
      provinceSigla: found.provinceSigla,
      pec: body.pec,
      fiscalCode: body.fiscalCode,
      status: body.status,
      statusLabel: MEMBER_BODY_STATUS_LABELS[body.status],
    },
    referent: {
      id: referent.id,
      firstName: referent.firstName,
      lastName: referent.lastName,
      role: referent.role,
      roleLabel: REFERENT_ROLE_LABELS[referent.role],
      office: referent.office,
      email: referent.email,
      phone: referent.phone,
      mobile: referent.mobile,
      phoneDisplay: displayPhone(referent.phone),
      mobileDisplay: displayPhone(referent.mobile),
      privacyConsentAt: referent.privacyConsentAt,
      privacyNoticeVersion: referent.privacyNoticeVersion,
      emailVerifiedAt: referent.emailVerifiedAt,
      validFrom: referent.validFrom,
      validTo: referent.validTo,
    },
    /** The ente's active referente, who an approved handover would replace (null if none). */
    currentReferent,
    /**
     * Before the decision: the ente's data as this scheda declares it, where it differs from what is
     * recorded. The approval applies `applied`; `kept` are fields a coordinator corrected after the
     * scheda was sent, which stay as recorded.
     */
    declaredBodyChanges: beforeDecision ? declaredBodyRows(db, body, request) : { applied: [], kept: [] },
    /** The ente's own open projects, which approving this scheda as a handover may replace (not this scheda's, nor another one's still waiting). */
    replaceableProjects: db
      .select({ id: saiProjects.id })
      .from(saiProjects)
      .where(replaceableProjects({ memberBodyId: body.id, requestId: request.id }))
      .all().length,
    /** Before the decision of a handover: how many projects this scheda declares that the ente already has open. */
    alreadyRegisteredProjects: repeating.size,
    referentHistory,
    projects,
    /** The ente's invitations to the Tavoli tecnici, through all its referenti. */
    participation: getBodyParticipation(db, { memberBodyId: body.id }),
    otherRequests,
    emails,
    audit,
  };
}

export type MembershipRequestDetail = NonNullable<ReturnType<typeof getMembershipRequestDetail>>;

/** The values of the edit form ("Modifica dati"), phones written as people write them. */
function editValuesOf(body: typeof memberBodies.$inferSelect, referent: typeof referents.$inferSelect) {
  return {
    bodyKind: body.kind as string,
    bodyName: body.name,
    provinceCode: body.provinceCode ?? "",
    pec: body.pec,
    fiscalCode: body.fiscalCode,
    firstName: referent.firstName,
    lastName: referent.lastName,
    role: referent.role as string,
    office: referent.office,
    email: referent.email,
    phone: displayPhone(referent.phone) ?? "",
    mobile: displayPhone(referent.mobile) ?? "",
  };
}

/**
 * What the edit form was loaded with, as a short fingerprint the form sends back: a save is refused
 * when the data changed meanwhile (another coordinator's save, the referente's own update, an
 * approval), instead of putting back, unseen, the values the form still shows.
 */
const editVersionOf = (values: ReturnType<typeof editValuesOf>) => formVersionOf(values);

function requestWithBodyAndReferent(db: Db | Tx, id: number) {
  return db
    .select({ body: memberBodies, referent: referents })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(eq(membershipRequests.id, id))
    .get();
}

/** The current values of the edit form ("Modifica dati") and their version (`editVersionOf`). */
export function getMembershipEditValues(db: Db, { id }: { id: number }) {
  const found = requestWithBodyAndReferent(db, id);
  if (!found) return null;
  const { body, referent } = found;
  const values = editValuesOf(body, referent);
  return { requestId: id, bodyKind: body.kind, bodyKindLabel: MEMBER_BODY_KIND_LABELS[body.kind], values, version: editVersionOf(values) };
}

/** Said when the data changed after the form was loaded (status 409): what was typed stays in the form. */
export const EDIT_CONFLICT_ERROR =
  "Nel frattempo questi dati sono stati modificati (da un altro coordinatore o dal referente): ricarica la pagina per vedere la versione attuale, poi ripeti la modifica.";

type FieldValue = string | null;

export type UpdateMembershipResult =
  | { ok: true; changed: EditableField[]; failedEmailsReaddressed?: number }
  | { ok: false; notFound: true }
  | { ok: false; notFound?: false; conflict: true; formError: string }
  | { ok: false; notFound?: false; fieldErrors: Partial<Record<EditableField, string>> };

/**
 * A coordinator's correction of the ente (denominazione for kinds other than Comune, PEC, codice
 * fiscale) and of the request's referente. Only the fields that really change are written and
 * audited, with their values before and after, in one transaction. `version` is the one the form
 * was loaded with (`getMembershipEditValues`): if the data changed since, nothing is written
 * (`conflict`). The form always sends it; only a caller that has just read the data omits it.
 */
export function updateMembershipFields(
  db: Db,
  {
    id,
    coordinatorId,
    changes,
    version,
    appUrl,
    now = new Date(),
  }: { id: number; coordinatorId: number; changes: MembershipEdit; version?: string; appUrl: string; now?: Date },
): UpdateMembershipResult {
  return db.transaction((tx): UpdateMembershipResult => {
    const found = requestWithBodyAndReferent(tx, id);
    if (!found) return { ok: false, notFound: true };
    const { body, referent } = found;
    if (version !== undefined && editVersionOf(editValuesOf(body, referent)) !== version) return { ok: false, conflict: true, formError: EDIT_CONFLICT_ERROR };

    const owner = tx
      .select({ id: memberBodies.id, name: memberBodies.name })
      .from(memberBodies)
      .where(and(eq(memberBodies.fiscalCode, changes.fiscalCode), ne(memberBodies.id, body.id)))
      .get();
    if (owner) {
      return {
        ok: false,
        fieldErrors: { fiscalCode: `Questo codice fiscale appartiene a un altro ente già registrato (${owner.name}): controllalo` },
      };
    }

    // A Comune's province is its comune's; for other enti it is chosen from the list.
    if (body.kind !== "comune" && !isKnownProvince(db, changes.provinceCode)) {
      return { ok: false, fieldErrors: { provinceCode: "Provincia non riconosciuta: sceglila dall'elenco" } };
    }
    const current: Record<EditableField, FieldValue> = {
      bodyName: body.name,
      provinceCode: body.provinceCode,
      pec: body.pec,
      fiscalCode: body.fiscalCode,
      firstName: referent.firstName,
      lastName: referent.lastName,
      role: referent.role,
      office: referent.office,
      email: referent.email,
      phone: referent.phone,
      mobile: referent.mobile,
    };
    const wanted: Record<EditableField, FieldValue> = {
      // The name of a Comune comes from the ISTAT list and is not edited by hand.
      bodyName: body.kind === "comune" ? body.name : (changes.bodyName ?? "").trim(),
      provinceCode: body.kind === "comune" ? body.provinceCode : changes.provinceCode,
      pec: changes.pec,
      fiscalCode: changes.fiscalCode,
      firstName: changes.firstName,
      lastName: changes.lastName,
      role: changes.role,
      office: changes.office,
      email: changes.email,
      phone: changes.phone,
      mobile: changes.mobile ?? null,
    };
    const changed = (Object.keys(EDITABLE_FIELD_LABELS) as EditableField[]).filter((f) => current[f] !== wanted[f]);
    if (changed.length === 0) return { ok: true, changed };

    const before: Partial<Record<EditableField, FieldValue>> = {};
    const after: Partial<Record<EditableField, FieldValue>> = {};
    // The log shows a province by name, as the coordinator chose it.
    for (const field of changed) {
      before[field] = field === "provinceCode" ? provinceName(db, current[field]) : current[field];
      after[field] = field === "provinceCode" ? provinceName(db, wanted[field]) : wanted[field];
    }

    const bodyFields: EditableField[] = ["bodyName", "provinceCode", "pec", "fiscalCode"];
    if (changed.some((f) => bodyFields.includes(f))) {
      tx.update(memberBodies)
        .set({ name: wanted.bodyName!, provinceCode: wanted.provinceCode, pec: wanted.pec!, fiscalCode: wanted.fiscalCode!, updatedAt: now })
        .where(eq(memberBodies.id, body.id))
        .run();
    }
    if (changed.some((f) => !bodyFields.includes(f))) {
      tx.update(referents)
        .set({
          firstName: wanted.firstName!,
          lastName: wanted.lastName!,
          role: changes.role,
          office: wanted.office!,
          email: wanted.email!,
          phone: wanted.phone!,
          mobile: wanted.mobile,
          // A corrected address is not one the person has confirmed (signing in with a code will).
          ...(changed.includes("email") ? { emailVerifiedAt: null } : {}),
        })
        .where(eq(referents.id, referent.id))
        .run();
    }
    if (changed.includes("email")) {
      moveInvitations(tx, {
        referentId: referent.id,
        from: referent.email,
        to: wanted.email!,
        name: `${wanted.firstName} ${wanted.lastName}`,
        memberBodyId: body.id,
        appUrl,
        now,
      });
    }
    const readdressed = changed.includes("email") ? readdressWaitingEmails(tx, { memberBodyId: body.id, from: referent.email, to: wanted.email!, now }) : { failed: 0 };
    tx.update(membershipRequests).set({ updatedAt: now }).where(eq(membershipRequests.id, id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "membership.edited",
      entityType: "membership_request",
      entityId: id,
      details: { memberBodyId: body.id, referentId: referent.id, before, after },
    });
    return { ok: true, changed, failedEmailsReaddressed: readdressed.failed };
  });
}

function importedFrom(submission: unknown): ImportSource | null {
  const from = submission && typeof submission === "object" ? (submission as { importedFrom?: unknown }).importedFrom : undefined;
  return readImportSource(from);
}
