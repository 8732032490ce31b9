// The public home page is served from memory to anonymous visitors (issue 7, docs/decisions/006).
// Against the built server: each answer has its own CSP nonce and sets no cookie, a signed-in
// visitor is not served the shared copy, and a visitor who lands on the cached page and moves on
// to the scheda referente without reloading can still send it (the CSRF token arrives on the way).
import { describe, expect, test } from "vitest";
import { baseUrl, eventually, fillRegistrationForm, isHydrated, makeRegistration, submitRegistration, useBrowser } from "./support";

const browser = useBrowser();

async function home(headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl()}/`, { headers, redirect: "manual" });
  const html = await response.text();
  const csp = response.headers.get("content-security-policy") ?? "";
  const headerNonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  const scriptNonces = [...html.matchAll(/<script\b[^>]*\bnonce="([^"]+)"/g)].map((m) => m[1]);
  return { response, html, headerNonce, scriptNonces };
}

describe("the public home page from the cache", () => {
  test("every answer carries its own nonce in the CSP and in every script, and sets no cookie", async () => {
    const first = await home();
    const second = await home();
    for (const page of [first, second]) {
      expect(page.response.status).toBe(200);
      expect(page.response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.response.headers.get("set-cookie")).toBeNull();
      expect(page.html).toContain("Coordinamento dei Comuni siciliani aderenti alla Rete SAI");
      expect(page.headerNonce).toBeTruthy();
      expect(page.scriptNonces.length).toBeGreaterThanOrEqual(2);
      expect(new Set(page.scriptNonces)).toEqual(new Set([page.headerNonce]));
      // Nothing per visitor in the shared copy.
      expect(page.html).toContain('"csrfToken":""');
    }
    expect(second.headerNonce).not.toBe(first.headerNonce);
  });

  test("a visitor with a session cookie gets a page rendered for them", async () => {
    const page = await home({ Cookie: "sai_session=sessione-di-prova" });
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get("set-cookie")).toMatch(/sai_csrf=/);
    expect(page.html).not.toContain('"csrfToken":""');
    expect(new Set(page.scriptNonces)).toEqual(new Set([page.headerNonce]));
  });

  test("from the cached home page to the scheda referente without reloading, the scheda is sent", async () => {
    const page = await browser.newPage();
    await page.goto("/");
    await eventually(() => isHydrated(page)).toBe(true);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await page.getByRole("navigation", { name: "Menu principale" }).getByRole("link", { name: "Aderisci" }).click();
    await page.waitForURL("**/adesione");
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), "client-side navigation").toBe(true);

    const data = makeRegistration();
    await fillRegistrationForm(page, data, { js: true });
    await submitRegistration(page);
    await expect(page.locator("main").textContent()).resolves.toContain(data.email);
  });
});
