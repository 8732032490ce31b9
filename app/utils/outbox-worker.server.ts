import { claimDueEmails, markEmailFailedAttempt, markEmailSent, releaseEmails } from "~/models/outbox.server";
import type { Db } from "./db.server";
import { isPermanentFailure, type MailTransport } from "./mailer.server";
import { renderEmail } from "./render-email.server";

export type OutboxWorkerOptions = {
  db: Db;
  transport: MailTransport;
  from: string;
  pollMs: number;
  ratePerSecond: number;
  maxAttempts: number;
  leaseMs?: number;
  /** Builds the opt-out link of non-essential emails (List-Unsubscribe and the footer link). */
  unsubscribeUrlFor?: (email: string) => string;
  onError?: (error: unknown) => void;
};

const wakers = new Set<() => void>();

/** Lets a model ask for immediate delivery after its transaction commits. */
export function wakeOutboxWorker() {
  for (const wake of wakers) wake();
}

export function startOutboxWorker(options: OutboxWorkerOptions) {
  const { db, transport, from, pollMs, ratePerSecond, maxAttempts, leaseMs = 5 * 60_000 } = options;
  const minGapMs = 1000 / ratePerSecond;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wakeRequested = false;

  async function deliver() {
    let lastSendAt = 0;
    for (;;) {
      const batch = claimDueEmails(db, { now: new Date(), limit: Math.max(1, Math.ceil(ratePerSecond)), leaseMs });
      if (batch.length === 0) return;
      for (const [index, row] of batch.entries()) {
        if (stopped) {
          // Claimed but not started: hand them back now rather than after the lease.
          releaseEmails(db, { ids: batch.slice(index).map((r) => r.id) });
          return;
        }
        const wait = lastSendAt + minGapMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastSendAt = Date.now();
        try {
          const unsubscribe = row.category === "communication" ? options.unsubscribeUrlFor?.(row.recipient) : undefined;
          const rendered = await renderEmail(row.template, unsubscribe ? { ...row.props, unsubscribeUrl: unsubscribe } : row.props);
          await transport.send({
            from,
            to: row.recipient,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            messageId: row.messageId,
            attachments: rendered.attachments.length > 0 ? rendered.attachments : undefined,
            // RFC 8058 one-click opt-out, only for comunicazioni; service emails carry none.
            headers: unsubscribe
              ? { "List-Unsubscribe": `<${unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
              : undefined,
          });
          markEmailSent(db, { id: row.id, subject: rendered.subject, now: new Date() });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          markEmailFailedAttempt(db, { row, error: message, permanent: isPermanentFailure(error), maxAttempts, now: new Date() });
        }
      }
      if (stopped) return;
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
    /** Stops claiming work and waits (bounded) for the email being sent. */
    async stop(timeoutMs = 10_000) {
      stopped = true;
      wakers.delete(wake);
      clearTimeout(timer);
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, timeoutMs))]);
    },
  };
}
