import { createCookie, type Cookie } from "@remix-run/node";
import { getEnv } from "./env.server";
import { getSessionSecret } from "./secrets.server";

// Cookies are built on first use, after start-up has settled the secret.
let built: { csrf: Cookie; flash: Cookie; session: Cookie; referentSession: Cookie } | undefined;

/** `__Host-` prefix and Secure whenever APP_URL is https; plain names on http://localhost. */
export function cookieName(base: string) {
  return getEnv().secureCookies ? `__Host-${base}` : base;
}

export function getCookies() {
  if (built) return built;
  const secure = getEnv().secureCookies;
  const secrets = [getSessionSecret()];
  const common = { path: "/", httpOnly: true, sameSite: "lax" as const, secure, secrets };
  built = {
    csrf: createCookie(cookieName("sai_csrf"), common),
    flash: createCookie(cookieName("sai_flash"), { ...common, maxAge: 15 * 60 }),
    session: createCookie(cookieName("sai_session"), common),
    // The referent area's session (issue 6), separate from the coordinators' one.
    referentSession: createCookie(cookieName("sai_ref_session"), common),
  };
  return built;
}
