import fs from "node:fs";
import path from "node:path";
import { and, eq, notInArray } from "drizzle-orm";
import { simpleParser, type AddressObject } from "mailparser";
import { describe, expect, it } from "vitest";
import { auditLog, communications, outbox, roundTables } from "#db/schema";
import * as postaRoute from "~/routes/admin.posta._index";
import { action, loader } from "~/routes/admin.posta._index";
import * as emailRoute from "~/routes/admin.posta.$id";
import { loader as emailLoader } from "~/routes/admin.posta.$id";
import { loader as emlLoader } from "~/routes/admin.posta.$id_.eml";
import { sendInvitations } from "~/models/invitation.server";
import { getMembershipRequestDetail } from "~/models/membership-detail.server";
import { countFailedEmails, listOutboxTemplates, queueEmail, retryFailedEmails, retryFailedEmailsMatching } from "~/models/outbox.server";
import { listAuditEntries } from "~/models/audit.server";
import { eraseReferent, requestErasure } from "~/models/privacy.server";
import { requestLoginCode } from "~/models/referent-login.server";
import { getDb } from "~/utils/db.server";
import { HIDDEN_CODE, HIDDEN_LINK } from "~/utils/email-secrets.server";
import { getEnv } from "~/utils/env.server";
import { EMAIL_TEMPLATE_LABELS } from "~/validation/labels";
import { createMailTransport, findLocalEmlFile } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import { answerTokenFor, createRoundTable, HOUR } from "../../support/invitations";
import { renderRoute } from "../../support/render-route";
import { createReferent, latestLoginEmail } from "../../support/referent";
import { APP_URL, loadContext } from "../../support/requests";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

function queued(status: "queued" | "sent" | "failed", to = uniqueEmail("posta")) {
  const row = queueEmail(getDb(), {
    to,
    template: "confirm-registration",
    props: { firstName: "Ada", bodyName: "Comune di Enna", confirmUrl: "http://portale.test/adesione/conferma/x", expiresOn: "1 gennaio 2027", isHandover: false },
    domain: "portale.test",
  });
  getDb()
    .update(outbox)
    .set({ status, attempts: status === "queued" ? 0 : 3, lastError: status === "failed" ? "550 Casella inesistente" : null })
    .where(eq(outbox.id, row.id))
    .run();
  return { id: row.id, to };
}

const listPageOf = async (query: string, coordinatorId: number) => renderRoute(postaRoute, await adminGet(`/admin/posta${query}`, coordinatorId), "/admin/posta");

const statusOf = (id: number) => getDb().select().from(outbox).where(eq(outbox.id, id)).get()!.status;

describe("/admin/posta", () => {
  it("is for signed-in coordinators only; refusals change nothing", async () => {
    const failed = queued("failed");
    expect((await settle(async () => loader({ request: await adminGet("/admin/posta", null), params: {}, context: loadContext() }))).status).toBe(302);
    const anonymous = await settle(async () => action({ request: await adminPost("/admin/posta", { ids: String(failed.id) }, null), params: {}, context: loadContext() }));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);
    expect((await settle(async () => emailLoader({ request: await adminGet(`/admin/posta/${failed.id}`, null), params: { id: String(failed.id) }, context: loadContext() }))).status).toBe(302);
    expect(statusOf(failed.id)).toBe("failed");
  });

  it("lists with counts and filters by status and recipient", async () => {
    const me = createTestCoordinator();
    const failed = queued("failed", uniqueEmail("fallita"));
    queued("sent");
    const response = await loader({ request: await adminGet(`/admin/posta?stato=failed&destinatario=${encodeURIComponent(failed.to.toUpperCase())}`, me.id), params: {}, context: loadContext() });
    const data = (await response.json()) as { rows: { id: number; status: string }[]; counts: Record<string, number> };
    expect(data.rows.map((r) => r.id)).toEqual([failed.id]);
    expect(data.counts.failed).toBeGreaterThanOrEqual(1);
    expect(data.counts.sent).toBeGreaterThanOrEqual(1);

    const ignored = await loader({ request: await adminGet("/admin/posta?stato=boh&pagina=-3&tavolo=x", me.id), params: {}, context: loadContext() });
    expect(ignored.status).toBe(200);
  });

  it("requeues only failed emails, single or in bulk, and audits each", async () => {
    const me = createTestCoordinator();
    const a = queued("failed");
    const b = queued("failed");
    const sent = queued("sent");
    const body = new URLSearchParams();
    for (const id of [a.id, b.id, sent.id]) body.append("ids", String(id));
    const request = await adminPost("/admin/posta?stato=failed", {}, me.id);
    const withIds = new Request(request.url, { method: "POST", headers: request.headers, body: `${await request.text()}&${body}` });
    const response = await action({ request: withIds, params: {}, context: loadContext() });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/posta?stato=failed&riprovate=2");
    expect([statusOf(a.id), statusOf(b.id), statusOf(sent.id)]).toEqual(["queued", "queued", "sent"]);
    const audits = getDb().select().from(auditLog).where(eq(auditLog.action, "email.retried")).all().filter((e) => e.actorId === me.id);
    expect(audits.map((e) => Number(e.entityId)).sort()).toEqual([a.id, b.id].sort());
  });

  it("retries every failed email the filters show, on every page, without ticking them one by one", async () => {
    const me = createTestCoordinator();
    const token = `tutte${Date.now()}`;
    const shown = Array.from({ length: 3 }, () => queued("failed", uniqueEmail(token)));
    const delivered = queued("sent", uniqueEmail(token));
    const elsewhere = queued("failed");
    // The page offers it, counting what it will requeue (all pages, not only the boxes on screen).
    const page = await listPageOf(`?destinatario=${token}`, me.id);
    expect(page.html).toContain('name="intent" value="tutte"');
    expect(page.html).toContain("Riprova tutte le 3 email non consegnate che corrispondono ai filtri</button>");
    // Filtered on another status there is nothing to retry, and the action requeues nothing.
    expect((await listPageOf(`?destinatario=${token}&stato=sent`, me.id)).html).not.toContain('value="tutte"');
    const none = await action({ request: await adminPost(`/admin/posta?destinatario=${token}&stato=sent`, { intent: "tutte" }, me.id), params: {}, context: loadContext() });
    expect(none.headers.get("Location")).toBe(`/admin/posta?destinatario=${token}&stato=sent&riprovate=nessuna`);
    expect(shown.map((e) => statusOf(e.id))).toEqual(["failed", "failed", "failed"]);

    const response = await action({ request: await adminPost(`/admin/posta?destinatario=${token}&pagina=2`, { intent: "tutte" }, me.id), params: {}, context: loadContext() });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/posta?destinatario=${token}&pagina=2&riprovate=3`);
    expect(shown.map((e) => statusOf(e.id))).toEqual(["queued", "queued", "queued"]);
    expect([statusOf(delivered.id), statusOf(elsewhere.id)]).toEqual(["sent", "failed"]);
    const audits = getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.retried"), eq(auditLog.actorId, me.id))).all();
    expect(audits.map((e) => [Number(e.entityId), e.details?.recipientEmail]).sort()).toEqual(shown.map((e) => [e.id, e.to]).sort());

    // The same button on a page opened before: nothing is left to retry, and the page says so,
    // not «seleziona messaggi» (there was nothing to tick). Nor are ticked emails retried again.
    const late = await action({ request: await adminPost(`/admin/posta?destinatario=${token}`, { intent: "tutte" }, me.id), params: {}, context: loadContext() });
    expect(late.headers.get("Location")).toBe(`/admin/posta?destinatario=${token}&riprovate=nessuna`);
    const ticked = await adminPost(`/admin/posta?destinatario=${token}`, {}, me.id);
    const tickedAgain = new Request(ticked.url, { method: "POST", headers: ticked.headers, body: `${await ticked.text()}&ids=${shown[0].id}` });
    expect((await action({ request: tickedAgain, params: {}, context: loadContext() })).headers.get("Location")).toBe(`/admin/posta?destinatario=${token}&riprovate=nessuna`);
    const after = await listPageOf(`?destinatario=${token}&riprovate=nessuna`, me.id);
    expect(after.html).toContain('<div class="alert alert-warning" role="status" data-outcome="true">Nessuna email da ritentare: nel frattempo sono già state rimesse in coda.</div>');
    expect(after.html).not.toContain("seleziona messaggi non recapitati");
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.retried"), eq(auditLog.actorId, me.id))).all()).toHaveLength(3);
    // The boxes form sent with none ticked keeps its own message.
    const unticked = await action({ request: await adminPost(`/admin/posta?destinatario=${token}`, {}, me.id), params: {}, context: loadContext() });
    expect(unticked.headers.get("Location")).toBe(`/admin/posta?destinatario=${token}&riprovate=0`);
    expect((await listPageOf(`?destinatario=${token}&riprovate=0`, me.id)).html).toContain("Nessun messaggio rimesso in coda: seleziona messaggi non recapitati.");
    // An address typed by hand says nothing it cannot mean.
    expect((await listPageOf(`?destinatario=${token}&riprovate=abc`, me.id)).html).not.toContain("data-outcome");
    expect((await listPageOf(`?destinatario=${token}&riprovate=3`, me.id)).html).toContain("3 messaggi sono stati rimessi in coda per un nuovo invio.");
    // Without the token nothing happens.
    const request = await adminGet("/admin/posta", me.id);
    const forged = new Request(request.url, { method: "POST", headers: request.headers, body: new URLSearchParams({ intent: "tutte" }) });
    expect((await settle(() => action({ request: forged, params: {}, context: loadContext() }))).status).toBe(403);
    expect(statusOf(elsewhere.id)).toBe("failed");
  });

  it("says an email was retried by hand, keeps its last error until the next attempt and the history in the log", async () => {
    const me = createTestCoordinator();
    const r = await createReferent("active");
    const welcome = outboxFor(r.email).find((o) => o.template === "membership-approved")!;
    getDb().update(outbox).set({ status: "failed", attempts: 5, lastError: "554 5.7.1 Sender address rejected" }).where(eq(outbox.id, welcome.id)).run();
    expect(retryFailedEmails(getDb(), { ids: [welcome.id], coordinatorId: me.id })).toBe(1);
    const row = getDb().select().from(outbox).where(eq(outbox.id, welcome.id)).get()!;
    expect(row).toMatchObject({ status: "queued", attempts: 0, lastError: "554 5.7.1 Sender address rejected" });

    const data = (await (await loader({ request: await adminGet(`/admin/posta?destinatario=${encodeURIComponent(r.email)}`, me.id), params: {}, context: loadContext() })).json()) as {
      rows: { id: number; manualRetry: string | null; lastError: string | null }[];
    };
    expect(data.rows.find((x) => x.id === welcome.id)).toMatchObject({
      manualRetry: expect.stringMatching(/^ritentata manualmente il \d{1,2} \p{L}+ \d{4} alle \d{2}:\d{2}$/u),
      lastError: "554 5.7.1 Sender address rejected",
    });
    const shown = await renderRoute(emailRoute, await adminGet(`/admin/posta/${welcome.id}`, me.id), "/admin/posta/:id");
    expect(shown.html).toContain("(0 tentativi dall&#x27;ultimo invio ritentato manualmente)");
    expect(shown.html).toMatch(/Ritentata manualmente<\/dt><dd[^>]*><ul[^>]*><li[^>]*>il \d{1,2} \p{L}+ \d{4} alle \d{2}:\d{2}, dopo 5 tentativi; errore di allora: 554 5.7.1 Sender address rejected<\/li>/u);

    // The log's entry names the recipient: found by the address and by the referente's name.
    const [entry] = getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.retried"), eq(auditLog.entityId, String(welcome.id)))).all();
    expect(entry.details).toEqual({ recipientEmail: r.email, referentId: r.referentId, lastError: "554 5.7.1 Sender address rejected", attempts: 5 });
    for (const q of [r.email, r.fields.lastName, `${r.fields.firstName} ${r.fields.lastName}`]) {
      const found = listAuditEntries(getDb(), { filters: { action: "email.retried", q }, page: 1 }).entries.map((e) => e.entityId);
      expect(found, q).toEqual([String(welcome.id)]);
    }
  });

  it("keeps no address, name or error text of a referente whose data were erased in the entries of the retries", async () => {
    const me = createTestCoordinator();
    const r = await createReferent("active");
    const welcome = outboxFor(r.email).find((o) => o.template === "membership-approved")!;
    getDb().update(outbox).set({ status: "failed", attempts: 2, lastError: `550 5.1.1 <${r.email}>: Recipient address rejected` }).where(eq(outbox.id, welcome.id)).run();
    expect(retryFailedEmails(getDb(), { ids: [welcome.id], coordinatorId: me.id })).toBe(1);
    expect(requestErasure(getDb(), { referentId: r.referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(getDb(), { referentId: r.referentId, coordinatorId: me.id, appUrl: APP_URL }).ok).toBe(true);
    const [entry] = getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.retried"), eq(auditLog.entityId, String(welcome.id)))).all();
    const stored = `${JSON.stringify(entry.details)} ${entry.searchText}`.toLowerCase();
    expect(stored).not.toContain(r.email.toLowerCase());
    expect(stored).not.toContain(r.fields.lastName.toLowerCase());
    for (const q of [r.email, `${r.fields.firstName} ${r.fields.lastName}`]) {
      const found = listAuditEntries(getDb(), { filters: { action: "email.retried", q }, page: 1 }).entries.map((e) => e.entityId);
      expect(found, q).not.toContain(String(welcome.id));
    }
  });

  it("does not send again a failed email to a referente whose data were erased: no box, no «Riprova», not counted, not requeued", async () => {
    const me = createTestCoordinator();
    const r = await createReferent("active");
    const welcome = outboxFor(r.email).find((o) => o.template === "membership-approved")!;
    getDb().update(outbox).set({ status: "failed", attempts: 5, lastError: "550 5.1.1 User unknown" }).where(eq(outbox.id, welcome.id)).run();
    expect(requestErasure(getDb(), { referentId: r.referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(getDb(), { referentId: r.referentId, coordinatorId: me.id, appUrl: APP_URL }).ok).toBe(true);
    const erasedRecipient = getDb().select().from(outbox).where(eq(outbox.id, welcome.id)).get()!.recipient;
    expect(erasedRecipient).toMatch(/^cancellato-\d+@invalid$/);

    const filters = { recipient: erasedRecipient };
    expect(countFailedEmails(getDb(), { filters })).toBe(0);
    expect(retryFailedEmails(getDb(), { ids: [welcome.id], coordinatorId: me.id })).toBe(0);
    expect(retryFailedEmailsMatching(getDb(), { filters, coordinatorId: me.id })).toBe(0);
    expect(statusOf(welcome.id)).toBe("failed");
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.retried"), eq(auditLog.entityId, String(welcome.id)))).all()).toEqual([]);

    const list = await listPageOf(`?destinatario=${encodeURIComponent(erasedRecipient)}`, me.id);
    expect(list.html).toContain(erasedRecipient);
    expect(list.html).not.toContain(`value="${welcome.id}"`);
    expect(list.html).not.toContain("Riprova tutte");
    const shown = await renderRoute(emailRoute, await adminGet(`/admin/posta/${welcome.id}`, me.id), "/admin/posta/:id");
    expect(shown.html).toContain("sono stati cancellati");
    expect(shown.html).not.toMatch(/>\s*Riprova\s*</);
  });

  it("leads from an email to the scheda of the referente it was addressed to, where a wrong address is corrected", async () => {
    const me = createTestCoordinator();
    const r = await createReferent("active");
    const welcome = outboxFor(r.email).find((o) => o.template === "membership-approved")!;
    getDb().update(outbox).set({ status: "failed", lastError: "550 5.1.1 User unknown" }).where(eq(outbox.id, welcome.id)).run();
    const shown = await renderRoute(emailRoute, await adminGet(`/admin/posta/${welcome.id}`, me.id), "/admin/posta/:id");
    expect(shown.html).toMatch(new RegExp(`\\(referente: <a data-discover="true" href="/admin/adesioni/${r.requestId}">${r.fields.firstName} ${r.fields.lastName}, Comune di [^<]+</a>\\)`));
    // An address that is no referente's (an extra invitee) has none.
    const extra = uniqueEmail("ospite");
    queueEmail(getDb(), { to: extra, template: "communication", props: { title: "Avviso", paragraphs: ["Testo"] }, category: "communication", domain: "portale.test" });
    const extraRow = outboxFor(extra)[0];
    const other = await renderRoute(emailRoute, await adminGet(`/admin/posta/${extraRow.id}`, me.id), "/admin/posta/:id");
    expect(other.html).not.toContain("(referente:");
  });

  it("refuses a retry without CSRF", async () => {
    const me = createTestCoordinator();
    const failed = queued("failed");
    const request = await adminGet("/admin/posta", me.id);
    const forged = new Request(request.url, { method: "POST", headers: request.headers, body: new URLSearchParams({ ids: String(failed.id) }) });
    expect((await settle(() => action({ request: forged, params: {}, context: loadContext() }))).status).toBe(403);
    expect(statusOf(failed.id)).toBe("failed");
  });

  it("shows the rendered email and offers it as an .eml file; names the local file of the local default", async () => {
    const me = createTestCoordinator();
    const email = queued("queued", uniqueEmail("anteprima"));
    const response = await emailLoader({ request: await adminGet(`/admin/posta/${email.id}`, me.id), params: { id: String(email.id) }, context: loadContext() });
    const data = (await response.json()) as { rendered: { subject: string; html: string; text: string }; localFileName: string | null };
    expect(data.rendered.subject).toBe("Conferma l'indirizzo email - adesione del Comune di Enna");
    expect(data.rendered.text).toContain("Gentile Ada");
    expect(data.localFileName).toBeNull();

    const row = getDb().select().from(outbox).where(eq(outbox.id, email.id)).get()!;
    await createMailTransport({ SMTP_URL: undefined, mailDir: getEnv().mailDir }).send({
      from: "a@b.it", to: email.to, subject: "x", html: "<p>x</p>", text: "x", messageId: row.messageId,
    });
    const withFile = (await (
      await emailLoader({ request: await adminGet(`/admin/posta/${email.id}`, me.id), params: { id: String(email.id) }, context: loadContext() })
    ).json()) as { localFileName: string | null };
    expect(withFile.localFileName).toMatch(/\.eml$/);
    expect(fs.existsSync(path.join(getEnv().mailDir, withFile.localFileName!))).toBe(true);

    // The download is the coordinators' copy rendered from the props, not that file.
    const eml = await emlLoader({ request: await adminGet(`/admin/posta/${email.id}/eml`, me.id), params: { id: String(email.id) }, context: loadContext() });
    expect(eml.headers.get("Content-Type")).toBe("message/rfc822");
    expect(eml.headers.get("Content-Disposition")).toBe(`attachment; filename="messaggio-${email.id}.eml"`);
    // The content leaves the portal: the log says who downloaded it.
    const downloads = getDb().select().from(auditLog).where(and(eq(auditLog.action, "email.downloaded"), eq(auditLog.entityId, String(email.id)))).all();
    expect(downloads).toEqual([expect.objectContaining({ actorType: "coordinator", actorId: me.id, entityType: "outbox" })]);
    const parsed = await simpleParser(Buffer.from(await eml.arrayBuffer()));
    expect(parsed.messageId).toBe(row.messageId);
    expect(parsed.subject).toBe("Conferma l'indirizzo email - adesione del Comune di Enna");
    expect(parsed.text).toContain("Gentile Ada");
    expect(parsed.text).toContain(`http://portale.test/adesione/conferma/${HIDDEN_LINK}`);

    // The title names the message, as its heading does.
    const shown = await renderRoute(emailRoute, await adminGet(`/admin/posta/${email.id}`, me.id), "/admin/posta/:id");
    expect(shown.title).toBe("Conferma l'indirizzo email - adesione del Comune di Enna - Posta in uscita - Area coordinatori - Coordinamento SAI");
    expect((await renderRoute(emailRoute, await adminGet("/admin/posta/999999", me.id), "/admin/posta/:id")).title).toBe(
      "Messaggio non trovato - Posta in uscita - Area coordinatori - Coordinamento SAI",
    );

    const missing = await settle(async () => emailLoader({ request: await adminGet("/admin/posta/999999", me.id), params: { id: "999999" }, context: loadContext() }));
    expect(missing.status).toBe(404);
    // An address is a message's own number only: not a hexadecimal or exponent spelling of it.
    for (const alias of [`0x${email.id.toString(16)}`, `${email.id}e0`, ` ${email.id}`]) {
      const aliased = await settle(async () => emailLoader({ request: await adminGet(`/admin/posta/${encodeURIComponent(alias)}`, me.id), params: { id: alias }, context: loadContext() }));
      expect(aliased.status).toBe(404);
      const aliasedEml = await settle(async () => emlLoader({ request: await adminGet(`/admin/posta/${encodeURIComponent(alias)}/eml`, me.id), params: { id: alias }, context: loadContext() }));
      expect(aliasedEml.status).toBe(404);
    }
    const missingEml = await settle(async () => emlLoader({ request: await adminGet("/admin/posta/999999/eml", me.id), params: { id: "999999" }, context: loadContext() }));
    await expectPortalNotFoundPage(missingEml, { title: "Messaggio non trovato", back: "/admin/posta" });
    expect((await settle(async () => emlLoader({ request: await adminGet(`/admin/posta/${email.id}/eml`, null), params: { id: String(email.id) }, context: loadContext() }))).status).toBe(302);
  });
});

describe("/admin/posta shows an email as it is delivered", () => {
  it("invites a reply to the notice of a new referente only while CONTACT_EMAIL is set, in the page and in the .eml", async () => {
    const me = createTestCoordinator();
    const row = queueEmail(getDb(), {
      to: uniqueEmail("sostituito"),
      template: "referent-replaced",
      props: { firstName: "Giuseppe", lastName: "Lombardo", bodyName: "Comune di Noto", successorName: "Rosalia Caruso", endDate: "3 dicembre 2026" },
      domain: "portale.test",
    });
    const copy = async () => {
      const args = async (suffix: string) => ({ request: await adminGet(`/admin/posta/${row.id}${suffix}`, me.id), params: { id: String(row.id) }, context: loadContext() });
      const data = (await (await emailLoader(await args(""))).json()) as { rendered: { text: string } };
      const parsed = await simpleParser(Buffer.from(await (await emlLoader(await args("/eml"))).arrayBuffer()));
      return { page: data.rendered.text.replace(/\s+/g, " "), eml: parsed.text!.replace(/\s+/g, " "), replyTo: parsed.replyTo?.text };
    };
    const before = getEnv().contactEmail;
    try {
      getEnv().contactEmail = "coordinamento@portale.test";
      const withContact = await copy();
      expect(withContact.replyTo).toBe("coordinamento@portale.test");
      for (const text of [withContact.page, withContact.eml]) {
        expect(text).toContain("Gentile Giuseppe Lombardo,");
        expect(text).toContain("rispondi a questo messaggio o scrivi a coordinamento@portale.test.");
      }
      getEnv().contactEmail = null;
      const without = await copy();
      expect(without.replyTo).toBeUndefined();
      for (const text of [without.page, without.eml]) {
        expect(text).toContain("Se non eri a conoscenza di questo cambio, scrivi ai coordinatori di ANCI Sicilia.");
        expect(text).not.toContain("rispondi a questo messaggio");
      }
    } finally {
      getEnv().contactEmail = before;
    }
  });
});

describe("/admin/posta and one-time secrets", () => {
  /** A referente's sign-in code email and an invitation to a Tavolo tecnico, with their real secrets. */
  async function secretEmails() {
    const referente = await createReferent("active", { firstName: "Rosalia", lastName: "Caruso" });
    expect(requestLoginCode(getDb(), { email: referente.email, appUrl: APP_URL })).toMatchObject({ sent: true });
    const login = latestLoginEmail(referente.email)!;
    const loginRow = outboxFor(referente.email).filter((r) => r.template === "referent-login-code").at(-1)!;

    const invitee = uniqueEmail("invitata");
    const rt = createRoundTable({ title: "Tutela dei minori stranieri non accompagnati" });
    const coordinator = createTestCoordinator();
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: [invitee], includeReferents: false }, coordinatorId: coordinator.id, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });
    const invitationToken = answerTokenFor(rt.id, invitee);
    const invitationRow = outboxFor(invitee).find((r) => r.template === "round-table-invitation")!;
    return { referente, login, loginRow, invitee, invitationToken, invitationRow };
  }

  /** Fails if `body` holds the code (as a number of its own) or the token anywhere. */
  function expectNoSecret(body: string, secrets: { code?: string; tokens: string[] }, where: string) {
    if (secrets.code) expect(body, `${where}: sign-in code`).not.toMatch(new RegExp(`(?<![0-9A-Za-z#])${secrets.code}(?![0-9A-Za-z])`));
    for (const token of secrets.tokens) expect(body, `${where}: token`).not.toContain(token);
  }

  async function views(id: number, coordinatorId: number) {
    const page = await emailLoader({ request: await adminGet(`/admin/posta/${id}`, coordinatorId), params: { id: String(id) }, context: loadContext() });
    const pageBody = await page.text();
    const data = JSON.parse(pageBody) as { rendered: { subject: string; html: string; text: string }; redactionNote: string };
    const eml = await emlLoader({ request: await adminGet(`/admin/posta/${id}/eml`, coordinatorId), params: { id: String(id) }, context: loadContext() });
    const raw = Buffer.from(await eml.arrayBuffer());
    const parsed = await simpleParser(raw);
    const emlBody = [raw.toString("utf8"), parsed.subject, parsed.text, parsed.html, ...parsed.attachments.map((a) => a.content.toString("utf8"))].join("\n");
    return { pageBody, data, parsed, emlBody };
  }

  it("shows what the email said, with the code and the personal links hidden, in the page and in the .eml", async () => {
    const me = createTestCoordinator();
    const { referente, login, loginRow, invitationToken, invitationRow } = await secretEmails();
    const secrets = { code: login.code, tokens: [login.token, invitationToken] };

    const loginView = await views(loginRow.id, me.id);
    expectNoSecret(loginView.pageBody, secrets, "/admin/posta/:id (sign-in code)");
    expectNoSecret(loginView.emlBody, secrets, ".eml (sign-in code)");
    expect(loginView.data.rendered.subject).toBe(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expect(loginView.data.rendered.text).toContain("Gentile Rosalia Caruso,");
    expect(loginView.data.rendered.text).toContain(HIDDEN_CODE);
    expect(loginView.data.rendered.text).toContain(`${APP_URL}/area-referente/accedi/link/${HIDDEN_LINK}`);
    expect(loginView.data.rendered.text).toContain("valgono 10 minuti");
    expect(loginView.data.redactionNote).toMatch(/^Codici di accesso e link personali del messaggio sono nascosti/);
    expect(loginView.parsed.subject).toBe(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expect(loginView.parsed.text).toContain("Gentile Rosalia Caruso,");
    expect(loginView.parsed.text).toContain(`${APP_URL}/area-referente/accedi/link/${HIDDEN_LINK}`);
    expect((loginView.parsed.to as AddressObject).text).toBe(referente.email);
    // The ente's page lists its emails by subject: the queued one (subject from the props) too.
    const enteEmails = getMembershipRequestDetail(getDb(), { id: referente.requestId, appUrl: APP_URL })!.emails;
    expect(enteEmails.find((e) => e.id === loginRow.id)!.subject).toBe(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expectNoSecret(JSON.stringify(enteEmails), secrets, "/admin/adesioni/:id emails");

    const invitationView = await views(invitationRow.id, me.id);
    expectNoSecret(invitationView.pageBody, secrets, "/admin/posta/:id (invitation)");
    expectNoSecret(invitationView.emlBody, secrets, ".eml (invitation)");
    expect(invitationView.data.rendered.subject).toMatch(/^Invito: .*Tutela dei minori stranieri non accompagnati/);
    expect(invitationView.data.rendered.text).toContain(`${APP_URL}/invito/${HIDDEN_LINK}?risposta=si`);
    expect(invitationView.data.rendered.text).toContain("https://meet.example.org/tavolo");
    expect(invitationView.parsed.attachments.map((a) => a.filename)).toEqual(["invito.ics"]);
    expect(invitationView.parsed.text).toContain(`${APP_URL}/invito/${HIDDEN_LINK}`);
  });

  it("delivers the real secrets, then keeps only the invitation link; no view ever shows them", async () => {
    const me = createTestCoordinator();
    const { referente, login, loginRow, invitee, invitationToken, invitationRow } = await secretEmails();
    const secrets = { code: login.code, tokens: [login.token, invitationToken] };
    // Nothing else due in the queue but these two: the earlier tests' rows are set aside.
    getDb().update(outbox).set({ nextAttemptAt: new Date(Date.now() + 86_400_000) }).where(and(eq(outbox.status, "queued"), notInArray(outbox.id, [loginRow.id, invitationRow.id]))).run();

    // The local default: each email becomes an .eml file under data/mail/.
    const transport = createMailTransport({ SMTP_URL: undefined, mailDir: getEnv().mailDir });
    const worker = startOutboxWorker({ db: getDb(), transport, from: getEnv().MAIL_FROM, pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
    try {
      for (let i = 0; i < 250 && [loginRow.id, invitationRow.id].some((id) => statusOf(id) !== "sent"); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.stop();
    }
    expect([statusOf(loginRow.id), statusOf(invitationRow.id)]).toEqual(["sent", "sent"]);

    // The recipient got them: the file written by the local transport holds the real code and link.
    const sentFile = await findLocalEmlFile(getEnv().mailDir, loginRow.messageId);
    const delivered = await simpleParser(fs.readFileSync(sentFile!));
    expect(delivered.subject).toBe(`Codice di accesso all'area referente: ${login.code}`);
    expect(delivered.text).toContain(login.signInUrl);

    // The outbox no longer holds the sign-in code and link, nor the code in the subject…
    const loginAfter = getDb().select().from(outbox).where(eq(outbox.id, loginRow.id)).get()!;
    expect(loginAfter.subject).toBe(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expect(loginAfter.props).toEqual({ ...loginRow.props, code: HIDDEN_CODE, signInUrl: `${APP_URL}/area-referente/accedi/link/${HIDDEN_LINK}` });
    expectNoSecret(JSON.stringify(loginAfter), secrets, "outbox row of the sign-in code");
    // …but keeps the invitation link, which the reminders and the referent area read back.
    const invitationAfter = getDb().select().from(outbox).where(eq(outbox.id, invitationRow.id)).get()!;
    expect(invitationAfter.props.answerUrl).toBe(`${APP_URL}/invito/${invitationToken}`);

    // The views show neither, the local file is named but not served.
    const list = await loader({ request: await adminGet(`/admin/posta?destinatario=${encodeURIComponent(referente.email)}`, me.id), params: {}, context: loadContext() });
    const listBody = await list.text();
    expectNoSecret(listBody, secrets, "/admin/posta");
    expect(listBody).toContain(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expectNoSecret(await (await loader({ request: await adminGet(`/admin/posta?destinatario=${encodeURIComponent(invitee)}`, me.id), params: {}, context: loadContext() })).text(), secrets, "/admin/posta");
    for (const id of [loginRow.id, invitationRow.id]) {
      const { pageBody, emlBody } = await views(id, me.id);
      expectNoSecret(pageBody, secrets, `/admin/posta/${id} after delivery`);
      expectNoSecret(emlBody, secrets, `/admin/posta/${id}/eml after delivery`);
      expect(JSON.parse(pageBody).localFileName).toMatch(/\.eml$/);
    }
    // Said to the coordinator in words, not as a setting's name: such an email did not reach anyone.
    const page = await renderRoute(emailRoute, await adminGet(`/admin/posta/${loginRow.id}`, me.id), "/admin/posta/:id");
    expect(page.html).toMatch(/Il portale non è collegato a un server di posta: il messaggio non è stato spedito al destinatario, ma salvato sul server\s+nel file [^<]+\.eml/);
    expect(page.html).not.toContain("SMTP_URL");
  });

  it("keeps the secrets of an email that failed, so that a retry still works, and hides them from the views", async () => {
    const me = createTestCoordinator();
    const { login, loginRow } = await secretEmails();
    getDb().update(outbox).set({ status: "failed", attempts: 8, lastError: "550 Casella inesistente" }).where(eq(outbox.id, loginRow.id)).run();
    const failed = getDb().select().from(outbox).where(eq(outbox.id, loginRow.id)).get()!;
    expect(failed.props).toEqual(loginRow.props);
    const { pageBody, emlBody } = await views(loginRow.id, me.id);
    expectNoSecret(pageBody, { code: login.code, tokens: [login.token] }, "failed email page");
    expectNoSecret(emlBody, { code: login.code, tokens: [login.token] }, "failed email .eml");
  });
});

describe("/admin/posta for an Italian coordinator", () => {
  const listPage = async (query: string, coordinatorId: number) =>
    renderRoute(postaRoute, await adminGet(`/admin/posta${query}`, coordinatorId), "/admin/posta");

  /** The options of a <select> of the page: [value, label, selected]. */
  function optionsOf(html: string, name: string) {
    const select = html.match(new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`));
    expect(select, `select ${name}`).not.toBeNull();
    return [...select![1].matchAll(/<option([^>]*)>([^<]*)<\/option>/g)].map(([, attrs, label]) => ({
      value: attrs.match(/value="([^"]*)"/)![1],
      label: label.replaceAll("&#x27;", "'").replaceAll("&amp;", "&"),
      selected: /\sselected=""/.test(attrs),
    }));
  }

  /** What a browser shows of the HTML: its text, without tags and attribute values. */
  const visibleText = (html: string) => html.replace(/<[^>]*>/g, " ").replaceAll("&#x27;", "'").replaceAll("&amp;", "&");

  it("chooses a Tavolo tecnico by its name, newest first, and filters the log by it", async () => {
    const me = createTestCoordinator();
    const older = createRoundTable({ number: 41, title: "Accoglienza diffusa nei piccoli comuni", startsInMs: 5 * 24 * HOUR });
    const newer = createRoundTable({ number: 42, title: "Salute mentale dei beneficiari", startsInMs: 30 * 24 * HOUR });
    const unnumbered = createRoundTable({ title: "Incontro preparatorio", startsInMs: 20 * 24 * HOUR });
    const silent = createRoundTable({ number: 43, title: "Tavolo senza email" });
    const invitees = { older: uniqueEmail("tavolo-41"), newer: uniqueEmail("tavolo-42"), unnumbered: uniqueEmail("tavolo-prep") };
    for (const [rt, email] of [[older, invitees.older], [newer, invitees.newer], [unnumbered, invitees.unnumbered]] as const) {
      expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: [email], includeReferents: false }, coordinatorId: me.id, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });
    }

    const { html } = await listPage("", me.id);
    expect(html).not.toContain("numero interno");
    const options = optionsOf(html, "tavolo");
    expect(options[0]).toEqual({ value: "", label: "Tutti", selected: true });
    const ids = options.map((o) => o.value);
    expect(ids).not.toContain(String(silent.id));
    const ours = options.filter((o) => [older.id, newer.id, unnumbered.id].map(String).includes(o.value));
    expect(ours.map((o) => o.label)).toEqual([
      "42° Tavolo tecnico - Salute mentale dei beneficiari",
      expect.stringMatching(/^Tavolo tecnico - Incontro preparatorio \(\d{1,2} \p{L}+ \d{4}\)$/u),
      "41° Tavolo tecnico - Accoglienza diffusa nei piccoli comuni",
    ]);
    expect(ours.map((o) => o.value)).toEqual([newer.id, unnumbered.id, older.id].map(String));

    const filtered = await listPage(`?tavolo=${older.id}`, me.id);
    expect(optionsOf(filtered.html, "tavolo").find((o) => o.selected)).toMatchObject({ value: String(older.id) });
    const data = (await (await loader({ request: await adminGet(`/admin/posta?tavolo=${older.id}`, me.id), params: {}, context: loadContext() })).json()) as {
      rows: { recipient: string; subject: string | null; templateLabel: string }[];
    };
    expect(data.rows).toEqual([
      expect.objectContaining({
        recipient: invitees.older,
        subject: "Invito: 41° Tavolo tecnico - Accoglienza diffusa nei piccoli comuni",
        templateLabel: "Invito a un Tavolo tecnico",
      }),
    ]);
    expect(visibleText(filtered.html)).toContain("Invito a un Tavolo tecnico");
    expect(filtered.html).not.toContain(invitees.newer);
  });

  it("tells apart by their date two Tavoli of the same number: a cancelled one and the meeting proposed again", async () => {
    const me = createTestCoordinator();
    const invite = (roundTableId: number) =>
      expect(sendInvitations(getDb(), { roundTableId, filters: { extraEmails: [uniqueEmail("tavolo-47")], includeReferents: false }, coordinatorId: me.id, appUrl: APP_URL }).ok).toBe(true);
    const cancelled = createRoundTable({ number: 47, title: "Lavoro e tirocini", startsAt: new Date("2031-03-05T14:00:00Z") });
    invite(cancelled.id);
    getDb().update(roundTables).set({ status: "cancelled" }).where(eq(roundTables.id, cancelled.id)).run();
    const again = createRoundTable({ number: 47, title: "Lavoro e tirocini", startsAt: new Date("2031-04-09T13:00:00Z") });
    invite(again.id);
    const options = optionsOf((await listPage("", me.id)).html, "tavolo").filter((o) => [cancelled.id, again.id].map(String).includes(o.value));
    expect(options.map((o) => o.label)).toEqual([
      "47° Tavolo tecnico - Lavoro e tirocini (9 aprile 2031)",
      "47° Tavolo tecnico - Lavoro e tirocini (5 marzo 2031)",
    ]);
  });

  it("names every kind of email in Italian, in the filter, in the list and on the message's page", async () => {
    const me = createTestCoordinator();
    const confirm = queued("queued", uniqueEmail("tipo"));
    const referente = await createReferent("active", { firstName: "Calogero" });
    expect(requestLoginCode(getDb(), { email: referente.email, appUrl: APP_URL })).toMatchObject({ sent: true });
    const rt = createRoundTable({ number: 44, title: "Orientamento al lavoro" });
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: [uniqueEmail("tipo-invito")], includeReferents: false }, coordinatorId: me.id, appUrl: APP_URL })).toMatchObject({ ok: true });

    const used = listOutboxTemplates(getDb());
    expect(used).toEqual(expect.arrayContaining(["confirm-registration", "referent-login-code", "round-table-invitation"]));
    const { html } = await listPage("", me.id);
    const text = visibleText(html);
    for (const template of used) {
      expect(text, template).not.toContain(template);
      expect(text).toContain(EMAIL_TEMPLATE_LABELS[template as keyof typeof EMAIL_TEMPLATE_LABELS]);
    }
    const typeOptions = optionsOf(html, "modello");
    expect(typeOptions.find((o) => o.value === "referent-login-code")?.label).toBe("Codice di accesso all'area referente");
    expect(typeOptions.find((o) => o.value === "round-table-invitation")?.label).toBe("Invito a un Tavolo tecnico");
    expect(html).toMatch(/<th scope="col">Tipo<\/th>/);

    const byType = (await (await loader({ request: await adminGet("/admin/posta?modello=confirm-registration", me.id), params: {}, context: loadContext() })).json()) as {
      rows: { id: number; templateLabel: string }[];
    };
    expect(byType.rows.map((r) => r.id)).toContain(confirm.id);
    expect(new Set(byType.rows.map((r) => r.templateLabel))).toEqual(new Set(["Conferma dell'email di adesione"]));

    const detail = (await (await emailLoader({ request: await adminGet(`/admin/posta/${confirm.id}`, me.id), params: { id: String(confirm.id) }, context: loadContext() })).json()) as {
      email: Record<string, unknown>;
    };
    expect(detail.email.templateLabel).toBe("Conferma dell'email di adesione");
    expect(JSON.stringify(detail.email)).not.toContain("confirm-registration");
  });

  it("shows a queued sign-in code email with its subject, the code hidden", async () => {
    const me = createTestCoordinator();
    const referente = await createReferent("active", { firstName: "Nunzia" });
    expect(requestLoginCode(getDb(), { email: referente.email, appUrl: APP_URL })).toMatchObject({ sent: true });
    const login = latestLoginEmail(referente.email)!;
    const row = outboxFor(referente.email).filter((r) => r.template === "referent-login-code").at(-1)!;
    expect(row.status).toBe("queued");
    expect(row.subject).toBeNull();

    const { html } = await listPage(`?destinatario=${encodeURIComponent(referente.email)}`, me.id);
    expect(visibleText(html)).toContain(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    expect(html).not.toMatch(new RegExp(`(?<![0-9A-Za-z#])${login.code}(?![0-9A-Za-z])`));
    expect(html).not.toContain(login.token);
    const json = await (await loader({ request: await adminGet(`/admin/posta?destinatario=${encodeURIComponent(referente.email)}`, me.id), params: {}, context: loadContext() })).text();
    expect(json).not.toMatch(new RegExp(`(?<![0-9A-Za-z#])${login.code}(?![0-9A-Za-z])`));
    expect(json).not.toContain(login.token);
  });

  it("filters by comunicazione, chosen by its subject", async () => {
    const me = createTestCoordinator();
    const communication = getDb()
      .insert(communications)
      .values({ subject: "Scadenza rendicontazione SAI", body: "Testo", provinceCodes: [], categories: [], status: "sent", recipientCount: 1, createdBy: me.id, sentBy: me.id, sentAt: new Date() })
      .returning()
      .get();
    const to = uniqueEmail("comunicazione");
    const email = queueEmail(getDb(), { to, template: "communication", props: { title: "Scadenza rendicontazione SAI", paragraphs: ["Testo"] }, category: "communication", domain: "portale.test" });
    getDb().update(outbox).set({ communicationId: communication.id }).where(eq(outbox.id, email.id)).run();
    queued("queued");

    const { html } = await listPage(`?comunicazione=${communication.id}`, me.id);
    const option = optionsOf(html, "comunicazione").find((o) => o.value === String(communication.id));
    expect(option).toMatchObject({ label: expect.stringMatching(/^Scadenza rendicontazione SAI \(\d{1,2} \p{L}+ \d{4}\)$/u), selected: true });
    const data = (await (await loader({ request: await adminGet(`/admin/posta?comunicazione=${communication.id}`, me.id), params: {}, context: loadContext() })).json()) as {
      rows: { id: number; subject: string | null; templateLabel: string }[];
    };
    expect(data.rows).toEqual([expect.objectContaining({ id: email.id, subject: "Scadenza rendicontazione SAI", templateLabel: "Comunicazione" })]);
  });
});
