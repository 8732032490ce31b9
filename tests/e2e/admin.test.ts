// The coordinators' area from a coordinator's point of view: signing in, finding a request the
// referente has confirmed, approving it (with the mouse and with the keyboard only) or rejecting it
// with a reason, the emails the referente then receives over SMTP, the delivery log, the exports,
// and signing out.
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import {
  approveFromDetail,
  bodyName,
  COORDINATOR_EMAIL,
  downloadBytes,
  fact,
  field,
  findRequestId,
  focusIndicator,
  h1,
  open,
  parseCsv,
  register,
  registerAndConfirm,
  requestRow,
  signIn,
  tabTo,
  useAdminBrowser,
  useSetupBrowser,
  type Focused,
  type Referente,
} from "./admin-support";
import { eventually, mailsTo, uniqueEmail, waitForMail } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();

const APPROVED_MESSAGE = "La richiesta è stata approvata. Il referente riceverà un'email di conferma.";
const REJECTED_MESSAGE = "La richiesta è stata respinta. Il referente riceverà un'email con il motivo.";
const REASON_MISSING = "Indica il motivo del rifiuto: sarà riportato nell'email al referente";
const REASON_TOO_SHORT = "Il motivo deve contenere almeno 10 caratteri";

const statusMessage = (page: Page) => page.locator("main [role=status]").first().textContent();
const normalise = (s: string) => s.replace(/\s+/g, " ").trim();

/** The rows of /admin/posta for one recipient, read after a fresh load (the worker sends in the background). */
async function outboxRows(page: Page, to: string) {
  await page.goto(`/admin/posta?destinatario=${encodeURIComponent(to)}`);
  // Cells are read by their column heading, so a column added to the log does not shift them.
  return page.locator("table").first().evaluate((table) => {
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.replace(/\s+/g, " ").trim() ?? "");
    return [...table.querySelectorAll("tbody tr")].map((tr) => {
      const cells = [...tr.querySelectorAll("th, td")].map((c) => c.textContent?.replace(/\s+/g, " ").trim() ?? "");
      const cell = (heading: string) => cells[headings.indexOf(heading)];
      return { recipient: cell("Destinatario"), subject: cell("Oggetto"), status: cell("Stato") };
    });
  });
}

/** Waits until the delivery log shows the email to `to` whose subject starts with `prefix` as sent. */
async function expectSentInOutbox(page: Page, to: string, prefix: string) {
  await eventually(
    async () => (await outboxRows(page, to)).filter((r) => r.recipient === to && r.subject?.startsWith(prefix)).map((r) => r.status),
    `/admin/posta lists "${prefix}…" to ${to} as sent`,
  ).toEqual(["Inviata"]);
}

/** After an approval: the message, the status and the emails the referente receives. */
async function expectApproved(page: Page, data: Referente) {
  await eventually(() => statusMessage(page)).toBe(APPROVED_MESSAGE);
  expect(await fact(page, "Stato")).toBe("Approvata");
  expect(await fact(page, "Decisione")).toMatch(/^Approvata il .+ da /);
  expect(await page.locator("main p.lead .badge").textContent()).toBe("Approvata");
  expect(await page.getByRole("button", { name: "Approva", exact: true }).count(), "no second approval").toBe(0);

  const mail = await waitForMail(data.email, { subjectIncludes: "Adesione approvata" });
  expect(mail.subject.startsWith("Adesione approvata")).toBe(true);
  expect(mail.subject).toContain(bodyName(data));
  expect(mail.to).toEqual([data.email]);
  expect(mail.text).toContain(data.firstName);
  return mail;
}

describe("approving a request", () => {
  test("sign in, find the pending request, approve it, the referente receives the approval email", async () => {
    const page = await browser.newPage();
    const data = await registerAndConfirm(page, { asComune: true });

    await signIn(page);
    await eventually(() => h1(page)).toBe("Panoramica");
    await page.getByRole("navigation", { name: "Area coordinatori" }).getByRole("link", { name: "Adesioni", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/admin/adesioni");
    await eventually(() => h1(page)).toBe("Adesioni");

    await field(page, "Stato").selectOption({ label: "In attesa di approvazione" });
    await field(page, "Cerca").fill(data.comune.name);
    await page.getByRole("button", { name: "Filtra", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("stato") === "pending" && url.searchParams.get("q") === data.comune.name);
    // The form shows the filters in use.
    await eventually(() => field(page, "Cerca").inputValue()).toBe(data.comune.name);
    expect(await field(page, "Stato").inputValue()).toBe("pending");

    const row = requestRow(page, data);
    await eventually(() => row.count()).toBe(1);
    const statuses = await page.locator("tbody tr td:nth-child(8)").evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent));
    expect(new Set(statuses), "only pending requests are listed").toEqual(new Set(["In attesa di approvazione"]));
    expect(normalise((await row.textContent()) ?? "")).toContain(`${data.firstName} ${data.lastName}`);

    await row.getByRole("link", { name: bodyName(data), exact: true }).click();
    await page.waitForURL(/\/admin\/adesioni\/\d+$/);
    await eventually(() => h1(page)).toBe(bodyName(data));
    expect(await fact(page, "Stato")).toBe("In attesa di approvazione");
    expect(await fact(page, "Email")).toBe(data.email);
    expect(await mailsTo(data.email).then((m) => m.filter((x) => x.subject.startsWith("Adesione approvata")))).toEqual([]);

    await page.getByRole("button", { name: "Approva", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("esito") === "approvata");
    await expectApproved(page, data);

    await expectSentInOutbox(page, data.email, "Adesione approvata");
  });

  test("the same approval with the keyboard only", async () => {
    const data = await setup((p) => registerAndConfirm(p));
    const page = await browser.newPage();
    let mouseClicks = 0;
    await page.exposeFunction("__countClick", () => mouseClicks++);
    await page.addInitScript(() => {
      // A click made with a pointer (Enter and Space give a click whose detail is 0).
      document.addEventListener(
        "click",
        (e) => {
          if (e.detail > 0) (window as unknown as { __countClick: () => void }).__countClick();
        },
        true,
      );
    });
    const expectFocusVisible = async (what: string) => {
      const indicator = await focusIndicator(page);
      expect(indicator.visible, `visible focus on ${what}: ${JSON.stringify(indicator)}`).toBe(true);
    };

    await open(page, "/login");
    await tabTo(page, (el) => el.label === "Email");
    await expectFocusVisible("the Email field");
    await page.keyboard.type(COORDINATOR_EMAIL);
    await tabTo(page, (el) => el.label === "Password", { max: 3 });
    await page.keyboard.type(inject("adminPassword"));
    await tabTo(page, (el) => el.tag === "button" && el.text === "Accedi", { max: 3 });
    await expectFocusVisible("Accedi");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/admin");
    await eventually(() => h1(page)).toBe("Panoramica");

    await open(page, `/admin/adesioni?stato=pending&q=${encodeURIComponent(data.email)}`);
    const isRequestLink = (el: Focused) => el.tag === "a" && el.text === bodyName(data) && /^\/admin\/adesioni\/\d+$/.test(el.href ?? "");
    const link = await tabTo(page, isRequestLink);
    await expectFocusVisible("the link of the request");
    // Shift+Tab goes back (to the row's checkbox), Tab returns to the link.
    const previous = await tabTo(page, () => true, { shift: true, max: 1 });
    expect(previous).toMatchObject({ tag: "input", label: `Seleziona ${bodyName(data)}` });
    await expectFocusVisible("the row's checkbox");
    await tabTo(page, isRequestLink, { max: 1 });
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === link.href);
    await eventually(() => h1(page)).toBe(bodyName(data));
    expect(await fact(page, "Stato")).toBe("In attesa di approvazione");

    const isApprove = (el: Focused) => el.tag === "button" && el.text === "Approva";
    await tabTo(page, isApprove);
    await expectFocusVisible("Approva");
    // One step further is the reason of the rejection; Shift+Tab comes back to Approva.
    expect(await tabTo(page, () => true, { max: 1 })).toMatchObject({ tag: "textarea", label: "Motivo del rifiuto" });
    await expectFocusVisible("the reason field");
    await tabTo(page, isApprove, { shift: true, max: 1 });
    await page.keyboard.press("Space");
    await page.waitForURL((url) => url.searchParams.get("esito") === "approvata");
    await expectApproved(page, data);
    expect(mouseClicks, "clicks made with a pointer").toBe(0);
  });
});

describe("rejecting a request", () => {
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: the reason is required, and the referente receives it by email`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}`);
      const reason = field(page, "Motivo del rifiuto");
      const reject = page.getByRole("button", { name: "Respingi", exact: true });
      const summary = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Il modulo di rifiuto contiene un errore" }) });
      const posts: number[] = [];
      page.on("response", (r) => {
        if (r.request().method() === "POST") posts.push(r.status());
      });

      // No reason.
      await reject.click();
      await summary.waitFor();
      await eventually(() => reason.getAttribute("aria-invalid")).toBe("true");
      expect((await reason.getAttribute("aria-describedby"))?.split(" ")).toContain("reason-error");
      expect(normalise((await page.locator("#reason-error").textContent()) ?? "")).toBe(`Errore: ${REASON_MISSING}`);
      expect(await summary.getByRole("link", { name: REASON_MISSING }).getAttribute("href")).toBe("#reason");
      if (js) expect(posts, "the browser does not send a form with errors").toEqual([]);
      else expect(posts).toEqual([400]);

      // Too short.
      await reason.fill("Troppo");
      if (!js) await reject.click();
      await eventually(() => page.locator("#reason-error").textContent()).toContain(REASON_TOO_SHORT);
      expect(await reason.getAttribute("aria-invalid")).toBe("true");
      // What the coordinator typed is still there (soft: the rest of the flow is checked even if not).
      expect.soft(await reason.inputValue(), "the reason typed is kept in the form").toBe("Troppo");
      await open(page, `/admin/adesioni/${id}`);
      expect(await fact(page, "Stato"), "nothing was decided").toBe("In attesa di approvazione");

      // A real reason, on two lines.
      const text = `Il codice fiscale ${data.fiscalCode} non corrisponde all'ente indicato.\nInviate una nuova scheda con i dati corretti.`;
      await reason.fill(text);
      await reject.click();
      await page.waitForURL((url) => url.searchParams.get("esito") === "respinta");
      await eventually(() => statusMessage(page)).toBe(REJECTED_MESSAGE);
      expect(await fact(page, "Stato")).toBe("Respinta");
      expect(await fact(page, "Motivo")).toBe(text);
      expect(await page.getByRole("button", { name: "Respingi", exact: true }).count()).toBe(0);

      const mail = await waitForMail(data.email, { subjectIncludes: "non approvata" });
      expect(mail.subject).toBe(`Scheda referente non approvata: ${bodyName(data)}`);
      expect(mail.to).toEqual([data.email]);
      expect(normalise(mail.text)).toContain(normalise(text));
      expect(mail.html).toContain(`Il codice fiscale ${data.fiscalCode} non corrisponde`);
      expect((await mailsTo(data.email)).filter((m) => m.subject.startsWith("Adesione approvata"))).toEqual([]);
      await expectSentInOutbox(page, data.email, "Scheda referente non approvata");
    });
  }
});

describe("a request decided meanwhile in another tab", () => {
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: rejecting it is refused, said at once and by the page's title`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}`);
      const title = await page.title();
      expect(title).not.toMatch(/^Errore: /);

      const other = await browser.newPage();
      await signIn(other);
      await open(other, `/admin/adesioni/${id}`);
      await other.getByRole("button", { name: "Approva", exact: true }).click();
      await other.waitForURL((url) => url.searchParams.get("esito") === "approvata");

      await field(page, "Motivo del rifiuto").fill("Il codice fiscale non corrisponde all'ente indicato.");
      await page.getByRole("button", { name: "Respingi", exact: true }).click();
      const refusal = page.getByRole("alert").filter({ hasText: "Non è possibile respingere questa richiesta: è già stata approvata da " });
      await refusal.waitFor();
      await eventually(() => page.title()).toBe(`Errore: ${title}`);
      await open(page, `/admin/adesioni/${id}`);
      expect(await fact(page, "Stato")).toBe("Approvata");
      expect(await page.title()).toBe(title);
    });

    test(`${js ? "with" : "without"} JavaScript: of two changes of referente approved in two tabs, the second, whose page named the referente since replaced, is refused`, async () => {
      const { mayor, rival } = await setup(async (p) => {
        const first = await registerAndConfirm(p, { asComune: true, firstName: "Nicolò", lastName: "D'Amico" });
        await signIn(p);
        await approveFromDetail(p, await findRequestId(p, first));
        const sameEnte = { asComune: true, comune: first.comune, fiscalCode: first.fiscalCode };
        return {
          mayor: await registerAndConfirm(p, { ...sameEnte, firstName: "Antonio", lastName: "Sindaco" }),
          rival: await registerAndConfirm(p, { ...sameEnte, firstName: "Rosa", lastName: "Lombardo" }),
        };
      });
      const tabB = await browser.newPage({ javaScriptEnabled: js });
      await signIn(tabB);
      const mayorId = await findRequestId(tabB, mayor);
      const rivalId = await findRequestId(tabB, rival);
      await open(tabB, `/admin/adesioni/${rivalId}`);
      const note = (name: string) => tabB.locator("#approve-note").filter({ hasText: `Il referente attuale ${name} terminerà il suo incarico` });
      await note("Nicolò D'Amico").waitFor();
      const title = await tabB.title();

      const tabA = await browser.newPage();
      await signIn(tabA);
      await approveFromDetail(tabA, mayorId);

      await tabB.getByRole("button", { name: "Approva", exact: true }).click();
      await tabB
        .getByRole("alert")
        .filter({ hasText: "Nel frattempo il referente in carica per l'ente è cambiato (ora è Antonio Sindaco): ricarica la pagina e verifica prima di approvare." })
        .waitFor();
      await eventually(() => tabB.title()).toBe(`Errore: ${title}`);
      expect(await fact(tabB, "Stato")).toBe("In attesa di approvazione");
      // The page now names the referente an approval would replace.
      await note("Antonio Sindaco").waitFor();
      await open(tabA, `/admin/adesioni/${mayorId}`);
      expect(await fact(tabA, "Incarico")).toMatch(/^In carica dal /);
    });
  }
});

describe("a form sent once the session has expired", () => {
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: the sign-in page says that nothing was saved, and leads back to the page`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}`);
      const typed = "Il codice fiscale non corrisponde all'ente indicato.";
      await field(page, "Motivo del rifiuto").fill(typed);
      // The session ends meanwhile (2 hours idle, or its cookie deleted).
      await page.context().clearCookies({ name: /sai_session$/ });
      await page.getByRole("button", { name: "Respingi", exact: true }).click();

      await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("esito") === "sessione-scaduta");
      await page
        .getByRole("alert")
        .filter({ hasText: "La sessione è scaduta: l'operazione non è stata eseguita e quanto avevi scritto non è stato salvato. Accedi di nuovo e ripetila." })
        .waitFor();
      await eventually(() => page.title()).toBe("Errore: Accesso coordinatori - Coordinamento SAI");
      await field(page, "Email").fill(COORDINATOR_EMAIL);
      await field(page, "Password").fill(inject("adminPassword"));
      await page.getByRole("button", { name: "Accedi", exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/admin/adesioni/${id}`);
      await eventually(() => fact(page, "Stato")).toBe("In attesa di approvazione");

      // With JavaScript the reason typed is back, not sent yet; without, the box is empty (and the sign-in page said why).
      const reason = field(page, "Motivo del rifiuto");
      if (!js) {
        expect(await reason.inputValue()).toBe("");
        return;
      }
      await eventually(() => reason.inputValue()).toBe(typed);
      await page
        .getByRole("status")
        .filter({ hasText: "Il motivo che avevi scritto è ancora qui sotto, ma non è stato inviato: controllalo e premi di nuovo «Respingi»." })
        .waitFor();
      await page.getByRole("button", { name: "Respingi", exact: true }).click();
      await eventually(() => statusMessage(page)).toBe(REJECTED_MESSAGE);
      expect(await fact(page, "Motivo")).toBe(typed);
    });
  }
});

describe("two coordinators correcting the same request", () => {
  const CONFLICT =
    "Nel frattempo questi dati sono stati modificati (da un altro coordinatore o dal referente): ricarica la pagina per vedere la versione attuale, poi ripeti la modifica.";
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: a save from a form loaded before the other's is refused, keeps what was typed, and undoes nothing`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}/modifica`);
      const title = await page.title();

      // Another tab, loaded later, changes the phone and saves first.
      const other = await browser.newPage();
      await signIn(other);
      await open(other, `/admin/adesioni/${id}/modifica`);
      await field(other, "Telefono").fill("091 765 4321");
      await other.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await other.waitForURL((url) => url.pathname === `/admin/adesioni/${id}` && url.searchParams.get("esito") === "modificata");

      const pec = `corretta.${id}@pec.comune.esempio.it`;
      await field(page, "PEC dell'ente").fill(pec);
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: CONFLICT }).waitFor();
      await eventually(() => page.title()).toBe(`Errore: ${title}`);
      expect(new URL(page.url()).pathname).toBe(`/admin/adesioni/${id}/modifica`);
      expect(await field(page, "PEC dell'ente").inputValue(), "what was typed is kept").toBe(pec);

      await open(page, `/admin/adesioni/${id}`);
      expect(await fact(page, "Telefono")).toBe("091 765 4321");
      expect(await fact(page, "PEC dell'ente")).toBe(data.pec);
      await other.close();
      await page.close();
    });
  }
});

describe("two coordinators correcting the same project", () => {
  const CONFLICT =
    "Nel frattempo questo progetto è stato modificato (da un altro coordinatore o dal referente): ricarica la pagina per vedere la versione attuale, poi ripeti l'operazione.";
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: a save from a page loaded before the other's is refused, keeps what was typed, and undoes nothing`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}`);
      const projectPath = (await page.locator(`main a[href^='/admin/adesioni/${id}/progetti/']`).filter({ hasText: "Modifica" }).first().getAttribute("href")) ?? "";
      expect(projectPath).toMatch(new RegExp(`^/admin/adesioni/${id}/progetti/\\d+$`));
      await open(page, projectPath);
      const title = await page.title();
      const managingOrganization = await field(page, "Ente attuatore").inputValue();

      // Another tab, loaded later, changes the funded places and saves first.
      const other = await browser.newPage();
      await signIn(other);
      await open(other, projectPath);
      await field(other, "Posti finanziati").fill("30");
      await other.getByRole("button", { name: "Salva il progetto", exact: true }).click();
      await other.waitForURL((url) => url.pathname === `/admin/adesioni/${id}` && url.searchParams.get("esito") === "progetto-modificato");

      await field(page, "Ente attuatore").fill("Cooperativa Sociale Nuova");
      await page.getByRole("button", { name: "Salva il progetto", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: CONFLICT }).waitFor();
      await eventually(() => page.title()).toBe(`Errore: ${title}`);
      expect(new URL(page.url()).pathname).toBe(projectPath);
      expect(await field(page, "Ente attuatore").inputValue(), "what was typed is kept").toBe("Cooperativa Sociale Nuova");
      // Sent again, it stays refused: the page still shows the values it was loaded with.
      const [again] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === projectPath),
        page.getByRole("button", { name: "Salva il progetto", exact: true }).click(),
      ]);
      expect(again.status()).toBe(409);
      await page.getByRole("alert").filter({ hasText: CONFLICT }).waitFor();

      await open(page, projectPath);
      expect(await field(page, "Posti finanziati").inputValue()).toBe("30");
      expect(await field(page, "Ente attuatore").inputValue()).toBe(managingOrganization);
      await other.close();
      await page.close();
    });
  }
});

describe("correcting the data of a request", () => {
  for (const js of [true, false]) {
    test(`${js ? "with" : "without"} JavaScript: the form shows the current data, refuses a wrong PEC, and saves a change`, async () => {
      const data = await setup((p) => registerAndConfirm(p));
      const page = await browser.newPage({ javaScriptEnabled: js });
      await signIn(page);
      const id = await findRequestId(page, data);
      await open(page, `/admin/adesioni/${id}`);
      await page.getByRole("link", { name: "Modifica dati", exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/admin/adesioni/${id}/modifica`);
      await eventually(() => h1(page)).toBe(`Modifica dati: ${bodyName(data)}`);

      // The fields start from the stored data.
      const current = {
        "PEC dell'ente": data.pec,
        "Codice fiscale dell'ente": data.fiscalCode,
        Nome: data.firstName,
        Cognome: data.lastName,
        "Ufficio o settore": data.office,
        Email: data.email,
      };
      for (const [label, value] of Object.entries(current)) {
        expect.soft(await field(page, label).inputValue(), `"${label}" shows the stored value`).toBe(value);
      }
      expect
        .soft(await field(page, "Ruolo").evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent), '"Ruolo" shows the stored value')
        .toBe(data.role);

      // A wrong PEC is refused, the field says so.
      const pec = field(page, "PEC dell'ente");
      await pec.fill("non-una-pec");
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      const summaryTitle = page.getByRole("alert").getByRole("heading", { name: /^Il modulo contiene/ });
      await summaryTitle.waitFor();
      expect(await summaryTitle.textContent(), "only the PEC is wrong").toBe("Il modulo contiene un errore");
      expect(await pec.getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("#pec-error").textContent()).toContain("PEC non valida");
      expect(await pec.inputValue()).toBe("non-una-pec");

      // Put the PEC back, change the office, save.
      const office = `Ufficio Politiche Migratorie ${js ? "A" : "B"}`;
      await pec.fill(data.pec);
      await field(page, "Ufficio o settore").fill(office);
      await page.getByRole("button", { name: "Salva le modifiche", exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/admin/adesioni/${id}` && url.searchParams.get("esito") === "modificata");
      await eventually(() => statusMessage(page)).toBe("I dati sono stati aggiornati.");
      expect(await fact(page, "Ufficio o settore")).toBe(office);
      expect(await fact(page, "PEC dell'ente")).toBe(data.pec);
      expect(await fact(page, "Email")).toBe(data.email);
      expect(await fact(page, "Stato")).toBe("In attesa di approvazione");
    });
  }
});

describe("signing out", () => {
  test("after \"Esci\", the browser's Back button does not show the area again from its cache (no JavaScript)", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await signIn(page);
    await open(page, "/admin/registro");
    expect(await h1(page)).toBe("Registro attività");
    await page.getByRole("button", { name: "Esci", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.goBack();
    await page.waitForLoadState("load");
    // Asked again from the server, which sends a signed-out visitor to /login.
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await h1(page)).toBe("Accesso coordinatori");
  });

  test('"Esci" ends the session: back to /login, and /admin sends to /login again', async () => {
    const page = await browser.newPage();
    await signIn(page);
    const cookiesBefore = await page.context().cookies();

    await page.getByRole("button", { name: "Esci", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await eventually(() => h1(page)).toBe("Accesso coordinatori");
    await expect(page.getByRole("status").textContent()).resolves.toBe("Hai chiuso la sessione dell'area coordinatori.");

    await page.goto("/admin");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe("/admin");
    await expect.poll(() => h1(page), { timeout: 10_000 }).toBe("Accesso coordinatori");

    // The old session cookie is worthless: the session was closed on the server, not only forgotten.
    await page.context().addCookies(cookiesBefore);
    await page.goto("/admin/adesioni");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe("/admin/adesioni");
  });
});

describe("exports", () => {
  test("the filtered list downloads as CSV and Excel with exactly the filtered rows", async () => {
    // Two confirmed requests and one unconfirmed, all sharing a word in the referente's email.
    const tag = `esporta${Date.now().toString(36)}`;
    const [first, second, unconfirmed] = await setup(async (p) => [
      await registerAndConfirm(p, { email: uniqueEmail(tag) }),
      await registerAndConfirm(p, { email: uniqueEmail(tag) }),
      await register(p, { email: uniqueEmail(tag) }),
    ]);
    const page = await browser.newPage();
    await signIn(page, { redirectTo: "/admin/adesioni" });
    await eventually(() => h1(page)).toBe("Adesioni");
    await field(page, "Stato").selectOption("pending");
    await field(page, "Cerca").fill(tag);
    await page.getByRole("button", { name: "Filtra", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === tag && url.searchParams.get("stato") === "pending");
    await eventually(() => page.locator("tbody tr").count()).toBe(2);
    expect(await requestRow(page, first).count()).toBe(1);
    expect(await requestRow(page, second).count()).toBe(1);

    // CSV
    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Esporta CSV", exact: true }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/^adesioni-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvText = (await downloadBytes(csvDownload)).toString("utf8");
    expect(csvText.startsWith("\uFEFF"), "UTF-8 BOM for Excel").toBe(true);
    const [header, ...rows] = parseCsv(csvText).filter((r) => r.some((c) => c !== ""));
    expect(header[0]).toBe("Ente");
    const emailColumn = header.indexOf("Email");
    expect(emailColumn, `"Email" in the header ${JSON.stringify(header)}`).toBeGreaterThan(0);
    expect(rows.map((r) => r[emailColumn]).sort()).toEqual([first.email, second.email].sort());
    for (const r of rows) expect(r).toHaveLength(header.length);
    expect(rows.map((r) => r[0]).sort()).toEqual([bodyName(first), bodyName(second)].sort());
    expect(rows.map((r) => r[header.indexOf("Stato")])).toEqual(["In attesa di approvazione", "In attesa di approvazione"]);
    expect(csvText).not.toContain(unconfirmed.email);

    // Excel
    const [xlsxDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Esporta Excel", exact: true }).click(),
    ]);
    expect(xlsxDownload.suggestedFilename()).toMatch(/^adesioni-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const xlsx = await downloadBytes(xlsxDownload);
    expect(xlsx.subarray(0, 2).toString("latin1"), "an .xlsx is a zip file").toBe("PK");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    const values: string[][] = [];
    sheet.eachRow((row) => {
      values.push((row.values as unknown[]).slice(1).map((v) => (v == null ? "" : typeof v === "object" && "text" in (v as object) ? String((v as { text: unknown }).text) : String(v))));
    });
    expect(values[0][0]).toBe("Ente");
    const xlsxEmailColumn = values[0].indexOf("Email");
    expect(values.slice(1).map((r) => r[xlsxEmailColumn]).sort()).toEqual([first.email, second.email].sort());

    // The downloads left the list as it was.
    expect(new URL(page.url()).searchParams.get("q")).toBe(tag);
  }, 120_000);

  for (const javaScriptEnabled of [true, false]) {
    test(`the export holds what the filters on screen show, even before «Filtra» (${javaScriptEnabled ? "with" : "without"} JavaScript)`, async () => {
      // A confirmed request and an unconfirmed one sharing a word in the referente's email.
      const tag = `schermo${Date.now().toString(36)}`;
      const [confirmed, unconfirmed] = await setup(async (p) => [
        await registerAndConfirm(p, { email: uniqueEmail(tag) }),
        await register(p, { email: uniqueEmail(tag) }),
      ]);
      const page = await browser.newPage({ javaScriptEnabled });
      await signIn(page, { redirectTo: "/admin/adesioni" });
      await eventually(() => h1(page)).toBe("Adesioni");
      // The filters are chosen but not applied: the list still shows every request.
      await field(page, "Stato").selectOption("pending");
      await field(page, "Cerca").fill(tag);

      for (const [button, read] of [
        ["Esporta CSV", async (bytes: Buffer) => parseCsv(bytes.toString("utf8")).filter((r) => r.some((c) => c !== ""))],
        ["Esporta Excel", async (bytes: Buffer) => {
          const workbook = new ExcelJS.Workbook();
          await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
          const rows: string[][] = [];
          workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ""))));
          return rows;
        }],
      ] as const) {
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button, exact: true }).click()]);
        const [header, ...rows] = await read(await downloadBytes(download));
        const emailColumn = header.indexOf("Email");
        expect(emailColumn, `${button}: "Email" in the header ${JSON.stringify(header)}`).toBeGreaterThan(0);
        // Only the confirmed request: not the unconfirmed one, nor any request of other tests.
        expect(rows.map((r) => r[emailColumn]), button).toEqual([confirmed.email]);
        expect(JSON.stringify(rows)).not.toContain(unconfirmed.email);
      }

      // The page stayed where it was, with the fields as the coordinator left them.
      expect(new URL(page.url()).pathname).toBe("/admin/adesioni");
      expect(await field(page, "Cerca").inputValue()).toBe(tag);
    }, 120_000);
  }
});
