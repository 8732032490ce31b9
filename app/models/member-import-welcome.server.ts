import { and, desc, eq, sql } from "drizzle-orm";
import { outbox } from "#db/schema";
import { formatDateTimeIt } from "~/utils/dates";
import type { Db, Tx } from "~/utils/db.server";
import { recordAudit } from "./audit.server";
import { loadRequest, queueWelcomeEmail } from "./membership-review.server";

// The welcome email of a referente imported as approved without emails (the import's «Invia le
// email ai referenti» left unticked): sent later from the request's page, so that the first email
// such a referente gets is not an invitation from a portal they never heard of.

export type WelcomeResult = { ok: true } | { ok: false; error: string };

const NOT_OWED_ERROR =
  "L'email di benvenuto si invia da qui solo per un'adesione approvata registrata con l'importazione, al referente in carica.";

/** The approved, imported request with its referente in office, or null. */
function loadImported(tx: Db | Tx, id: number) {
  const found = loadRequest(tx, id);
  if (!found || found.request.status !== "approved") return null;
  const submission = found.request.submission as { importedFrom?: unknown } | null;
  if (!submission || typeof submission !== "object" || !submission.importedFrom) return null;
  if (!found.referent.validFrom || found.referent.validTo) return null;
  return found;
}

/** The «membership-approved» email of this ente already queued for this address (sent or not), if any. */
function welcomeAlreadyQueued(tx: Db | Tx, { memberBodyId, email }: { memberBodyId: number; email: string }) {
  return tx
    .select({ status: outbox.status, createdAt: outbox.createdAt, sentAt: outbox.sentAt })
    .from(outbox)
    .where(
      and(
        eq(outbox.template, "membership-approved"),
        eq(outbox.memberBodyId, memberBodyId),
        sql`lower(${outbox.recipient}) = lower(${email})`,
      ),
    )
    .orderBy(desc(outbox.id))
    .get();
}

/**
 * Whether the request's page offers «Invia l'email di benvenuto»: an approved request written by the
 * import, whose referente in office was never sent the ente's welcome email at their address.
 */
export function importWelcomeOwed(db: Db, { id }: { id: number }) {
  const found = loadImported(db, id);
  return !!found && !welcomeAlreadyQueued(db, { memberBodyId: found.body.id, email: found.referent.email });
}

/**
 * Queues the welcome email the import would have sent (same template and props), and records it in
 * the log. Refused if the request is not (or no longer) owed it: sent meanwhile from another tab or
 * by another coordinator, or the request revoked or superseded.
 */
export function sendImportWelcome(
  db: Db,
  { id, coordinatorId, appUrl, now = new Date() }: { id: number; coordinatorId: number; appUrl: string; now?: Date },
): WelcomeResult {
  return db.transaction((tx): WelcomeResult => {
    const found = loadImported(tx, id);
    if (!found) return { ok: false, error: NOT_OWED_ERROR };
    const { referent, body } = found;
    const already = welcomeAlreadyQueued(tx, { memberBodyId: body.id, email: referent.email });
    if (already) {
      return {
        ok: false,
        error:
          already.status === "sent" && already.sentAt
            ? `L'email di benvenuto è già stata inviata a ${referent.email} il ${formatDateTimeIt(already.sentAt)}: non è stata inviata di nuovo.`
            : `L'email di benvenuto a ${referent.email} è già nella posta in uscita dal ${formatDateTimeIt(already.createdAt)}: non è stata aggiunta di nuovo.`,
      };
    }
    queueWelcomeEmail(tx, { referent, bodyName: body.name, memberBodyId: body.id, imported: true, appUrl, now });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "membership.welcome_sent",
      entityType: "membership_request",
      entityId: id,
      details: { memberBodyId: body.id, referentId: referent.id },
    });
    return { ok: true };
  });
}

/** Of these requests (an import's, written approved without emails), those still owed the welcome email. */
export function importWelcomesOwed(db: Db, { ids }: { ids: number[] }) {
  return ids.filter((id) => importWelcomeOwed(db, { id }));
}

/**
 * «Invia ora l'email di benvenuto» of an import's summary: the welcome email to each of these
 * requests' referenti still owed it (each as from its request's page, logged on it); the others,
 * sent meanwhile or no longer approved, are left out and counted.
 */
export function sendImportWelcomes(db: Db, { ids, coordinatorId, appUrl, now }: { ids: number[]; coordinatorId: number; appUrl: string; now?: Date }) {
  let sent = 0;
  for (const id of ids) if (sendImportWelcome(db, { id, coordinatorId, appUrl, now }).ok) sent++;
  return { sent, skipped: ids.length - sent };
}
