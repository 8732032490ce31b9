import net from "node:net";
import path from "node:path";
import { z } from "zod";
import { ALL_REGIONS, findRegion, isAllRegions } from "./regions.server";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const integerSetting = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ invalid_type_error: "deve essere un numero" })
    .int("deve essere un numero intero")
    .min(min, `deve essere almeno ${min}`)
    .max(max, `deve essere al massimo ${max}`)
    .default(fallback);

const DEFAULT_MAIL_FROM = "Coordinamento SAI - ANCI Sicilia <noreply@localhost>";
const MAIL_FROM_EXAMPLE = 'come noreply@comune.esempio.it oppure "Coordinamento SAI <noreply@comune.esempio.it>"';

/**
 * The address of MAIL_FROM, from `nome@dominio.it` or `Nome <nome@dominio.it>` (the name may be in
 * double quotes); null for anything else. `localhost` is accepted as a domain (the local default).
 */
export function mailFromAddress(value: string): string | null {
  const match = /^(?:"?([^"<>]*?)"?\s*<([^<>\s]+)>|([^<>\s"]+))$/.exec(value.trim());
  const address = match?.[2] ?? match?.[3];
  if (!address) return null;
  const valid = z.string().email().safeParse(address).success || /^[a-z0-9._%+-]+@localhost$/i.test(address);
  return valid ? address : null;
}

const SMTP_ENCODING_HINT =
  "se utente o password contengono caratteri speciali, scrivili codificati: @ come %40, # come %23, : come %3A, / come %2F, % come %25";

/**
 * Why SMTP_URL cannot be what was meant, or null. An unencoded `#`, `/` or `?` in the password ends
 * the host early: the host is then taken from the password, and the rest left as fragment, path or
 * query. The message never repeats the value (it holds the password).
 */
export function smtpUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `non è un indirizzo valido, come smtp://utente:password@host:587 (${SMTP_ENCODING_HINT})`;
  }
  if (!/^smtps?:$/.test(url.protocol)) return "deve iniziare con smtp:// o smtps://";
  const spilled = url.hash !== "" || (url.pathname !== "" && url.pathname !== "/") || url.search.includes("@") || url.hostname === "";
  let decodable = true;
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    decodable = false;
  }
  if (spilled || !decodable) return `non è interpretabile: ${SMTP_ENCODING_HINT}`;
  return null;
}

/** True for an address served only to this machine (localhost, 127.x, ::1). */
const isLocalHostname = (hostname: string) => hostname === "localhost" || /^127\./.test(hostname) || hostname === "[::1]";

const TRUST_PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as Express's `trust proxy` takes it: a number of proxies (hops) in front of the
 * portal, or the proxies' addresses (IP, CIDR, or loopback / linklocal / uniquelocal) separated by commas.
 * "true" (trust every address) is refused: anyone could then choose the IP the rate limits see.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): number | string {
  if (/^\d+$/.test(value)) return Number(value);
  const items = value.split(",").map((item) => item.trim());
  const bad = items.filter((item) => {
    if (TRUST_PROXY_NAMES.has(item)) return false;
    const [address, prefix, ...rest] = item.split("/");
    const family = net.isIP(address);
    if (family === 0 || rest.length > 0) return true;
    if (prefix === undefined) return false;
    if (/^\d+$/.test(prefix)) return Number(prefix) > (family === 4 ? 32 : 128);
    return net.isIP(prefix) !== family;
  });
  if (items.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: "custom",
      message:
        `${bad.length > 0 ? bad.map((item) => `"${item}"`).join(", ") : `"${value}"`} non è un valore valido: indica il numero di proxy davanti al portale (per esempio 1) ` +
        "oppure gli indirizzi dei proxy separati da virgola (IP, rete CIDR come 10.0.0.0/8, loopback, linklocal, uniquelocal)",
    });
    return z.NEVER;
  }
  return items.join(",");
}

/** The regions of REGION (comma-separated names, or "tutte"), as the territory data spells them. */
function parseRegions(value: string, ctx: z.RefinementCtx) {
  const names = value.split(",").map((r) => r.trim()).filter(Boolean);
  if (names.length === 0) {
    ctx.addIssue({ code: "custom", message: `è vuota: indica una regione (${ALL_REGIONS.join(", ")}) oppure "tutte"` });
    return z.NEVER;
  }
  if (names.some(isAllRegions)) return [...ALL_REGIONS];
  const unknown = names.filter((n) => !findRegion(n));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message:
        `${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "non è una regione italiana" : "non sono regioni italiane"}. ` +
        `Valori ammessi, anche più di uno separati da virgola: ${ALL_REGIONS.join(", ")}; oppure "tutte"`,
    });
    return z.NEVER;
  }
  return [...new Set(names.map((n) => findRegion(n)!))];
}

// Where the data lives: all that `npm run backup` and `npm run restore` read.
const storageSchema = z.object({
  DATA_DIR: z.string().default("data"),
  DATABASE_PATH: optionalString,
});

const envSchema = z
  .object({
    NODE_ENV: z
      .enum(["development", "production", "test"], { errorMap: () => ({ message: 'deve essere "development", "production" oppure "test"' }) })
      .default("development"),
    PORT: integerSetting(3000, 1, 65535),
    // The interface to listen on: behind a proxy on the same machine, 127.0.0.1 keeps the portal
    // unreachable except through it. Unset: every interface.
    HOST: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9.:-]+$/, "deve essere un indirizzo IP di questa macchina (come 127.0.0.1) o un nome che lo indica")
        .optional(),
    ),
    ...storageSchema.shape,
    APP_URL: optionalString.pipe(
      z
        .string()
        .url("deve essere un indirizzo come https://sai.example.org")
        .refine((v) => /^https?:\/\//.test(v), "deve iniziare con http:// o https://")
        .refine((v) => {
          const url = new URL(v);
          return url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
        }, "deve essere solo l'indirizzo del sito, senza percorso, come https://sai.example.org: il portale va servito alla radice del suo dominio, e i link delle email sarebbero sbagliati")
        .optional(),
    ),
    // The proxies whose X-Forwarded-For / -Proto / -Host are believed (Express's `trust proxy`).
    TRUST_PROXY: z.string().trim().default("loopback").transform(parseTrustProxy),
    SESSION_SECRET: optionalString.pipe(
      z.string().min(32, "deve avere almeno 32 caratteri").optional(),
    ),
    // Secrets used before the current one, still accepted for what they signed (sessions, unsubscribe links).
    SESSION_SECRET_PREVIOUS: optionalString.pipe(
      z
        .string()
        .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
        .refine((secrets) => secrets.every((s) => s.length >= 32), "ogni segreto precedente deve avere almeno 32 caratteri (separali con una virgola)")
        .optional(),
    ),
    SMTP_URL: optionalString.pipe(
      z
        .string()
        .superRefine((v, ctx) => {
          const problem = smtpUrlProblem(v);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional(),
    ),
    MAIL_FROM: z
      .string()
      .trim()
      .default(DEFAULT_MAIL_FROM)
      .superRefine((v, ctx) => {
        if (mailFromAddress(v)) return;
        ctx.addIssue({
          code: "custom",
          message: v
            ? `"${v}" non è un mittente valido: indica un indirizzo email, ${MAIL_FROM_EXAMPLE}`
            : `è vuoto: indica l'indirizzo email del mittente, ${MAIL_FROM_EXAMPLE}`,
        });
      }),
    // Where referenti and visitors write to the coordinators: the Reply-To of every email, and the
    // address the referent area, /privacy and /accessibilita give.
    CONTACT_EMAIL: optionalString.pipe(z.string().email("deve essere un indirizzo email, come coordinamento.sai@anci.sicilia.it").optional()),
    ADMIN_EMAIL: optionalString.pipe(z.string().email("deve essere un indirizzo email").optional()),
    ADMIN_PASSWORD: optionalString.pipe(
      z.string().min(12, "deve avere almeno 12 caratteri").optional(),
    ),
    REGION: z.string().trim().default("Sicilia").transform(parseRegions),
    REGISTRATIONS_PER_IP_PER_HOUR: integerSetting(20, 1, 1_000_000),
    MAIL_MAX_ATTEMPTS: integerSetting(8, 1, 50),
    MAIL_RATE_PER_SECOND: integerSetting(20, 1, 10_000),
    MAIL_POLL_MS: integerSetting(2000, 10, 600_000),
    RETENTION_UNCONFIRMED_DAYS: integerSetting(30, 1, 3650),
    RETENTION_REJECTED_MONTHS: integerSetting(12, 1, 120),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const key of ["SESSION_SECRET", "APP_URL", "SMTP_URL"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "va impostata in produzione" });
    }
    // Plain http outside this machine: session cookies would travel without Secure (docs/decisions/030).
    if (env.APP_URL && !env.APP_URL.startsWith("https://") && !isLocalHostname(new URL(env.APP_URL).hostname)) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_URL"],
        message: "deve iniziare con https:// in produzione: su http:// i cookie di accesso viaggerebbero in chiaro (http:// è ammesso solo per localhost)",
      });
    }
    if (mailFromAddress(env.MAIL_FROM)?.toLowerCase().endsWith("@localhost")) {
      ctx.addIssue({
        code: "custom",
        path: ["MAIL_FROM"],
        message: `va impostata in produzione: con un indirizzo @localhost le email partirebbero da un mittente inesistente (indica un indirizzo email, ${MAIL_FROM_EXAMPLE})`,
      });
    }
  });

export type Env = ReturnType<typeof resolveEnv>;

function parseOrThrow<T extends z.ZodTypeAny>(schema: T, raw: Record<string, string | undefined>): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")} ${i.message}`);
    throw new InvalidEnvironmentError(`Impostazioni non valide:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

function storagePaths(env: z.output<typeof storageSchema>) {
  const dataDir = path.resolve(env.DATA_DIR);
  return { dataDir, databasePath: path.resolve(env.DATABASE_PATH ?? path.join(dataDir, "portale.db")) };
}

/** Only DATA_DIR and DATABASE_PATH, checked: for the backup and restore commands, which need no other setting. */
export function getStoragePaths(raw: Record<string, string | undefined> = process.env) {
  return storagePaths(parseOrThrow(storageSchema, raw));
}

function resolveEnv(raw: Record<string, string | undefined>) {
  const env = parseOrThrow(envSchema, raw);
  const { dataDir, databasePath } = storagePaths(env);
  const appUrl = new URL(env.APP_URL ?? `http://localhost:${env.PORT}`);
  return {
    ...env,
    isProduction: env.NODE_ENV === "production",
    dataDir,
    databasePath,
    mailDir: path.join(dataDir, "mail"),
    uploadsDir: path.join(dataDir, "uploads"),
    appUrl: appUrl.origin,
    secureCookies: appUrl.protocol === "https:",
    contactEmail: env.CONTACT_EMAIL?.toLowerCase() ?? null,
    regions: env.REGION,
  };
}

export class InvalidEnvironmentError extends Error {}

let cached: Env | undefined;

/** Parsed once; a bad value throws with a message naming each setting. */
export function getEnv(): Env {
  cached ??= resolveEnv(process.env);
  return cached;
}

export function parseEnv(raw: Record<string, string | undefined>): Env {
  return resolveEnv(raw);
}
