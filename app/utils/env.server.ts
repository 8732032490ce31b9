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

const envSchema = z
  .object({
    NODE_ENV: z
      .enum(["development", "production", "test"], { errorMap: () => ({ message: 'deve essere "development", "production" oppure "test"' }) })
      .default("development"),
    PORT: integerSetting(3000, 1, 65535),
    DATA_DIR: z.string().default("data"),
    DATABASE_PATH: optionalString,
    APP_URL: optionalString.pipe(
      z
        .string()
        .url("deve essere un indirizzo come https://sai.example.org")
        .refine((v) => /^https?:\/\//.test(v), "deve iniziare con http:// o https://")
        .optional(),
    ),
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
        .url("deve essere un indirizzo come smtp://utente:password@host:587")
        .refine((v) => /^smtps?:\/\//.test(v), "deve iniziare con smtp:// o smtps://")
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
  });

export type Env = ReturnType<typeof resolveEnv>;

function resolveEnv(raw: Record<string, string | undefined>) {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")} ${i.message}`);
    throw new InvalidEnvironmentError(`Impostazioni non valide:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const appUrl = new URL(env.APP_URL ?? `http://localhost:${env.PORT}`);
  return {
    ...env,
    isProduction: env.NODE_ENV === "production",
    dataDir,
    databasePath: path.resolve(env.DATABASE_PATH ?? path.join(dataDir, "portale.db")),
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
