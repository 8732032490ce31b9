import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { outbox, roundTables } from "#db/schema";
import { answerInvitation, sendInvitations } from "~/models/invitation.server";
import { revokeMembership } from "~/models/membership-review.server";
import { cancelRoundTable } from "~/models/round-table.server";
import * as route from "~/routes/admin.tavoli.$id_.inviti";
import { getDb } from "~/utils/db.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { answerTokenFor, auditOf, createReferent, createRoundTable, emailsOf, HOUR, invitationsOf, tableCounts } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";

const PATH = "/admin/tavoli/:id/inviti";
let coordinatorId: number;
let tp: Awaited<ReturnType<typeof createReferent>>;
let tpMsna: Awaited<ReturnType<typeof createReferent>>;
let me: Awaited<ReturnType<typeof createReferent>>;

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  tp = await createReferent({ provinceCode: "081", category: "ordinari" });
  tpMsna = await createReferent({ provinceCode: "081", category: "MSNA" });
  me = await createReferent({ provinceCode: "083", category: "MSNA" });
});

const url = (id: number, query = "") => `/admin/tavoli/${id}/inviti${query}`;
const page = async (id: number, query = "", who: number | null = coordinatorId) => renderRoute(route, await adminGet(url(id, query), who), PATH);
/** A coordinator's form post to the page (with its CSRF token); array values are repeated fields. */
async function post(id: number, fields: Record<string, string | string[]>, who: number | null = coordinatorId) {
  const flat: Record<string, string> = {};
  const repeated: [string, string][] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) v.forEach((x) => repeated.push([k, x]));
    else flat[k] = v;
  }
  const request = await adminPost(url(id), flat, who);
  if (repeated.length === 0) return request;
  const body = new URLSearchParams(await request.text());
  for (const [k, v] of repeated) body.append(k, v);
  return new Request(request.url, { method: "POST", body, headers: request.headers });
}
const act = async (id: number, fields: Record<string, string | string[]>, who: number | null = coordinatorId) => {
  const request = await post(id, fields, who);
  return settle(() => route.action(routeArgs(request, { id: String(id) })));
};
/** The page answering "Anteprima" (a POST), rendered as a browser without JavaScript gets it. */
const previewPage = async (id: number, fields: Record<string, string | string[]>) => renderRoute(route, await post(id, { intent: "anteprima", ...fields }), PATH);

describe("/admin/tavoli/:id/inviti", () => {
  it("is for coordinators only: anonymous GET and POST go to /login and change nothing", async () => {
    const rt = createRoundTable();
    const get = await settle(() => route.loader(routeArgs(new Request(`http://portale.test${url(rt.id)}`), { id: String(rt.id) })));
    expect(get.status).toBe(302);
    expect(get.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    const before = tableCounts();
    const posted = await act(rt.id, { intent: "invia", destinatari: "referenti", indirizzi: "" }, null);
    expect(posted.status).toBe(302);
    expect(posted.headers.get("Location")).toMatch(/^\/login/);
    expect(tableCounts()).toEqual(before);
  });

  it("previews the recipients (count and email) with a POST that changes nothing", async () => {
    const rt = createRoundTable({ title: "Tavolo di Trapani", number: 41 });
    const before = tableCounts();
    const result = await previewPage(rt.id, { destinatari: "referenti", provincia: "081", tipologia: "MSNA", indirizzi: "ospite@example.org\n" });
    expect(result.status).toBe(200);
    expect(result.html).toContain("<h1>Inviti: 41° Tavolo tecnico - Tavolo di Trapani</h1>");
    expect(result.html).toContain("Riceveranno l&#x27;invito 2 destinatari (compreso 1 indirizzo aggiuntivo)");
    expect(result.html).toContain(tpMsna.email);
    expect(result.html).not.toContain(tp.email);
    expect(result.html).toContain("Invito: 41° Tavolo tecnico - Tavolo di Trapani");
    expect(result.html).toMatch(/<iframe title="Anteprima dell&#x27;email di invito" sandbox="" srcDoc="/);
    // The button (its words are in SPEC.md) sends the recipients previewed (its hidden fields), not the form above.
    expect(result.html).toMatch(/<button type="submit" class="btn btn-primary">Invia inviti<\/button>/);
    // Without JavaScript the page answering the preview opens on it.
    expect(result.html).toMatch(/<h3 id="anteprima-title" class="h4" tabindex="-1" autofocus="">Anteprima<\/h3>/);
    // The send form carries the same choice.
    expect(result.html).toContain('<input type="hidden" name="provincia" value="081"/>');
    expect(result.html).toContain('<input type="hidden" name="tipologia" value="MSNA"/>');
    // The chooser shows the choice again.
    expect(result.html).toMatch(/<textarea[^>]*name="indirizzi"[^>]*>ospite@example.org\n<\/textarea>/);
    // A tipologia is chosen among open projects, those past their end date too (decision 011), as the
    // hint says: the figures, which leave those out, say «attivi».
    expect(result.html).toContain("gli enti con almeno un progetto SAI aperto di quella tipologia (anche se ha superato la data di fine, finché non viene chiuso).");
    expect(tableCounts()).toEqual(before);
  });

  it("keeps the extra addresses out of every URL: the chooser and the send form post, with their CSRF token, to the page's own address", async () => {
    const rt = createRoundTable();
    const empty = await page(rt.id, "?risposta=partecipa");
    const chooser = empty.html.match(/<form[^>]*aria-label="Scegli i destinatari"[^>]*>[\s\S]*?<\/form>/)![0];
    expect(chooser).toMatch(/^<form method="post" action="\/admin\/tavoli\/\d+\/inviti"/);
    expect(chooser).toContain('<input type="hidden" name="csrf" value="csrf-di-prova"/>');
    expect(chooser).toContain('<input type="hidden" name="intent" value="anteprima"/>');
    // The preview is no longer read from the query string.
    const old = await page(rt.id, `?anteprima=1&indirizzi=${encodeURIComponent("vecchio@example.org")}`);
    expect(old.html).not.toContain("vecchio@example.org");
    expect(old.html).not.toContain('id="anteprima-title"');
    const shown = await previewPage(rt.id, { destinatari: "indirizzi", indirizzi: "terzo@example.org" });
    for (const [, address] of shown.html.matchAll(/(?:action|href|src)="([^"]*)"/g)) expect(address).not.toContain("terzo");
    expect(shown.html).toContain(`<form method="post" action="/admin/tavoli/${rt.id}/inviti" class="mb-3"`);
    expect(shown.html).toContain('<input type="hidden" name="indirizzi" value="terzo@example.org"/>');
  });

  it("refuses a preview without the CSRF token", async () => {
    const rt = createRoundTable();
    const request = await post(rt.id, { intent: "anteprima", destinatari: "indirizzi", indirizzi: "terzo@example.org" });
    const body = new URLSearchParams(await request.text());
    body.delete("csrf");
    const forged = new Request(request.url, { method: "POST", body, headers: request.headers });
    const answer = await settle(() => route.action(routeArgs(forged, { id: String(rt.id) })));
    expect(answer.status).toBe(403);
  });

  it("shows the errors of bad extra addresses in the preview and refuses them on send", async () => {
    const rt = createRoundTable();
    const result = await previewPage(rt.id, { destinatari: "referenti", indirizzi: "buono@example.org\nnon-valido" });
    expect(result.status).toBe(400);
    expect(result.html).toContain("La scelta dei destinatari contiene un errore");
    expect(result.html).toContain("Indirizzo non valido: «non-valido»");
    expect(result.html).toContain('aria-invalid="true"');
    expect(result.html).not.toMatch(/Invia (gli inviti|l&#x27;invito)[^<]*<\/button>/);
    const before = tableCounts();
    const posted = await act(rt.id, { intent: "invia", destinatari: "referenti", indirizzi: "non-valido" });
    expect(posted.status).toBe(400);
    expect(((await posted.json()) as { errors: Record<string, string> }).errors.indirizzi).toMatch(/non valido/);
    expect(tableCounts()).toEqual(before);
  });

  it("sends the invitations once: the second click invites nobody", async () => {
    const rt = createRoundTable();
    const fields = { intent: "invia", destinatari: "referenti", indirizzi: "ospite@example.org", provincia: ["081", "083"] };
    const first = await act(rt.id, fields);
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}/inviti?inviati=4`);
    const second = await act(rt.id, fields);
    expect(second.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}/inviti?inviati=0`);
    expect(invitationsOf(rt.id).map((i) => i.email).sort()).toEqual([tp.email, tpMsna.email, me.email, "ospite@example.org"].sort());
    expect(emailsOf(rt.id, "round-table-invitation")).toHaveLength(4);
    expect(auditOf("round_table.invitations_sent", rt.id).map((a) => a.details?.count)).toEqual([4, 0]);
    const after = await page(rt.id, "?inviati=0");
    expect(after.html).toContain("Nessun nuovo invito");
    // Each invitee's email status names the email in Italian; the delivery log opens on this tavolo.
    expect(after.html).toContain("(Invito a un Tavolo tecnico)");
    expect(after.html).toContain(`href="/admin/posta?tavolo=${rt.id}">Vedi le email di questo tavolo nella posta in uscita</a>`);
  });

  it("greets an extra address by the name pasted with it, in the invitation and in later emails, and lists it by that name", async () => {
    const rt = createRoundTable();
    const address = `mario.rossi.${rt.id}@prefettura.example.org`;
    const sent = await act(rt.id, { intent: "invia", destinatari: "indirizzi", indirizzi: `"Rossi, Mario" <${address.toUpperCase()}>; senza.nome.${rt.id}@example.org` });
    expect(sent.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}/inviti?inviati=2`);
    const greeted = () => emailsOf(rt.id).map((e) => [e.template, e.recipient, (e.props as { recipientName: string | null }).recipientName]);
    expect(greeted()).toEqual([
      ["round-table-invitation", address, "Mario Rossi"],
      ["round-table-invitation", `senza.nome.${rt.id}@example.org`, null],
    ]);
    const listed = await page(rt.id);
    expect(listed.html).toContain('<th scope="row">Mario Rossi <span class="text-muted">(indirizzo aggiuntivo)</span></th>');
    expect(listed.html).toContain('<th scope="row"><span class="text-muted">Indirizzo aggiuntivo</span></th>');
    // The cancellation, queued from the invitations themselves, greets them the same way.
    expect(cancelRoundTable(getDb(), { id: rt.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 2 });
    expect(greeted().filter(([template]) => template !== "round-table-invitation")).toEqual([
      ["round-table-cancelled", address, "Mario Rossi"],
      ["round-table-cancelled", `senza.nome.${rt.id}@example.org`, null],
    ]);
  });

  it("is titled with the Tavolo's name, as its heading", async () => {
    const rt = createRoundTable({ title: "Accoglienza dei minori stranieri" });
    const shown = await page(rt.id);
    const heading = /<h1>([^<]*)<\/h1>/.exec(shown.html)![1];
    expect(heading).toMatch(/^Inviti: .* - Accoglienza dei minori stranieri$/);
    // The title joins the names as the Tavolo's own page does: «Inviti - 7° Tavolo tecnico: Titolo».
    expect(shown.title).toMatch(/^Inviti - (\d+° )?Tavolo tecnico: Accoglienza dei minori stranieri - Area coordinatori - Coordinamento SAI$/);
    expect((await page(999_999)).title).toBe("Tavolo tecnico non trovato - Area coordinatori - Coordinamento SAI");
  });

  it("explains why a draft or a started round table cannot be invited, and refuses the POST", async () => {
    const draft = createRoundTable({ status: "draft" });
    const started = createRoundTable({ startsInMs: -HOUR });
    for (const [rt, reason] of [
      [draft, "ancora in bozza"],
      [started, "già iniziato o concluso"],
    ] as const) {
      const shown = await page(rt.id);
      expect(shown.html).toContain("Non è possibile inviare inviti.");
      expect(shown.html).toContain(reason);
      expect(shown.html).not.toContain("Anteprima</button>");
      expect((await act(rt.id, { intent: "anteprima", destinatari: "referenti", indirizzi: "" })).status).toBe(409);
      const before = tableCounts();
      const posted = await act(rt.id, { intent: "invia", destinatari: "referenti", indirizzi: "" });
      expect(posted.status).toBe(409);
      expect(tableCounts()).toEqual(before);
    }
    expect((await page(999_999)).status).toBe(404);
  });

  it("lists the answers with the email status and saves attendance (audited)", async () => {
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["081", "083"] }, coordinatorId, appUrl: "http://portale.test" });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, tp.email), answer: "yes", appUrl: APP_URL });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, me.email), answer: "no", appUrl: APP_URL });
    const failed = emailsOf(rt.id).find((e) => e.recipient === tpMsna.email)!;
    getDb().update(outbox).set({ status: "failed", lastError: "550 Casella inesistente" }).where(eq(outbox.id, failed.id)).run();
    getDb().update(outbox).set({ status: "sent" }).where(eq(outbox.recipient, tp.email)).run();

    // Before the meeting starts there is no attendance to take: no column, no button, and a POST is refused.
    const early = await page(rt.id);
    expect(early.html).not.toContain('<th scope="col">Presente</th>');
    expect(early.html).not.toContain("Salva presenze");
    expect(early.html).toContain("Le presenze si registrano qui dall&#x27;inizio dell&#x27;incontro.");
    const firstId = String(invitationsOf(rt.id)[0].id);
    const refused = await act(rt.id, { intent: "presenze", mostrati: [firstId], presenti: [firstId] });
    expect(refused.status).toBe(409);
    expect(invitationsOf(rt.id).every((i) => i.attended === null)).toBe(true);

    // The meeting has started.
    getDb().update(roundTables).set({ startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + HOUR) }).where(eq(roundTables.id, rt.id)).run();
    const shown = await page(rt.id);
    expect(shown.html).toMatch(/<caption[^>]*>Risposte all&#x27;invito \(3 invitati\)<\/caption>/);
    for (const header of ["Referente", "Ente", "Email", "Risposta", "Data risposta", "Stato email", "Presente"]) {
      expect(shown.html).toContain(`<th scope="col">${header}</th>`);
    }
    const rowOf = (email: string) => shown.html.slice(shown.html.lastIndexOf("<tr>", shown.html.indexOf(email)), shown.html.indexOf("</tr>", shown.html.indexOf(email)));
    expect(rowOf(tp.email)).toContain("<td>Partecipa</td>");
    expect(rowOf(tp.email)).toContain("Inviata");
    expect(rowOf(me.email)).toContain("<td>Non partecipa</td>");
    expect(rowOf(tpMsna.email)).toContain("<td>In attesa</td>");
    expect(rowOf(tpMsna.email)).toContain("Non recapitata");
    expect(rowOf(tpMsna.email)).toContain("550 Casella inesistente");
    expect(shown.html).toContain("Salva presenze");

    const ids = invitationsOf(rt.id);
    const idOf = (email: string) => String(ids.find((i) => i.email === email)!.id);
    const saved = await act(rt.id, { intent: "presenze", mostrati: ids.map((i) => String(i.id)), presenti: [idOf(tp.email)] });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}/inviti?presenze=1`);
    expect(invitationsOf(rt.id).find((i) => i.email === tp.email)!.attended).toBe(true);
    expect(auditOf("invitation.attendance_set", idOf(tp.email))).toEqual([expect.objectContaining({ actorId: coordinatorId })]);
    const after = await page(rt.id, "?presenze=1");
    expect(after.html).toContain("Presenze salvate (1 modifica)");
    expect(after.html).toContain(`id="presente-${idOf(tp.email)}" name="presenti" checked="" value="${idOf(tp.email)}"`);

    const filtered = await page(rt.id, "?risposta=partecipa");
    expect(filtered.html).toContain(tp.email);
    expect(filtered.html).not.toContain(me.email);
  });

  it("lists apart, and counts apart, the invitation of a referente who left office before the meeting", async () => {
    const staying = await createReferent({ provinceCode: "088" });
    const leaving = await createReferent({ provinceCode: "088" });
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [staying.email, leaving.email] }, coordinatorId, appUrl: "http://portale.test" });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, leaving.email), answer: "yes", appUrl: APP_URL });
    expect(revokeMembership(getDb(), { appUrl: "http://portale.test", id: leaving.request.id, coordinatorId, reason: "Uscita dalla rete" })).toEqual({ ok: true });

    const all = await page(rt.id);
    expect(all.html).toMatch(/Tutti gli invitati <span class="badge bg-secondary">1<\/span>/);
    expect(all.html).toMatch(/Partecipa <span class="badge bg-primary">0<\/span>/);
    expect(all.html).toMatch(/href="\/admin\/tavoli\/\d+\/inviti\?risposta=ritirati"[^>]*>Inviti ritirati <span class="badge bg-secondary">1<\/span>/);
    expect(all.html).toContain(staying.email);
    expect(all.html).not.toContain(leaving.email);

    const withdrawn = await page(rt.id, "?risposta=ritirati");
    expect(withdrawn.html).toContain(leaving.email);
    expect(withdrawn.html).not.toContain(staying.email);
    expect(withdrawn.html).toContain('Partecipa<span class="text-muted"> (invito ritirato)</span>');
    expect(withdrawn.html).toContain("non contano tra gli invitati e le risposte");
  });
});
