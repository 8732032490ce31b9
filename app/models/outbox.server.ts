import crypto from "node:crypto";
import { and, desc, eq, exists, inArray, like, lte, or, sql, type SQL } from "drizzle-orm";
import { auditLog, communications, memberBodies, membershipRequests, outbox, referents, roundTables, EMAIL_CATEGORIES } from "#db/schema";
import type { EmailProps, EmailTemplateName } from "#emails/index";
import type Database from "better-sqlite3";
import { checkpointAndTruncateWal, type Db, type Tx } from "~/utils/db.server";
import { ERASED_ADDRESS_GLOB, erasedEmail } from "~/utils/erased-address";
import { redactEmailText, scrubSentEmailProps } from "~/utils/email-secrets.server";
import { MAIL_SERVER_PROBLEM_TEXT, type MailServerProblem } from "~/utils/mailer.server";
import { recordAudit } from "./audit.server";

export type QueueEmailInput<T extends EmailTemplateName> = {
  to: string;
  template: T;
  props: EmailProps<T>;
  category?: (typeof EMAIL_CATEGORIES)[number];
  memberBodyId?: number;
  roundTableId?: number;
  domain: string;
  /** From when it may be sent (default: at once). Emails queued by one change at its `now` go out in the order queued. */
  dueAt?: Date;
};

/** The domain of an email's Message-ID: the portal's own host, from APP_URL. */
export const messageDomainOf = (appUrl: string) => new URL(appUrl).hostname;

/** Writes the email as an outbox row in the caller's transaction; the worker renders and sends it. */
export function queueEmail<T extends EmailTemplateName>(tx: Db | Tx, input: QueueEmailInput<T>) {
  return tx
    .insert(outbox)
    .values({
      recipient: input.to,
      template: input.template,
      props: input.props as Record<string, unknown>,
      category: input.category ?? "service",
      memberBodyId: input.memberBodyId ?? null,
      roundTableId: input.roundTableId ?? null,
      nextAttemptAt: input.dueAt ?? new Date(),
      messageId: `<${crypto.randomUUID()}@${input.domain}>`,
    })
    .returning({ id: outbox.id })
    .get();
}

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Atomically takes up to `limit` due rows: queued ones whose time has come, and rows left in
 * `sending` by a crashed worker once their lease has expired.
 */
export function claimDueEmails(db: Db, { now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number }) {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        and(eq(outbox.status, "queued"), lte(outbox.nextAttemptAt, now)),
        and(eq(outbox.status, "sending"), lte(outbox.leaseUntil, now)),
      ),
    )
    .orderBy(outbox.nextAttemptAt, outbox.id)
    .limit(limit);
  return db
    .update(outbox)
    .set({
      status: "sending",
      leaseUntil: new Date(now.getTime() + leaseMs),
      attempts: sql`${outbox.attempts} + 1`,
      updatedAt: now,
    })
    .where(inArray(outbox.id, due))
    .returning()
    .all();
}

/**
 * The placeholder that replaces the recipient of an email the outbox forgets once it is delivered or
 * given up, or null: the notice that a person's data were erased goes to the address just erased,
 * which then goes too, with the props (docs/decisions/027-what-an-erasure-leaves-behind.md).
 */
function forgottenRecipient(template: string, props: Record<string, unknown>) {
  return template === "erasure-completed" && typeof props.referentId === "number" ? erasedEmail(props.referentId) : null;
}

/** After forgetting a recipient: no older copy of the row stays in the WAL (decision 027). */
function afterForgetting(db: Db, forgotten: string | null) {
  if (forgotten) checkpointAndTruncateWal(db);
}

// Prepared once per connection: the worker marks every delivered email, hundreds a second when
// invitations go out, and building the same UPDATE through the query builder each time cost about
// a twentieth of the delivery time (issue 7).
const markSentStatements = new WeakMap<
  Db,
  {
    read: Database.Statement<[number], { template: string; props: string }>;
    update: Database.Statement<[string, string | null, string | null, number, number, number]>;
  }
>();

/**
 * Records the delivery. The one-time secrets of the props (sign-in code, personal links) are
 * replaced by placeholders now that the recipient has them, and the stored subject is kept
 * without them; only the invitation link, which the portal reads back, stays
 * (app/utils/email-secrets.server.ts, docs/decisions/009-secrets-in-outbox.md). The notice of an
 * erasure forgets its recipient and props altogether (forgottenRecipient).
 */
export function markEmailSent(db: Db, { id, subject, now }: { id: number; subject: string; now: Date }) {
  let statements = markSentStatements.get(db);
  if (!statements) {
    statements = {
      read: db.$client.prepare("SELECT template, props FROM outbox WHERE id = ?"),
      update: db.$client.prepare(
        "UPDATE outbox SET status = 'sent', subject = ?, props = coalesce(?, props), recipient = coalesce(?, recipient), sent_at = ?, lease_until = NULL, last_error = NULL, updated_at = ? WHERE id = ?",
      ),
    };
    markSentStatements.set(db, statements);
  }
  const row = statements.read.get(id);
  let storedSubject = subject;
  let scrubbed: Record<string, unknown> | null = null;
  let forgotten: string | null = null;
  if (row) {
    const props = JSON.parse(row.props) as Record<string, unknown>;
    storedSubject = redactEmailText(row.template, props, subject);
    forgotten = forgottenRecipient(row.template, props);
    scrubbed = forgotten ? {} : scrubSentEmailProps(row.template, props);
  }
  statements.update.run(storedSubject, scrubbed ? JSON.stringify(scrubbed) : null, forgotten, now.getTime(), now.getTime(), id);
  afterForgetting(db, forgotten);
}

// Growing delays between attempts: 1 min, 5 min, 15 min, 1 h, 6 h (then 6 h each).
const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];

export function retryDelayMs(attempts: number) {
  return RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)];
}

export function markEmailFailedAttempt(
  db: Db,
  {
    row,
    error,
    permanent,
    maxAttempts,
    now,
    keepQueued = false,
    maxDelayMs = Infinity,
  }: {
    row: OutboxRow;
    error: string;
    permanent: boolean;
    maxAttempts: number;
    now: Date;
    /** The mail server refused the portal's configuration, or was out of reach, not the message: never given up. */
    keepQueued?: boolean;
    /** The longest wait before the next attempt (an outage ends by itself: its emails are tried at least hourly). */
    maxDelayMs?: number;
  },
) {
  const giveUp = !keepQueued && (permanent || row.attempts >= maxAttempts);
  // Given up, the notice of an erasure is not retried: its recipient goes, from the reply quoting it too.
  const forgotten = giveUp ? forgottenRecipient(row.template, row.props) : null;
  db.update(outbox)
    .set({
      status: giveUp ? "failed" : "queued",
      ...(forgotten ? { recipient: forgotten, props: {} } : {}),
      lastError: (forgotten ? error.split(row.recipient).join(forgotten) : error).slice(0, 2000),
      nextAttemptAt: giveUp ? row.nextAttemptAt : new Date(now.getTime() + Math.min(retryDelayMs(row.attempts), maxDelayMs)),
      leaseUntil: null,
      updatedAt: now,
    })
    .where(eq(outbox.id, row.id))
    .run();
  afterForgetting(db, forgotten);
  return giveUp ? ("failed" as const) : ("retry" as const);
}

/** Returns claimed rows to the queue without counting an attempt (used when the worker stops). */
export function releaseEmails(db: Db, { ids }: { ids: number[] }) {
  if (ids.length === 0) return;
  db.update(outbox)
    .set({ status: "queued", leaseUntil: null, attempts: sql`max(${outbox.attempts} - 1, 0)` })
    .where(and(inArray(outbox.id, ids), eq(outbox.status, "sending")))
    .run();
}

/**
 * At start-up every row still `sending` belongs to a process that died: the portal runs as one
 * process, so they are queued again at once (with their Message-ID) instead of waiting for the lease.
 */
export function recoverInterruptedEmails(db: Db, { now = new Date() }: { now?: Date } = {}) {
  return db
    .update(outbox)
    .set({ status: "queued", leaseUntil: null, nextAttemptAt: now, updatedAt: now })
    .where(eq(outbox.status, "sending"))
    .run().changes;
}

const postponedForMailServer = (problem: MailServerProblem) => like(outbox.lastError, `${MAIL_SERVER_PROBLEM_TEXT[problem]}%`);
const MAIL_SERVER_PROBLEMS = ["credentials", "tls", "unreachable"] as const satisfies readonly MailServerProblem[];

/**
 * The mail server problem (credentials refused, TLS, out of reach) that keeps emails in the queue, if
 * any; a wrong setting is named before an outage, since it needs someone to act.
 */
export function findMailServerProblem(db: Db): MailServerProblem | null {
  for (const problem of MAIL_SERVER_PROBLEMS) {
    const row = db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.status, "queued"), postponedForMailServer(problem))).limit(1).get();
    if (row) return problem;
  }
  return null;
}

/**
 * The emails held back by a mail server problem are due at once, rather than after their growing
 * delay: at start-up, with SMTP_URL perhaps corrected, and after the first email delivered again.
 */
export function retryEmailsHeldByMailServer(db: Db, { now = new Date() }: { now?: Date } = {}) {
  return db
    .update(outbox)
    .set({ nextAttemptAt: now, updatedAt: now })
    .where(and(eq(outbox.status, "queued"), or(...MAIL_SERVER_PROBLEMS.map(postponedForMailServer))))
    .run().changes;
}

export type OutboxFilters = {
  status?: (typeof outbox.$inferSelect)["status"];
  template?: string;
  recipient?: string;
  roundTableId?: number;
  communicationId?: number;
};

function outboxWhere(f: OutboxFilters) {
  return and(
    f.status ? eq(outbox.status, f.status) : undefined,
    f.template ? eq(outbox.template, f.template) : undefined,
    f.recipient ? sql`${outbox.recipient} LIKE ${`%${f.recipient.toLowerCase()}%`} ESCAPE '\\'` : undefined,
    f.roundTableId ? eq(outbox.roundTableId, f.roundTableId) : undefined,
    f.communicationId ? eq(outbox.communicationId, f.communicationId) : undefined,
  );
}

/** The filters of the log as SQL; the recipient as typed, its LIKE wildcards taken as plain characters. */
const filtersWhere = (filters: OutboxFilters) => outboxWhere({ ...filters, recipient: filters.recipient?.replace(/[\\%_]/g, (c) => `\\${c}`) });

export function listOutbox(db: Db, { filters, page, pageSize = 50 }: { filters: OutboxFilters; page: number; pageSize?: number }) {
  const where = filtersWhere(filters);
  const rows = db
    .select()
    .from(outbox)
    .where(where)
    .orderBy(desc(outbox.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(outbox).where(where).get()!.n;
  return { rows, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

export function countOutboxByStatus(db: Db) {
  const counts = { queued: 0, sending: 0, sent: 0, failed: 0 };
  for (const row of db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all()) {
    counts[row.status] = row.n;
  }
  return counts;
}

export function listOutboxTemplates(db: Db) {
  return db.selectDistinct({ template: outbox.template }).from(outbox).orderBy(outbox.template).all().map((r) => r.template);
}

/** The Tavoli tecnici with at least one email in the outbox, newest first (the log's filter). */
export function listOutboxRoundTables(db: Db) {
  return db
    .select({ id: roundTables.id, number: roundTables.number, title: roundTables.title, startsAt: roundTables.startsAt })
    .from(roundTables)
    .where(exists(db.select({ one: sql`1` }).from(outbox).where(eq(outbox.roundTableId, roundTables.id))))
    .orderBy(desc(roundTables.startsAt), desc(roundTables.id))
    .all();
}

/** The comunicazioni with at least one email in the outbox, newest first (the log's filter). */
export function listOutboxCommunications(db: Db) {
  return db
    .select({ id: communications.id, subject: communications.subject, sentAt: communications.sentAt })
    .from(communications)
    .where(exists(db.select({ one: sql`1` }).from(outbox).where(eq(outbox.communicationId, communications.id))))
    .orderBy(desc(communications.id))
    .all();
}

export function getOutboxEmail(db: Db, { id }: { id: number }) {
  return db.select().from(outbox).where(eq(outbox.id, id)).get();
}

/**
 * The referente an email was addressed to, with the scheda where a coordinator corrects their
 * address: the latest request of the referente with that address, in the email's ente when it has
 * one. None for an address that is no referente's (an extra invitee, a coordinator).
 */
export function findRecipientScheda(db: Db, { recipient, memberBodyId }: { recipient: string; memberBodyId: number | null }) {
  return db
    .select({ requestId: membershipRequests.id, firstName: referents.firstName, lastName: referents.lastName, bodyName: memberBodies.name })
    .from(referents)
    .innerJoin(membershipRequests, eq(membershipRequests.referentId, referents.id))
    .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(and(sql`lower(${referents.email}) = lower(${recipient})`, memberBodyId === null ? undefined : eq(referents.memberBodyId, memberBodyId)))
    .orderBy(desc(membershipRequests.id))
    .limit(1)
    .get();
}

/** The audit entry of a download of an email as an .eml file (its content leaves the portal). */
export function recordEmailDownload(db: Db, { coordinatorId, id }: { coordinatorId: number; id: number }) {
  recordAudit(db, { actorType: "coordinator", actorId: coordinatorId, action: "email.downloaded", entityType: "outbox", entityId: id });
}

/**
 * A failed email that can be sent again: not one to a person whose data were erased, whose address
 * and content are gone (it would go to cancellato-N@invalid).
 */
const retryable = and(eq(outbox.status, "failed"), sql`${outbox.recipient} NOT GLOB ${ERASED_ADDRESS_GLOB}`);

/** The emails the filters show, when they may include failed ones (the callers add `retryable`). */
const failedWhere = (filters: OutboxFilters) => (filters.status && filters.status !== "failed" ? sql`0` : filtersWhere(filters));

/** How many failed emails match the filters of the log (what «Riprova tutte» would requeue). */
export function countFailedEmails(db: Db | Tx, { filters }: { filters: OutboxFilters }) {
  return countRetryableEmails(db, { where: failedWhere(filters) });
}

/** How many failed emails matching `where` a retry would requeue (requeueFailedEmails). */
export function countRetryableEmails(db: Db | Tx, { where }: { where: SQL | undefined }) {
  return db.select({ n: sql<number>`count(*)` }).from(outbox).where(and(where, retryable)).get()!.n;
}

/**
 * The referente each address belongs to, preferring the one of the email's ente, for the audit
 * entries of the retries: the log shows and finds them by the person's current name (decision 013).
 */
function referentsByAddress(tx: Db | Tx, rows: { recipient: string; memberBodyId: number | null }[]) {
  const addresses = [...new Set(rows.map((r) => r.recipient.toLowerCase()))];
  const found: { id: number; email: string; memberBodyId: number }[] = [];
  for (let i = 0; i < addresses.length; i += 500) {
    found.push(
      ...tx
        .select({ id: referents.id, email: sql<string>`lower(${referents.email})`, memberBodyId: referents.memberBodyId })
        .from(referents)
        .where(inArray(sql`lower(${referents.email})`, addresses.slice(i, i + 500)))
        .orderBy(desc(referents.id))
        .all(),
    );
  }
  return (row: { recipient: string; memberBodyId: number | null }) => {
    const same = found.filter((r) => r.email === row.recipient.toLowerCase());
    return (same.find((r) => r.memberBodyId === row.memberBodyId) ?? same[0])?.id;
  };
}

/**
 * Puts the failed emails matching `where` back in the queue for a new attempt now, in the caller's
 * transaction; returns how many. The automatic attempts start again from the first (a mail server
 * fixed after a refusal may still answer «try later»), and the last error stays on the row until
 * the next attempt replaces it. What the email had been through is not lost: each retry is an audit
 * entry («email.retried») naming the recipient (address and referente) with the error and the
 * number of attempts it had, so the log holds every manual retry and the error before it, and the
 * pages of the outbox say «ritentata manualmente» (listManualRetries).
 */
export function requeueFailedEmails(tx: Db | Tx, { where, coordinatorId, now }: { where: SQL | undefined; coordinatorId: number; now: Date }) {
  const failed = and(where, retryable);
  const rows = tx
    .select({ id: outbox.id, recipient: outbox.recipient, memberBodyId: outbox.memberBodyId, lastError: outbox.lastError, attempts: outbox.attempts })
    .from(outbox)
    .where(failed)
    .orderBy(outbox.id)
    .all();
  if (rows.length === 0) return 0;
  tx.update(outbox).set({ status: "queued", nextAttemptAt: now, attempts: 0, leaseUntil: null, updatedAt: now }).where(failed).run();
  const referentOf = referentsByAddress(tx, rows);
  for (const row of rows) {
    const referentId = referentOf(row);
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "email.retried",
      entityType: "outbox",
      entityId: row.id,
      details: { recipientEmail: row.recipient, ...(referentId ? { referentId } : {}), lastError: row.lastError, attempts: row.attempts },
    });
  }
  return rows.length;
}

/**
 * The emails that say the same whatever address they reach: no answer link, code or address of the
 * person in them (the unsubscribe link of a comunicazione is made for the address when it is sent).
 * Invitations follow a new address by moveInvitations, with new links.
 */
const READDRESSABLE_TEMPLATES = ["communication", "membership-approved", "registration-awaiting-approval"] as const;

/**
 * A referente's address changed (corrected by a coordinator after a bounce, or changed by the
 * referente): their emails still waiting at the old one — queued, or failed and not yet retried —
 * now wait at the new one, so «Riprova» reaches the person and not the address that refused them.
 * In the caller's transaction; returns how many failed ones there were (the page says to retry them).
 */
export function readdressWaitingEmails(tx: Db | Tx, { memberBodyId, from, to, now }: { memberBodyId: number; from: string; to: string; now: Date }) {
  if (from.toLowerCase() === to.toLowerCase()) return { failed: 0 };
  const waiting = and(
    eq(outbox.memberBodyId, memberBodyId),
    sql`lower(${outbox.recipient}) = ${from.toLowerCase()}`,
    inArray(outbox.status, ["queued", "failed"]),
    inArray(outbox.template, [...READDRESSABLE_TEMPLATES]),
  );
  const rows = tx.update(outbox).set({ recipient: to, updatedAt: now }).where(waiting).returning({ status: outbox.status }).all();
  return { failed: rows.filter((r) => r.status === "failed").length };
}

/** Puts failed emails back in the queue for a new attempt now; returns how many were requeued. */
export function retryFailedEmails(db: Db, { ids, coordinatorId, now = new Date() }: { ids: number[]; coordinatorId: number; now?: Date }) {
  if (ids.length === 0) return 0;
  return db.transaction((tx) => requeueFailedEmails(tx, { where: inArray(outbox.id, ids), coordinatorId, now }), { behavior: "immediate" });
}

/** «Riprova tutte»: every failed email matching the filters of the log, on every page. */
export function retryFailedEmailsMatching(db: Db, { filters, coordinatorId, now = new Date() }: { filters: OutboxFilters; coordinatorId: number; now?: Date }) {
  return db.transaction((tx) => requeueFailedEmails(tx, { where: failedWhere(filters), coordinatorId, now }), { behavior: "immediate" });
}

/** The manual retries of these emails, from the log: how many and the latest, by email id. */
export function listManualRetries(db: Db, { ids }: { ids: number[] }) {
  const retries = new Map<number, { count: number; lastAt: Date }>();
  if (ids.length === 0) return retries;
  for (const row of db
    .select({ id: auditLog.entityId, n: sql<number>`count(*)`, lastAt: sql<number>`max(${auditLog.createdAt})` })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "outbox"), inArray(auditLog.entityId, ids.map(String)), eq(auditLog.action, "email.retried")))
    .groupBy(auditLog.entityId)
    .all()) {
    retries.set(Number(row.id), { count: row.n, lastAt: new Date(row.lastAt) });
  }
  return retries;
}

/** The manual retries of one email, oldest first, with the error and the attempts it had then (from the log). */
export function listEmailRetries(db: Db, { id }: { id: number }) {
  return db
    .select({ at: auditLog.createdAt, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "outbox"), eq(auditLog.entityId, String(id)), eq(auditLog.action, "email.retried")))
    .orderBy(auditLog.id)
    .all()
    .map((e) => ({
      at: e.at,
      lastError: typeof e.details?.lastError === "string" ? e.details.lastError : null,
      attempts: typeof e.details?.attempts === "number" ? e.details.attempts : null,
    }));
}
