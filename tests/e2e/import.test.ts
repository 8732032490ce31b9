// Import of the member list (issue 9) from a coordinator's point of view, with and without
// JavaScript: upload an .xlsx or a Windows-1252 CSV, read the preview, download the rows with
// errors, import, find the members in /admin/adesioni; axe-core on every page of the flow.
import crypto from "node:crypto";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { templateColumns } from "~/validation/member-import";
import { bodyFiscalCode } from "../support/import-files";
import {
  checkA11y,
  COORDINATOR_EMAIL,
  eventually,
  isHydrated,
  mailsTo,
  pickComune,
  uniqueEmail,
  useBrowser,
  validFiscalCode,
  waitForMail,
  type Comune,
} from "./support";

const browser = useBrowser();

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const COLUMNS = templateColumns(2);
const HEADERS = COLUMNS.map((c) => c.header);

const h1 = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();

async function open(page: Page, path: string, js: boolean) {
  const response = await page.goto(path, { waitUntil: js ? "networkidle" : "load" });
  if (js) await eventually(() => isHydrated(page)).toBe(true);
  return response;
}

async function signIn(page: Page, redirectTo: string, js: boolean) {
  await open(page, `/login?redirectTo=${encodeURIComponent(redirectTo)}`, js);
  await page.getByLabel("Email", { exact: true }).fill(COORDINATOR_EMAIL);
  await page.getByLabel("Password", { exact: true }).fill(inject("adminPassword"));
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await page.waitForURL((url) => url.pathname === redirectTo);
  if (js) await eventually(() => isHydrated(page)).toBe(true);
}

/** One h1, Italian as the page language, and no axe violations. */
async function expectAccessible(page: Page, what: string) {
  expect(await page.locator("h1").count(), `h1 elements on ${what}`).toBe(1);
  expect(await page.locator("html").getAttribute("lang"), `lang of ${what}`).toBe("it");
  expect(await checkA11y(page), `axe-core violations on ${what}`).toEqual([]);
}

/** A Sicilian comune that no other test on this server has registered yet. */
async function freeComune(page: Page, js: boolean): Promise<Comune> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const comune = pickComune();
    await open(page, `/admin/adesioni?q=${encodeURIComponent(comune.name)}`, js);
    // The list says it twice (its table and the live region of its count).
    if ((await page.getByText("Nessuna richiesta corrisponde ai filtri scelti.").count()) > 0) return comune;
  }
  throw new Error("no free comune found");
}

const suffix = () => `${Date.now().toString(36)}${crypto.randomBytes(3).toString("hex")}`;

type Values = Partial<Record<string, string | number | Date>>;

function sheetRow(values: Values): Values {
  return {
    bodyKind: "Comune",
    pec: `protocollo-${suffix()}@pec.example.it`,
    fiscalCode: validFiscalCode(),
    firstName: "Giovanna",
    lastName: "Lo Bue",
    role: "Responsabile progetto SAI",
    office: "Servizi sociali",
    phone: "091 7654321",
    "p1.category": "ordinari",
    "p1.fundedPlaces": 20,
    "p1.managingOrganization": "Cooperativa Sociale Esempio",
    "p1.startDate": 45292,
    "p1.endDate": "31/12/2026",
    ...values,
  };
}

async function xlsx(rows: Values[]) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Aderenti");
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(COLUMNS.map((c) => r[c.key] ?? null));
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A CSV as Excel saves it on an Italian PC: Windows-1252, semicolons. */
function csvLatin1(rows: Values[]) {
  const lines = [HEADERS, ...rows.map((r) => COLUMNS.map((c) => String(r[c.key] ?? "")))].map((cells) => cells.join(";"));
  return Buffer.from(`${lines.join("\r\n")}\r\n`, "latin1");
}

/** The request rows of the member list that name `text`. */
const listRow = (page: Page, text: string) => page.getByRole("row").filter({ hasText: text });

describe("import of the member list", () => {
  test("with JavaScript: upload an .xlsx, preview, error report, import with emails, members in the list", async () => {
    const page = await browser.newPage();
    await signIn(page, "/admin/importa", true);
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Importa l'elenco degli aderenti");
    await expectAccessible(page, "/admin/importa");
    expect(await page.getByRole("navigation", { name: "Area coordinatori" }).getByRole("link", { name: "Importa" }).getAttribute("aria-current")).toBe("page");

    // The templates download.
    for (const [path, type] of [
      ["/admin/importa/modello.xlsx", XLSX_TYPE],
      ["/admin/importa/modello.csv", "text/csv; charset=utf-8"],
    ]) {
      const response = await page.request.get(path);
      expect(response.status()).toBe(200);
      expect(response.headers()["content-type"]).toBe(type);
    }

    const comune = await freeComune(page, true);
    const unione = `Unione dei Comuni di Prova ${suffix()}`;
    const emails = { comune: uniqueEmail("import"), unione: uniqueEmail("import") };
    const file = await xlsx([
      // The comune's name in capitals and without apostrophes, as old lists have it.
      sheetRow({ municipality: comune.name.toUpperCase().replace(/'/g, ""), email: emails.comune }),
      sheetRow({ bodyKind: "Unione di Comuni", bodyName: unione, province: "PA", fiscalCode: bodyFiscalCode(`9${crypto.randomInt(1e9).toString().padStart(9, "0")}`), email: emails.unione }),
      sheetRow({ municipality: "Atlantide", email: uniqueEmail("import") }),
    ]);

    await open(page, "/admin/importa", true);
    await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({ name: "aderenti.xlsx", mimeType: XLSX_TYPE, buffer: file });
    await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
    await eventually(() => isHydrated(page)).toBe(true);
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Anteprima dell'importazione");
    await expect(page.locator("main").textContent()).resolves.toContain("Nulla è stato ancora scritto.");

    const table = page.getByRole("table", { name: /^Anteprima/ });
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBe(3);
    await expect(rows.nth(0).textContent()).resolves.toContain(`Comune di ${comune.name} (${comune.sigla})`);
    await expect(rows.nth(0).textContent()).resolves.toContain("Nuovo");
    await expect(rows.nth(1).textContent()).resolves.toContain(unione);
    await expect(rows.nth(2).textContent()).resolves.toContain("Errore");
    await expect(rows.nth(2).textContent()).resolves.toContain("Comune (codice ISTAT o nome) («Atlantide»): Comune non trovato");
    await expectAccessible(page, "the preview");

    // The rows with errors, to fix and upload again.
    const reportHref = await page.getByRole("link", { name: "Scarica le righe con errori (.xlsx)" }).getAttribute("href");
    const report = await page.request.get(reportHref!);
    expect(report.status()).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await report.body()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(sheet.columnCount).value).toBe("Motivo");
    expect(sheet.rowCount).toBe(2);
    expect(String(sheet.getRow(2).getCell(sheet.columnCount).value)).toMatch(/^Comune \(codice ISTAT o nome\): Comune non trovato/);

    // Without a status the form says so, in the browser.
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Scegli lo stato da dare alle adesioni importate");
    await expectAccessible(page, "the import form with an error");

    await page.locator('label[for="status"]').click();
    await eventually(() => page.getByLabel("Approvate", { exact: true }).isChecked()).toBe(true);
    await page.locator('label[for="sendEmails"]').click();
    await eventually(() => page.getByLabel("Invia le email ai referenti").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await eventually(() => h1(page)).toBe("Importazione completata");
    await expect(page.getByRole("status").textContent()).resolves.toContain("2 nuovi enti");
    await expectAccessible(page, "the summary");

    const welcome = await waitForMail(emails.comune, { subjectIncludes: "Adesione approvata" });
    expect(welcome.subject).toBe(`Adesione approvata: Comune di ${comune.name} nel Coordinamento SAI`);
    await waitForMail(emails.unione, { subjectIncludes: "Adesione approvata" });

    // The members are in the list, approved.
    await page.getByRole("link", { name: "Vai alle adesioni" }).click();
    await page.waitForURL("**/admin/adesioni");
    for (const name of [`Comune di ${comune.name}`, unione]) {
      await open(page, `/admin/adesioni?q=${encodeURIComponent(name)}`, true);
      const row = listRow(page, name);
      expect(await row.count()).toBe(1);
      await expect(row.textContent()).resolves.toContain("Approvata");
    }
  });

  test("with JavaScript: a file that only updates known enti imports without asking a status", async () => {
    const page = await browser.newPage();
    await signIn(page, "/admin/importa", true);
    const comune = await freeComune(page, true);
    const known = sheetRow({ municipality: comune.name, email: uniqueEmail("import-agg") });
    const importFile = async (rows: Values[], status?: string) => {
      await open(page, "/admin/importa", true);
      await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({ name: "aderenti.csv", mimeType: "text/csv", buffer: csvLatin1(rows) });
      await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
      await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
      await eventually(() => isHydrated(page)).toBe(true);
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Anteprima dell'importazione");
      if (status) await page.locator(`label[for="${status}"]`).click();
    };
    await importFile([known], "status");
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await eventually(() => h1(page)).toBe("Importazione completata");

    // The same ente with a new phone number: one update, no new adesione.
    await importFile([{ ...known, phone: "095 7654321" }]);
    await expect(page.getByRole("main").textContent()).resolves.toContain("Verrà scritta 1 riga: 0 nuovi enti e 1 aggiornamento.");
    expect(await page.getByRole("group", { name: "Stato da dare alle nuove adesioni" }).count()).toBe(0);
    expect(await page.getByLabel("Invia le email ai referenti").count()).toBe(0);
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await eventually(() => h1(page)).toBe("Importazione completata");
    await expect(page.getByRole("status").textContent()).resolves.toContain("0 nuovi enti, 1 aggiornamento");
    await expectAccessible(page, "the summary of an update");
  });

  test("with JavaScript: the same preview open in two tabs, imported in one; «Importa» in the other says that it wrote nothing", async () => {
    const first = await browser.newPage();
    await signIn(first, "/admin/importa", true);
    const comune = await freeComune(first, true);
    const file = csvLatin1([sheetRow({ municipality: comune.name, email: uniqueEmail("import-due-schede") })]);
    await open(first, "/admin/importa", true);
    await first.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({ name: "aderenti.csv", mimeType: "text/csv", buffer: file });
    await first.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await first.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
    await expect.poll(() => h1(first), { timeout: 10_000 }).toBe("Anteprima dell'importazione");
    // A second tab of the same browser on the same preview.
    const second = await first.context().newPage();
    await open(second, new URL(first.url()).pathname, true);
    await eventually(() => isHydrated(first)).toBe(true);
    for (const page of [first, second]) await page.locator('label[for="status"]').click();
    await second.getByRole("button", { name: "Importa", exact: true }).click();
    await eventually(() => h1(second)).toBe("Importazione completata");

    await first.getByRole("button", { name: "Importa", exact: true }).click();
    await eventually(() => h1(first)).toBe("Importazione completata");
    await eventually(() => first.getByRole("alert").count()).toBe(1);
    await expect(first.getByRole("alert").textContent()).resolves.toMatch(/^Questo file era già stato importato, da un'altra scheda .*questa volta non è stato scritto nulla/);
    await eventually(() => first.title()).toMatch(/^Errore: /);
    // The focus is on the reason, the button pressed being gone.
    expect(await first.evaluate(() => document.activeElement?.textContent ?? "")).toMatch(/^Questo file era già stato importato/);
    await expectAccessible(first, "the summary answering an import already done");
  });

  test("without JavaScript: a Windows-1252 CSV, pending status (refused without the emails); a second upload is all duplicates", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await signIn(page, "/admin/importa", false);

    // Sending the form without a file.
    await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await eventually(() => page.getByRole("alert").count()).toBe(1);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Scegli il file da importare (.xlsx o .csv)");
    expect(new URL(page.url()).search).toBe("");
    await expectAccessible(page, "/admin/importa with an error");

    const comune = await freeComune(page, false);
    const email = uniqueEmail("import-nojs");
    const file = csvLatin1([sheetRow({ municipality: `${comune.name}  `, email, firstName: "Nicolò", office: "Attività sociali", "p1.startDate": "01/01/2024", "p1.fundedPlaces": "15" })]);
    const upload = async () => {
      await open(page, "/admin/importa", false);
      await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({ name: "aderenti.csv", mimeType: "text/csv", buffer: file });
      await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
      await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
      await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Anteprima dell'importazione");
    };

    await upload();
    await expect(page.locator("main").textContent()).resolves.toContain("codifica Windows-1252, separatore «;»");
    const preview = await page.getByRole("table", { name: /^Anteprima/ }).textContent();
    expect(preview).toContain(`Comune di ${comune.name} (${comune.sigla})`);
    expect(preview).toContain("Nicolò Lo Bue");
    await expectAccessible(page, "the preview without JavaScript");
    await page.locator('label[for="status-pending"]').click();
    await eventually(() => page.getByLabel("In attesa della conferma dell'email", { exact: true }).isChecked()).toBe(true);
    // Awaiting the confirmation without sending the confirmation emails is refused by the server.
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await page.waitForLoadState("load");
    await eventually(() => page.getByRole("alert").count()).toBe(1);
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "Per importare in attesa della conferma bisogna inviare le email di conferma: spunta «Invia le email ai referenti» oppure scegli un altro stato.",
    );
    expect(await h1(page)).toBe("Anteprima dell'importazione");
    await expectAccessible(page, "the import form refused without JavaScript");

    // The page drawn by the server keeps the status chosen: only the emails' box is left to tick.
    expect(await page.getByLabel("In attesa della conferma dell'email", { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel("Invia le email ai referenti").isChecked()).toBe(false);
    await page.locator('label[for="sendEmails"]').click();
    await eventually(() => page.getByLabel("Invia le email ai referenti").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await page.waitForLoadState("load");
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Importazione completata");
    const queued = page.getByRole("table", { name: "Riepilogo dell'importazione" }).getByRole("row", { name: /^Email ai referenti messe in coda/ });
    await expect(queued.getByRole("cell").textContent()).resolves.toBe("1");
    await expectAccessible(page, "the summary without JavaScript");
    const confirmation = await waitForMail(email, { subjectIncludes: "Conferma l'indirizzo email" });
    expect(confirmation.subject).toBe(`Conferma l'indirizzo email - adesione del Comune di ${comune.name}`);

    await open(page, `/admin/adesioni?q=${encodeURIComponent(`Comune di ${comune.name}`)}`, false);
    await expect(listRow(page, `Comune di ${comune.name}`).textContent()).resolves.toContain("Email da confermare");

    // The same file again: nothing to import.
    await upload();
    await expect(page.locator("main").textContent()).resolves.toContain("Non c'è nulla da importare");
    await expect(page.getByRole("table", { name: /^Anteprima/ }).textContent()).resolves.toContain("Duplicato");
    expect(await page.getByRole("button", { name: "Importa", exact: true }).count()).toBe(0);
    // Only the confirmation of the first import: a duplicate sends nothing.
    expect((await mailsTo(email)).map((m) => m.subject)).toEqual([confirmation.subject]);
  });

  test("without JavaScript: imported «Approvate» without the emails, the welcome email is sent later from the adesione's page or the summary, once", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await signIn(page, "/admin/importa", false);
    const comune = await freeComune(page, false);
    let other = await freeComune(page, false);
    // Neither name within the other: the list's search for one finds it alone.
    while (other.name.includes(comune.name) || comune.name.includes(other.name)) other = await freeComune(page, false);
    const email = uniqueEmail("import-benvenuto");
    const otherEmail = uniqueEmail("import-benvenuto");
    await open(page, "/admin/importa", false);
    await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({
      name: "aderenti.csv",
      mimeType: "text/csv",
      buffer: csvLatin1([sheetRow({ municipality: comune.name, email }), sheetRow({ municipality: other.name, email: otherEmail })]),
    });
    await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
    await page.locator('label[for="status"]').click();
    expect(await page.getByLabel("Invia le email ai referenti").isChecked()).toBe(false);
    await page.getByRole("button", { name: "Importa", exact: true }).click();
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Importazione completata");
    const summaryPath = new URL(page.url()).pathname;
    expect(await page.getByRole("button", { name: "Invia ora l'email di benvenuto ai 2 referenti importati senza email" }).count()).toBe(1);

    await open(page, `/admin/adesioni?q=${encodeURIComponent(`Comune di ${comune.name}`)}`, false);
    await listRow(page, `Comune di ${comune.name}`).getByRole("link").first().click();
    await page.waitForURL(/\/admin\/adesioni\/\d+$/);
    const requestPath = new URL(page.url()).pathname;
    // Both offers, as a browser with JavaScript shows them, pass axe-core.
    const withJs = await browser.newPage();
    await signIn(withJs, summaryPath, true);
    await expectAccessible(withJs, "the summary offering the welcome emails");
    await open(withJs, requestPath, true);
    expect(await withJs.getByRole("button", { name: "Invia l'email di benvenuto" }).count()).toBe(1);
    await expectAccessible(withJs, "the adesione's page offering the welcome email");
    await withJs.close();
    const send = page.getByRole("button", { name: "Invia l'email di benvenuto" });
    expect(await send.count()).toBe(1);
    await send.click();
    await page.waitForURL(/esito=benvenuto-inviata$/);
    await expect(page.getByRole("status").first().textContent()).resolves.toBe("L'email di benvenuto è stata messa in coda: il referente la riceverà a breve.");
    expect(await send.count()).toBe(0);
    await expect(page.getByRole("table", { name: /^Registro/ }).textContent()).resolves.toContain("Ha inviato l'email di benvenuto al referente importato");
    const welcome = await waitForMail(email, { subjectIncludes: "Adesione approvata" });
    expect(welcome.subject).toBe(`Adesione approvata: Comune di ${comune.name} nel Coordinamento SAI`);

    // A page loaded before the sending (another tab): refused, nothing sent again.
    await open(page, requestPath, false);
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute("value");
    const again = await page.request.post(requestPath, { form: { csrf: csrf!, intent: "welcome" }, headers: { Origin: new URL(page.url()).origin } });
    expect(again.status()).toBe(409);
    expect((await again.text()).replaceAll("&#x27;", "'")).toContain(`L'email di benvenuto è già stata inviata a ${email} il `);
    expect((await mailsTo(email)).map((m) => m.subject)).toEqual([welcome.subject]);

    // The import's summary now offers it to the other referente alone.
    await open(page, summaryPath, false);
    await page.getByRole("button", { name: "Invia ora l'email di benvenuto al referente importato senza email" }).click();
    await page.waitForURL(/\?benvenuto=1$/);
    await expect(page.getByRole("status").first().textContent()).resolves.toBe("L'email di benvenuto è stata messa in coda: il referente la riceverà a breve.");
    expect(await page.getByRole("button", { name: /^Invia ora l'email di benvenuto/ }).count()).toBe(0);
    await waitForMail(otherEmail, { subjectIncludes: "Adesione approvata" });
    expect(await mailsTo(email)).toHaveLength(1);
  });

  test("on a phone (360 px) each preview row is a block: the errors of a row are on screen beside its number and ente", async () => {
    const page = await browser.newPage();
    await signIn(page, "/admin/importa", true);
    await page.setViewportSize({ width: 360, height: 740 });
    await open(page, "/admin/importa", true);
    await page.getByLabel("File da importare (.xlsx o .csv)").setInputFiles({
      name: "aderenti.xlsx",
      mimeType: XLSX_TYPE,
      buffer: await xlsx([sheetRow({ municipality: "Atlantide", email: uniqueEmail("import-telefono"), phone: "non lo so" })]),
    });
    await page.getByRole("button", { name: "Carica e mostra l'anteprima" }).click();
    await page.waitForURL(/\/admin\/importa\/[a-f0-9]{32}$/);
    await eventually(() => isHydrated(page)).toBe(true);
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Anteprima dell'importazione");

    const table = page.getByRole("table", { name: /^Anteprima/ });
    const box = page.getByRole("region", { name: /^Anteprima/ });
    expect(await box.evaluate((b) => b.scrollWidth <= b.clientWidth), "the preview fits 360 px").toBe(true);
    const row = table.getByRole("row").filter({ hasText: "Atlantide" });
    const error = row.getByText("Comune non trovato", { exact: false });
    await error.scrollIntoViewIfNeeded();
    const rect = (await error.boundingBox())!;
    expect(rect.x).toBeGreaterThanOrEqual(0);
    expect(rect.x + rect.width, "the error's text ends within the screen").toBeLessThanOrEqual(360);
    // The row's number and its ente are above it in the same block, labelled for the eyes.
    const line = (await row.getByRole("rowheader").boundingBox())!;
    expect(line.y).toBeLessThan(rect.y);
    expect(line.x + line.width).toBeLessThanOrEqual(360);
    await expect(row.getByRole("rowheader").innerText()).resolves.toMatch(/^Riga\s+2$/);
    await expect(row.getByRole("cell").nth(4).innerText()).resolves.toMatch(/^Dettagli\s/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await expectAccessible(page, "the preview on a phone");
  });
});
