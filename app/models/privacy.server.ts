import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import {
  auditLog,
  invitations,
  memberBodies,
  membershipRequests,
  outbox,
  referentEmailChanges,
  referentLoginCodes,
  referents,
  saiProjects,
  sessions,
} from "#db/schema";
import { checkpointAndTruncateWal, type Db, type Tx } from "~/utils/db.server";
import { deleteImportUploadsMentioning } from "~/utils/import-store.server";
import { formatDateIt } from "~/utils/dates";
import { erasedEmail, isErasedAddress } from "~/utils/erased-address";
import { auditDetailsColumns, auditSearchTextOfJson, recordAudit } from "./audit.server";
import { listActiveCoordinators } from "./coordinator.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { isProposal } from "./referent-area.server";

// The rights of a referente over their personal data (GDPR arts. 15, 17, 21). The export is in
// privacy-export.server.ts; the retention of requests that never became memberships, which
// anonymises as an erasure does, in request-retention.server.ts.
//
// "The person" behind a referentId is every referente row with the same email address: one person
// can have several rows (a new scheda after a rejection, a second ente, a past term). The export
// shows all of them and an erasure anonymises all of them.
//
// Erasure anonymises rather than deletes, so the history of the ente and the figures of the
// network (enti, projects, places, invitations and answers) stay as they were. It works in three
// layers, all in one transaction:
//  1. the records known to be about the person (referente rows, their requests' submission, their
//     invitations, the emails addressed to them, their sessions and the audit entries about them)
//     are rewritten field by field;
//  2. every text column of every other table (except the coordinators' accounts and reference data)
//     is searched for the person's email addresses, phone numbers in any common spelling and full
//     name, and each occurrence is replaced: this catches, for example, the successor's name in the
//     notice sent to the previous referente, or an address quoted in a delivery error;
//  3. one audit entry per anonymised row, without personal data.
// If the person was the active referente of an ente, their term ends today; the ente stays a member
// without a referente until a new scheda (handover) is approved.

export const ERASED_FIRST_NAME = "Interessato";
export const ERASED_LAST_NAME = "cancellato";
export const ERASED_FULL_NAME = `${ERASED_FIRST_NAME} ${ERASED_LAST_NAME}`;
const ERASED_TEXT = "[dato cancellato]";
const ERASED_PHONE = "[telefono cancellato]";
const WITHDRAWN_REASON = "Ritirata: dati del referente cancellati su sua richiesta.";

export { erasedEmail, isErasedAddress };

export const lower = (v: string) => v.trim().toLowerCase();

/** Every referente row of the person behind `referentId` (same email address), or null. */
export function personRows(db: Db | Tx, referentId: number) {
  const target = db.select().from(referents).where(eq(referents.id, referentId)).get();
  if (!target) return null;
  const rows = db
    .select()
    .from(referents)
    .where(sql`lower(${referents.email}) = ${lower(target.email)}`)
    .orderBy(asc(referents.id))
    .all();
  return { target, rows };
}

/** The audit entries about the person: their referente rows, their requests and their invitations, or done by them. */
export function relatedAuditCondition({ referentIds, requestIds, invitationIds }: { referentIds: number[]; requestIds: number[]; invitationIds: number[] }) {
  const ids = (values: number[]) => values.map(String);
  const conditions = [
    and(eq(auditLog.entityType, "referent"), inArray(auditLog.entityId, ids(referentIds))),
    and(eq(auditLog.actorType, "referent"), inArray(auditLog.actorId, referentIds)),
  ];
  if (requestIds.length) conditions.push(and(eq(auditLog.entityType, "membership_request"), inArray(auditLog.entityId, ids(requestIds))));
  if (invitationIds.length) conditions.push(and(eq(auditLog.entityType, "invitation"), inArray(auditLog.entityId, ids(invitationIds))));
  return or(...conditions);
}

// ---------------------------------------------------------------------------------------------
// Preferences and the erasure request (made by the referente).

export function getPrivacySettings(db: Db, { referentId }: { referentId: number }) {
  const person = personRows(db, referentId);
  if (!person) return null;
  const pending = pendingErasureOf(db, person.rows);
  return { receivesCommunications: person.target.receivesCommunications, erasureRequestedAt: pending?.requestedAt ?? null };
}

/** The person's erasure request still to be executed (made from any of their referente rows), if any. */
function pendingErasureOf(db: Db | Tx, rows: { id: number }[]) {
  const ids = new Set(rows.map((r) => r.id));
  return pendingErasureRequests(db).find((p) => ids.has(p.referentId));
}

export type ErasureRequestResult = { ok: true; alreadyRequested: boolean } | { ok: false; error: string };

/**
 * Records the referente's request to erase their data, tells every active coordinator, who
 * executes it from /admin/cancellazioni, and acknowledges it to the person (who can withdraw it
 * until then: withdrawErasure). Asking again while a request is pending changes nothing.
 */
export function requestErasure(
  db: Db,
  { referentId, appUrl, now = new Date() }: { referentId: number; appUrl: string; now?: Date },
): ErasureRequestResult {
  return db.transaction((tx): ErasureRequestResult => {
    const person = personRows(tx, referentId);
    if (!person || person.target.erasedAt) return { ok: false, error: "Referente non trovato." };
    if (pendingErasureOf(tx, person.rows)) return { ok: true, alreadyRequested: true };

    const body = tx.select({ name: memberBodies.name }).from(memberBodies).where(eq(memberBodies.id, person.target.memberBodyId)).get();
    recordAudit(tx, {
      actorType: "referent",
      actorId: referentId,
      action: "referent.erasure_requested",
      entityType: "referent",
      entityId: referentId,
      details: { memberBodyId: person.target.memberBodyId },
    });
    // The email names the ente and the request, not the person: nothing to scrub from it later. Only
    // admins can carry out an erasure (/admin/cancellazioni), so only they are told.
    for (const coordinator of listActiveCoordinators(tx, { role: "admin" })) {
      queueEmail(tx, {
        to: coordinator.email,
        template: "erasure-requested",
        props: {
          coordinatorName: coordinator.name,
          bodyName: body?.name ?? "",
          referentId,
          requestedOn: formatDateIt(now),
          erasuresUrl: `${appUrl}/admin/cancellazioni`,
        },
        memberBodyId: person.target.memberBodyId,
        domain: messageDomainOf(appUrl),
      });
    }
    // The acknowledgement goes to the address of the referente row that asked: if someone else
    // asked in the person's name, this is how the person finds out (and withdraws it).
    queueEmail(tx, {
      to: person.target.email,
      template: "erasure-request-received",
      props: {
        firstName: person.target.firstName,
        lastName: person.target.lastName,
        bodyName: body?.name ?? "",
        requestedOn: formatDateIt(now),
        privacyUrl: `${appUrl}/area-referente/privacy`,
      },
      memberBodyId: person.target.memberBodyId,
      domain: messageDomainOf(appUrl),
    });
    return { ok: true, alreadyRequested: false };
  });
}

export type ErasureWithdrawalResult = { ok: true } | { ok: false; error: string };

/**
 * The referente withdraws their pending erasure request: a `referent.erasure_withdrawn` entry on
 * the referente row that asked, after which the request is no longer pending (coordinators no
 * longer see it in /admin/cancellazioni and cannot execute it). Nothing else changes.
 */
export function withdrawErasure(db: Db, { referentId }: { referentId: number }): ErasureWithdrawalResult {
  return db.transaction((tx): ErasureWithdrawalResult => {
    const person = personRows(tx, referentId);
    if (!person || person.target.erasedAt) return { ok: false, error: "Referente non trovato." };
    const pending = pendingErasureOf(tx, person.rows);
    if (!pending) return { ok: false, error: "Non c'è una richiesta di cancellazione in attesa da ritirare." };
    recordAudit(tx, {
      actorType: "referent",
      actorId: referentId,
      action: "referent.erasure_withdrawn",
      entityType: "referent",
      entityId: pending.referentId,
      details: { memberBodyId: person.target.memberBodyId },
    });
    return { ok: true };
  });
}

type PendingErasure = { referentId: number; requestedAt: Date; auditId: number };

/**
 * `referent.erasure_requested` entries not followed by a `referent.erased` (executed) or a
 * `referent.erasure_withdrawn` (withdrawn by the referente) of the same referente.
 */
function pendingErasureRequests(db: Db | Tx): PendingErasure[] {
  const later = sql`SELECT 1 FROM audit_log e WHERE e.action IN ('referent.erased', 'referent.erasure_withdrawn') AND e.entity_type = 'referent'
    AND e.entity_id = ${auditLog.entityId} AND e.id > ${auditLog.id}`;
  return db
    .select({ entityId: auditLog.entityId, id: auditLog.id, createdAt: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.action, "referent.erasure_requested"), eq(auditLog.entityType, "referent"), sql`NOT EXISTS (${later})`))
    .orderBy(asc(auditLog.id))
    .all()
    .map((r) => ({ referentId: Number(r.entityId), requestedAt: r.createdAt, auditId: r.id }))
    .filter((r, i, all) => Number.isInteger(r.referentId) && all.findIndex((o) => o.referentId === r.referentId) === i);
}

/** The requests coordinators still have to execute, oldest first, with who asked. */
export function listPendingErasures(db: Db) {
  const pending = pendingErasureRequests(db);
  if (pending.length === 0) return [];
  const rows = db
    .select({ referent: referents, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(inArray(referents.id, pending.map((p) => p.referentId)))
    .all();
  return pending.flatMap((p) => {
    const row = rows.find((r) => r.referent.id === p.referentId);
    if (!row || row.referent.erasedAt) return [];
    const r = row.referent;
    return [
      {
        referentId: r.id,
        requestedAt: p.requestedAt,
        name: `${r.firstName} ${r.lastName}`,
        email: r.email,
        bodyName: row.bodyName,
        isActiveReferent: !!r.validFrom && !r.validTo,
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Erasure (art. 17), executed by a coordinator.

/** scrubbedMessageIds: the emails to the person, whose local copies (no SMTP_URL) are to be deleted. */
export type ErasureResult = { ok: true; erasedReferentIds: number[]; endedTerms: number; scrubbedMessageIds: string[] } | { ok: false; error: string };

/**
 * Executes the person's pending erasure request (see the top of this file). Then, outside the
 * database, the import previews that hold the person's data are deleted, and the WAL is copied into
 * the database file and emptied, so that no older copy of the rewritten pages stays on disk (with
 * secure_delete, db.server.ts, the space the old values took is zeroed). Decision 027.
 */
export function eraseReferent(
  db: Db,
  { referentId, coordinatorId, appUrl, now = new Date() }: { referentId: number; coordinatorId: number; appUrl: string; now?: Date },
): ErasureResult {
  registerMatcher(db);
  // The check of the import previews is the transaction's traces', used once it has committed.
  let mentions: (text: string) => boolean = () => false;
  const result = db.transaction((tx): ErasureResult => {
    const person = personRows(tx, referentId);
    if (!person) return { ok: false, error: "Referente non trovato." };
    if (person.target.erasedAt) return { ok: false, error: "I dati di questo referente sono già stati cancellati." };
    const rows = person.rows.filter((r) => !r.erasedAt);
    const ids = rows.map((r) => r.id);
    const request = pendingErasureRequests(tx).find((p) => ids.includes(p.referentId));
    if (!request) return { ok: false, error: "Non c'è una richiesta di cancellazione in attesa per questo referente." };
    // The row that asked, as it was: its address had the acknowledgement and gets the notice below.
    const asker = rows.find((r) => r.id === request.referentId)!;

    const traces = collectTraces(tx, rows);
    const replacementEmail = erasedEmail(person.target.id);
    let endedTerms = 0;
    const withdrawnByReferent = new Map<number, number>();

    for (const r of rows) {
      const activeTerm = !!r.validFrom && !r.validTo;
      if (activeTerm) endedTerms++;
      tx.update(referents)
        .set({
          firstName: ERASED_FIRST_NAME,
          lastName: ERASED_LAST_NAME,
          role: "altro",
          office: "",
          email: erasedEmail(r.id),
          // The placeholder address was never confirmed by anyone: the row must not say it was, nor
          // keep when the person confirmed theirs.
          emailVerifiedAt: null,
          phone: "",
          mobile: null,
          receivesCommunications: false,
          erasedAt: now,
          validTo: activeTerm ? now : r.validTo,
        })
        .where(eq(referents.id, r.id))
        .run();

      // A scheda not yet decided cannot be approved for an anonymous person: it is withdrawn.
      const withdrawn = tx
        .update(membershipRequests)
        .set({
          status: "rejected",
          decidedById: coordinatorId,
          decidedAt: now,
          decisionReason: WITHDRAWN_REASON,
          confirmationTokenHash: null,
          confirmationExpiresAt: null,
          updatedAt: now,
        })
        .where(and(eq(membershipRequests.referentId, r.id), inArray(membershipRequests.status, ["email_unverified", "pending"])))
        .returning({ id: membershipRequests.id })
        .all();
      withdrawnByReferent.set(r.id, withdrawn.length);
      // A withdrawn successor proposal hands the ente's projects back, as withdrawing it does.
      for (const { id } of withdrawn) {
        const request = tx.select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!;
        if (isProposal(request)) tx.update(saiProjects).set({ requestId: null }).where(eq(saiProjects.requestId, id)).run();
      }

      for (const request of tx.select().from(membershipRequests).where(eq(membershipRequests.referentId, r.id)).all()) {
        tx.update(membershipRequests)
          .set({
            submission: anonymiseSubmission(request.submission, erasedEmail(r.id), traces),
            decisionReason: request.decisionReason === null ? null : traces.scrubRelated(request.decisionReason),
          })
          .where(eq(membershipRequests.id, request.id))
          .run();
      }

      tx.update(sessions)
        .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${now.getTime()})`, data: {} })
        .where(eq(sessions.referentId, r.id))
        .run();
      // Sign-in codes (hashes of the address) and address changes awaiting confirmation go entirely.
      tx.delete(referentLoginCodes).where(eq(referentLoginCodes.referentId, r.id)).run();
      tx.delete(referentEmailChanges).where(eq(referentEmailChanges.referentId, r.id)).run();
    }

    // Invitations keep their answer and attendance (the figures), not the address.
    for (const invitation of traces.invitations) {
      const owner = invitation.referentId && ids.includes(invitation.referentId) ? invitation.referentId : person.target.id;
      tx.update(invitations).set({ email: erasedEmail(owner), name: null }).where(eq(invitations.id, invitation.id)).run();
    }

    // Emails to the person: the log keeps that an email went out, not to whom or what it said.
    const emailOwner = new Map(rows.map((r) => [lower(r.email), r.id]));
    const scrubbedMessageIds: string[] = [];
    for (const mail of tx.select().from(outbox).where(inArray(sql`lower(${outbox.recipient})`, traces.emails)).all()) {
      scrubbedMessageIds.push(mail.messageId);
      const unsent = mail.status === "queued" || mail.status === "sending";
      tx.update(outbox)
        .set({
          recipient: erasedEmail(emailOwner.get(lower(mail.recipient)) ?? person.target.id),
          props: {},
          subject: mail.subject === null ? null : traces.scrubRelated(mail.subject),
          status: unsent ? "failed" : mail.status,
          lastError: unsent ? "Annullata: dati del destinatario cancellati." : mail.lastError === null ? null : traces.scrubRelated(mail.lastError),
          leaseUntil: null,
          updatedAt: now,
        })
        .where(eq(outbox.id, mail.id))
        .run();
    }

    scrubAuditEntries(tx, traces, replacementEmail);
    scrubEverywhere(tx, traces, replacementEmail);
    resampleStatistics(tx, traces);
    mentions = traces.mentions;

    // The person is told the request was carried out (art. 12(3) GDPR), at the address they asked
    // from; queued after the scrubbing, which would empty it. Delivered, the outbox forgets the
    // address and the props (outbox.server.ts). No name: the portal no longer has it.
    const body = tx.select({ name: memberBodies.name }).from(memberBodies).where(eq(memberBodies.id, asker.memberBodyId)).get();
    queueEmail(tx, {
      to: asker.email,
      template: "erasure-completed",
      props: { bodyName: body?.name ?? "", erasedOn: formatDateIt(now), termEnded: endedTerms > 0, referentId: asker.id },
      memberBodyId: asker.memberBodyId,
      domain: messageDomainOf(appUrl),
    });

    for (const r of rows) {
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "referent.erased",
        entityType: "referent",
        entityId: r.id,
        details: {
          memberBodyId: r.memberBodyId,
          termEnded: !!r.validFrom && !r.validTo,
          requestsWithdrawn: withdrawnByReferent.get(r.id) ?? 0,
        },
      });
    }
    return { ok: true, erasedReferentIds: ids, endedTerms, scrubbedMessageIds };
  });
  if (result.ok) {
    deleteImportUploadsMentioning(mentions);
    checkpointAndTruncateWal(db);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Finding and replacing a person's data.

type ReferentRow = typeof referents.$inferSelect;

const PERSONAL_KEYS = new Set([
  "firstName",
  "lastName",
  "name",
  "fullName",
  "referentName",
  "recipientName",
  "successorName",
  "email",
  "newEmail",
  "oldEmail",
  "previousEmail",
  "recipientEmail",
  "phone",
  "mobile",
  "office",
  "ip",
  "userAgent",
]);
const EMAIL_KEYS = new Set(["email", "newEmail", "oldEmail", "previousEmail", "recipientEmail"]);

const escapeRegExp = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const SEPARATORS = "[\\s./()\\-]*";

/** Every way a number is commonly written: +39 091 1234567, 0039…, 091-123 4567, 0911234567. */
function phonePattern(value: string): string | null {
  const parsed = parsePhoneNumberFromString(value, "IT");
  const national = parsed?.nationalNumber ?? value.replace(/\D/g, "");
  if (national.length < 6) return null;
  const prefix = parsed ? `(?:(?:\\+|00)${SEPARATORS}${parsed.countryCallingCode}${SEPARATORS})?` : "";
  return `(?<!\\d)${prefix}${national.split("").join(SEPARATORS)}(?!\\d)`;
}

/** A name as a whole word (any spacing, any case): "Rossi" is not found inside "Rossini". */
function wordPattern(value: string) {
  const words = value.trim().split(/\s+/).map(escapeRegExp);
  return `(?<![\\p{L}\\p{N}])${words.join("\\s+")}(?![\\p{L}\\p{N}])`;
}

type Traces = ReturnType<typeof collectTraces>;

/**
 * What identifies the person: their addresses and numbers, current and past (coordinators'
 * corrections keep the old values in the audit log), and names. "Strong" traces are specific enough
 * to be replaced anywhere in the database; single first or last names only inside the records that
 * are about the person.
 */
export function collectTraces(tx: Tx, rows: ReferentRow[]) {
  const referentIds = rows.map((r) => r.id);
  const emails = new Set(rows.map((r) => lower(r.email)));
  const phones = new Set<string>();
  const names = new Set<string>();
  const fullNames = new Set<string>();
  const addPerson = (first: unknown, last: unknown) => {
    const f = typeof first === "string" ? first.trim() : "";
    const l = typeof last === "string" ? last.trim() : "";
    if (f) names.add(f);
    if (l) names.add(l);
    if (f && l) {
      fullNames.add(`${f} ${l}`);
      fullNames.add(`${l} ${f}`);
    }
  };
  for (const r of rows) {
    addPerson(r.firstName, r.lastName);
    if (r.phone) phones.add(r.phone);
    if (r.mobile) phones.add(r.mobile);
  }

  const requests = tx.select().from(membershipRequests).where(inArray(membershipRequests.referentId, referentIds)).all();
  for (const request of requests) {
    const s = (request.submission ?? {}) as Record<string, unknown>;
    addPerson(s.firstName, s.lastName);
    for (const key of ["phone", "mobile"]) if (typeof s[key] === "string" && s[key]) phones.add(s[key] as string);
    if (typeof s.email === "string") emails.add(lower(s.email));
  }

  for (const change of tx.select().from(referentEmailChanges).where(inArray(referentEmailChanges.referentId, referentIds)).all()) {
    emails.add(lower(change.newEmail));
  }

  const invitationRows = tx
    .select()
    .from(invitations)
    .where(or(inArray(invitations.referentId, referentIds), inArray(sql`lower(${invitations.email})`, [...emails])))
    .all();
  for (const i of invitationRows) emails.add(lower(i.email));

  const auditEntries = tx
    .select()
    .from(auditLog)
    .where(
      relatedAuditCondition({ referentIds, requestIds: requests.map((r) => r.id), invitationIds: invitationRows.map((i) => i.id) }),
    )
    .all();
  // Values a coordinator or the referente replaced are still the person's: collect them too.
  const walk = (value: unknown, key?: string) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v));
    if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      addPerson(o.firstName, o.lastName);
      for (const [k, v] of Object.entries(o)) walk(v, k);
      return;
    }
    if (typeof value !== "string" || !key) return;
    if (EMAIL_KEYS.has(key) && value.includes("@")) emails.add(lower(value));
    if ((key === "phone" || key === "mobile") && value) phones.add(value);
  };
  for (const entry of auditEntries) walk(entry.details);
  emails.delete("");

  const strong = [
    ...[...emails].map(escapeRegExp),
    ...[...phones].map(phonePattern).filter((p): p is string => !!p),
    ...[...fullNames].map(wordPattern),
  ];
  const weak = [...names].filter((n) => n.length >= 3).map(wordPattern);
  const strongSource = strong.length ? strong.join("|") : "(?!)";
  const relatedSource = [...strong, ...weak].join("|") || "(?!)";
  const strongRe = new RegExp(strongSource, "giu");
  const strongTest = new RegExp(strongSource, "iu");
  const relatedRe = new RegExp(relatedSource, "giu");

  const replacement = (match: string, email: string) => {
    if (match.includes("@")) return email;
    if (/\d/.test(match)) return ERASED_PHONE;
    return ERASED_FULL_NAME;
  };
  const scrubWith = (re: RegExp) => (text: string, email = erasedEmail(rows[0].id)) => text.replace(re, (m) => replacement(m, email));
  const scrubStrong = scrubWith(strongRe);
  const scrubRelated = scrubWith(relatedRe);

  const scrubDetails = (value: unknown, email: string, key?: string): unknown => {
    if (key && PERSONAL_KEYS.has(key) && value !== null && value !== undefined && typeof value !== "object") {
      if (EMAIL_KEYS.has(key)) return email;
      if (key === "firstName") return ERASED_FIRST_NAME;
      if (key === "lastName") return ERASED_LAST_NAME;
      return ERASED_TEXT;
    }
    if (Array.isArray(value)) return value.map((v) => scrubDetails(v, email));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrubDetails(v, email, k)]));
    }
    return typeof value === "string" ? scrubRelated(value, email) : value;
  };

  return {
    emails: [...emails],
    invitations: invitationRows,
    auditEntries,
    strongSource,
    /** Whether a text holds the person's address, a number of theirs or their full name. */
    mentions: (text: string) => strongTest.test(text),
    scrubStrong,
    scrubRelated,
    scrubDetails,
  };
}

function anonymiseSubmission(submission: unknown, email: string, traces: Traces) {
  if (!submission || typeof submission !== "object" || Array.isArray(submission)) return {};
  const s = { ...(submission as Record<string, unknown>) };
  s.firstName = ERASED_FIRST_NAME;
  s.lastName = ERASED_LAST_NAME;
  s.email = email;
  s.role = "altro";
  s.office = "";
  s.phone = null;
  s.mobile = null;
  return traces.scrubDetails(s, email);
}

// Tables never searched: coordinators' own accounts (a person may also be a coordinator), the
// referente rows (rewritten above; a namesake's row must not be touched) and reference data.
const SKIPPED_TABLES = new Set(["coordinators", "referents", "provinces", "municipalities", "settings", "__drizzle_migrations"]);

const MATCHER = "sai_privacy_match";
const compiled = new Map<string, RegExp>();
const registered = new WeakSet<object>();

/** A SQL function `sai_privacy_match(pattern, value)`: the regex test runs inside SQLite's scan. */
export function registerMatcher(db: Db) {
  if (registered.has(db.$client)) return;
  db.$client.function(MATCHER, { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== "string" || typeof value !== "string") return 0;
    let re = compiled.get(pattern);
    if (!re) {
      if (compiled.size > 50) compiled.clear();
      re = new RegExp(pattern, "iu");
      compiled.set(pattern, re);
    }
    return re.test(value) ? 1 : 0;
  });
  registered.add(db.$client);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The text columns of every table of the database, read from the schema itself. */
export function listTextColumns(db: Db | Tx) {
  const tables = db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  return tables.map(({ name }) => ({
    table: name,
    columns: db
      .all<{ name: string; type: string; pk: number }>(sql.raw(`PRAGMA table_info(${quoteIdent(name)})`))
      .filter((c) => c.type === "" || /TEXT|CHAR|CLOB|JSON/i.test(c.type))
      .map((c) => c.name),
  }));
}

/** The audit entries about the person: personal values replaced (their search text with them), the facts kept. */
export function scrubAuditEntries(tx: Tx, traces: Traces, email: string) {
  for (const entry of traces.auditEntries) {
    if (!entry.details) continue;
    tx.update(auditLog)
      .set(auditDetailsColumns(traces.scrubDetails(entry.details, email) as Record<string, unknown>))
      .where(eq(auditLog.id, entry.id))
      .run();
  }
}

/**
 * SQLite's statistics for the query planner (sqlite_stat4, written by the daily `PRAGMA optimize`)
 * keep sample keys of each index: an address or a name among them is taken again from the data as
 * they are now, index by index.
 */
function resampleStatistics(tx: Tx, traces: Traces) {
  const hasStat4 = tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat4'`)!.n > 0;
  if (!hasStat4) return;
  const indexes = tx.all<{ idx: string }>(
    sql`SELECT DISTINCT idx FROM sqlite_stat4 WHERE ${sql.raw(MATCHER)}(${traces.strongSource}, CAST(sample AS TEXT))`,
  );
  for (const { idx } of indexes) tx.run(sql.raw(`ANALYZE ${quoteIdent(idx)}`));
}

/** Layer 2: every remaining occurrence of a strong trace, in any text column of any other table. */
// Copies derived from other columns: the log's is rewritten with the details below, the member
// list's search columns by their triggers when a name or email they copy changes (decision 015).
const DERIVED_COLUMNS = new Set(["audit_log.search_text", "referents.search_text", "member_bodies.search_name"]);

export function scrubEverywhere(tx: Tx, traces: Traces, email: string) {
  for (const { table, columns } of listTextColumns(tx)) {
    if (SKIPPED_TABLES.has(table)) continue;
    for (const column of columns) {
      if (DERIVED_COLUMNS.has(`${table}.${column}`)) continue;
      const col = quoteIdent(column);
      const hits = tx.all<{ rid: number; v: string }>(
        sql`SELECT rowid AS rid, ${sql.raw(col)} AS v FROM ${sql.raw(quoteIdent(table))}
            WHERE typeof(${sql.raw(col)}) = 'text' AND ${sql.raw(MATCHER)}(${traces.strongSource}, ${sql.raw(col)})`,
      );
      for (const hit of hits) {
        const replaced = traces.scrubStrong(hit.v, email);
        if (replaced === hit.v) continue;
        tx.run(sql`UPDATE ${sql.raw(quoteIdent(table))} SET ${sql.raw(col)} = ${replaced} WHERE rowid = ${hit.rid}`);
        if (table === "audit_log" && column === "details") {
          tx.run(sql`UPDATE audit_log SET search_text = ${auditSearchTextOfJson(replaced)} WHERE rowid = ${hit.rid}`);
        }
      }
    }
  }
}
