import crypto from "node:crypto";
import { getDb } from "./db.server";
import { databaseFingerprint } from "./db-fingerprint.server";

// The public home page is the same for every anonymous visitor: rendering it through Remix at every
// request cost three times a request that does nothing (issue 7, docs/decisions/006). It is rendered
// once and kept while nothing has been written to the database, for a few seconds at most (the
// page also depends on the time: the next round table). What differs per visitor stays per visitor:
// - the CSP nonce: the page is rendered with a random placeholder nonce, replaced by the request's
//   own nonce at every answer, so every response still has a fresh one;
// - the CSRF token and the honeypot: the cached page carries none and sets no cookie; the root
//   route fetches them before the visitor moves on to a page with a form (root.tsx).

export const PUBLIC_PAGE_CACHE_TTL_MS = 5_000;

/** Pages that may be cached: same content for every anonymous visitor, no form, no query string. */
export const CACHEABLE_PUBLIC_PATHS = new Set(["/"]);

export type RenderPublicPage = (path: string, { placeholderNonce }: { placeholderNonce: string }) => Promise<Response>;

type Entry = { fingerprint: string; expiresAt: number; placeholderNonce: string; parts: string[]; contentType: string };

export type PublicPageCache = {
  /** The page's HTML with `nonce` in its scripts, or null when it cannot be served from the cache. */
  get(path: string, { nonce, now }: { nonce: string; now?: number }): Promise<{ html: string; contentType: string } | null>;
};

export function createPublicPageCache({
  render,
  fingerprint = () => databaseFingerprint(getDb()),
  ttlMs = PUBLIC_PAGE_CACHE_TTL_MS,
}: {
  render: RenderPublicPage;
  fingerprint?: () => string;
  ttlMs?: number;
}): PublicPageCache {
  const entries = new Map<string, Entry>();
  // One render at a time per page: a burst of visitors after a change waits for the same render.
  const filling = new Map<string, Promise<Entry | null>>();

  async function fill(path: string, currentFingerprint: string, now: number): Promise<Entry | null> {
    const placeholderNonce = crypto.randomBytes(18).toString("base64url");
    const response = await render(path, { placeholderNonce });
    const html = await response.text();
    // Only a plain successful page is shared: an error page or one that sets a cookie is not.
    if (response.status !== 200 || response.headers.has("Set-Cookie")) return null;
    const entry: Entry = {
      fingerprint: currentFingerprint,
      expiresAt: now + ttlMs,
      placeholderNonce,
      parts: html.split(placeholderNonce),
      contentType: response.headers.get("Content-Type") ?? "text/html; charset=utf-8",
    };
    entries.set(path, entry);
    return entry;
  }

  return {
    async get(path, { nonce, now = Date.now() }) {
      if (!CACHEABLE_PUBLIC_PATHS.has(path)) return null;
      const currentFingerprint = fingerprint();
      let entry = entries.get(path);
      if (!entry || entry.fingerprint !== currentFingerprint || now >= entry.expiresAt) {
        let pending = filling.get(path);
        if (!pending) {
          pending = fill(path, currentFingerprint, now).finally(() => filling.delete(path));
          filling.set(path, pending);
        }
        entry = (await pending) ?? undefined;
      }
      if (!entry) return null;
      return { html: entry.parts.join(nonce), contentType: entry.contentType };
    },
  };
}

/** Cookies that make a visitor someone (signed in, a message waiting): such requests are not served from the cache. */
export function hasPersonalCookie(cookieHeader: string | undefined) {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((pair) => {
    const name = pair.split("=")[0].trim();
    return name !== "" && !/^(__Host-)?sai_csrf$/.test(name);
  });
}
