import crypto from "node:crypto";
import { getSessionSecret, getSessionSecrets } from "./secrets.server";

// Stateless unsubscribe links: the address plus an HMAC, so nothing needs storing per email. Links
// signed with an earlier secret still work: they are in emails already delivered.
function sign(email: string, secret = getSessionSecret()) {
  return crypto.createHmac("sha256", secret).update(`unsubscribe:${email}`).digest("base64url").slice(0, 32);
}

export function createUnsubscribeToken(email: string) {
  return `${Buffer.from(email.toLowerCase()).toString("base64url")}.${sign(email.toLowerCase())}`;
}

export function readUnsubscribeToken(token: string): string | null {
  const [encoded, signature] = token.split(".");
  if (!encoded || !signature) return null;
  const email = Buffer.from(encoded, "base64url").toString("utf8");
  const actual = Buffer.from(signature);
  const signedBy = (secret: string) => {
    const expected = Buffer.from(sign(email, secret));
    return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
  };
  return getSessionSecrets().some(signedBy) ? email : null;
}

export function unsubscribeUrl(appUrl: string, email: string) {
  return `${appUrl}/disiscrizione/${createUnsubscribeToken(email)}`;
}
