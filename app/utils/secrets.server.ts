import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { settings } from "#db/schema";
import type { Db } from "./db.server";
import { getEnv } from "./env.server";

let cachedSecret: string | undefined;

/**
 * SESSION_SECRET when configured (required in production); otherwise one generated at the first
 * start and kept in the database, so a local install needs no setup and sessions survive restarts.
 */
export function ensureSessionSecret(db: Db): string {
  const configured = getEnv().SESSION_SECRET;
  if (configured) return (cachedSecret = configured);
  const stored = db.select().from(settings).where(eq(settings.key, "session_secret")).get();
  if (stored) return (cachedSecret = stored.value);
  const generated = crypto.randomBytes(32).toString("base64url");
  db.insert(settings).values({ key: "session_secret", value: generated }).onConflictDoNothing().run();
  return ensureSessionSecret(db);
}

export function getSessionSecret(): string {
  if (!cachedSecret) throw new Error("ensureSessionSecret() must run at start-up");
  return cachedSecret;
}
