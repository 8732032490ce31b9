import ical from "node-ical";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelRoundTable, updateRoundTable } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { createTestCoordinator } from "../../support/admin";
import { APP_URL } from "../../support/requests";
import { addInvitation, createTestRoundTable, roundTableInput } from "../../support/round-tables";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";

// The update and the cancellation of a round table, delivered through the outbox to a real SMTP
// server, each with its calendar attachment.

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let coordinatorId: number;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  coordinatorId = createTestCoordinator().id;
});
afterAll(async () => {
  await smtp.close();
});

function startWorker() {
  const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
  const worker = startOutboxWorker({ db: getDb(), transport, from: "Coordinamento SAI <noreply@portale.test>", pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
  return { stop: async () => { await worker.stop(); transport.close(); } };
}

const receivedBy = (to: string, subjectStart: string) =>
  smtp.received.filter((m) => m.envelopeTo.includes(to) && m.subject?.startsWith(subjectStart));

function calendarOf(message: (typeof smtp.received)[number]) {
  const attachment = message.attachments.find((a) => a.contentType === "text/calendar");
  expect(attachment).toBeDefined();
  const text = attachment!.content.toString("utf8");
  const parsed = ical.sync.parseICS(text);
  const event = Object.values(parsed).find((c) => c?.type === "VEVENT") as ical.VEvent;
  return { attachment: attachment!, text, event, method: (parsed.vcalendar as unknown as { method: string }).method };
}

describe("round-table emails at a real SMTP server", () => {
  it("delivers one update with a METHOD:REQUEST .ics carrying the new SEQUENCE, then the cancellation with METHOD:CANCEL", async () => {
    const rt = createTestRoundTable(coordinatorId, { number: "61", title: "Tavolo da spostare" });
    addInvitation(rt.id, "smtp-si@comune.test", "yes");
    addInvitation(rt.id, "smtp-no@comune.test", "no");
    const worker = startWorker();
    try {
      updateRoundTable(getDb(), {
        id: rt.id,
        input: roundTableInput({ number: "61", title: "Tavolo da spostare", startsAt: "2030-06-18T10:00", endsAt: "2030-06-18T12:00" }),
        coordinatorId,
        appUrl: APP_URL,
      });
      const [update] = await until(() => (receivedBy("smtp-si@comune.test", "Aggiornamento").length ? receivedBy("smtp-si@comune.test", "Aggiornamento") : undefined));
      expect(update.subject).toBe("Aggiornamento: 61° Tavolo tecnico - Tavolo da spostare");
      expect(update.text).toContain("martedì 18 giugno 2030, dalle 10:00 alle 12:00");
      expect(update.text).toContain(`${APP_URL}/tavoli-tecnici/${rt.id}`);
      const updateIcs = calendarOf(update);
      expect(updateIcs.attachment.filename).toBe("aggiornamento.ics");
      expect(updateIcs.method).toBe("REQUEST");
      expect(updateIcs.text).toContain("SEQUENCE:1");
      expect(updateIcs.event.uid).toBe(`tavolo-${rt.id}@portale.test`);
      expect(updateIcs.event.start.toISOString()).toBe("2030-06-18T08:00:00.000Z");

      cancelRoundTable(getDb(), { id: rt.id, coordinatorId, appUrl: APP_URL });
      const cancellations = await until(() => {
        const got = [...receivedBy("smtp-si@comune.test", "Annullato"), ...receivedBy("smtp-no@comune.test", "Annullato")];
        return got.length === 2 ? got : undefined;
      });
      for (const message of cancellations) {
        expect(message.subject).toBe("Annullato: 61° Tavolo tecnico - Tavolo da spostare");
        expect(message.text).toContain("è stato annullato");
        const ics = calendarOf(message);
        expect(ics.attachment.filename).toBe("annullamento.ics");
        expect(ics.method).toBe("CANCEL");
        expect(ics.text).toContain("STATUS:CANCELLED");
        expect(ics.text).toContain("SEQUENCE:2");
        expect(ics.event.uid).toBe(`tavolo-${rt.id}@portale.test`);
      }
      // Who declined got the update without a calendar entry; nobody got anything twice.
      const toDecliner = receivedBy("smtp-no@comune.test", "Aggiornamento");
      expect(toDecliner).toHaveLength(1);
      expect(toDecliner[0].attachments).toEqual([]);
      expect(receivedBy("smtp-si@comune.test", "Aggiornamento")).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});
