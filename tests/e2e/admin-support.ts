// Helpers for the end-to-end tests of the coordinators' area: signing in, requests made and confirmed
// the way a referente makes them, finding them in the list, keyboard navigation and downloads.
import crypto from "node:crypto";
import Database from "better-sqlite3";
import { chromium, type Browser, type BrowserContext, type Download, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import {
  addProject,
  COORDINATOR_EMAIL,
  confirmationLink,
  eventually,
  fillProject,
  fillRegistrationForm,
  isHydrated,
  mailsTo,
  makeRegistration,
  projectGroups,
  setConsent,
  submitRegistration,
  useBrowser,
  waitForMail,
  type RegistrationData,
} from "./support";

export { COORDINATOR_EMAIL };

type PageOptions = { javaScriptEnabled?: boolean };

const pagesWithoutJs = new WeakSet<Page>();

/** What the console may report without failing a test: the answers the tests provoke on purpose. */
const EXPECTED_CONSOLE = [/Failed to load resource: the server responded with a status of (400|401|404|409|410)/];

/**
 * useBrowser() from support.ts, whose pages also accept the 401 of a wrong password (support.ts
 * counts it as a page error). Every other console error or uncaught exception still fails the test.
 */
export function useAdminBrowser() {
  const base = useBrowser();
  let problems: string[] = [];
  afterEach(() => {
    const found = problems;
    problems = [];
    expect(found, "console errors reported by the pages during the test").toEqual([]);
  });
  return {
    async newPage(options: PageOptions = {}): Promise<Page> {
      const page = await base.newPage(options);
      if (options.javaScriptEnabled === false) pagesWithoutJs.add(page);
      // Replaces support.ts's console listener (its pageerror listener stays).
      page.removeAllListeners("console");
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
 * A browser connection of its own for preparing data inside a test (registrations, decisions), kept
 * apart from the pages under test and their error checks. Call once at the top of a file; pages are
 * without JavaScript unless asked (quicker).
 */
export function useSetupBrowser() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.connect(inject("wsEndpoint"));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async function withPage<T>(fn: (page: Page) => Promise<T>, { javaScriptEnabled = false }: PageOptions = {}): Promise<T> {
    if (!browser) throw new Error("useSetupBrowser(): the browser is not connected yet");
    const context = await browser.newContext({ baseURL: inject("baseUrl"), javaScriptEnabled, locale: "it-IT", timezoneId: "Europe/Rome" });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      if (!javaScriptEnabled) pagesWithoutJs.add(page);
      return await fn(page);
    } finally {
      await context.close();
    }
  };
}

// ----------------------------------------------------------------------------------------------
// Pages

export const h1 = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();
export const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Opens a page; with JavaScript waits until Remix has hydrated it, without checks that it has not. */
export async function open(page: Page, path: string) {
  const js = jsEnabled(page);
  const response = await page.goto(path, { waitUntil: js ? "networkidle" : "load" });
  if (js) await eventually(() => isHydrated(page)).toBe(true);
  else expect(await isHydrated(page)).toBe(false);
  return response;
}

/** Whether the page was opened with JavaScript (see useAdminBrowser and useSetupBrowser). */
export const jsEnabled = (page: Page) => !pagesWithoutJs.has(page);

/** The value beside a term in a <dl> of the detail page ("Stato" → "Approvata"). */
export async function fact(page: Page, term: string) {
  return page.evaluate((t) => {
    const dt = [...document.querySelectorAll("main dt")].find((el) => el.textContent?.trim() === t);
    return dt?.nextElementSibling?.textContent?.trim() ?? null;
  }, term);
}

// ----------------------------------------------------------------------------------------------
// Signing in

/** Signs in at /login as the first administrator with the mouse and the labels, and waits for the area coordinatori. */
export async function signIn(page: Page, { redirectTo }: { redirectTo?: string } = {}) {
  await open(page, redirectTo ? `/login?redirectTo=${encodeURIComponent(redirectTo)}` : "/login");
  await field(page, "Email").fill(COORDINATOR_EMAIL);
  await field(page, "Password").fill(inject("adminPassword"));
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  const target = redirectTo ?? "/admin";
  await page.waitForURL((url) => `${url.pathname}${url.search}` === target);
  // With JavaScript the address changes before React has drawn the new page: wait for the layout.
  // (Attached, not visible: on a phone the area's tabs are folded into a closed menu.)
  await page.locator('nav[aria-label="Area coordinatori"]').first().waitFor({ state: "attached" });
}

/**
 * Signs in through /login the first time it is called in a test file, then gives the next pages the
 * same session cookie (saves a sign-in per page where signing in is not what the test is about).
 */
export function reusedSignIn() {
  let session: Awaited<ReturnType<BrowserContext["cookies"]>> | undefined;
  return async (page: Page) => {
    if (session) {
      await page.context().addCookies(session);
      return;
    }
    await signIn(page);
    session = (await page.context().cookies()).filter((c) => /sai_session$/.test(c.name));
    expect(session, "the session cookie set by /login").toHaveLength(1);
  };
}

/** The subject of the email with the code (and the link) that signs a referente in. */
export const CODE_SUBJECT = "Codice di accesso all'area referente";

export const countLoginEmails = async (email: string) => (await mailsTo(email)).filter((m) => m.subject.startsWith(CODE_SUBJECT)).length;

/** The code and the link of the newest sign-in email to `email` (after `already` earlier ones). */
export async function loginEmail(email: string, already: number) {
  await eventually(async () => countLoginEmails(email), "sign-in email").toBeGreaterThan(already);
  const mail = (await mailsTo(email)).filter((m) => m.subject.startsWith(CODE_SUBJECT)).at(-1)!;
  const code = mail.text.match(/\b(\d{6})\b/)?.[1];
  const link = mail.text.match(/https?:\/\/\S+\/area-referente\/accedi\/link\/[A-Za-z0-9_-]+/)?.[0];
  expect(code, "a 6-digit code in the email").toBeTruthy();
  expect(link, "the sign-in link in the email").toBeTruthy();
  expect(mail.subject).toBe(`${CODE_SUBJECT}: ${code}`);
  return { code: code!, link: link! };
}

/** Asks /area-referente/accedi (already opened) for a code. */
export async function askForCode(page: Page, email: string) {
  await field(page, "Email").fill(email);
  await page.getByRole("button", { name: "Invia il codice" }).click();
  await page.getByLabel("Codice di accesso", { exact: true }).waitFor();
  await expect(page.getByRole("status").first().textContent()).resolves.toContain("Se l'indirizzo è registrato, riceverai un codice");
}

/** Signs in at /area-referente/accedi with the code of the email, as a person does (a former referente lands on the privacy page). */
export async function signInWithCode(page: Page, email: string, { landsOn = "/area-referente" } = {}) {
  await open(page, "/area-referente/accedi");
  const before = await countLoginEmails(email);
  await askForCode(page, email);
  const { code } = await loginEmail(email, before);
  await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await page.waitForURL((url) => url.pathname === landsOn);
}

// ----------------------------------------------------------------------------------------------
// Requests made by referenti

/**
 * A referente's data. Unless `asComune` is asked for, the ente is a "Unione di Comuni" with a name no
 * other test uses: the Comuni are few (391 in Sicily) and the other e2e files pick them at random on
 * the same server, so an ente of their own keeps these tests and theirs from meeting.
 */
export type Referente = RegistrationData & { asComune: boolean; bodyName: string };

export function makeReferente({ asComune = false, ...overrides }: Partial<RegistrationData> & { asComune?: boolean } = {}): Referente {
  const data = makeRegistration(overrides);
  const unique = `${Date.now().toString(36)}${crypto.randomBytes(3).toString("hex")}`;
  return { ...data, asComune, bodyName: asComune ? `Comune di ${data.comune.name}` : `Unione dei Comuni di Prova ${unique}` };
}

/** The scheda of an ente other than a Comune, filled the way fillRegistrationForm (support.ts) fills a Comune's. */
async function fillOtherBodyForm(page: Page, data: Referente) {
  await field(page, "Tipo di ente").selectOption({ label: "Unione di Comuni" });
  await field(page, "Denominazione ente").fill(data.bodyName);
  await field(page, "Provincia").selectOption({ label: "Palermo (PA)" });
  await field(page, "PEC dell'ente").fill(data.pec);
  await field(page, "Codice fiscale dell'ente").fill(data.fiscalCode);
  await field(page, "Nome").fill(data.firstName);
  await field(page, "Cognome").fill(data.lastName);
  await field(page, "Ruolo").selectOption({ label: data.role });
  await field(page, "Ufficio o settore").fill(data.office);
  await field(page, "Email").fill(data.email);
  await field(page, "Telefono").fill(data.phone);
  await field(page, "Cellulare (facoltativo)").fill(data.mobile ?? "");
  for (const [index, project] of data.projects.entries()) {
    if ((await projectGroups(page).count()) <= index) await addProject(page);
    await fillProject(page, index, project);
  }
  await setConsent(page, data.privacyConsent);
}

/** Fills and sends the scheda as a referente does; the request waits for the email to be confirmed. */
export async function register(page: Page, options: Parameters<typeof makeReferente>[0] = {}): Promise<Referente> {
  const data = makeReferente(options);
  await open(page, "/adesione");
  if (data.asComune) await fillRegistrationForm(page, data, { js: jsEnabled(page) });
  else await fillOtherBodyForm(page, data);
  await submitRegistration(page);
  return data;
}

/**
 * Does what a referente does: fills the scheda, sends it, opens the link in the confirmation email and
 * confirms. The request is then "In attesa di approvazione". Works with or without JavaScript.
 */
export async function registerAndConfirm(page: Page, options: Parameters<typeof makeReferente>[0] = {}): Promise<Referente> {
  const data = await register(page, options);
  const mail = await waitForMail(data.email, { subjectIncludes: data.bodyName });
  await page.goto(confirmationLink(mail));
  await page.getByRole("button", { name: "Conferma l'indirizzo email" }).click();
  await eventually(() => h1(page)).toBe("Indirizzo email confermato");
  return data;
}

export const bodyName = (data: Referente) => data.bodyName;

/** The row of the (already opened) list of requests that belongs to this referente. */
export const requestRow = (page: Page, data: Referente) =>
  page.locator("tbody tr").filter({ has: page.getByRole("link", { name: data.email, exact: true }) });

/** The id of the referente's request, read from its link in /admin/adesioni (signed in). */
export async function findRequestId(page: Page, data: Referente): Promise<number> {
  await page.goto(`/admin/adesioni?q=${encodeURIComponent(data.email)}`);
  const link = requestRow(page, data).getByRole("link", { name: bodyName(data), exact: true });
  const href = (await link.getAttribute("href")) ?? "";
  const id = Number(href.match(/^\/admin\/adesioni\/(\d+)$/)?.[1]);
  expect(id, `link of the request of ${data.email}: "${href}"`).toBeGreaterThan(0);
  return id;
}

/** Approves a request from its page (signed in), the way a coordinator does it with the mouse. */
export async function approveFromDetail(page: Page, id: number) {
  await open(page, `/admin/adesioni/${id}`);
  await page.getByRole("button", { name: "Approva", exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/admin/adesioni/${id}` && url.searchParams.get("esito") === "approvata");
  await eventually(() => fact(page, "Stato")).toBe("Approvata");
}

// ----------------------------------------------------------------------------------------------
// Tavoli tecnici

/** Creates an online Tavolo tecnico at /admin/tavoli/nuovo and publishes it (signed in); returns its id. */
export async function createPublishedTavolo(
  page: Page,
  { title, startsAt, endsAt, programme = "15:00 Saluti\n15:15 Relazioni", onlineUrl = "https://meet.example.org/tavolo-e2e" }: {
    title: string;
    /** As typed in the form: "2032-03-10T15:00". */
    startsAt: string;
    endsAt: string;
    programme?: string;
    onlineUrl?: string;
  },
): Promise<number> {
  await open(page, "/admin/tavoli/nuovo");
  await field(page, "Titolo").fill(title);
  await field(page, "Programma (facoltativo)").fill(programme);
  await field(page, "Inizio (data e ora)").fill(startsAt);
  await field(page, "Fine (data e ora)").fill(endsAt);
  await field(page, "Modalità").selectOption({ label: "Online" });
  await field(page, "Link per partecipare online").fill(onlineUrl);
  await page.getByRole("button", { name: "Salva in bozza" }).click();
  await page.waitForURL(/\/admin\/tavoli\/\d+\?esito=creato$/);
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  await page.getByRole("button", { name: "Pubblica", exact: true }).click();
  await page.waitForURL(`**/admin/tavoli/${id}?esito=pubblicato`);
  return id;
}

/** A minimal PDF: what the server checks is the content, `%PDF-`. */
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

/** Uploads a PDF at /admin/tavoli/:id/materiali (signed in) and returns the material's id. `kind`: as the form names it, e.g. "Nota-invito". */
export async function uploadPdf(
  page: Page,
  roundTableId: number,
  { title, visibility, kind }: { title: string; visibility: "Pubblico" | "Solo enti aderenti"; kind?: string },
) {
  await page.goto(`/admin/tavoli/${roundTableId}/materiali`);
  const form = page.locator("form[aria-labelledby=carica]");
  if (kind) await form.getByLabel("Tipo di materiale", { exact: true }).selectOption({ label: kind });
  await form.getByLabel("Titolo", { exact: true }).fill(title);
  await form.getByLabel("Visibilità", { exact: true }).selectOption({ label: visibility });
  await form.getByLabel("File", { exact: true }).setInputFiles({ name: `${title}.pdf`, mimeType: "application/pdf", buffer: PDF });
  await form.getByRole("button", { name: "Carica il file", exact: true }).click();
  await page.waitForURL(/esito=materiale-aggiunto/);
  // The delete link of the new material carries its id.
  const href = await page.getByRole("link", { name: `Elimina ${title}`, exact: true }).getAttribute("href");
  return Number(new URL(href!, page.url()).searchParams.get("elimina"));
}

/** Invites only these addresses ("Indirizzi aggiuntivi": a referente's address is linked to them): preview, then send. */
export async function inviteAddresses(page: Page, roundTableId: number, emails: string[]) {
  await open(page, `/admin/tavoli/${roundTableId}/inviti`);
  // Bootstrap Italia draws radios on their labels: a person clicks the label.
  await page.locator("label[for=destinatari-indirizzi]").click();
  await field(page, "Indirizzi aggiuntivi").fill(emails.join("\n"));
  await page.getByRole("button", { name: "Anteprima", exact: true }).click();
  // The preview is a POST answered on the same page: the send button appears with it.
  await page.locator("#anteprima-title").waitFor();
  await page.getByRole("button", { name: "Invia inviti", exact: true }).click();
  await page.waitForURL(`**/admin/tavoli/${roundTableId}/inviti?inviati=1`);
}

/**
 * Moves a Tavolo tecnico's meeting to now (started an hour ago, ending in an hour), as if its day had
 * come: attendance is taken only once a meeting has started, and a test cannot wait for 2032.
 */
export function startMeetingNow(roundTableId: number) {
  const db = new Database(inject("databasePath"));
  try {
    const now = Date.now();
    const hour = 60 * 60 * 1000;
    const moved = db.prepare("UPDATE round_tables SET starts_at = ?, ends_at = ? WHERE id = ?").run(now - hour, now + hour, roundTableId);
    expect(moved.changes, `round table ${roundTableId} moved to now`).toBe(1);
  } finally {
    db.close();
  }
}

/** Ticks "Presente" for these invitees (by name, or address for extra ones) on the organiser's list and saves. */
export async function markPresent(page: Page, roundTableId: number, invitees: string[]) {
  await open(page, `/admin/tavoli/${roundTableId}/inviti`);
  for (const who of invitees) await page.getByLabel(`Presente: ${who}`, { exact: true }).check();
  await page.getByRole("button", { name: "Salva presenze", exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/admin/tavoli/${roundTableId}/inviti` && url.searchParams.has("presenze"));
}

// ----------------------------------------------------------------------------------------------
// Keyboard

export type Focused = { tag: string; text: string; label: string | null; name: string | null; href: string | null };

export const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const labelled = el && "labels" in el ? [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent?.trim()).join(" ") : "";
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      text: (el?.textContent ?? "").replace(/\s+/g, " ").trim(),
      label: labelled || null,
      name: el?.getAttribute("name") ?? null,
      href: el?.getAttribute("href") ?? null,
    };
  });

/**
 * Presses Tab (or Shift+Tab) until the focused element matches, like a person looking for a control.
 * Fails, listing what was reached, when `max` presses are not enough.
 */
export async function tabTo(page: Page, matches: (el: Focused) => boolean, { shift = false, max = 120 } = {}) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
    const el = await focused(page);
    if (matches(el)) return el;
    seen.push(`${el.tag}${el.label ? `[${el.label}]` : ""}${el.text ? ` "${el.text.slice(0, 40)}"` : ""}`);
  }
  throw new Error(`${shift ? "Shift+Tab" : "Tab"} did not reach the element within ${max} presses; reached:\n  ${seen.join("\n  ")}`);
}

/** The focus indicator of the focused element: its outline or box-shadow must be visible. */
export async function focusIndicator(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : null;
    const shadow = style.boxShadow && style.boxShadow !== "none" ? style.boxShadow : null;
    return { visible: !!(outline || shadow), outline, shadow, element: el.outerHTML.slice(0, 120) };
  });
}

// ----------------------------------------------------------------------------------------------
// Downloads

/** The bytes of a download (the browser is remote: path() is not available, the stream is). */
export async function downloadBytes(download: Download): Promise<Buffer> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A CSV as the portal writes it (UTF-8 with BOM, `;`, CRLF): rows of cells, quotes removed. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const body = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ";") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && body[i + 1] === "\n") {
      // the \n ends the row
    } else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
