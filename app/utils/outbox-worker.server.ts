import fs from "node:fs";
import type { UploadedAttachment } from "#emails/index";
import { materialFilePath } from "~/models/material.server";
import { claimDueEmails, markEmailFailedAttempt, markEmailSent, releaseEmails, retryEmailsHeldByMailServer } from "~/models/outbox.server";
import type { Db } from "./db.server";
import {
  describeDeliveryError,
  isPermanentFailure,
  mailServerProblem,
  mailServerProblemLogLine,
  type MailServerProblem,
  type MailTransport,
} from "./mailer.server";
import { renderEmail } from "./render-email.server";

/** An outage ends by itself, unseen: the emails it holds are tried again at least this often. */
const UNREACHABLE_RETRY_MAX_MS = 60 * 60_000;

export type OutboxWorkerOptions = {
  db: Db;
  transport: MailTransport;
  from: string;
  /**
   * CONTACT_EMAIL: the sender is a no-reply address, so a reply reaches the coordinators only through
   * this Reply-To. The templates are told it too, and invite a reply only when it is set.
   */
  replyTo?: string;
  pollMs: number;
  ratePerSecond: number;
  maxAttempts: number;
  leaseMs?: number;
  /**
   * Messages in flight at once; default: what the transport can carry (the SMTP pool's connections).
   * The rate cap holds whatever the concurrency: sends start at most ratePerSecond a second.
   */
  concurrency?: number;
  /** Where uploaded attachments (of comunicazioni) are kept. */
  uploadsDir?: string;
  /** Builds the opt-out link of non-essential emails (List-Unsubscribe and the footer link). */
  unsubscribeUrlFor?: (email: string) => string;
  onError?: (error: unknown) => void;
  /** Told once, in a line for the console, when the mail server starts refusing the portal or cannot be reached. */
  onMailServerProblem?: (line: string) => void;
};

const wakers = new Set<() => void>();

/** An uploaded attachment as nodemailer reads it; a missing file fails the attempt (and is retried). */
function uploadedFile(attachment: UploadedAttachment, uploadsDir: string | undefined) {
  const file = uploadsDir ? materialFilePath(uploadsDir, attachment.storedFileName) : null;
  if (!file || !fs.existsSync(file)) throw new Error(`Allegato non disponibile: ${attachment.filename}`);
  return { filename: attachment.filename, contentType: attachment.contentType, path: file };
}

/** How far behind its schedule the worker may catch up at once (see deliver()). */
const CATCH_UP_MS = 10;

/** Lets a model ask for immediate delivery after its transaction commits. */
export function wakeOutboxWorker() {
  for (const wake of wakers) wake();
}

export function startOutboxWorker(options: OutboxWorkerOptions) {
  const { db, transport, from, pollMs, ratePerSecond, maxAttempts, leaseMs = 5 * 60_000 } = options;
  const minGapMs = 1000 / ratePerSecond;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? transport.concurrency ?? 1));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wakeRequested = false;
  // The configuration problem last reported; cleared by a delivery, so that a new one is told again.
  let reportedProblem: MailServerProblem | null = null;

  async function sendOne(row: ReturnType<typeof claimDueEmails>[number]) {
    try {
      const unsubscribe = row.category === "communication" ? options.unsubscribeUrlFor?.(row.recipient) : undefined;
      const rendered = await renderEmail(row.template, unsubscribe ? { ...row.props, unsubscribeUrl: unsubscribe } : row.props, {
        contactEmail: options.replyTo,
      });
      const attachments = [...rendered.attachments, ...rendered.uploadedAttachments.map((a) => uploadedFile(a, options.uploadsDir))];
      await transport.send({
        from,
        replyTo: options.replyTo,
        to: row.recipient,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: row.messageId,
        attachments: attachments.length > 0 ? attachments : undefined,
        // RFC 8058 one-click opt-out, only for comunicazioni; service emails carry none.
        headers: unsubscribe
          ? { "List-Unsubscribe": `<${unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
          : undefined,
      });
      markEmailSent(db, { id: row.id, subject: rendered.subject, now: new Date() });
      if (reportedProblem !== null) {
        // The server takes emails again: those held back by the problem go now, not after their delay.
        reportedProblem = null;
        retryEmailsHeldByMailServer(db);
      }
    } catch (error) {
      const problem = mailServerProblem(error);
      if (problem && problem !== reportedProblem) {
        reportedProblem = problem;
        options.onMailServerProblem?.(mailServerProblemLogLine(problem, transport.description, error));
      }
      markEmailFailedAttempt(db, {
        row,
        error: describeDeliveryError(error),
        permanent: isPermanentFailure(error),
        keepQueued: problem !== null,
        maxDelayMs: problem === "unreachable" ? UNREACHABLE_RETRY_MAX_MS : undefined,
        maxAttempts,
        now: new Date(),
      });
    }
  }

  // Up to `concurrency` messages in flight. Their starts follow a virtual schedule one gap apart
  // (1 s / ratePerSecond), restarting from now after an idle spell; a delay of up to CATCH_UP_MS (a
  // late timer) is caught up on, so high rates are not held back by the millisecond resolution of
  // timers, and no second sees more than ratePerSecond starts (+1%).
  async function deliver() {
    let nextSlot = 0;
    const inFlight = new Set<Promise<void>>();
    try {
      for (;;) {
        const batch = claimDueEmails(db, { now: new Date(), limit: Math.max(1, Math.ceil(ratePerSecond)), leaseMs });
        if (batch.length === 0) return;
        for (const [index, row] of batch.entries()) {
          while (inFlight.size >= concurrency) await Promise.race(inFlight);
          const wait = nextSlot - Date.now();
          if (wait > 0 && !stopped) await new Promise((r) => setTimeout(r, wait));
          if (stopped) {
            // Claimed but not started: hand them back now rather than after the lease.
            releaseEmails(db, { ids: batch.slice(index).map((r) => r.id) });
            return;
          }
          const now = Date.now();
          nextSlot = (nextSlot < now - CATCH_UP_MS ? now : nextSlot) + minGapMs;
          const sending: Promise<void> = sendOne(row).finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
        if (stopped) return;
      }
    } finally {
      // Every started send finishes (and is recorded) before the worker counts as idle or stopped.
      await Promise.all(inFlight);
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref?.();
  }

  function tick() {
    if (stopped) return;
    if (running) {
      wakeRequested = true;
      return;
    }
    wakeRequested = false;
    running = deliver()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        schedule(wakeRequested ? 0 : pollMs);
      });
  }

  const wake = () => schedule(0);
  wakers.add(wake);
  schedule(0);

  return {
    /** Stops claiming work and waits (bounded) for the emails being sent. */
    async stop(timeoutMs = 10_000) {
      stopped = true;
      wakers.delete(wake);
      clearTimeout(timer);
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, timeoutMs))]);
    },
  };
}
