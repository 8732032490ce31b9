import crypto from "node:crypto";

/** A random URL-safe token; only its hash is stored, so a leaked database grants nothing. */
export function createToken(bytes = 32) {
  const token = crypto.randomBytes(bytes).toString("base64url");
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string) {
  return crypto.createHash("sha256").update(token).digest("hex");
}
