// Invitations to a Tavolo tecnico end to end: the organiser signs in, creates and publishes a round
// table, previews and sends the invitation; the referente opens the email that reached the SMTP
// server, clicks "Partecipo" and confirms on the page; the organiser sees the answer. axe-core
// checks the invitation page and the organiser's page.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  approveFromDetail,
  downloadBytes,
  field,
  findRequestId,
  h1,
  open,
  parseCsv,
  registerAndConfirm,
  reusedSignIn,
  startMeetingNow,
  uploadPdf,
  useAdminBrowser,
  useSetupBrowser,
} from "./admin-support";
import { baseUrl, checkA11y, eventually, uniqueEmail, waitForMail } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
const signIn = reusedSignIn();

const statusText = (page: Page) => page.locator("main [role=status]").first().textContent();
const normalise = (s: string | null) => (s ?? "").replace(/\s+/g, " ").trim();

/** The answers table row of an invitee, as text per column. */
async function answerRow(page: Page, email: string) {
  const row = page.locator("tbody tr").filter({ hasText: email });
  return row.locator("th, td").evaluateAll((cells) => cells.map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim()));
}

describe("Tavoli tecnici: invitations", () => {
  test("create, publish, invite; the referente answers Partecipo from the email; the organiser sees it", async () => {
    // A long address, as some offices have: the pages that print it must still fit a phone (checkA11y's reflow).
    const email = uniqueEmail("giuseppina.lombardo.santangelo.servizi.sociali");
    const referente = await setup((page) => registerAndConfirm(page, { email }));
    const admin = await browser.newPage();
    await signIn(admin);
    await approveFromDetail(admin, await findRequestId(admin, referente));

    // The organiser creates the round table and publishes it.
    const title = `Accoglienza e lavoro ${Date.now().toString(36)}`;
    await open(admin, "/admin/tavoli/nuovo");
    await field(admin, "Titolo").fill(title);
    await field(admin, "Programma (facoltativo)").fill("15:00 Saluti\n15:15 Relazioni\n16:30 Dibattito");
    await field(admin, "Inizio (data e ora)").fill("2031-05-20T15:00");
    await field(admin, "Fine (data e ora)").fill("2031-05-20T17:00");
    await field(admin, "Modalità").selectOption({ label: "Online" });
    await field(admin, "Link per partecipare online").fill("https://meet.example.org/tavolo-e2e");
    await field(admin, "Interventi a cura di (facoltativo)").fill("G. Zollo — Servizio Centrale");
    await admin.getByRole("button", { name: "Salva in bozza" }).click();
    await admin.waitForURL(/\/admin\/tavoli\/\d+\?esito=creato$/);
    const id = Number(new URL(admin.url()).pathname.split("/").pop());
    await admin.getByRole("button", { name: "Pubblica", exact: true }).click();
    await admin.waitForURL(`**/admin/tavoli/${id}?esito=pubblicato`);
    // Its nota di invito, which the invitation will link.
    const noteId = await uploadPdf(admin, id, { title: "Nota di invito firmata", visibility: "Pubblico", kind: "Nota-invito" });
    await open(admin, `/admin/tavoli/${id}`);

    // Invitations: only this referente (as an extra address), preview, then send.
    await admin.getByRole("link", { name: "Inviti e risposte" }).click();
    await admin.waitForURL(`**/admin/tavoli/${id}/inviti`);
    // Bootstrap Italia draws radios on their labels: a person clicks the label.
    await admin.locator("label[for=destinatari-indirizzi]").click();
    expect(await admin.getByLabel("Solo gli indirizzi aggiuntivi").isChecked()).toBe(true);
    await field(admin, "Indirizzi aggiuntivi").fill(referente.email);
    // Every address the browser asks for or shows, and every Referer it sends, from here to the sending.
    const addresses: string[] = [admin.url()];
    const onRequest = (request: { url(): string; headers(): Record<string, string> }) => addresses.push(request.url(), request.headers().referer ?? "");
    const onNavigation = (frame: { url(): string }) => addresses.push(frame.url());
    admin.on("request", onRequest);
    admin.on("framenavigated", onNavigation);
    await admin.getByRole("button", { name: "Anteprima", exact: true }).click();
    await eventually(async () => normalise(await admin.locator("#anteprima-title ~ p.lead").textContent())).toBe("Riceverà l'invito 1 referente.");
    expect(new URL(admin.url()).pathname + new URL(admin.url()).search).toBe(`/admin/tavoli/${id}/inviti`);
    expect(await admin.getByRole("listitem").filter({ hasText: referente.email }).count()).toBe(1);
    expect(await checkA11y(admin)).toEqual([]);
    // The page opens on the preview, below the long form.
    await eventually(() => admin.evaluate(() => document.activeElement?.id)).toBe("anteprima-title");
    // Changing the choice after the preview withdraws its send button until the preview is asked again.
    const extra = field(admin, "Indirizzi aggiuntivi");
    await extra.fill(`${referente.email}\naltro-${referente.email}`);
    await admin.getByRole("status").filter({ hasText: "Hai cambiato i destinatari dopo l'anteprima: premi di nuovo «Anteprima»" }).waitFor();
    expect(await admin.getByRole("button", { name: /^Invia (gli inviti|l'invito)/ }).count()).toBe(0);
    await extra.fill(referente.email);
    await admin.getByRole("button", { name: "Anteprima", exact: true }).click();
    await eventually(async () => normalise(await admin.locator("#anteprima-title ~ p.lead").textContent())).toBe("Riceverà l'invito 1 referente.");
    await admin.getByRole("button", { name: "Invia inviti", exact: true }).click();
    await admin.waitForURL(`**/admin/tavoli/${id}/inviti?inviati=1`);
    // The URL changes as the navigation commits; the page may still show the preview for a moment.
    await eventually(async () => normalise(await statusText(admin))).toMatch(/^Inviti in partenza: 1 destinatario\./);
    admin.off("request", onRequest);
    admin.off("framenavigated", onNavigation);
    // The extra addresses are someone else's: in no URL (server logs, history, Referer), plain or encoded.
    expect(addresses.length).toBeGreaterThan(3);
    const localPart = referente.email.split("@")[0];
    expect(addresses.filter((a) => decodeURIComponent(a).includes(localPart))).toEqual([]);

    // The referente's email, with the answer links and the calendar file.
    const mail = await waitForMail(referente.email, { subjectIncludes: title });
    expect(mail.subject).toMatch(new RegExp(`^Invito: \\d+° Tavolo tecnico - ${title}$`));
    const yesLink = mail.html.match(new RegExp(`${baseUrl().replace(/[.]/g, "\\.")}/invito/[\\w-]+\\?risposta=si`))?.[0];
    expect(yesLink, "the Partecipo link in the email").toBeTruthy();
    expect(mail.text).toContain(yesLink!);
    expect(mail.text).toContain("martedì 20 maggio 2031, dalle 15:00 alle 17:00");
    expect(mail.text).toContain(`Nota di invito: Nota di invito firmata — ${baseUrl()}/materiali/${noteId}`);

    // "Partecipo" opens the page with the choice highlighted; the click there records it.
    const invitee = await browser.newPage();
    // On a phone, where most people open the email: the confirmation and its button are in view at once.
    await invitee.setViewportSize({ width: 360, height: 740 });
    await open(invitee, yesLink!);
    expect(await h1(invitee)).toMatch(new RegExp(`Tavolo tecnico - ${title}$`));
    expect(normalise(await invitee.locator("main").textContent())).toContain("La risposta non è ancora registrata. Per confermare premi «Partecipo».");
    const inView = (name: string) =>
      invitee.getByRole("button", { name, exact: true }).evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight);
    expect(await inView("Partecipo")).toBe(true);
    await invitee.setViewportSize({ width: 1280, height: 720 });
    // The nota di invito, downloaded from the page too.
    expect(await invitee.getByRole("link", { name: "Nota di invito firmata", exact: true }).getAttribute("href")).toBe(`/materiali/${noteId}`);
    // Their own calendar file: the invitation's event, with the meeting link the public page's file leaves out.
    const calendarLink = invitee.getByRole("link", { name: "Aggiungi al calendario (file .ics)", exact: true });
    const [ics] = await Promise.all([invitee.waitForEvent("download"), calendarLink.click()]);
    expect(ics.suggestedFilename()).toMatch(/^invito-tavolo-tecnico-\d+\.ics$/);
    const calendar = (await downloadBytes(ics)).toString("utf8").replace(/\r\n[ \t]/g, "");
    expect(calendar).toContain("METHOD:REQUEST");
    expect(calendar).toContain(`UID:tavolo-${id}@`);
    expect(calendar).toContain("LOCATION:Online: https://meet.example.org/tavolo-e2e");
    // Its address holds the token: private, and no Referer to other sites, like every /invito/ page.
    const calendarResponse = await fetch(new URL((await calendarLink.getAttribute("href"))!, baseUrl()));
    expect(calendarResponse.headers.get("Cache-Control")).toBe("private, no-store");
    expect(calendarResponse.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(await checkA11y(invitee)).toEqual([]);
    await invitee.getByRole("button", { name: "Partecipo", exact: true }).click();
    await eventually(async () => normalise(await statusText(invitee))).toMatch(/^Grazie, abbiamo registrato che parteciperai\./);
    // The answer is shown on the same page, where the pressed button kept the focus: the focus goes to it, so it is read out.
    const focusedText = () => invitee.evaluate(() => (document.activeElement?.getAttribute("role") === "status" ? document.activeElement.textContent : null));
    await eventually(async () => normalise(await focusedText())).toMatch(/^Grazie, abbiamo registrato che parteciperai\./);
    expect(normalise(await invitee.locator("main").textContent())).toContain("Hai risposto che parteciperai.");
    // The page's address no longer carries the email's choice: a reload shows the answer recorded.
    expect(new URL(invitee.url()).searchParams.has("risposta")).toBe(false);
    expect(await checkA11y(invitee)).toEqual([]);

    // The organiser sees the answer.
    await open(admin, `/admin/tavoli/${id}/inviti`);
    const row = await answerRow(admin, referente.email);
    expect(row.slice(0, 4)).toEqual([`${referente.firstName} ${referente.lastName}`, referente.bodyName, referente.email, "Partecipa"]);
    expect(await checkA11y(admin)).toEqual([]);

    // Without JavaScript the referente can change their mind from the same link.
    const plain = await browser.newPage({ javaScriptEnabled: false });
    await open(plain, yesLink!.replace("risposta=si", "risposta=no"));
    await plain.getByRole("button", { name: "Non partecipo", exact: true }).click();
    await plain.waitForLoadState("load");
    expect(normalise(await statusText(plain))).toMatch(/^Grazie, abbiamo registrato che non parteciperai\./);
    expect(await checkA11y(plain)).toEqual([]);
    await open(admin, `/admin/tavoli/${id}/inviti`);
    expect((await answerRow(admin, referente.email))[3]).toBe("Non partecipa");
    // Before the meeting there is no attendance to take.
    expect(await admin.getByRole("button", { name: "Salva presenze" }).count()).toBe(0);

    // On the day, the organiser records who came.
    startMeetingNow(id);
    // The invitee's page, still open from before, answers too late: the refusal takes the focus, so it is read out.
    await invitee.getByRole("button", { name: "Non partecipo", exact: true }).click();
    const focusedAlert = () => invitee.evaluate(() => (document.activeElement?.getAttribute("role") === "alert" ? document.activeElement.textContent : null));
    await eventually(async () => normalise(await focusedAlert())).toBe("Il Tavolo tecnico è già iniziato: non è più possibile modificare la risposta.");
    await open(admin, `/admin/tavoli/${id}/inviti`);
    await admin.getByLabel(`Presente: ${referente.firstName} ${referente.lastName}`, { exact: true }).check();
    expect(await checkA11y(admin)).toEqual([]);
    await admin.getByRole("button", { name: "Salva presenze", exact: true }).click();
    await admin.waitForURL((url) => url.searchParams.get("presenze") === "1");
    expect(await admin.getByLabel(`Presente: ${referente.firstName} ${referente.lastName}`, { exact: true }).isChecked()).toBe(true);

    // The registro presenze as a file, from the page's link, through the built server's routes.
    const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Esporta CSV", exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tavolo-tecnico-\d+-inviti-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...rows] = parseCsv((await downloadBytes(download)).toString("utf8")).filter((r) => r.some((c) => c !== ""));
    expect(header).toEqual(["Ente", "Referente", "Email", "Risposta", "Data risposta", "Presenza", "Invito ritirato"]);
    expect(rows.map((r) => [r[2], r[3], r[5], r[6]])).toEqual([[referente.email, "Non partecipa", "Presente", "No"]]);
  });
});
