// The materials of a Tavolo tecnico from a visitor's point of view: a material that cannot be
// downloaded answers with the portal's own 404 page, drawn like every other page, while an existing
// one still downloads; a referente who signs in from there lands on the material's Tavolo tecnico,
// told they are signed in and one click from the file (the same for the download of their own data,
// on the privacy page; already signed in, they are not told of a sign-in); from any page of the area
// they come back to it, and never to another site. A coordinator who corrects a material keeps its
// address, and one made reserved is no longer the public's.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  approveFromDetail,
  askForCode,
  countLoginEmails,
  createPublishedTavolo,
  downloadBytes,
  field,
  findRequestId,
  h1,
  jsEnabled,
  loginEmail,
  open,
  registerAndConfirm,
  reusedSignIn,
  useAdminBrowser,
  useSetupBrowser,
  PDF,
  uploadPdf,
  type Referente,
} from "./admin-support";
import { baseUrl, checkA11y, eventually, isHydrated } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
const asCoordinator = reusedSignIn();

type Materials = { roundTableId: number; publicId: number; membersId: number };
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
      roundTableId: id,
      publicId: await uploadPdf(page, id, { title: "Programma pubblico", visibility: "Pubblico" }),
      membersId: await uploadPdf(page, id, { title: "Slides riservate", visibility: "Solo enti aderenti" }),
    };
  }));

let referente: Promise<Referente> | undefined;
/** The referente of an approved ente, prepared once through the public form and the coordinators' area. */
const approvedReferente = () =>
  (referente ??= (async () => {
    const data = await setup((page) => registerAndConfirm(page));
    await setup(async (page) => {
      await asCoordinator(page);
      await approveFromDetail(page, await findRequestId(page, data));
    });
    return data;
  })());

/**
 * A page of its own client address: the sign-in codes asked for by every e2e file come from the same
 * machine, and the portal allows 20 an hour per address (the server trusts X-Forwarded-For from
 * loopback, as from its proxy).
 */
async function referentPage({ javaScriptEnabled = true } = {}) {
  const page = await browser.newPage({ javaScriptEnabled });
  await page.setExtraHTTPHeaders({ "X-Forwarded-For": "203.0.113.41" });
  return page;
}

/** Asks for a code on the sign-in page (already open, with its return address) and gives what the email brings. */
async function codeByEmail(page: Page, email: string) {
  if (jsEnabled(page)) await eventually(() => isHydrated(page)).toBe(true);
  const before = await countLoginEmails(email);
  await askForCode(page, email);
  return loginEmail(email, before);
}

/** Opens `path` signed out, which sends to the sign-in page (and back, `redirectTo`), and signs in there with the emailed code. */
async function signInWithCodeFrom(page: Page, path: string, email: string) {
  await page.goto(path);
  await page.waitForURL((url) => url.pathname === "/area-referente/accedi");
  expect(new URL(page.url()).searchParams.get("redirectTo")).toBe(path);
  const { code } = await codeByEmail(page, email);
  await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
}

const normalise = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();

/** The colours and font that Bootstrap Italia gives the header and the body: only there once its style sheet has loaded. */
const frameStyle = (page: Page) =>
  page.evaluate(() => {
    const header = document.querySelector(".it-header-center-wrapper");
    return {
      header: header ? getComputedStyle(header).backgroundColor : null,
      font: getComputedStyle(document.body).fontFamily,
    };
  });

/**
 * After signing in for a members-only material: not the download itself, which left the browser on
 * the sign-in form with nothing saying so, but the Tavolo's page, signed in, where the outcome takes
 * the focus and its link downloads the file.
 */
async function expectSignedInForMaterial(page: Page, { roundTableId, membersId }: { roundTableId: number; membersId: number }) {
  await page.waitForURL((url) => url.pathname === `/tavoli-tecnici/${roundTableId}`);
  const message = page.getByRole("status").filter({ hasText: "Accesso effettuato" });
  await eventually(async () => normalise(await message.textContent())).toMatch(
    /^Accesso effettuato\. Ora puoi scaricare «Slides riservate»: scarica «Slides riservate» \(PDF, [^)]+\)\.$/,
  );
  await eventually(() => page.evaluate(() => document.activeElement?.textContent?.startsWith("Accesso effettuato") ?? false)).toBe(true);
  // The Tavolo's list shows the reserved material too, now that the referente is signed in.
  await page.getByRole("main").getByRole("listitem").filter({ hasText: "Riservato agli enti aderenti" }).getByRole("link", { name: "Slides riservate", exact: true }).waitFor();
  expect(await checkA11y(page)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent("download"), message.getByRole("link").click()]);
  expect(download.url()).toBe(`${baseUrl()}/materiali/${membersId}`);
  expect(download.suggestedFilename()).toBe("Slides riservate.pdf");
  expect(Buffer.compare(await downloadBytes(download), PDF)).toBe(0);
}

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

  test("a coordinator corrects a material's title and makes it reserved: its address then answers the public with the reserved-material 404, and the Tavolo's public page lists it no more", async () => {
    const { roundTableId } = await materials();
    const page = await browser.newPage();
    await asCoordinator(page);
    const id = await uploadPdf(page, roundTableId, { title: "Presentazoine del progetto", visibility: "Pubblico" });
    const visitor = await browser.newPage();
    expect((await visitor.request.get(`/materiali/${id}`)).status()).toBe(200);

    await open(page, `/admin/tavoli/${roundTableId}`);
    await page.getByRole("link", { name: "Modifica Presentazoine del progetto", exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/admin/tavoli/${roundTableId}/materiali/${id}`);
    await eventually(() => isHydrated(page)).toBe(true);
    await eventually(() => page.title()).toMatch(/^Modifica materiale «Presentazoine del progetto» - .+ - Area coordinatori - Coordinamento SAI$/);
    expect(await h1(page)).toBe("Modifica materiale: Presentazoine del progetto");
    expect(await field(page, "Titolo").inputValue()).toBe("Presentazoine del progetto");
    expect(await field(page, "Visibilità").inputValue()).toBe("public");

    // The title emptied: the summary takes the focus and leads to the field.
    await field(page, "Titolo").fill("");
    await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
    const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Il modulo del materiale contiene un errore" }) });
    await summary.getByRole("link", { name: "Inserisci il titolo del materiale" }).waitFor();
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("aria-labelledby"))).toBe("error-summary-title");
    expect(await field(page, "Titolo").getAttribute("aria-invalid")).toBe("true");
    expect(await checkA11y(page)).toEqual([]);

    await field(page, "Titolo").fill("Presentazione del progetto");
    await field(page, "Visibilità").selectOption({ label: "Solo enti aderenti" });
    await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/admin/tavoli/${roundTableId}` && url.searchParams.get("esito") === "materiale-aggiornato");
    // The page opens on its materials: the message is there, in view, and takes the focus.
    const saved = page.locator("#materiali-sezione").getByRole("status").filter({ hasText: "Il materiale è stato aggiornato." });
    await saved.waitFor();
    await eventually(() => saved.evaluate((el) => el === document.activeElement)).toBe(true);
    await eventually(() => saved.evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true);
    const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Presentazione del progetto", exact: true }) });
    await expect(row.getByRole("cell").nth(2).textContent()).resolves.toBe("Solo enti aderenti");
    // The same material, the same address.
    expect(await row.getByRole("link", { name: "Presentazoine del progetto.pdf" }).getAttribute("href")).toBe(`/materiali/${id}`);

    // The address already emailed now answers the public as for any reserved material.
    const response = await visitor.goto(`/materiali/${id}`);
    expect(response?.status()).toBe(404);
    expect(await visitor.title()).toBe("Materiale non trovato - Coordinamento SAI");
    expect(await h1(visitor)).toBe("Materiale non trovato");
    await expect(visitor.locator("main").textContent()).resolves.toContain("è riservato ai referenti degli enti aderenti");
    await visitor.getByRole("main").getByRole("link", { name: "accedi all'area referente" }).waitFor();
    await visitor.getByRole("banner").getByText("Coordinamento SAI", { exact: true }).waitFor();

    // The Tavolo's public page no longer names it: it counts among the reserved ones.
    await visitor.goto(`/tavoli-tecnici/${roundTableId}`);
    const main = normalise(await visitor.getByRole("main").textContent());
    expect(main).not.toContain("Presentazione del progetto");
    expect(main).not.toContain("Presentazoine");
    expect(main).toMatch(/Altri \d+ materiali sono riservati ai referenti degli enti aderenti/);
    expect(await visitor.locator(`main a[href="/materiali/${id}"]`).count()).toBe(0);
  });

  test("a referente not signed in opens a members-only material: signed in through the email's link, they land on its Tavolo, told so, one click from the file", async () => {
    const { roundTableId, membersId } = await materials();
    const data = await approvedReferente();
    const page = await referentPage();

    expect((await page.goto(`/materiali/${membersId}`))?.status()).toBe(404);
    await page.getByRole("link", { name: "accedi all'area referente" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente/accedi");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe(`/materiali/${membersId}`);
    const { link } = await codeByEmail(page, data.email);
    // The email's link is the same as ever: where it leads is kept with the code, not in the link.
    expect(link).not.toContain("materiali");

    await open(page, link);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await expectSignedInForMaterial(page, { roundTableId, membersId });
  });

  test("without JavaScript, signing in with the code for a members-only material also lands on its Tavolo, on the message", async () => {
    const { roundTableId, membersId } = await materials();
    const data = await approvedReferente();
    const page = await referentPage({ javaScriptEnabled: false });
    expect((await page.goto(`/materiali/${membersId}`))?.status()).toBe(404);
    await page.getByRole("link", { name: "accedi all'area referente" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente/accedi");
    const { code } = await codeByEmail(page, data.email);
    await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await expectSignedInForMaterial(page, { roundTableId, membersId });
  });

  test("the download of one's own data asked for while signed out: after signing in with the code, the privacy page offers it, told so; asked again while signed in, the same offer, not told of a sign-in", async () => {
    // A referente whose request awaits approval: their data is theirs to download all the same.
    const data = await setup((page) => registerAndConfirm(page));
    const page = await referentPage();
    await signInWithCodeFrom(page, "/area-referente/privacy/dati.json", data.email);
    // Before: the file was saved and the sign-in form stayed on screen, as if the sign-in had failed.
    await page.waitForURL((url) => url.pathname === "/area-referente/privacy");
    expect(new URL(page.url()).search).toBe("?esito=accesso&scarica=dati");
    const message = page.getByRole("status").filter({ hasText: "Ora puoi scaricare i tuoi dati" });
    await eventually(async () => normalise(await message.textContent())).toBe("Accesso effettuato. Ora puoi scaricare i tuoi dati: scarica i tuoi dati (file JSON).");
    await eventually(() => page.evaluate(() => document.activeElement?.textContent?.startsWith("Accesso effettuato") ?? false)).toBe(true);
    expect(await checkA11y(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent("download"), message.getByRole("link", { name: "scarica i tuoi dati" }).click()]);
    expect(download.url()).toBe(`${baseUrl()}/area-referente/privacy/dati.json`);
    expect(download.suggestedFilename()).toMatch(/^i-miei-dati-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse((await downloadBytes(download)).toString("utf8")) as { referents: { email: string }[] };
    expect(file.referents.map((r) => r.email)).toEqual([data.email]);

    // The same sign-in links (an email, /invito) followed while signed in: no sign-in happened, none is claimed.
    await page.goto(`/area-referente/accedi?redirectTo=${encodeURIComponent("/area-referente/privacy/dati.json")}`);
    await page.waitForURL((url) => url.pathname === "/area-referente/privacy" && url.search === "?scarica=dati");
    await eventually(async () => normalise(await message.textContent())).toBe("Ora puoi scaricare i tuoi dati: scarica i tuoi dati (file JSON).");
    await eventually(() => page.evaluate(() => document.activeElement?.textContent?.startsWith("Ora puoi scaricare i tuoi dati") ?? false)).toBe(true);

    const { roundTableId, publicId } = await materials();
    await page.goto(`/area-referente/accedi?redirectTo=${encodeURIComponent(`/materiali/${publicId}`)}`);
    await page.waitForURL((url) => url.pathname === `/tavoli-tecnici/${roundTableId}` && url.search === `?materiale=${publicId}`);
    const offer = page.getByRole("status").filter({ hasText: "Ora puoi scaricare «Programma pubblico»" });
    await eventually(async () => normalise(await offer.textContent())).toMatch(/^Ora puoi scaricare «Programma pubblico»: scarica «Programma pubblico» \(PDF, [^)]+\)\.$/);
    await eventually(() => page.evaluate(() => document.activeElement?.textContent?.startsWith("Ora puoi scaricare «Programma pubblico»") ?? false)).toBe(true);
    expect(await offer.getByRole("link").getAttribute("href")).toBe(`/materiali/${publicId}`);
  });

  test("a page of the area asked for while signed out opens after signing in with the code", async () => {
    const data = await approvedReferente();
    const page = await referentPage();
    await signInWithCodeFrom(page, "/area-referente/tavoli", data.email);
    await page.waitForURL((url) => url.pathname === "/area-referente/tavoli");
    await eventually(() => h1(page)).toBe("I miei Tavoli");
  });

  test("a return address off the site (//evil.example) is ignored: the referente lands in the area", async () => {
    const data = await approvedReferente();
    const page = await referentPage();
    await page.goto(`/area-referente/accedi?redirectTo=${encodeURIComponent("//evil.example/accedi")}`);
    const { link } = await codeByEmail(page, data.email);
    await open(page, link);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente");
    expect(new URL(page.url()).origin).toBe(baseUrl());
    await eventually(() => h1(page)).toBe("Il mio ente");
  });
});
