import { and, eq, isNull } from "drizzle-orm";
import { coordinators } from "#db/schema";
import { clearLoginFailures, loginSuspendedUntil } from "~/utils/auth.server";
import { formatDateTimeIt } from "~/utils/dates";
import type { Db, Tx } from "~/utils/db.server";
import { hashPassword, verifyPassword } from "~/utils/password.server";
import { createToken } from "~/utils/tokens.server";
import { recordAudit } from "./audit.server";
import { consumePasswordLink, coordinatorState, lookupPasswordLink, type InviteLookup } from "./coordinator.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { revokeCoordinatorSessions } from "./session.server";

// The password of a coordinator who already has one: changed from "Il mio account" (/admin/account),
// or chosen again with a one-time link asked for at /login/password-dimenticata or sent by an
// administrator from /admin/coordinatori, and used at /login/reimposta-password/:token.
// The link is the invitation's kind of one-time link (see PasswordLinkKind), for an active coordinator.

export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
const FORGOT_PASSWORD_PATH = "/login/password-dimenticata";
const RESET_PASSWORD_PATH = "/login/reimposta-password";

type CoordinatorRow = typeof coordinators.$inferSelect;

const isActive = (c: CoordinatorRow | undefined): c is CoordinatorRow => !!c && coordinatorState(c) === "attivo";

/** A new link (the previous one stops working) and the email that carries it. */
function issueResetLink(tx: Tx, target: CoordinatorRow, { appUrl, now, sentByName }: { appUrl: string; now: Date; sentByName: string | null }) {
  const { token, hash } = createToken();
  tx.update(coordinators)
    .set({ inviteTokenHash: hash, inviteExpiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS) })
    .where(eq(coordinators.id, target.id))
    .run();
  queueEmail(tx, {
    to: target.email,
    template: "coordinator-password-reset",
    props: { name: target.name, resetUrl: `${appUrl}${RESET_PASSWORD_PATH}/${token}`, validMinutes: PASSWORD_RESET_TTL_MS / 60_000, sentByName },
    domain: messageDomainOf(appUrl),
  });
}

/** Tells the coordinator their password was changed, and what to do if it was not them. */
function queuePasswordChangedEmail(tx: Tx, target: { name: string; email: string }, { appUrl, now }: { appUrl: string; now: Date }) {
  queueEmail(tx, {
    to: target.email,
    template: "coordinator-password-changed",
    props: { name: target.name, email: target.email, changedAt: formatDateTimeIt(now), forgotPasswordUrl: `${appUrl}${FORGOT_PASSWORD_PATH}` },
    domain: messageDomainOf(appUrl),
  });
}

/**
 * "Password dimenticata?": emails a reset link when `email` belongs to an active coordinator, and
 * does nothing otherwise. The caller answers both cases alike (the result is for tests only).
 */
export function requestCoordinatorPasswordReset(
  db: Db,
  { email, ip, appUrl, now = new Date() }: { email: string; ip: string; appUrl: string; now?: Date },
) {
  const address = email.trim().toLowerCase();
  return db.transaction((tx) => {
    const target = tx.select().from(coordinators).where(eq(coordinators.email, address)).get();
    if (!isActive(target)) return { sent: false as const };
    issueResetLink(tx, target, { appUrl, now, sentByName: null });
    recordAudit(tx, {
      actorType: "public",
      action: "coordinator.password_reset_requested",
      entityType: "coordinator",
      entityId: target.id,
      details: { email: address, ip },
    });
    return { sent: true as const, coordinatorId: target.id };
  });
}

export type SendResetResult = { ok: true; email: string } | { ok: false; error: string };

/** An administrator sends a reset link to another active coordinator (/admin/coordinatori). */
export function sendCoordinatorPasswordReset(
  db: Db,
  { id, actorId, appUrl, now = new Date() }: { id: number; actorId: number; appUrl: string; now?: Date },
): SendResetResult {
  return db.transaction((tx): SendResetResult => {
    if (id === actorId) return { ok: false, error: "La tua password si cambia da «Il mio account»." };
    const target = tx.select().from(coordinators).where(eq(coordinators.id, id)).get();
    if (!target) return { ok: false, error: "Coordinatore non trovato." };
    if (!isActive(target)) {
      return { ok: false, error: "Il collegamento si invia solo a un coordinatore attivo: a chi è invitato invia di nuovo l'invito." };
    }
    const actor = tx.select({ name: coordinators.name }).from(coordinators).where(eq(coordinators.id, actorId)).get();
    issueResetLink(tx, target, { appUrl, now, sentByName: actor?.name ?? "Un amministratore" });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId,
      action: "coordinator.password_reset_sent",
      entityType: "coordinator",
      entityId: id,
      details: { email: target.email },
    });
    return { ok: true, email: target.email };
  });
}

export type LiftSuspensionResult = { ok: true; lifted: boolean; name: string; email: string } | { ok: false; error: string };

/**
 * «Riattiva l'accesso» (/admin/coordinatori): an administrator forgets the wrong passwords that
 * suspended the sign-in with a coordinator's address, and the coordinator may sign in at once; audited.
 * A suspension already over changes nothing and is not audited (`lifted: false`).
 */
export function liftCoordinatorLoginSuspension(
  db: Db,
  { id, actorId, now = new Date() }: { id: number; actorId: number; now?: Date },
): LiftSuspensionResult {
  const target = db.select().from(coordinators).where(eq(coordinators.id, id)).get();
  if (!target) return { ok: false, error: "Coordinatore non trovato." };
  const until = loginSuspendedUntil({ email: target.email, now: now.getTime() });
  if (!until) return { ok: true, lifted: false, name: target.name, email: target.email };
  clearLoginFailures({ email: target.email });
  recordAudit(db, {
    actorType: "coordinator",
    actorId,
    action: "coordinator.login_unblocked",
    entityType: "coordinator",
    entityId: id,
    details: { email: target.email, suspendedUntil: until.toISOString() },
  });
  return { ok: true, lifted: true, name: target.name, email: target.email };
}

export type ConsolePasswordResult = { ok: true; name: string; email: string } | { ok: false; error: string };

/**
 * `npm run coordinator:password -- EMAIL`: whoever runs the server sets a new password for an active
 * coordinator when no email can reach them (the mail server refuses the portal, the address is
 * wrong, the only administrator forgot the password). Any reset link dies, every session ends, and
 * the registro records it as the system's. No email: it is the way in when email does not work.
 */
export async function setCoordinatorPasswordFromConsole(
  db: Db,
  { email, password, now = new Date() }: { email: string; password: string; now?: Date },
): Promise<ConsolePasswordResult> {
  const target = db.select().from(coordinators).where(eq(coordinators.email, email.trim().toLowerCase())).get();
  if (!target) return { ok: false, error: `Nessun coordinatore ha l'indirizzo ${email.trim()}.` };
  if (coordinatorState(target) !== "attivo") {
    return { ok: false, error: `${target.email} non è un coordinatore attivo (invitato o disattivato): un amministratore lo gestisce da /admin/coordinatori.` };
  }
  const passwordHash = await hashPassword(password);
  db.transaction((tx) => {
    tx.update(coordinators).set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null }).where(eq(coordinators.id, target.id)).run();
    revokeCoordinatorSessions(tx, { coordinatorId: target.id, now });
    recordAudit(tx, {
      actorType: "system",
      action: "coordinator.password_set_from_console",
      entityType: "coordinator",
      entityId: target.id,
      details: { email: target.email },
    });
  });
  return { ok: true, name: target.name, email: target.email };
}

export type ResetLookup = InviteLookup;

/** What a reset link leads to. A used link no longer matches anything (the token is cleared). */
export function lookupPasswordReset(db: Db, { token, now = new Date() }: { token: string; now?: Date }): ResetLookup {
  return lookupPasswordLink(db, { token, kind: "reset", now });
}

/**
 * Sets the new password with a reset link, once: the token is cleared, every session of the
 * coordinator ends, and an email tells them the password was changed.
 */
export async function resetCoordinatorPassword(
  db: Db,
  { token, password, appUrl, now = new Date() }: { token: string; password: string; appUrl: string; now?: Date },
): Promise<{ state: "done"; coordinatorId: number; email: string } | Exclude<ResetLookup, { state: "valid" }>> {
  const lookup = lookupPasswordReset(db, { token, now });
  if (lookup.state !== "valid") return lookup;
  const passwordHash = await hashPassword(password);
  return db.transaction((tx) => {
    const updated = consumePasswordLink(tx, { token, kind: "reset", passwordHash, now });
    if (!updated) return { state: "invalid" as const };
    revokeCoordinatorSessions(tx, { coordinatorId: updated.id, now });
    queuePasswordChangedEmail(tx, updated, { appUrl, now });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: updated.id,
      action: "coordinator.password_reset",
      entityType: "coordinator",
      entityId: updated.id,
      details: { email: updated.email },
    });
    return { state: "done" as const, coordinatorId: updated.id, email: updated.email };
  });
}

/**
 * "Cambia password" in /admin/account. A wrong current password changes nothing and is audited
 * (the caller counts it against the sign-in's limits). Otherwise the new hash is stored, any
 * pending reset link dies, every other session of the coordinator ends (`keepSessionId` stays) and
 * an email tells them.
 */
export async function changeCoordinatorPassword(
  db: Db,
  {
    coordinatorId,
    currentPassword,
    newPassword,
    keepSessionId,
    ip,
    appUrl,
    now = new Date(),
  }: { coordinatorId: number; currentPassword: string; newPassword: string; keepSessionId: string; ip: string; appUrl: string; now?: Date },
): Promise<{ ok: boolean }> {
  const row = db.select().from(coordinators).where(eq(coordinators.id, coordinatorId)).get();
  const matches = isActive(row) && (await verifyPassword(currentPassword, row.passwordHash!));
  if (!row || !matches) {
    recordAudit(db, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "coordinator.password_change_failed",
      entityType: "coordinator",
      entityId: coordinatorId,
      details: { ip },
    });
    return { ok: false };
  }
  const passwordHash = await hashPassword(newPassword);
  return db.transaction((tx) => {
    // Only over the hash just checked: a change made meanwhile from another page wins.
    const updated = tx
      .update(coordinators)
      .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null })
      .where(and(eq(coordinators.id, coordinatorId), eq(coordinators.passwordHash, row.passwordHash!), isNull(coordinators.disabledAt)))
      .returning({ id: coordinators.id })
      .get();
    if (!updated) return { ok: false };
    revokeCoordinatorSessions(tx, { coordinatorId, exceptSessionId: keepSessionId, now });
    queuePasswordChangedEmail(tx, row, { appUrl, now });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "coordinator.password_changed",
      entityType: "coordinator",
      entityId: coordinatorId,
      details: { email: row.email, ip },
    });
    return { ok: true };
  });
}
