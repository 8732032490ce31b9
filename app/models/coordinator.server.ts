import crypto from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { coordinators } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { hashPassword, verifyPassword } from "~/utils/password.server";
import { recordAudit } from "./audit.server";

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
      .values({ email: adminEmail, name: "Amministratore", role: "admin", passwordHash })
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

export function listActiveCoordinators(db: Db | Tx) {
  return db
    .select({ id: coordinators.id, email: coordinators.email, name: coordinators.name })
    .from(coordinators)
    .where(and(isNull(coordinators.disabledAt), sql`${coordinators.passwordHash} IS NOT NULL`))
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
