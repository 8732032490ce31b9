import crypto from "node:crypto";
import { getSessionSecret } from "./secrets.server";

// Stateless unsubscribe links: the address plus an HMAC, so nothing needs storing per email.
function sign(email: string) {
  return crypto.createHmac("sha256", getSessionSecret()).update(`unsubscribe:${email}`).digest("base64url").slice(0, 32);
}

export function createUnsubscribeToken(email: string) {
  return `${Buffer.from(email.toLowerCase()).toString("base64url")}.${sign(email.toLowerCase())}`;
}

export function readUnsubscribeToken(token: string): string | null {
  const [encoded, signature] = token.split(".");
  if (!encoded || !signature) return null;
  const email = Buffer.from(encoded, "base64url").toString("utf8");
  const expected = Buffer.from(sign(email));
  const actual = Buffer.from(signature);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected) ? email : null;
}

export function unsubscribeUrl(appUrl: string, email: string) {
  return `${appUrl}/disiscrizione/${createUnsubscribeToken(email)}`;
}
