// The scheda referente keeps what was typed in the tab (sessionStorage): leaving it with the menu and
// coming Back, or reloading, gives the text back; a sent scheda and «Svuota il modulo» forget it.
// A project removed by mistake comes back with «Annulla».
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  checkA11y,
  eventually,
  fillProject,
  fillRegistrationForm,
  makeRegistration,
  projectGroup,
  projectGroups,
  setConsent,
  submitRegistration,
  useBrowser,
  waitForHydration,
  type ProjectData,
  type RegistrationData,
} from "./support";

const browser = useBrowser();

const RESTORED = "Abbiamo ripreso i dati che avevi inserito in questa scheda.";
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const consent = (page: Page) => page.getByLabel(/^Ho letto l'informativa/);
const restoredStatus = (page: Page) => page.getByRole("status").filter({ hasText: RESTORED });

const firstProject: ProjectData = {
  category: "ordinari",
  fundedPlaces: "25",
  projectCode: "PROG-1776-PR-3",
  managingOrganization: "Cooperativa Sociale Esempio",
  startDate: "2023-01-01",
  endDate: "2025-12-31",
};

const secondProject: ProjectData = {
  category: "MSNA",
  fundedPlaces: "12",
  projectCode: "PROG-2001-MSNA-1",
  managingOrganization: "Associazione Accoglienza Esempio",
  startDate: "2024-03-01",
  endDate: "2026-02-28",
};

async function projectValues(page: Page, index: number) {
  const group = projectGroup(page, index);
  const value = (label: string) => group.getByLabel(label, { exact: true }).inputValue();
  return {
    category: await value("Tipologia"),
    fundedPlaces: await value("Posti finanziati"),
    projectCode: await value("Codice progetto (facoltativo)"),
    managingOrganization: await value("Ente attuatore"),
    startDate: await value("Data di inizio"),
    endDate: await value("Data di fine"),
  };
}

/** The scheda shows `data` as typed (the comune chosen in the combobox), the consent to be ticked again. */
async function expectScheda(page: Page, data: RegistrationData) {
  await waitForHydration(page);
  await restoredStatus(page).waitFor();
  const combobox = page.getByRole("combobox", { name: "Comune" });
  await eventually(() => combobox.inputValue()).toBe(`${data.comune.name} (${data.comune.sigla})`);
  expect(await field(page, "PEC dell'ente").inputValue()).toBe(data.pec);
  expect(await field(page, "Codice fiscale dell'ente").inputValue()).toBe(data.fiscalCode);
  expect(await field(page, "Nome").inputValue()).toBe(data.firstName);
  expect(await field(page, "Cognome").inputValue()).toBe(data.lastName);
  expect(await field(page, "Email").inputValue()).toBe(data.email);
  expect(await field(page, "Cellulare (facoltativo)").inputValue()).toBe(data.mobile);
  expect(await projectGroups(page).count()).toBe(data.projects.length);
  for (const [index, project] of data.projects.entries()) expect(await projectValues(page, index)).toEqual(project);
  expect(await consent(page).isChecked(), "the consent is given again, not restored").toBe(false);
}

async function expectEmptyScheda(page: Page) {
  await waitForHydration(page);
  expect(await field(page, "PEC dell'ente").inputValue()).toBe("");
  expect(await field(page, "Nome").inputValue()).toBe("");
  expect(await page.getByRole("combobox", { name: "Comune" }).inputValue()).toBe("");
  expect(await projectGroups(page).count()).toBe(1);
  expect(await projectValues(page, 0)).toEqual({ category: "", fundedPlaces: "", projectCode: "", managingOrganization: "", startDate: "", endDate: "" });
  expect(await restoredStatus(page).count()).toBe(0);
}

async function fillTwoProjects(page: Page) {
  const data = makeRegistration();
  data.projects.push({ ...secondProject });
  await page.goto("/adesione");
  await fillRegistrationForm(page, data, { js: true });
  return data;
}

describe("the scheda kept in the tab", () => {
  test("leaving it with the menu and coming Back, then reloading, gives back what was typed, not the consent, the CSRF token nor the honeypot", async () => {
    const page = await browser.newPage();
    const data = await fillTwoProjects(page);

    await page.getByRole("navigation", { name: "Menu principale" }).getByRole("link", { name: "Tavoli tecnici" }).click();
    await page.waitForURL("**/tavoli-tecnici");
    await page.goBack();
    await page.waitForURL("**/adesione");
    await expectScheda(page, data);

    await page.reload();
    await expectScheda(page, data);
    expect(await checkA11y(page)).toEqual([]);

    const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: localStorage.length }));
    expect(stored.local, "nothing outlives the tab").toBe(0);
    expect(stored.session).toContain(data.pec);
    // The CSRF token and the honeypot's fields (in its aria-hidden trap): neither names nor values.
    const notTheScheda = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement>("form input")]
        .filter((input) => input.name === "csrf" || input.closest("[aria-hidden=true]"))
        .flatMap((input) => [input.name, input.value])
        .filter(Boolean),
    );
    expect(notTheScheda).toContain("csrf");
    expect(notTheScheda.length, "the honeypot's fields were found").toBeGreaterThan(3);
    for (const text of notTheScheda) expect(stored.session).not.toContain(text);

    // The scheda as given back can be sent once the consent is ticked again.
    await setConsent(page, true);
    await submitRegistration(page);
  });

  test("after the server refused the scheda, a reload still gives it back", async () => {
    const page = await browser.newPage();
    const data = await fillTwoProjects(page);
    await page.context().clearCookies();
    await page.getByRole("button", { name: "Invia la scheda" }).click();
    await page.getByRole("alert").filter({ hasText: "la pagina era scaduta" }).waitFor();

    await page.reload();
    await expectScheda(page, data);
  });

  test("an ente other than a Comune gets back its kind, name and province, and the projects' «nessun progetto attivo»", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    await field(page, "Tipo di ente").selectOption({ label: "Unione di Comuni" });
    await field(page, "Denominazione ente").fill("Unione dei Comuni delle Madonie");
    await field(page, "Provincia").selectOption({ label: "Palermo (PA)" });
    await page.locator("label[for=noActiveProjects]").click();
    await eventually(() => projectGroups(page).count()).toBe(0);

    await page.reload();
    await restoredStatus(page).waitFor();
    expect(await field(page, "Tipo di ente").inputValue()).toBe("unione_comuni");
    expect(await field(page, "Denominazione ente").inputValue()).toBe("Unione dei Comuni delle Madonie");
    expect(await page.locator("#provinceCode option:checked").textContent()).toBe("Palermo (PA)");
    expect(await page.getByLabel(/^L'ente non ha progetti SAI attivi/).isChecked()).toBe(true);
    expect(await projectGroups(page).count()).toBe(0);
  });

  test("a scheda sent is forgotten: the form opens empty afterwards", async () => {
    const page = await browser.newPage();
    const data = await fillTwoProjects(page);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).toContain(data.pec);
    await submitRegistration(page);

    await page.goBack();
    await page.waitForURL("**/adesione");
    await expectEmptyScheda(page);
    await page.goto("/adesione");
    await expectEmptyScheda(page);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(data.pec);
  });

  test("«Svuota il modulo» empties the scheda and forgets it", async () => {
    const page = await browser.newPage();
    await fillTwoProjects(page);
    await page.reload();
    await restoredStatus(page).waitFor();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Svuota il modulo" }).click();
    await page.waitForLoadState();
    await expectEmptyScheda(page);
    await page.reload();
    await expectEmptyScheda(page);
  });

  test("without JavaScript the page has no «Svuota il modulo» and no restore", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto("/adesione");
    expect(await page.getByRole("button", { name: "Svuota il modulo" }).count()).toBe(0);
    expect(await page.getByRole("status").filter({ hasText: RESTORED }).count()).toBe(0);
  });
});

describe("«Rimuovi progetto» can be undone", () => {
  test("a removed project comes back with its values at its place with «Annulla», the focus following", async () => {
    const page = await browser.newPage();
    await page.goto("/adesione");
    await waitForHydration(page);
    await fillProject(page, 0, firstProject);
    await page.getByRole("button", { name: "Aggiungi progetto" }).click();
    await eventually(() => projectGroups(page).count()).toBe(2);
    await fillProject(page, 1, secondProject);

    await projectGroup(page, 0).getByRole("button", { name: /^Rimuovi progetto/ }).click();
    await eventually(() => projectGroups(page).count()).toBe(1);
    expect(await projectValues(page, 0)).toEqual(secondProject);
    expect(await page.evaluate(() => document.activeElement?.id), "the focus is not lost with the removed button").toBe("add-project");
    const undo = page.getByRole("button", { name: /^Annulla/ });
    await undo.waitFor();
    expect(await page.getByText("Progetto 1 rimosso").filter({ has: undo }).isVisible()).toBe(true);
    expect(await checkA11y(page)).toEqual([]);

    await undo.click();
    await eventually(() => projectGroups(page).count()).toBe(2);
    expect(await projectValues(page, 0)).toEqual(firstProject);
    expect(await projectValues(page, 1)).toEqual(secondProject);
    await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("projects-0-category");
    await page.getByRole("status").filter({ hasText: "Progetto 1 ripristinato" }).waitFor();
    expect(await undo.count(), "nothing left to undo").toBe(0);
  });
});
