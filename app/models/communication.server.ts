import crypto from "node:crypto";
import fs from "node:fs";
import { and, desc, eq, sql } from "drizzle-orm";
import { communications, coordinators, outbox, OUTBOX_STATUSES, type OutboxStatus, type SaiCategory } from "#db/schema";
import type { CommunicationProps } from "#emails/communication";
import type { Db, Tx } from "~/utils/db.server";
import { paragraphsOf } from "~/validation/communications";
import { ACCEPTED_TYPES_TEXT } from "~/validation/material";
import { recordAudit } from "./audit.server";
import { materialFilePath, storeUploadedDocument } from "./material.server";
import { countRetryableEmails, messageDomainOf, requeueFailedEmails } from "./outbox.server";
import { activeReferentsInSegment, type ReferentSegment } from "./referent.server";

// Comunicazioni (issue 4, point 6): a free message from the coordinators to a segment of the active
// referenti (all, by province, by SAI tipologia), optionally with one document attached. It is kept
// as a draft, previewed with its recipient count, then sent: one outbox row per address, each
// pointing back to the comunicazione, which is the record of what went to whom. Referenti who chose
// not to receive comunicazioni are left out; their emails carry the opt-out link (List-Unsubscribe).

export const COMMUNICATION_TEMPLATE = "communication";

export type Communication = typeof communications.$inferSelect;

export type CommunicationInput = { subject: string; body: string; provinceCodes: string[]; categories: SaiCategory[] };

export type CommunicationRecipient = { email: string; referentId: number; name: string; bodyName: string; memberBodyId: number };

/**
 * The segment as a comunicazione sees it, read once: who would receive it now (one entry per address,
 * in joining order) and the addresses left out because nobody with them wants comunicazioni.
 */
function segmentAudience(db: Db | Tx, segment: ReferentSegment) {
  const byEmail = new Map<string, CommunicationRecipient>();
  const optedOut = new Set<string>();
  for (const r of activeReferentsInSegment(db, segment)) {
    if (!r.receivesCommunications) {
      optedOut.add(r.email);
      continue;
    }
    if (byEmail.has(r.email)) continue;
    byEmail.set(r.email, { email: r.email, referentId: r.referentId, name: `${r.firstName} ${r.lastName}`, bodyName: r.bodyName, memberBodyId: r.memberBodyId });
  }
  // An address shared with a referente who still receives them is not left out.
  for (const email of byEmail.keys()) optedOut.delete(email);
  return { recipients: [...byEmail.values()], optedOut };
}

/** Who would receive a comunicazione to this segment now: one entry per address, in joining order. */
export function communicationRecipients(db: Db | Tx, segment: ReferentSegment): CommunicationRecipient[] {
  return segmentAudience(db, segment).recipients;
}

/** The audience of a draft: how many would receive it, how many opted out, and the first few. */
export function communicationAudience(db: Db | Tx, { segment, sampleSize = 10 }: { segment: ReferentSegment; sampleSize?: number }) {
  const { recipients, optedOut } = segmentAudience(db, segment);
  return { count: recipients.length, optedOut: optedOut.size, sample: recipients.slice(0, sampleSize) };
}

export function getCommunication(db: Db | Tx, { id }: { id: number }) {
  return db.select().from(communications).where(eq(communications.id, id)).get();
}

/** Who sent a comunicazione, by name. */
export function communicationSenderName(db: Db, c: Pick<Communication, "sentBy">) {
  if (!c.sentBy) return null;
  return db.select({ name: coordinators.name }).from(coordinators).where(eq(coordinators.id, c.sentBy)).get()?.name ?? null;
}

export const segmentOf = (c: Pick<Communication, "provinceCodes" | "categories">): ReferentSegment => ({
  provinceCodes: c.provinceCodes,
  categories: c.categories as SaiCategory[],
});

/** The props of the email, as the outbox stores them and the preview renders them. */
export function communicationEmailProps(c: Communication): CommunicationProps {
  return {
    title: c.subject,
    paragraphs: paragraphsOf(c.body),
    attachment:
      c.attachmentStoredName && c.attachmentDownloadName && c.attachmentMimeType
        ? { fileName: c.attachmentDownloadName, storedFileName: c.attachmentStoredName, mimeType: c.attachmentMimeType, sizeBytes: c.attachmentSizeBytes ?? 0 }
        : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Drafts

export type SaveDraftResult = { ok: true; id: number } | { ok: false; errors: Record<string, string>; formError?: string };

const removeStoredFile = (uploadsDir: string, storedName: string | null) => {
  const file = materialFilePath(uploadsDir, storedName);
  if (file) fs.rmSync(file, { force: true });
};

/**
 * Creates a draft, or updates one (`id`) that has not been sent. A new file replaces the previous
 * attachment; `removeAttachment` drops it. A file that is not an accepted document is refused and
 * the draft is left as it was.
 */
export async function saveCommunicationDraft(
  db: Db,
  {
    id,
    input,
    upload,
    removeAttachment = false,
    coordinatorId,
    uploadsDir,
    now = new Date(),
  }: {
    id?: number;
    input: CommunicationInput;
    upload?: { tempPath: string; originalName: string; size: number } | null;
    removeAttachment?: boolean;
    coordinatorId: number;
    uploadsDir: string;
    now?: Date;
  },
): Promise<SaveDraftResult> {
  if (id !== undefined) {
    const existing = getCommunication(db, { id });
    if (!existing) return { ok: false, errors: {}, formError: "Comunicazione non trovata." };
    if (existing.status !== "draft") return { ok: false, errors: {}, formError: "La comunicazione è già stata inviata: non si può più modificare." };
  }
  const stored = upload ? await storeUploadedDocument(upload, uploadsDir) : null;
  if (upload) {
    if (!stored) {
      return {
        ok: false,
        errors: { allegato: `Il file non è un documento accettato: si possono allegare solo file ${ACCEPTED_TYPES_TEXT}. Il tipo è controllato dal contenuto, non dal nome.` },
      };
    }
  }
  const fields = {
    subject: input.subject,
    body: input.body,
    provinceCodes: input.provinceCodes,
    categories: input.categories,
    updatedAt: now,
    ...(stored
      ? { attachmentStoredName: stored.storedFileName, attachmentDownloadName: stored.downloadName, attachmentMimeType: stored.type.mimeType, attachmentSizeBytes: upload?.size ?? null }
      : removeAttachment
        ? { attachmentStoredName: null, attachmentDownloadName: null, attachmentMimeType: null, attachmentSizeBytes: null }
        : {}),
  };
  const outcome = db.transaction((tx): { result: SaveDraftResult; replacedFile: string | null } => {
    if (id === undefined) {
      const created = tx.insert(communications).values({ ...fields, createdBy: coordinatorId, createdAt: now }).returning({ id: communications.id }).get();
      recordAudit(tx, { actorType: "coordinator", actorId: coordinatorId, action: "communication.draft_saved", entityType: "communication", entityId: created.id, details: { subject: input.subject } });
      return { result: { ok: true, id: created.id }, replacedFile: null };
    }
    // Checked again inside the write: a draft sent meanwhile from another tab stays as it was sent.
    const current = tx.select().from(communications).where(and(eq(communications.id, id), eq(communications.status, "draft"))).get();
    if (!current) return { result: { ok: false, errors: {}, formError: "La comunicazione è già stata inviata: non si può più modificare." }, replacedFile: null };
    tx.update(communications).set(fields).where(eq(communications.id, id)).run();
    recordAudit(tx, { actorType: "coordinator", actorId: coordinatorId, action: "communication.draft_saved", entityType: "communication", entityId: id, details: { subject: input.subject } });
    const replacedFile = stored || removeAttachment ? current.attachmentStoredName : null;
    return { result: { ok: true, id }, replacedFile };
  });
  if (!outcome.result.ok && stored) removeStoredFile(uploadsDir, stored.storedFileName);
  if (outcome.replacedFile) removeStoredFile(uploadsDir, outcome.replacedFile);
  return outcome.result;
}

export function deleteCommunicationDraft(db: Db, { id, coordinatorId, uploadsDir }: { id: number; coordinatorId: number; uploadsDir: string }) {
  const deleted = db.transaction((tx) => {
    const draft = tx.delete(communications).where(and(eq(communications.id, id), eq(communications.status, "draft"))).returning().get();
    if (draft) {
      recordAudit(tx, { actorType: "coordinator", actorId: coordinatorId, action: "communication.draft_deleted", entityType: "communication", entityId: id, details: { subject: draft.subject } });
    }
    return draft;
  });
  if (deleted) removeStoredFile(uploadsDir, deleted.attachmentStoredName);
  return deleted ? { ok: true as const } : { ok: false as const, error: "Bozza non trovata: forse è già stata inviata o eliminata." };
}

// ---------------------------------------------------------------------------------------------
// Sending

export type SendCommunicationResult = { ok: true; count: number } | { ok: false; error: string };

/**
 * Sends a draft to the recipients of its segment as they are now: one outbox row each, in one
 * immediate transaction with the change of status, so a second send (another tab, a double click)
 * finds it sent and queues nothing.
 */
export function sendCommunication(
  db: Db,
  { id, coordinatorId, appUrl, now = new Date() }: { id: number; coordinatorId: number; appUrl: string; now?: Date },
): SendCommunicationResult {
  return db.transaction(
    (tx): SendCommunicationResult => {
      const draft = getCommunication(tx, { id });
      if (!draft) return { ok: false, error: "Comunicazione non trovata." };
      if (draft.status !== "draft") return { ok: false, error: "Questa comunicazione è già stata inviata." };
      const recipients = communicationRecipients(tx, segmentOf(draft));
      if (recipients.length === 0) return { ok: false, error: "Nessun referente corrisponde ai destinatari scelti: la comunicazione non è stata inviata." };
      const insert = db.$client.prepare<[string, string, number, string, number, number, number]>(
        `INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id, member_body_id, communication_id, created_at)
         VALUES (?, '${COMMUNICATION_TEMPLATE}', ?, 'communication', 'queued', 0, ?, ?, ?, ?, ?)`,
      );
      const props = JSON.stringify(communicationEmailProps(draft));
      const domain = messageDomainOf(appUrl);
      const at = now.getTime();
      for (const r of recipients) insert.run(r.email, props, at, `<${crypto.randomUUID()}@${domain}>`, r.memberBodyId, draft.id, at);
      tx.update(communications)
        .set({ status: "sent", sentAt: now, sentBy: coordinatorId, recipientCount: recipients.length, updatedAt: now })
        .where(eq(communications.id, draft.id))
        .run();
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "communication.sent",
        entityType: "communication",
        entityId: draft.id,
        details: { subject: draft.subject, count: recipients.length, provinceCodes: draft.provinceCodes, categories: draft.categories, attachment: draft.attachmentDownloadName },
      });
      return { ok: true, count: recipients.length };
    },
    { behavior: "immediate" },
  );
}

// ---------------------------------------------------------------------------------------------
// The record

export type DeliveryCounts = Record<OutboxStatus, number>;

const emptyCounts = (): DeliveryCounts => Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as DeliveryCounts;

/** Every comunicazione, newest first, with who wrote and sent it and where its emails stand. */
export function listCommunications(db: Db) {
  const rows = db
    .select({
      id: communications.id,
      subject: communications.subject,
      status: communications.status,
      recipientCount: communications.recipientCount,
      attachmentName: communications.attachmentDownloadName,
      createdAt: communications.createdAt,
      updatedAt: communications.updatedAt,
      sentAt: communications.sentAt,
      authorName: coordinators.name,
    })
    .from(communications)
    .innerJoin(coordinators, eq(coordinators.id, sql`coalesce(${communications.sentBy}, ${communications.createdBy})`))
    .orderBy(desc(sql`coalesce(${communications.sentAt}, ${communications.updatedAt}, ${communications.createdAt})`), desc(communications.id))
    .all();
  const counts = new Map<number, DeliveryCounts>();
  for (const row of db
    .select({ id: outbox.communicationId, status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .where(sql`${outbox.communicationId} IS NOT NULL`)
    .groupBy(outbox.communicationId, outbox.status)
    .all()) {
    if (row.id === null) continue;
    const c = counts.get(row.id) ?? emptyCounts();
    c[row.status] = row.n;
    counts.set(row.id, c);
  }
  return rows.map((r) => ({ ...r, delivery: counts.get(r.id) ?? emptyCounts() }));
}

/** The emails of a sent comunicazione, one page at a time, with their delivery state. */
export function listCommunicationEmails(db: Db, { id, page, pageSize }: { id: number; page: number; pageSize: number }) {
  const counts = emptyCounts();
  for (const row of db
    .select({ status: outbox.status, n: sql<number>`count(*)` })
    .from(outbox)
    .where(eq(outbox.communicationId, id))
    .groupBy(outbox.status)
    .all()) {
    counts[row.status] = row.n;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  // Failed emails to people erased since are not sent again: the button counts the others.
  const retryable = counts.failed > 0 ? countRetryableEmails(db, { where: eq(outbox.communicationId, id) }) : 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, page), pageCount);
  const rows = db
    .select({ id: outbox.id, recipient: outbox.recipient, status: outbox.status, sentAt: outbox.sentAt, lastError: outbox.lastError, attempts: outbox.attempts })
    .from(outbox)
    .where(eq(outbox.communicationId, id))
    .orderBy(outbox.id)
    .limit(pageSize)
    .offset((current - 1) * pageSize)
    .all();
  return { rows, counts, retryable, total, page: current, pageCount };
}

export type RetryCommunicationResult = { ok: true; count: number } | { ok: false; error: string };

/**
 * «Riprova l'invio delle email non consegnate»: puts back in the queue every email of a sent
 * comunicazione that failed (e.g. all of them after the mail server refused the sender), with an
 * audit entry for the comunicazione and one for each email (requeueFailedEmails).
 */
export function retryCommunicationFailures(db: Db, { id, coordinatorId, now = new Date() }: { id: number; coordinatorId: number; now?: Date }): RetryCommunicationResult {
  return db.transaction(
    (tx): RetryCommunicationResult => {
      const c = getCommunication(tx, { id });
      if (!c || c.status !== "sent") return { ok: false, error: "Comunicazione non trovata o non ancora inviata." };
      const count = requeueFailedEmails(tx, { where: eq(outbox.communicationId, id), coordinatorId, now });
      if (count === 0) return { ok: false, error: "Nessuna email di questa comunicazione è da ritentare: forse sono già state rimesse in coda." };
      recordAudit(tx, { actorType: "coordinator", actorId: coordinatorId, action: "communication.retried", entityType: "communication", entityId: id, details: { subject: c.subject, count } });
      return { ok: true, count };
    },
    { behavior: "immediate" },
  );
}
