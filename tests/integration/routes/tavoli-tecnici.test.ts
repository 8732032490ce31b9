import { gunzipSync } from "node:zlib";
import ical from "node-ical";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { answerInvitation, sendInvitations } from "~/models/invitation.server";
import { addLinkMaterial } from "~/models/material.server";
import { cancelRoundTable, updateRoundTable } from "~/models/round-table.server";
import * as myTavoliRoute from "~/routes/area-referente.tavoli";
import * as detailRoute from "~/routes/tavoli-tecnici.$id";
import * as eventRoute from "~/routes/tavoli-tecnici.$id_.evento[.]ics";
import * as listRoute from "~/routes/tavoli-tecnici._index";
import * as feedRoute from "~/routes/tavoli-tecnici[.]ics";
import { getDb } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { createTestCoordinator, settle } from "../../support/admin";
import { answerTokenFor, emailsOf, invitationsOf } from "../../support/invitations";
import { createReferent, referentCookie, referentGet } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import { createTestRoundTable, roundTableInput } from "../../support/round-tables";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

let coordinatorId: number;
let december: ReturnType<typeof createTestRoundTable>;
let june: ReturnType<typeof createTestRoundTable>;
let draft: ReturnType<typeof createTestRoundTable>;
let cancelled: ReturnType<typeof createTestRoundTable>;
let past: ReturnType<typeof createTestRoundTable>;

beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
  // Winter time (UTC+1) and summer time (UTC+2).
  december = createTestRoundTable(coordinatorId, { number: "31", title: "Incontro di dicembre", startsAt: "2030-12-03T15:00", endsAt: "2030-12-03T17:00" });
  june = createTestRoundTable(coordinatorId, {
    number: "32",
    title: "Incontro di giugno",
    startsAt: "2031-06-10T09:30",
    endsAt: "2031-06-10T13:00",
    mode: "ibrido",
    place: "Palermo, sede di ANCI Sicilia",
    onlineUrl: "https://meet.example.org/segreto",
    speakers: "G. Zollo — Welcome\nM. Alberti",
  });
  draft = createTestRoundTable(coordinatorId, { number: "33", title: "Bozza riservata" }, { publish: false });
  cancelled = createTestRoundTable(coordinatorId, { number: "34", title: "Incontro annullato", startsAt: "2031-01-20T15:00", endsAt: "2031-01-20T17:00" });
  cancelRoundTable(getDb(), { id: cancelled.id, coordinatorId, appUrl: APP_URL });
  past = createTestRoundTable(coordinatorId, { number: "3", title: "Coordinamento dei Progetti SAI della Provincia di Brescia", startsAt: "2022-03-02T15:00", endsAt: "2022-03-02T17:00" });
  addLinkMaterial(getDb(), {
    roundTableId: past.id,
    input: { kind: "video", title: "Video dell'incontro", curatedBy: null, visibility: "public", url: "https://www.youtube.com/watch?v=W8nMwuZY0xs" },
    coordinatorId,
  });
  addLinkMaterial(getDb(), {
    roundTableId: past.id,
    input: { kind: "documento", title: "Documento riservato", curatedBy: null, visibility: "members", url: "https://example.org/riservato" },
    coordinatorId,
  });
});

const get = (path: string) => new Request(`${APP_URL}${path}`);

function parse(text: string) {
  const parsed = ical.sync.parseICS(text);
  const events = Object.values(parsed).filter((c): c is ical.VEvent => c?.type === "VEVENT");
  return { events, method: (parsed.vcalendar as unknown as { method?: string } | undefined)?.method, byUid: (uid: string) => events.find((e) => e.uid === uid) };
}

/** The UID of a Tavolo in the public files (the invitations carry `tavolo-<id>@portale.test`). */
const uid = (id: number) => `tavolo-${id}-calendario@portale.test`;

describe("/tavoli-tecnici", () => {
  it("shows upcoming meetings and the archive, cancelled ones marked, never drafts", async () => {
    const { status, html } = await renderRoute(listRoute, get("/tavoli-tecnici"));
    expect(status).toBe(200);
    expect(html.match(/<h1/g)).toHaveLength(1);
    expect(html).toContain("<h1>Tavoli tecnici</h1>");
    expect(html).toContain("Prossimi incontri");
    expect(html).toContain("Archivio");
    const [upcoming, archive] = html.split("Archivio</h2>");
    expect(upcoming).toContain("31° Tavolo tecnico - 3 dicembre 2030");
    expect(upcoming).toContain("martedì 3 dicembre 2030, dalle 15:00 alle 17:00");
    expect(upcoming).toContain("32° Tavolo tecnico - 10 giugno 2031");
    expect(upcoming).toContain("Ibrido (in presenza e online) · Palermo, sede di ANCI Sicilia");
    expect(upcoming).toContain("Welcome (a cura di G. Zollo)");
    expect(upcoming).toContain("A cura di M. Alberti");
    expect(upcoming).toMatch(/34° Tavolo tecnico - 20 gennaio 2031<\/a><span class="badge bg-danger ms-2">Annullato<\/span>/);
    expect(archive).toContain("3° Tavolo tecnico - 2 marzo 2022");
    expect(archive).toContain('href="https://www.youtube.com/watch?v=W8nMwuZY0xs"');
    expect(html).not.toContain("Documento riservato");
    expect(html).not.toContain("Bozza riservata");
    expect(html).not.toContain("meet.example.org/segreto");
    expect(html).toContain('href="/tavoli-tecnici.ics"');
  });
});

describe("/tavoli-tecnici/:id", () => {
  it("shows the details, programme, speakers, public materials and the calendar download", async () => {
    const { status, html } = await renderRoute(detailRoute, get(`/tavoli-tecnici/${june.id}`), "/tavoli-tecnici/:id");
    expect(status).toBe(200);
    expect(html.match(/<h1/g)).toHaveLength(1);
    expect(html).toContain("<h1>Incontro di giugno</h1>");
    expect(html).toContain("martedì 10 giugno 2031, dalle 09:30 alle 13:00");
    expect(html).toContain("Palermo, sede di ANCI Sicilia");
    expect(html).toContain("15:00 Saluti");
    expect(html).toContain(`href="/tavoli-tecnici/${june.id}/evento.ics"`);
    // The link downloads a file: it says which kind.
    expect(html).toContain("Aggiungi al calendario (file .ics)");
    expect(html).not.toContain("meet.example.org/segreto");
  });

  it("tells the invitees of an online or hybrid meeting to come that their own calendar file has the link, which this one lacks", async () => {
    const hint =
      "Questo file non contiene il collegamento per partecipare online. Se hai ricevuto l&#x27;invito, usa invece il file allegato all&#x27;email di invito (lo trovi anche nella pagina dell&#x27;invito): contiene anche il collegamento.";
    const pageOf = async (id: number) => (await renderRoute(detailRoute, get(`/tavoli-tecnici/${id}`), "/tavoli-tecnici/:id")).html;
    for (const rt of [june, december]) {
      const html = await pageOf(rt.id);
      expect(html).toContain(`<p id="calendario-invitati" class="form-text">${hint}</p>`);
      expect(html).toMatch(new RegExp(`<a href="/tavoli-tecnici/${rt.id}/evento.ics" class="btn btn-outline-primary" download="" aria-describedby="calendario-invitati">`));
    }
    // In person there is no link to miss; a past or cancelled meeting needs none.
    const inPerson = createTestRoundTable(coordinatorId, { title: "Incontro in sede", mode: "in_presenza", place: "Catania", onlineUrl: "" });
    for (const id of [inPerson.id, past.id, cancelled.id]) {
      const html = await pageOf(id);
      expect(html).not.toContain("Se hai ricevuto l&#x27;invito");
      expect(html).not.toContain("aria-describedby=\"calendario-invitati\"");
    }
  });

  it("lists the materials reserved to the members for an active referente, and tells everyone else that there are more", async () => {
    const anonymous = await renderRoute(detailRoute, get(`/tavoli-tecnici/${past.id}`), "/tavoli-tecnici/:id");
    expect(anonymous.html).toContain("Video dell&#x27;incontro");
    expect(anonymous.html).not.toContain("Documento riservato");
    // The sign-in brings the referente back to this page.
    expect(anonymous.html).toMatch(
      new RegExp(`Un altro materiale è riservato ai referenti\\s+degli enti aderenti: <a[^>]*href="/area-referente/accedi\\?redirectTo=%2Ftavoli-tecnici%2F${past.id}"`),
    );

    const active = await createReferent("active");
    const activeCookie = (await referentCookie(active.referentId)).cookie;
    const member = await renderRoute(detailRoute, referentGet(`/tavoli-tecnici/${past.id}`, activeCookie), "/tavoli-tecnici/:id");
    expect(member.html).toMatch(/Documento riservato<\/a> \(link esterno\)<span class="badge bg-secondary ms-2">Riservato agli enti aderenti<\/span>/);
    expect(member.html).not.toContain("è riservato ai referenti");

    const waiting = await createReferent("pending");
    const waitingCookie = (await referentCookie(waiting.referentId)).cookie;
    const pending = await renderRoute(detailRoute, referentGet(`/tavoli-tecnici/${past.id}`, waitingCookie), "/tavoli-tecnici/:id");
    expect(pending.html).not.toContain("Documento riservato");
  });

  it("does not call the reserved materials «altri» when no material is public", async () => {
    const onlyReserved = createTestRoundTable(coordinatorId, { number: "52", title: "Solo materiali riservati", startsAt: "2022-05-02T15:00", endsAt: "2022-05-02T17:00" });
    const reserved = (title: string) =>
      addLinkMaterial(getDb(), {
        roundTableId: onlyReserved.id,
        input: { kind: "documento", title, curatedBy: null, visibility: "members", url: "https://example.org/riservato" },
        coordinatorId,
      });
    const page = async () => (await renderRoute(detailRoute, get(`/tavoli-tecnici/${onlyReserved.id}`), "/tavoli-tecnici/:id")).html;
    reserved("Primo documento");
    expect(await page()).toMatch(/<p>Un materiale è riservato ai referenti\s+degli enti aderenti/);
    reserved("Secondo documento");
    expect(await page()).toMatch(/<p>2 materiali sono riservati ai referenti\s+degli enti aderenti/);
  });

  it("marks a cancelled meeting and answers 404 for drafts and unknown ids", async () => {
    const page = await renderRoute(detailRoute, get(`/tavoli-tecnici/${cancelled.id}`), "/tavoli-tecnici/:id");
    expect(page.html).toContain("<strong>Annullato.</strong>");
    for (const id of [String(draft.id), "999999", "abc"]) {
      const response = await settle(() => detailRoute.loader(routeArgs(get(`/tavoli-tecnici/${id}`), { id })));
      expect(response.status).toBe(404);
      const ics = await settle(() => eventRoute.loader(routeArgs(get(`/tavoli-tecnici/${id}/evento.ics`), { id })));
      await expectPortalNotFoundPage(ics, { title: "Tavolo tecnico non trovato", back: "/tavoli-tecnici" });
    }
  });

  it("names a cancelled Tavolo's .ics apart from the Tavolo proposed again under its number", async () => {
    const first = createTestRoundTable(coordinatorId, { number: "41", title: "Incontro da rinviare", startsAt: "2031-03-04T15:00", endsAt: "2031-03-04T17:00" });
    expect(cancelRoundTable(getDb(), { id: first.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true });
    const again = createTestRoundTable(coordinatorId, { number: "41", title: "Incontro da rinviare", startsAt: "2031-03-18T15:00", endsAt: "2031-03-18T17:00" });
    const names = [first, again].map(async ({ id }) => {
      const response = await settle(() => eventRoute.loader(routeArgs(get(`/tavoli-tecnici/${id}/evento.ics`), { id: String(id) })));
      return response.headers.get("Content-Disposition");
    });
    expect(await Promise.all(names)).toEqual([
      'attachment; filename="tavolo-tecnico-41-del-2031-03-04-annullato.ics"',
      'attachment; filename="tavolo-tecnico-41.ics"',
    ]);
  });

  it("tells a signed-in referente invited to an online or hybrid meeting their answer and where to answer and find the link; everyone else reads that the link goes to the invitees", async () => {
    const rt = createTestRoundTable(coordinatorId, { title: "Incontro ibrido con invito", mode: "ibrido", place: "Palermo", startsAt: "2031-05-06T10:00", endsAt: "2031-05-06T12:00" });
    const invited = await createReferent("active");
    const notInvited = await createReferent("active");
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [invited.email] }, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });
    const [invitation] = invitationsOf(rt.id);
    expect(invitation.referentId).toBe(invited.referentId);
    const invitedCookie = (await referentCookie(invited.referentId)).cookie;
    const generic = "Modalità</dt><dd>Ibrido (in presenza e online). Il collegamento è inviato agli enti invitati.</dd>";
    const pageFor = async (cookie: string | null) => (await renderRoute(detailRoute, referentGet(`/tavoli-tecnici/${rt.id}`, cookie), "/tavoli-tecnici/:id")).html;
    /** The note to the invitee, as read. */
    const noteOf = (html: string) => /<p class="alert alert-info">(.*?)<\/p>/.exec(html)?.[1].replace(/<[^>]+>/g, "").replaceAll("&#x27;", "'") ?? null;
    const myTavoli = `href="/area-referente/tavoli#invito-${invitation.id}"`;

    for (const html of [await pageFor(null), await pageFor((await referentCookie(notInvited.referentId)).cookie)]) {
      expect(html).toContain(generic);
      expect(noteOf(html)).toBeNull();
    }

    const pending = await pageFor(invitedCookie);
    expect(pending).not.toContain("Il collegamento è inviato agli enti invitati");
    expect(pending).toContain("<dd>Ibrido (in presenza e online)</dd>");
    expect(pending).toContain(myTavoli);
    expect(noteOf(pending)).toBe(
      "Il tuo ente è invitato a questo Tavolo tecnico. Non hai ancora risposto. Rispondi all'invito in «I miei Tavoli» dell'area referente: lì trovi anche il collegamento per partecipare online.",
    );
    // The page is everyone's: the link itself stays in the referent area.
    expect(pending).not.toContain("meet.example.org");

    const token = answerTokenFor(rt.id, invited.email);
    answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL });
    expect(noteOf(await pageFor(invitedCookie))).toBe(
      "Il tuo ente è invitato a questo Tavolo tecnico. La tua risposta: «Partecipo». Trovi il collegamento per partecipare online in «I miei Tavoli» dell'area referente, dove puoi anche cambiare la risposta.",
    );
    answerInvitation(getDb(), { token, answer: "no", appUrl: APP_URL });
    expect(noteOf(await pageFor(invitedCookie))).toBe(
      "Il tuo ente è invitato a questo Tavolo tecnico. La tua risposta: «Non partecipo». Se ora puoi partecipare, cambia la risposta in «I miei Tavoli» dell'area referente: lì trovi poi il collegamento per partecipare online.",
    );

    // Where the note leads: their invitation among «I miei Tavoli».
    const mine = await renderRoute(myTavoliRoute, referentGet("/area-referente/tavoli", invitedCookie));
    expect(mine.html).toMatch(new RegExp(`<li id="invito-${invitation.id}" class="card card-bg mb-4">.*?<a href="/tavoli-tecnici/${rt.id}">`));
  });

  it("offers the event as an .ics (METHOD:PUBLISH) with Europe/Rome times", async () => {
    const response = await settle(() => eventRoute.loader(routeArgs(get(`/tavoli-tecnici/${june.id}/evento.ics`), { id: String(june.id) })));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/calendar; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="tavolo-tecnico-32.ics"');
    const text = await response.text();
    const { events, method } = parse(text);
    expect(method).toBe("PUBLISH");
    expect(events).toHaveLength(1);
    expect(events[0].uid).toBe(uid(june.id));
    expect(events[0].start.toISOString()).toBe("2031-06-10T07:30:00.000Z");
    expect(text).toContain("DTSTART;TZID=Europe/Rome:20310610T093000");
    expect(text).not.toContain("segreto");
  });
});

describe("/tavoli-tecnici.ics", () => {
  it("is a valid feed of every published and cancelled round table with stable UIDs, SEQUENCE and Rome times across DST", async () => {
    const response = await settle(() => feedRoute.loader(routeArgs(get("/tavoli-tecnici.ics"))));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/calendar; charset=utf-8");
    const text = await response.text();
    expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    const feed = parse(text);
    expect(feed.method).toBe("PUBLISH");
    expect(feed.byUid(uid(draft.id))).toBeUndefined();
    expect(text).not.toContain("Bozza riservata");

    const dec = feed.byUid(uid(december.id))!;
    expect(dec.start.toISOString()).toBe("2030-12-03T14:00:00.000Z"); // 15:00 CET
    expect(dec.end!.toISOString()).toBe("2030-12-03T16:00:00.000Z");
    expect(dec.start.tz).toBe("Europe/Rome");
    const jun = feed.byUid(uid(june.id))!;
    expect(jun.start.toISOString()).toBe("2031-06-10T07:30:00.000Z"); // 09:30 CEST
    expect(jun.end!.toISOString()).toBe("2031-06-10T11:00:00.000Z");
    expect(jun.location).toBe("Palermo, sede di ANCI Sicilia e online");
    expect(Number(jun.sequence)).toBe(0);

    const cancel = feed.byUid(uid(cancelled.id))!;
    expect(cancel.status).toBe("CANCELLED");
    expect(Number(cancel.sequence)).toBe(1);
    expect(feed.byUid(uid(past.id))?.start.toISOString()).toBe("2022-03-02T14:00:00.000Z");

    // A change of date is reflected with the same UID and a higher SEQUENCE.
    updateRoundTable(getDb(), {
      id: december.id,
      input: roundTableInput({ number: "31", title: "Incontro di dicembre", startsAt: "2030-12-04T16:00", endsAt: "2030-12-04T18:00" }),
      coordinatorId,
      appUrl: APP_URL,
    });
    const updated = parse(await (await settle(() => feedRoute.loader(routeArgs(get("/tavoli-tecnici.ics"))))).text()).byUid(uid(december.id))!;
    expect(Number(updated.sequence)).toBe(1);
    expect(updated.start.toISOString()).toBe("2030-12-04T15:00:00.000Z");
  });
});

describe("/tavoli-tecnici.ics as calendars poll it", () => {
  const getFeed = (headers: Record<string, string> = {}) =>
    settle(() => feedRoute.loader(routeArgs(new Request(`${APP_URL}/tavoli-tecnici.ics`, { headers }))));

  it("answers 304 to a calendar that has the current version, gzips for those that accept it, and changes with the round tables", async () => {
    const first = await getFeed();
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const text = await first.text();
    // The same version while nothing changes, however late it is asked for: same bytes (DTSTAMP,
    // the time it was built, included) and ETag.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3_600_000 });
    const again = await getFeed().finally(() => vi.useRealTimers());
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe(text);

    const notModified = await getFeed({ "If-None-Match": etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");

    const zipped = await getFeed({ "Accept-Encoding": "gzip, deflate" });
    expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
    expect(zipped.headers.get("Vary")).toBe("Accept-Encoding");
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString("utf8")).toBe(text);

    // A new round table is published: a new version, which the old ETag no longer matches.
    const added = createTestRoundTable(coordinatorId, { number: "35", title: "Incontro aggiunto dopo", startsAt: "2031-09-15T10:00", endsAt: "2031-09-15T12:00" });
    const changed = await getFeed({ "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).not.toBe(etag);
    expect(parse(await changed.text()).byUid(uid(added.id))?.summary).toBe("35° Tavolo tecnico: Incontro aggiunto dopo");
  });
});


describe("a cancelled meeting proposed again under its number", () => {
  it("shows both in the calendar, each with its own page, event and UID in the feed", async () => {
    // The 34th was cancelled (beforeAll); the meeting comes back, under the same number, a month later.
    const again = createTestRoundTable(coordinatorId, { number: "34", title: "Incontro annullato", startsAt: "2031-02-20T15:00", endsAt: "2031-02-20T17:00" });
    const { html } = await renderRoute(listRoute, get("/tavoli-tecnici"));
    expect(html).toMatch(/34° Tavolo tecnico - 20 gennaio 2031<\/a><span class="badge bg-danger ms-2">Annullato<\/span>/);
    expect(html).toMatch(/34° Tavolo tecnico - 20 febbraio 2031<\/a><\/h3>/);
    for (const rt of [cancelled, again]) {
      expect((await renderRoute(detailRoute, get(`/tavoli-tecnici/${rt.id}`), "/tavoli-tecnici/:id")).status).toBe(200);
      const event = await settle(() => eventRoute.loader(routeArgs(get(`/tavoli-tecnici/${rt.id}/evento.ics`), { id: String(rt.id) })));
      expect(parse(await event.text()).events.map((e) => e.uid)).toEqual([uid(rt.id)]);
    }
    const feed = parse(await (await settle(() => feedRoute.loader(routeArgs(get("/tavoli-tecnici.ics"))))).text());
    expect(feed.byUid(uid(cancelled.id))?.status).toBe("CANCELLED");
    expect(feed.byUid(uid(again.id))).toMatchObject({ status: "CONFIRMED", summary: "34° Tavolo tecnico: Incontro annullato" });
  });
});

describe("the public calendar files and an invitee's calendar", () => {
  /** The one event of the .ics attached to each email of the template sent for the Tavolo, with the file's METHOD. */
  const attachedEvents = async (roundTableId: number, template: string) =>
    Promise.all(
      emailsOf(roundTableId, template).map(async (row) => {
        const { attachments } = await renderEmail(row.template, row.props);
        const { events, method } = parse(attachments[0].content);
        expect(events).toHaveLength(1);
        return { ...events[0], method };
      }),
    );

  it("never share a UID: importing a public file cannot replace the invitation's event, which the update and the cancellation still replace", async () => {
    const rt = createTestRoundTable(coordinatorId, { number: "36", title: "Incontro con invito", startsAt: "2031-04-08T10:00", endsAt: "2031-04-08T12:00" });
    const sent = sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: ["invitata@ospite.test"] }, coordinatorId, appUrl: APP_URL });
    expect(sent).toEqual({ ok: true, count: 1 });
    const [invitation] = await attachedEvents(rt.id, "round-table-invitation");
    expect(invitation).toMatchObject({ uid: `tavolo-${rt.id}@portale.test`, method: "REQUEST", location: "Online: https://meet.example.org/tavolo" });

    const single = parse(await (await settle(() => eventRoute.loader(routeArgs(get(`/tavoli-tecnici/${rt.id}/evento.ics`), { id: String(rt.id) })))).text());
    const feed = parse(await (await settle(() => feedRoute.loader(routeArgs(get("/tavoli-tecnici.ics"))))).text());
    for (const publicFile of [single, feed]) {
      expect(publicFile.byUid(invitation.uid)).toBeUndefined();
      expect(publicFile.byUid(uid(rt.id))).toMatchObject({ summary: "36° Tavolo tecnico: Incontro con invito", location: "Online" });
    }

    // The update and the cancellation reach the event the invitation put in the invitee's calendar.
    const input = roundTableInput({ number: "36", title: "Incontro con invito", startsAt: "2031-04-09T10:00", endsAt: "2031-04-09T12:00" });
    expect(updateRoundTable(getDb(), { id: rt.id, input, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 1 });
    const updates = await attachedEvents(rt.id, "round-table-updated");
    expect(updates).toMatchObject([{ uid: invitation.uid, method: "REQUEST", sequence: 1 }]);
    // The same description, programme included: only the time moved.
    expect(invitation.description).toContain("15:00 Saluti\n15:15 Interventi");
    expect(updates[0].description).toBe(invitation.description);
    expect(cancelRoundTable(getDb(), { id: rt.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 1 });
    expect(await attachedEvents(rt.id, "round-table-cancelled")).toMatchObject([{ uid: invitation.uid, method: "CANCEL", status: "CANCELLED", sequence: 2 }]);
  });
});
