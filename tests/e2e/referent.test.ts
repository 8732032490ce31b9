// The referent area from a referente's point of view (issue 6): signing in with the code received
// at a real SMTP server, the link in the same email (whose last step is a POST), updating the phone
// number, and the coordinator seeing the change; axe-core on every page of the area.
import { describe, expect, test } from "vitest";
import {
  approveFromDetail,
  askForCode,
  countLoginEmails,
  fact,
  findRequestId,
  field,
  h1,
  loginEmail,
  open,
  registerAndConfirm,
  reusedSignIn,
  signInWithCode,
  useAdminBrowser,
  useSetupBrowser,
  type Referente,
} from "./admin-support";
import { checkA11y, eventually, waitForMail } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
// The coordinator signs in once (while preparing the ente); later pages reuse the session cookie.
const asCoordinator = reusedSignIn();

/** An approved ente with its referente, prepared through the public form and the coordinators' area. */
async function approvedReferente(): Promise<{ data: Referente; requestId: number }> {
  const data = await setup((page) => registerAndConfirm(page));
  const requestId = await setup(async (page) => {
    await asCoordinator(page);
    const id = await findRequestId(page, data);
    await approveFromDetail(page, id);
    return id;
  });
  return { data, requestId };
}

// Prepared by the first test that needs it (expect.poll, used by the helpers, only runs inside tests).
let prepared: Promise<{ data: Referente; requestId: number }> | undefined;
const approvedOnce = () => (prepared ??= approvedReferente());

describe("referent area", () => {
  test("the referente signs in with the emailed code, updates the phone number, and the coordinator sees it", async () => {
    const { data, requestId } = await approvedOnce();
    const page = await browser.newPage();

    await open(page, "/area-referente");
    expect(new URL(page.url()).pathname).toBe("/area-referente/accedi");
    await eventually(() => h1(page)).toBe("Accesso all'area referente");
    expect(await checkA11y(page)).toEqual([]);

    const before = await countLoginEmails(data.email);
    await askForCode(page, data.email);
    // The person goes on where the code is typed, on a page that says it is the next step.
    await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("autocomplete"))).toBe("one-time-code");
    expect(await h1(page)).toBe("Inserisci il codice di accesso");
    await eventually(() => page.title()).toBe("Inserisci il codice - Accesso all'area referente - Coordinamento SAI");
    expect(await checkA11y(page)).toEqual([]);
    const { code } = await loginEmail(data.email, before);

    // A wrong code first: the error is announced and the page stays accessible.
    await page.getByLabel("Codice di accesso", { exact: true }).fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Codice non valido, scaduto o bloccato" }).waitFor();
    expect(await checkA11y(page)).toEqual([]);

    await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente");
    await eventually(() => h1(page)).toBe("Il mio ente");
    await expect(page.locator("main").textContent()).resolves.toContain(data.bodyName);
    await expect(page.locator("main").textContent()).resolves.toContain("Adesione approvata");
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("link", { name: "Modifica i tuoi dati" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente/dati");
    await eventually(() => h1(page)).toBe("I tuoi dati");
    expect(await checkA11y(page)).toEqual([]);

    // An invalid number is refused with the error summary, accessibly.
    await field(page, "Telefono").fill("12");
    await page.getByRole("button", { name: "Salva i dati" }).click();
    await page.getByRole("alert").filter({ has: page.getByRole("heading", { name: /contiene/ }) }).waitFor();
    expect(await field(page, "Telefono").getAttribute("aria-invalid")).toBe("true");
    expect(await checkA11y(page)).toEqual([]);

    await field(page, "Telefono").fill("091 7654321");
    await eventually(() => field(page, "Telefono").getAttribute("aria-invalid")).toBeNull();
    await page.getByRole("button", { name: "Salva i dati" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente" && url.searchParams.get("esito") === "dati");
    await expect(page.getByRole("status").first().textContent()).resolves.toContain("I tuoi dati sono stati aggiornati.");
    await expect(page.getByTestId("referent-phone").textContent()).resolves.toBe("091 765 4321");

    // The coordinator sees the new number on the request and the change in the log.
    const admin = await browser.newPage();
    await asCoordinator(admin);
    await open(admin, `/admin/adesioni/${requestId}`);
    await eventually(() => fact(admin, "Telefono")).toBe("091 765 4321");
    await open(admin, `/admin/registro?q=${encodeURIComponent("+390917654321")}`);
    await expect(admin.locator("main").textContent()).resolves.toContain(`${data.firstName} ${data.lastName} (referente)`);
  });

  test("every page of the area passes axe-core, and Esci ends the session", async () => {
    const { data } = await approvedOnce();
    const page = await browser.newPage();
    await signInWithCode(page, data.email);
    await page.getByRole("link", { name: /^Modifica o chiudi/ }).first().click();
    await page.waitForURL((url) => /^\/area-referente\/progetti\/\d+$/.test(url.pathname));
    await eventually(() => h1(page)).toMatch(/^Modifica progetto Ordinari /);
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/tavoli");
    await eventually(() => h1(page)).toBe("I miei Tavoli");
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/progetti/nuovo");
    await eventually(() => h1(page)).toBe("Aggiungi progetto");
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/email");
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/subentro");
    await eventually(() => h1(page)).toBe("Proponi un successore");
    expect(await checkA11y(page)).toEqual([]);
    // The pages reached from emails, with a link that does not (or no longer) work.
    await open(page, "/subentro/collegamento-inesistente");
    await eventually(() => h1(page)).toBe("Collegamento non valido");
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/email/conferma/collegamento-inesistente");
    await eventually(() => h1(page)).toBe("Collegamento non valido o scaduto");
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente");

    // "Esci" ends the session.
    await page.getByRole("button", { name: "Esci", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente/accedi");
    await open(page, "/area-referente");
    expect(new URL(page.url()).pathname).toBe("/area-referente/accedi");
  });

  test("on a phone (360 px) each project's «Modifica o chiudi» is on screen without scrolling the table, and opens the project", async () => {
    const { data } = await approvedOnce();
    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await signInWithCode(page, data.email);
    const projects = page.getByRole("table", { name: "Progetti SAI attivi" });
    const action = /^Modifica o chiudi/;
    const links = projects.getByRole("link", { name: action });
    await links.first().waitFor();
    // The rows are still a table's rows for screen readers: the action is in its project's row.
    expect(await projects.getByRole("row").filter({ has: page.getByRole("link", { name: action }) }).count()).toBe(await links.count());
    // As the page loads, before anything is scrolled.
    for (const link of await links.all()) {
      const box = (await link.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
    }
    // Nothing was scrolled sideways to bring them there: neither the table's box nor the page.
    expect(await page.getByRole("region", { name: "Progetti SAI attivi" }).evaluate((box) => [box.scrollLeft, box.scrollWidth <= box.clientWidth])).toEqual([0, true]);
    expect(await page.evaluate(() => window.scrollX)).toBe(0);

    await links.first().click();
    await page.waitForURL((url) => /^\/area-referente\/progetti\/\d+$/.test(url.pathname));
    await eventually(() => h1(page)).toMatch(/^Modifica progetto Ordinari /);
  });

  test("a project past its end date is flagged to the referente and on the coordinators' overview until it is extended", async () => {
    const { data, requestId } = await approvedReferente();
    const page = await browser.newPage();
    await signInWithCode(page, data.email);
    await page.getByRole("link", { name: /^Modifica o chiudi/ }).first().click();
    await eventually(() => h1(page)).toMatch(/^Modifica progetto Ordinari /);
    await field(page, "Data di inizio").fill("2023-01-01");
    await field(page, "Data di fine").fill("2025-06-30");
    await page.getByRole("button", { name: "Salva il progetto" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente");
    await expect(page.getByTestId("past-end-notice").textContent()).resolves.toContain("Un progetto ha superato la data di fine");
    await expect(page.locator("main").textContent()).resolves.toContain("Data di fine passata");
    expect(await checkA11y(page)).toEqual([]);

    const admin = await browser.newPage();
    await asCoordinator(admin);
    await open(admin, "/admin");
    const overdue = admin.getByRole("region", { name: "Progetti da aggiornare" });
    await overdue.getByRole("link", { name: data.bodyName }).waitFor();
    expect(await overdue.getByRole("link", { name: data.bodyName }).getAttribute("href")).toBe(`/admin/adesioni/${requestId}#progetti`);
    expect(await checkA11y(admin)).toEqual([]);

    await page.getByRole("link", { name: /^Modifica o chiudi/ }).first().click();
    await eventually(() => h1(page)).toMatch(/^Modifica progetto Ordinari /);
    await field(page, "Data di fine").fill("2028-06-30");
    await page.getByRole("button", { name: "Salva il progetto" }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente" && url.search.includes("esito"));
    expect(await page.getByTestId("past-end-notice").count()).toBe(0);
    await open(admin, "/admin");
    // Gone from the list (the recent activity below names the ente too, now that the log names records).
    expect(await admin.getByRole("region", { name: "Progetti da aggiornare" }).getByRole("link", { name: data.bodyName }).count()).toBe(0);
  });

  test("without JavaScript: the code signs in, and the link in the email opens a page whose button signs in (opening it does not)", async () => {
    const { data } = await approvedOnce();
    const withCode = await browser.newPage({ javaScriptEnabled: false });
    await withCode.goto("/area-referente/accedi");
    const first = await countLoginEmails(data.email);
    await askForCode(withCode, data.email);
    expect(await withCode.evaluate(() => document.activeElement?.getAttribute("autocomplete"))).toBe("one-time-code");
    expect(new URL(withCode.url()).search).toBe("");
    const { code } = await loginEmail(data.email, first);
    await withCode.getByLabel("Codice di accesso", { exact: true }).fill(code);
    await withCode.getByRole("button", { name: "Accedi", exact: true }).click();
    await withCode.waitForURL((url) => url.pathname === "/area-referente");
    expect(await h1(withCode)).toBe("Il mio ente");

    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto("/area-referente/accedi");
    const before = await countLoginEmails(data.email);
    await askForCode(page, data.email);
    const { link } = await loginEmail(data.email, before);

    await page.goto(link);
    await eventually(() => h1(page)).toBe("Accesso all'area referente");
    expect(await checkA11y(page)).toEqual([]);
    const cookies = await page.context().cookies();
    expect(cookies.filter((c) => c.name.endsWith("sai_ref_session"))).toEqual([]);

    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente");
    await eventually(() => h1(page)).toBe("Il mio ente");
    expect(await checkA11y(page)).toEqual([]);

    // The link works once: opened again, it says so at once, with no button that would fail.
    const other = await browser.newPage({ javaScriptEnabled: false });
    expect((await other.goto(link))!.status()).toBe(410);
    await other.getByRole("heading", { level: 1, name: "Collegamento non valido o scaduto" }).waitFor();
    expect(await other.getByRole("button", { name: "Accedi", exact: true }).count()).toBe(0);
    expect(await checkA11y(other)).toEqual([]);
  });

  test("on a phone, the code step survives a reload, back and forward, with and without JavaScript; the code typed then signs in", async () => {
    // An ente of its own: the address may ask for 5 codes an hour, and the tests above share theirs.
    const { data } = await approvedReferente();
    for (const javaScriptEnabled of [true, false]) {
      const page = await browser.newPage({ javaScriptEnabled });
      await page.setViewportSize({ width: 360, height: 740 });
      await open(page, "/area-referente/accedi");
      const before = await countLoginEmails(data.email);
      await askForCode(page, data.email);
      const codeStep = page.url();
      expect(new URL(codeStep).pathname).toBe("/area-referente/accedi/codice");
      expect(codeStep).not.toContain(encodeURIComponent(data.email));
      const { code } = await loginEmail(data.email, before);
      const requestedFor = page.getByText(`Codice richiesto per ${data.email}.`);

      // Back from the mail app, the phone reloads the tab.
      await page.reload();
      await page.getByLabel("Codice di accesso", { exact: true }).waitFor();
      await requestedFor.waitFor();
      // Back to the address, and forward again.
      await page.goBack();
      // The address is there again, should the person want a new code.
      await eventually(() => field(page, "Email").inputValue()).toBe(data.email);
      await page.goForward();
      await page.getByLabel("Codice di accesso", { exact: true }).waitFor();
      await requestedFor.waitFor();
      expect(await countLoginEmails(data.email)).toBe(before + 1);

      await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
      await page.getByRole("button", { name: "Accedi", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/area-referente");
      await eventually(() => h1(page)).toBe("Il mio ente");
    }
  });

  test("«Invia un nuovo codice» at once sends nothing and says, in the status read out, that the code just sent still works; the focus goes back to the code field, with and without JavaScript", async () => {
    for (const javaScriptEnabled of [true, false]) {
      const page = await browser.newPage({ javaScriptEnabled });
      // A client address of its own (the portal allows 20 codes an hour per address), and an address
      // nobody registered: its code step is the very same (the registered ones here may ask 5 codes an hour).
      await page.setExtraHTTPHeaders({ "X-Forwarded-For": `203.0.113.${100 + Math.floor(Math.random() * 100)}` });
      await open(page, "/area-referente/accedi");
      await askForCode(page, `nuovo-codice-${Date.now().toString(36)}-${javaScriptEnabled ? "js" : "nojs"}@esempio.it`);
      const status = page.getByRole("status").first();
      // Marks the region: with JavaScript the new text must come in the same element, which a screen reader then reads out.
      await status.evaluate((element) => element.setAttribute("data-region", "code-step"));
      for (let resend = 0; resend < 2; resend++) {
        const before = await status.textContent();
        // The text names the second: a person does not ask twice within one.
        await page.waitForTimeout(1100);
        await page.getByRole("button", { name: "Invia un nuovo codice" }).click();
        await eventually(() => page.getByRole("status").first().textContent()).not.toBe(before);
        const now = page.getByRole("status").first();
        // Within a minute of the code sent, no other is sent (it would kill the one on its way).
        expect(await now.textContent()).toMatch(
          /^Nessun nuovo codice inviato alle \d\d:\d\d:\d\d: se l'indirizzo è registrato, il codice che ti abbiamo inviato alle \d\d:\d\d vale ancora, fino alle \d\d:\d\d, e uno nuovo lo annullerebbe\./,
        );
        if (javaScriptEnabled) expect(await now.getAttribute("data-region")).toBe("code-step");
        await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("code");
      }
      expect(await checkA11y(page)).toEqual([]);
    }
  });

  test("after a wrong code, «Invia un nuovo codice» leaves the code field empty, without the error, and focused", async () => {
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ "X-Forwarded-For": `203.0.113.${Math.floor(Math.random() * 100)}` });
    await open(page, "/area-referente/accedi");
    await askForCode(page, `codice-errato-${Date.now().toString(36)}@esempio.it`);
    const code = page.getByLabel("Codice di accesso", { exact: true });
    await code.fill("111111");
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    const summary = page.getByRole("alert").filter({ hasText: "Codice non valido, scaduto o bloccato" });
    await summary.waitFor();
    expect(await code.getAttribute("aria-invalid")).toBe("true");

    await page.getByRole("button", { name: "Invia un nuovo codice" }).click();
    await eventually(() => page.getByRole("status").first().textContent()).toMatch(/^Nessun nuovo codice inviato alle/);
    // Before: the summary, the field's error and the wrong code stayed under the new notice.
    await eventually(() => summary.count()).toBe(0);
    expect(await page.getByText("Codice non valido", { exact: false }).count()).toBe(0);
    expect(await code.inputValue()).toBe("");
    expect(await code.getAttribute("aria-invalid")).not.toBe("true");
    await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe("code");
    expect(await checkA11y(page)).toEqual([]);
  });

  test("on a slow connection «Invia il codice» stays disabled until the code step is shown: a second tap sends nothing, and the code emailed signs in", async () => {
    // An ente of its own: the address may ask for 5 codes an hour, and the tests above share theirs.
    const { data } = await approvedReferente();
    const page = await browser.newPage();
    await open(page, "/area-referente/accedi");
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(new URL(request.url()).pathname);
    });
    // The code step's data is held back, as on a slow phone network: the form has been answered
    // (the redirect) and the next page is loading.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    await page.route(
      (url) => url.pathname === "/area-referente/accedi/codice",
      async (route) => {
        held++;
        await released;
        await route.continue();
      },
    );
    const before = await countLoginEmails(data.email);
    await field(page, "Email").fill(data.email);
    const send = page.getByRole("button", { name: "Invia il codice" });
    await send.click();
    await eventually(() => held).toBeGreaterThan(0);
    // Before: enabled again as soon as the form was answered, while the code step was still loading.
    expect(await send.isDisabled()).toBe(true);
    // The second tap, and Enter in the field, send nothing.
    await send.click({ force: true });
    await field(page, "Email").press("Enter");
    release();
    await page.getByLabel("Codice di accesso", { exact: true }).waitFor();
    expect(posts).toEqual(["/area-referente/accedi"]);

    const { code } = await loginEmail(data.email, before);
    await page.getByLabel("Codice di accesso", { exact: true }).fill(code);
    await page.getByRole("button", { name: "Accedi", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/area-referente");
    expect(await countLoginEmails(data.email)).toBe(before + 1);
  });

  test("a former referente signs in to the privacy page only, asks for the erasure and withdraws it", async () => {
    const { data, requestId } = await approvedReferente();
    await setup(async (admin) => {
      await asCoordinator(admin);
      await open(admin, `/admin/adesioni/${requestId}`);
      await field(admin, "Motivo della revoca").fill("L'ente lascia il Coordinamento");
      await admin.getByRole("button", { name: "Revoca adesione" }).click();
      await eventually(() => fact(admin, "Stato")).toBe("Revocata");
    });

    const page = await browser.newPage();
    await signInWithCode(page, data.email, { landsOn: "/area-referente/privacy" });
    await eventually(() => h1(page)).toBe("Privacy e dati personali");
    await expect(page.getByTestId("former-referent-notice").textContent()).resolves.toMatch(
      /^Il tuo incarico di referente per .+ è terminato il \d{1,2} \w+ \d{4}: da qui puoi scaricare i tuoi dati o chiederne la cancellazione\.$/,
    );
    const tabs = page.getByRole("navigation", { name: "Area referente" }).getByRole("link");
    await expect(tabs.allTextContents()).resolves.toEqual(["Privacy e dati personali"]);
    expect(await checkA11y(page)).toEqual([]);
    await open(page, "/area-referente/tavoli");
    expect(new URL(page.url()).pathname).toBe("/area-referente/privacy");

    // Like the consent of the scheda: the label, styled as the box, takes the click.
    await page.locator("label[for=confirmErasure]").click();
    await eventually(() => page.getByLabel(/^Ho letto che cosa comporta la cancellazione/).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Chiedi la cancellazione" }).click();
    await expect(page.getByRole("status").first().textContent()).resolves.toContain("Ti abbiamo inviato una conferma per email");
    await waitForMail(data.email, { subjectIncludes: "Abbiamo ricevuto la tua richiesta di cancellazione" });
    expect(await checkA11y(page)).toEqual([]);

    await page.getByRole("button", { name: "Ritira la richiesta di cancellazione" }).click();
    await eventually(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toContain("Hai ritirato la richiesta di cancellazione");
    await page.getByRole("button", { name: "Chiedi la cancellazione" }).waitFor();
    expect(await checkA11y(page)).toEqual([]);
  });

  test("an admin carries out the erasure: the person is told at the address they asked from, which the mail log then forgets", async () => {
    const { data } = await approvedReferente();
    const page = await browser.newPage();
    await signInWithCode(page, data.email);
    await open(page, "/area-referente/privacy");
    await page.locator("label[for=confirmErasure]").click();
    await eventually(() => page.getByLabel(/^Ho letto che cosa comporta la cancellazione/).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Chiedi la cancellazione" }).click();
    await waitForMail(data.email, { subjectIncludes: "Abbiamo ricevuto la tua richiesta di cancellazione" });

    const name = `${data.firstName} ${data.lastName}`;
    await setup(async (admin) => {
      await asCoordinator(admin);
      await open(admin, "/admin/cancellazioni");
      // The label, styled as the box, takes the click.
      await admin.getByText(`Confermo la cancellazione definitiva dei dati di ${name}`).click();
      await eventually(() => admin.getByLabel(`Confermo la cancellazione definitiva dei dati di ${name}`).isChecked()).toBe(true);
      await admin.getByRole("button", { name: `Esegui la cancellazione dei dati di ${name}` }).click();
      await eventually(() => admin.getByRole("status").first().textContent()).toContain("Cancellazione eseguita");
    });

    const notice = await waitForMail(data.email, { subjectIncludes: "I tuoi dati sono stati cancellati" });
    expect(notice.text.replace(/\s+/g, " ")).toContain("i coordinatori di ANCI Sicilia hanno eseguito la tua richiesta di cancellazione");
    expect(notice.text).not.toContain(data.lastName);
    // Delivered, the mail log keeps no message to that address (it is cancellato-N@invalid now).
    await setup(async (admin) => {
      await asCoordinator(admin);
      await eventually(async () => {
        await open(admin, `/admin/posta?destinatario=${encodeURIComponent(data.email)}`);
        return admin.locator("main td").getByText("Nessun messaggio corrisponde ai filtri.").count();
      }).toBe(1);
    });
  });

  test("a referente of two enti passes from one to the other, with and without JavaScript", async () => {
    const { data: first } = await approvedReferente();
    // The same address registers a second ente, which still awaits approval.
    const second = await setup((page) => registerAndConfirm(page, { email: first.email }));
    for (const javaScriptEnabled of [true, false]) {
      const page = await browser.newPage({ javaScriptEnabled });
      await signInWithCode(page, first.email);
      await eventually(() => h1(page)).toBe("Il mio ente");
      const others = page.getByRole("region", { name: "Altri enti" });
      await expect(others.textContent()).resolves.toContain(`${second.bodyName} (richiesta in attesa di approvazione)`);
      expect(await checkA11y(page)).toEqual([]);

      await others.getByRole("button", { name: `Passa a ${second.bodyName}` }).click();
      await page.waitForURL((url) => url.pathname === "/area-referente" && url.searchParams.get("esito") === "ente-cambiato");
      await eventually(() => page.getByRole("heading", { level: 2, name: second.bodyName }).count()).toBe(1);
      await expect(page.getByRole("status").first().textContent()).resolves.toContain("Ora operi per questo ente");
      await expect(page.getByRole("region", { name: "Altri enti" }).textContent()).resolves.toContain(`${first.bodyName} (referente in carica)`);
      expect(await checkA11y(page)).toEqual([]);

      // And back.
      await page.getByRole("button", { name: `Passa a ${first.bodyName}` }).click();
      await eventually(() => page.getByRole("heading", { level: 2, name: first.bodyName }).count()).toBe(1);
    }
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`a save sent after the coordinators closed the project shows what was typed, unsaved, and whom to write to (${javaScriptEnabled ? "with" : "without"} JavaScript)`, async () => {
      const { data, requestId } = await approvedReferente();
      const page = await browser.newPage({ javaScriptEnabled });
      await page.setExtraHTTPHeaders({ "X-Forwarded-For": `203.0.113.${javaScriptEnabled ? 61 : 62}` });
      await signInWithCode(page, data.email);
      await page.getByRole("link", { name: /^Modifica o chiudi/ }).first().click();
      await page.waitForURL((url) => /^\/area-referente\/progetti\/\d+$/.test(url.pathname));
      await eventually(() => h1(page)).toMatch(/^Modifica progetto /);
      const projectId = Number(new URL(page.url()).pathname.split("/").pop());
      await field(page, "Ente attuatore").fill("Cooperativa Scritta Prima della Chiusura");

      // Meanwhile a coordinator closes the project from the request's page.
      await setup(async (admin) => {
        await asCoordinator(admin);
        await open(admin, `/admin/adesioni/${requestId}/progetti/${projectId}`);
        await admin.getByRole("button", { name: "Chiudi il progetto", exact: true }).click();
        await admin.waitForURL((url) => url.searchParams.get("esito") === "progetto-chiuso");
      });

      await page.getByRole("button", { name: "Salva il progetto", exact: true }).click();
      const alert = page.getByRole("alert").filter({ hasText: "Nel frattempo il progetto è stato chiuso dai coordinatori di ANCI Sicilia" });
      await alert.waitFor();
      expect(await alert.textContent()).toContain("le modifiche che hai scritto non sono state salvate");
      const table = page.getByRole("region", { name: "Le modifiche che avevi scritto (non salvate)" });
      await expect(table.textContent()).resolves.toContain("Cooperativa Scritta Prima della Chiusura (modificato)");
      await expect(page.locator("main").textContent()).resolves.toContain("Se il progetto deve restare aperto, scrivi ai coordinatori di ANCI Sicilia");
      await eventually(() => page.title()).toMatch(/^Errore: Progetto /);
      expect(await checkA11y(page)).toEqual([]);
    });
  }
});
