import crypto from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { referentLoginCodes, referents } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { getSessionSecret } from "~/utils/secrets.server";
import { createToken, hashToken } from "~/utils/tokens.server";
import { recordAudit } from "./audit.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { findSignedInAccess, findSignInReferent, grantedBeforeTermEnded, type SignedInReferent } from "./referent-session.server";

// Sign-in to the referent area with a one-time code sent by email (issue 6, point 1).
//
// Written here rather than with remix-auth-totp: that strategy keeps its state in a cookie of the
// browser that asked and signs in on the GET of its magic link, while this portal needs codes that
// are stored (hashed) and die after 5 wrong tries whatever the browser, and a link whose last step
// is a POST. Rules:
// - a 6-digit code, valid 10 minutes, usable once; a new code replaces the previous one, but not
//   within a minute of it: a second tap on a slow connection (or «Invia un nuovo codice» pressed at
//   once) must not kill the code the first one sent (decision 036);
// - 5 wrong tries kill the code (even the right code is refused afterwards);
// - only referenti who may enter (current referente of an approved ente, or own request pending,
//   or a former referente, who gets the privacy pages only) receive a code; every other address
//   gets the very same answer and no email;
// - the email also carries a link to /area-referente/accedi/link/<token>, which shows a button;
// - the page that sent the person to sign in (returnTo) is kept with the code, and given back by
//   whichever of code or link is used;
// - the table holds keyed hashes only: of the code, of the link token and of the address.

export const LOGIN_CODE_TTL_MS = 10 * 60 * 1000;
export const LOGIN_CODE_MAX_FAILURES = 5;
export const LOGIN_CODE_DIGITS = 6;
/** A live code younger than this is kept, and no other is sent, whoever asks. */
export const LOGIN_CODE_RESEND_AFTER_MS = 60 * 1000;

const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

const keyed = (purpose: string, value: string) =>
  crypto.createHmac("sha256", getSessionSecret()).update(`${purpose}\u0000${value}`).digest("hex");

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
const emailHashOf = (email: string) => keyed("referent-login-email", normalizeEmail(email));
const codeHashOf = (emailHash: string, code: string) => keyed(`referent-login-code:${emailHash}`, code);

function sameHash(a: string, b: string) {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function generateLoginCode() {
  return String(crypto.randomInt(0, 10 ** LOGIN_CODE_DIGITS)).padStart(LOGIN_CODE_DIGITS, "0");
}

/**
 * Sends a code to `email` when it belongs to a referente who may sign in, unless that address got a
 * code still unused less than LOGIN_CODE_RESEND_AFTER_MS ago (`recentCodeAt`); otherwise does nothing.
 * The caller must answer every case identically (the result is for tests and logs, not for pages).
 * `returnTo`: a path of the portal already checked by the caller (safeRedirectPath), or null.
 */
export function requestLoginCode(
  db: Db,
  { email, appUrl, returnTo = null, now = new Date() }: { email: string; appUrl: string; returnTo?: string | null; now?: Date },
) {
  const address = normalizeEmail(email);
  const emailHash = emailHashOf(address);
  // Prepared before knowing whether the address is known, so both paths do the same work.
  const code = generateLoginCode();
  const link = createToken();
  const codeHash = codeHashOf(emailHash, code);
  return db.transaction((tx) => {
    tx.delete(referentLoginCodes)
      .where(lt(referentLoginCodes.expiresAt, new Date(now.getTime() - PURGE_AFTER_MS)))
      .run();
    const access = findSignInReferent(tx, { email: address });
    if (!access) return { sent: false as const };
    // A code asked again within a minute (a double tap, a retried request) leaves the one just sent
    // working: replacing it would refuse the code of the email the person opens first.
    const recent = tx
      .select({ createdAt: referentLoginCodes.createdAt })
      .from(referentLoginCodes)
      .where(
        and(
          eq(referentLoginCodes.emailHash, emailHash),
          isNull(referentLoginCodes.usedAt),
          gt(referentLoginCodes.expiresAt, now),
          gt(referentLoginCodes.createdAt, new Date(now.getTime() - LOGIN_CODE_RESEND_AFTER_MS)),
        ),
      )
      .orderBy(desc(referentLoginCodes.id))
      .get();
    if (recent) return { sent: false as const, recentCodeAt: recent.createdAt };
    // Only the newest code works.
    tx.update(referentLoginCodes)
      .set({ usedAt: now })
      .where(and(eq(referentLoginCodes.emailHash, emailHash), isNull(referentLoginCodes.usedAt)))
      .run();
    tx.insert(referentLoginCodes)
      .values({
        referentId: access.referentId,
        emailHash,
        codeHash,
        linkTokenHash: link.hash,
        returnTo,
        expiresAt: new Date(now.getTime() + LOGIN_CODE_TTL_MS),
        createdAt: now,
      })
      .run();
    queueEmail(tx, {
      to: address,
      template: "referent-login-code",
      props: {
        firstName: access.firstName,
        lastName: access.lastName,
        code,
        signInUrl: `${appUrl}/area-referente/accedi/link/${link.token}`,
        validMinutes: LOGIN_CODE_TTL_MS / 60_000,
      },
      memberBodyId: access.memberBodyId,
      domain: messageDomainOf(appUrl),
    });
    recordAudit(tx, {
      actorType: "referent",
      actorId: access.referentId,
      action: "auth.login_code_sent",
      entityType: "referent",
      entityId: access.referentId,
    });
    return { sent: true as const, referentId: access.referentId };
  });
}

/**
 * `returnTo`: the page to open after signing in, as stored with the code. A failure says nothing
 * more: a code that is wrong, expired, used or killed by wrong tries fails alike, since only a
 * registered address has a code to kill (saying "blocked" would tell a stranger it is registered).
 */
export type LoginResult = { ok: true; access: SignedInReferent; returnTo: string | null } | { ok: false };

/**
 * Checks a code typed for `email`. A wrong code counts against the newest live code of that
 * address; the fifth wrong try kills the code, not the link sent with it: anyone can type codes for
 * an address, and only its owner can open the link, so a stranger guessing cannot shut the person
 * out. The right code works once, and only if the referente may still enter (a code sent while they
 * were in charge dies with their term).
 */
export function verifyLoginCode(db: Db, { email, code, now = new Date() }: { email: string; code: string; now?: Date }): LoginResult {
  const emailHash = emailHashOf(email);
  const typed = codeHashOf(emailHash, code.replace(/\s+/g, ""));
  return db.transaction((tx): LoginResult => {
    const row = tx
      .select()
      .from(referentLoginCodes)
      .where(
        and(eq(referentLoginCodes.emailHash, emailHash), isNull(referentLoginCodes.usedAt), gt(referentLoginCodes.expiresAt, now)),
      )
      .orderBy(desc(referentLoginCodes.id))
      .get();
    if (!row) return { ok: false };
    if (row.failedAttempts >= LOGIN_CODE_MAX_FAILURES) return { ok: false };
    if (!sameHash(typed, row.codeHash)) {
      tx.update(referentLoginCodes)
        .set({ failedAttempts: row.failedAttempts + 1 })
        .where(eq(referentLoginCodes.id, row.id))
        .run();
      return { ok: false };
    }
    return consume(tx, row, now);
  });
}

/** The code row of a sign-in link not yet used nor expired, or undefined. */
function liveLinkCode(db: Db | Tx, token: string, now: Date) {
  if (!token || token.length > 200) return undefined;
  return db
    .select()
    .from(referentLoginCodes)
    .where(and(eq(referentLoginCodes.linkTokenHash, hashToken(token)), isNull(referentLoginCodes.usedAt), gt(referentLoginCodes.expiresAt, now)))
    .get();
}

/** Whether a sign-in link still works (GET of its page: reads only). */
export function isLoginLinkUsable(db: Db, { token, now = new Date() }: { token: string; now?: Date }) {
  return !!liveLinkCode(db, token, now);
}

/** The magic link's final step (a POST): the token works once, within the code's 10 minutes. */
export function verifyLoginLink(db: Db, { token, now = new Date() }: { token: string; now?: Date }): LoginResult {
  return db.transaction((tx): LoginResult => {
    const row = liveLinkCode(tx, token, now);
    if (!row) return { ok: false };
    return consume(tx, row, now);
  });
}

function consume(tx: Tx, row: typeof referentLoginCodes.$inferSelect, now: Date): LoginResult {
  // The usedAt guard makes a second, concurrent use of the same code a failure.
  const claimed = tx
    .update(referentLoginCodes)
    .set({ usedAt: now })
    .where(and(eq(referentLoginCodes.id, row.id), isNull(referentLoginCodes.usedAt)))
    .returning({ id: referentLoginCodes.id })
    .get();
  if (!claimed) return { ok: false };
  const access = findSignedInAccess(tx, { referentId: row.referentId });
  if (!access || grantedBeforeTermEnded(access, row.createdAt)) return { ok: false };
  // The code or link came by email: the address is the person's (a coordinator's correction is not).
  tx.update(referents).set({ emailVerifiedAt: now }).where(and(eq(referents.id, row.referentId), isNull(referents.emailVerifiedAt))).run();
  return { ok: true, access, returnTo: row.returnTo };
}

/** Drops every code of a referente (erasure, or when their access ends). */
export function forgetLoginCodes(db: Db, { referentId }: { referentId: number }) {
  db.delete(referentLoginCodes).where(eq(referentLoginCodes.referentId, referentId)).run();
}

/** Codes used or expired for more than a day (also done at every request for a code). */
export function purgeLoginCodes(db: Db, { now = new Date() }: { now?: Date } = {}) {
  const before = new Date(now.getTime() - PURGE_AFTER_MS);
  return db
    .delete(referentLoginCodes)
    .where(or(lt(referentLoginCodes.expiresAt, before), lt(referentLoginCodes.usedAt, before)))
    .run().changes;
}
