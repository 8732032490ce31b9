import fs from "node:fs";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { strToU8 } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { communications, outbox } from "#db/schema";
import { communicationRecipients, sendCommunication } from "~/models/communication.server";
import { setCommunicationsPreference } from "~/models/referent.server";
import * as detailRoute from "~/routes/admin.comunicazioni.$id";
import * as attachmentRoute from "~/routes/admin.comunicazioni.$id_.allegato";
import * as listRoute from "~/routes/admin.comunicazioni._index";
import * as newRoute from "~/routes/admin.comunicazioni.nuova";
import { commitCsrfToken } from "~/utils/csrf.server";
import { MAX_BODY_LENGTH } from "~/validation/communications";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { auditOf, createReferent, tableCounts } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

const PDF = strToU8("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");
const HTML = strToU8("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");

// Each test file has its own database, so the segments below contain exactly the referenti created here.
let coordinatorId: number;
let msna: Awaited<ReturnType<typeof createReferent>>;
let ordinari: Awaited<ReturnType<typeof createReferent>>;
let optedOut: Awaited<ReturnType<typeof createReferent>>;
let otherProvince: Awaited<ReturnType<typeof createReferent>>;
let pending: Awaited<ReturnType<typeof createReferent>>;

beforeAll(async () => {
  coordinatorId = createTestCoordinator({ name: "Giulia Ferro" }).id;
  msna = await createReferent({ provinceCode: "089", category: "MSNA" });
  ordinari = await createReferent({ provinceCode: "089", category: "ordinari" });
  optedOut = await createReferent({ provinceCode: "089", category: "MSNA" });
  otherProvince = await createReferent({ provinceCode: "088", category: "MSNA" });
  pending = await createReferent({ provinceCode: "089", category: "MSNA", state: "pending" });
  setCommunicationsPreference(getDb(), { email: optedOut.email, receives: false });
});

type Fields = { oggetto?: string; testo?: string; provincia?: string[]; tipologia?: string[]; bozza?: string; rimuoviAllegato?: boolean };

async function saveRequest(fields: Fields, file?: { name: string; bytes: Uint8Array }) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const form = new FormData();
  form.set("csrf", token);
  form.set("oggetto", fields.oggetto ?? "Nuovo vademecum sull'accoglienza");
  form.set("testo", fields.testo ?? "È disponibile il nuovo vademecum.\n\nLo trovate in allegato.");
  for (const p of fields.provincia ?? ["089"]) form.append("provincia", p);
  for (const t of fields.tipologia ?? []) form.append("tipologia", t);
  if (fields.bozza) form.set("bozza", fields.bozza);
  if (fields.rimuoviAllegato) form.set("rimuoviAllegato", "on");
  form.set("allegato", file ? new File([new Uint8Array(file.bytes)], file.name, { type: "application/pdf" }) : new File([], "", { type: "application/octet-stream" }));
  const session = (await sessionCookieFor(coordinatorId)).cookie;
  return new Request(`${APP_URL}/admin/comunicazioni/nuova`, {
    method: "POST",
    body: form,
    headers: { Cookie: `${setCookie!.split(";")[0]}; ${session}`, Origin: APP_URL },
  });
}

const save = async (fields: Fields, file?: { name: string; bytes: Uint8Array }) => settle(async () => newRoute.action(routeArgs(await saveRequest(fields, file))));

async function saveDraft(fields: Fields = {}, file?: { name: string; bytes: Uint8Array }) {
  const response = await save(fields, file);
  expect(response.status).toBe(302);
  const id = Number(response.headers.get("Location")!.split("/").pop());
  expect(id).toBeGreaterThan(0);
  return id;
}

const draftOf = (id: number) => getDb().select().from(communications).where(eq(communications.id, id)).get()!;
const emailsOf = (id: number) => getDb().select().from(outbox).where(eq(outbox.communicationId, id)).orderBy(outbox.id).all();
const detail = async (id: number, query = "") => renderRoute(detailRoute, await adminGet(`/admin/comunicazioni/${id}${query}`, coordinatorId), "/admin/comunicazioni/:id");
const post = async (id: number, intent: string, who: number | null = coordinatorId, fields: Record<string, string> = {}) =>
  settle(async () => detailRoute.action(routeArgs(await adminPost(`/admin/comunicazioni/${id}`, { intent, ...fields }, who), { id: String(id) })));
const postedPage = async (id: number, fields: Record<string, string>) =>
  renderRoute(detailRoute, await adminPost(`/admin/comunicazioni/${id}`, fields, coordinatorId), "/admin/comunicazioni/:id");

describe("the recipients of a comunicazione", () => {
  it("are the active referenti of the segment who did not opt out, one per address", () => {
    const emails = (segment: Parameters<typeof communicationRecipients>[1]) => communicationRecipients(getDb(), segment).map((r) => r.email);
    expect(emails({ provinceCodes: ["089"] })).toEqual([msna.email, ordinari.email]);
    expect(emails({ provinceCodes: ["089"], categories: ["MSNA"] })).toEqual([msna.email]);
    expect(emails({ provinceCodes: ["088", "089"], categories: ["MSNA"] })).toEqual([msna.email, otherProvince.email]);
    const everyone = emails({});
    expect(everyone).toEqual(expect.arrayContaining([msna.email, ordinari.email, otherProvince.email]));
    expect(everyone).not.toContain(optedOut.email);
    expect(everyone).not.toContain(pending.email);
    expect(new Set(everyone).size).toBe(everyone.length);
  });
});

describe("/admin/comunicazioni", () => {
  it("is for coordinators only", async () => {
    const list = await settle(() => listRoute.loader(routeArgs(new Request(`${APP_URL}/admin/comunicazioni`))));
    expect(list.status).toBe(302);
    expect(list.headers.get("Location")).toMatch(/^\/login/);
    const id = await saveDraft();
    const before = tableCounts();
    const sent = await post(id, "invia", null);
    expect(sent.status).toBe(302);
    expect(sent.headers.get("Location")).toMatch(/^\/login/);
    expect(tableCounts()).toEqual(before);
    const file = await settle(() => attachmentRoute.loader(routeArgs(new Request(`${APP_URL}/admin/comunicazioni/${id}/allegato`), { id: String(id) })));
    expect(file.status).toBe(302);
  });

  it("saves a draft with its attachment, previews the audience and the email, and sends nothing yet", async () => {
    const before = tableCounts();
    const id = await saveDraft({ tipologia: [] }, { name: "Vademecum 2026.pdf", bytes: PDF });
    const draft = draftOf(id);
    expect(draft).toMatchObject({ status: "draft", subject: "Nuovo vademecum sull'accoglienza", provinceCodes: ["089"], categories: [], createdBy: coordinatorId });
    expect(draft.attachmentDownloadName).toBe("Vademecum 2026.pdf");
    expect(draft.attachmentMimeType).toBe("application/pdf");
    expect(draft.attachmentStoredName).toMatch(/^[a-f0-9]{32}$/);
    expect(fs.readFileSync(path.join(getEnv().uploadsDir, draft.attachmentStoredName!))).toEqual(Buffer.from(PDF));
    expect(tableCounts().outbox).toBe(before.outbox);

    const page = await detail(id);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Riceveranno la comunicazione 2 referenti");
    expect(page.html).toContain("1 referente ha scelto di non ricevere le comunicazioni");
    expect(page.html).toContain(msna.email);
    expect(page.html).toContain(ordinari.email);
    expect(page.html).not.toContain(optedOut.email);
    expect(page.html).toContain("provincia: Siracusa");
    // The attachment's link says its format and size, as the public material links do.
    expect(page.html).toContain(`<a href="/admin/comunicazioni/${id}/allegato">Vademecum 2026.pdf</a> (PDF, 1 kB)`);
    expect(page.html).toContain("Invia la comunicazione</button>");
    // The preview is the email itself: greeting, both paragraphs, the attachment and the opt-out link.
    expect(page.html).toMatch(/<iframe title="Anteprima dell&#x27;email della comunicazione" sandbox="" srcDoc="/);
    expect(page.html).toContain("Lo trovate in allegato.");
    expect(page.html).toContain("In allegato: Vademecum 2026.pdf");
    expect(page.html).toContain("Disiscriviti");

    const download = await settle(async () => attachmentRoute.loader(routeArgs(await adminGet(`/admin/comunicazioni/${id}/allegato`, coordinatorId), { id: String(id) })));
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("application/pdf");
    expect(download.headers.get("Content-Disposition")).toContain('filename="Vademecum 2026.pdf"');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(PDF));

    // A comunicazione without an attachment, or an unknown one: the portal's 404 page, with the way back.
    const plain = await saveDraft();
    for (const missing of [plain, 999_999]) {
      const response = await settle(async () => attachmentRoute.loader(routeArgs(await adminGet(`/admin/comunicazioni/${missing}/allegato`, coordinatorId), { id: String(missing) })));
      await expectPortalNotFoundPage(response, { title: "Allegato non trovato", back: "/admin/comunicazioni" });
    }
  });

  it("refuses an empty subject or text, and a file that is not a document, keeping what was typed", async () => {
    const before = tableCounts();
    const drafts = getDb().select().from(communications).all().length;
    const empty = await save({ oggetto: "  ", testo: "" });
    expect(empty.status).toBe(400);
    const emptyData = await empty.json();
    expect(emptyData.errors).toEqual({ oggetto: "Scrivi l'oggetto della comunicazione", testo: "Scrivi il testo della comunicazione" });
    expect(emptyData.values.provincia).toEqual(["089"]);

    const html = await save({ oggetto: "Con allegato sbagliato" }, { name: "documento.pdf", bytes: HTML });
    expect(html.status).toBe(400);
    const htmlData = await html.json();
    expect(htmlData.errors.allegato).toMatch(/^Il file non è un documento accettato/);
    expect(htmlData.values.oggetto).toBe("Con allegato sbagliato");
    expect(getDb().select().from(communications).all().length).toBe(drafts);
    expect(tableCounts()).toEqual(before);
    expect(fs.readdirSync(path.join(getEnv().uploadsDir, "tmp"), { withFileTypes: true }).filter((f) => f.isFile())).toEqual([]);
  });

  it("says, when another field is wrong, that the file chosen was not kept and must be chosen again", async () => {
    const response = await save({ oggetto: "" }, { name: "circolare marzo.pdf", bytes: PDF });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual({
      oggetto: "Scrivi l'oggetto della comunicazione",
      allegato: "Il file «circolare marzo.pdf» non è stato salvato perché il modulo contiene altri errori: sceglilo di nuovo prima di salvare",
    });
  });

  it("accepts a text as long as the hint allows, accented and on many lines, and stores it whole", async () => {
    // 20,000 characters, paragraphs of accented letters and dashes (2 and 3 bytes each in UTF-8), the
    // line breaks sent as CRLF: far more than the 16 KB the form's text fields once took.
    const paragraph = "Perché l'accoglienza — così com'è — funziona: città, università, più servizi.";
    let body = "";
    while (body.length < MAX_BODY_LENGTH) body += `${paragraph}\n\n`;
    body = body.slice(0, MAX_BODY_LENGTH - 1).trimEnd() + "!";
    expect(body).toHaveLength(MAX_BODY_LENGTH);
    expect(Buffer.byteLength(body.replace(/\n/g, "\r\n"))).toBeGreaterThan(20 * 1024);
    const id = await saveDraft({ oggetto: "Il nuovo vademecum per intero", testo: body });
    expect(draftOf(id).body).toBe(body);
    expect(draftOf(id).subject).toBe("Il nuovo vademecum per intero");
  });

  it("refuses a text over the limit with the text's own message, keeping subject, text and provinces", async () => {
    // Just over the form's maximum, and far over anything a text field keeps (a quarter of a megabyte).
    for (const testo of ["a".repeat(MAX_BODY_LENGTH + 1), "è".repeat(300_000)]) {
      const response = await save({ oggetto: "Troppo lungo", testo, provincia: ["089", "088"], tipologia: ["MSNA"] });
      expect(response.status).toBe(400);
      const data = await response.json();
      expect(data.errors).toEqual({ testo: "Il testo può avere al massimo 20.000 caratteri" });
      expect(data.values).toMatchObject({ oggetto: "Troppo lungo", provincia: ["089", "088"], tipologia: ["MSNA"] });
      expect(testo.startsWith(data.values.testo)).toBe(true);
      expect(data.values.testo.length).toBeGreaterThan(MAX_BODY_LENGTH);
    }
    // Without JavaScript the page comes back with what was typed and ticked, and the text's message.
    const page = await renderRoute(newRoute, await saveRequest({ oggetto: "Troppo lungo", testo: "a".repeat(MAX_BODY_LENGTH + 1), provincia: ["088"] }), "/admin/comunicazioni/nuova");
    expect(page.status).toBe(400);
    expect(page.html).toContain('value="Troppo lungo"');
    expect(page.html).toContain(`id="provincia-088" checked="" value="088"`);
    expect(page.html).toContain("Il testo può avere al massimo 20.000 caratteri");
    expect(page.html).not.toContain("L&#x27;allegato supera il limite");
  });

  it("edits a draft: a new file replaces the old one, which is deleted; the attachment can be removed", async () => {
    const id = await saveDraft({}, { name: "prima.pdf", bytes: PDF });
    const first = draftOf(id).attachmentStoredName!;
    await saveDraft({ bozza: String(id), oggetto: "Oggetto corretto" }, { name: "seconda.pdf", bytes: PDF });
    const edited = draftOf(id);
    expect(edited.subject).toBe("Oggetto corretto");
    expect(edited.attachmentDownloadName).toBe("seconda.pdf");
    expect(fs.existsSync(path.join(getEnv().uploadsDir, first))).toBe(false);
    await saveDraft({ bozza: String(id), oggetto: "Oggetto corretto", rimuoviAllegato: true });
    const without = draftOf(id);
    expect(without.attachmentStoredName).toBeNull();
    expect(fs.existsSync(path.join(getEnv().uploadsDir, edited.attachmentStoredName!))).toBe(false);
    // The edit form shows the draft's values.
    const form = await renderRoute(newRoute, await adminGet(`/admin/comunicazioni/nuova?bozza=${id}`, coordinatorId), "/admin/comunicazioni/nuova");
    expect(form.html).toContain('value="Oggetto corretto"');
    expect(form.html).toContain(`id="provincia-089" checked="" value="089"`);
  });

  it("sends once: one email per recipient in the outbox, the record and the audit; a second send queues nothing", async () => {
    const id = await saveDraft({ tipologia: [] }, { name: "vademecum.pdf", bytes: PDF });
    const sent = await post(id, "invia");
    expect(sent.status).toBe(302);
    expect(sent.headers.get("Location")).toBe(`/admin/comunicazioni/${id}?inviata=2`);
    const emails = emailsOf(id);
    expect(emails.map((e) => e.recipient)).toEqual([msna.email, ordinari.email]);
    for (const e of emails) {
      expect(e).toMatchObject({ template: "communication", category: "communication", status: "queued", communicationId: id });
      expect(e.props).toMatchObject({ title: "Nuovo vademecum sull'accoglienza", paragraphs: ["È disponibile il nuovo vademecum.", "Lo trovate in allegato."] });
      expect((e.props.attachment as { fileName: string }).fileName).toBe("vademecum.pdf");
    }
    expect(emails[0].memberBodyId).toBe(msna.request.memberBodyId);
    expect(draftOf(id)).toMatchObject({ status: "sent", recipientCount: 2, sentBy: coordinatorId });
    expect(auditOf("communication.sent", id)).toHaveLength(1);

    const again = await post(id, "invia");
    expect(again.status).toBe(409);
    expect((await again.json()).formError).toBe("Questa comunicazione è già stata inviata.");
    expect(emailsOf(id)).toHaveLength(2);
    // Nor can it be edited or deleted.
    expect((await save({ bozza: String(id), oggetto: "Cambiato" })).status).toBe(409);
    expect((await post(id, "elimina")).status).toBe(409);
    expect(draftOf(id).subject).toBe("Nuovo vademecum sull'accoglienza");

    const page = await detail(id, "?inviata=2");
    expect(page.html).toContain("Comunicazione in partenza verso 2 referenti");
    expect(page.html).toContain("Inviata il");
    expect(page.html).toContain("da Giulia Ferro");
    expect(page.html).toContain("A chi è stata inviata");
    expect(page.html).toContain(msna.email);
    expect(page.html).not.toContain("Invia la comunicazione</button>");

    const list = await renderRoute(listRoute, await adminGet("/admin/comunicazioni", coordinatorId), "/admin/comunicazioni");
    expect(list.html).toContain(`href="/admin/comunicazioni/${id}"`);
    expect(list.html).toContain("0 consegnate, 2 in attesa");

    // An email waiting for a new attempt after a temporary refusal says why, as the delivery log does.
    getDb().update(outbox).set({ attempts: 1, lastError: "452 4.2.2 Mailbox full" }).where(eq(outbox.id, emails[0].id)).run();
    expect((await detail(id)).html).toContain("Nuovo tentativo in programma dopo l&#x27;errore: 452 4.2.2 Mailbox full");
  });

  it("retries in one go the emails of a comunicazione the mail server refused, and only those", async () => {
    // Both emails of this comunicazione refused by a misconfigured server; another comunicazione's too.
    const id = await saveDraft({ oggetto: "Riunione di coordinamento", tipologia: [] });
    expect((await post(id, "invia")).status).toBe(302);
    const other = await saveDraft({ oggetto: "Altra comunicazione", provincia: ["088"] });
    expect((await post(other, "invia")).status).toBe(302);
    const refused = "554 5.7.1 <portale@example.org>: Sender address rejected";
    getDb().update(outbox).set({ status: "failed", attempts: 1, lastError: refused }).where(inArray(outbox.communicationId, [id, other])).run();

    const page = await detail(id);
    expect(page.html).toContain("2 destinatari: 0 consegnate, 0 in attesa, 2 non consegnate.");
    expect(page.html).toContain("Riprova l&#x27;invio delle 2 email non consegnate</button>");

    // Coordinators only: a visitor without a session changes nothing.
    const anonymous = await post(id, "riprova", null);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);
    expect(emailsOf(id).map((e) => e.status)).toEqual(["failed", "failed"]);

    const retried = await post(id, "riprova");
    expect(retried.status).toBe(302);
    expect(retried.headers.get("Location")).toBe(`/admin/comunicazioni/${id}?riprovate=2#consegne-title`);
    for (const e of emailsOf(id)) expect(e).toMatchObject({ status: "queued", attempts: 0, lastError: refused });
    expect(emailsOf(other).map((e) => e.status)).toEqual(["failed"]);
    expect(auditOf("communication.retried", id).map((e) => e.details)).toEqual([{ subject: "Riunione di coordinamento", count: 2 }]);
    const perEmail = emailsOf(id).map((e) => auditOf("email.retried", e.id)[0]);
    expect(perEmail.map((e) => e.details?.recipientEmail)).toEqual([msna.email, ordinari.email]);
    expect(perEmail.map((e) => e.actorId)).toEqual([coordinatorId, coordinatorId]);

    const after = await detail(id, "?riprovate=2");
    expect(after.html).toContain("2 email non consegnate sono state rimesse in coda per un nuovo invio.");
    expect(after.html).not.toContain("email non consegnate</button>");
    // Nothing left to retry: said so, nothing requeued twice.
    const again = await post(id, "riprova");
    expect(again.status).toBe(409);
    expect((await again.json()).formError).toMatch(/^Nessuna email di questa comunicazione è da ritentare/);
    expect(auditOf("communication.retried", id)).toHaveLength(1);
  });

  it("counts its emails in the singular when there is one: «1 consegnata», «1 non consegnata»", async () => {
    const id = await saveDraft({ oggetto: "Una consegnata, una no", tipologia: [] });
    expect((await post(id, "invia")).status).toBe(302);
    const [first, second] = emailsOf(id);
    getDb().update(outbox).set({ status: "sent", sentAt: new Date() }).where(eq(outbox.id, first.id)).run();
    getDb().update(outbox).set({ status: "failed", lastError: "550 5.1.1 User unknown" }).where(eq(outbox.id, second.id)).run();
    const page = await detail(id);
    expect(page.html).toContain("2 destinatari: 1 consegnata, 0 in attesa, 1 non consegnata.");
    expect(page.html).toContain("Riprova l&#x27;invio dell&#x27;email non consegnata</button>");
    const list = await renderRoute(listRoute, await adminGet("/admin/comunicazioni", coordinatorId), "/admin/comunicazioni");
    const row = list.html.slice(list.html.indexOf(`href="/admin/comunicazioni/${id}"`));
    expect(row.slice(0, row.indexOf("</tr>"))).toMatch(/1 consegnata<span class="text-danger fw-semibold">, 1 non consegnata<\/span>/);
  });

  it("lists every recipient before sending: the first ten, the others behind «Mostra tutti»", async () => {
    const many = [];
    for (let i = 0; i < 12; i++) many.push(await createReferent({ provinceCode: "083", category: "ordinari" }));
    const id = await saveDraft({ provincia: ["083"], tipologia: [] });
    const { html } = await detail(id);
    expect(html).toContain("Riceveranno la comunicazione 12 referenti");
    const [shown, rest] = html.split("<details");
    expect(shown).toContain("I primi 10:");
    expect(rest).toMatch(/^[^>]*><summary>Mostra tutti i 12 destinatari<\/summary>/);
    for (const r of many) expect(rest).toContain(r.email);
    expect(many.filter((r) => shown.includes(r.email))).toHaveLength(10);
  });

  it("does not send to nobody, and deletes a draft with its file once the deletion is confirmed", async () => {
    const id = await saveDraft({ oggetto: "Bozza senza destinatari", provincia: ["088"], tipologia: ["DM/DS"] }, { name: "nessuno.pdf", bytes: PDF });
    const page = await detail(id);
    expect(page.html).toContain("Nessun referente attivo corrisponde ai destinatari scelti");
    expect(page.html).not.toContain("Invia la comunicazione</button>");
    const refused = sendCommunication(getDb(), { id, coordinatorId, appUrl: APP_URL });
    expect(refused).toEqual({ ok: false, error: "Nessun referente corrisponde ai destinatari scelti: la comunicazione non è stata inviata." });
    expect(draftOf(id).status).toBe("draft");

    const stored = path.join(getEnv().uploadsDir, draftOf(id).attachmentStoredName!);
    const stillThere = () => {
      expect(draftOf(id)).toMatchObject({ status: "draft", subject: "Bozza senza destinatari" });
      expect(fs.existsSync(stored)).toBe(true);
      expect(auditOf("communication.draft_deleted", id)).toHaveLength(0);
    };

    // «Elimina la bozza» (a plain form, with or without JavaScript) deletes nothing: the page comes
    // back with what deleting does and the tick, its heading taking the focus.
    const asked = await postedPage(id, { intent: "elimina" });
    expect(asked.status).toBe(200);
    expect(asked.html).toMatch(/<h2 id="elimina-bozza" class="h4" tabindex="-1" autofocus="" data-outcome="">Eliminare la bozza «Bozza senza destinatari»\?<\/h2>/);
    expect(asked.html).toContain("La bozza e il suo allegato «nessuno.pdf» saranno cancellati e non si potranno recuperare.");
    expect(asked.html).toContain(">Confermo: voglio eliminare questa bozza</label>");
    expect(asked.html).not.toContain('aria-invalid="true"');
    stillThere();

    // The confirmation sent without the tick, as without JavaScript: its error, linking to the tick.
    const unticked = await postedPage(id, { intent: "elimina", confirmationShown: "1" });
    expect(unticked.status).toBe(400);
    expect(unticked.html).toContain('<a href="#confirm">Per eliminare la bozza spunta la conferma</a>');
    expect(unticked.html).toMatch(/<input type="checkbox" id="confirm" name="confirm" aria-invalid="true"/);
    stillThere();

    const deleted = await post(id, "elimina", coordinatorId, { confirmationShown: "1", confirm: "on" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("Location")).toBe("/admin/comunicazioni?eliminata=1");
    expect(getDb().select().from(communications).where(eq(communications.id, id)).get()).toBeUndefined();
    expect(fs.existsSync(stored)).toBe(false);
    expect(auditOf("communication.draft_deleted", id)).toHaveLength(1);
  });
});
