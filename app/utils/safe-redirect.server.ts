// The page a person returns to after signing in (`redirectTo`), for coordinators and referenti alike.

const REDIRECT_BASE = "http://portale.invalid";

/**
 * Only same-site paths: an open redirect after sign-in would be a phishing aid. Browsers drop tabs
 * and newlines from a URL and read "\\" as "/", so "/\t/evil.example" or "/\\evil.example" would leave
 * the site: such characters are refused, and the path must resolve to this origin.
 */
export function safeRedirectPath<Fallback extends string | null>(target: unknown, fallback: Fallback): string | Fallback {
  if (typeof target !== "string" || !target.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  // Dot segments can leave a path that starts with "//" ("/.//evil.example" becomes "//evil.example"),
  // which a browser reads as another site.
  if (url.origin !== REDIRECT_BASE || url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** A sign-in page's address that brings the person back to the page of this request afterwards. */
export function signInPathFor(signInPath: string, request: Request) {
  // Remix has already taken its own `_data` and `index` parameters off a loader's or action's request.
  const url = new URL(request.url);
  return `${signInPath}?redirectTo=${encodeURIComponent(`${url.pathname}${url.search}`)}`;
}
