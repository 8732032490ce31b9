import { asc, eq, inArray, or, sql } from "drizzle-orm";
import {
  auditLog,
  invitations,
  memberBodies,
  membershipRequests,
  municipalities,
  outbox,
  projectHostMunicipalities,
  referentEmailChanges,
  referents,
  roundTables,
  saiProjects,
} from "#db/schema";
import type { Db } from "~/utils/db.server";
import { lower, personRows, relatedAuditCondition } from "./privacy.server";

// What a referente can download about themselves (GDPR arts. 15 and 20): every referente row of
// the person (same email address) and what is linked to them, as plain JSON-ready data.

export type ReferentDataExport = ReturnType<typeof buildExport>;

export function exportReferentData(db: Db, { referentId, now = new Date() }: { referentId: number; now?: Date }) {
  const person = personRows(db, referentId);
  if (!person) return null;
  return buildExport(db, person.rows, now);
}

function buildExport(db: Db, rows: (typeof referents.$inferSelect)[], now: Date) {
  const referentIds = rows.map((r) => r.id);
  const emails = [...new Set(rows.map((r) => lower(r.email)))];
  const requests = db
    .select()
    .from(membershipRequests)
    .where(inArray(membershipRequests.referentId, referentIds))
    .orderBy(asc(membershipRequests.id))
    .all();
  const requestIds = requests.map((r) => r.id);
  const bodyIds = [...new Set([...rows.map((r) => r.memberBodyId), ...requests.map((r) => r.memberBodyId)])];
  const bodies = db
    .select({ body: memberBodies, municipalityName: municipalities.name })
    .from(memberBodies)
    .leftJoin(municipalities, eq(municipalities.istatCode, memberBodies.municipalityCode))
    .where(inArray(memberBodies.id, bodyIds))
    .orderBy(asc(memberBodies.id))
    .all();

  // Projects the person declared, and every project of an ente while they are its active referente.
  const activeBodyIds = rows.filter((r) => r.validFrom && !r.validTo && !r.erasedAt).map((r) => r.memberBodyId);
  const projectConditions = [
    requestIds.length ? inArray(saiProjects.requestId, requestIds) : undefined,
    activeBodyIds.length ? inArray(saiProjects.memberBodyId, activeBodyIds) : undefined,
  ].filter(Boolean);
  const projects = projectConditions.length
    ? db.select().from(saiProjects).where(or(...projectConditions)).orderBy(asc(saiProjects.id)).all()
    : [];
  const hosts = projects.length
    ? db
        .select({ projectId: projectHostMunicipalities.projectId, code: municipalities.istatCode, name: municipalities.name })
        .from(projectHostMunicipalities)
        .innerJoin(municipalities, eq(municipalities.istatCode, projectHostMunicipalities.municipalityCode))
        .where(inArray(projectHostMunicipalities.projectId, projects.map((p) => p.id)))
        .all()
    : [];

  const emailChanges = db
    .select({ newEmail: referentEmailChanges.newEmail, expiresAt: referentEmailChanges.expiresAt, createdAt: referentEmailChanges.createdAt })
    .from(referentEmailChanges)
    .where(inArray(referentEmailChanges.referentId, referentIds))
    .orderBy(asc(referentEmailChanges.id))
    .all();

  const invitationRows = db
    .select({ invitation: invitations, roundTable: roundTables })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    .where(or(inArray(invitations.referentId, referentIds), inArray(sql`lower(${invitations.email})`, emails)))
    .orderBy(asc(roundTables.startsAt), asc(invitations.id))
    .all();
  const invitationIds = invitationRows.map((r) => r.invitation.id);

  const emailsSent = db
    .select({
      id: outbox.id,
      recipient: outbox.recipient,
      template: outbox.template,
      subject: outbox.subject,
      category: outbox.category,
      status: outbox.status,
      attempts: outbox.attempts,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
      updatedAt: outbox.updatedAt,
    })
    .from(outbox)
    .where(inArray(sql`lower(${outbox.recipient})`, emails))
    .orderBy(asc(outbox.id))
    .all();

  const activity = db
    .select()
    .from(auditLog)
    .where(relatedAuditCondition({ referentIds, requestIds, invitationIds }))
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id))
    .all()
    .map((a) => ({
      id: a.id,
      createdAt: a.createdAt,
      action: a.action,
      // Who acted: the kind only; coordinators' identities are not the person's data.
      actorType: a.actorType,
      entityType: a.entityType,
      entityId: a.entityId,
      details: a.details ?? null,
    }));

  return {
    formatVersion: 1,
    generatedAt: now,
    controller: "ANCI Sicilia - Coordinamento dei Comuni siciliani aderenti alla Rete SAI",
    emails,
    // The search columns are a folded copy of the names, kept for the member list's search.
    referents: rows.map(({ searchText: _copy, ...r }) => ({
      ...r,
      memberBodyName: bodies.find((b) => b.body.id === r.memberBodyId)?.body.name ?? null,
    })),
    pendingEmailChanges: emailChanges,
    membershipRequests: requests.map(({ confirmationTokenHash: _secret, decidedById: _by, ...r }) => r),
    memberBodies: bodies.map(({ body: { searchName: _copy, ...body }, municipalityName }) => ({ ...body, municipalityName })),
    projects: projects.map((p) => ({ ...p, hostMunicipalities: hosts.filter((h) => h.projectId === p.id).map(({ code, name }) => ({ code, name })) })),
    invitations: invitationRows.map(({ invitation: { tokenHash: _secret, ...i }, roundTable: rt }) => ({
      ...i,
      roundTable: { id: rt.id, number: rt.number, title: rt.title, startsAt: rt.startsAt, endsAt: rt.endsAt, mode: rt.mode, status: rt.status },
    })),
    emailsSent,
    activity,
  };
}
