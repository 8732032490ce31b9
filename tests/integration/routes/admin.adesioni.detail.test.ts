import zlib from "node:zlib";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberBodies, membershipRequests, referents } from "#db/schema";
import type { MembershipRequestDetail } from "~/models/membership-detail.server";
import { listMembershipRequests } from "~/models/membership-list.server";
import { retryFailedEmails } from "~/models/outbox.server";
import { IMPORT_PRIVACY_NOTICE_VERSION, runImport } from "~/models/member-import.server";
import { CONSENT_NOT_GIVEN } from "~/models/handover.server";
import { action as submitAction } from "~/routes/adesione._index";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import * as detailRoute from "~/routes/admin.adesioni.$id";
import { action as detailAction, loader as detailLoader } from "~/routes/admin.adesioni.$id";
import { loader as pdfLoader } from "~/routes/admin.adesioni.$id.scheda[.]pdf";
import * as editRoute from "~/routes/admin.adesioni.$id_.modifica";
import { action as editAction, loader as editLoader } from "~/routes/admin.adesioni.$id_.modifica";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { confirmationTokenFor, countRows, outboxFor, requestsForEmail } from "../../support/db-queries";
import { freeComune } from "../../support/invitations";
import { randomBodyFiscalCode, uniqueEmail, validRegistrationFields, type RegistrationFields } from "../../support/factories";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";
import { expectPortalNotFoundPage } from "../../support/not-found-page";

// ---------------------------------------------------------------- helpers

let coordinator: ReturnType<typeof createTestCoordinator>;
beforeAll(() => {
  coordinator = createTestCoordinator({ name: "Giulia Bianchi" });
});

/** A scheda sent through /adesione and, unless told otherwise, confirmed through its emailed link. */
async function registered(overrides: RegistrationFields = {}, { confirm = true } = {}) {
  const fields = validRegistrationFields(overrides);
  const submitted = await submitAction(routeArgs(await browserPost("/adesione", fields)));
  expect(submitted.status).toBe(302);
  if (confirm) {
    const token = confirmationTokenFor(fields.email);
    const confirmed = await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
    expect(confirmed.status).toBe(200);
  }
  const rows = requestsForEmail(fields.email);
  return { fields, id: rows.at(-1)!.request.id, referentId: rows.at(-1)!.referent.id };
}

/** Salvatore Greco's scheda, confirmed, for the ente of an earlier one: a change of referente once that one is approved. */
const successorScheda = (first: Awaited<ReturnType<typeof registered>>, overrides: RegistrationFields) =>
  registered({ municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode, firstName: "Salvatore", lastName: "Greco", ...overrides });

const idParams = (id: number | string) => ({ id: String(id) });

async function viewDetail(id: number | string, coordinatorId: number | null = coordinator.id, query = "") {
  return settle(async () => detailLoader(routeArgs(await adminGet(`/admin/adesioni/${id}${query}`, coordinatorId), idParams(id))));
}

async function detailOf(id: number, query = "") {
  const response = await viewDetail(id, coordinator.id, query);
  expect(response.status).toBe(200);
  return (await response.json()) as { detail: MembershipRequestDetail; outcome: string | null };
}

async function decide(id: number | string, fields: Record<string, string>, coordinatorId: number | null = coordinator.id) {
  return settle(async () => detailAction(routeArgs(await adminPost(`/admin/adesioni/${id}`, fields, coordinatorId), idParams(id))));
}

async function edit(id: number | string, fields: Record<string, string>, coordinatorId: number | null = coordinator.id) {
  return settle(async () => editAction(routeArgs(await adminPost(`/admin/adesioni/${id}/modifica`, fields, coordinatorId), idParams(id))));
}

/** The fields of «Modifica dati» as the page loads them, with the version the form sends back. */
async function editValues(id: number): Promise<Record<string, string>> {
  const response = await settle(async () => editLoader(routeArgs(await adminGet(`/admin/adesioni/${id}/modifica`, coordinator.id), idParams(id))));
  expect(response.status).toBe(200);
  const { values, version } = (await response.json()) as { values: Record<string, string>; version: string };
  return { ...values, version };
}

async function downloadPdf(id: number | string, coordinatorId: number | null = coordinator.id) {
  return settle(async () => pdfLoader(routeArgs(await adminGet(`/admin/adesioni/${id}/scheda.pdf`, coordinatorId), idParams(id))));
}

const requestRow = (id: number) => getDb().select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!;
const referentRow = (id: number) => getDb().select().from(referents).where(eq(referents.id, id)).get()!;
const bodyRow = (id: number) => getDb().select().from(memberBodies).where(eq(memberBodies.id, id)).get()!;
const auditCount = () => getDb().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;
const auditFor = (id: number) =>
  getDb()
    .select()
    .from(auditLog)
    .where(eq(auditLog.entityId, String(id)))
    .all()
    .filter((a) => a.entityType === "membership_request");

/** Everything a decision could touch, to prove that a refused one touched nothing. */
function snapshot(id: number) {
  const request = requestRow(id);
  return { request, referent: referentRow(request.referentId), body: bodyRow(request.memberBodyId), rows: countRows(), audit: auditCount() };
}

async function errorsOf(response: Response) {
  expect(response.status).toBe(400);
  return ((await response.json()) as { errors: Record<string, string> }).errors;
}

/** One object of a PDF: its dictionary and, for a stream, its content (inflated if compressed). */
function pdfObject(raw: string, id: string) {
  const start = raw.search(new RegExp(`(^|\\n)${id} 0 obj\\b`));
  const dictEnd = raw.slice(start).search(/\bstream\r?\n|\bendobj\b/) + start;
  const dict = raw.slice(start, dictEnd);
  const length = /\/Length (\d+)/.exec(dict);
  if (!raw.startsWith("stream", dictEnd) || !length) return { dict, stream: null };
  const bytes = Buffer.from(raw.slice(raw.indexOf("\n", dictEnd) + 1).slice(0, Number(length[1])), "latin1");
  return { dict, stream: (/\/FlateDecode/.test(dict) ? zlib.inflateSync(bytes) : bytes).toString("latin1") };
}

/**
 * What each font of a PDF draws, by the name pages use for it ("F1"): from each glyph code to the
 * text its ToUnicode CMap says it stands for, the way a reader copies or a screen reader reads it.
 */
function pdfFontTexts(raw: string) {
  const fonts = new Map<string, Map<number, string>>();
  for (const [, name, id] of raw.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    if (fonts.has(name)) continue;
    const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(pdfObject(raw, id).dict);
    if (!toUnicode) throw new Error(`font ${name} has no ToUnicode CMap: its text cannot be read back`);
    const codes = new Map<number, string>();
    for (const [, first, entries] of pdfObject(raw, toUnicode[1]).stream!.matchAll(/<([0-9a-f]+)>\s*<[0-9a-f]+>\s*\[([^\]]*)\]/gi)) {
      let code = parseInt(first, 16);
      for (const [, hex] of entries.matchAll(/<([0-9a-f\s]*)>/gi)) {
        const units = hex.replace(/\s/g, "").match(/.{4}/g) ?? [];
        codes.set(code++, String.fromCharCode(...units.map((unit) => parseInt(unit, 16))));
      }
    }
    fonts.set(name, codes);
  }
  return fonts;
}

/**
 * The marked content of a pdfkit PDF, in drawing order: each text drawn with the tag of the marked
 * content around it ("Artifact", a structure type such as "TD", or null outside any). A glyph the
 * font lacks (pdfkit's blank .notdef, glyph 0) reads as U+0000.
 */
function pdfMarkedText(pdf: Buffer) {
  const raw = pdf.toString("latin1");
  const fonts = pdfFontTexts(raw);
  const drawn: { tag: string | null; text: string }[] = [];
  for (const [, contentsId] of raw.matchAll(/\/Contents (\d+) 0 R/g)) {
    const open: string[] = [];
    let font: Map<number, string> | undefined;
    const ops = /\/(\w+)\s*(?:<<[\s\S]*?>>\s*BDC|BMC)|\bEMC\b|\/(\w+) [\d.]+ Tf|\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g;
    for (const op of pdfObject(raw, contentsId).stream!.matchAll(ops)) {
      if (op[1]) open.push(op[1]);
      else if (op[0] === "EMC") open.pop();
      else if (op[2]) font = fonts.get(op[2]);
      else {
        const hex = op[3] !== undefined ? [...op[3].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join("") : op[4];
        const codes = hex.match(/.{4}/g) ?? [];
        drawn.push({ tag: open.at(-1) ?? null, text: codes.map((code) => font!.get(parseInt(code, 16)) ?? "\uFFFD").join("") });
      }
    }
  }
  return drawn;
}

/** The text drawn by a pdfkit PDF, one line per text operator. */
const pdfText = (pdf: Buffer) => pdfMarkedText(pdf).map((d) => d.text).join("\n");

// ---------------------------------------------------------------- the page

describe("GET /admin/adesioni/:id", () => {
  it("shows a new request: ente, referente, projects, emails and audit trail", async () => {
    const { fields, id } = await registered({ firstName: "Rosalia", mobile: "333 1234567" });
    const { detail, outcome } = await detailOf(id);
    expect(outcome).toBeNull();

    expect(detail.request).toMatchObject({ id, status: "pending", statusLabel: "In attesa di approvazione", kind: "new", kindLabel: "Nuova adesione" });
    expect(detail.request.confirmedAt).not.toBeNull();
    expect(detail.request.decidedAt).toBeNull();

    expect(detail.body.kind).toBe("comune");
    expect(detail.body.name).toBe(`Comune di ${detail.body.municipalityName}`);
    expect(detail.body.municipalityCode).toBe(fields.municipalityCode);
    expect(detail.body.provinceSigla).toMatch(/^(AG|CL|CT|EN|ME|PA|RG|SR|TP)$/);
    expect(detail.body).toMatchObject({ pec: fields.pec, fiscalCode: fields.fiscalCode, status: "candidate" });

    expect(detail.referent).toMatchObject({
      firstName: "Rosalia",
      lastName: "Rossi",
      roleLabel: "Dirigente",
      office: "Servizi sociali",
      email: fields.email,
      phone: "+390911234567",
      phoneDisplay: "091 123 4567",
      mobileDisplay: "333 123 4567",
      privacyNoticeVersion: "2026-11-26",
      validFrom: null,
    });
    expect(detail.referent.emailVerifiedAt).not.toBeNull();
    expect(detail.referent.privacyConsentAt).not.toBeNull();

    expect(detail.currentReferent).toBeNull();
    expect(detail.referentHistory).toHaveLength(1);
    expect(detail.referentHistory[0]).toMatchObject({ email: fields.email, isCurrent: false, isThisRequest: true, requestId: id });

    expect(detail.projects).toEqual([
      expect.objectContaining({ category: "ordinari", fundedPlaces: 25, projectCode: "PROG-1776-PR-3", managingOrganization: "Cooperativa Sociale Esempio", startDate: "2024-01-01", endDate: "2030-12-31", closedAt: null, requestId: id }),
    ]);
    expect(detail.request.declaredProjects).toEqual([expect.objectContaining({ category: "ordinari", fundedPlaces: 25 })]);
    expect(detail.otherRequests).toEqual([]);

    const confirmation = detail.emails.find((e) => e.recipient === fields.email)!;
    expect(confirmation).toMatchObject({ template: "confirm-registration", status: "queued", statusLabel: "In coda", attempts: 0, lastError: null, sentAt: null });
    expect(confirmation.subject).toMatch(/^Conferma l'indirizzo email - adesione del Comune di /);
    expect(detail.emails.some((e) => e.recipient === "coordinatore@example.org" && e.template === "registration-awaiting-approval")).toBe(true);

    // Newest first: the confirmation follows the submission.
    expect(detail.audit.map((a) => a.action)).toEqual(["membership.email_confirmed", "membership.submitted"]);
    expect(detail.audit[0]).toMatchObject({ actorType: "public", actorLabel: `Rosalia ${fields.lastName} (referente)`, actionLabel: "Ha confermato l'indirizzo email della scheda" });
  });

  it("shows the success message named in ?esito and ignores unknown ones", async () => {
    const { id } = await registered();
    expect((await detailOf(id, "?esito=approvata")).outcome).toMatch(/approvata/);
    expect((await detailOf(id, "?esito=qualcosa")).outcome).toBeNull();
  });

  it("answers 404 with an Italian message for an unknown or malformed id", async () => {
    for (const id of ["999999", "abc", "0", "-1"]) {
      const response = await viewDetail(id);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { message: string }).message).toMatch(/non esiste/);
    }
    await expectPortalNotFoundPage(await downloadPdf(999999), { title: "Richiesta non trovata", back: "/admin/adesioni" });
    const editPage = await settle(async () => editLoader(routeArgs(await adminGet("/admin/adesioni/999999/modifica", coordinator.id), idParams(999999))));
    expect(editPage.status).toBe(404);
    const before = countRows();
    expect((await decide(999999, { intent: "approve" })).status).toBe(404);
    expect((await edit(999999, { firstName: "X" })).status).toBe(404);
    expect(countRows()).toEqual(before);
  });
});

// ---------------------------------------------------------------- decisions

describe("POST /admin/adesioni/:id (decisions)", () => {
  it("Approva: the referente takes office, gets the approval email, the decision is audited with the coordinator's name", async () => {
    const { fields, id, referentId } = await registered();
    const response = await decide(id, { intent: "approve" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=approvata`);

    const request = requestRow(id);
    expect(request.status).toBe("approved");
    expect(request.decidedById).toBe(coordinator.id);
    expect(referentRow(referentId).validFrom).toBeInstanceOf(Date);
    expect(bodyRow(request.memberBodyId).status).toBe("member");
    expect(outboxFor(fields.email).map((r) => r.template)).toContain("membership-approved");

    const { detail, outcome } = await detailOf(id, "?esito=approvata");
    expect(outcome).toBe("La richiesta è stata approvata. Il referente riceverà un'email di conferma.");
    expect(detail.request).toMatchObject({ statusLabel: "Approvata", decidedByName: "Giulia Bianchi" });
    expect(detail.currentReferent).toMatchObject({ id: referentId, isCurrent: true });
    expect(detail.audit[0]).toMatchObject({ action: "membership.approved", actorType: "coordinator", actorLabel: "Giulia Bianchi" });
  });

  it("refuses to decide twice: the error is returned for the page's alert and nothing changes", async () => {
    const { id } = await registered();
    expect((await decide(id, { intent: "approve" })).status).toBe(302);
    const before = snapshot(id);
    const again = await decide(id, { intent: "approve" });
    expect(again.status).toBe(409);
    // Who decided it, and when: most often another coordinator, just before.
    const decided = new RegExp(`è già stata approvata da Giulia Bianchi il \\d+ \\S+ \\d{4} alle \\d{2}:\\d{2}\\.$`);
    expect(((await again.json()) as { formError: string }).formError).toMatch(new RegExp(`^Non è possibile approvare questa richiesta: ${decided.source}`));
    const rejectLate = await decide(id, { intent: "reject", reason: "Motivo arrivato troppo tardi." });
    expect(rejectLate.status).toBe(409);
    expect(((await rejectLate.json()) as { formError: string }).formError).toMatch(new RegExp(`^Non è possibile respingere questa richiesta: ${decided.source}`));
    expect(snapshot(id)).toEqual(before);
  });

  it("refuses an unknown intent", async () => {
    const { id } = await registered();
    const before = snapshot(id);
    const response = await decide(id, { intent: "elimina" });
    expect(response.status).toBe(400);
    expect(snapshot(id)).toEqual(before);
  });

  it("Respingi requires a reason of at least 10 characters: 400 and nothing changes", async () => {
    const { id } = await registered();
    const before = snapshot(id);
    expect((await errorsOf(await decide(id, { intent: "reject" }))).reason).toMatch(/^Indica il motivo del rifiuto/);
    expect((await errorsOf(await decide(id, { intent: "reject", reason: "   " }))).reason).toMatch(/^Indica il motivo del rifiuto/);
    expect((await errorsOf(await decide(id, { intent: "reject", reason: "Breve" }))).reason).toBe("Il motivo deve contenere almeno 10 caratteri");
    expect((await errorsOf(await decide(id, { intent: "reject", reason: "x".repeat(2001) }))).reason).toMatch(/al massimo 2\.000 caratteri/);
    expect(snapshot(id)).toEqual(before);
  });

  it("Respingi on a scheda never confirmed: its page says the reason will not be sent, and after it that nobody was written to", async () => {
    const { fields, id } = await registered({}, { confirm: false });
    const before = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    expect(before.html).toContain("Il referente non ha confermato il suo indirizzo email: il motivo resta nella scheda e non gli sarà inviato.");
    const response = await decide(id, { intent: "reject", reason: "Scheda inviata per errore, mai confermata." });
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=respinta-senza-email`);
    const after = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}?esito=respinta-senza-email`, coordinator.id), "/admin/adesioni/:id");
    expect(after.html).toContain("La richiesta è stata respinta. Il referente non aveva confermato il suo indirizzo email: non gli è stata inviata alcuna email.");
    expect(outboxFor(fields.email).map((r) => r.template)).toEqual(["confirm-registration"]);
  });

  it("Respingi: the reason is stored, queued in the email's data and delivered in the email's text", async () => {
    const smtp = await startTestSmtpServer();
    const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
    const worker = startOutboxWorker({ db: getDb(), transport, from: "Coordinamento SAI <noreply@portale.test>", pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
    try {
      const { fields, id } = await registered({ firstName: "Calogero", lastName: "Di Stefano" });
      const reason = "Il codice fiscale indicato non corrisponde all'ente: è quello di un'altra amministrazione.";
      const response = await decide(id, { intent: "reject", reason: `  ${reason}  ` });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=respinta`);

      const request = requestRow(id);
      expect(request).toMatchObject({ status: "rejected", decisionReason: reason, decidedById: coordinator.id });
      const queued = outboxFor(fields.email).find((r) => r.template === "membership-rejected")!;
      expect(queued.props.reason).toBe(reason);

      const started = Date.now();
      let delivered = smtp.received.find((m) => m.envelopeTo.includes(fields.email) && m.subject?.startsWith("Scheda referente non approvata"));
      while (!delivered && Date.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 20));
        delivered = smtp.received.find((m) => m.envelopeTo.includes(fields.email) && m.subject?.startsWith("Scheda referente non approvata"));
      }
      expect(delivered).toBeDefined();
      expect(delivered!.text).toContain("Gentile Calogero Di Stefano,");
      expect(delivered!.text).toContain(reason);

      // Once delivered, the page reports it in Italian.
      for (let i = 0; i < 100 && outboxFor(fields.email).find((r) => r.template === "membership-rejected")!.status !== "sent"; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const { detail } = await detailOf(id);
      expect(detail.request).toMatchObject({ statusLabel: "Respinta", decisionReason: reason, decidedByName: "Giulia Bianchi" });
      // Never a member, and no longer waiting for anything.
      expect(detail.body.statusLabel).toBe("Non ancora aderente");
      const shown = detail.emails.find((e) => e.template === "membership-rejected")!;
      expect(shown).toMatchObject({ status: "sent", statusLabel: "Inviata", attempts: 1 });
      expect(shown.subject).toBe(`Scheda referente non approvata: ${detail.body.name}`);
      expect(detail.audit[0]).toMatchObject({ action: "membership.rejected", actorLabel: "Giulia Bianchi", details: expect.objectContaining({ reason }) });
    } finally {
      await worker.stop();
      transport.close();
      await smtp.close();
    }
  });

  it("Respingi also works on a request whose email was never confirmed", async () => {
    const { id } = await registered({}, { confirm: false });
    expect(requestRow(id).status).toBe("email_unverified");
    expect((await decide(id, { intent: "reject", reason: "Scheda inviata per errore, come ci ha scritto l'ente." })).status).toBe(302);
    expect(requestRow(id).status).toBe("rejected");
  });

  it("Revoca adesione: only for approved memberships, with a required reason", async () => {
    const { id, referentId } = await registered();

    const early = await decide(id, { intent: "revoke", reason: "L'ente ha chiesto di uscire dal Coordinamento." });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { formError: string }).formError).toMatch(/solo le adesioni approvate/);

    expect((await decide(id, { intent: "approve" })).status).toBe(302);
    const before = snapshot(id);
    expect((await errorsOf(await decide(id, { intent: "revoke", reason: "" }))).reason).toBe("Indica il motivo della revoca");
    expect(snapshot(id)).toEqual(before);

    const reason = "L'ente ha chiesto di uscire dal Coordinamento.";
    const response = await decide(id, { intent: "revoke", reason });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=revocata`);
    const request = requestRow(id);
    expect(request).toMatchObject({ status: "revoked", decisionReason: reason });
    expect(referentRow(referentId).validTo).toBeInstanceOf(Date);
    expect(bodyRow(request.memberBodyId).status).toBe("revoked");

    const { detail } = await detailOf(id);
    expect(detail.request.statusLabel).toBe("Revocata");
    expect(detail.body.statusLabel).toBe("Adesione revocata");
    expect(detail.referentHistory[0]).toMatchObject({ isCurrent: false });
    expect(detail.referentHistory[0].validTo).not.toBeNull();
  });

  it("approves a handover: the previous referente gets an end date and a notice, the new one takes office", async () => {
    const first = await registered({ firstName: "Maria", lastName: "Rossi" });
    expect((await decide(first.id, { intent: "approve" })).status).toBe(302);

    const second = await successorScheda(first, {
      pec: "protocollo.nuovo@pec.comune.esempio.it",
      "projects.0.category": "MSNA",
      "projects.0.fundedPlaces": "10",
    });
    expect(requestRow(second.id).kind).toBe("handover");

    // On the ente's page the second scheda's project is not the ente's yet, and says so.
    const ente = (await detailOf(first.id)).detail;
    expect(ente.projects.map((p) => [p.categoryLabel, p.notYetOfBody])).toEqual(
      expect.arrayContaining([
        ["Ordinari", null],
        ["MSNA (minori stranieri non accompagnati)", "Dichiarato in una scheda in attesa di approvazione"],
      ]),
    );
    const entePage = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${first.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(entePage.html).toContain("<td>Dichiarato in una scheda in attesa di approvazione</td>");

    const pending = (await detailOf(second.id)).detail;
    expect(pending.request.kindLabel).toBe("Cambio di referente");
    // On its own page, the scheda's project is simply open.
    expect(pending.projects.find((p) => p.requestId === second.id)!.notYetOfBody).toBeNull();
    expect(pending.currentReferent).toMatchObject({ id: first.referentId, firstName: "Maria", lastName: "Rossi" });
    expect(pending.otherRequests).toEqual([expect.objectContaining({ id: first.id, status: "approved", referentName: "Maria Rossi" })]);
    // The coordinator chooses what becomes of the ente's open project: kept (the default) or replaced.
    expect(pending.replaceableProjects).toBe(1);
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${second.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(html).toContain("<legend class=\"h6\">Progetti SAI dell&#x27;ente</legend>");
    expect(html).toContain("L&#x27;ente ha 1 progetto aperto; questa scheda ne dichiara uno.");
    expect(html).toMatch(/<input[^>]*id="progetti-mantieni"[^>]*checked=""/);
    expect(html).toContain("Sostituisci: i progetti aperti dell&#x27;ente risulteranno chiusi oggi");
    // The PEC the scheda declares is shown against the recorded one, and taken at the approval.
    expect(html).toContain("PEC dell&#x27;ente: «protocollo.nuovo@pec.comune.esempio.it» (ora «protocollo@pec.comune.esempio.it»)");

    const response = await decide(second.id, { intent: "approve", progetti: "sostituisci" });
    expect(response.status).toBe(302);

    const previous = referentRow(first.referentId);
    expect(previous.validTo).toBeInstanceOf(Date);
    expect(referentRow(second.referentId).validFrom).toBeInstanceOf(Date);
    expect(referentRow(second.referentId).validTo).toBeNull();
    expect(requestRow(first.id).status).toBe("superseded");
    expect(requestRow(second.id).status).toBe("approved");
    const notice = outboxFor(first.fields.email).find((r) => r.template === "referent-replaced")!;
    expect(notice.props).toMatchObject({ firstName: "Maria", successorName: "Salvatore Greco" });
    expect(outboxFor(second.fields.email).find((r) => r.template === "membership-approved")!.props).toMatchObject({ isHandover: true });

    const { detail } = await detailOf(second.id);
    expect(detail.body.pec).toBe("protocollo.nuovo@pec.comune.esempio.it");
    expect(detail.declaredBodyChanges).toEqual({ applied: [], kept: [] });
    expect(detail.audit[0]).toMatchObject({ action: "membership.handover_approved", actorLabel: "Giulia Bianchi" });
    expect(detail.currentReferent).toMatchObject({ id: second.referentId });
    // Newest first: the successor in office, then the previous referente with both dates.
    expect(detail.referentHistory.map((r) => [r.firstName, r.isCurrent])).toEqual([
      ["Salvatore", true],
      ["Maria", false],
    ]);
    expect(detail.referentHistory[1].validFrom).not.toBeNull();
    expect(new Date(detail.referentHistory[1].validTo!).getTime()).toBe(previous.validTo!.getTime());
    expect(detail.referentHistory[1]).toMatchObject({ requestId: first.id, requestStatusLabel: "Sostituita da un cambio di referente" });
    // The predecessor's project was closed; the successor's is open; both are listed with their request.
    expect(detail.projects.map((p) => [p.category, p.requestId, p.closedAt === null])).toEqual([
      ["MSNA", second.id, true],
      ["ordinari", first.id, false],
    ]);
    expect(detail.emails.some((e) => e.recipient === first.fields.email && e.template === "referent-replaced")).toBe(true);

    const old = (await detailOf(first.id)).detail;
    expect(old.request.statusLabel).toBe("Sostituita da un cambio di referente");
    expect(old.otherRequests.map((o) => o.id)).toEqual([second.id]);
  });
  it("marks, on a handover's page, the declared project the ente already has: not added again when the approval keeps the ente's", async () => {
    const first = await registered();
    expect((await decide(first.id, { intent: "approve" })).status).toBe(302);
    // The successor declares the ente's project again (the same values as the first scheda's), and a new one.
    const second = await successorScheda(first, {
      "projects.1.category": "MSNA",
      "projects.1.fundedPlaces": "12",
      "projects.1.managingOrganization": "Coop",
      "projects.1.startDate": "2024-01-01",
      "projects.1.endDate": "2027-12-31",
    });
    const declaredRows = (detail: MembershipRequestDetail) =>
      detail.projects.filter((p) => p.requestId === second.id).map((p) => [p.category, p.alreadyRegistered]);

    const pending = (await detailOf(second.id)).detail;
    expect(declaredRows(pending)).toEqual([
      ["MSNA", null],
      ["ordinari", "Già registrato per l'ente: non sarà aggiunto di nuovo"],
    ]);
    const before = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${second.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(before.html.split("<td>Già registrato per l&#x27;ente: non sarà aggiunto di nuovo</td>")).toHaveLength(2);
    expect(before.html).toContain(
      "L&#x27;ente ha 1 progetto aperto; questa scheda ne dichiara 2. Un progetto dichiarato è già registrato per l&#x27;ente: mantenendo i progetti dell&#x27;ente non sarà aggiunto di nuovo.",
    );
    expect(before.html).toContain("Mantieni i progetti aperti dell&#x27;ente e aggiungi quelli dichiarati nella scheda non ancora registrati");

    expect((await decide(second.id, { intent: "approve", progetti: "mantieni" })).status).toBe(302);
    const approved = (await detailOf(second.id)).detail;
    expect(declaredRows(approved)).toEqual([
      ["MSNA", null],
      ["ordinari", "Già registrato per l'ente: non aggiunto di nuovo"],
    ]);
    // The ente's own project stays open, the one declared again does not read as a closed project.
    expect(approved.projects.filter((p) => !p.alreadyRegistered).map((p) => [p.category, p.requestId, p.closedAt])).toEqual([
      ["MSNA", second.id, null],
      ["ordinari", first.id, null],
    ]);
    const after = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${second.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(after.html).toContain("<td>Già registrato per l&#x27;ente: non aggiunto di nuovo</td>");
    expect(after.html).not.toContain("<td>Chiuso il");
  });

  it("says, on a handover's page, that a declared project with a later end date will update the ente's, and the approval does so", async () => {
    const first = await registered();
    expect((await decide(first.id, { intent: "approve" })).status).toBe(302);
    const second = await successorScheda(first, { "projects.0.endDate": "2032-12-31", "projects.0.fundedPlaces": "30" });
    const pending = (await detailOf(second.id)).detail;
    expect(pending.projects.filter((p) => p.requestId === second.id).map((p) => p.alreadyRegistered)).toEqual([
      "Già registrato per l'ente con dati meno recenti: non sarà aggiunto di nuovo, ma aggiornerà quello registrato (posti finanziati, data di fine)",
    ]);
    expect((await decide(second.id, { intent: "approve", progetti: "mantieni" })).status).toBe(302);
    const approved = (await detailOf(second.id)).detail;
    expect(approved.projects.filter((p) => !p.alreadyRegistered).map((p) => [p.requestId, p.fundedPlaces, p.endDate, p.closedAt])).toEqual([
      [first.id, 30, "2032-12-31", null],
    ]);
  });

  it("refuses a change of referente approved from a page that showed another referente in office (a rival scheda approved meanwhile in another tab)", async () => {
    const first = await registered({ firstName: "Nicolò", lastName: "D'Amico" });
    expect((await decide(first.id, { intent: "approve" })).status).toBe(302);
    const mayor = await successorScheda(first, { firstName: "Antonio", lastName: "Sindaco" });
    const rival = await successorScheda(first, { firstName: "Rosa", lastName: "Lombardo" });
    const shownValue = (html: string) => /<input type="hidden" name="referenteInCarica" value="([^"]*)"/.exec(html)?.[1];

    // Tab B opens the rival scheda: the page names Nicolò D'Amico as the referente who will leave, and so does its form.
    const tabB = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${rival.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(tabB.html).toContain("Il referente attuale Nicolò D&#x27;Amico terminerà il suo incarico");
    const shownInB = shownValue(tabB.html)!;
    expect(shownInB).toBe(String(first.referentId));
    // Tab A approves the mayor's scheda.
    const tabA = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${mayor.id}`, coordinator.id), "/admin/adesioni/:id");
    expect((await decide(mayor.id, { intent: "approve", referenteInCarica: shownValue(tabA.html)! })).status).toBe(302);

    // Tab B then approves from its stale page: refused, the mayor stays in office and hears nothing more.
    const before = snapshot(rival.id);
    const mayorMail = outboxFor(mayor.fields.email).length;
    const refused = await decide(rival.id, { intent: "approve", referenteInCarica: shownInB });
    expect(refused.status).toBe(409);
    const message =
      "Nel frattempo il referente in carica per l'ente è cambiato (ora è Antonio Sindaco): ricarica la pagina e verifica prima di approvare.";
    expect(((await refused.json()) as { formError: string }).formError).toBe(message);
    expect(snapshot(rival.id)).toEqual(before);
    expect(referentRow(mayor.referentId)).toMatchObject({ validTo: null });
    expect(outboxFor(mayor.fields.email)).toHaveLength(mayorMail);

    // Without JavaScript the page answers with the refusal read out first, and the form now names the mayor.
    const page = await renderRoute(detailRoute, await adminPost(`/admin/adesioni/${rival.id}`, { intent: "approve", referenteInCarica: shownInB }, coordinator.id), "/admin/adesioni/:id");
    expect(page.status).toBe(409);
    expect(page.html).toContain(`<div class="alert alert-danger" role="alert" data-error-summary="">${message.replaceAll("'", "&#x27;")}</div>`);
    expect(page.html).toContain("Il referente attuale Antonio Sindaco terminerà il suo incarico");
    expect(shownValue(page.html)).toBe(String(mayor.referentId));
    // Approved from the page that now shows the mayor, the change goes through: the coordinator has seen whom it replaces.
    expect((await decide(rival.id, { intent: "approve", referenteInCarica: shownValue(page.html)! })).status).toBe(302);
    expect(referentRow(mayor.referentId).validTo).toBeInstanceOf(Date);
  });

  it("refuses a new membership approved from a page that showed no referente in office, once another scheda of the ente was approved", async () => {
    const first = await registered();
    const other = await successorScheda(first, {});
    const page = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${other.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(page.html).toContain('<input type="hidden" name="referenteInCarica" value="nessuno"/>');
    expect((await decide(first.id, { intent: "approve", referenteInCarica: "nessuno" })).status).toBe(302);
    const before = snapshot(other.id);
    const refused = await decide(other.id, { intent: "approve", referenteInCarica: "nessuno" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { formError: string }).formError).toMatch(/^Nel frattempo il referente in carica per l'ente è cambiato \(ora è /);
    expect(snapshot(other.id)).toEqual(before);
  });
});

// ---------------------------------------------------------------- edits

describe("/admin/adesioni/:id/modifica", () => {
  it("an address corrected after a bounce: the emails refused at the old one wait at the new one, and «Riprova» reaches it", async () => {
    const smtp = await startTestSmtpServer();
    smtp.state.behaviour = "permanent-failure";
    const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
    const worker = startOutboxWorker({ db: getDb(), transport, from: "Coordinamento SAI <noreply@portale.test>", pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
    try {
      const { fields, id } = await registered({ email: uniqueEmail("s.bonanno") });
      expect((await decide(id, { intent: "approve" })).status).toBe(302);
      const failedAt = (template: string) => outboxFor(fields.email).find((r) => r.template === template && r.status === "failed");
      const welcome = await until(() => failedAt("membership-approved"));
      await until(() => failedAt("confirm-registration"));

      const corrected = uniqueEmail("salvatore.bonanno");
      const response = await edit(id, { ...(await editValues(id)), email: corrected });
      expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=modificata-email-da-riprovare`);
      const { outcome } = await detailOf(id, "?esito=modificata-email-da-riprovare");
      expect(outcome).toBe(
        "I dati sono stati aggiornati. Le email non consegnate al vecchio indirizzo ora sono indirizzate al nuovo: riprovane l'invio da Posta in uscita (stato «Non recapitata»).",
      );
      // The welcome email now waits at the new address; the confirmation link stays with the address it was asked for.
      expect(outboxFor(corrected).map((r) => [r.id, r.template, r.status])).toEqual([[welcome.id, "membership-approved", "failed"]]);
      expect(outboxFor(fields.email).map((r) => r.template)).toEqual(["confirm-registration"]);

      smtp.state.behaviour = "accept";
      expect(retryFailedEmails(getDb(), { ids: [welcome.id], coordinatorId: coordinator.id })).toBe(1);
      await until(() => outboxFor(corrected)[0].status === "sent" || undefined);
      expect(smtp.received.filter((m) => m.envelopeTo.includes(corrected)).map((m) => m.subject)).toHaveLength(1);
      expect(smtp.received.filter((m) => m.envelopeTo.includes(fields.email))).toEqual([]);
    } finally {
      await worker.stop();
      transport.close();
      await smtp.close();
    }
  });

  it("shows the current values, phones as people write them", async () => {
    const { fields, id } = await registered();
    const values = await editValues(id);
    expect(values).toMatchObject({ bodyKind: "comune", pec: fields.pec, fiscalCode: fields.fiscalCode, firstName: "Maria", role: "dirigente", phone: "091 123 4567", mobile: "" });
  });

  it("saves only the changed fields and audits them with before and after", async () => {
    const { fields, id, referentId } = await registered();
    const values = await editValues(id);
    const response = await edit(id, { ...values, pec: "  Protocollo@Legalmail.IT ", firstName: "Maria Grazia", mobile: "333 7654321" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=modificata`);

    const referent = referentRow(referentId);
    expect(referent).toMatchObject({ firstName: "Maria Grazia", mobile: "+393337654321", phone: "+390911234567", email: fields.email });
    expect(bodyRow(requestRow(id).memberBodyId).pec).toBe("protocollo@legalmail.it");

    const edited = auditFor(id).filter((a) => a.action === "membership.edited");
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ actorType: "coordinator", actorId: coordinator.id });
    expect(edited[0].details).toMatchObject({
      before: { pec: fields.pec, firstName: "Maria", mobile: null },
      after: { pec: "protocollo@legalmail.it", firstName: "Maria Grazia", mobile: "+393337654321" },
    });
    expect(Object.keys(edited[0].details!.before as object).sort()).toEqual(["firstName", "mobile", "pec"]);
    expect(Object.keys(edited[0].details!.after as object).sort()).toEqual(["firstName", "mobile", "pec"]);

    const { detail, outcome } = await detailOf(id, "?esito=modificata");
    expect(outcome).toBe("I dati sono stati aggiornati.");
    expect(detail.audit[0]).toMatchObject({ action: "membership.edited", actionLabel: "Ha modificato i dati dell'adesione", actorLabel: "Giulia Bianchi" });
    expect(detail.audit[0].changes).toEqual([
      { field: "pec", label: "PEC dell'ente", before: fields.pec, after: "protocollo@legalmail.it" },
      { field: "firstName", label: "Nome", before: "Maria", after: "Maria Grazia" },
      { field: "mobile", label: "Cellulare", before: null, after: "+393337654321" },
    ]);
  });

  it("saving unchanged values stores and audits nothing", async () => {
    const { id } = await registered();
    const before = snapshot(id);
    const response = await edit(id, await editValues(id));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${id}?esito=invariata`);
    expect(snapshot(id)).toEqual(before);
  });

  it("refuses invalid values with 400, field messages and the input kept; nothing is stored", async () => {
    const { id } = await registered();
    const values = await editValues(id);
    const before = snapshot(id);
    const response = await edit(id, { ...values, firstName: "Nuovo", email: "non-una-email", fiscalCode: "12345678901", phone: "12", role: "papa" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
    expect(body.errors.email).toMatch(/Indirizzo email non valido/);
    expect(body.errors.fiscalCode).toMatch(/Codice fiscale non valido/);
    expect(body.errors.phone).toMatch(/Numero di telefono non valido/);
    expect(body.errors.role).toBe("Scegli il ruolo");
    expect(body.values).toMatchObject({ firstName: "Nuovo", email: "non-una-email" });
    expect(snapshot(id)).toEqual(before);
  });

  it("refuses a codice fiscale that belongs to another ente", async () => {
    const other = await registered();
    const { id } = await registered();
    const before = snapshot(id);
    // The other ente's recorded code: past the file's first 20 schede a comune comes round again, and its ente keeps the code it has.
    const taken = bodyRow(requestRow(other.id).memberBodyId).fiscalCode;
    const errors = await errorsOf(await edit(id, { ...(await editValues(id)), fiscalCode: taken, firstName: "Nuovo" }));
    expect(errors.fiscalCode).toMatch(/appartiene a un altro ente/);
    expect(snapshot(id)).toEqual(before);
  });

  it("edits the denominazione of an ente that is not a Comune, never that of a Comune", async () => {
    const { id } = await registered({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni Esempio", fiscalCode: randomBodyFiscalCode() });
    const values = await editValues(id);
    expect(values.bodyName).toBe("Unione dei Comuni Esempio");
    expect((await errorsOf(await edit(id, { ...values, bodyName: "U" }))).bodyName).toBe("Inserisci la denominazione dell'ente");
    expect((await edit(id, { ...values, bodyName: "Unione dei Comuni delle Madonie", bodyKind: "comune" })).status).toBe(302);
    expect(bodyRow(requestRow(id).memberBodyId).name).toBe("Unione dei Comuni delle Madonie");
    expect(auditFor(id).find((a) => a.action === "membership.edited")!.details).toMatchObject({
      before: { bodyName: "Unione dei Comuni Esempio" },
      after: { bodyName: "Unione dei Comuni delle Madonie" },
    });

    const comune = await registered();
    const { name, provinceCode } = bodyRow(requestRow(comune.id).memberBodyId);
    const response = await edit(comune.id, { ...(await editValues(comune.id)), bodyName: "Comune inventato", provinceCode: provinceCode === "081" ? "082" : "081" });
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${comune.id}?esito=invariata`);
    // A Comune's name and province are its comune's.
    expect(bodyRow(requestRow(comune.id).memberBodyId)).toMatchObject({ name, provinceCode });
  });

  it("sets the province of an ente that is not a Comune, which then shows in the list's province filter", async () => {
    const { id } = await registered({ bodyKind: "libero_consorzio", municipalityCode: "", bodyName: "Libero Consorzio Comunale di Trapani", provinceCode: "082", fiscalCode: randomBodyFiscalCode() });
    const bodyId = requestRow(id).memberBodyId;
    // Recorded before the scheda asked for it: the detail page says so and points to the correction.
    getDb().update(memberBodies).set({ provinceCode: null }).where(eq(memberBodies.id, bodyId)).run();
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain("Provincia non indicata: indicala in «Modifica dati» , così l'ente rientra nei filtri per provincia");
    expect(html).toMatch(new RegExp(`<a [^>]*href="/admin/adesioni/${id}/modifica">indicala in «Modifica dati»</a>`));

    const values = await editValues(id);
    expect(values.provinceCode).toBe("");
    expect((await errorsOf(await edit(id, { ...values, provinceCode: "" }))).provinceCode).toBe("Scegli la provincia in cui ha sede l'ente");
    expect((await errorsOf(await edit(id, { ...values, provinceCode: "999" }))).provinceCode).toBe("Provincia non riconosciuta: sceglila dall'elenco");
    expect((await edit(id, { ...values, provinceCode: "081" })).status).toBe(302);
    expect(bodyRow(bodyId).provinceCode).toBe("081");
    expect(auditFor(id).find((a) => a.action === "membership.edited")!.details).toMatchObject({ before: { provinceCode: null }, after: { provinceCode: "Trapani" } });
    const trapani = listMembershipRequests(getDb(), { filters: { provinceCode: "081", q: "Libero Consorzio Comunale di Trapani" }, sort: { key: "created", direction: "desc" } });
    expect(trapani.rows.map((r) => [r.id, r.province?.sigla])).toEqual([[id, "TP"]]);
  });
});

// ---------------------------------------------------------------- two coordinators editing at once

describe("/admin/adesioni/:id/modifica, saved from a form loaded before another save", () => {
  const CONFLICT =
    "Nel frattempo questi dati sono stati modificati (da un altro coordinatore o dal referente): ricarica la pagina per vedere la versione attuale, poi ripeti la modifica.";

  it("is refused with 409, keeping what was typed: the other coordinator's change is not put back", async () => {
    const { id, referentId } = await registered();
    const bodyId = requestRow(id).memberBodyId;
    const tabA = await editValues(id);
    const tabB = await editValues(id);
    expect((await edit(id, { ...tabA, phone: "091 765 4321" })).status).toBe(302);

    const before = snapshot(id);
    const response = await edit(id, { ...tabB, pec: "protocollo.nuovo@pec.comune.esempio.it" });
    expect(response.status).toBe(409);
    const answer = (await response.json()) as { values: Record<string, string>; version: string; errors: Record<string, string>; formError: string };
    expect(answer).toMatchObject({ errors: {}, formError: CONFLICT, version: tabB.version });
    expect(answer.values).toMatchObject({ pec: "protocollo.nuovo@pec.comune.esempio.it", phone: "091 123 4567" });
    expect(snapshot(id)).toEqual(before);
    expect(referentRow(referentId).phone).toBe("+390917654321");

    // Sent without JavaScript, the page says why, with the typed values and still the old version.
    const { status, html } = await renderRoute(
      editRoute,
      await adminPost(`/admin/adesioni/${id}/modifica`, { ...tabB, pec: "protocollo.nuovo@pec.comune.esempio.it" }, coordinator.id),
      "/admin/adesioni/:id/modifica",
    );
    expect(status).toBe(409);
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain(`Modifica non salvata ${CONFLICT}`);
    expect(html).toMatch(/<input[^>]*name="pec"[^>]*value="protocollo.nuovo@pec.comune.esempio.it"|<input[^>]*value="protocollo.nuovo@pec.comune.esempio.it"[^>]*name="pec"/);
    expect(html).toContain(`name="version" value="${tabB.version}"`);

    // Reloaded, the form shows the phone saved meanwhile, and the PEC can be saved with it.
    const reloaded = await editValues(id);
    expect(reloaded.phone).toBe("091 765 4321");
    expect((await edit(id, { ...reloaded, pec: "protocollo.nuovo@pec.comune.esempio.it" })).status).toBe(302);
    expect(bodyRow(bodyId).pec).toBe("protocollo.nuovo@pec.comune.esempio.it");
    expect(referentRow(referentId).phone).toBe("+390917654321");
  });

  it("is refused too when the same field was changed meanwhile, or when the form sends no version", async () => {
    const { id } = await registered();
    const bodyId = requestRow(id).memberBodyId;
    const tabA = await editValues(id);
    const tabB = await editValues(id);
    expect((await edit(id, { ...tabA, pec: "protocollo.a@pec.comune.esempio.it" })).status).toBe(302);
    expect((await edit(id, { ...tabB, pec: "protocollo.b@pec.comune.esempio.it" })).status).toBe(409);
    expect(bodyRow(bodyId).pec).toBe("protocollo.a@pec.comune.esempio.it");

    const { version: _version, ...withoutVersion } = await editValues(id);
    const before = snapshot(id);
    expect((await edit(id, { ...withoutVersion, pec: "protocollo.c@pec.comune.esempio.it" })).status).toBe(409);
    expect(snapshot(id)).toEqual(before);
  });
});

// ---------------------------------------------------------------- approving after «Modifica dati»

describe("approving a scheda whose ente a coordinator corrected", () => {
  it("keeps the corrections made after the scheda was sent: the page says so, the welcome email and the log agree", async () => {
    const fiscalCode = randomBodyFiscalCode();
    const { fields, id } = await registered({
      bodyKind: "unione_comuni",
      municipalityCode: "",
      bodyName: "Unione dei Comuni Madoneie",
      pec: "unione@pec.sbagliata.it",
      fiscalCode: randomBodyFiscalCode(),
    });
    const bodyId = requestRow(id).memberBodyId;
    const corrected = { bodyName: "Unione dei Comuni delle Madonie", pec: "unione@pec.madonie.it", fiscalCode };
    expect((await edit(id, { ...(await editValues(id)), ...corrected })).status).toBe(302);

    const { detail } = await detailOf(id);
    expect(detail.declaredBodyChanges).toEqual({
      applied: [],
      kept: [
        { label: "PEC dell'ente", recorded: corrected.pec, declared: "unione@pec.sbagliata.it" },
        { label: "Codice fiscale dell'ente", recorded: fiscalCode, declared: fields.fiscalCode },
        { label: "Denominazione ente", recorded: corrected.bodyName, declared: "Unione dei Comuni Madoneie" },
      ],
    });
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).not.toContain("l'ente prende i dati indicati in questa scheda");
    expect(text).toContain("Approvando, restano i dati dell'ente corretti con «Modifica dati» dopo l'invio della scheda:");
    expect(text).toContain(`PEC dell'ente: «${corrected.pec}» (nella scheda «unione@pec.sbagliata.it»)`);

    expect((await decide(id, { intent: "approve" })).status).toBe(302);
    expect(bodyRow(bodyId)).toMatchObject({ status: "member", name: corrected.bodyName, pec: corrected.pec, fiscalCode });
    expect(outboxFor(fields.email).find((r) => r.template === "membership-approved")!.props).toMatchObject({ bodyName: corrected.bodyName });
    const approval = auditFor(id).find((a) => a.action === "membership.approved")!;
    expect(approval.details).not.toHaveProperty("after");
    expect(approval.details).toMatchObject({
      declaredNotApplied: { pec: "unione@pec.sbagliata.it", fiscalCode: fields.fiscalCode, bodyName: "Unione dei Comuni Madoneie" },
    });
  });

  it("of a change of referente: a correction made from the ente's other request after the scheda counts, one made before does not", async () => {
    const first = await registered({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni Alfa", pec: "alfa@pec.uno.it", fiscalCode: randomBodyFiscalCode() });
    expect((await decide(first.id, { intent: "approve" })).status).toBe(302);
    const bodyId = requestRow(first.id).memberBodyId;
    // Corrected before the successor's scheda was sent: the scheda, newer, is what the approval applies.
    expect((await edit(first.id, { ...(await editValues(first.id)), pec: "alfa@pec.due.it" })).status).toBe(302);
    const second = await successorScheda(first, { bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni Alfa e Beta", pec: "alfa@pec.tre.it" });
    expect((await detailOf(second.id)).detail.declaredBodyChanges).toEqual({
      applied: [
        { label: "PEC dell'ente", recorded: "alfa@pec.due.it", declared: "alfa@pec.tre.it" },
        { label: "Denominazione ente", recorded: "Unione dei Comuni Alfa", declared: "Unione dei Comuni Alfa e Beta" },
      ],
      kept: [],
    });
    // Corrected after it, from the page of the request in office: the correction stays, the rest of the scheda applies.
    expect((await edit(first.id, { ...(await editValues(first.id)), pec: "alfa@pec.quattro.it" })).status).toBe(302);
    expect((await detailOf(second.id)).detail.declaredBodyChanges).toEqual({
      applied: [{ label: "Denominazione ente", recorded: "Unione dei Comuni Alfa", declared: "Unione dei Comuni Alfa e Beta" }],
      kept: [{ label: "PEC dell'ente", recorded: "alfa@pec.quattro.it", declared: "alfa@pec.tre.it" }],
    });
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${second.id}`, coordinator.id), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain("Approvando, l'ente prende i dati indicati in questa scheda: Denominazione ente: «Unione dei Comuni Alfa e Beta» (ora «Unione dei Comuni Alfa»)");
    expect(text).toContain("Restano invece i dati dell'ente corretti con «Modifica dati» dopo l'invio della scheda: PEC dell'ente: «alfa@pec.quattro.it» (nella scheda «alfa@pec.tre.it»)");

    expect((await decide(second.id, { intent: "approve" })).status).toBe(302);
    expect(bodyRow(bodyId)).toMatchObject({ name: "Unione dei Comuni Alfa e Beta", pec: "alfa@pec.quattro.it" });
    expect(auditFor(second.id).find((a) => a.action === "membership.handover_approved")!.details).toMatchObject({
      before: { bodyName: "Unione dei Comuni Alfa" },
      after: { bodyName: "Unione dei Comuni Alfa e Beta" },
      declaredNotApplied: { pec: "alfa@pec.tre.it" },
    });
  });
});

// ---------------------------------------------------------------- the printable scheda

describe("GET /admin/adesioni/:id/scheda.pdf", () => {
  it("is a PDF with the ente, the referente, the projects, the consent and the decision, accents included", async () => {
    const { fields, id } = await registered({
      bodyKind: "citta_metropolitana",
      municipalityCode: "",
      bodyName: "Città Metropolitana di Catania – Direzione Politiche Sociali",
      fiscalCode: randomBodyFiscalCode(),
      firstName: "Niccolò",
      lastName: "Şahin",
      office: "Servizi sociali e Integrazione",
      "projects.0.managingOrganization": "Società Cooperativa Perù",
    });
    expect((await decide(id, { intent: "approve" })).status).toBe(302);

    const response = await downloadPdf(id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toBe(`inline; filename="scheda-${id}.pdf"`);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(1000);
    expect(Number(response.headers.get("Content-Length"))).toBe(pdf.length);
    // Personal data leaving the portal: the log says who took the scheda.
    expect(auditFor(id).filter((a) => a.action === "membership.scheda_downloaded")).toEqual([
      expect.objectContaining({ actorType: "coordinator", actorId: coordinator.id }),
    ]);

    const text = pdfText(pdf);
    expect(text).toContain("Scheda referente - Coordinamento SAI ANCI Sicilia");
    expect(text).toContain("Città Metropolitana di Catania – Direzione Politiche Sociali");
    expect(text).toContain(String(id));
    expect(text).toContain("Approvata");
    expect(text).toContain(fields.fiscalCode);
    expect(text).toContain(fields.pec);
    expect(text).toContain("Niccolò");
    expect(text).toContain("Şahin");
    expect(text).toContain(fields.email);
    expect(text).toContain("091 123 4567");
    expect(text).toContain("Società Cooperativa Perù");
    expect(text).toContain("PROG-1776-PR-3");
    expect(text).toContain("01/01/2024");
    expect(text).toContain("31/12/2030");
    expect(text).toMatch(/Consenso all'informativa versione 2026-11-26 reso il \d{2}\/\d{2}\/\d{4} alle \d{2}:\d{2}/);
    expect(text).toContain("Giulia Bianchi");
    expect(text).toMatch(/Documento generato il \d{2}\/\d{2}\/\d{4} alle \d{2}:\d{2}/);
    expect(text).toMatch(/pagina 1 di 1$/m); // a scheda with one project fits on one page
  });

  it("an imported scheda tells that the portal collected no consent, on the page and in the PDF", async () => {
    const { id, referentId } = await registered();
    // What the import of the member list stores: its own notice version, and the import's moment.
    getDb()
      .update(referents)
      .set({ privacyNoticeVersion: IMPORT_PRIVACY_NOTICE_VERSION, privacyConsentAt: new Date("2026-11-27T22:49:00Z") })
      .where(eq(referents.id, referentId))
      .run();

    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain(
      "Consenso all'informativa Scheda importata dai coordinatori il 27 novembre 2026 alle 23:49: il consenso non è stato raccolto dal portale",
    );
    expect(text).not.toContain("scheda-importata");

    const pdf = pdfText(Buffer.from(await (await downloadPdf(id)).arrayBuffer())).replace(/\s+/g, " ");
    expect(pdf).toContain("Scheda importata dai coordinatori il 27/11/2026 alle 23:49: il consenso non è stato raccolto dal portale.");
    expect(pdf).not.toContain("scheda-importata");
    expect(pdf).not.toContain("Consenso all'informativa versione");
  });

  it("an adesione imported from a file, already approved, says in the PDF what its page says: the file and its row, and no confirmation asked", async () => {
    const sent = await registered({}, { confirm: false });
    const sentPdf = pdfText(Buffer.from(await (await downloadPdf(sent.id)).arrayBuffer())).replace(/\s+/g, " ");
    expect(sentPdf).toMatch(/Inviata il \d{2}\/\d{2}\/\d{4} alle \d{2}:\d{2} Email confermata il Non ancora confermata/);

    // What the import of the member list stores: the file and its row with the scheda, the adesione approved, no confirmation.
    const { id } = await registered({}, { confirm: false });
    const { submission } = getDb().select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!;
    getDb()
      .update(membershipRequests)
      .set({ status: "approved", submission: { ...(submission as object), importedFrom: { fileName: "elenco aderenti 2026.csv", line: 7 } } })
      .where(eq(membershipRequests.id, id))
      .run();
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    const page = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(page).toContain("dal file «elenco aderenti 2026.csv» (riga 7)");
    expect(page).toContain("Email confermata il Non richiesta: importata già approvata");

    const pdf = pdfText(Buffer.from(await (await downloadPdf(id)).arrayBuffer())).replace(/\s+/g, " ");
    expect(pdf).toMatch(/Importata il \d{2}\/\d{2}\/\d{4} alle \d{2}:\d{2}, dal file «elenco aderenti 2026\.csv» \(riga 7\)/);
    expect(pdf).toContain("Email confermata il Non richiesta: importata già approvata");
    expect(pdf).not.toContain("Non ancora confermata");
    expect(pdf).not.toContain("Inviata il");
  });

  it("a successor proposed from the referent area, not yet confirmed, is said not to have consented yet", async () => {
    const { id, referentId } = await registered();
    // What a proposal stores until the successor confirms it (handover.server.ts).
    getDb().update(referents).set({ privacyNoticeVersion: CONSENT_NOT_GIVEN }).where(eq(referents.id, referentId)).run();
    const { html } = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain("Consenso all'informativa Non ancora reso: il referente proposto lo rende confermando la proposta di subentro");
    expect(text).not.toContain("Versione ,");
    const pdf = pdfText(Buffer.from(await (await downloadPdf(id)).arrayBuffer())).replace(/\s+/g, " ");
    expect(pdf).toContain("Consenso all'informativa non ancora reso: il referente proposto lo rende confermando la proposta di subentro.");
    expect(pdf).not.toContain("versione reso");
  });

  it("prints names beyond Latin-1 letter for letter (Romanian, Polish, Czech, Hungarian, Turkish), in the embedded Titillium", async () => {
    const decider = createTestCoordinator({ name: "Łukasz Wiśniewski" });
    const { id } = await registered({
      bodyKind: "altro",
      municipalityCode: "",
      bodyName: "Associazione culturale italo-ungherese Győri Kapu",
      fiscalCode: randomBodyFiscalCode(),
      firstName: "Ștefan",
      lastName: "Dumitrașcu",
      office: "Sportello Țară și Oameni",
      // Turkish "Ş" (cedilla) beside Romanian "Ș" (comma below): two letters, two glyphs.
      "projects.0.managingOrganization": "Cooperativa Dvořák & Şahin",
    });
    expect((await decide(id, { intent: "approve" }, decider.id)).status).toBe(302);

    const pdf = Buffer.from(await (await downloadPdf(id)).arrayBuffer());
    const raw = pdf.toString("latin1");
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+TitilliumWeb-Regular\b/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+TitilliumWeb-Bold\b/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);

    const text = pdfText(pdf);
    expect(text).toContain("Ștefan");
    expect(text).toContain("Dumitrașcu");
    expect(text).toContain("Sportello Țară și Oameni");
    expect(text).toContain("Łukasz Wiśniewski");
    expect(text).toContain("Cooperativa Dvořák & Şahin");
    expect(text).toContain("Associazione culturale italo-ungherese Győri Kapu");
    // Every glyph drawn is one the font has: none is pdfkit's blank .notdef.
    expect(text).not.toMatch(/[\u0000\uFFFD]/);
    // pdfkit embeds only the glyphs used, not the whole font.
    expect(pdf.length).toBeLessThan(60_000);
  });

  it("is a tagged PDF: every text in a heading, a paragraph or a table cell, and the page furniture as artifacts", async () => {
    // 20 projects: the table runs onto a second page, where its header is drawn again.
    const projects: RegistrationFields = {};
    for (let i = 0; i < 20; i++) {
      Object.assign(projects, {
        [`projects.${i}.category`]: "MSNA",
        [`projects.${i}.fundedPlaces`]: String(10 + i),
        [`projects.${i}.projectCode`]: `PROG-${i}`,
        [`projects.${i}.managingOrganization`]: `Cooperativa ${i}`,
        [`projects.${i}.startDate`]: "2024-01-01",
        [`projects.${i}.endDate`]: "2030-12-31",
      });
    }
    const { id } = await registered(projects);
    const pdf = Buffer.from(await (await downloadPdf(id)).arrayBuffer());
    const raw = pdf.toString("latin1");
    expect(raw).toMatch(/\/Marked true/);
    expect(raw).toMatch(/\/StructTreeRoot/);
    expect(raw).toContain("/Lang (it-IT)");
    const types = new Set([...raw.matchAll(/\/S \/(\w+)/g)].map((m) => m[1]));
    expect([...types].sort()).toEqual(["Document", "H1", "H2", "P", "TD", "TH", "TR", "Table"]);
    expect(raw).toMatch(/\/Scope \/Row/);
    expect(raw).toMatch(/\/Scope \/Column/);

    const drawn = pdfMarkedText(pdf);
    expect(drawn.filter((d) => d.tag === null)).toEqual([]);
    const tagOf = (text: string) => drawn.filter((d) => d.text === text).map((d) => d.tag);
    expect(tagOf("Scheda referente - Coordinamento SAI ANCI Sicilia")).toEqual(["H1"]);
    expect(tagOf("Referente")).toEqual(["H2"]);
    expect(tagOf("Cognome")).toEqual(["TH"]);
    expect(tagOf("PROG-19")).toEqual(["TD"]);
    // The table's header once as its header, then again on the next page as page furniture.
    expect(tagOf("Ente attuatore")).toEqual(["TH", "Artifact"]);
    expect(drawn.filter((d) => /pagina \d+ di 2$/.test(d.text)).map((d) => d.tag)).toEqual(["Artifact", "Artifact"]);
  });

  it("says so when the ente declared no active projects", async () => {
    const { id } = await registered({
      noActiveProjects: "on",
      "projects.0.category": "",
      "projects.0.fundedPlaces": "",
      "projects.0.projectCode": "",
      "projects.0.managingOrganization": "",
      "projects.0.startDate": "",
      "projects.0.endDate": "",
    });
    const text = pdfText(Buffer.from(await (await downloadPdf(id)).arrayBuffer()));
    expect(text).toContain("L'ente ha dichiarato di non avere progetti SAI attivi.");
    expect(text).toContain("In attesa di approvazione");
  });
});

// ---------------------------------------------------------------- authorization and CSRF

describe("authorization and CSRF", () => {
  it("sends anonymous visitors to /login from every loader, action and the PDF, changing nothing", async () => {
    const { id } = await registered();
    const before = snapshot(id);
    // A form sent is said not to have been saved.
    const expectLogin = (response: Response, path: string, { sent = false } = {}) => {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}${sent ? "&esito=sessione-scaduta" : ""}`);
    };
    expectLogin(await viewDetail(id, null), `/admin/adesioni/${id}`);
    expectLogin(await decide(id, { intent: "approve" }, null), `/admin/adesioni/${id}`, { sent: true });
    expectLogin(await decide(id, { intent: "reject", reason: "Un motivo abbastanza lungo." }, null), `/admin/adesioni/${id}`, { sent: true });
    expectLogin(await downloadPdf(id, null), `/admin/adesioni/${id}/scheda.pdf`);
    expectLogin(
      await settle(async () => editLoader(routeArgs(await adminGet(`/admin/adesioni/${id}/modifica`, null), idParams(id)))),
      `/admin/adesioni/${id}/modifica`,
    );
    expectLogin(await edit(id, { ...(await editValues(id)), firstName: "Intruso" }, null), `/admin/adesioni/${id}/modifica`, { sent: true });
    expect(snapshot(id)).toEqual(before);
  });

  it("refuses a signed-in POST without the CSRF token (403), changing nothing", async () => {
    const { id } = await registered();
    const values = await editValues(id);
    const before = snapshot(id);
    const { cookie } = await sessionCookieFor(coordinator.id);
    const forged = (path: string, fields: Record<string, string>) =>
      new Request(`${APP_URL}${path}`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: APP_URL },
      });
    const approve = await settle(() => detailAction(routeArgs(forged(`/admin/adesioni/${id}`, { intent: "approve" }), idParams(id))));
    expect(approve.status).toBe(403);
    const changed = await settle(() => editAction(routeArgs(forged(`/admin/adesioni/${id}/modifica`, { ...values, firstName: "Intruso" }), idParams(id))));
    expect(changed.status).toBe(403);
    // A valid token from a foreign site is refused too.
    const foreign = await browserPost(`/admin/adesioni/${id}`, { intent: "approve" }, { origin: "https://attacker.example" });
    const headers = new Headers(foreign.headers);
    headers.set("Cookie", `${headers.get("Cookie")}; ${cookie}`);
    const crossSite = await settle(async () =>
      detailAction(routeArgs(new Request(foreign.url, { method: "POST", body: await foreign.text(), headers }), idParams(id))),
    );
    expect(crossSite.status).toBe(403);
    expect(snapshot(id)).toEqual(before);
  });
});

// Last in the file: the factory hands out 20 comuni in turn, so a scheda registered above would change
// which of the tests above send theirs for an ente registered earlier.
describe("«Respingi» and «Revoca adesione» from an out-of-date page", () => {
  it("refuses «Respingi» from a page loaded before a coordinator corrected the data, keeping the reason; the answer shows the request as it is, from which the rejection goes through", async () => {
    const r = await registered();
    const versionIn = (html: string) => /<input type="hidden" name="version" value="([^"]*)"/.exec(html)?.[1];
    const tabB = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${r.id}`, coordinator.id), "/admin/adesioni/:id");
    const shownInB = versionIn(tabB.html)!;
    expect(shownInB).toMatch(/^[0-9a-f]{20}$/);
    // Tab A corrects the PEC with «Modifica dati».
    const pec = `corretta.${r.id}@pec.comune.esempio.it`;
    expect((await edit(r.id, { ...(await editValues(r.id)), pec })).status).toBe(302);

    const reason = "La PEC indicata non è quella dell'ente.";
    const before = snapshot(r.id);
    const page = await renderRoute(detailRoute, await adminPost(`/admin/adesioni/${r.id}`, { intent: "reject", reason, version: shownInB }, coordinator.id), "/admin/adesioni/:id");
    expect(page.status).toBe(409);
    expect(page.html).toContain('<div class="alert alert-danger" role="alert" data-error-summary="">Nel frattempo questa richiesta è cambiata (');
    expect(snapshot(r.id)).toEqual(before);
    expect(outboxFor(r.fields.email).map((m) => m.template)).not.toContain("membership-rejected");
    // The reason typed is still in the box, and the page shows the corrected PEC.
    expect(page.html).toContain(`>${reason.replaceAll("'", "&#x27;")}</textarea>`);
    expect(page.html).toContain(pec);
    const shownNow = versionIn(page.html)!;
    expect(shownNow).not.toBe(shownInB);
    expect((await decide(r.id, { intent: "reject", reason, version: shownNow })).status).toBe(302);
    expect(requestRow(r.id)).toMatchObject({ status: "rejected", decisionReason: reason });
  });

  it("refuses «Revoca adesione» from a page loaded before the data was corrected, keeping the reason; from the answer's page it goes through", async () => {
    const r = await registered();
    expect((await decide(r.id, { intent: "approve" })).status).toBe(302);
    const versionIn = (html: string) => /<input type="hidden" name="version" value="([^"]*)"/.exec(html)?.[1];
    const tabB = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${r.id}`, coordinator.id), "/admin/adesioni/:id");
    const shownInB = versionIn(tabB.html)!;
    expect(shownInB).toMatch(/^[0-9a-f]{20}$/);
    // Tab A corrects the referente's phone with «Modifica dati».
    expect((await edit(r.id, { ...(await editValues(r.id)), phone: "091 765 4321" })).status).toBe(302);

    const reason = "L'ente ha chiesto di uscire dal Coordinamento.";
    const before = snapshot(r.id);
    const page = await renderRoute(detailRoute, await adminPost(`/admin/adesioni/${r.id}`, { intent: "revoke", reason, version: shownInB }, coordinator.id), "/admin/adesioni/:id");
    expect(page.status).toBe(409);
    expect(page.html.replaceAll("&#x27;", "'")).toContain(
      '<div class="alert alert-danger" role="alert" data-error-summary="">Nel frattempo questa adesione è cambiata (i dati dell\'ente, del referente o dei progetti sono stati corretti): la pagina ora mostra la versione attuale. Controllala e, se l\'adesione va comunque revocata, premi di nuovo «Revoca adesione»: il motivo che hai scritto è ancora nel modulo qui sotto.</div>',
    );
    expect(snapshot(r.id)).toEqual(before);
    expect(outboxFor(r.fields.email).map((m) => m.template)).not.toContain("membership-revoked");
    expect(page.html).toContain(`>${reason.replaceAll("'", "&#x27;")}</textarea>`);
    expect(page.html).toContain("091 765 4321");
    const shownNow = versionIn(page.html)!;
    expect(shownNow).not.toBe(shownInB);
    expect((await decide(r.id, { intent: "revoke", reason, version: shownNow })).status).toBe(302);
    expect(requestRow(r.id)).toMatchObject({ status: "revoked", decisionReason: reason });
  });
});

describe("the welcome email of a referente imported without emails", () => {
  /** One Comune imported as «Approvate», with or without the emails to the referenti. */
  function imported({ sendEmails }: { sendEmails: boolean }) {
    const email = uniqueEmail("importato");
    const values: Record<string, string> = {
      bodyKind: "Comune",
      municipality: freeComune("081"),
      pec: "protocollo@pec.comune.esempio.it",
      fiscalCode: randomBodyFiscalCode(),
      firstName: "Rosa",
      lastName: "Lo Presti",
      role: "Dirigente",
      office: "Servizi sociali",
      email,
      phone: "091 1234567",
      "p1.category": "ordinari",
      "p1.fundedPlaces": "25",
      "p1.managingOrganization": "Cooperativa Sociale Esempio",
      "p1.startDate": "01/01/2024",
      "p1.endDate": "31/12/2030",
    };
    const result = runImport(getDb(), {
      rows: [{ line: 2, values, cells: Object.values(values) }],
      status: "approved",
      sendEmails,
      coordinatorId: coordinator.id,
      fileName: "aderenti.xlsx",
      appUrl: APP_URL,
    });
    expect(result.ok && result.summary.created).toBe(1);
    const { request, referent } = requestsForEmail(email)[0];
    return { id: request.id, email, referentId: referent.id, memberBodyId: request.memberBodyId };
  }

  const welcomeButton = "Invia l&#x27;email di benvenuto</button>";
  const welcomes = (email: string) => outboxFor(email).filter((r) => r.template === "membership-approved");

  it("an approved request imported without emails offers the button; sending queues the import's welcome email once, logged", async () => {
    const r = imported({ sendEmails: false });
    const page = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${r.id}`, coordinator.id), "/admin/adesioni/:id");
    expect(page.html).toContain(welcomeButton);

    const sent = await decide(r.id, { intent: "welcome" });
    expect(sent.status).toBe(302);
    expect(sent.headers.get("Location")).toBe(`/admin/adesioni/${r.id}?esito=benvenuto-inviata`);
    const mails = welcomes(r.email);
    expect(mails).toHaveLength(1);
    // The same email the import sends when asked to.
    expect(mails[0]).toMatchObject({ memberBodyId: r.memberBodyId, category: "service" });
    expect(mails[0].props).toEqual({
      firstName: "Rosa",
      lastName: "Lo Presti",
      bodyName: expect.stringMatching(/^Comune di /),
      isHandover: false,
      referentAreaUrl: `${APP_URL}/area-referente`,
      imported: true,
      privacyUrl: `${APP_URL}/privacy`,
    });
    const logged = getDb()
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} = 'membership.welcome_sent' and ${auditLog.entityId} = ${String(r.id)}`)
      .all();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actorType: "coordinator", actorId: coordinator.id, entityType: "membership_request" });

    const after = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${r.id}?esito=benvenuto-inviata`, coordinator.id), "/admin/adesioni/:id");
    expect(after.html).toContain("L&#x27;email di benvenuto è stata messa in coda: il referente la riceverà a breve.");
    expect(after.html).not.toContain(welcomeButton);
    expect(after.html).toContain("Ha inviato l&#x27;email di benvenuto al referente importato");
  });

  it("sent meanwhile (another tab), a second sending is refused with the reason and queues nothing", async () => {
    const r = imported({ sendEmails: false });
    expect((await decide(r.id, { intent: "welcome" })).status).toBe(302);
    const page = await renderRoute(detailRoute, await adminPost(`/admin/adesioni/${r.id}`, { intent: "welcome" }, coordinator.id), "/admin/adesioni/:id");
    expect(page.status).toBe(409);
    expect(page.html.replaceAll("&#x27;", "'")).toContain(`L'email di benvenuto a ${r.email} è già nella posta in uscita dal `);
    expect(welcomes(r.email)).toHaveLength(1);
  });

  it("not offered, and refused, when the import sent it, for a scheda approved from the portal, or once revoked", async () => {
    const withEmails = imported({ sendEmails: true });
    expect(welcomes(withEmails.email)).toHaveLength(1);
    const fromPortal = await registered();
    expect((await decide(fromPortal.id, { intent: "approve" })).status).toBe(302);
    const revoked = imported({ sendEmails: false });
    expect((await decide(revoked.id, { intent: "revoke", reason: "L'ente ha chiesto di uscire dal Coordinamento." })).status).toBe(302);

    for (const [id, email] of [
      [withEmails.id, withEmails.email],
      [fromPortal.id, fromPortal.fields.email],
      [revoked.id, revoked.email],
    ] as const) {
      const page = await renderRoute(detailRoute, await adminGet(`/admin/adesioni/${id}`, coordinator.id), "/admin/adesioni/:id");
      expect(page.html).not.toContain(welcomeButton);
      const before = welcomes(email).length;
      const refused = await decide(id, { intent: "welcome" });
      expect(refused.status).toBe(409);
      expect(welcomes(email)).toHaveLength(before);
    }
  });
});
