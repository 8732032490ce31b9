import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { settings } from "#db/schema";
import type { Db } from "./db.server";
import { getEnv } from "./env.server";

let cachedSecret: string | undefined;
let cachedPrevious: string[] = [];

/**
 * SESSION_SECRET when configured (required in production); otherwise one generated at the first
 * start and kept in the database, so a local install needs no setup and sessions survive restarts.
 * The secrets used before it stay valid for what they signed: SESSION_SECRET_PREVIOUS, and the
 * generated one once SESSION_SECRET is set (going live after a trial, or rotating the secret, does
 * not sign everyone out nor break the unsubscribe links of the emails already sent).
 */
export function ensureSessionSecret(db: Db): string {
  const { SESSION_SECRET: configured, SESSION_SECRET_PREVIOUS: previous = [] } = getEnv();
  const stored = db.select().from(settings).where(eq(settings.key, "session_secret")).get()?.value;
  if (configured) {
    cachedPrevious = [...new Set([...previous, ...(stored ? [stored] : [])])].filter((s) => s !== configured);
    return (cachedSecret = configured);
  }
  if (stored) {
    cachedPrevious = previous.filter((s) => s !== stored);
    return (cachedSecret = stored);
  }
  const generated = crypto.randomBytes(32).toString("base64url");
  db.insert(settings).values({ key: "session_secret", value: generated }).onConflictDoNothing().run();
  return ensureSessionSecret(db);
}

export function getSessionSecret(): string {
  if (!cachedSecret) throw new Error("ensureSessionSecret() must run at start-up");
  return cachedSecret;
}

/** The current secret first (it signs), then the earlier ones (they only verify). */
export function getSessionSecrets(): string[] {
  return [getSessionSecret(), ...cachedPrevious];
}
