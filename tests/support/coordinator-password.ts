// Helpers for the tests of coordinators' passwords: "Il mio account", "Password dimenticata?" and the
// reset links sent by an administrator.
import { eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { auditLog, coordinators, sessions } from "#db/schema";
import { verifyCoordinatorCredentials } from "~/models/coordinator.server";
import { loader as adminLayoutLoader } from "~/routes/admin";
import { getDb } from "~/utils/db.server";
import { hashPassword } from "~/utils/password.server";
import { createTestCoordinator, settle } from "./admin";
import { outboxFor } from "./db-queries";
import { APP_URL, routeArgs } from "./requests";

/** An active coordinator who can sign in with `password` (a real scrypt hash). */
export async function createCoordinatorWithPassword(password: string, { role = "coordinator" as "admin" | "coordinator" } = {}) {
  const row = createTestCoordinator({ role, name: "Giulia Bianchi" });
  getDb().update(coordinators).set({ passwordHash: await hashPassword(password) }).where(eq(coordinators.id, row.id)).run();
  return row;
}

export const coordinatorRow = (id: number) => getDb().select().from(coordinators).where(eq(coordinators.id, id)).get()!;

export const signsInWith = async (email: string, password: string) => (await verifyCoordinatorCredentials(getDb(), { email, password })) !== null;

/** The audit entries about a coordinator, oldest first. */
export const auditFor = (id: number) =>
  getDb().select().from(auditLog).where(sql`${auditLog.entityType} = 'coordinator' AND ${auditLog.entityId} = ${String(id)}`).orderBy(auditLog.id).all();

export const openSessions = (coordinatorId: number) =>
  getDb()
    .select({ id: sessions.id, revokedAt: sessions.revokedAt })
    .from(sessions)
    .where(eq(sessions.coordinatorId, coordinatorId))
    .all()
    .filter((s) => s.revokedAt === null)
    .map((s) => s.id);

export async function canEnterAdmin(cookie: string) {
  const response = await settle(async () => adminLayoutLoader(routeArgs(new Request(`${APP_URL}/admin`, { headers: { Cookie: cookie } }))));
  return response.status === 200;
}

export const emailsOf = (email: string, template: "coordinator-password-reset" | "coordinator-password-changed") =>
  outboxFor(email).filter((r) => r.template === template);

/** The token of the newest reset link emailed to `email`. */
export function resetTokenFor(email: string) {
  const url = String(emailsOf(email, "coordinator-password-reset").at(-1)!.props.resetUrl);
  expect(url).toMatch(new RegExp(`^${APP_URL}/login/reimposta-password/[\\w-]{40,}$`));
  return url.split("/").pop()!;
}
