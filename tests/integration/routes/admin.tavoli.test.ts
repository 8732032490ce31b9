import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, roundTables } from "#db/schema";
import { getRoundTable, roundTableFormValues } from "~/models/round-table.server";
import * as detailRoute from "~/routes/admin.tavoli.$id";
import * as listRoute from "~/routes/admin.tavoli._index";
import * as newRoute from "~/routes/admin.tavoli.nuovo";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { createRoundTable as insertRoundTable } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { routeArgs } from "../../support/requests";
import { addInvitation, createTestRoundTable, outboxForRoundTable, roundTableFields } from "../../support/round-tables";

const { action: detailAction, loader: detailLoader } = detailRoute;
const { loader: listLoader } = listRoute;
const { action: newAction, loader: newLoader } = newRoute;

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator({ name: "Giulia Bianchi" }).id;
});


async function create(fields: Record<string, string>, who: number | null = coordinatorId) {
  return settle(async () => newAction(routeArgs(await adminPost("/admin/tavoli/nuovo", fields, who))));
}

async function post(id: number, fields: Record<string, string>, who: number | null = coordinatorId) {
  return settle(async () => detailAction(routeArgs(await adminPost(`/admin/tavoli/${id}`, fields, who), { id: String(id) })));
}

const idFrom = (response: Response) => Number(/\/admin\/tavoli\/(\d+)/.exec(response.headers.get("Location") ?? "")![1]);

describe("access", () => {
  it("sends anonymous visitors to the sign-in page, for every page and action", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const responses = [
      await settle(async () => listLoader(routeArgs(await adminGet("/admin/tavoli", null)))),
      await settle(async () => newLoader(routeArgs(await adminGet("/admin/tavoli/nuovo", null)))),
      await settle(async () => detailLoader(routeArgs(await adminGet(`/admin/tavoli/${rt.id}`, null), { id: String(rt.id) }))),
      await create(roundTableFields(), null),
      await post(rt.id, { intent: "publish" }, null),
    ];
    for (const r of responses) {
      expect(r.status).toBe(302);
      expect(r.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    }
  });

  it("answers 404 for an unknown round table", async () => {
    const r = await settle(async () => detailLoader(routeArgs(await adminGet("/admin/tavoli/999999", coordinatorId), { id: "999999" })));
    expect(r.status).toBe(404);
  });
});

describe("/admin/tavoli/nuovo", () => {
  it("proposes the next number and creates a draft", async () => {
    const page = await renderRoute(newRoute, await adminGet("/admin/tavoli/nuovo", coordinatorId));
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h1>Nuovo Tavolo tecnico</h1>");
    const data = (await (await settle(async () => newLoader(routeArgs(await adminGet("/admin/tavoli/nuovo", coordinatorId))))).json()) as {
      proposedNumber: number;
      values: { number: string };
    };
    expect(data.values.number).toBe(String(data.proposedNumber));
    for (const label of ["Numero (facoltativo)", "Titolo", "Programma (facoltativo)", "Inizio (data e ora)", "Fine (data e ora)", "Promemoria (giorni prima)", "Modalità", "Luogo", "Link per partecipare online", "Interventi a cura di (facoltativo)"]) {
      expect(page.html).toContain(`>${label}</label>`);
    }
    expect(page.html).toContain('type="datetime-local"');
    expect(page.html).toMatch(/name="reminderDays"[^>]*value="2"|value="2"[^>]*name="reminderDays"/);
    expect(page.html).toContain("0: nessun promemoria automatico.");
    // The browser's date and time field names no time zone: its hint, read with it, says which.
    for (const name of ["startsAt", "endsAt"]) {
      const describedBy = new RegExp(`<input[^>]*id="${name}"[^>]*aria-describedby="([^"]+)"`).exec(page.html)?.[1] ?? "";
      const hint = describedBy.split(" ").map((id) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page.html)?.[1]).join(" ");
      expect(hint, `the hint of ${name}`).toMatch(/ora italiana/i);
    }

    const response = await create(roundTableFields({ number: String(data.proposedNumber), title: "Il nuovo tavolo" }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/admin\/tavoli\/\d+\?esito=creato$/);
    const rt = getRoundTable(getDb(), { id: idFrom(response) })!;
    expect(rt).toMatchObject({ title: "Il nuovo tavolo", number: data.proposedNumber, status: "draft", reminderDays: 2 });
  });

  it("stores the reminder days chosen, 0 included", async () => {
    for (const days of [0, 5, 14]) {
      const response = await create(roundTableFields({ reminderDays: ` ${days} ` }));
      expect(response.status).toBe(302);
      expect(getRoundTable(getDb(), { id: idFrom(response) })!.reminderDays).toBe(days);
    }
  });

  it.each([
    ["15", "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["-1", "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["1.5", "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["due", "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["", "Indica quanti giorni prima dell'inizio inviare il promemoria (0 per non inviarlo)"],
  ])("refuses %j reminder days with a message in Italian, keeping the input", async (value, message) => {
    const before = getDb().select().from(roundTables).all().length;
    const response = await create(roundTableFields({ reminderDays: value }));
    expect(response.status).toBe(400);
    const data = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
    expect(data.errors).toEqual({ reminderDays: message });
    expect(data.values.reminderDays).toBe(value);
    expect(getDb().select().from(roundTables).all().length).toBe(before);
  });

  it("shows every problem in Italian, keeps the input and stores nothing", async () => {
    const before = getDb().select().from(roundTables).all().length;
    const fields = roundTableFields({ title: "", startsAt: "2030-12-03T17:00", endsAt: "2030-12-03T15:00", mode: "ibrido", place: "", onlineUrl: "http://non-sicuro.example.org", number: "abc" });
    const response = await create(fields);
    expect(response.status).toBe(400);
    const data = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
    expect(data.errors).toEqual({
      title: "Inserisci il titolo",
      endsAt: "La fine deve essere successiva all'inizio",
      place: "Indica il luogo dell'incontro (in presenza o ibrido)",
      onlineUrl: "Il link per partecipare online deve essere un indirizzo completo che inizia con https://",
      number: "Il numero del tavolo deve essere un numero intero da 1 a 9999 (oppure lascialo vuoto)",
    });
    expect(data.values.onlineUrl).toBe("http://non-sicuro.example.org");
    expect(getDb().select().from(roundTables).all().length).toBe(before);
  });

  it("reports a number already in use on the number field", async () => {
    createTestRoundTable(coordinatorId, { number: "777" }, { publish: false });
    const response = await create(roundTableFields({ number: "777" }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Record<string, string> }).errors.number).toMatch(/^Il numero 777 è già assegnato al tavolo «/);
  });

  it("«Duplica» prefills the form from a past round table and records the duplicate", async () => {
    const past = createTestRoundTable(coordinatorId, { title: "Modelli di rete", startsAt: "2022-03-02T15:00", endsAt: "2022-03-02T17:00", speakers: "A. Trebeschi — Brescia", reminderDays: "7" });
    const request = await adminGet(`/admin/tavoli/nuovo?da=${past.id}`, coordinatorId);
    const data = (await (await settle(() => newLoader(routeArgs(request)))).json()) as { values: Record<string, string>; source: { id: number; when: string } };
    expect(data.values).toMatchObject({ title: "Modelli di rete", speakers: "A. Trebeschi — Brescia", startsAt: "", endsAt: "", reminderDays: "7" });
    expect(data.source).toMatchObject({ id: past.id, when: "mercoledì 2 marzo 2022, dalle 15:00 alle 17:00" });
    const page = await renderRoute(newRoute, await adminGet(`/admin/tavoli/nuovo?da=${past.id}`, coordinatorId));
    expect(page.html).toContain("Stai partendo da una copia di");
    expect(page.html).toContain(`name="da" value="${past.id}"`);

    const response = await create({ ...data.values, startsAt: "2030-06-10T15:00", endsAt: "2030-06-10T17:00", da: String(past.id) });
    expect(response.status).toBe(302);
    const entry = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, "round_table"), eq(auditLog.entityId, String(idFrom(response)))))
      .get()!;
    expect(entry.action).toBe("round_table.duplicated");
    expect(entry.details).toMatchObject({ duplicatedFromId: past.id, after: { reminderDays: 7 } });
    expect(getRoundTable(getDb(), { id: idFrom(response) })!.reminderDays).toBe(7);
  });

  it("«Duplica» of a cancelled round table proposes its number, which the new one may take", async () => {
    const cancelled = createTestRoundTable(coordinatorId, { number: "707", title: "Incontro rinviato" });
    expect((await post(cancelled.id, { intent: "cancel", confirm: "on" })).status).toBe(302);
    const page = await renderRoute(newRoute, await adminGet(`/admin/tavoli/nuovo?da=${cancelled.id}`, coordinatorId));
    expect(page.html).toMatch(/name="number"[^>]*value="707"|value="707"[^>]*name="number"/);
    expect(page.html).toContain("Proposto: 707, il numero del tavolo annullato che stai riproponendo.");
    const response = await create({ ...roundTableFields({ number: "707", title: "Incontro rinviato" }), da: String(cancelled.id) });
    expect(response.status).toBe(302);
    expect(getRoundTable(getDb(), { id: idFrom(response) })).toMatchObject({ number: 707, status: "draft" });
  });
});

describe("/admin/tavoli/:id", () => {
  it("saves changes, publishes, and cancels only with the confirmation", async () => {
    const response = await create(roundTableFields({ title: "Da pubblicare" }));
    const id = idFrom(response);

    const saved = await post(id, { intent: "save", ...roundTableFields({ title: "Pubblicabile" }) });
    expect(saved.headers.get("Location")).toBe(`/admin/tavoli/${id}?esito=salvato`);
    expect(getRoundTable(getDb(), { id })!.title).toBe("Pubblicabile");

    const invalid = await post(id, { intent: "save", ...roundTableFields({ title: "" }) });
    expect(invalid.status).toBe(400);
    expect(getRoundTable(getDb(), { id })!.title).toBe("Pubblicabile");

    expect((await post(id, { intent: "publish" })).headers.get("Location")).toBe(`/admin/tavoli/${id}?esito=pubblicato`);
    expect(getRoundTable(getDb(), { id })!.status).toBe("published");
    const again = await post(id, { intent: "publish" });
    expect(again.status).toBe(409);

    addInvitation(id, "cancella-si@comune.test", "yes");
    const moved = await post(id, { intent: "save", ...roundTableFields({ title: "Pubblicabile", startsAt: "2030-12-10T15:00", endsAt: "2030-12-10T17:00" }) });
    expect(moved.headers.get("Location")).toBe(`/admin/tavoli/${id}?esito=aggiornato&n=1`);
    expect(outboxForRoundTable(id, "round-table-updated")).toHaveLength(1);

    const page = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${id}?esito=aggiornato&n=1`, coordinatorId), "/admin/tavoli/:id");
    expect(page.html).toContain("Un invitato riceverà l&#x27;aggiornamento");
    expect(page.html).toContain("Annulla il tavolo");
    expect(page.html).toContain(`href="/admin/tavoli/${id}/inviti"`);
    expect(page.html).toContain(">Inviti e risposte<");

    const unconfirmed = await post(id, { intent: "cancel" });
    expect(unconfirmed.status).toBe(400);
    expect(((await unconfirmed.json()) as { errors: Record<string, string> }).errors.confirm).toBe("Per annullare il tavolo spunta la conferma");
    expect(getRoundTable(getDb(), { id })!.status).toBe("published");

    const cancelled = await post(id, { intent: "cancel", confirm: "on" });
    expect(cancelled.headers.get("Location")).toBe(`/admin/tavoli/${id}?esito=annullato&n=1`);
    expect(getRoundTable(getDb(), { id })).toMatchObject({ status: "cancelled", sequence: 2 });
    expect(outboxForRoundTable(id, "round-table-cancelled")).toHaveLength(1);

    // Cancelled: no form to change it, a POST is refused with the reason, and it can be duplicated.
    const html = (await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${id}`, coordinatorId), "/admin/tavoli/:id")).html;
    expect(html).not.toContain("Salva le modifiche");
    expect(html).toMatch(new RegExp(`Per riproporre l&#x27;incontro, <a [^>]*href="/admin/tavoli/nuovo\\?da=${id}">duplicalo</a>.`));
    const before = getRoundTable(getDb(), { id })!;
    const refused = await post(id, { intent: "save", ...roundTableFields({ title: "Cambiato dopo l'annullamento" }) });
    expect(refused.status).toBe(400);
    expect(getRoundTable(getDb(), { id })).toEqual(before);
  });

  it("changes the reminder days: saved, audited, shown on the page; an invalid value changes nothing", async () => {
    const id = idFrom(await create(roundTableFields({ title: "Promemoria da cambiare" })));
    const page = async () => (await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${id}`, coordinatorId), "/admin/tavoli/:id")).html;
    expect(await page()).toContain("Promemoria automatico: 2 giorni prima dell&#x27;inizio");

    const saved = await post(id, { intent: "save", ...roundTableFields({ title: "Promemoria da cambiare", reminderDays: "1" }) });
    expect(saved.headers.get("Location")).toBe(`/admin/tavoli/${id}?esito=salvato`);
    expect(getRoundTable(getDb(), { id })!.reminderDays).toBe(1);
    const entry = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "round_table.updated"), eq(auditLog.entityId, String(id))))
      .get()!;
    expect(entry.details).toMatchObject({ before: { reminderDays: 2 }, after: { reminderDays: 1 }, notified: 0 });
    expect(entry.details).not.toHaveProperty("changes");
    const html = await page();
    expect(html).toContain("Promemoria automatico: un giorno prima dell&#x27;inizio");
    expect(html).toMatch(/name="reminderDays"[^>]*value="1"|value="1"[^>]*name="reminderDays"/);

    const invalid = await post(id, { intent: "save", ...roundTableFields({ title: "Promemoria da cambiare", reminderDays: "30" }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: Record<string, string> }).errors).toEqual({
      reminderDays: "I giorni del promemoria devono essere un numero intero da 0 a 14",
    });
    expect(getRoundTable(getDb(), { id })!.reminderDays).toBe(1);

    await post(id, { intent: "save", ...roundTableFields({ title: "Promemoria da cambiare", reminderDays: "0" }) });
    expect(await page()).toContain("Promemoria automatico: nessuno.");
  });

  it("announces update emails only while the Tavolo has not ended", async () => {
    const page = async (id: number) => (await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${id}`, coordinatorId), "/admin/tavoli/:id")).html;
    const upcoming = createTestRoundTable(coordinatorId);
    addInvitation(upcoming.id, "avviso-futuro@comune.test", "yes");
    expect(await page(upcoming.id)).toContain(
      "l&#x27;invitato riceverà un&#x27;email di aggiornamento (con l&#x27;evento per il calendario, se non ha declinato l&#x27;invito).",
    );
    // Who declined is told too.
    addInvitation(upcoming.id, "avviso-declinato@comune.test", "no");
    expect(await page(upcoming.id)).toContain(
      "gli invitati (2) riceveranno un&#x27;email di aggiornamento, con l&#x27;evento per il calendario per chi non ha declinato l&#x27;invito.",
    );

    const past = createTestRoundTable(coordinatorId, { startsAt: "2022-05-25T15:00", endsAt: "2022-05-25T17:00" });
    addInvitation(past.id, "avviso-passato@comune.test", "yes");
    const html = await page(past.id);
    expect(html).not.toContain("email di aggiornamento");
    expect(html).toContain("Il tavolo si è già svolto: le modifiche correggono la scheda e il calendario pubblico, senza email agli invitati.");
    const moved = await post(past.id, { intent: "save", ...roundTableFields({ title: past.title, startsAt: "2022-05-25T16:00", endsAt: "2022-05-25T18:00" }) });
    expect(moved.headers.get("Location")).toBe(`/admin/tavoli/${past.id}?esito=salvato`);
    expect(outboxForRoundTable(past.id)).toHaveLength(0);
  });

  it("says who the cancellation will reach: nobody, the only invitee, or all of them", async () => {
    const cancelBox = async (id: number) => {
      const html = (await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${id}`, coordinatorId), "/admin/tavoli/:id")).html;
      return /<h3 id="annulla-titolo"[\s\S]*?<\/form>/.exec(html)![0].replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").replaceAll("&#x27;", "'");
    };
    const rt = createTestRoundTable(coordinatorId);
    const none = await cancelBox(rt.id);
    expect(none).toContain("Il tavolo resterà nel calendario pubblico con la dicitura «Annullato». Non ci sono invitati da avvisare.");
    expect(none).toContain("Confermo: voglio annullare questo Tavolo tecnico ");
    expect(none).not.toMatch(/\(0\)|avvisare gli invitati|riceveranno/);

    addInvitation(rt.id, "unico@comune.test", "no");
    expect(await cancelBox(rt.id)).toContain(
      "«Annullato» e l'unico invitato riceverà un'email di annullamento con il file che rimuove l'evento dal calendario. Confermo: voglio annullare questo Tavolo tecnico e avvisare l'invitato",
    );
    addInvitation(rt.id, "secondo@comune.test", "yes");
    expect(await cancelBox(rt.id)).toContain("«Annullato» e tutti gli invitati (2) riceveranno un'email di annullamento");
    expect(await cancelBox(rt.id)).toContain("Confermo: voglio annullare questo Tavolo tecnico e avvisare gli invitati");
  });

  it("a cancellation sent without the tick shows its error like every form: a summary at the top linking to the tick", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const page = await renderRoute(detailRoute, await adminPost(`/admin/tavoli/${rt.id}`, { intent: "cancel" }, coordinatorId), "/admin/tavoli/:id");
    expect(page.status).toBe(400);
    const form = /<form[^>]*aria-labelledby="annulla-titolo"[\s\S]*?<\/form>/.exec(page.html)![0];
    expect(form).toMatch(/<div class="alert alert-danger" role="alert" tabindex="-1" aria-labelledby="annulla-titolo-errori" autofocus=""[^>]*><h2 id="annulla-titolo-errori" class="h4">Il modulo di annullamento contiene un errore<\/h2>/);
    expect(form).toContain('<a href="#confirm">Per annullare il tavolo spunta la conferma</a>');
    expect(form.indexOf("annulla-titolo-errori")).toBeLessThan(form.indexOf('type="checkbox"'));
    expect(form).toMatch(/<input type="checkbox" id="confirm" name="confirm" aria-invalid="true" aria-describedby="confirm-error"/);
    expect(getRoundTable(getDb(), { id: rt.id })!.status).toBe("published");
  });

  it("a past Tavolo without an online link, like the imported history, can be corrected; an upcoming one still needs the link", async () => {
    // As db/seed-demo.ts writes them: ibrido or online, no link.
    const held = insertRoundTable({ number: null, title: "Gestione delle migrazioni", mode: "ibrido", place: "Palermo", onlineUrl: null, startsAt: new Date("2022-04-27T07:00:00Z") });
    const saved = await post(held.id, { intent: "save", ...roundTableFormValues(held), title: "Gestione delle migrazioni ed esperienze dei piccoli comuni" });
    expect(saved.headers.get("Location")).toBe(`/admin/tavoli/${held.id}?esito=salvato`);
    expect(getRoundTable(getDb(), { id: held.id })).toMatchObject({ title: "Gestione delle migrazioni ed esperienze dei piccoli comuni", onlineUrl: null });

    const upcoming = createTestRoundTable(coordinatorId, { mode: "ibrido", place: "Palermo" });
    const refused = await post(upcoming.id, { intent: "save", ...roundTableFormValues(upcoming), onlineUrl: "" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: Record<string, string> }).errors).toEqual({ onlineUrl: "Inserisci il link per partecipare online (https://…)" });
  });

  it("refuses an unknown action", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const r = await post(rt.id, { intent: "elimina" });
    expect(r.status).toBe(400);
  });
});

describe("/admin/tavoli", () => {
  it("lists upcoming and past round tables with status and answers", async () => {
    const upcoming = createTestRoundTable(coordinatorId, { title: "Prossimo incontro di prova" }, { publish: false });
    const past = createTestRoundTable(coordinatorId, { title: "Incontro passato di prova", startsAt: "2022-01-31T15:00", endsAt: "2022-01-31T17:00" });
    addInvitation(past.id, "a@comune.test", "yes");
    addInvitation(past.id, "b@comune.test", "no");
    addInvitation(past.id, "c@comune.test", "pending");
    const data = (await (await settle(async () => listLoader(routeArgs(await adminGet("/admin/tavoli", coordinatorId))))).json()) as {
      upcoming: { id: number; statusLabel: string }[];
      past: { rows: { id: number; invitations: { total: number; yes: number; no: number; pending: number } }[] };
    };
    expect(data.upcoming.find((r) => r.id === upcoming.id)?.statusLabel).toBe("Bozza");
    expect(data.past.rows.find((r) => r.id === past.id)?.invitations).toEqual({ total: 3, yes: 1, no: 1, pending: 1, attended: 0, withdrawn: 0 });
    const page = await renderRoute(listRoute, await adminGet("/admin/tavoli", coordinatorId));
    expect(page.html).toContain("<h1 class=\"mb-0\">Tavoli tecnici</h1>");
    expect(page.html).toContain("Nuovo Tavolo tecnico");
    expect(page.html).toContain("3 invitati: 1 sì, 1 no, 1 in attesa");
    expect(page.html).toContain(`href="/admin/tavoli/nuovo?da=${past.id}"`);
  });
});
