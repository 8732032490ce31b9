import crypto from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// OWASP: scrypt N=2^17, r=8, p=1. The parameters travel with the hash so they can be raised later.
const PARAMS = { logN: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

function options(logN: number, r: number, p: number): crypto.ScryptOptions {
  const N = 2 ** logN;
  return { N, r, p, maxmem: 256 * N * r };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, options(PARAMS.logN, PARAMS.r, PARAMS.p));
  return ["scrypt", PARAMS.logN, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  // A stored key that decodes to nothing (a damaged or placeholder hash) would equal any password's.
  if (expected.length < 16) return false;
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, options(+logN, +r, +p));
  return crypto.timingSafeEqual(actual, expected);
}
