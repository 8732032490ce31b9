// The scheda referente from a person's point of view, with and without JavaScript: filling it,
// the confirmation email over SMTP, the confirmation page, the coordinator's notice, and the errors.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  addProject,
  COORDINATOR_EMAIL,
  confirmationLink,
  eventually,
  fillProject,
  fillRegistrationForm,
  invalidFiscalCode,
  mailsTo,
  makeRegistration,
  projectGroup,
  projectGroups,
  setConsent,
  submitRegistration,
  useBrowser,
  waitForHydration,
  waitForMail,
  type RegistrationData,
} from "./support";

const browser = useBrowser();

const h1 = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();
const errorSummary = (page: Page) => page.getByRole("alert").filter({ has: page.getByRole("heading", { name: /^La scheda contiene/ }) });
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

const secondProject = {
  category: "MSNA",
  fundedPlaces: "12",
  projectCode: "",
  managingOrganization: "Associazione Accoglienza Esempio",
  startDate: "2024-03-01",
  endDate: "2026-02-28",
} as const;

/** Checks the confirmation email for `data` and returns its link. */
async function expectConfirmationEmail(data: RegistrationData) {
  const bodyName = `Comune di ${data.comune.name}`;
  const mail = await waitForMail(data.email, { subjectIncludes: bodyName });
  expect(mail.to).toEqual([data.email]);
  expect(mail.subject).toBe(`Conferma l'indirizzo email - adesione del ${bodyName}`);
  expect(mail.text).toContain(data.firstName);
  return confirmationLink(mail);
}

/** Opens the link, checks the GET page changes nothing, confirms, and checks the coordinator is told. */
async function confirmByLink(page: Page, link: string, data: RegistrationData) {
  const bodyName = `Comune di ${data.comune.name}`;
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Conferma il tuo indirizzo email");
  await expect(page.locator("main").textContent()).resolves.toContain(data.email);
  const coordinatorMailsBefore = (await mailsTo(COORDINATOR_EMAIL)).filter((m) => m.subject.includes(bodyName));
  expect(coordinatorMailsBefore, "opening the link (GET) must not confirm anything").toEqual([]);

  await page.getByRole("button", { name: "Conferma l'indirizzo email" }).click();
  await eventually(() => h1(page)).toBe("Indirizzo email confermato");
  await expect(page.getByRole("status").textContent()).resolves.toContain(bodyName);

  const notice = await waitForMail(COORDINATOR_EMAIL, { subjectIncludes: `Nuova adesione da approvare: ${bodyName}` });
  expect(notice.subject.startsWith("Nuova adesione da approvare")).toBe(true);
  expect(notice.to).toEqual([COORDINATOR_EMAIL]);

  // The link works once.
  await page.goto(link);
  await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Indirizzo già confermato");
}

describe("scheda referente with JavaScript", () => {
  test("a person registers the Comune with two projects, confirms the email, and the coordinator is told", async () => {
    const page = await browser.newPage();
    const data = makeRegistration();
    data.projects.push({ ...secondProject });

    await page.goto("/adesione");
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Scheda referente");
    await fillRegistrationForm(page, data, { js: true });
    expect(await projectGroups(page).count()).toBe(2);
    await submitRegistration(page);
    await expect(page.locator("main").textContent()).resolves.toContain(data.email);

    const link = await expectConfirmationEmail(data);
    await confirmByLink(page, link, data);
  });

  test("submitting the empty form shows the error summary linking to the fields; fixing them lets it through", async () => {
    const page = await browser.newPage();
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(request.url());
    });
    await page.goto("/adesione");
    await waitForHydration(page);

    await page.getByRole("button", { name: "Invia la scheda" }).click();
    const summary = errorSummary(page);
    await summary.waitFor();
    const title = (await summary.getByRole("heading").textContent()) ?? "";
    const count = Number(title.match(/^La scheda contiene (\d+) errori$/)?.[1]);
    expect(count, `summary title "${title}"`).toBeGreaterThanOrEqual(10);
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    // The title, the first thing a screen reader reads, says so too.
    expect(await page.title()).toBe("Errore: Scheda referente per l'adesione - Coordinamento SAI");

    const hrefs = await summary.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(hrefs).toHaveLength(count);
    // In the order of the fields on the page: the projects before the consent that closes the form.
    expect(hrefs.at(-1)).toBe("#privacyConsent");
    expect(hrefs.indexOf("#projects-0-category")).toBeGreaterThan(hrefs.indexOf("#phone"));
    for (const href of [
      "#municipalityCode",
      "#pec",
      "#fiscalCode",
      "#firstName",
      "#lastName",
      "#role",
      "#office",
      "#email",
      "#phone",
      "#projects-0-category",
      "#projects-0-fundedPlaces",
      "#projects-0-managingOrganization",
      "#projects-0-startDate",
      "#projects-0-endDate",
      "#privacyConsent",
    ]) {
      expect(hrefs).toContain(href);
    }
    // Every link leads to a field that says it is invalid and whose message is tied to it.
    for (const href of hrefs) {
      const target = page.locator(href!);
      expect(await target.count(), `element for ${href}`).toBe(1);
      expect(await target.getAttribute("aria-invalid"), `aria-invalid on ${href}`).toBe("true");
      const describedBy = (await target.getAttribute("aria-describedby")) ?? "";
      expect(describedBy.split(" "), `aria-describedby of ${href}`).toContain(`${href!.slice(1)}-error`);
    }
    await expect(summary.textContent()).resolves.toContain("Inserisci la PEC dell'ente");
    await expect(page.locator("#pec-error").textContent()).resolves.toContain("Inserisci la PEC dell'ente");

    // Following a link in the summary brings the field into view.
    await summary.getByRole("link", { name: "Inserisci la PEC dell'ente" }).click();
    expect(new URL(page.url()).hash).toBe("#pec");
    // And so does the next one: the page stays on the field (Remix's scroll restoration once took it back).
    const last = summary.getByRole("link").last();
    const target = (await last.getAttribute("href"))!.slice(1);
    await last.click();
    const fieldInView = () =>
      page.evaluate((id) => {
        const element = document.getElementById(id)!;
        const box = element.getBoundingClientRect();
        return document.activeElement === element && box.top >= 0 && box.bottom <= window.innerHeight;
      }, target);
    await eventually(fieldInView).toBe(true);
    await page.waitForTimeout(300);
    expect(await fieldInView()).toBe(true);

    expect(posts, "nothing is sent while the form has errors").toEqual([]);
    expect(new URL(page.url()).pathname).toBe("/adesione");

    // The fields' messages clear as the person types.
    const data = makeRegistration();
    await field(page, "PEC dell'ente").fill(data.pec);
    await eventually(() => field(page, "PEC dell'ente").getAttribute("aria-invalid")).toBeNull();

    await fillRegistrationForm(page, data, { js: true });
    await eventually(() => page.locator('[aria-invalid="true"]').count()).toBe(0);
    // The summary, an alert, keeps what was wrong when the form was sent until it is sent again
    // (decision 017): changing it as the person types would have it read out at each keystroke.
    expect(await summary.getByRole("link").count()).toBe(count);
    await submitRegistration(page);
    await expectConfirmationEmail(data);
  });

  test("removing a project after sending takes the summary again: no line about the removed project nor a field gone", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    await addProject(page);
    await projectGroup(page, 1).getByLabel("Posti finanziati", { exact: true }).fill("0");
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    const summary = errorSummary(page);
    await summary.waitFor();
    const hrefs = () => summary.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
    expect(await hrefs()).toContain("#projects-1-fundedPlaces");

    await projectGroup(page, 0).getByRole("button", { name: /^Rimuovi progetto/ }).click();
    await eventually(async () => (await hrefs()).some((href) => href.startsWith("#projects-1-"))).toBe(false);
    // Every line leads to a field on the page that says it is wrong.
    for (const href of await hrefs()) {
      expect(await page.locator(href).getAttribute("aria-invalid"), `aria-invalid on ${href}`).toBe("true");
    }
    // The remaining project (the second one, now the first) is told its own error.
    expect(await summary.getByRole("link").allTextContents()).toContain("Progetto 1: i posti finanziati devono essere almeno 1");
  });

  test("adding a project marks no field as wrong before the person has filled it in", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    await addProject(page);
    // A field the person changes is checked as they type: emptied again, it says what is missing.
    const organization = projectGroup(page, 1).getByLabel("Ente attuatore", { exact: true });
    await organization.fill("Cooperativa");
    await organization.fill("");
    await eventually(() => organization.getAttribute("aria-invalid")).toBe("true");
    // The fields nobody has touched yet, in both projects, are not marked.
    const marked = await page.locator('[aria-invalid="true"]').evaluateAll((fields) => fields.map((f) => f.id));
    expect(marked).toEqual(["projects-1-managingOrganization"]);
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.close();
  });

  test("a project added after a failed sending is not marked wrong until it is filled in or the scheda is sent again", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    const summary = errorSummary(page);
    await summary.waitFor();
    const linesBefore = await summary.getByRole("link").allTextContents();
    await addProject(page);
    const added = projectGroup(page, 1);
    const addedFields = () => added.locator("input, select").evaluateAll((fields) => fields.filter((f) => f.getAttribute("aria-invalid") === "true").map((f) => f.id));
    // Time for react-hook-form's check of the new list to land.
    await page.waitForTimeout(300);
    expect(await addedFields()).toEqual([]);
    expect((await summary.getByRole("link").allTextContents()).filter((line) => line.startsWith("Progetto 2"))).toEqual([]);
    // The project sent before still says what is wrong with it.
    expect(await projectGroup(page, 0).getByLabel("Ente attuatore", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(linesBefore.some((line) => line.startsWith("Progetto 1"))).toBe(true);
    // A field of the new project changed and emptied again says what it needs.
    const organization = added.getByLabel("Ente attuatore", { exact: true });
    await organization.fill("Cooperativa");
    await organization.fill("");
    await eventually(() => organization.getAttribute("aria-invalid")).toBe("true");
    // Sent again, the new project's empty fields are marked like every other.
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    await eventually(async () => (await addedFields()).length).toBeGreaterThanOrEqual(4);
    await page.close();
  });

  test("on a phone, the Comune's suggestions open in view, below the field", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/adesione");
    await waitForHydration(page);
    const comune = page.getByRole("combobox", { name: "Comune" });
    await comune.focus();
    await page.keyboard.type("san");
    const list = page.getByRole("listbox");
    await list.waitFor();
    // The whole list is on screen, and so is the field above it.
    const box = async (locator: typeof list) => (await locator.boundingBox())!;
    await eventually(async () => (await box(list)).y + (await box(list)).height).toBeLessThanOrEqual(740);
    expect((await box(comune)).y).toBeGreaterThanOrEqual(0);
    await page.close();
  });

  test("a Comune typed out in full and left with Tab is chosen; a name that matches none says so", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    const comune = page.getByRole("combobox", { name: "Comune" });
    await comune.fill("atlantide");
    await page.getByText("Nessun Comune corrisponde a «atlantide»: controlla come l'hai scritto.").waitFor();
    await page.getByRole("status").filter({ hasText: "Nessun Comune trovato" }).waitFor();
    // The line describes the field while shown, so it is read again when the person comes back to it.
    const description = await comune.evaluate((input) =>
      (input.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" | "),
    );
    expect(description).toContain("Nessun Comune corrisponde a «atlantide»");
    await comune.fill("cefalu");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    await eventually(() => comune.inputValue()).toBe("Cefalù (PA)");
    expect(await page.locator('input[type=hidden][name="municipalityCode"]').inputValue()).toBe("082027");
  });
});

describe("scheda referente with a screen reader", () => {
  const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id);
  const status = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });

  test("adding or removing a project is said politely, and the focus goes to the new project or to «Aggiungi progetto»", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);

    await addProject(page);
    await status(page, "Progetto 2 aggiunto").waitFor();
    expect(await activeId(page)).toBe("projects-1-category");

    await projectGroup(page, 1).getByRole("button", { name: /^Rimuovi progetto/ }).click();
    await status(page, "Progetto 2 rimosso").waitFor();
    expect(await activeId(page), "the focus is not lost with the removed button").toBe("add-project");

    // The same words twice are said twice: the status is emptied in between.
    await addProject(page);
    await addProject(page);
    await page.evaluate(() => {
      const region = document.getElementById("projects-status")!;
      const said: string[] = [];
      new MutationObserver(() => said.push(region.textContent ?? "")).observe(region, { childList: true, subtree: true, characterData: true });
      (window as unknown as { said: string[] }).said = said;
    });
    const removeFirst = () => projectGroup(page, 0).getByRole("button", { name: /^Rimuovi progetto/ }).click();
    await removeFirst();
    await eventually(() => projectGroups(page).count()).toBe(2);
    await removeFirst();
    await eventually(() => page.evaluate(() => (window as unknown as { said: string[] }).said)).toEqual([
      "",
      "Progetto 1 rimosso",
      "",
      "Progetto 1 rimosso",
    ]);
    expect(await activeId(page)).toBe("add-project");
  });

  test("without JavaScript the page that comes back says which project was added or removed, where the focus is", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto("/adesione");
    await addProject(page);
    await page.waitForLoadState();
    expect(await activeId(page)).toBe("projects-1-category");
    expect(await page.locator("#projects-status").textContent()).toBe("Progetto 2 aggiunto");

    await projectGroup(page, 0).getByRole("button", { name: /^Rimuovi progetto/ }).click();
    await eventually(() => projectGroups(page).count()).toBe(1);
    await page.waitForLoadState();
    expect(await activeId(page)).toBe("add-project");
    expect(await page.locator("#projects-status").textContent()).toBe("Progetto 1 rimosso");
    // The focused button is described by it, so a screen reader says it on arrival.
    expect(await page.getByRole("button", { name: "Aggiungi progetto" }).getAttribute("aria-describedby")).toBe("projects-status");
  });

  test("the Comune combobox says how many comuni match, once the typing pauses", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    const comune = page.getByRole("combobox", { name: "Comune" });
    const suggestions = page.getByRole("listbox", { name: "Comuni corrispondenti" }).getByRole("option");
    // Once hydrated the hint is the combobox's own (the select's before).
    expect(await page.locator("#municipalityCode-hint").textContent()).toMatch(/^Scrivi il nome del Comune/);

    await comune.fill("cefal");
    await status(page, "Comuni trovati").waitFor();
    const options = await suggestions.count();
    expect(options).toBeGreaterThan(1);
    await status(page, `${options} Comuni trovati`).waitFor();
    await comune.fill("cefalù");
    await status(page, "1 Comune trovato").waitFor();
    await comune.fill("atlantide");
    await status(page, "Nessun Comune trovato").waitFor();
    // More matches than the list shows: it says so.
    await comune.fill("a");
    await status(page, "Comuni trovati, nell'elenco i primi 50").waitFor();
    expect(await suggestions.count()).toBe(50);

    // Typed key by key, the count is said once the typing pauses, not at every key.
    await comune.fill("");
    const region = page.locator(".combobox-wrapper ~ [role=status]");
    await eventually(() => region.textContent()).toBe("");
    await region.evaluate((element) => {
      const seen: string[] = [];
      new MutationObserver(() => seen.push(element.textContent ?? "")).observe(element, { childList: true, subtree: true, characterData: true });
      (window as unknown as { seen: string[] }).seen = seen;
    });
    await comune.pressSequentially("palermo", { delay: 40 });
    const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await eventually(async () => (await seen()).length).toBeGreaterThan(0);
    expect(await seen()).toEqual(["1 Comune trovato"]);
  });
});

/**
 * The browser loses its cookies while the scheda is open (closed and restored, or cleared): the post
 * has no valid token. Nothing is stored, the scheda comes back as typed with the reason, and sending
 * it again works.
 */
async function expectExpiredFormKept(page: Page, data: RegistrationData) {
  await page.context().clearCookies();
  const answer = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/adesione");
  await page.getByRole("button", { name: "Invia la scheda" }).click();
  expect((await answer).status()).toBe(403);
  const alert = page.getByRole("alert").filter({ hasText: "la pagina era scaduta" });
  await alert.waitFor();
  expect(await alert.textContent()).toContain("I dati che hai scritto sono ancora qui sotto");
  expect(new URL(page.url()).pathname).toBe("/adesione");
  expect(await field(page, "PEC dell'ente").inputValue()).toBe(data.pec);
  expect(await field(page, "Email").inputValue()).toBe(data.email);
  expect(await field(page, "Telefono").inputValue()).toBe(data.phone);
  expect(await projectGroup(page, 0).getByLabel("Ente attuatore", { exact: true }).inputValue()).toBe(data.projects[0].managingOrganization);
  expect(await page.getByLabel(/^Ho letto l'informativa/).isChecked()).toBe(true);
  expect(await mailsTo(data.email), "nothing was stored or sent").toEqual([]);

  await submitRegistration(page);
  await expectConfirmationEmail(data);
}

test("with JavaScript, a scheda posted after the browser lost its cookies is kept and can be sent again", async () => {
  const page = await browser.newPage();
  const data = makeRegistration();
  await page.goto("/adesione");
  await waitForHydration(page);
  await fillRegistrationForm(page, data, { js: true });
  await expectExpiredFormKept(page, data);
});

test("without JavaScript, a scheda posted after the browser lost its cookies is kept and can be sent again", async () => {
  const page = await browser.newPage({ javaScriptEnabled: false });
  const data = makeRegistration();
  await page.goto("/adesione");
  await fillRegistrationForm(page, data, { js: false });
  await expectExpiredFormKept(page, data);
});

describe("scheda referente without JavaScript", () => {
  test("a person registers with the native select, adds a project by posting the form, and confirms", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    const data = makeRegistration();
    const first = data.projects[0];

    await page.goto("/adesione");
    expect(await page.getByRole("combobox", { name: "Comune" }).evaluate((el) => el.tagName)).toBe("SELECT");
    // The first project only; the second is added by the server.
    await fillRegistrationForm(page, { ...data, projects: [first] }, { js: false });

    const redraw = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/adesione");
    await addProject(page);
    expect((await redraw).status()).toBe(200);
    expect(await projectGroups(page).count()).toBe(2);
    // The page opens on the new project, not at its top.
    await page.waitForLoadState();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("projects-1-category");

    // Everything typed before is still there.
    const comune = field(page, "Comune");
    expect(await comune.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe(data.comune.name);
    expect(await field(page, "PEC dell'ente").inputValue()).toBe(data.pec);
    expect(await field(page, "Codice fiscale dell'ente").inputValue()).toBe(data.fiscalCode);
    expect(await field(page, "Nome").inputValue()).toBe(data.firstName);
    expect(await field(page, "Cognome").inputValue()).toBe(data.lastName);
    expect(await field(page, "Ruolo").evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe(data.role);
    expect(await field(page, "Email").inputValue()).toBe(data.email);
    expect(await field(page, "Telefono").inputValue()).toBe(data.phone);
    const kept = projectGroup(page, 0);
    expect(await kept.getByLabel("Tipologia", { exact: true }).inputValue()).toBe(first.category);
    expect(await kept.getByLabel("Posti finanziati", { exact: true }).inputValue()).toBe(first.fundedPlaces);
    expect(await kept.getByLabel("Ente attuatore", { exact: true }).inputValue()).toBe(first.managingOrganization);
    expect(await kept.getByLabel("Data di inizio", { exact: true }).inputValue()).toBe(first.startDate);
    expect(await kept.getByLabel("Data di fine", { exact: true }).inputValue()).toBe(first.endDate);
    expect(await page.getByLabel(/^Ho letto l'informativa/).isChecked()).toBe(true);
    expect(await projectGroup(page, 1).getByLabel("Ente attuatore", { exact: true }).inputValue()).toBe("");

    await fillProject(page, 1, { ...secondProject });
    await submitRegistration(page);
    await expect(page.locator("main").textContent()).resolves.toContain(data.email);

    const link = await expectConfirmationEmail(data);
    await confirmByLink(page, link, data);
  });

  test("the server answers 400 with the summary, the specific messages, and the input kept", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    const data = makeRegistration({ fiscalCode: invalidFiscalCode() });
    const badProject = { ...data.projects[0], startDate: "2025-06-30", endDate: "2024-01-15" };
    data.projects = [badProject];

    await page.goto("/adesione");
    await fillRegistrationForm(page, data, { js: false });
    const answer = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/adesione");
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    expect((await answer).status()).toBe(400);
    await page.waitForLoadState();

    // The address is the page's own: no `?index` left by the post.
    expect(new URL(page.url()).href).toBe(new URL("/adesione", page.url()).href);
    const summary = errorSummary(page);
    expect(await summary.getByRole("heading").textContent()).toBe("La scheda contiene 2 errori");
    // The page opens on its errors: in the title, and with the focus on the summary.
    expect(await page.title()).toBe("Errore: Scheda referente per l'adesione - Coordinamento SAI");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    const summaryText = (await summary.textContent()) ?? "";
    expect(summaryText).toContain("Codice fiscale non valido");
    // A project's message in the summary says which project it is.
    expect(summaryText).toContain("Progetto 1: la data di fine deve essere successiva alla data di inizio");
    const hrefs = await summary.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(hrefs.sort()).toEqual(["#fiscalCode", "#projects-0-endDate"]);

    // Messages beside the fields, tied to them.
    const fiscal = field(page, "Codice fiscale dell'ente");
    expect(await fiscal.getAttribute("aria-invalid")).toBe("true");
    expect(await fiscal.getAttribute("aria-describedby")).toContain("fiscalCode-error");
    expect(await page.locator("#fiscalCode-error").textContent()).toContain("Codice fiscale non valido");
    const end = projectGroup(page, 0).getByLabel("Data di fine", { exact: true });
    expect(await end.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#projects-0-endDate-error").textContent()).toContain(
      "La data di fine deve essere successiva alla data di inizio",
    );
    expect(await field(page, "PEC dell'ente").getAttribute("aria-invalid")).toBeNull();

    // What the person typed is still there.
    expect(await fiscal.inputValue()).toBe(data.fiscalCode);
    expect(await end.inputValue()).toBe(badProject.endDate);
    expect(await projectGroup(page, 0).getByLabel("Data di inizio", { exact: true }).inputValue()).toBe(badProject.startDate);
    expect(await field(page, "PEC dell'ente").inputValue()).toBe(data.pec);
    expect(await field(page, "Email").inputValue()).toBe(data.email);
    expect(await field(page, "Comune").evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe(data.comune.name);
    expect(await projectGroup(page, 0).getByLabel("Ente attuatore", { exact: true }).inputValue()).toBe(badProject.managingOrganization);
    expect(await page.getByLabel(/^Ho letto l'informativa/).isChecked()).toBe(true);
    expect(await mailsTo(data.email)).toEqual([]);

    // Correcting the two fields is enough.
    const fixed = { ...data, fiscalCode: makeRegistration().fiscalCode };
    await fiscal.fill(fixed.fiscalCode);
    await end.fill("2026-06-30");
    await setConsent(page, true);
    await submitRegistration(page);
    await expectConfirmationEmail(fixed);
  });
});
