import ical from "node-ical";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { invitations, roundTables } from "#db/schema";
import { sendInvitations } from "~/models/invitation.server";
import { getMembershipEditValues, updateMembershipFields } from "~/models/membership-detail.server";
import { revokeMembership } from "~/models/membership-review.server";
import { cancelRoundTable, updateRoundTable } from "~/models/round-table.server";
import * as route from "~/routes/invito.$token";
import * as calendarRoute from "~/routes/invito.$token_.evento[.]ics";
import { getDb } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { CALENDAR_RESENT_MESSAGE } from "~/utils/round-table-format";
import { createTestCoordinator, settle } from "../../support/admin";
import {
  addDocumentMaterial,
  answerTokenFor,
  createReferent,
  createRoundTable,
  emailsOf,
  HOUR,
  invitationsOf,
  tableCounts,
} from "../../support/invitations";
import { expectPortalNotFoundPage } from "../../support/not-found-page";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, loadContext, routeArgs } from "../../support/requests";
import { roundTableInput } from "../../support/round-tables";
import { uniqueEmail } from "../../support/factories";
import { membershipEditSchema } from "~/validation/membership-edit";

let coordinatorId: number;
let referent: Awaited<ReturnType<typeof createReferent>>;

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  referent = await createReferent({ provinceCode: "089" });
});

function invite(overrides: Parameters<typeof createRoundTable>[0] = {}) {
  const rt = createRoundTable({ title: "Accoglienza dei minori", mode: "ibrido", place: "Palermo, Sala Martorana", ...overrides });
  const result = sendInvitations(getDb(), {
    roundTableId: rt.id,
    filters: { includeReferents: false, extraEmails: [referent.email] },
    coordinatorId,
    appUrl: APP_URL,
  });
  expect(result).toEqual({ ok: true, count: 1 });
  const token = answerTokenFor(rt.id, referent.email);
  const row = () => getDb().select().from(invitations).where(eq(invitations.roundTableId, rt.id)).get()!;
  return { rt, token, row };
}

const get = (token: string, query = "") => new Request(`${APP_URL}/invito/${token}${query}`);
const post = (token: string, fields: Record<string, string>) => browserPost(`/invito/${token}`, fields);
const answer = async (token: string, risposta: string) => route.action(routeArgs(await post(token, { risposta }), { token }));

/** Runs the route for a request (GET or POST) and renders the page as the browser receives it. */
async function renderPage(request: Request, token: string) {
  const handler = createStaticHandler([
    {
      id: "page",
      path: "/invito/:token",
      loader: ({ request: r }) => route.loader({ request: r, params: { token }, context: loadContext() }),
      action: ({ request: r }) => route.action({ request: r, params: { token }, context: loadContext() }),
      Component: route.default,
    },
  ]);
  const context = await handler.query(request);
  if (context instanceof Response) throw new Error("unexpected redirect");
  const router = createStaticRouter(handler.dataRoutes, context);
  const html = renderToString(
    createElement(AuthenticityTokenProvider, { token: "t", children: createElement(StaticRouterProvider, { router, context, hydrate: false }) }),
  ).replaceAll("<!-- -->", "");
  return { status: context.statusCode, html };
}

describe("/invito/:token", () => {
  it("GET shows the round table and the two answers, and changes nothing (also with ?risposta=si)", async () => {
    const { token, row } = invite();
    const before = { counts: tableCounts(), row: row() };
    const page = await renderRoute(route, get(token), "/invito/:token");
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h1>Tavolo tecnico - Accoglienza dei minori</h1>");
    expect(page.title).toBe("Invito al Tavolo tecnico: Accoglienza dei minori - Coordinamento SAI");
    expect(page.html).toContain("Palermo, Sala Martorana");
    expect(page.html).toContain("Non hai ancora risposto.");
    expect(page.html).toMatch(/<form method="post"[^>]*>/);
    expect(page.html).toMatch(/<button type="submit" name="risposta" value="si"[^>]*>Partecipo<\/button>/);
    expect(page.html).toMatch(/<button type="submit" name="risposta" value="no"[^>]*>Non partecipo<\/button>/);

    const preselected = await renderRoute(route, get(token, "?risposta=si"), "/invito/:token");
    expect(preselected.html).toContain("La risposta non è ancora registrata. Per confermare premi <strong>«Partecipo»</strong>");
    // Come from the email's button, the confirmation comes before the Tavolo's details (in view on a phone);
    // otherwise the details come first.
    const order = (html: string) => [html.indexOf("La tua risposta"), html.indexOf("<dt class=\"col-sm-3\">Quando</dt>")];
    const [answerAt, detailsAt] = order(preselected.html);
    expect(answerAt).toBeGreaterThan(-1);
    expect(answerAt).toBeLessThan(detailsAt);
    const [plainAnswerAt, plainDetailsAt] = order(page.html);
    expect(plainDetailsAt).toBeGreaterThan(-1);
    expect(plainAnswerAt).toBeGreaterThan(plainDetailsAt);
    expect(preselected.html).toMatch(/value="si" class="btn btn-lg btn-success"/);
    await renderRoute(route, get(token, "?risposta=no"), "/invito/:token");
    expect(route.loader(routeArgs(get(token, "?risposta=si"), { token })).status).toBe(200);

    expect(tableCounts()).toEqual(before.counts);
    expect(row()).toEqual(before.row);
  });

  it("POST records the answer, shows the confirmation, and the answer can change until the start", async () => {
    const { token, row } = invite();
    const yes = await renderPage(await post(token, { risposta: "si" }), token);
    expect(yes.status).toBe(200);
    expect(yes.html).toContain("Grazie, abbiamo registrato che parteciperai");
    expect(row()).toMatchObject({ answer: "yes", answeredAt: expect.any(Date) });

    const no = await answer(token, "no");
    expect(no.status).toBe(200);
    expect(((await no.json()) as { recorded: string }).recorded).toBe("no");
    expect(row().answer).toBe("no");
    const page = await renderRoute(route, get(token), "/invito/:token");
    expect(page.html).toContain("Hai risposto che non parteciperai.");
  });

  it("come from the email's button with an answer already recorded: the page offers to change it, never says there is none; the form posts without ?risposta", async () => {
    const { token, row } = invite();
    const formAction = (html: string) => html.match(/<form method="post" action="([^"]*)"/)?.[1];
    // The first visit from the email's «Partecipo»: not recorded yet, and the form posts to the page itself,
    // so that after answering a reload no longer carries the email's choice.
    const first = await renderPage(get(token, "?risposta=si"), token);
    expect(first.html).toContain("La risposta non è ancora registrata. Per confermare premi <strong>«Partecipo»</strong>");
    expect(formAction(first.html)).toBe(`/invito/${token}`);

    await answer(token, "si");
    await answer(token, "no");
    expect(row().answer).toBe("no");
    // Back through the same link (a reload, or the email's «Partecipo» again).
    const back = await renderPage(get(token, "?risposta=si"), token);
    expect(back.status).toBe(200);
    expect(back.html).not.toContain("non è ancora registrata");
    expect(back.html).toContain(
      "<p id=\"conferma-risposta\">Hai risposto che non parteciperai. Vuoi cambiare la risposta in <strong>«Partecipo»</strong>? Per cambiarla premi <strong>«Partecipo»</strong>; altrimenti non serve fare nulla.</p>",
    );
    expect(formAction(back.html)).toBe(`/invito/${token}`);
    // The same link once it matches the answer: nothing to confirm.
    const same = await renderPage(get(token, "?risposta=no"), token);
    expect(same.html).not.toContain("conferma-risposta");
    expect(same.html).toContain("Hai risposto che non parteciperai.");
  });

  it("«Partecipo» mentions the reminder only when one is still to come", async () => {
    const due = invite({ reminderDays: 2 });
    const yes = await renderPage(await post(due.token, { risposta: "si" }), due.token);
    expect(yes.html).toContain("Grazie, abbiamo registrato che parteciperai. Riceverai un promemoria per email.");

    const none = invite({ reminderDays: 0 });
    const noReminder = await renderPage(await post(none.token, { risposta: "si" }), none.token);
    expect(noReminder.html).toContain("Grazie, abbiamo registrato che parteciperai.");
    expect(noReminder.html).not.toContain("promemoria");

    const reminded = invite({ reminderDays: 2 });
    getDb().update(invitations).set({ remindedAt: new Date() }).where(eq(invitations.id, reminded.row().id)).run();
    const afterReminder = await renderPage(await post(reminded.token, { risposta: "si" }), reminded.token);
    expect(afterReminder.html).toContain("Grazie, abbiamo registrato che parteciperai.");
    expect(afterReminder.html).not.toContain("promemoria");
  });

  it("«Partecipo» after «Non partecipo» and a change of date says the updated details went by email", async () => {
    const { rt, token } = invite();
    await answer(token, "no");
    const input = roundTableInput({ title: rt.title, mode: "online", startsAt: "2031-11-20T10:00", endsAt: "2031-11-20T12:00" });
    // Told of the change, without the calendar entry: that comes with the yes.
    expect(updateRoundTable(getDb(), { id: rt.id, input, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 1 });

    const yes = await renderPage(await post(token, { risposta: "si" }), token);
    expect(yes.status).toBe(200);
    expect(yes.html).toContain("Grazie, abbiamo registrato che parteciperai");
    expect(yes.html.replaceAll("&#x27;", "'")).toContain(CALENDAR_RESENT_MESSAGE);
    expect(emailsOf(rt.id, "round-table-rejoined").map((e) => e.recipient)).toEqual([referent.email]);
  });

  it("after the start: the page says so, a POST is refused with 410 and changes nothing", async () => {
    const { rt, token, row } = invite();
    await answer(token, "si");
    getDb().update(roundTables).set({ startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + HOUR) }).where(eq(roundTables.id, rt.id)).run();
    const before = { counts: tableCounts(), row: row() };

    const page = await renderRoute(route, get(token, "?risposta=no"), "/invito/:token");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Il Tavolo tecnico è già iniziato: non è più possibile modificare la risposta.");
    expect(page.html).not.toContain('name="risposta"');

    const refused = await renderPage(await post(token, { risposta: "no" }), token);
    expect(refused.status).toBe(410);
    expect(refused.html).toContain("non è più possibile modificare la risposta");
    expect(row()).toEqual(before.row);
    expect(tableCounts()).toEqual(before.counts);
  });

  it("a Tavolo back in draft: the page says it cannot be answered for now, without links to its public page or meeting, which are not public", async () => {
    const { rt, token } = invite();
    const published = await renderRoute(route, get(token), "/invito/:token");
    expect(published.html).toContain(`href="/tavoli-tecnici/${rt.id}"`);
    getDb().update(roundTables).set({ status: "draft" }).where(eq(roundTables.id, rt.id)).run();
    const page = await renderRoute(route, get(token), "/invito/:token");
    expect(page.status).toBe(200);
    expect(page.html).toContain("non è al momento aperto alle risposte");
    expect(page.html).not.toContain(`href="/tavoli-tecnici/${rt.id}"`);
    expect(page.html).not.toContain("meet.example.org");
  });

  it("after the start says «rispondere» to who never answered, and «si è già svolto» once it has ended", async () => {
    const unanswered = invite();
    const answered = invite();
    await answer(answered.token, "no");
    const page = async (token: string) => (await renderRoute(route, get(token), "/invito/:token")).html.replaceAll("&#x27;", "'");
    const move = (rt: { id: number }, startsAt: number, endsAt: number) =>
      getDb().update(roundTables).set({ startsAt: new Date(startsAt), endsAt: new Date(endsAt) }).where(eq(roundTables.id, rt.id)).run();

    move(unanswered.rt, Date.now() - HOUR, Date.now() + HOUR);
    expect(await page(unanswered.token)).toContain("Il Tavolo tecnico è già iniziato: non è più possibile rispondere all'invito.");

    move(unanswered.rt, Date.now() - 3 * HOUR, Date.now() - HOUR);
    move(answered.rt, Date.now() - 3 * HOUR, Date.now() - HOUR);
    const ended = await page(unanswered.token);
    expect(ended).toContain("Il Tavolo tecnico si è già svolto: non è più possibile rispondere all'invito.");
    expect(ended.match(/non è più possibile/g)).toHaveLength(1);
    expect(await page(answered.token)).toContain("Il Tavolo tecnico si è già svolto: non è più possibile modificare la risposta.");
    const refused = await renderPage(await post(unanswered.token, { risposta: "si" }), unanswered.token);
    expect(refused.status).toBe(410);
    expect(refused.html.replaceAll("&#x27;", "'").match(/si è già svolto: non è più possibile rispondere all'invito\./g)).toHaveLength(1);
  });

  it("lists the materials the invitee may download, the nota di invito first; the reserved ones to a referente only, through the sign-in", async () => {
    const { rt, token } = invite();
    const slides = addDocumentMaterial(rt.id, { kind: "slides", title: "Slides dei relatori" });
    const note = addDocumentMaterial(rt.id, { kind: "nota_invito", title: "Nota di invito firmata" });
    const reserved = addDocumentMaterial(rt.id, { kind: "documento", title: "Scheda per gli enti", visibility: "members" });
    const page = await renderRoute(route, get(token), "/invito/:token");
    const links = [...page.html.matchAll(/<li>([^<]*)<a href="([^"]+)"[^>]*>([^<]+)<\/a>([^<]*)/g)].map((m) => `${m[1]}${m[3]}${m[4]} -> ${m[2]}`);
    expect(links).toEqual([
      `Nota-invito: Nota di invito firmata (PDF, 2 kB) -> /materiali/${note.id}`,
      `Slides: Slides dei relatori (PDF, 2 kB) -> /materiali/${slides.id}`,
      `Documento: Scheda per gli enti (PDF, 2 kB) -> /area-referente/accedi?redirectTo=%2Fmateriali%2F${reserved.id}`,
    ]);
    expect(page.html).toContain("Riservato agli enti aderenti");
    expect(page.html.replaceAll("&#x27;", "'")).toContain("I materiali riservati agli enti aderenti si scaricano dopo l'accesso all'area referente.");

    // An address that is no referente's: the public ones only.
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: ["ospite-materiali@example.org"] }, coordinatorId, appUrl: APP_URL });
    const guest = await renderRoute(route, get(answerTokenFor(rt.id, "ospite-materiali@example.org")), "/invito/:token");
    expect(guest.html).toContain(`<a href="/materiali/${note.id}">Nota di invito firmata</a>`);
    expect(guest.html).toContain(`<a href="/materiali/${slides.id}">Slides dei relatori</a>`);
    expect(guest.html).not.toContain("Scheda per gli enti");
    expect(guest.html).not.toContain("Riservato agli enti aderenti");
  });

  it("the link of an invitation moved to the referente's new address says so, without the full address, and no longer answers", async () => {
    const person = await createReferent({ provinceCode: "087" });
    const rt = createRoundTable({ mode: "online" });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [person.email] }, coordinatorId, appUrl: APP_URL });
    const oldToken = answerTokenFor(rt.id, person.email);
    await answer(oldToken, "si");
    // A coordinator corrects the address: the invitation goes there with a new link.
    const corrected = uniqueEmail("g.nuovo");
    const changes = membershipEditSchema.parse({ ...getMembershipEditValues(getDb(), { id: person.request.id })!.values, email: corrected });
    expect(updateMembershipFields(getDb(), { id: person.request.id, coordinatorId, changes, appUrl: APP_URL }).ok).toBe(true);
    const masked = `g***@${corrected.split("@")[1]}`;
    const message = `Questo invito è stato spostato al tuo nuovo indirizzo email (${masked}), dove ti abbiamo inviato un nuovo collegamento per rispondere: usa quello, questo non vale più.`;

    // The email's buttons, as the person taps them in the old mailbox.
    const page = await renderPage(get(oldToken, "?risposta=no"), oldToken);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain("Invito non trovato");
    expect(page.html).toContain(`<div class="alert alert-info" role="status">${message}</div>`);
    expect(page.html).toContain(`${masked}): <strong>Hai risposto che parteciperai.</strong>`);
    expect(page.html).not.toContain(corrected);
    expect(page.html).not.toContain('name="risposta"');
    expect(page.html).not.toContain("evento.ics");
    expect(page.html).not.toContain("meet.example.org");

    const before = invitationsOf(rt.id);
    const refused = await renderPage(await post(oldToken, { risposta: "no" }), oldToken);
    expect(refused.status).toBe(410);
    expect(refused.html).toContain(message);
    expect(invitationsOf(rt.id)).toEqual(before);
    expect((await settle(() => calendarRoute.loader(routeArgs(get(`${oldToken}/evento.ics`), { token: oldToken })))).status).toBe(404);

    // The new link answers.
    const newToken = answerTokenFor(rt.id, corrected);
    expect((await renderPage(get(newToken), newToken)).html).toContain("Hai risposto che parteciperai.");
  });

  it("an unknown token is 404 for GET and POST", async () => {
    const page = await renderRoute(route, get("non-esiste"), "/invito/:token");
    expect(page.status).toBe(404);
    expect(page.html).toContain("Invito non trovato");
    expect(page.title).toBe("Invito non trovato - Coordinamento SAI");
    const before = tableCounts();
    expect((await answer("non-esiste", "si")).status).toBe(404);
    expect(tableCounts()).toEqual(before);
  });

  it("a POST without the CSRF token, from another site or with a bad answer is refused", async () => {
    const { token, row } = invite();
    const before = row();
    const noCsrf = new Request(`${APP_URL}/invito/${token}`, {
      method: "POST",
      body: new URLSearchParams({ risposta: "si" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await expect(route.action(routeArgs(noCsrf, { token }))).rejects.toMatchObject({ status: 403 });
    const foreign = await browserPost(`/invito/${token}`, { risposta: "si" }, { origin: "https://evil.example" });
    await expect(route.action(routeArgs(foreign, { token }))).rejects.toMatchObject({ status: 403 });
    const bad = await answer(token, "forse");
    expect(bad.status).toBe(400);
    expect(row()).toEqual(before);
    expect(invitationsOf(row().roundTableId)).toHaveLength(1);
  });
});

describe("/invito/:token/evento.ics", () => {
  const download = (token: string) => settle(() => calendarRoute.loader(routeArgs(get(`${token}/evento.ics`), { token })));
  const calendarLink = (token: string) => `href="/invito/${token}/evento.ics"`;
  const pageOf = async (token: string) => (await renderRoute(route, get(token), "/invito/:token")).html;
  /** The text of an .ics but for its DTSTAMP, the time it was built. */
  const stampless = (ics: string) => ics.replace(/^DTSTAMP:\d{8}T\d{6}Z\r\n/m, "");
  /** The .ics attached to the latest email of the template sent for the Tavolo. */
  const attachmentOf = async (roundTableId: number, template: string) => {
    const row = emailsOf(roundTableId, template).at(-1)!;
    return (await renderEmail(row.template, row.props)).attachments[0].content;
  };
  const eventOf = (ics: string) => Object.values(ical.sync.parseICS(ics)).find((c): c is ical.VEvent => c?.type === "VEVENT")!;

  it("is the invitation email's calendar, with the meeting link, offered by the invitation page; private and named after the Tavolo", async () => {
    const { rt, token } = invite({ number: 45 });
    expect(await pageOf(token)).toMatch(new RegExp(`<a ${calendarLink(token)} class="btn btn-outline-primary" download="">Aggiungi al calendario \\(file \\.ics\\)</a>`));

    const response = await download(token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/calendar; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="invito-tavolo-tecnico-45.ics"');
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const ics = await response.text();
    expect(ics).toContain("METHOD:REQUEST");
    expect(eventOf(ics)).toMatchObject({
      uid: `tavolo-${rt.id}@portale.test`,
      sequence: 0,
      location: "Palermo, Sala Martorana e online: https://meet.example.org/tavolo",
    });
    expect(eventOf(ics).description).toContain("Collegamento: https://meet.example.org/tavolo");
    expect(stampless(ics)).toBe(stampless(await attachmentOf(rt.id, "round-table-invitation")));
  });

  it("follows the Tavolo's changes: the current SEQUENCE and details, as the update email's calendar; still offered once it has started", async () => {
    const { rt, token } = invite();
    const input = roundTableInput({ title: rt.title, mode: "online", onlineUrl: "https://meet.example.org/nuovo", startsAt: "2031-12-02T10:00", endsAt: "2031-12-02T12:00" });
    expect(updateRoundTable(getDb(), { id: rt.id, input, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 1 });
    const ics = await (await download(token)).text();
    expect(eventOf(ics)).toMatchObject({ uid: `tavolo-${rt.id}@portale.test`, sequence: 1, location: "Online: https://meet.example.org/nuovo" });
    expect(ics).toContain("DTSTART;TZID=Europe/Rome:20311202T100000");
    expect(stampless(ics)).toBe(stampless(await attachmentOf(rt.id, "round-table-updated")));

    getDb().update(roundTables).set({ startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + HOUR) }).where(eq(roundTables.id, rt.id)).run();
    expect(await pageOf(token)).toContain(calendarLink(token));
    expect((await download(token)).status).toBe(200);
  });

  it("shows the invitee's answer: still to answer before one (NEEDS-ACTION), attending after «Partecipo» (ACCEPTED), not attending after «Non partecipo» (DECLINED)", async () => {
    const { rt, token } = invite();
    const attendeeOf = async () => {
      const event = eventOf(await (await download(token)).text());
      expect(event.uid).toBe(`tavolo-${rt.id}@portale.test`);
      return (event.attendee as unknown as { params: Record<string, unknown>; val: string }).params.PARTSTAT;
    };
    expect(await attendeeOf()).toBe("NEEDS-ACTION");
    await answer(token, "si");
    expect(await attendeeOf()).toBe("ACCEPTED");
    await answer(token, "no");
    expect(await attendeeOf()).toBe("DECLINED");
  });

  it("is the portal's 404 page, and not offered, for an unknown token, a cancelled Tavolo, a withdrawn invitation or a Tavolo back in draft", async () => {
    const unknown = await download("non-esiste");
    await expectPortalNotFoundPage(unknown, { title: "Evento non disponibile", back: "/invito/non-esiste" });

    const cancelled = invite();
    expect(cancelRoundTable(getDb(), { id: cancelled.rt.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true });

    const revoked = await createReferent({ provinceCode: "089" });
    const rt = createRoundTable({ mode: "online" });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [revoked.email] }, coordinatorId, appUrl: APP_URL });
    const withdrawn = answerTokenFor(rt.id, revoked.email);
    expect(revokeMembership(getDb(), { appUrl: APP_URL, id: revoked.request.id, coordinatorId, reason: "Uscita dalla rete" })).toEqual({ ok: true });

    const draft = invite();
    getDb().update(roundTables).set({ status: "draft" }).where(eq(roundTables.id, draft.rt.id)).run();

    for (const token of [cancelled.token, withdrawn, draft.token]) {
      expect(await pageOf(token)).not.toContain("evento.ics");
      await expectPortalNotFoundPage(await download(token), { title: "Evento non disponibile", back: `/invito/${token}` });
    }
  });
});
