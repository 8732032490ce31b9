// Issue 3 point 9: the emails of a bulk approval and of a handover approval, delivered by the real
// outbox worker to a real SMTP server and checked as received (envelope, subject, text).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberBodies, membershipRequests, outbox, referents } from "#db/schema";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { action as bulkAction } from "~/routes/admin.adesioni._index";
import { action as detailAction } from "~/routes/admin.adesioni.$id";
import { formatDateIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { adminPost, createTestCoordinator, settle } from "../../support/admin";
import { confirmationTokenFor, requestsForEmail } from "../../support/db-queries";
import { uniqueEmail, validRegistrationFields } from "../../support/factories";
import { createReferent } from "../../support/invitations";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";
import { forBody, ofBody } from "~/utils/text";

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let worker: { stop: () => Promise<void> };
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
  const started = startOutboxWorker({ db: getDb(), transport, from: "Coordinamento SAI <noreply@portale.test>", pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
  worker = {
    stop: async () => {
      await started.stop();
      transport.close();
    },
  };
});
afterAll(async () => {
  await worker.stop();
  await smtp.close();
});

const REFERENT_AREA = `${APP_URL}/area-referente`;
const APPROVED = "Adesione approvata: ";

const bodyName = (memberBodyId: number) => getDb().select().from(memberBodies).where(eq(memberBodies.id, memberBodyId)).get()!.name;
const referentRow = (id: number) => getDb().select().from(referents).where(eq(referents.id, id)).get()!;
const statusOf = (id: number) => getDb().select().from(membershipRequests).where(eq(membershipRequests.id, id)).get()!.status;

/** Every message received since `from` (an index into smtp.received) whose subject starts with `prefix`. */
const receivedSince = (from: number, prefix: string) => smtp.received.slice(from).filter((m) => m.subject?.startsWith(prefix));

/** Waits until every email queued so far (to referenti and coordinators alike) has been delivered. */
async function allSent() {
  await until(() => getDb().select().from(outbox).all().every((r) => r.status === "sent"));
}

async function bulkApprove(ids: number[], coordinatorId: number) {
  const base = await adminPost("/admin/adesioni?index&stato=pending", {}, coordinatorId);
  const body = new URLSearchParams(await base.text());
  for (const id of ids) body.append("ids", String(id));
  return settle(async () => bulkAction(routeArgs(new Request(base.url, { method: "POST", body, headers: base.headers }))));
}

describe("bulk approval at a real SMTP server", () => {
  it("sends each approved referente exactly one welcome with its ente and the referent-area link, and no one else", async () => {
    const coordinatorId = createTestCoordinator().id;
    const selected = [];
    for (const provinceCode of ["082", "087", "089"]) selected.push(await createReferent({ provinceCode, state: "pending" }));
    // Selected but not confirmed: refused, and not emailed.
    const unconfirmed = await createReferent({ provinceCode: "083", state: "unconfirmed" });
    // Confirmed but not selected: untouched.
    const bystander = await createReferent({ provinceCode: "086", state: "pending" });
    // The registration emails (confirmation, awaiting approval, coordinators' notices) are out of the way first.
    await allSent();
    const start = smtp.received.length;

    const response = await bulkApprove([...selected, unconfirmed].map((r) => r.request.id), coordinatorId);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("Location")!, APP_URL);
    expect(location.searchParams.get("approvate")).toBe("3");
    expect(location.searchParams.get("non_approvate")).toBe(String(unconfirmed.request.id));
    expect(selected.map((r) => statusOf(r.request.id))).toEqual(["approved", "approved", "approved"]);
    expect(statusOf(unconfirmed.request.id)).toBe("email_unverified");
    expect(statusOf(bystander.request.id)).toBe("pending");

    await until(() => receivedSince(start, APPROVED).length >= selected.length || undefined);
    await allSent();
    const welcomes = receivedSince(start, APPROVED);
    // The approval sends these welcomes and nothing else.
    expect(smtp.received.slice(start)).toHaveLength(selected.length);
    expect(welcomes).toHaveLength(selected.length);
    for (const referent of selected) {
      const name = bodyName(referent.request.memberBodyId);
      const mine = welcomes.filter((m) => m.envelopeTo.includes(referent.email));
      expect(mine, `welcome to ${referent.email}`).toHaveLength(1);
      const [message] = mine;
      expect(message.envelopeTo).toEqual([referent.email]);
      expect(message.to && !Array.isArray(message.to) ? message.to.text : "").toContain(referent.email);
      expect(message.subject).toBe(`Adesione approvata: ${name} nel Coordinamento SAI`);
      expect(message.text).toContain(`Gentile ${referent.fields.firstName} ${referent.fields.lastName},`);
      expect(message.text!.toLowerCase()).toContain("ti diamo il benvenuto nel coordinamento");
      // "del Comune di …": the article the ente's name takes.
      expect(message.text).toContain(`la scheda referente ${ofBody(name)} è stata approvata`);
      if (name.startsWith("Comune di ")) expect(message.text).toContain(`la scheda referente del ${name}`);
      expect(message.text).not.toContain("subentro");
      expect(message.text).toContain(REFERENT_AREA);
      expect(message.html).toContain(`href="${REFERENT_AREA}"`);
    }
    // Nothing at all reached the refused and the unselected referente after the approval.
    for (const other of [unconfirmed, bystander]) {
      expect(smtp.received.slice(start).filter((m) => m.envelopeTo.includes(other.email))).toEqual([]);
    }
  });
});

describe("handover approval at a real SMTP server", () => {
  it("welcomes the successor as the new referente and tells the previous one who replaced them", async () => {
    const coordinatorId = createTestCoordinator().id;
    const previous = await createReferent({ provinceCode: "084", fields: { firstName: "Giuseppe", lastName: "Lombardo" } });
    const name = bodyName(previous.request.memberBodyId);

    // The successor fills in the scheda for the same ente and confirms the email.
    const fields = validRegistrationFields({
      municipalityCode: previous.fields.municipalityCode,
      fiscalCode: previous.fields.fiscalCode,
      firstName: "Rosalia",
      lastName: "Caruso",
      email: uniqueEmail("subentro"),
    });
    expect((await submitAction(routeArgs(await browserPost("/adesione", fields)))).status).toBe(302);
    const token = confirmationTokenFor(fields.email);
    expect((await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }))).status).toBe(200);
    const { request, referent: successor } = requestsForEmail(fields.email).at(-1)!;
    expect(request).toMatchObject({ kind: "handover", status: "pending", memberBodyId: previous.request.memberBodyId });
    await allSent();
    const start = smtp.received.length;

    // A coordinator approves it from the request's page.
    const response = await settle(async () =>
      detailAction(routeArgs(await adminPost(`/admin/adesioni/${request.id}`, { intent: "approve" }, coordinatorId), { id: String(request.id) })),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/adesioni/${request.id}?esito=approvata`);
    const endedAt = referentRow(previous.referent.id).validTo;
    expect(endedAt).toBeInstanceOf(Date);

    await until(() => smtp.received.slice(start).length >= 2 || undefined);
    await allSent();
    const after = smtp.received.slice(start);
    expect(after).toHaveLength(2);

    // The successor: the welcome, in its handover wording.
    const welcome = after.find((m) => m.envelopeTo.includes(fields.email))!;
    expect(welcome, "welcome to the successor").toBeDefined();
    expect(welcome.envelopeTo).toEqual([fields.email]);
    expect(welcome.subject).toBe(`Subentro approvato: sei il referente ${ofBody(name)}`);
    // Its heading (upper case in the plain text) says what changed: no welcome to a member ente.
    expect(welcome.text!.toLowerCase()).toContain("sei il nuovo referente dell'ente");
    expect(welcome.text!.toLowerCase()).not.toContain("ti diamo il benvenuto");
    expect(welcome.text).toContain("Gentile Rosalia Caruso,");
    expect(welcome.text).toContain(`la richiesta di subentro è stata approvata: da oggi sei referente ${ofBody(name)}`);
    expect(welcome.text).not.toContain("la scheda referente");
    expect(welcome.text).toContain(REFERENT_AREA);
    expect(welcome.html).toContain(`href="${REFERENT_AREA}"`);

    // The previous referente: the notice naming the successor and the end of their term.
    const notice = after.find((m) => m.envelopeTo.includes(previous.email))!;
    expect(notice, "notice to the previous referente").toBeDefined();
    expect(notice.envelopeTo).toEqual([previous.email]);
    expect(notice.subject).toBe(`Nuovo referente ${forBody(name)}`);
    const text = notice.text!.replace(/\s+/g, " ");
    expect(text).toContain("Gentile Giuseppe Lombardo,");
    expect(text).toContain(
      `ti informiamo che dal ${formatDateIt(endedAt!)} il referente ${ofBody(name)} per il Coordinamento dei Comuni siciliani aderenti alla Rete SAI è Rosalia Caruso, la cui richiesta di subentro è stata approvata.`,
    );
    expect(text).toContain("Da oggi non riceverai più gli inviti e le comunicazioni del Coordinamento");
    // This worker has no CONTACT_EMAIL: a reply would reach the no-reply sender, so none is asked for.
    expect(text).toContain("Se non eri a conoscenza di questo cambio, scrivi ai coordinatori di ANCI Sicilia.");
    expect(text).not.toContain("rispondi a questo messaggio");
    // The notice is not a welcome and carries no link to the referent area.
    expect(notice.text).not.toContain(REFERENT_AREA);

    // Only the successor is the ente's active referente now.
    const active = getDb()
      .select()
      .from(referents)
      .where(eq(referents.memberBodyId, previous.request.memberBodyId))
      .all()
      .filter((r) => r.validFrom && !r.validTo);
    expect(active.map((r) => r.id)).toEqual([successor.id]);
  });
});
