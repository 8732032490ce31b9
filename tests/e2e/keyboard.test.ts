// Keyboard and screen reader (issue 8, point 7).
//
// 1. A referente completes the scheda with the keyboard only (Tab, typing, Space on the checkbox,
//    typing and arrow keys in the comune combobox and Enter to pick, Enter to send), confirms the
//    address from the link in the email with the keyboard, and a coordinator signs in and approves
//    the request with the keyboard only. No pointer click happens anywhere (counted in the page).
// 2. A sweep of every page (every route file that draws a page, with real ids and tokens), public,
//    as a referente and as a coordinator: exactly one h1, the landmarks (banner, navigation, main,
//    contentinfo), the skip link as the first Tab stop leading to the main content, lang="it", a
//    title ending with the area and the portal's name, and no axe-core violation.
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { csvFile, importHeaders } from "../support/import-files";
import { listRouteFiles } from "../support/route-paths";
import {
  approveFromDetail,
  COORDINATOR_EMAIL,
  createPublishedTavolo,
  fact,
  findRequestId,
  focused,
  focusIndicator,
  h1,
  inviteAddresses,
  open,
  register,
  registerAndConfirm,
  reusedSignIn,
  tabTo,
  useAdminBrowser,
  useSetupBrowser,
  type Focused,
  type Referente,
} from "./admin-support";
import {
  checkA11y,
  confirmationLink,
  eventually,
  fillRegistrationForm,
  makeRegistration,
  mailsTo,
  waitForHydration,
  waitForMail,
  type RegistrationData,
} from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
const signedIn = reusedSignIn();

/** Counts clicks made with a pointer (a click from Enter or Space has detail 0). */
async function countPointerClicks(page: Page) {
  const counter = { clicks: 0 };
  await page.exposeFunction("__pointerClick", () => counter.clicks++);
  await page.addInitScript(() => {
    document.addEventListener(
      "click",
      (e) => {
        if (e.detail > 0) (window as unknown as { __pointerClick: () => void }).__pointerClick();
      },
      true,
    );
  });
  return counter;
}

const byLabel = (label: string) => (el: Focused) => el.label === label;

async function expectFocusVisible(page: Page, what: string) {
  const indicator = await focusIndicator(page);
  expect(indicator.visible, `visible focus on ${what}: ${JSON.stringify(indicator)}`).toBe(true);
}

/** Tabs to a field and types into it (what a person does: no clicks, no fill()). */
async function typeInto(page: Page, label: string, text: string, max = 6) {
  await tabTo(page, byLabel(label), { max });
  await page.keyboard.type(text);
}

/**
 * The order of the day and month boxes of the browser's date fields (it follows the browser's own
 * language, not the page's): found by typing into a scratch field outside the form.
 */
async function dateFieldOrder(page: Page): Promise<"dmy" | "mdy"> {
  const previous = await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "date";
    input.id = "__probe";
    document.body.append(input);
    const active = document.activeElement as HTMLElement | null;
    input.focus();
    return active?.id ?? null;
  });
  await page.keyboard.type("01022003");
  const value = await page.evaluate((id) => {
    const probe = document.getElementById("__probe") as HTMLInputElement;
    const v = probe.value;
    probe.remove();
    if (id) document.getElementById(id)?.focus();
    return v;
  }, previous);
  return value === "2003-02-01" ? "dmy" : "mdy";
}

/** A date field, typed digit by digit in the order its boxes have. */
async function typeDate(page: Page, label: string, iso: string, order: "dmy" | "mdy") {
  await tabTo(page, byLabel(label), { max: 4 });
  const [y, m, d] = iso.split("-");
  await page.keyboard.type(order === "dmy" ? `${d}${m}${y}` : `${m}${d}${y}`);
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe(iso);
}

/** A native select: focus it and type the start of the option, as screen reader users do. */
async function chooseOption(page: Page, label: string, optionLabel: string, max = 6) {
  await tabTo(page, byLabel(label), { max });
  await page.keyboard.type(optionLabel.slice(0, 6));
  expect(await page.evaluate(() => {
    const select = document.activeElement as HTMLSelectElement;
    return select.options[select.selectedIndex]?.text;
  })).toBe(optionLabel);
}

/** The comune combobox: type the name, arrow down to the right suggestion, Enter to pick it. */
async function pickComuneByKeyboard(page: Page, comune: RegistrationData["comune"]) {
  await tabTo(page, byLabel("Comune"), { max: 3 });
  const wanted = `${comune.name} (${comune.sigla})`;
  await page.keyboard.type(comune.name);
  expect(await page.getAttribute("#municipalityCode", "aria-expanded")).toBe("true");
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("ArrowDown");
    const active = await page.evaluate(() => {
      const id = document.activeElement?.getAttribute("aria-activedescendant");
      return id ? document.getElementById(id)?.textContent ?? null : null;
    });
    if (active === wanted) break;
  }
  await page.keyboard.press("Enter");
  await eventually(() => page.inputValue("#municipalityCode")).toBe(wanted);
  expect(await page.getAttribute("#municipalityCode", "aria-expanded")).toBe("false");
}

describe("keyboard only, end to end", () => {
  test("a referente registers, confirms the address from the email and a coordinator approves, without a pointer", async () => {
    const data = makeRegistration({ mobile: "" });
    const project = data.projects[0];

    // The referente's browser, with JavaScript.
    const page = await browser.newPage();
    const referentClicks = await countPointerClicks(page);
    await open(page, "/adesione");
    await waitForHydration(page);

    // The skip link comes first and leads into the form.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "a", text: "Vai al contenuto principale", href: "#contenuto" });
    await expectFocusVisible(page, "the skip link");
    await page.keyboard.press("Enter");
    await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("contenuto");

    // "Comune" is the default kind: Tab past the select, then the combobox.
    const kind = await tabTo(page, byLabel("Tipo di ente"));
    expect(kind.tag).toBe("select");
    await expectFocusVisible(page, "Tipo di ente");
    await pickComuneByKeyboard(page, data.comune);
    await expectFocusVisible(page, "the comune combobox");
    await typeInto(page, "PEC dell'ente", data.pec);
    await typeInto(page, "Codice fiscale dell'ente", data.fiscalCode);
    await typeInto(page, "Nome", data.firstName);
    await typeInto(page, "Cognome", data.lastName);
    await chooseOption(page, "Ruolo", data.role);
    await typeInto(page, "Ufficio o settore", data.office);
    await typeInto(page, "Email", data.email);
    await typeInto(page, "Telefono", data.phone);
    await chooseOption(page, "Tipologia", "Ordinari", 8);
    await typeInto(page, "Posti finanziati", project.fundedPlaces);
    await typeInto(page, "Codice progetto (facoltativo)", project.projectCode ?? "");
    await typeInto(page, "Ente attuatore", project.managingOrganization);
    const order = await dateFieldOrder(page);
    await typeDate(page, "Data di inizio", project.startDate, order);
    await typeDate(page, "Data di fine", project.endDate, order);

    // Space ticks the consent checkbox.
    await tabTo(page, (el) => el.tag === "input" && (el.label ?? "").startsWith("Ho letto l'informativa"));
    await expectFocusVisible(page, "the consent checkbox");
    await page.keyboard.press("Space");
    expect(await page.isChecked("#privacyConsent")).toBe(true);

    // Enter in a field sends the scheda (the form's default button is "Invia la scheda", not a project button).
    await tabTo(page, byLabel("Cellulare (facoltativo)"), { shift: true });
    await page.keyboard.press("Enter");
    await page.waitForURL("**/adesione/inviata");
    await eventually(() => h1(page)).toBe("Controlla la tua casella di posta");

    // The email's link; on the page, Tab to the button and Enter.
    const mail = await waitForMail(data.email, { subjectIncludes: `Comune di ${data.comune.name}` });
    await open(page, confirmationLink(mail));
    await tabTo(page, (el) => el.tag === "button" && el.text === "Conferma l'indirizzo email");
    await expectFocusVisible(page, "Conferma l'indirizzo email");
    await page.keyboard.press("Enter");
    await eventually(() => h1(page)).toBe("Indirizzo email confermato");
    expect(referentClicks.clicks, "clicks made with a pointer by the referente").toBe(0);

    // The coordinator: sign in, find the request, approve — keyboard only.
    const admin = await browser.newPage();
    const adminClicks = await countPointerClicks(admin);
    await open(admin, "/login");
    await typeInto(admin, "Email", COORDINATOR_EMAIL, 40);
    await typeInto(admin, "Password", inject("adminPassword"), 3);
    await admin.keyboard.press("Enter");
    await admin.waitForURL((url) => url.pathname === "/admin");
    await eventually(() => h1(admin)).toBe("Panoramica");

    // The list, searched from its own form by keyboard.
    const adesioni = await tabTo(admin, (el) => el.tag === "a" && el.text === "Adesioni" && el.href === "/admin/adesioni");
    expect(adesioni.href).toBe("/admin/adesioni");
    await admin.keyboard.press("Enter");
    await admin.waitForURL((url) => url.pathname === "/admin/adesioni");
    await eventually(() => h1(admin)).toBe("Adesioni");
    await tabTo(admin, (el) => el.tag === "input" && el.label === "Cerca");
    await admin.keyboard.type(data.email);
    await admin.keyboard.press("Enter");
    await admin.waitForURL((url) => url.searchParams.get("q") === data.email);
    const bodyName = `Comune di ${data.comune.name}`;
    const link = await tabTo(admin, (el) => el.tag === "a" && el.text === bodyName);
    await expectFocusVisible(admin, "the link of the request");
    await admin.keyboard.press("Enter");
    await admin.waitForURL((url) => url.pathname === link.href);
    await eventually(() => h1(admin)).toBe(bodyName);
    await tabTo(admin, (el) => el.tag === "button" && el.text === "Approva");
    await expectFocusVisible(admin, "Approva");
    await admin.keyboard.press("Enter");
    await admin.waitForURL((url) => url.searchParams.get("esito") === "approvata");
    await eventually(() => fact(admin, "Stato")).toBe("Approvata");
    expect(adminClicks.clicks, "clicks made with a pointer by the coordinator").toBe(0);

    await eventually(async () => (await mailsTo(data.email)).some((m) => m.subject.startsWith("Adesione approvata")), "approval email").toBe(true);
  });


  test("without JavaScript too, Enter in a field sends the scheda (and does not remove a project)", async () => {
    const data = makeRegistration({ mobile: "" });
    const page = await browser.newPage({ javaScriptEnabled: false });
    await open(page, "/adesione");
    await fillRegistrationForm(page, data, { js: false });
    await page.getByLabel("Email", { exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL("**/adesione/inviata");
    expect(await h1(page)).toBe("Controlla la tua casella di posta");
  });
});

// ----------------------------------------------------------------------------------------------
// The sweep

type Role = "anonymous" | "referente" | "coordinator";

type World = {
  referente: Referente;
  pending: Referente;
  requestId: number;
  pendingId: number;
  projectId: number;
  roundTableId: number;
  materialId: number;
  invitationToken: string;
  confirmationToken: string;
  outboxId: number;
  importId: string;
  communicationId: number;
  referentCookies: Awaited<ReturnType<ReturnType<Page["context"]>["cookies"]>>;
};

let seeding: Promise<World> | undefined;
const world = () => (seeding ??= seed());
const SEEDING_TIMEOUT = 180_000;

/** The code of the newest sign-in email to `email`. */
async function loginCode(email: string, already: number) {
  const subject = "Codice di accesso all'area referente";
  await eventually(async () => (await mailsTo(email)).filter((m) => m.subject.startsWith(subject)).length, "sign-in email").toBeGreaterThan(already);
  const mail = (await mailsTo(email)).filter((m) => m.subject.startsWith(subject)).at(-1)!;
  return mail.text.match(/\b(\d{6})\b/)![1];
}

async function seed(): Promise<World> {
  const referente = await setup((p) => registerAndConfirm(p));
  const pending = await setup((p) => registerAndConfirm(p));
  // One more scheda, not confirmed: its link shows the confirmation page.
  const unconfirmed = await setup((p) => register(p));
  const confirmationMail = await waitForMail(unconfirmed.email, { subjectIncludes: unconfirmed.bodyName });
  const confirmationToken = confirmationLink(confirmationMail).split("/").pop()!;

  return setup(async (page) => {
    await signedIn(page);
    const requestId = await findRequestId(page, referente);
    const pendingId = await findRequestId(page, pending);
    await approveFromDetail(page, requestId);

    // A published round table, with the referente invited.
    const roundTableId = await createPublishedTavolo(page, {
      title: `Tavolo per la verifica di accessibilità ${Date.now().toString(36)}`,
      startsAt: "2032-03-10T15:00",
      endsAt: "2032-03-10T17:00",
      onlineUrl: "https://meet.example.org/a11y",
    });
    // A material of it, to correct.
    await open(page, `/admin/tavoli/${roundTableId}/materiali`);
    const linkForm = page.locator("form[aria-labelledby=collega]");
    await linkForm.getByLabel("Titolo", { exact: true }).fill("Registrazione per la verifica");
    await linkForm.getByLabel("Link", { exact: true }).fill("https://video.example.org/a11y");
    await linkForm.getByLabel("Visibilità", { exact: true }).selectOption({ label: "Pubblico" });
    await linkForm.getByRole("button", { name: "Aggiungi il link", exact: true }).click();
    await page.waitForURL(/esito=materiale-aggiunto/);
    const materialHref = (await page.getByRole("link", { name: "Modifica Registrazione per la verifica", exact: true }).getAttribute("href"))!;
    const materialId = Number(materialHref.split("/").pop());
    await inviteAddresses(page, roundTableId, [referente.email]);
    const invitation = await waitForMail(referente.email, { subjectIncludes: "Invito:" });
    const invitationToken = invitation.text.match(/\/invito\/([\w-]+)/)![1];

    // An email in the delivery log.
    await open(page, `/admin/posta?destinatario=${encodeURIComponent(referente.email)}`);
    const mailHref = (await page.locator("main a[href^='/admin/posta/']").first().getAttribute("href"))!;
    const outboxId = Number(mailHref.split("/").pop());

    // An uploaded member list awaiting the import.
    await open(page, "/admin/importa");
    await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({
      name: "aderenti.csv",
      mimeType: "text/csv",
      // One row with a comune that does not exist: the preview shows it as an error.
      buffer: csvFile(importHeaders(1), [
        { "Tipo di ente": "Comune", "Comune (codice ISTAT o nome)": "Atlantide", Nome: "Rosa", Cognome: "Prova", Email: `rosa-${Date.now()}@example.org` },
      ]),
    });
    await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}/);
    const importId = new URL(page.url()).pathname.split("/").pop()!;

    // A comunicazione saved as a draft (its preview page).
    await open(page, "/admin/comunicazioni/nuova");
    await page.getByLabel("Oggetto").fill("Comunicazione per la verifica di accessibilità");
    await page.getByLabel("Testo").fill("Primo paragrafo.\n\nSecondo paragrafo.");
    await page.getByRole("button", { name: "Salva e vedi l'anteprima" }).click();
    await page.waitForURL(/\/admin\/comunicazioni\/\d+$/);
    const communicationId = Number(new URL(page.url()).pathname.split("/").pop());

    // The referente signs in to the referent area with the emailed code.
    const ref = await page.context().browser()!.newContext({ baseURL: inject("baseUrl"), locale: "it-IT" });
    try {
      const p = await ref.newPage();
      await p.goto("/area-referente/accedi");
      const before = (await mailsTo(referente.email)).filter((m) => m.subject.startsWith("Codice di accesso")).length;
      await p.getByLabel("Email", { exact: true }).fill(referente.email);
      await p.getByRole("button", { name: "Invia il codice" }).click();
      await p.getByLabel("Codice di accesso", { exact: true }).fill(await loginCode(referente.email, before));
      await p.getByRole("button", { name: "Accedi", exact: true }).click();
      await p.waitForURL((url) => url.pathname === "/area-referente");
      const projectHref = (await p.locator("main a[href^='/area-referente/progetti/']").first().getAttribute("href"))!;
      const projectId = Number(projectHref.split("/").pop());
      const referentCookies = (await ref.cookies()).filter((c) => /sai_ref_session$/.test(c.name));
      expect(referentCookies).toHaveLength(1);
      return {
        referente,
        pending,
        requestId,
        pendingId,
        projectId,
        roundTableId,
        materialId,
        invitationToken,
        confirmationToken,
        outboxId,
        importId,
        communicationId,
        referentCookies,
      };
    } finally {
      await ref.close();
    }
  });
}

/** Every page route and where to see it: the role and the URLs (several states for some). */
const PAGES: Record<string, { role: Role; urls: (w: World) => string[] }> = {
  _index: { role: "anonymous", urls: () => ["/"] },
  // The 404 page, also under a layout the visitor may enter.
  $: { role: "coordinator", urls: () => ["/admin/pagina-che-non-esiste", "/area-referente/pagina-che-non-esiste"] },
  accessibilita: { role: "anonymous", urls: () => ["/accessibilita"] },
  privacy: { role: "anonymous", urls: () => ["/privacy"] },
  "adesione._index": { role: "anonymous", urls: () => ["/adesione"] },
  "adesione.inviata": { role: "anonymous", urls: () => ["/adesione/inviata"] },
  "adesione.conferma.$token": { role: "anonymous", urls: (w) => [`/adesione/conferma/${w.confirmationToken}`, "/adesione/conferma/non-valido"] },
  "tavoli-tecnici._index": { role: "anonymous", urls: () => ["/tavoli-tecnici"] },
  "tavoli-tecnici.$id": { role: "anonymous", urls: (w) => [`/tavoli-tecnici/${w.roundTableId}`] },
  "invito.$token": { role: "anonymous", urls: (w) => [`/invito/${w.invitationToken}`, `/invito/${w.invitationToken}?risposta=si`, "/invito/non-valido"] },
  "subentro.$token": { role: "anonymous", urls: () => ["/subentro/non-valido"] },
  "disiscrizione.$token": { role: "anonymous", urls: () => ["/disiscrizione/non-valido"] },
  "invito-coordinatore.$token": { role: "anonymous", urls: () => ["/invito-coordinatore/non-valido"] },
  login: { role: "anonymous", urls: () => ["/login", "/login?esito=password-reimpostata"] },
  "login_.password-dimenticata": { role: "anonymous", urls: () => ["/login/password-dimenticata"] },
  "login_.reimposta-password.$token": { role: "anonymous", urls: () => ["/login/reimposta-password/non-valido"] },
  logout: { role: "coordinator", urls: () => ["/logout"] },
  "area-referente.accedi._index": { role: "anonymous", urls: () => ["/area-referente/accedi", "/area-referente/accedi?uscito=1"] },
  // Without a sign-in waiting for its code: back to the first step, which says so (the code step itself: referent.test.ts).
  "area-referente.accedi.codice": { role: "anonymous", urls: () => ["/area-referente/accedi/codice"] },
  "area-referente.accedi.link.$token": { role: "anonymous", urls: () => ["/area-referente/accedi/link/non-valido"] },
  "area-referente.email.conferma.$token": { role: "anonymous", urls: () => ["/area-referente/email/conferma/non-valido"] },
  "area-referente._index": { role: "referente", urls: () => ["/area-referente"] },
  "area-referente.dati": { role: "referente", urls: () => ["/area-referente/dati"] },
  "area-referente.email._index": { role: "referente", urls: () => ["/area-referente/email"] },
  "area-referente.esci": { role: "referente", urls: () => ["/area-referente/esci"] },
  "area-referente.privacy": { role: "referente", urls: () => ["/area-referente/privacy"] },
  "area-referente.privacy_.dati": { role: "referente", urls: () => ["/area-referente/privacy/dati"] },
  "area-referente.progetti.$id": { role: "referente", urls: (w) => [`/area-referente/progetti/${w.projectId}`] },
  "area-referente.progetti.nuovo": { role: "referente", urls: () => ["/area-referente/progetti/nuovo"] },
  "area-referente.subentro": { role: "referente", urls: () => ["/area-referente/subentro"] },
  "area-referente.tavoli": { role: "referente", urls: () => ["/area-referente/tavoli"] },
  admin: { role: "coordinator", urls: () => [] }, // the layout: seen in every page below
  "admin._index": { role: "coordinator", urls: () => ["/admin"] },
  "admin.adesioni._index": { role: "coordinator", urls: () => ["/admin/adesioni", "/admin/adesioni?stato=pending&ordina=ente"] },
  "admin.adesioni.$id": { role: "coordinator", urls: (w) => [`/admin/adesioni/${w.requestId}`, `/admin/adesioni/${w.pendingId}`, "/admin/adesioni/999999999"] },
  "admin.adesioni.$id_.modifica": { role: "coordinator", urls: (w) => [`/admin/adesioni/${w.pendingId}/modifica`] },
  // The referente's project, through the ente's approved request.
  "admin.adesioni.$id_.progetti.$projectId": { role: "coordinator", urls: (w) => [`/admin/adesioni/${w.requestId}/progetti/${w.projectId}`] },
  "admin.adesioni.$id_.progetti.nuovo": { role: "coordinator", urls: (w) => [`/admin/adesioni/${w.requestId}/progetti/nuovo`] },
  "admin.tavoli._index": { role: "coordinator", urls: () => ["/admin/tavoli"] },
  "admin.tavoli.nuovo": { role: "coordinator", urls: (w) => ["/admin/tavoli/nuovo", `/admin/tavoli/nuovo?da=${w.roundTableId}`] },
  "admin.tavoli.$id": { role: "coordinator", urls: (w) => [`/admin/tavoli/${w.roundTableId}`] },
  "admin.tavoli.$id_.inviti": {
    role: "coordinator",
    // The preview is a POST: its state is checked by tests/e2e/tavoli.test.ts (axe) and admin-accessibility.test.ts (errors).
    urls: (w) => [`/admin/tavoli/${w.roundTableId}/inviti`],
  },
  "admin.tavoli.$id_.materiali": { role: "coordinator", urls: (w) => [`/admin/tavoli/${w.roundTableId}/materiali`] },
  "admin.tavoli.$id_.materiali_.$materialId": { role: "coordinator", urls: (w) => [`/admin/tavoli/${w.roundTableId}/materiali/${w.materialId}`] },
  "admin.posta._index": { role: "coordinator", urls: () => ["/admin/posta", "/admin/posta?stato=failed"] },
  "admin.posta.$id": { role: "coordinator", urls: (w) => [`/admin/posta/${w.outboxId}`] },
  "admin.registro": { role: "coordinator", urls: () => ["/admin/registro"] },
  "admin.coordinatori": { role: "coordinator", urls: () => ["/admin/coordinatori"] },
  "admin.coordinatori_.$id.email": { role: "coordinator", urls: () => ["/admin/coordinatori/1/email", "/admin/coordinatori/999999999/email"] },
  "admin.account": { role: "coordinator", urls: () => ["/admin/account", "/admin/account?esito=password-cambiata"] },
  "admin.importa._index": { role: "coordinator", urls: () => ["/admin/importa"] },
  "admin.importa.$id": { role: "coordinator", urls: (w) => [`/admin/importa/${w.importId}`] },
  "admin.cancellazioni": { role: "coordinator", urls: () => ["/admin/cancellazioni"] },
  "admin.comunicazioni._index": { role: "coordinator", urls: () => ["/admin/comunicazioni"] },
  "admin.comunicazioni.nuova": { role: "coordinator", urls: (w) => ["/admin/comunicazioni/nuova", `/admin/comunicazioni/nuova?bozza=${w.communicationId}`] },
  "admin.comunicazioni.$id": { role: "coordinator", urls: (w) => [`/admin/comunicazioni/${w.communicationId}`] },
};

/** The 404 page for a visitor who is not signed in. */
const EXTRA: { role: Role; url: string }[] = [{ role: "anonymous", url: "/pagina-che-non-esiste" }];

const PAGE_ROUTES = listRouteFiles().filter((r) => r.isPage);

/** One h1, the landmarks, the skip link first and working, lang="it", a title, no axe violations. */
async function expectAccessiblePage(page: Page, what: string) {
  expect(await page.locator("h1").count(), `h1 elements on ${what}`).toBe(1);
  expect(await page.locator("html").getAttribute("lang"), `lang of ${what}`).toBe("it");
  // The title ends with the area and the portal's name, as every tab and bookmark should read.
  const areaNavs = page.locator('nav[aria-label="Area coordinatori"], nav[aria-label="Area referente"]');
  const area = (await areaNavs.count()) > 0 ? await areaNavs.first().getAttribute("aria-label") : null;
  const title = await page.title();
  if (area) expect(title, `title of ${what}`).toMatch(new RegExp(`^\\S.* - ${area} - Coordinamento SAI$`));
  else expect(title, `title of ${what}`).toMatch(/^(\S.* - Coordinamento SAI|Coordinamento SAI - ANCI Sicilia)$/);
  expect(await page.getByRole("banner").count(), `banner on ${what}`).toBe(1);
  expect(await page.getByRole("navigation").count(), `navigation on ${what}`).toBeGreaterThanOrEqual(1);
  expect(await page.getByRole("main").count(), `main on ${what}`).toBe(1);
  expect(await page.getByRole("contentinfo").count(), `contentinfo on ${what}`).toBe(1);
  // Every navigation landmark has a name when there are several.
  const navs = page.getByRole("navigation");
  if ((await navs.count()) > 1) {
    const names = await navs.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? e.getAttribute("aria-labelledby") ?? ""));
    expect(names.every(Boolean), `unnamed navigation on ${what}: ${JSON.stringify(names)}`).toBe(true);
  }
  // Inside an area (coordinators, referente) the skip link leads past the area's tabs and who is
  // signed in, to the page's own content; elsewhere to the main landmark.
  const areaNav = page.locator('nav[aria-label="Area coordinatori"], nav[aria-label="Area referente"]');
  const target = (await areaNav.count()) > 0 ? "contenuto-pagina" : "contenuto";
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("Tab");
  expect(await focused(page), `the first Tab stop on ${what}`).toMatchObject({ tag: "a", text: "Vai al contenuto principale", href: `#${target}` });
  await page.keyboard.press("Enter");
  await eventually(() => page.evaluate(() => document.activeElement?.id), `the skip link of ${what} leads to the content`).toBe(target);
  const placement = await page.evaluate((id) => {
    const el = document.getElementById(id)!;
    const navs = [...document.querySelectorAll('nav[aria-label^="Area "]')];
    return {
      inMain: el.tagName === "MAIN" || !!el.closest("main"),
      holdsH1: !!el.querySelector("h1"),
      afterEveryAreaNav: navs.every((nav) => !!(nav.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && !nav.contains(el)),
    };
  }, target);
  expect(placement, `where the skip link of ${what} leads`).toEqual({ inMain: true, holdsH1: true, afterEveryAreaNav: true });
  expect(await checkA11y(page), `axe-core violations on ${what}`).toEqual([]);
}

describe("every page: one h1, landmarks, skip link, lang=it, no axe violations", () => {
  test("every route that draws a page is in the sweep", () => {
    expect(PAGE_ROUTES.length).toBeGreaterThan(40);
    expect(PAGE_ROUTES.map((r) => r.id).filter((id) => !PAGES[id])).toEqual([]);
  });

  const visits = [
    ...PAGE_ROUTES.flatMap((r) => (PAGES[r.id] ? [{ id: r.id, role: PAGES[r.id].role }] : [])),
    ...EXTRA.map((e) => ({ id: e.url, role: e.role })),
  ].filter((v) => v.id !== "admin");

  test.each(visits)("$role: $id", async ({ id, role }) => {
    const w = await world();
    const urls = PAGES[id] ? PAGES[id].urls(w) : [id];
    for (const url of urls) {
      const page = await browser.newPage();
      if (role === "coordinator") await signedIn(page);
      if (role === "referente") await page.context().addCookies(w.referentCookies);
      const response = await open(page, url);
      expect(response?.status() ?? 0, `status of ${url}`).toBeLessThan(500);
      const landed = new URL(page.url()).pathname;
      // A signed-in page must not have sent us to a sign-in page.
      if (role !== "anonymous") expect(landed, `${url} as ${role}`).not.toMatch(/^\/(login|area-referente\/accedi)$/);
      await expectAccessiblePage(page, `${url} (${role})`);
    }
  }, SEEDING_TIMEOUT);
});
