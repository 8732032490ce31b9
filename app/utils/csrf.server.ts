import { CSRF, CSRFError } from "remix-utils/csrf/server";
import { getCookies } from "./cookies.server";
import { getEnv } from "./env.server";
import { getSessionSecrets } from "./secrets.server";

let csrfs: CSRF[] | undefined;

/**
 * One checker per session secret, the current one first (it signs new tokens). A token signed with
 * an earlier secret (SESSION_SECRET_PREVIOUS) stays in the browser's cookie, since the cookie itself
 * is still readable: it must keep passing, or every form would be refused until the browser closes.
 */
function getCsrfs() {
  csrfs ??= getSessionSecrets().map((secret) => new CSRF({ cookie: getCookies().csrf, secret, formDataKey: "csrf" }));
  return csrfs;
}

export function commitCsrfToken(request: Request) {
  return getCsrfs()[0].commitToken(request);
}

const forbidden = () =>
  new Response("Richiesta non valida: ricarica la pagina e riprova.", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

/** A browser always sends Origin on POST; a foreign one is refused outright. */
export function assertSameOrigin(request: Request) {
  const origin = request.headers.get("Origin");
  if (!origin) return;
  const allowed = new Set([getEnv().appUrl, new URL(request.url).origin]);
  if (!allowed.has(origin)) throw forbidden();
}

/** Origin check plus the double-submit token; throws 403 on failure. */
export async function validateCsrf(request: Request, formData: FormData) {
  if (!(await hasValidCsrfToken(request, formData))) throw forbidden();
}

/**
 * Like validateCsrf, but a missing or stale token (the browser lost its cookie, or the page was
 * restored from an old session) answers false instead of throwing, so a long form can be given back
 * with what the person typed. A foreign Origin is still refused outright.
 */
export async function hasValidCsrfToken(request: Request, formData: FormData) {
  assertSameOrigin(request);
  for (const csrf of getCsrfs()) {
    try {
      await csrf.validate(formData, request.headers);
      return true;
    } catch (error) {
      if (!(error instanceof CSRFError)) throw error;
      // Only a token signed with another secret is worth checking against the earlier ones.
      if (error.code !== "tampered_token_in_cookie") return false;
    }
  }
  return false;
}
