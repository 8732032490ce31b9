import type { EmailProps, EmailTemplateName } from "#emails/index";

// Some emails carry one-time secrets: the referente's sign-in code and the personal links whose
// path holds a token (the database keeps only its hash). Coordinators read every email in
// /admin/posta, so what they see is rendered from props passed through redactEmailProps(): the
// message as it was written, with the secrets replaced by visible placeholders.
// docs/decisions/009-secrets-in-outbox.md

/** Shown instead of a sign-in code. */
export const HIDDEN_CODE = "••••••";
/** Shown instead of the token of a personal link, e.g. `/invito/[link personale nascosto]`. */
export const HIDDEN_LINK = "[link personale nascosto]";

/**
 * - `code`: a short code to type in; shown as HIDDEN_CODE.
 * - `link`: a URL whose path carries a token; the token is hidden, the rest of the path stays.
 * - `kept-link`: like `link` in what coordinators see, but the outbox keeps it after delivery
 *   because the portal reads it back (see scrubSentEmailProps).
 */
export type SecretKind = "code" | "link" | "kept-link";

type SecretProps = { [T in EmailTemplateName]: { [K in keyof EmailProps<T>]?: SecretKind } };

/**
 * The secret props of every template. Typed over all templates: a new one does not compile until
 * it is listed here, with `{}` if it carries no secret.
 */
export const EMAIL_SECRET_PROPS = {
  "confirm-registration": { confirmUrl: "link" },
  "registration-awaiting-approval": {},
  "membership-approved": {},
  "membership-rejected": {},
  "membership-revoked": {},
  "referent-replaced": {},
  "coordinator-invitation": { inviteUrl: "link" },
  "coordinator-password-reset": { resetUrl: "link" },
  "coordinator-password-changed": {},
  "coordinator-email-changed": {},
  // Added at delivery (and for the preview), never stored; it names the address and is signed.
  communication: { unsubscribeUrl: "link" },
  // The invitation email is where the reminders and the referent area find the invitation's
  // token again (invitation.server.ts, referent-tavoli.server.ts): it stays in the outbox.
  "round-table-invitation": { answerUrl: "kept-link" },
  "round-table-reminder": { answerUrl: "link" },
  "referent-login-code": { code: "code", signInUrl: "link" },
  "referent-email-change": { confirmUrl: "link" },
  "referent-email-changed": {},
  "handover-proposal": { confirmUrl: "link" },
  "round-table-updated": { answerUrl: "link" },
  "round-table-rejoined": { answerUrl: "link" },
  "round-table-cancelled": {},
  "materials-available": {},
  "erasure-requested": {},
  "erasure-request-received": {},
  // No secret; its recipient and props are forgotten after delivery (outbox.server.ts, decision 027).
  "erasure-completed": {},
} satisfies SecretProps;

function secretsOf(template: string): Record<string, SecretKind> {
  return (EMAIL_SECRET_PROPS as Record<string, Record<string, SecretKind>>)[template] ?? {};
}

/**
 * A path segment (or query value) that looks like a random token rather than words or an id: at
 * least 20 URL-safe characters, with one stretch of 8 or more letters and digits (between - _ . ~ =)
 * mixing digits and letters or with a capital after its first character, or 32 or more with
 * lower case, upper case and digits. `createToken()` (43
 * base64url characters), the unsubscribe token and hex names match; slugs ("tavoli-tecnici"),
 * numeric ids and dates do not.
 */
export function isTokenLike(segment: string) {
  if (segment.length < 20 || !/^[A-Za-z0-9_~.=-]+$/.test(segment)) return false;
  // Long base64url tokens cut into short stretches by - and _: lower, upper case and digits at once.
  if (segment.length >= 32 && /[a-z]/.test(segment) && /[A-Z]/.test(segment) && /\d/.test(segment)) return true;
  return segment
    .split(/[-_.~=]/)
    .some((part) => part.length >= 8 && ((/\d/.test(part) && /[A-Za-z]/.test(part)) || (/[a-z]/.test(part) && /[A-Z]/.test(part.slice(1)))));
}

/**
 * The link with its token hidden: token-like path segments (or, if none looks like one, the last
 * segment) become HIDDEN_LINK; the query and fragment are dropped. Not a URL: HIDDEN_LINK.
 */
export function hideLinkToken(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return HIDDEN_LINK;
  }
  const segments = url.pathname.split("/");
  let hidden = false;
  const shown = segments.map((s) => (isTokenLike(s) ? ((hidden = true), HIDDEN_LINK) : s));
  if (!hidden) {
    let last = shown.length - 1;
    while (last >= 0 && shown[last] === "") last--;
    if (last === -1) return `${url.origin}/${HIDDEN_LINK}`;
    shown[last] = HIDDEN_LINK;
  }
  return `${url.origin}${shown.join("/")}`;
}

function hideSecret(kind: SecretKind, value: unknown) {
  if (value === null || value === undefined || value === "") return value;
  if (kind === "code") return HIDDEN_CODE;
  return typeof value === "string" ? hideLinkToken(value) : HIDDEN_LINK;
}

const URL_PATTERN = /https?:\/\/[^\s"'<>()]+/g;

/** The portal's origins: where tokens live. External links (an online meeting…) are left alone. */
function portalOrigins(props: Record<string, unknown>, appUrl: string | undefined) {
  const origins = new Set<string>();
  for (const candidate of [appUrl, props.appUrl]) {
    if (typeof candidate !== "string") continue;
    try {
      origins.add(new URL(candidate).origin);
    } catch {
      // not a URL: ignored
    }
  }
  return origins;
}

/** Hides token-like segments and query values of the portal's URLs inside a string. */
function guardString(value: string, origins: Set<string>) {
  return value.replace(URL_PATTERN, (match) => {
    let url: URL;
    try {
      url = new URL(match);
    } catch {
      return match;
    }
    if (origins.size > 0 && !origins.has(url.origin)) return match;
    const path = url.pathname.split("/").map((s) => (isTokenLike(s) ? HIDDEN_LINK : s));
    let changed = path.join("/") !== url.pathname;
    const query = [...url.searchParams].map(([k, v]) => {
      if (!isTokenLike(v)) return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
      changed = true;
      return `${encodeURIComponent(k)}=${HIDDEN_LINK}`;
    });
    if (!changed) return match;
    return `${url.origin}${path.join("/")}${query.length ? `?${query.join("&")}` : ""}`;
  });
}

function guard(value: unknown, origins: Set<string>): unknown {
  if (typeof value === "string") return guardString(value, origins);
  if (Array.isArray(value)) return value.map((v) => guard(v, origins));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, guard(v, origins)]));
  }
  return value;
}

/**
 * The props as coordinators may see them: the template's secret props replaced by placeholders
 * and, as a safety net for anything the list misses, token-like parts of the portal's URLs in any
 * other prop hidden too. `appUrl`: the portal's address (the props' own appUrl counts as well).
 */
export function redactEmailProps(template: string, props: Record<string, unknown>, { appUrl }: { appUrl?: string } = {}) {
  const secrets = secretsOf(template);
  const origins = portalOrigins(props, appUrl);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    const kind = secrets[key];
    result[key] = kind ? hideSecret(kind, value) : guard(value, origins);
  }
  return result;
}

/** The secret strings of the props, each with what replaces it in a text, longest first. */
function secretStrings(template: string, props: Record<string, unknown>, appUrl: string | undefined) {
  const found = new Map<string, string>();
  const addLink = (url: string) => {
    found.set(url, hideLinkToken(url));
    for (const part of url.split(/[/?&=#]/)) if (isTokenLike(part)) found.set(part, HIDDEN_LINK);
  };
  for (const [key, kind] of Object.entries(secretsOf(template))) {
    const value = props[key];
    if (typeof value !== "string" && typeof value !== "number") continue;
    const text = String(value);
    if (text === "" || text === HIDDEN_CODE || text.includes(HIDDEN_LINK)) continue;
    if (kind === "code") found.set(text, HIDDEN_CODE);
    else addLink(text);
  }
  const origins = portalOrigins(props, appUrl);
  const walk = (value: unknown) => {
    if (typeof value === "string") {
      for (const match of value.match(URL_PATTERN) ?? []) {
        if (guardString(match, origins) !== match) addLink(match);
      }
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const [key, value] of Object.entries(props)) if (!secretsOf(template)[key]) walk(value);
  return [...found].sort(([a], [b]) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A text (a subject, a rendered body) with every secret of the props replaced: for what was
 * stored or rendered from the real props, such as the subject of a sign-in code email.
 */
export function redactEmailText(template: string, props: Record<string, unknown>, text: string, { appUrl }: { appUrl?: string } = {}) {
  let result = text;
  for (const [secret, shown] of secretStrings(template, props, appUrl)) {
    // A code only as a whole number, not inside a longer one.
    const pattern = /^\d+$/.test(secret) ? new RegExp(`(?<!\\d)${secret}(?!\\d)`, "g") : new RegExp(escapeRegExp(secret), "g");
    result = result.replace(pattern, () => shown);
  }
  return result;
}

/**
 * After delivery the outbox row needs no secret any more, except those the portal reads back
 * (`kept-link`): returns the props with the others replaced by placeholders, or null when there
 * is nothing to replace. Only for sent rows: a failed one may be retried and must stay whole.
 */
export function scrubSentEmailProps(template: string, props: Record<string, unknown>) {
  let changed = false;
  const result = { ...props };
  for (const [key, kind] of Object.entries(secretsOf(template))) {
    if (kind === "kept-link") continue;
    const hidden = hideSecret(kind, props[key]);
    if (hidden !== props[key]) {
      result[key] = hidden;
      changed = true;
    }
  }
  return changed ? result : null;
}
