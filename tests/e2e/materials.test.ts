// The materials of a Tavolo tecnico from a visitor's point of view: a material that cannot be
// downloaded answers with the portal's own 404 page, drawn like every other page, while an existing
// one still downloads.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { createPublishedTavolo, reusedSignIn, useAdminBrowser, useSetupBrowser } from "./admin-support";
import { checkA11y } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
const asCoordinator = reusedSignIn();

const PDF = Buffer.from("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

/** Uploads a PDF at /admin/tavoli/:id/materiali (signed in) and returns the material's id. */
async function uploadPdf(page: Page, roundTableId: number, { title, visibility }: { title: string; visibility: "Pubblico" | "Solo enti aderenti" }) {
  await page.goto(`/admin/tavoli/${roundTableId}/materiali`);
  const form = page.locator("form[aria-labelledby=carica]");
  await form.getByLabel("Titolo", { exact: true }).fill(title);
  await form.getByLabel("Visibilità", { exact: true }).selectOption({ label: visibility });
  await form.getByLabel("File", { exact: true }).setInputFiles({ name: `${title}.pdf`, mimeType: "application/pdf", buffer: PDF });
  await form.getByRole("button", { name: "Carica il file", exact: true }).click();
  await page.waitForURL(/esito=materiale-aggiunto/);
  // The delete link of the new material carries its id.
  const href = await page.getByRole("link", { name: `Elimina ${title}`, exact: true }).getAttribute("href");
  return Number(new URL(href!, page.url()).searchParams.get("elimina"));
}

type Materials = { publicId: number; membersId: number };
let prepared: Promise<Materials> | undefined;
/** A published Tavolo with a public and a members-only PDF, prepared once by the coordinator. */
const materials = () =>
  (prepared ??= setup(async (page) => {
    await asCoordinator(page);
    const id = await createPublishedTavolo(page, {
      title: `Tavolo con materiali ${Date.now().toString(36)}`,
      startsAt: "2033-04-12T15:00",
      endsAt: "2033-04-12T17:00",
    });
    return {
      publicId: await uploadPdf(page, id, { title: "Programma pubblico", visibility: "Pubblico" }),
      membersId: await uploadPdf(page, id, { title: "Slides riservate", visibility: "Solo enti aderenti" }),
    };
  }));

/** The colours and font that Bootstrap Italia gives the header and the body: only there once its style sheet has loaded. */
const frameStyle = (page: Page) =>
  page.evaluate(() => {
    const header = document.querySelector(".it-header-center-wrapper");
    return {
      header: header ? getComputedStyle(header).backgroundColor : null,
      font: getComputedStyle(document.body).fontFamily,
    };
  });

describe("materials of the Tavoli tecnici", () => {
  test("an unknown or reserved material answers 404 with the portal's own page, styled like any unknown address", async () => {
    const { membersId } = await materials();
    const page = await browser.newPage();

    // The page of any unknown address, for comparison.
    const other = await page.goto("/questa-pagina-non-esiste");
    expect(other?.status()).toBe(404);
    const portalStyle = await frameStyle(page);
    expect(portalStyle.header).not.toBe("rgba(0, 0, 0, 0)");

    for (const path of ["/materiali/999999999", `/materiali/${membersId}`]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      expect(await page.title()).toBe("Materiale non trovato - Coordinamento SAI");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Materiale non trovato");
      await expect(page.locator("main").textContent()).resolves.toContain("Il materiale non esiste, è stato rimosso oppure è riservato ai referenti");
      // The site's header, menu and footer, drawn by the same style sheets as every other page.
      await page.getByRole("banner").getByText("Coordinamento SAI", { exact: true }).waitFor();
      await page.getByRole("navigation", { name: "Menu principale" }).getByRole("link", { name: "Tavoli tecnici" }).waitFor();
      await page.getByRole("contentinfo").getByRole("link", { name: "Dichiarazione di accessibilità" }).waitFor();
      expect(await frameStyle(page)).toEqual(portalStyle);
      expect(await checkA11y(page)).toEqual([]);
    }
  });

  test("an existing material still downloads, by GET and by HEAD", async () => {
    const { publicId } = await materials();
    const page = await browser.newPage();
    const got = await page.request.get(`/materiali/${publicId}`);
    expect(got.status()).toBe(200);
    expect(got.headers()["content-type"]).toBe("application/pdf");
    expect(got.headers()["content-disposition"]).toMatch(/^attachment; filename="Programma pubblico\.pdf"/);
    expect(Buffer.compare(await got.body(), PDF)).toBe(0);
    const head = await page.request.head(`/materiali/${publicId}`);
    expect(head.status()).toBe(200);
    expect(head.headers()["content-type"]).toBe("application/pdf");
    expect(head.headers()["content-length"]).toBe(String(PDF.length));
    // Opened in the browser, it is a download (Chromium calls the navigation aborted).
    const [download] = await Promise.all([page.waitForEvent("download"), page.goto(`/materiali/${publicId}`).catch(() => null)]);
    expect(download.suggestedFilename()).toBe("Programma pubblico.pdf");
  });
});
