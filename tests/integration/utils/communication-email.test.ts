import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { strToU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "#db/schema";
import { getCommunication, saveCommunicationDraft, sendCommunication } from "~/models/communication.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { unsubscribeUrl } from "~/utils/unsubscribe.server";
import { createTestCoordinator } from "../../support/admin";
import { createReferent } from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";

const PDF = strToU8("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let worker: { stop: () => Promise<void> };
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
  const started = startOutboxWorker({
    db: getDb(),
    transport,
    from: "Coordinamento SAI <noreply@portale.test>",
    pollMs: 20,
    ratePerSecond: 1000,
    // One attempt: a failure is final at once (retries and their delays are tested with the worker).
    maxAttempts: 1,
    uploadsDir: getEnv().uploadsDir,
    unsubscribeUrlFor: (email) => unsubscribeUrl(APP_URL, email),
  });
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

async function draftWithAttachment(coordinatorId: number, provinceCode: string, subject: string) {
  const tempPath = path.join(getEnv().uploadsDir, "..", `upload-${Date.now()}-${Math.random()}.part`);
  fs.mkdirSync(path.dirname(tempPath), { recursive: true });
  fs.writeFileSync(tempPath, PDF);
  const saved = await saveCommunicationDraft(getDb(), {
    input: { subject, body: "Primo paragrafo della comunicazione.\n\nSecondo paragrafo, con i saluti.", provinceCodes: [provinceCode], categories: [] },
    upload: { tempPath, originalName: "Nota ANCI.pdf", size: PDF.byteLength },
    coordinatorId,
    uploadsDir: getEnv().uploadsDir,
  });
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return saved.id;
}

describe("a comunicazione at a real SMTP server", () => {
  it("arrives with the text, the attachment as uploaded and the one-click opt-out", async () => {
    const coordinatorId = createTestCoordinator().id;
    const referent = await createReferent({ provinceCode: "084" });
    const id = await draftWithAttachment(coordinatorId, "084", "Scadenze della rendicontazione");
    expect(sendCommunication(getDb(), { id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });

    const message = await until(() => smtp.received.find((m) => m.envelopeTo.includes(referent.email) && m.subject === "Scadenze della rendicontazione"));
    expect(message.text).toContain("Gentile referente,");
    expect(message.text).toContain("Primo paragrafo della comunicazione.");
    expect(message.text).toContain("Secondo paragrafo, con i saluti.");
    const attachment = message.attachments.find((a) => a.filename === "Nota ANCI.pdf");
    expect(attachment?.contentType).toBe("application/pdf");
    expect(Buffer.from(attachment!.content)).toEqual(Buffer.from(PDF));
    const optOut = unsubscribeUrl(APP_URL, referent.email);
    // Folded lines unfolded (RFC 5322 §2.2.3).
    const header = (name: string) => message.headerLines.find((h) => h.key === name)?.line.replace(/\r\n\s+/g, " ");
    expect(header("list-unsubscribe")).toBe(`List-Unsubscribe: <${optOut}>`);
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(message.html).toContain(optOut);
    const row = await until(() => getDb().select().from(outbox).where(eq(outbox.communicationId, id)).all().find((r) => r.status === "sent"));
    expect(row.recipient).toBe(referent.email);
  });

  it("is not sent without its attachment: the attempt fails with the reason and nothing is delivered", async () => {
    const coordinatorId = createTestCoordinator().id;
    const referent = await createReferent({ provinceCode: "085" });
    const id = await draftWithAttachment(coordinatorId, "085", "Comunicazione con allegato perso");
    const stored = getDb().select().from(outbox).all().length;
    // The file disappears from the uploads folder (a restore without the files, a manual deletion).
    const draft = getCommunication(getDb(), { id })!;
    fs.rmSync(path.join(getEnv().uploadsDir, draft.attachmentStoredName!));
    expect(sendCommunication(getDb(), { id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });
    expect(getDb().select().from(outbox).all().length).toBe(stored + 1);

    const failed = await until(() => getDb().select().from(outbox).where(eq(outbox.communicationId, id)).all().find((r) => r.status === "failed"), 20_000);
    expect(failed.lastError).toBe("Allegato non disponibile: Nota ANCI.pdf");
    expect(smtp.received.some((m) => m.envelopeTo.includes(referent.email) && m.subject === "Comunicazione con allegato perso")).toBe(false);
  }, 30_000);
});
