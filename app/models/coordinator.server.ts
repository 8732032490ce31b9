import crypto from "node:crypto";
import { and, asc, eq, gt, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { coordinators } from "#db/schema";
import { formatDateTimeIt } from "~/utils/dates";
import type { Db, Tx } from "~/utils/db.server";
import { hashPassword, verifyPassword } from "~/utils/password.server";
import { createToken, hashToken } from "~/utils/tokens.server";
import { COORDINATOR_ROLE_LABELS } from "~/validation/coordinator";
import { recordAudit } from "./audit.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { revokeCoordinatorSessions } from "./session.server";
import { FIRST_COORDINATOR_NAME } from "~/validation/coordinator";

/**
 * Creates the first administrator when there is no coordinator at all.
 * Without a configured password a random one is generated and returned, to be shown once.
 */
export async function ensureFirstCoordinator(
  db: Db,
  { email, password }: { email?: string; password?: string },
) {
  const existing = db.select({ n: sql<number>`count(*)` }).from(coordinators).get();
  if (existing && existing.n > 0) return { created: false as const };
  const adminEmail = (email ?? "admin@example.org").toLowerCase();
  const generatedPassword = password ? undefined : crypto.randomBytes(12).toString("base64url");
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  db.transaction((tx) => {
    const row = tx
      .insert(coordinators)
      .values({ email: adminEmail, name: FIRST_COORDINATOR_NAME, role: "admin", passwordHash })
      .onConflictDoNothing()
      .returning({ id: coordinators.id })
      .get();
    if (row) {
      recordAudit(tx, {
        actorType: "system",
        action: "coordinator.created",
        entityType: "coordinator",
        entityId: row.id,
        details: { email: adminEmail, role: "admin", reason: "first start" },
      });
    }
  });
  return { created: true as const, email: adminEmail, generatedPassword };
}

/** Coordinators who can sign in (password set, not disabled); only the admins with `role: "admin"`. */
export function listActiveCoordinators(db: Db | Tx, { role }: { role?: "admin" } = {}) {
  return db
    .select({ id: coordinators.id, email: coordinators.email, name: coordinators.name })
    .from(coordinators)
    .where(and(isNull(coordinators.disabledAt), sql`${coordinators.passwordHash} IS NOT NULL`, role ? eq(coordinators.role, role) : undefined))
    .all();
}

export function findCoordinatorByEmail(db: Db, email: string) {
  return db.select().from(coordinators).where(eq(coordinators.email, email.toLowerCase())).get();
}

// A real scrypt hash of a random password: checking against it takes as long as a real check,
// so an unknown email answers no faster than a wrong password.
let timingDecoy: Promise<string> | undefined;

/** The active coordinator with these credentials, or null; same cost whether or not the email exists. */
export async function verifyCoordinatorCredentials(db: Db, { email, password }: { email: string; password: string }) {
  const coordinator = findCoordinatorByEmail(db, email);
  if (!coordinator || !coordinator.passwordHash || coordinator.disabledAt) {
    timingDecoy ??= hashPassword(crypto.randomBytes(16).toString("hex"));
    await verifyPassword(password, await timingDecoy);
    return null;
  }
  const ok = await verifyPassword(password, coordinator.passwordHash);
  return ok ? { id: coordinator.id, email: coordinator.email, name: coordinator.name, role: coordinator.role } : null;
}

// ---------------------------------------------------------------------------------------------
// Management by administrators (/admin/coordinatori) and invitations (/invito-coordinatore/:token).

export const COORDINATOR_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type CoordinatorRole = (typeof coordinators.$inferSelect)["role"];
export type CoordinatorState = "attivo" | "invitato" | "disattivato";

export function coordinatorState(c: { passwordHash: string | null; disabledAt: Date | null }): CoordinatorState {
  if (c.disabledAt) return "disattivato";
  return c.passwordHash ? "attivo" : "invitato";
}

/** Every coordinator, for the management page; never the password or token hashes. */
export function listCoordinators(db: Db) {
  return db
    .select()
    .from(coordinators)
    .orderBy(asc(coordinators.name), asc(coordinators.id))
    .all()
    .map((c) => ({
      id: c.id,
      name: c.name,
      email: c.email,
      role: c.role,
      state: coordinatorState(c),
      createdAt: c.createdAt,
      inviteExpiresAt: c.passwordHash ? null : c.inviteExpiresAt,
    }));
}

export type InviteResult =
  | { ok: true; coordinatorId: number; reinvited: boolean }
  | { ok: false; errors: Record<string, string> };

/**
 * Creates a coordinator without a password and emails a one-time link to choose one (valid 7 days;
 * only the token's hash is stored). Inviting again someone who has not accepted yet sends a new link
 * and the old one stops working.
 */
export function inviteCoordinator(
  db: Db,
  {
    email,
    name,
    role,
    invitedById,
    appUrl,
    now = new Date(),
  }: { email: string; name: string; role: CoordinatorRole; invitedById: number; appUrl: string; now?: Date },
): InviteResult {
  const address = email.trim().toLowerCase();
  return db.transaction((tx): InviteResult => {
    const existing = tx.select().from(coordinators).where(eq(coordinators.email, address)).get();
    if (existing?.disabledAt) {
      return { ok: false, errors: { email: "Questo indirizzo è di un coordinatore disattivato: riattivalo dall'elenco." } };
    }
    if (existing?.passwordHash) {
      return { ok: false, errors: { email: "Esiste già un coordinatore attivo con questa email." } };
    }
    const { token, hash } = createToken();
    const expiresAt = new Date(now.getTime() + COORDINATOR_INVITE_TTL_MS);
    let coordinatorId: number;
    if (existing) {
      tx.update(coordinators)
        .set({ name, role, inviteTokenHash: hash, inviteExpiresAt: expiresAt })
        .where(eq(coordinators.id, existing.id))
        .run();
      coordinatorId = existing.id;
    } else {
      coordinatorId = tx
        .insert(coordinators)
        .values({ email: address, name, role, inviteTokenHash: hash, inviteExpiresAt: expiresAt, createdAt: now })
        .returning({ id: coordinators.id })
        .get().id;
    }
    queueInvitation(tx, { to: address, name, role, invitedById, token, expiresAt, appUrl });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: invitedById,
      action: existing ? "coordinator.reinvited" : "coordinator.invited",
      entityType: "coordinator",
      entityId: coordinatorId,
      details: existing
        ? { email: address, before: { name: existing.name, role: existing.role }, after: { name, role } }
        : { email: address, name, role },
    });
    return { ok: true, coordinatorId, reinvited: !!existing };
  });
}

function queueInvitation(
  tx: Tx,
  { to, name, role, invitedById, token, expiresAt, appUrl }: { to: string; name: string; role: CoordinatorRole; invitedById: number; token: string; expiresAt: Date; appUrl: string },
) {
  const inviter = tx.select({ name: coordinators.name }).from(coordinators).where(eq(coordinators.id, invitedById)).get();
  queueEmail(tx, {
    to,
    template: "coordinator-invitation",
    props: {
      name,
      inviterName: inviter?.name ?? "Un amministratore",
      roleLabel: COORDINATOR_ROLE_LABELS[role],
      inviteUrl: `${appUrl}/invito-coordinatore/${token}`,
      expiresOn: formatDateTimeIt(expiresAt),
    },
    domain: messageDomainOf(appUrl),
  });
}

export type ManageResult = { ok: true; changed: boolean } | { ok: false; error: string };

/** A coordinator as the page changing their address shows them (undefined: no such coordinator). */
export function getCoordinatorContact(db: Db, { id }: { id: number }) {
  const row = db.select().from(coordinators).where(eq(coordinators.id, id)).get();
  return row && { id: row.id, name: row.name, email: row.email, state: coordinatorState(row) };
}

export type EmailChangeResult =
  | { ok: true; changed: false }
  | { ok: true; changed: true; state: CoordinatorState; email: string }
  | { ok: false; notFound: true }
  | { ok: false; errors: { email: string } };

/**
 * An administrator gives a coordinator (or themselves) a new address, which is their sign-in from
 * now on. A link to choose or reset a password sent to the previous address stops working: an
 * invited coordinator gets a new invitation at the new address; an active one is told at both
 * addresses, so a change they did not ask for does not go unnoticed. Sessions stay open.
 */
export function changeCoordinatorEmail(
  db: Db,
  { id, email, actorId, appUrl, now = new Date() }: { id: number; email: string; actorId: number; appUrl: string; now?: Date },
): EmailChangeResult {
  const address = email.trim().toLowerCase();
  return db.transaction((tx): EmailChangeResult => {
    const target = tx.select().from(coordinators).where(eq(coordinators.id, id)).get();
    if (!target) return { ok: false, notFound: true };
    if (target.email === address) return { ok: true, changed: false };
    const taken = tx.select({ id: coordinators.id }).from(coordinators).where(eq(coordinators.email, address)).get();
    if (taken) return { ok: false, errors: { email: "Questo indirizzo è già di un altro coordinatore del portale." } };
    const state = coordinatorState(target);
    const link = state === "invitato" ? createToken() : null;
    const expiresAt = link ? new Date(now.getTime() + COORDINATOR_INVITE_TTL_MS) : null;
    tx.update(coordinators)
      .set({ email: address, inviteTokenHash: link?.hash ?? null, inviteExpiresAt: expiresAt })
      .where(eq(coordinators.id, id))
      .run();
    if (link && expiresAt) {
      queueInvitation(tx, { to: address, name: target.name, role: target.role, invitedById: actorId, token: link.token, expiresAt, appUrl });
    } else if (state === "attivo") {
      const actor = tx.select({ name: coordinators.name }).from(coordinators).where(eq(coordinators.id, actorId)).get();
      const props = {
        name: target.name,
        previousEmail: target.email,
        newEmail: address,
        changedByName: actorId === id ? null : actor?.name ?? "Un amministratore",
        changedAt: formatDateTimeIt(now),
        signInUrl: `${appUrl}/login`,
      };
      for (const to of [target.email, address]) queueEmail(tx, { to, template: "coordinator-email-changed", props, domain: messageDomainOf(appUrl) });
    }
    recordAudit(tx, {
      actorType: "coordinator",
      actorId,
      action: "coordinator.email_changed",
      entityType: "coordinator",
      entityId: id,
      details: { before: { email: target.email }, after: { email: address } },
    });
    return { ok: true, changed: true, state, email: address };
  });
}

const isActive = (c: { passwordHash: string | null; disabledAt: Date | null }) => !!c.passwordHash && !c.disabledAt;

function otherActiveAdmins(tx: Tx, excludeId: number) {
  return tx
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(coordinators)
    .where(
      and(
        eq(coordinators.role, "admin"),
        isNull(coordinators.disabledAt),
        isNotNull(coordinators.passwordHash),
        ne(coordinators.id, excludeId),
      ),
    )
    .get()!.n;
}

/** A coordinator's own name, as emails and the log show it; audited with the name before and after. */
export function renameCoordinator(db: Db, { id, name }: { id: number; name: string }) {
  return db.transaction((tx) => {
    const current = tx.select().from(coordinators).where(eq(coordinators.id, id)).get();
    if (!current || current.name === name) return { changed: false };
    tx.update(coordinators).set({ name }).where(eq(coordinators.id, id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: id,
      action: "coordinator.renamed",
      entityType: "coordinator",
      entityId: id,
      details: { email: current.email, before: { name: current.name }, after: { name } },
    });
    return { changed: true };
  });
}

/** Changes a coordinator's role; nobody changes their own, and the last active administrator stays one. */
export function changeCoordinatorRole(
  db: Db,
  { id, role, actorId }: { id: number; role: CoordinatorRole; actorId: number },
): ManageResult {
  return db.transaction((tx): ManageResult => {
    if (id === actorId) return { ok: false, error: "Non puoi cambiare il tuo ruolo: chiedilo a un altro amministratore." };
    const target = tx.select().from(coordinators).where(eq(coordinators.id, id)).get();
    if (!target) return { ok: false, error: "Coordinatore non trovato." };
    if (target.role === role) return { ok: true, changed: false };
    if (target.role === "admin" && isActive(target) && otherActiveAdmins(tx, id) === 0) {
      return { ok: false, error: "Deve restare almeno un amministratore attivo: non puoi togliere il ruolo all'ultimo." };
    }
    tx.update(coordinators).set({ role }).where(eq(coordinators.id, id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId,
      action: "coordinator.role_changed",
      entityType: "coordinator",
      entityId: id,
      details: { email: target.email, before: { role: target.role }, after: { role } },
    });
    return { ok: true, changed: true };
  });
}

/**
 * Disables (and ends every session of) or re-enables a coordinator. Nobody disables themselves, and
 * the last active administrator cannot be disabled.
 */
export function setCoordinatorDisabled(
  db: Db,
  { id, disabled, actorId, now = new Date() }: { id: number; disabled: boolean; actorId: number; now?: Date },
): ManageResult {
  return db.transaction((tx): ManageResult => {
    if (id === actorId && disabled) return { ok: false, error: "Non puoi disattivare il tuo account." };
    const target = tx.select().from(coordinators).where(eq(coordinators.id, id)).get();
    if (!target) return { ok: false, error: "Coordinatore non trovato." };
    if (!!target.disabledAt === disabled) return { ok: true, changed: false };
    if (disabled && target.role === "admin" && isActive(target) && otherActiveAdmins(tx, id) === 0) {
      return { ok: false, error: "Deve restare almeno un amministratore attivo: non puoi disattivare l'ultimo." };
    }
    tx.update(coordinators)
      .set({ disabledAt: disabled ? now : null })
      .where(eq(coordinators.id, id))
      .run();
    // better-sqlite3 runs the whole callback on one connection inside BEGIN ... COMMIT, so revoking
    // through `db` here is part of this transaction.
    if (disabled) revokeCoordinatorSessions(db, { coordinatorId: id, now });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId,
      action: disabled ? "coordinator.disabled" : "coordinator.enabled",
      entityType: "coordinator",
      entityId: id,
      details: { email: target.email, before: { disabled: !!target.disabledAt }, after: { disabled } },
    });
    return { ok: true, changed: true };
  });
}

export type InviteLookup = { state: "valid"; name: string; email: string } | { state: "expired" } | { state: "invalid" };

function findByInviteToken(db: Db | Tx, token: string) {
  if (!token) return undefined;
  return db.select().from(coordinators).where(eq(coordinators.inviteTokenHash, hashToken(token))).get();
}

/**
 * The one-time links to choose a password share the token columns (invite_token_hash: the hash of a
 * random token, invite_expires_at): an invitation is for a coordinator without a password yet, a
 * reset link (coordinator-password.server.ts) for an active one. Each page accepts only its own kind.
 */
export type PasswordLinkKind = "invite" | "reset";
const LINK_FOR: Record<PasswordLinkKind, CoordinatorState> = { invite: "invitato", reset: "attivo" };

/** What a link leads to. A used link no longer matches anything (the token is cleared). */
export function lookupPasswordLink(
  db: Db,
  { token, kind, now = new Date() }: { token: string; kind: PasswordLinkKind; now?: Date },
): InviteLookup {
  const found = findByInviteToken(db, token);
  if (!found || coordinatorState(found) !== LINK_FOR[kind]) return { state: "invalid" };
  if (!found.inviteExpiresAt || found.inviteExpiresAt <= now) return { state: "expired" };
  return { state: "valid", name: found.name, email: found.email };
}

export function lookupCoordinatorInvite(db: Db, { token, now = new Date() }: { token: string; now?: Date }): InviteLookup {
  return lookupPasswordLink(db, { token, kind: "invite", now });
}

/**
 * Stores the new password's hash and clears the token, once: the lookup's conditions again, so a
 * second request racing this one finds the token already cleared. Returns who, or undefined.
 */
export function consumePasswordLink(
  tx: Tx,
  { token, kind, passwordHash, now }: { token: string; kind: PasswordLinkKind; passwordHash: string; now: Date },
) {
  return tx
    .update(coordinators)
    .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null })
    .where(
      and(
        eq(coordinators.inviteTokenHash, hashToken(token)),
        kind === "invite" ? isNull(coordinators.passwordHash) : isNotNull(coordinators.passwordHash),
        isNull(coordinators.disabledAt),
        gt(coordinators.inviteExpiresAt, now),
      ),
    )
    .returning({ id: coordinators.id, email: coordinators.email, name: coordinators.name })
    .get();
}

/** Sets the invited coordinator's password and clears the token, once; returns who to sign in. */
export async function acceptCoordinatorInvite(
  db: Db,
  { token, password, now = new Date() }: { token: string; password: string; now?: Date },
): Promise<{ state: "accepted"; coordinatorId: number } | Exclude<InviteLookup, { state: "valid" }>> {
  const lookup = lookupCoordinatorInvite(db, { token, now });
  if (lookup.state !== "valid") return lookup;
  const passwordHash = await hashPassword(password);
  return db.transaction((tx) => {
    const updated = consumePasswordLink(tx, { token, kind: "invite", passwordHash, now });
    if (!updated) return { state: "invalid" as const };
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: updated.id,
      action: "coordinator.password_set",
      entityType: "coordinator",
      entityId: updated.id,
      details: { email: updated.email },
    });
    return { state: "accepted" as const, coordinatorId: updated.id };
  });
}
