import { createCookie, type Cookie } from "@remix-run/node";
import { getEnv } from "./env.server";
import { getSessionSecrets } from "./secrets.server";

// Cookies are built on first use, after start-up has settled the secret.
let built: { csrf: Cookie; flash: Cookie; session: Cookie; referentSession: Cookie; referentSignIn: Cookie } | undefined;

/** `__Host-` prefix and Secure whenever APP_URL is https; plain names on http://localhost. */
export function cookieName(base: string) {
  return getEnv().secureCookies ? `__Host-${base}` : base;
}

export function getCookies() {
  if (built) return built;
  const secure = getEnv().secureCookies;
  const secrets = getSessionSecrets();
  const common = { path: "/", httpOnly: true, sameSite: "lax" as const, secure, secrets };
  built = {
    csrf: createCookie(cookieName("sai_csrf"), common),
    flash: createCookie(cookieName("sai_flash"), { ...common, maxAge: 15 * 60 }),
    session: createCookie(cookieName("sai_session"), common),
    // The referent area's session (issue 6), separate from the coordinators' one.
    referentSession: createCookie(cookieName("sai_ref_session"), common),
    // The referent sign-in waiting for its emailed code in this browser (the address it was asked
    // for): the code step survives a reload. Kept past the code's 10 minutes to say it has expired.
    referentSignIn: createCookie(cookieName("sai_ref_signin"), { ...common, maxAge: 60 * 60 }),
  };
  return built;
}
