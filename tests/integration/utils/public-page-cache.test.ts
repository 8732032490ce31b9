import { describe, expect, it } from "vitest";
import { loader as homeLoader } from "~/routes/_index";
import { createPublicPageCache, hasPersonalCookie, type RenderPublicPage } from "~/utils/public-page-cache.server";
import { createReferent } from "../../support/invitations";

// The public home page served from memory (issue 7, docs/decisions/006): what a visitor gets must be
// what a fresh render would give, with the visitor's own nonce, and nothing personal shared.

/** Renders "/" from the real home loader: the approved enti inside a script carrying the nonce. */
function homeRenderer() {
  const calls: string[] = [];
  const render: RenderPublicPage = async (path, { placeholderNonce }) => {
    calls.push(path);
    const data = await (await homeLoader()).json();
    const html = `<main>Enti aderenti: ${data.figures.approvedBodies}</main><script nonce="${placeholderNonce}">hydrate()</script>`;
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  };
  return { render, calls };
}

const approvedIn = (html: string) => Number(/Enti aderenti: (\d+)/.exec(html)?.[1]);

describe("public page cache", () => {
  it("renders once, then answers from memory with each request's own nonce", async () => {
    const { render, calls } = homeRenderer();
    const cache = createPublicPageCache({ render });
    const first = await cache.get("/", { nonce: "nonce-della-prima" });
    const second = await cache.get("/", { nonce: "nonce-della-seconda" });
    expect(calls).toEqual(["/"]);
    expect(first!.html).toContain('<script nonce="nonce-della-prima">');
    expect(second!.html).toContain('<script nonce="nonce-della-seconda">');
    expect(second!.html).not.toContain("nonce-della-prima");
    expect(second!.contentType).toBe("text/html; charset=utf-8");
  });

  it("renders again as soon as a write is committed: an approval shows at the next request", async () => {
    const { render, calls } = homeRenderer();
    const cache = createPublicPageCache({ render, ttlMs: 60 * 60 * 1000 });
    const before = approvedIn((await cache.get("/", { nonce: "a" }))!.html);
    await createReferent();
    const after = approvedIn((await cache.get("/", { nonce: "b" }))!.html);
    expect(after).toBe(before + 1);
    expect(calls.length).toBe(2);
  });

  it("renders again after the time limit even when nothing was written", async () => {
    const { render, calls } = homeRenderer();
    const cache = createPublicPageCache({ render, ttlMs: 1000, fingerprint: () => "unchanged" });
    await cache.get("/", { nonce: "a", now: 10_000 });
    await cache.get("/", { nonce: "a", now: 10_999 });
    expect(calls.length).toBe(1);
    await cache.get("/", { nonce: "a", now: 11_000 });
    expect(calls.length).toBe(2);
  });

  it("a burst of visitors after a change waits for one render", async () => {
    const { render, calls } = homeRenderer();
    const cache = createPublicPageCache({ render });
    const pages = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.get("/", { nonce: `n${i}` })));
    expect(calls.length).toBe(1);
    pages.forEach((page, i) => expect(page!.html).toContain(`nonce="n${i}"`));
  });

  it("never keeps an error page, a page that sets a cookie, or a page not on the list", async () => {
    let answer = new Response("errore", { status: 500 });
    const cache = createPublicPageCache({ render: async () => answer, fingerprint: () => "unchanged" });
    expect(await cache.get("/", { nonce: "a" })).toBeNull();
    answer = new Response("<p>ok</p>", { headers: { "Set-Cookie": "sai_csrf=abc" } });
    expect(await cache.get("/", { nonce: "a" })).toBeNull();
    answer = new Response("<p>ok</p>");
    expect(await cache.get("/adesione", { nonce: "a" })).toBeNull();
    expect(await cache.get("/", { nonce: "a" })).toMatchObject({ html: "<p>ok</p>" });
  });
});

describe("hasPersonalCookie", () => {
  it("lets through visitors with no cookie or only the CSRF one, not those signed in or with a message waiting", () => {
    expect(hasPersonalCookie(undefined)).toBe(false);
    expect(hasPersonalCookie("")).toBe(false);
    expect(hasPersonalCookie("sai_csrf=abc")).toBe(false);
    expect(hasPersonalCookie("__Host-sai_csrf=abc")).toBe(false);
    expect(hasPersonalCookie("sai_csrf=abc; sai_session=xyz")).toBe(true);
    expect(hasPersonalCookie("__Host-sai_ref_session=xyz")).toBe(true);
    expect(hasPersonalCookie("sai_flash=1")).toBe(true);
  });
});
