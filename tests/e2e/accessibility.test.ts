// WCAG 2.1 AA as axe-core sees it, on every public page and state of the registration flow, with
// and without JavaScript; plus the document basics: one h1, lang="it", the skip link first.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  checkA11y,
  confirmationLink,
  eventually,
  fillRegistrationForm,
  invalidFiscalCode,
  isHydrated,
  makeRegistration,
  submitRegistration,
  useBrowser,
  waitForHydration,
  waitForMail,
} from "./support";

const browser = useBrowser();

const STATIC_PAGES = [
  { path: "/", status: 200 },
  { path: "/adesione", status: 200 },
  { path: "/privacy", status: 200 },
  { path: "/accessibilita", status: 200 },
  { path: "/adesione/conferma/questo-collegamento-non-esiste", status: 404, h1: "Collegamento non valido" },
];

/** One h1, Italian as the page language, and no axe violations. */
async function expectAccessible(page: Page, what: string) {
  expect(await page.locator("h1").count(), `h1 elements on ${what}`).toBe(1);
  expect(await page.locator("html").getAttribute("lang"), `lang of ${what}`).toBe("it");
  expect(await page.title(), `title of ${what}`).not.toBe("");
  expect(await checkA11y(page), `axe-core violations on ${what}`).toEqual([]);
}

/** Opens a page; with JavaScript waits until it is hydrated, without checks that it is not. */
async function open(page: Page, path: string, { js }: { js: boolean }) {
  const response = await page.goto(path, { waitUntil: js ? "networkidle" : "load" });
  if (js) await eventually(() => isHydrated(page)).toBe(true);
  else expect(await isHydrated(page)).toBe(false);
  if (js && new URL(page.url()).pathname === "/adesione") await waitForHydration(page);
  return response;
}

for (const js of [true, false]) {
  describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.each(STATIC_PAGES)("$path has no axe violations, one h1 and lang=it", async ({ path, status, h1 }) => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const response = await open(page, path, { js });
      expect(response?.status()).toBe(status);
      if (h1) expect(await page.locator("h1").textContent()).toBe(h1);
      await expectAccessible(page, path);
    });

    test.each(STATIC_PAGES)("on $path the skip link is the first thing Tab reaches", async ({ path }) => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, path, { js });
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return { text: el?.textContent?.trim(), href: el?.getAttribute("href") };
      });
      expect(focused).toEqual({ text: "Vai al contenuto principale", href: "#contenuto" });
      // And it works: Enter moves focus to the main content.
      await page.keyboard.press("Enter");
      await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("contenuto");
    });

    // Bootstrap Italia hides the main menu below its desktop breakpoint behind a button its own
    // JavaScript opens, which the portal does not load: the links must stay on screen and readable.
    test("on a phone the main menu's links are on screen, readable and lead to their pages", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await page.setViewportSize({ width: 375, height: 800 });
      await open(page, "/", { js });
      const menu = page.getByRole("navigation", { name: "Menu principale" });
      for (const label of ["Il Coordinamento", "Tavoli tecnici", "Aderisci", "Area referente"]) {
        const link = menu.getByRole("link", { name: label });
        await expect.poll(() => link.isVisible(), { message: `${label} visible` }).toBe(true);
        const box = await link.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 375, `${label} inside the screen`).toBe(true);
      }
      expect(await checkA11y(page), "axe-core violations at 375 px").toEqual([]);
      await menu.getByRole("link", { name: "Tavoli tecnici" }).click();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Tavoli tecnici");
    });
  });
}

/** Waits for a scroll (smooth, with Bootstrap) to end: the page's position unchanged over 150 ms. */
async function scrollingEnded(page: Page) {
  let last = -1;
  for (let y = await page.evaluate(() => window.scrollY); y !== last; y = await page.evaluate(() => window.scrollY)) {
    last = y;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe("the registration form showing errors", () => {
  test("with JavaScript (client-side summary and messages)", async () => {
    const page = await browser.newPage();
    await open(page, "/adesione", { js: true });
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    await page.getByRole("heading", { name: /^La scheda contiene \d+ errori$/ }).waitFor();
    await expectAccessible(page, "/adesione with client-side errors");
  });

  test("without JavaScript (server answer 400)", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await open(page, "/adesione", { js: false });
    const data = makeRegistration({ fiscalCode: invalidFiscalCode(), pec: "non-una-pec" });
    data.projects[0] = { ...data.projects[0], startDate: "2025-06-30", endDate: "2024-01-15" };
    await fillRegistrationForm(page, data, { js: false });
    const answer = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    expect((await answer).status()).toBe(400);
    await page.getByRole("heading", { name: "La scheda contiene 3 errori" }).waitFor();
    await expectAccessible(page, "/adesione with server-side errors");
  });

  test("without JavaScript, completely empty (every field in error)", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await open(page, "/adesione", { js: false });
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    await page.getByRole("heading", { name: /^La scheda contiene \d+ errori$/ }).waitFor();
    await expectAccessible(page, "/adesione empty, with server-side errors");
  });
  test("without JavaScript, a link of the summary scrolls to its field with the label above it in view", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await open(page, "/adesione", { js: false });
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: /^La scheda contiene \d+ errori$/ }) });
    await summary.waitFor();
    for (const id of ["firstName", "email"]) {
      // A plain link to the field (#id): the browser scrolls the field to the top of the window.
      await summary.locator(`a[href="#${id}"]`).click();
      await eventually(() => new URL(page.url()).hash).toBe(`#${id}`);
      await scrollingEnded(page);
      const position = await page.evaluate((fieldId) => {
        const field = document.getElementById(fieldId)!;
        const label = document.querySelector(`label[for="${fieldId}"]`)!;
        return { scrolled: window.scrollY, field: field.getBoundingClientRect().top, label: label.getBoundingClientRect().top, height: window.innerHeight };
      }, id);
      expect(position.scrolled, `the page scrolled to #${id}`).toBeGreaterThan(0);
      expect(position.field, `#${id} near the top of the window`).toBeLessThan(position.height / 2);
      expect(position.label, `the label of #${id}`).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("the error summary, an alert", () => {
  test("speaks when the form is sent, not while the person corrects the fields", async () => {
    const page = await browser.newPage();
    await open(page, "/login", { js: true });
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: /^Il modulo contiene/ }) });
    await summary.getByRole("heading", { name: "Il modulo contiene 2 errori" }).waitFor();
    const listed = await summary.getByRole("listitem").allTextContents();
    expect(listed).toHaveLength(2);

    // A screen reader reads an alert again at each change of its content.
    await summary.evaluate((element) => {
      const changes = { count: 0 };
      (window as unknown as { summaryChanges: typeof changes }).summaryChanges = changes;
      new MutationObserver((records) => (changes.count += records.length)).observe(element, { subtree: true, childList: true, characterData: true });
    });
    const email = page.getByLabel("Email", { exact: true });
    await email.pressSequentially("coordinatore@example.org");
    await eventually(() => email.getAttribute("aria-invalid"), "the field's own message follows the typing").toBe(null);
    expect(await page.evaluate(() => (window as unknown as { summaryChanges: { count: number } }).summaryChanges.count), "changes of the alert while typing").toBe(0);
    expect(await summary.getByRole("listitem").allTextContents(), "the summary still lists what was wrong when sent").toEqual(listed);

    // Sent again: the summary now says what is still wrong.
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await summary.getByRole("heading", { name: "Il modulo contiene un errore" }).waitFor();
    expect(await summary.getByRole("listitem").allTextContents()).toHaveLength(1);
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
  });
});

describe("the pages after sending the scheda", () => {
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: sent, confirm, confirmed and already-confirmed pages`, async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const data = makeRegistration();
      await open(page, "/adesione", { js });
      await fillRegistrationForm(page, data, { js });
      await submitRegistration(page);
      await expectAccessible(page, "/adesione/inviata");

      const mail = await waitForMail(data.email, { subjectIncludes: `Comune di ${data.comune.name}` });
      const link = confirmationLink(mail);
      await open(page, link, { js });
      expect(await page.locator("h1").textContent()).toBe("Conferma il tuo indirizzo email");
      await expectAccessible(page, "the confirmation page");

      await page.getByRole("button", { name: "Conferma l'indirizzo email" }).click();
      await eventually(() => page.locator("h1").textContent()).toBe("Indirizzo email confermato");
      expect(await isHydrated(page)).toBe(js);
      await expectAccessible(page, "the confirmed page");

      await open(page, link, { js });
      expect(await page.locator("h1").textContent()).toBe("Indirizzo già confermato");
      await expectAccessible(page, "the already-confirmed page");
    });
  }
});
