// WCAG 2.1 AA as axe-core sees it on every page of the coordinators' area, in the states a coordinator
// meets (filters, results, decisions, form errors), with and without JavaScript; plus one h1 per page.
// At the end, the forms of the referent area (and the successor's consent) showing their errors.
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  approveFromDetail,
  bodyName,
  COORDINATOR_EMAIL,
  createPublishedTavolo,
  field,
  findRequestId,
  focusIndicator,
  h1,
  inviteAddresses,
  jsEnabled,
  markPresent,
  startMeetingNow,
  open,
  registerAndConfirm,
  requestRow,
  reusedSignIn,
  signIn,
  signInWithCode,
  useAdminBrowser,
  useSetupBrowser,
  type Referente,
} from "./admin-support";
import { checkA11y, eventually, uniqueEmail, waitForMail } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
/** Signed in as the first administrator (through /login once, then with the same session). */
const signedIn = reusedSignIn();

/** One h1, Italian as the page language, a title, and no axe violations. */
async function expectAccessible(page: Page, what: string) {
  expect(await page.locator("h1").count(), `h1 elements on ${what}`).toBe(1);
  expect(await page.locator("html").getAttribute("lang"), `lang of ${what}`).toBe("it");
  expect(await page.title(), `title of ${what}`).not.toBe("");
  expect(await checkA11y(page), `axe-core violations on ${what}`).toEqual([]);
}

type Seeded = {
  pending: Referente;
  pendingId: number;
  /** The project of the pending request's scheda. */
  pendingProjectId: number;
  approved: Referente;
  approvedId: number;
  emailId: number;
  bulk: Record<"js" | "nojs", Referente>;
  /** A Tavolo tecnico still to come, with its invitation sent to the approved referente. */
  invitedRoundTableId: number;
};

/**
 * The data the pages show: a pending request, an approved one (and its email in the delivery log), two
 * pending ones for the bulk approvals. Made once, by the first test that needs it (expect.poll, used
 * while registering, only runs inside a test).
 */
let seeding: Promise<Seeded> | undefined;
/** For the tests that may be the one making the data (four registrations and an approval). */
const SEEDING_TIMEOUT = 120_000;
const seeded = () => (seeding ??= seed());

async function seed(): Promise<Seeded> {
  return setup(async (page) => {
    const pending = await registerAndConfirm(page);
    const approved = await registerAndConfirm(page);
    const bulk = { js: await registerAndConfirm(page), nojs: await registerAndConfirm(page) };
    await signIn(page);
    const pendingId = await findRequestId(page, pending);
    const approvedId = await findRequestId(page, approved);
    await approveFromDetail(page, approvedId);
    // The correction page of the pending ente's project, linked from its request's page.
    await open(page, `/admin/adesioni/${pendingId}`);
    const projectHref = (await page.locator(`main a[href^='/admin/adesioni/${pendingId}/progetti/']`).filter({ hasText: "Modifica" }).first().getAttribute("href")) ?? "";
    const pendingProjectId = Number(projectHref.match(/\/progetti\/(\d+)$/)?.[1]);
    expect(pendingProjectId, `link to the project's correction: "${projectHref}"`).toBeGreaterThan(0);
    // Participation in the Tavoli tecnici on the approved ente's page: two tavoli, present at one.
    let invitedRoundTableId = 0;
    for (const [n, day] of [[1, "2032-04-14"], [2, "2032-05-12"]]) {
      const roundTableId = await createPublishedTavolo(page, {
        title: `Tavolo per la verifica della partecipazione ${n} ${Date.now().toString(36)}`,
        startsAt: `${day}T15:00`,
        endsAt: `${day}T17:00`,
      });
      await inviteAddresses(page, roundTableId, [approved.email]);
      if (n === 1) {
        startMeetingNow(roundTableId);
        await markPresent(page, roundTableId, [`${approved.firstName} ${approved.lastName}`]);
      } else invitedRoundTableId = roundTableId;
    }
    await open(page, `/admin/adesioni/${approvedId}`);
    expect(await page.locator("section[aria-labelledby=partecipazione] tbody tr").count(), "rows of the participation table").toBe(2);
    // The approval email in the delivery log.
    const emailLink = page.getByRole("link", { name: /^Adesione approvata/ });
    await eventually(async () => {
      await page.goto(`/admin/posta?destinatario=${encodeURIComponent(approved.email)}`);
      return emailLink.count();
    }).toBe(1);
    const href = (await emailLink.getAttribute("href")) ?? "";
    const emailId = Number(href.match(/^\/admin\/posta\/(\d+)$/)?.[1]);
    expect(emailId, `link of the approval email: "${href}"`).toBeGreaterThan(0);
    return { pending, pendingId, pendingProjectId, approved, approvedId, emailId, bulk, invitedRoundTableId };
  });
}

const ADMIN_PAGES: { name: string; path: (s: Seeded) => string; h1: (s: Seeded) => string }[] = [
  { name: "/admin", path: (s) => "/admin", h1: (s) => "Panoramica" },
  { name: "/admin/adesioni without filters", path: (s) => "/admin/adesioni", h1: (s) => "Adesioni" },
  {
    name: "/admin/adesioni with filters and sorting",
    path: (s) => `/admin/adesioni?stato=pending&q=${encodeURIComponent(s.pending.bodyName)}&ordina=ente`,
    h1: (s) => "Adesioni",
  },
  { name: "/admin/adesioni with filters matching nothing", path: (s) => "/admin/adesioni?stato=revoked&q=nessuno-corrisponde", h1: (s) => "Adesioni" },
  { name: "/admin/adesioni/:id pending", path: (s) => `/admin/adesioni/${s.pendingId}`, h1: (s) => bodyName(s.pending) },
  { name: "/admin/adesioni/:id approved", path: (s) => `/admin/adesioni/${s.approvedId}?esito=approvata`, h1: (s) => bodyName(s.approved) },
  { name: "/admin/adesioni/:id not found", path: (s) => "/admin/adesioni/999999999", h1: (s) => "Richiesta non trovata" },
  {
    name: "/admin/adesioni/:id/modifica",
    path: (s) => `/admin/adesioni/${s.pendingId}/modifica`,
    h1: (s) => `Modifica dati: ${bodyName(s.pending)}`,
  },
  {
    name: "/admin/adesioni/:id/progetti/:projectId",
    path: (s) => `/admin/adesioni/${s.pendingId}/progetti/${s.pendingProjectId}`,
    h1: (s) => `Modifica progetto Ordinari PROG-1776-PR-3: ${bodyName(s.pending)}`,
  },
  {
    name: "/admin/adesioni/:id/progetti/nuovo",
    path: (s) => `/admin/adesioni/${s.pendingId}/progetti/nuovo`,
    h1: (s) => `Aggiungi progetto: ${bodyName(s.pending)}`,
  },
  { name: "/admin/adesioni/:id/progetti/:projectId not found", path: (s) => `/admin/adesioni/${s.pendingId}/progetti/999999999`, h1: (s) => "Progetto non trovato" },
  { name: "/admin/registro", path: (s) => "/admin/registro", h1: (s) => "Registro attività" },
  { name: "/admin/registro filtered", path: (s) => "/admin/registro?azione=membership.approve&q=zzz-nessuna-voce", h1: (s) => "Registro attività" },
  { name: "/admin/coordinatori", path: (s) => "/admin/coordinatori", h1: (s) => "Coordinatori" },
  { name: "/admin/posta", path: (s) => "/admin/posta", h1: (s) => "Posta in uscita" },
  { name: "/admin/posta/:id", path: (s) => `/admin/posta/${s.emailId}`, h1: (s) => `Adesione approvata: ${bodyName(s.approved)} nel Coordinamento SAI` },
  { name: "/logout (GET)", path: (s) => "/logout", h1: (s) => "Esci dall'area riservata" },
];

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  describe(`signed in, ${mode}`, () => {
    test.each(ADMIN_PAGES)("$name", async ({ name, path, h1: expected }) => {
      const data = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, path(data));
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe(expected(data));
      await expectAccessible(page, `${name} (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni with the result of a bulk approval", async () => {
      const data = (await seeded()).bulk[js ? "js" : "nojs"];
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni?stato=pending&q=${encodeURIComponent(data.email)}`);
      await requestRow(page, data).getByLabel(`Seleziona ${bodyName(data)}`, { exact: true }).check();
      await page.getByRole("button", { name: "Approva selezionate", exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get("approvate") === "1");
      await eventually(() => page.locator("main [role=status]").first().textContent()).toBe(
        "1 richiesta approvata: il referente riceverà un'email di conferma.",
      );
      // With JavaScript no page load starts the screen reader again: the focus goes to the outcome.
      if (js) await eventually(() => page.evaluate(() => document.activeElement?.textContent)).toBe("1 richiesta approvata: il referente riceverà un'email di conferma.");
      await expectAccessible(page, `/admin/adesioni after a bulk approval (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni: «Approva selezionate» with nothing ticked opens an error summary leading to the first box", async () => {
      const { pending } = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni?stato=pending&q=${encodeURIComponent(pending.email)}`);
      const approve = page.getByRole("button", { name: "Approva selezionate", exact: true });
      const summaryFocused = () => page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary") ?? false);
      await approve.click();
      await page.getByRole("heading", { name: "Il modulo di approvazione contiene un errore" }).waitFor();
      await eventually(summaryFocused).toBe(true);
      expect(await page.title()).toMatch(/^Errore: /);
      const box = requestRow(page, pending).getByLabel(`Seleziona ${bodyName(pending)}`, { exact: true });
      expect(await box.getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/adesioni with nothing selected (${mode})`);

      await page.getByRole("link", { name: "Seleziona almeno una richiesta da approvare." }).click();
      await eventually(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
      // Sent again, still empty: the focus goes back to the summary.
      await approve.focus();
      await approve.click();
      await eventually(summaryFocused).toBe(true);
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni: the sortable headers are read as one name, the visible label first", async () => {
      const { pending } = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni?stato=pending&q=${encodeURIComponent(pending.email)}`);
      // The name Chromium gives assistive technology: no space before the comma.
      await page.getByRole("link", { name: "Ente, ordina in ordine crescente", exact: true }).waitFor({ timeout: 2_000 });
      await page.close();
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni/:id with the reject form showing an error", async () => {
      const { pendingId } = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni/${pendingId}`);
      await page.getByRole("button", { name: "Respingi", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo di rifiuto contiene un errore" }).waitFor();
      await eventually(() => field(page, "Motivo del rifiuto").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `the reject form with an error (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni/:id/modifica showing errors", async () => {
      const { pendingId } = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni/${pendingId}/modifica`);
      await field(page, "PEC dell'ente").fill("");
      await field(page, "Email").fill("non-una-email");
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await page.getByRole("heading", { name: /^Il modulo contiene (un errore|\d+ errori)$/ }).waitFor();
      await eventually(() => field(page, "PEC dell'ente").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Email").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/adesioni/:id/modifica with errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/adesioni/:id/progetti/:projectId showing errors in the project and in the closure", async () => {
      const { pendingId, pendingProjectId } = await seeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/adesioni/${pendingId}/progetti/${pendingProjectId}`);
      await field(page, "Posti finanziati").fill("0");
      await field(page, "Ente attuatore").fill("");
      await page.getByRole("button", { name: "Salva il progetto", exact: true }).click();
      await page.getByRole("heading", { name: "Il progetto contiene 2 errori" }).waitFor();
      await eventually(() => field(page, "Posti finanziati").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Ente attuatore").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/adesioni/:id/progetti/:projectId with errors (${mode})`);

      await open(page, `/admin/adesioni/${pendingId}/progetti/${pendingProjectId}`);
      await field(page, "Data di chiusura").fill("2099-01-01");
      await page.getByRole("button", { name: "Chiudi il progetto", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo di chiusura contiene un errore" }).waitFor();
      await eventually(() => field(page, "Data di chiusura").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/adesioni/:id/progetti/:projectId with a closure error (${mode})`);
    }, SEEDING_TIMEOUT);

    test("moving to another page of the area puts the focus on its title", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, "/admin");
      await page.getByRole("navigation", { name: "Area coordinatori" }).getByRole("link", { name: "Tavoli tecnici" }).click();
      await page.waitForURL((url) => url.pathname === "/admin/tavoli");
      // Without JavaScript the browser loads a new page (focus at its start); with it, the h1 takes it.
      if (js) await eventually(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
      expect(await h1(page)).toBe("Tavoli tecnici");
    });

    // The area's nine tabs took four rows above every page on a phone: there they fold into one line
    // that names the current section and opens the same links.
    test("on a phone the area's tabs fold into a menu naming the section, which leads to the other pages", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await page.setViewportSize({ width: 375, height: 800 });
      await signedIn(page);
      await open(page, "/admin/adesioni");
      // The signed-in line is the name alone: the address broke over three lines with a lone «)».
      const address = page.locator("span.text-muted", { hasText: /^\(.+@.+\)$/ });
      expect(await address.count()).toBe(1);
      expect(await address.isVisible()).toBe(false);
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(await address.isVisible()).toBe(true);
      await page.setViewportSize({ width: 375, height: 800 });
      const areaNavs = page.getByRole("navigation", { name: "Area coordinatori" });
      // One navigation is shown (the other is not displayed, so not announced), and it is closed.
      expect(await areaNavs.count()).toBe(0);
      const menu = page.locator("details.section-nav-menu");
      const summary = menu.locator("summary");
      expect(await summary.textContent()).toBe("Area coordinatori: Adesioni");
      const summaryBox = await summary.boundingBox();
      const headingBox = await page.locator("h1").boundingBox();
      expect(headingBox!.y - (summaryBox!.y + summaryBox!.height), "the page starts soon after the menu").toBeLessThan(130);
      expect(await checkA11y(page), "axe-core violations with the menu closed").toEqual([]);

      await summary.click();
      expect(await areaNavs.count()).toBe(1);
      expect(await areaNavs.getByRole("link", { name: "Adesioni" }).getAttribute("aria-current")).toBe("page");
      expect(await checkA11y(page), "axe-core violations with the menu open").toEqual([]);
      await areaNavs.getByRole("link", { name: "Tavoli tecnici" }).click();
      await page.waitForURL((url) => url.pathname === "/admin/tavoli");
      await eventually(() => h1(page)).toBe("Tavoli tecnici");
      // The new page's menu is closed again and names the new section.
      await eventually(() => summary.textContent()).toBe("Area coordinatori: Tavoli tecnici");
      expect(await menu.getAttribute("open")).toBeNull();
    });

    test("/admin/coordinatori with the invite form showing errors", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, "/admin/coordinatori");
      await field(page, "Email").fill("non-una-email");
      await page.getByRole("button", { name: "Invia invito", exact: true }).click();
      await page.getByRole("heading", { name: "L'invito contiene 2 errori" }).waitFor();
      expect(await field(page, "Nome").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Email").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Email").inputValue()).toBe("non-una-email");
      await expectAccessible(page, `/admin/coordinatori with invite errors (${mode})`);
    });
  });

  describe(`signed out, ${mode}`, () => {
    test("/login", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const response = await open(page, "/login");
      expect(response?.status()).toBe(200);
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Accesso coordinatori");
      await expectAccessible(page, `/login (${mode})`);
    });

    test("/login after sending it empty", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, "/login");
      await page.getByRole("button", { name: "Accedi", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo contiene 2 errori" }).waitFor();
      expect(await field(page, "Email").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/login with empty fields (${mode})`);
    });

    test("/login after a wrong password", async () => {
      // One wrong password per mode: the sign-in allows 10 failures per address and IP in 15 minutes.
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, "/login");
      await field(page, "Email").fill(COORDINATOR_EMAIL);
      await field(page, "Password").fill("password-sbagliata-di-prova");
      const answer = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login");
      await page.getByRole("button", { name: "Accedi", exact: true }).click();
      expect((await answer).status()).toBe(401);
      const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Accesso non riuscito" }) });
      await summary.waitFor();
      expect(await summary.textContent()).toContain("Email o password non corretti.");
      expect(new URL(page.url()).pathname).toBe("/login");
      if (jsEnabled(page)) await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
      // The address typed is still there, so only the password needs typing again (soft: see the report).
      expect.soft(await field(page, "Email").inputValue(), "the email typed is kept").toBe(COORDINATOR_EMAIL);
      await expectAccessible(page, `/login with a wrong password (${mode})`);
    });

    test("/logout (GET) when not signed in", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, "/logout");
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Esci dall'area riservata");
      await expectAccessible(page, `/logout signed out (${mode})`);
    });

    test("/invito-coordinatore/<bad token>", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const response = await open(page, "/invito-coordinatore/questo-invito-non-esiste");
      expect(response?.status()).toBe(404);
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Collegamento non valido");
      await expectAccessible(page, `/invito-coordinatore with a bad token (${mode})`);
    });

    test("/admin sends to /login", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, "/admin/adesioni");
      expect(new URL(page.url()).pathname).toBe("/login");
      await expectAccessible(page, `/login reached from /admin/adesioni (${mode})`);
    });
  });
}

// ----------------------------------------------------------------------------------------------
// The overview on a phone (320 CSS px, also 400% zoom), between the sm and md breakpoints, and just
// past the md breakpoint.

/** The coverage section's text drawn below 12 px. */
const smallCoverageText = (page: Page) =>
  page.locator("section[aria-labelledby=coverage-title]").evaluate((section) =>
    [...section.querySelectorAll<HTMLElement>("*")]
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()))
      .filter((el) => el.getBoundingClientRect().width > 0)
      .map((el) => ({ text: (el.textContent ?? "").trim().slice(0, 40), px: parseFloat(getComputedStyle(el).fontSize) }))
      .filter((t) => t.px < 12),
  );

/**
 * What runs past its box sideways: the page itself, and the coverage table in its scrolling box
 * (which keeps the page still but makes a phone user scroll the table to read its last column).
 */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) found.push(`page: ${root.scrollWidth} px in ${root.clientWidth}`);
    const table = document.querySelector<HTMLElement>("section[aria-labelledby=coverage-title] table");
    const box = table?.parentElement;
    if (table && box && box.scrollWidth > box.clientWidth) found.push(`coverage table: ${box.scrollWidth} px in ${box.clientWidth}`);
    return found;
  });

/** The words of the figures' cards that the layout broke across two lines, and the cards whose text runs out. */
const brokenCardText = (page: Page) =>
  page.getByRole("list", { name: "Dati principali" }).evaluate((list) => {
    const broken: string[] = [];
    for (const card of list.querySelectorAll<HTMLElement>(".card-body")) {
      if (card.scrollWidth > card.clientWidth + 1) broken.push(`overflowing: ${card.textContent}`);
      const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of (node.textContent ?? "").matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) broken.push(word[0]);
        }
      }
    }
    return broken;
  });

describe("/admin (Panoramica) on narrow screens", () => {
  test.each([320, 700, 768])("at %i px the coverage chart is shown with text of at least 12 px, nothing scrolls sideways, no card breaks a word", async (width) => {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    await signedIn(page);
    await open(page, "/admin");
    expect.soft(await sidewaysOverflow(page)).toEqual([]);
    expect.soft(await smallCoverageText(page)).toEqual([]);
    expect.soft(await brokenCardText(page)).toEqual([]);
    // The chart: a bar per province, with its name and its figures written beside it.
    const chart = page.locator("section[aria-labelledby=coverage-title] .coverage-chart");
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.getByText("Palermo", { exact: true }).isVisible()).toBe(true);
    expect(await chart.getByText(/^\d+(,\d)?% \(\d+ su 82\)$/).isVisible()).toBe(true);
    // The same figures in the table, which is what screen readers read.
    const palermo = page.getByRole("table", { name: /^Copertura per provincia/ }).getByRole("rowheader", { name: "Palermo (PA)" });
    expect(await palermo.isVisible()).toBe(true);
  });

  test("in forced colours (Windows high contrast) the bars keep a fill that stands out from their track", async () => {
    const page = await browser.newPage();
    await page.emulateMedia({ forcedColors: "active" });
    await signedIn(page);
    await open(page, "/admin");
    const colours = await page
      .locator("section[aria-labelledby=coverage-title] .coverage-chart-bar")
      .first()
      .evaluate((bar) => ({ track: getComputedStyle(bar).backgroundColor, fill: getComputedStyle(bar.firstElementChild!).backgroundColor }));
    expect(colours.fill).not.toBe(colours.track);
    expect(colours.fill).not.toBe("rgba(0, 0, 0, 0)");
  });
});

// ----------------------------------------------------------------------------------------------
// Comunicazioni: the list, the form showing errors, a draft (preview) with its attachment and its
// edit form, a sent one (the deliveries). Their own referente has a DM/DS project, the only one in the
// run, so the comunicazione sent here reaches nobody else's mailbox.

type CommunicationsSeeded = { draftId: number; draftSubject: string; sentId: number; sentSubject: string };

let seedingCommunications: Promise<CommunicationsSeeded> | undefined;
const communicationsSeeded = () => (seedingCommunications ??= seedCommunications());

/** A minimal PDF: what the server checks is the content, `%PDF-`. */
const SMALL_PDF = Buffer.from("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

async function seedCommunications(): Promise<CommunicationsSeeded> {
  return setup(async (page) => {
    const referente = await registerAndConfirm(page, {
      projects: [{ category: "DM/DS", fundedPlaces: "10", managingOrganization: "Cooperativa Sociale Esempio", startDate: "2024-01-01", endDate: "2027-12-31" }],
    });
    await signIn(page);
    await approveFromDetail(page, await findRequestId(page, referente));
    const saveDraft = async (subject: string) => {
      await open(page, "/admin/comunicazioni/nuova");
      await field(page, "Oggetto").fill(subject);
      await field(page, "Testo").fill("Primo paragrafo della comunicazione.\n\nSecondo paragrafo.");
      // Bootstrap Italia draws checkboxes on their labels: a person clicks the label.
      await page.locator("label[for=tipologia-DM-DS]").click();
      await field(page, "Allegato (facoltativo)").setInputFiles({ name: "vademecum.pdf", mimeType: "application/pdf", buffer: SMALL_PDF });
      await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await page.waitForURL((url) => /^\/admin\/comunicazioni\/\d+$/.test(url.pathname));
      return Number(new URL(page.url()).pathname.split("/").pop());
    };
    const stamp = Date.now().toString(36);
    const draftSubject = `Comunicazione in bozza ${stamp}`;
    const draftId = await saveDraft(draftSubject);
    const sentSubject = `Comunicazione inviata ${stamp}`;
    const sentId = await saveDraft(sentSubject);
    await page.getByRole("button", { name: "Invia la comunicazione", exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/admin/comunicazioni/${sentId}` && url.searchParams.has("inviata"));
    return { draftId, draftSubject, sentId, sentSubject };
  });
}

const COMMUNICATION_PAGES: { name: string; path: (s: CommunicationsSeeded) => string; h1: (s: CommunicationsSeeded) => string }[] = [
  { name: "/admin/comunicazioni", path: () => "/admin/comunicazioni", h1: () => "Comunicazioni" },
  { name: "/admin/comunicazioni/nuova", path: () => "/admin/comunicazioni/nuova", h1: () => "Nuova comunicazione" },
  { name: "/admin/comunicazioni/:id draft", path: (s) => `/admin/comunicazioni/${s.draftId}`, h1: (s) => s.draftSubject },
  { name: "/admin/comunicazioni/nuova?bozza=:id", path: (s) => `/admin/comunicazioni/nuova?bozza=${s.draftId}`, h1: () => "Modifica la comunicazione" },
  { name: "/admin/comunicazioni/:id sent", path: (s) => `/admin/comunicazioni/${s.sentId}?inviata=1`, h1: (s) => s.sentSubject },
];

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  describe(`comunicazioni, signed in, ${mode}`, () => {
    test.each(COMMUNICATION_PAGES)("$name", async ({ name, path, h1: expected }) => {
      const data = await communicationsSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, path(data));
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe(expected(data));
      await expectAccessible(page, `${name} (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/comunicazioni/nuova showing errors", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, "/admin/comunicazioni/nuova");
      await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await page.getByRole("heading", { name: "La comunicazione contiene 2 errori" }).waitFor();
      await eventually(() => field(page, "Oggetto").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Testo").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/comunicazioni/nuova with errors (${mode})`);
    });

    test("/admin/comunicazioni/nuova with a refused attachment", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, "/admin/comunicazioni/nuova");
      await field(page, "Oggetto").fill("Allegato non valido");
      await field(page, "Testo").fill("Un testo.");
      await field(page, "Allegato (facoltativo)").setInputFiles({ name: "finto.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html></html>") });
      await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await page.getByRole("heading", { name: "La comunicazione contiene un errore" }).waitFor();
      await eventually(() => field(page, "Allegato (facoltativo)").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/comunicazioni/nuova with a refused attachment (${mode})`);
    });
  });
}

// ----------------------------------------------------------------------------------------------
// Tavoli tecnici: the round table form (new and edit), the cancel form, the materials forms (upload
// and link) and the invitations chooser, each showing its errors. One published tavolo, far in the
// future: the error states change nothing, and no invitation is sent.

let seedingRoundTable: Promise<number> | undefined;
const roundTableSeeded = () =>
  (seedingRoundTable ??= setup(async (page) => {
    await signIn(page);
    return createPublishedTavolo(page, {
      title: `Tavolo per la verifica dei moduli con errori ${Date.now().toString(36)}`,
      startsAt: "2033-02-16T15:00",
      endsAt: "2033-02-16T17:00",
    });
  }));

describe("a summary left by an earlier attempt, with JavaScript", () => {
  test("another form's outcome on the same page still takes the focus", async () => {
    const page = await browser.newPage();
    await signedIn(page);
    await open(page, "/admin/tavoli/nuovo");
    await field(page, "Titolo").fill(`Tavolo pubblicato con un errore nel modulo ${Date.now().toString(36)}`);
    await field(page, "Inizio (data e ora)").fill("2033-03-16T15:00");
    await field(page, "Fine (data e ora)").fill("2033-03-16T17:00");
    await field(page, "Modalità").selectOption({ label: "Online" });
    await field(page, "Link per partecipare online").fill("https://meet.example.org/tavolo-focus");
    await page.getByRole("button", { name: "Salva in bozza" }).click();
    await page.waitForURL(/\/admin\/tavoli\/\d+\?esito=creato$/);

    // The edit form refused, its summary stays; then the coordinator publishes with the other form.
    await field(page, "Titolo").fill("");
    await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
    await page.getByRole("heading", { name: "Il modulo contiene un errore" }).waitFor();
    await page.getByRole("button", { name: "Pubblica", exact: true }).click();
    await page.waitForURL(/\?esito=pubblicato$/);
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("role") === "status" && document.activeElement.textContent)).toMatch(/pubblicato/);
  });
});

describe("filtering a list, with JavaScript", () => {
  /** The text of the live region that says how many results the list shows, and a handle to it. */
  const resultsStatus = (page: Page) => page.locator("main p[role=status]").first();

  test("the focus stays where the coordinator pressed «Filtra» and the new count is said by a live region present before", async () => {
    const page = await browser.newPage();
    await signedIn(page);
    await open(page, "/admin/adesioni");
    const status = await resultsStatus(page).elementHandle();
    const unfiltered = /^(Richieste di adesione: [\d.]+ risultat[oi], pagina 1 di \d+|Non ci sono ancora richieste di adesione\.)$/;
    expect(await status!.textContent()).toMatch(unfiltered);

    // The form is drawn again with the new filters: the focus goes back to its «Filtra».
    await field(page, "Cerca").fill(`nessun-ente-${Date.now().toString(36)}`);
    await page.getByRole("button", { name: "Filtra", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.has("q"));
    await eventually(() => status!.textContent()).toBe("Nessuna richiesta corrisponde ai filtri scelti.");
    expect(await status!.evaluate((el) => el.isConnected), "the same live region, its text changed").toBe(true);
    await eventually(() => page.evaluate(() => document.activeElement?.tagName === "BUTTON" && document.activeElement.textContent?.trim())).toBe("Filtra");

    // Enter in the search field: the focus stays in the field.
    await field(page, "Cerca").fill("");
    await field(page, "Cerca").press("Enter");
    await page.waitForURL((url) => !url.searchParams.get("q"));
    await eventually(() => status!.textContent()).toMatch(unfiltered);
    await eventually(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe("q");

    // The delivery log's filter keeps its button; the count is said all the same.
    await open(page, "/admin/posta");
    const outbox = await resultsStatus(page).elementHandle();
    expect(await outbox!.textContent()).toMatch(/^(Posta in uscita: |Non ci sono ancora messaggi)/);
    await field(page, "Destinatario").fill(`nessuno-${Date.now().toString(36)}@example.org`);
    await page.getByRole("button", { name: "Filtra", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.has("destinatario"));
    await eventually(() => outbox!.textContent()).toBe("Nessun messaggio corrisponde ai filtri.");
  });
});

/** The form of /admin/tavoli/:id/materiali under the section titled "Carica un file" or "Aggiungi un link". */
const materialsForm = (page: Page, section: "carica" | "collega") => page.locator(`form[aria-labelledby=${section}]`);

/** Adds a video link titled `title` to the Tavolo through its materials page; lands on the Tavolo's page. */
async function addVideoLink(page: Page, roundTableId: number, title: string) {
  await open(page, `/admin/tavoli/${roundTableId}/materiali`);
  const link = materialsForm(page, "collega");
  await link.getByLabel("Titolo", { exact: true }).fill(title);
  await link.getByLabel("Link", { exact: true }).fill(`https://video.example.org/${encodeURIComponent(title)}`);
  await link.getByLabel("Visibilità", { exact: true }).selectOption({ label: "Pubblico" });
  await link.getByRole("button", { name: "Aggiungi il link", exact: true }).click();
  await page.waitForURL(/esito=materiale-aggiunto/);
}

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  describe(`Tavoli tecnici forms showing errors, signed in, ${mode}`, () => {
    test("/admin/tavoli/nuovo sent empty", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, "/admin/tavoli/nuovo");
      await page.getByRole("button", { name: "Salva in bozza", exact: true }).click();
      await page.getByRole("heading", { name: /^Il modulo contiene (un errore|\d+ errori)$/ }).waitFor();
      await eventually(() => field(page, "Titolo").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Inizio (data e ora)").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/tavoli/nuovo with errors (${mode})`);
    });

    test("/admin/tavoli/:id with the round table form and the cancel form showing errors", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/tavoli/${id}`);
      await field(page, "Titolo").fill("");
      await field(page, "Link per partecipare online").fill("non-un-link");
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo contiene 2 errori" }).waitFor();
      await eventually(() => field(page, "Titolo").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Link per partecipare online").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/tavoli/:id with errors in the form (${mode})`);

      await open(page, `/admin/tavoli/${id}`);
      // The seeded Tavolo has no invitees: nobody to warn.
      const confirm = field(page, "Confermo: voglio annullare questo Tavolo tecnico");
      await page.getByRole("button", { name: "Annulla il tavolo", exact: true }).click();
      // As every form: a summary at the top of the form, linking to the tick, and the focus on it.
      const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Il modulo di annullamento contiene un errore" }) });
      await summary.waitFor();
      await eventually(() => confirm.getAttribute("aria-invalid")).toBe("true");
      expect(await summary.getByRole("link", { name: "Per annullare il tavolo spunta la conferma" }).getAttribute("href")).toBe("#confirm");
      await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("aria-labelledby"))).toBe("annulla-titolo-errori");
      await expectAccessible(page, `/admin/tavoli/:id with an error in the cancel form (${mode})`);
    }, SEEDING_TIMEOUT);

    test("deleting a material: «Elimina» asks for the tick, refuses without it, deletes with it", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      const title = `Video da eliminare ${mode}`;
      await addVideoLink(page, id, title);

      await page.getByRole("link", { name: `Elimina ${title}`, exact: true }).click();
      await page.getByRole("heading", { name: `Eliminare «${title}»?` }).waitFor();
      await page.getByRole("button", { name: "Elimina il materiale", exact: true }).click();
      const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Il modulo di eliminazione contiene un errore" }) });
      await summary.waitFor();
      const confirm = field(page, "Confermo: voglio eliminare questo materiale");
      await eventually(() => confirm.getAttribute("aria-invalid")).toBe("true");
      await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("aria-labelledby"))).toBe("elimina-errori");
      await expectAccessible(page, `/admin/tavoli/:id/materiali?elimina with the tick missing (${mode})`);

      // Bootstrap Italia draws checkboxes on their labels: a person clicks the label.
      await page.locator("label[for=confirm]").click();
      await page.getByRole("button", { name: "Elimina il materiale", exact: true }).click();
      await page.waitForURL(/esito=materiale-eliminato/);
      expect(await page.getByRole("link", { name: `Elimina ${title}`, exact: true }).count()).toBe(0);
    }, SEEDING_TIMEOUT);

    test("correcting a material: «Modifica» opens its form; the title emptied, the summary takes the focus", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      const title = `Video da correggere ${mode}`;
      await addVideoLink(page, id, title);

      await page.getByRole("link", { name: `Modifica ${title}`, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: `Modifica materiale: ${title}` }).waitFor();
      expect(await page.title()).toMatch(new RegExp(`^Modifica materiale «${title}» - `));
      await field(page, "Titolo").fill("");
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Il modulo del materiale contiene un errore" }) });
      await summary.waitFor();
      await eventually(() => field(page, "Titolo").getAttribute("aria-invalid")).toBe("true");
      expect(await summary.getByRole("link", { name: "Inserisci il titolo del materiale" }).getAttribute("href")).toBe("#title");
      await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("aria-labelledby"))).toBe("error-summary-title");
      // The page's title says there are errors, as on every form.
      expect(await page.title()).toMatch(/^Errore/);
      await expectAccessible(page, `/admin/tavoli/:id/materiali/:materialId with an error (${mode})`);

      await field(page, "Titolo").fill(`${title} (corretto)`);
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await page.waitForURL(/esito=materiale-aggiornato/);
      await page.getByRole("link", { name: `Modifica ${title} (corretto)`, exact: true }).waitFor();
    }, SEEDING_TIMEOUT);

    test("/admin/tavoli/:id/materiali with the upload form sent empty", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/tavoli/${id}/materiali`);
      const upload = materialsForm(page, "carica");
      await upload.getByRole("button", { name: "Carica il file", exact: true }).click();
      await upload.getByRole("heading", { name: /^Il modulo contiene (un errore|\d+ errori)$/ }).waitFor();
      await eventually(() => upload.getByLabel("Titolo", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      if (!js) expect(await upload.getByLabel("File", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/tavoli/:id/materiali with upload errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/tavoli/:id/materiali with the link form showing errors", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/tavoli/${id}/materiali`);
      const link = materialsForm(page, "collega");
      await link.getByLabel("Link", { exact: true }).fill("non-un-link");
      await link.getByRole("button", { name: "Aggiungi il link", exact: true }).click();
      // No visibility is chosen in advance: it is asked for too.
      await link.getByRole("heading", { name: "Il modulo contiene 3 errori" }).waitFor();
      await eventually(() => link.getByLabel("Titolo", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      expect(await link.getByLabel("Link", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      expect(await link.getByLabel("Visibilità", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/admin/tavoli/:id/materiali with link errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/admin/tavoli/:id/inviti with a bad extra address in the preview", async () => {
      const id = await roundTableSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signedIn(page);
      await open(page, `/admin/tavoli/${id}/inviti`);
      await field(page, "Indirizzi aggiuntivi").fill("non-valido");
      await page.getByRole("button", { name: "Anteprima", exact: true }).click();
      await page.getByRole("heading", { name: "La scelta dei destinatari contiene un errore" }).waitFor();
      // The errors take the focus, with or without JavaScript, and the address stays out of the URL.
      await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("aria-labelledby"))).toBe("error-summary-title");
      expect(page.url()).not.toContain("non-valido");
      expect(await field(page, "Indirizzi aggiuntivi").inputValue()).toBe("non-valido");
      expect(await field(page, "Indirizzi aggiuntivi").getAttribute("aria-invalid")).toBe("true");
      expect(await page.getByRole("button", { name: /^Invia (gli inviti|l'invito)/ }).count(), "no preview to send").toBe(0);
      await expectAccessible(page, `/admin/tavoli/:id/inviti with a bad extra address (${mode})`);
    }, SEEDING_TIMEOUT);
  });
}

// ----------------------------------------------------------------------------------------------
// The referent area: the project form (new and edit), the successor's proposal, the erasure request,
// and the successor's consent at /subentro/:token, each showing its errors. Two approved enti of their
// own: one whose referente is signed in (the session is reused), one whose referente proposed a
// successor (the link of the proposal email). The error states change nothing.

type ReferentSeeded = {
  referente: Referente;
  /** The sai_ref_session cookie of the signed-in referente. */
  session: Awaited<ReturnType<BrowserContext["cookies"]>>;
  projectId: number;
  handoverToken: string;
};

let seedingReferent: Promise<ReferentSeeded> | undefined;
const referentSeeded = () => (seedingReferent ??= seedReferent());

async function seedReferent(): Promise<ReferentSeeded> {
  const referente = await setup((page) => registerAndConfirm(page));
  const proposer = await setup((page) => registerAndConfirm(page));
  await setup(async (page) => {
    await signIn(page);
    await approveFromDetail(page, await findRequestId(page, referente));
    await approveFromDetail(page, await findRequestId(page, proposer));
  });
  const { session, projectId } = await setup(async (page) => {
    await signInWithCode(page, referente.email);
    const href = (await page.locator("main a[href^='/area-referente/progetti/']").filter({ hasText: /^Modifica o chiudi/ }).first().getAttribute("href")) ?? "";
    const projectId = Number(href.match(/^\/area-referente\/progetti\/(\d+)$/)?.[1]);
    expect(projectId, `link to the referente's project: "${href}"`).toBeGreaterThan(0);
    const session = (await page.context().cookies()).filter((c) => /sai_ref_session$/.test(c.name));
    expect(session, "the referent session cookie").toHaveLength(1);
    return { session, projectId };
  });
  const { token: handoverToken } = await proposeSuccessor(proposer);
  return { referente, session, projectId, handoverToken };
}

/** The approved referente `proposer` signs in and proposes a successor; returns the successor's address and the token of their link. */
async function proposeSuccessor(proposer: Referente) {
  const successor = uniqueEmail("successore");
  await setup(async (page) => {
    await signInWithCode(page, proposer.email);
    await open(page, "/area-referente/subentro");
    await field(page, "Nome").fill("Giuseppe");
    await field(page, "Cognome").fill("Subentrante");
    await field(page, "Ruolo").selectOption({ label: proposer.role });
    await field(page, "Ufficio o settore").fill("Settore Servizi Sociali");
    await field(page, "Email").fill(successor);
    await field(page, "Telefono").fill("091 7654321");
    await page.getByRole("button", { name: "Invia la proposta", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente" && url.searchParams.get("esito") === "subentro-proposto");
  });
  const mail = await waitForMail(successor);
  const token = mail.text.match(/\/subentro\/([\w-]+)/)?.[1] ?? "";
  expect(token, "the link of the proposal email").not.toBe("");
  return { email: successor, token };
}

/** The referente's session on this page (signed in once, through the emailed code, while seeding). */
async function asReferent(page: Page) {
  const { session } = await referentSeeded();
  await page.context().addCookies(session);
}

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  describe(`referent area forms showing errors, ${mode}`, () => {
    test("/area-referente/progetti/nuovo sent empty", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await asReferent(page);
      await open(page, "/area-referente/progetti/nuovo");
      await page.getByRole("button", { name: "Aggiungi progetto", exact: true }).click();
      await page.getByRole("heading", { name: /^Il progetto contiene \d+ errori$/ }).waitFor();
      await eventually(() => field(page, "Posti finanziati").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Ente attuatore").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/area-referente/progetti/nuovo with errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/area-referente/progetti/:id showing errors", async () => {
      const { projectId } = await referentSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await asReferent(page);
      await open(page, `/area-referente/progetti/${projectId}`);
      await field(page, "Posti finanziati").fill("0");
      await field(page, "Ente attuatore").fill("");
      await page.getByRole("button", { name: "Salva il progetto", exact: true }).click();
      await page.getByRole("heading", { name: "Il progetto contiene 2 errori" }).waitFor();
      await eventually(() => field(page, "Posti finanziati").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Ente attuatore").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, `/area-referente/progetti/:id with errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/area-referente/subentro showing errors", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await asReferent(page);
      await open(page, "/area-referente/subentro");
      await field(page, "Email").fill("non-una-email");
      await page.getByRole("button", { name: "Invia la proposta", exact: true }).click();
      await page.getByRole("heading", { name: /^Il modulo contiene \d+ errori$/ }).waitFor();
      await eventually(() => field(page, "Nome").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Email").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Email").inputValue()).toBe("non-una-email");
      await expectAccessible(page, `/area-referente/subentro with errors (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/area-referente/privacy with the erasure request sent unconfirmed", async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      await asReferent(page);
      await open(page, "/area-referente/privacy");
      await page.getByRole("button", { name: "Chiedi la cancellazione", exact: true }).click();
      await page.getByRole("heading", { name: "La richiesta contiene un errore" }).waitFor();
      await eventually(() =>
        field(page, "Ho letto che cosa comporta la cancellazione e voglio che i miei dati siano cancellati").getAttribute("aria-invalid"),
      ).toBe("true");
      await expectAccessible(page, `/area-referente/privacy with an erasure error (${mode})`);
    }, SEEDING_TIMEOUT);

    test("/subentro/:token sent without the consent", async () => {
      const { handoverToken } = await referentSeeded();
      const page = await browser.newPage({ javaScriptEnabled: js });
      await open(page, `/subentro/${handoverToken}`);
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Conferma il subentro come referente");
      await page.getByRole("button", { name: "Accetto e confermo", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo contiene un errore" }).waitFor();
      await eventually(() =>
        field(page, "Ho letto l'informativa sul trattamento dei dati personali (art. 13 GDPR)").getAttribute("aria-invalid"),
      ).toBe("true");
      expect(await h1(page)).toBe("Conferma il subentro come referente");
      await expectAccessible(page, `/subentro/:token without the consent (${mode})`);
    }, SEEDING_TIMEOUT);
  });
}

// ----------------------------------------------------------------------------------------------
// Wide tables on a phone scroll sideways in their own box. A table with nothing focusable in it would
// leave that box out of reach of the keyboard (axe: scrollable-region-focusable): the box is a tab
// stop, named after the table's caption, with a visible focus, and the arrow keys scroll it.

const PHONE = { width: 360, height: 740 };

/** Tab, from the top of the page, reaches the scroll box of the table named `caption`; then → scrolls it. */
async function expectScrollBoxReachable(page: Page, caption: string | RegExp) {
  const table = page.getByRole("table", { name: caption });
  const box = table.locator("xpath=..");
  expect(await box.evaluate((b) => b.scrollWidth > b.clientWidth), `the table «${caption}» scrolls sideways at ${PHONE.width} px`).toBe(true);
  const isFocused = () => box.evaluate((b) => b === document.activeElement);
  let reached = false;
  for (let i = 0; i < 150 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await isFocused();
  }
  expect(reached, `Tab reaches the scroll box of «${caption}»`).toBe(true);
  expect(await page.getByRole("region", { name: caption }).evaluate((r) => r === document.activeElement), "the box is a region named after the caption").toBe(true);
  expect((await focusIndicator(page)).visible, `focus indicator of the box of «${caption}»`).toBe(true);
  await page.keyboard.press("ArrowRight");
  await eventually(() => box.evaluate((b) => b.scrollLeft), `→ scrolls the table «${caption}»`).toBeGreaterThan(0);
}

async function openOnPhone(page: Page, path: string) {
  await page.setViewportSize(PHONE);
  await open(page, path);
  await page.locator("h1").waitFor();
}

describe(`tables without links or fields, at ${PHONE.width} px`, () => {
  test("/admin/adesioni/:id: the referenti's history and the emails about the ente", async () => {
    const { pendingId } = await seeded();
    const page = await browser.newPage();
    await signedIn(page);
    await openOnPhone(page, `/admin/adesioni/${pendingId}`);
    expect(await checkA11y(page)).toEqual([]);
    await expectScrollBoxReachable(page, "Storico dei referenti dell'ente, dal più recente");
    await expectScrollBoxReachable(page, "Email che riguardano l'ente, dalla più recente, con lo stato di recapito");
  }, SEEDING_TIMEOUT);

  test("/admin/tavoli/:id/inviti: the answers to invitations sent for a Tavolo still to come", async () => {
    const { invitedRoundTableId } = await seeded();
    const page = await browser.newPage();
    await signedIn(page);
    await openOnPhone(page, `/admin/tavoli/${invitedRoundTableId}/inviti`);
    expect(await checkA11y(page)).toEqual([]);
    await expectScrollBoxReachable(page, /^Risposte all'invito \(1 invitato\)$/);
  }, SEEDING_TIMEOUT);

  test("/area-referente of a successor awaiting approval: the ente's projects, which they cannot change yet, stacked to fit the phone", async () => {
    const proposer = await setup((page) => registerAndConfirm(page));
    await setup(async (page) => {
      await signIn(page);
      await approveFromDetail(page, await findRequestId(page, proposer));
    });
    const successor = await proposeSuccessor(proposer);
    await setup(async (page) => {
      await open(page, `/subentro/${successor.token}`);
      await page.locator("label[for=privacyConsent]").click();
      await page.getByRole("button", { name: "Accetto e confermo", exact: true }).click();
      await eventually(() => h1(page)).toBe("Subentro confermato");
    });
    const page = await browser.newPage();
    await signInWithCode(page, successor.email);
    await openOnPhone(page, "/area-referente");
    expect(await page.getByRole("link", { name: /^Modifica o chiudi/ }).count(), "no project can be changed yet").toBe(0);
    expect(await checkA11y(page)).toEqual([]);
    // On a phone each project is a block of its own (no scroll box to reach): nothing is off to the right.
    const box = page.getByRole("table", { name: "Progetti SAI attivi" }).locator("xpath=..");
    expect(await box.evaluate((b) => b.scrollWidth <= b.clientWidth), "the projects' table fits 360 px").toBe(true);
  }, 180_000);
});
