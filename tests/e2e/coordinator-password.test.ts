// A coordinator's password in the browser: "Password dimenticata?" from /login, the link received by
// email, the new password and signing in with it; changing it from "Il mio account"; and a sign-in
// suspended for wrong passwords, lifted by the administrator («Riattiva l'accesso»). Each test
// uses a coordinator of its own, invited by the administrator (the shared server's administrator
// keeps the password the other test files sign in with).
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { field, h1, open, signIn, useAdminBrowser, useSetupBrowser } from "./admin-support";
import { checkA11y, eventually, uniqueEmail, waitForMail, type ReceivedEmail } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();

const FIRST = "la prima password scelta";
const NEW = "la password nuova di zecca";

const status = (page: Page) => page.locator("main [role=status]").first().textContent();

/** The portal's link to `path`/<token> in an email, the same in its text and HTML parts. */
function linkIn(mail: ReceivedEmail, path: string) {
  const pattern = new RegExp(`${inject("baseUrl").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}${path}/[A-Za-z0-9_-]+`);
  const inText = mail.text.match(pattern)?.[0];
  expect(inText, `link ${pattern} in the text part of "${mail.subject}"`).toBeTruthy();
  expect(mail.html.match(pattern)?.[0], `the same link in the HTML part of "${mail.subject}"`).toBe(inText);
  return inText!;
}

async function expectAccessible(page: Page, what: string) {
  expect(await checkA11y(page), `axe-core violations on ${what}`).toEqual([]);
}

/**
 * A new coordinator as an administrator invites one, who then sets `FIRST` from the invitation email
 * in `page` and is signed in there.
 */
async function invitedCoordinator(page: Page) {
  const email = uniqueEmail("coordinatrice");
  await setup(async (admin) => {
    await signIn(admin);
    await open(admin, "/admin/coordinatori");
    await field(admin, "Nome").fill("Giulia Bianchi");
    await field(admin, "Email").fill(email);
    await field(admin, "Ruolo").selectOption({ label: "Coordinatore" });
    await admin.getByRole("button", { name: "Invia invito", exact: true }).click();
    await eventually(() => status(admin)).toBe(`Invito inviato a ${email}.`);
  });
  const invitation = await waitForMail(email, { subjectIncludes: "Invito all'area coordinatori" });
  await open(page, linkIn(invitation, "/invito-coordinatore"));
  await field(page, "Password").fill(FIRST);
  await field(page, "Conferma la password").fill(FIRST);
  await page.getByRole("button", { name: "Imposta la password e accedi" }).click();
  await page.waitForURL((url) => url.pathname === "/admin");
  return email;
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Esci", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/login");
}

async function signInAs(page: Page, email: string, password: string) {
  await open(page, "/login");
  await field(page, "Email").fill(email);
  await field(page, "Password").fill(password);
  await page.getByRole("button", { name: "Accedi", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/admin");
  await page.getByRole("navigation", { name: "Area coordinatori" }).waitFor();
}

describe("Password dimenticata?", () => {
  for (const js of [true, false]) {
    test(`request, follow the link from the email, set the password, sign in with it (${js ? "with" : "without"} JavaScript)`, async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const email = await invitedCoordinator(page);
      await signOut(page);

      await page.getByRole("link", { name: "Password dimenticata?" }).click();
      await page.waitForURL((url) => url.pathname === "/login/password-dimenticata");
      await eventually(() => h1(page)).toBe("Password dimenticata");
      await expectAccessible(page, "/login/password-dimenticata");

      await page.getByRole("button", { name: "Invia il collegamento" }).click();
      await page.getByRole("heading", { name: "Il modulo contiene un errore" }).waitFor();
      expect(await field(page, "Email").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, "/login/password-dimenticata with an error");

      await field(page, "Email").fill(email.toUpperCase());
      await page.getByRole("button", { name: "Invia il collegamento" }).click();
      await eventually(() => status(page)).toContain("Se l'indirizzo appartiene a un coordinatore attivo, riceverai a breve un'email");
      // Answered on the same page: with JavaScript no page load starts the screen reader again, so the
      // message takes the focus (without, the new page opens on it anyway).
      if (js) await eventually(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("status");
      await expectAccessible(page, "/login/password-dimenticata after the request");

      const mail = await waitForMail(email, { subjectIncludes: "Reimposta la password" });
      expect(mail.text).toContain("Gentile Giulia Bianchi");
      expect(mail.text).toContain("vale 60 minuti");
      const link = linkIn(mail, "/login/reimposta-password");

      await open(page, link);
      await eventually(() => h1(page)).toBe("Reimposta la password");
      await expectAccessible(page, "/login/reimposta-password/:token");
      await field(page, "Nuova password").fill("corta");
      await field(page, "Conferma la nuova password").fill("diversa");
      await page.getByRole("button", { name: "Salva la nuova password" }).click();
      await page.getByRole("heading", { name: "Il modulo contiene 2 errori" }).waitFor();
      expect(await field(page, "Nuova password").getAttribute("aria-invalid")).toBe("true");
      expect(await field(page, "Conferma la nuova password").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page, "/login/reimposta-password/:token with errors");

      await field(page, "Nuova password").fill(NEW);
      await field(page, "Conferma la nuova password").fill(NEW);
      await page.getByRole("button", { name: "Salva la nuova password" }).click();
      await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("esito") === "password-reimpostata");
      await eventually(() => status(page)).toBe("Password reimpostata: accedi con la nuova password.");

      await field(page, "Email").fill(email);
      await field(page, "Password").fill(NEW);
      await page.getByRole("button", { name: "Accedi", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/admin");
      await page.getByRole("navigation", { name: "Area coordinatori" }).waitFor();

      const changed = await waitForMail(email, { subjectIncludes: "è stata cambiata" });
      expect(changed.text).toContain("Se non sei stato tu");

      // The link served once.
      await open(page, link);
      await eventually(() => h1(page)).toBe("Collegamento non valido");
      await expectAccessible(page, "/login/reimposta-password/:token already used");
    });
  }
});

describe("Il mio account", () => {
  for (const js of [true, false]) {
    test(`shows the account and changes the password (${js ? "with" : "without"} JavaScript)`, async () => {
      const page = await browser.newPage({ javaScriptEnabled: js });
      const email = await invitedCoordinator(page);

      await page.getByRole("link", { name: "Il mio account" }).click();
      await page.waitForURL((url) => url.pathname === "/admin/account");
      await eventually(() => h1(page)).toBe("Il mio account");
      expect(await page.locator("main dl").textContent()).toContain(email);
      await expectAccessible(page, "/admin/account");

      await field(page, "Password attuale").fill("non è questa la password");
      await field(page, "Nuova password").fill(NEW);
      await field(page, "Conferma la nuova password").fill(NEW);
      await page.getByRole("button", { name: "Cambia password", exact: true }).click();
      await page.getByRole("heading", { name: "Il modulo contiene un errore" }).waitFor();
      expect(await field(page, "Password attuale").getAttribute("aria-invalid")).toBe("true");
      expect(await page.getByRole("alert").textContent()).toContain("La password attuale non è corretta");
      // An error only the server can find takes the focus to the summary, as the browser's own checks do.
      await eventually(() => page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary") ?? false)).toBe(true);
      await expectAccessible(page, "/admin/account with a wrong current password");

      await field(page, "Password attuale").fill(FIRST);
      await field(page, "Nuova password").fill(NEW);
      await field(page, "Conferma la nuova password").fill(NEW);
      await page.getByRole("button", { name: "Cambia password", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/admin/account" && url.searchParams.get("esito") === "password-cambiata");
      await eventually(() => status(page)).toContain("Password cambiata.");
      await expectAccessible(page, "/admin/account after the change");
      await waitForMail(email, { subjectIncludes: "è stata cambiata" });

      await signOut(page);
      await signInAs(page, email, NEW);
    });
  }
});

describe("«Disattiva» on /admin/coordinatori", () => {
  for (const js of [true, false]) {
    test(`asks first, naming the coordinator; with the tick the coordinator's open session ends (${js ? "with" : "without"} JavaScript)`, async () => {
      const coordinator = await browser.newPage();
      const email = await invitedCoordinator(coordinator);
      const admin = await browser.newPage({ javaScriptEnabled: js });
      await signIn(admin);
      await open(admin, "/admin/coordinatori");
      // Every coordinator these tests invite is a Giulia Bianchi: the row is found by the address.
      await admin.getByRole("row").filter({ hasText: email }).getByRole("button", { name: "Disattiva Giulia Bianchi", exact: true }).click();

      // Nothing happens yet: the confirmation, its heading taking the focus.
      const heading = admin.getByRole("heading", { name: "Disattivare Giulia Bianchi?", exact: true });
      await heading.waitFor();
      await eventually(() => admin.evaluate(() => document.activeElement?.id)).toBe("disattiva");
      expect(await admin.locator("section[aria-labelledby=disattiva]").textContent()).toContain(
        `Giulia Bianchi (${email}) non potrà più entrare nell'area coordinatori: le sue sessioni aperte si chiudono subito`,
      );
      await expectAccessible(admin, `/admin/coordinatori asking to confirm «Disattiva» (${js ? "with" : "without"} JavaScript)`);
      // The coordinator is still signed in.
      await open(coordinator, "/admin");
      expect(new URL(coordinator.url()).pathname).toBe("/admin");

      await admin.getByRole("button", { name: "Disattiva l'account", exact: true }).click();
      await admin.getByRole("heading", { name: "Il modulo di disattivazione contiene un errore" }).waitFor();
      await eventually(() => admin.evaluate(() => document.activeElement?.hasAttribute("data-error-summary") ?? false)).toBe(true);
      // Bootstrap Italia draws checkboxes on their labels: a person clicks the label.
      await admin.locator("label[for=confirm]").click();
      await admin.getByRole("button", { name: "Disattiva l'account", exact: true }).click();
      await eventually(() => status(admin)).toBe("Coordinatore disattivato: le sue sessioni sono state chiuse.");
      await coordinator.goto("/admin");
      expect(new URL(coordinator.url()).pathname).toBe("/login");
    });
  }
});

describe("«Riattiva l'accesso» on /admin/coordinatori", () => {
  for (const js of [true, false]) {
    test(`an address suspended for wrong passwords is shown until when, the administrator lifts it, the coordinator signs in (${js ? "with" : "without"} JavaScript)`, async () => {
      const coordinator = await browser.newPage();
      const email = await invitedCoordinator(coordinator);
      await signOut(coordinator);
      // Ten wrong passwords from a network of their own (the other files sign in from this machine),
      // on a page of the setup browser: the suspension's 429 is not a console error to report.
      await setup(async (page) => {
        await page.setExtraHTTPHeaders({ "X-Forwarded-For": `198.51.100.${js ? 21 : 22}` });
        const attempt = async (password: string) => {
          await open(page, "/login");
          await field(page, "Email").fill(email);
          await field(page, "Password").fill(password);
          await page.getByRole("button", { name: "Accedi", exact: true }).click();
          await page.getByRole("heading", { name: "Accesso non riuscito" }).waitFor();
          return page.locator("[data-error-summary]").textContent();
        };
        for (let i = 1; i <= 10; i++) expect(await attempt(`sbagliata ${i}`)).toContain("Email o password non corretti.");
        expect(await attempt(FIRST)).toContain("per sicurezza l'accesso è sospeso");
      });

      const admin = await browser.newPage({ javaScriptEnabled: js });
      await signIn(admin);
      await open(admin, "/admin/coordinatori");
      // Every coordinator these tests invite is a Giulia Bianchi: the row is found by the address.
      const row = admin.getByRole("row").filter({ hasText: email });
      expect(await row.textContent()).toMatch(/Accesso sospeso fino alle \d{2}:\d{2} \(ora italiana\) per troppi tentativi non riusciti/);
      await expectAccessible(admin, `/admin/coordinatori with a suspended sign-in (${js ? "with" : "without"} JavaScript)`);
      await row.getByRole("button", { name: "Riattiva l'accesso di Giulia Bianchi", exact: true }).click();
      await eventually(() => status(admin)).toBe(`Accesso riattivato per ${email}: Giulia Bianchi può entrare subito con la sua password.`);
      // With JavaScript the list is loaded again just after the message.
      await eventually(() => row.textContent()).not.toContain("Accesso sospeso");
      expect(await row.getByRole("button", { name: "Riattiva l'accesso di Giulia Bianchi", exact: true }).count()).toBe(0);

      // The right password works at once, without waiting for the 15 minutes.
      await signInAs(coordinator, email, FIRST);
    });
  }
});
