import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "#db/schema";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { queueEmail, retryDelayMs } from "~/models/outbox.server";
import * as overviewRoute from "~/routes/admin._index";
import * as postaRoute from "~/routes/admin.posta._index";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { unsubscribeUrl } from "~/utils/unsubscribe.server";
import { adminGet, createTestCoordinator } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail, validRegistrationFields } from "../../support/factories";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { renderRoute } from "../../support/render-route";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

function startWorker({ ratePerSecond = 1000, replyTo }: { ratePerSecond?: number; replyTo?: string } = {}) {
  const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
  const worker = startOutboxWorker({
    db: getDb(),
    transport,
    from: "Coordinamento SAI <noreply@portale.test>",
    replyTo,
    pollMs: 20,
    ratePerSecond,
    maxAttempts: 5,
    unsubscribeUrlFor: (email) => unsubscribeUrl(APP_URL, email),
  });
  return { stop: async () => { await worker.stop(); transport.close(); } };
}

const rowFor = (to: string) => outboxFor(to)[0];
const receivedBy = (to: string) => smtp.received.filter((m) => m.envelopeTo.includes(to));

function queueTestEmail(to: string) {
  queueEmail(getDb(), {
    to,
    template: "confirm-registration",
    props: { firstName: "Anna", bodyName: "Comune di Noto", confirmUrl: `${APP_URL}/adesione/conferma/x`, expiresOn: "3 dicembre 2026", isHandover: false },
    domain: "portale.test",
  });
}

describe("email delivery through the outbox", () => {
  it("delivers the confirmation email with a working link, then the coordinators' notice", async () => {
    smtp.state.behaviour = "accept";
    const worker = startWorker();
    try {
      const fields = validRegistrationFields({ firstName: "Rosalia", lastName: "Lo Presti" });
      await submitAction(routeArgs(await browserPost("/adesione", fields)));
      const [message] = await until(() => (receivedBy(fields.email).length ? receivedBy(fields.email) : undefined));
      expect(message.subject).toMatch(/^Conferma l'indirizzo email - adesione del Comune di /);
      expect(message.from?.text).toContain("noreply@portale.test");
      expect(message.text).toContain("Gentile Rosalia Lo Presti,");
      const link = message.text!.match(/http:\/\/portale\.test\/adesione\/conferma\/[\w-]+/)![0];
      expect(message.html).toContain(link);
      expect(message.messageId).toBe(rowFor(fields.email).messageId);
      await until(() => rowFor(fields.email).status === "sent" || undefined);

      const token = link.split("/").pop()!;
      const confirmed = await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
      expect(confirmed.status).toBe(200);
      const notice = await until(() =>
        receivedBy("coordinatore@example.org").find((m) => m.subject?.startsWith("Nuova adesione da approvare")),
      );
      expect(notice.text).toContain("Rosalia Lo Presti");
    } finally {
      await worker.stop();
    }
  });

  it("with CONTACT_EMAIL, every email's Reply-To is the coordinators' address, so a reply does not go to the no-reply sender", async () => {
    smtp.state.behaviour = "accept";
    const to = uniqueEmail("risposta");
    const worker = startWorker({ replyTo: "coordinamento@portale.test" });
    try {
      queueTestEmail(to);
      const [message] = await until(() => (receivedBy(to).length ? receivedBy(to) : undefined));
      expect(message.replyTo?.text).toBe("coordinamento@portale.test");
      expect(message.from?.text).toContain("noreply@portale.test");
    } finally {
      await worker.stop();
    }
    // Without it, no Reply-To at all.
    const other = uniqueEmail("senza-risposta");
    const plain = startWorker();
    try {
      queueTestEmail(other);
      const [message] = await until(() => (receivedBy(other).length ? receivedBy(other) : undefined));
      expect(message.replyTo).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it("delivers an email queued before the last name was in its props with the first name alone", async () => {
    smtp.state.behaviour = "accept";
    const to = uniqueEmail("vecchia-riga");
    queueTestEmail(to);
    expect(rowFor(to).props).not.toHaveProperty("lastName");
    const worker = startWorker();
    try {
      const [message] = await until(() => (receivedBy(to).length ? receivedBy(to) : undefined));
      expect(message.text).toContain("Gentile Anna,");
      expect(message.text).not.toContain("undefined");
    } finally {
      await worker.stop();
    }
  });

  it("invites a reply to the notice of a new referente only when CONTACT_EMAIL is set as it is sent", async () => {
    smtp.state.behaviour = "accept";
    // The same stored props, delivered with and without a contact address.
    const queueNotice = (to: string) =>
      queueEmail(getDb(), {
        to,
        template: "referent-replaced",
        props: { firstName: "Giuseppe", lastName: "Lombardo", bodyName: "Comune di Noto", successorName: "Rosalia Caruso", endDate: "3 dicembre 2026" },
        domain: "portale.test",
      });
    const delivered = async (to: string, replyTo?: string) => {
      queueNotice(to);
      const worker = startWorker({ replyTo });
      try {
        const [message] = await until(() => (receivedBy(to).length ? receivedBy(to) : undefined));
        return message;
      } finally {
        await worker.stop();
      }
    };
    const answered = await delivered(uniqueEmail("con-contatto"), "coordinamento@portale.test");
    expect(answered.replyTo?.text).toBe("coordinamento@portale.test");
    expect(answered.text!.replace(/\s+/g, " ")).toContain(
      "Se non eri a conoscenza di questo cambio, rispondi a questo messaggio o scrivi a coordinamento@portale.test.",
    );
    const unanswered = await delivered(uniqueEmail("senza-contatto"));
    expect(unanswered.replyTo).toBeUndefined();
    expect(unanswered.text!.replace(/\s+/g, " ")).toContain("Se non eri a conoscenza di questo cambio, scrivi ai coordinatori di ANCI Sicilia.");
    expect(unanswered.text).not.toMatch(/rispond/i);
  });

  it("retries a temporary failure later and delivers once", async () => {
    const to = uniqueEmail("temporaneo");
    smtp.state.behaviour = "temporary-failure";
    queueTestEmail(to);
    const worker = startWorker();
    try {
      const failed = await until(() => (rowFor(to).attempts === 1 && rowFor(to).status === "queued" ? rowFor(to) : undefined));
      expect(failed.lastError).toMatch(/^Il server di posta ha rifiutato temporaneamente il messaggio\. Risposta: 451/);
      expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
      smtp.state.behaviour = "accept";
      getDb().update(outbox).set({ nextAttemptAt: new Date() }).where(eq(outbox.id, failed.id)).run();
      await until(() => rowFor(to).status === "sent" || undefined);
      expect(receivedBy(to)).toHaveLength(1);
      expect(rowFor(to).attempts).toBe(2);
    } finally {
      await worker.stop();
      smtp.state.behaviour = "accept";
    }
  });

  it("stops at a permanent failure and keeps the server's reply", async () => {
    const to = uniqueEmail("permanente");
    smtp.state.behaviour = "permanent-failure";
    queueTestEmail(to);
    const worker = startWorker();
    try {
      const row = await until(() => (rowFor(to).status === "failed" ? rowFor(to) : undefined));
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/^Il server di posta ha rifiutato il messaggio in modo definitivo\. Risposta: 550/);
      expect(receivedBy(to)).toHaveLength(0);
    } finally {
      await worker.stop();
      smtp.state.behaviour = "accept";
    }
  });

  it("keeps queued emails across a restart and resumes rows left in 'sending' after their lease", async () => {
    const queued = uniqueEmail("in-coda");
    const interrupted = uniqueEmail("interrotto");
    queueTestEmail(queued);
    queueTestEmail(interrupted);
    // A worker that crashed mid-send left this row claimed, with a lease that has now expired.
    getDb()
      .update(outbox)
      .set({ status: "sending", attempts: 1, leaseUntil: new Date(Date.now() - 1000) })
      .where(eq(outbox.recipient, interrupted))
      .run();
    const worker = startWorker();
    try {
      await until(() => (rowFor(queued).status === "sent" && rowFor(interrupted).status === "sent") || undefined);
      expect(receivedBy(queued)).toHaveLength(1);
      const [resent] = receivedBy(interrupted);
      expect(resent.messageId).toBe(rowFor(interrupted).messageId);
    } finally {
      await worker.stop();
    }
  });

  it("holds the sending rate cap and hands unsent claimed rows back when stopped", async () => {
    const recipients = Array.from({ length: 6 }, () => uniqueEmail("cadenza"));
    recipients.forEach(queueTestEmail);
    const started = Date.now();
    const worker = startWorker({ ratePerSecond: 4 });
    await until(() => recipients.filter((r) => receivedBy(r).length).length >= 3 || undefined);
    await worker.stop();
    const elapsed = Date.now() - started;
    const delivered = recipients.filter((r) => receivedBy(r).length === 1);
    // 4 per second: the third message cannot leave before half a second has passed.
    expect(elapsed).toBeGreaterThanOrEqual(500);
    const rows = recipients.map(rowFor);
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(delivered.length);
    expect(rows.filter((r) => r.status === "sending")).toHaveLength(0);
    expect(rows.filter((r) => r.status === "queued").length).toBe(recipients.length - delivered.length);
  });

  it("gives comunicazioni a List-Unsubscribe header and link, and service emails none", async () => {
    const newsTo = uniqueEmail("notizie");
    const serviceTo = uniqueEmail("servizio");
    queueEmail(getDb(), {
      to: newsTo,
      template: "communication",
      category: "communication",
      props: { title: "Nuovo vademecum", paragraphs: ["Testo della comunicazione."] },
      domain: "portale.test",
    });
    queueTestEmail(serviceTo);
    const worker = startWorker();
    try {
      const [news] = await until(() => (receivedBy(newsTo).length ? receivedBy(newsTo) : undefined));
      const [service] = await until(() => (receivedBy(serviceTo).length ? receivedBy(serviceTo) : undefined));
      const link = unsubscribeUrl(APP_URL, newsTo);
      const header = (mail: typeof news, key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r\n\s+/g, " ");
      expect(header(news, "list-unsubscribe")).toBe(`List-Unsubscribe: <${link}>`);
      expect(header(news, "list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      expect(news.text).toContain(link);
      expect(header(service, "list-unsubscribe")).toBeUndefined();
      expect(service.text).not.toContain("/disiscrizione/");
    } finally {
      await worker.stop();
    }
  });

  it("keeps the emails queued while the SMTP server is down, however long, says so, and sends them all as soon as it is back", async () => {
    const backup = await startTestSmtpServer();
    const port = Number(new URL(backup.url).port);
    await backup.close();
    const to = uniqueEmail("irraggiungibile");
    queueTestEmail(to);
    const lines: string[] = [];
    const transport = createMailTransport({ SMTP_URL: backup.url, mailDir: "" });
    const worker = startOutboxWorker({
      db: getDb(),
      transport,
      from: "noreply@portale.test",
      pollMs: 20,
      ratePerSecond: 1000,
      maxAttempts: 2,
      onMailServerProblem: (line) => lines.push(line),
    });
    let revived: Awaited<ReturnType<typeof startTestSmtpServer>> | undefined;
    try {
      // More attempts than MAIL_MAX_ATTEMPTS (2): an outage gives no email up (it did after 8 attempts, a day).
      for (let attempt = 1; attempt <= 3; attempt++) {
        const failed = await until(() => (rowFor(to).attempts === attempt && rowFor(to).status === "queued" && rowFor(to).lastError ? rowFor(to) : undefined));
        expect(failed.lastError).toMatch(
          /^Il server di posta non è raggiungibile: l'email resta in coda e parte quando il server torna raggiungibile\. Dettaglio: .*(ECONNREFUSED|connect)/i,
        );
        expect(failed.nextAttemptAt.getTime() - failed.updatedAt!.getTime()).toBe(retryDelayMs(attempt));
        getDb().update(outbox).set({ nextAttemptAt: new Date() }).where(eq(outbox.id, failed.id)).run();
      }
      // Far into an outage the wait stays within an hour (not the 6 hours of a refused message).
      getDb().update(outbox).set({ attempts: 7, nextAttemptAt: new Date() }).where(eq(outbox.id, rowFor(to).id)).run();
      const late = await until(() => (rowFor(to).attempts === 8 && rowFor(to).status === "queued" ? rowFor(to) : undefined));
      expect(late.nextAttemptAt.getTime() - late.updatedAt!.getTime()).toBe(60 * 60_000);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Email: Il server di posta non è raggiungibile \(SMTP 127\.0\.0\.1:\d+; errore: .*\)\. Le email restano in coda e partono quando il server torna raggiungibile/);

      const coordinator = createTestCoordinator();
      for (const [route, path] of [[postaRoute, "/admin/posta"], [overviewRoute, "/admin"]] as const) {
        const page = await renderRoute(route, await adminGet(path, coordinator.id));
        expect(page.html).toContain("Le email non partono: il server di posta non è raggiungibile");
      }

      // The server is back: the first email delivered brings the held one forward, an hour early.
      revived = await startTestSmtpServer({ port });
      const next = uniqueEmail("dopo-il-guasto");
      queueTestEmail(next);
      await until(() => (rowFor(next).status === "sent" && rowFor(to).status === "sent") || undefined);
      expect(revived.received.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
      const page = await renderRoute(postaRoute, await adminGet("/admin/posta", coordinator.id));
      expect(page.html).not.toContain("Le email non partono");
    } finally {
      await worker.stop();
      transport.close();
      await revived?.close();
    }
  });

  it("retries when the server drops the connection in the middle of a message", async () => {
    const to = uniqueEmail("interrotta");
    smtp.state.behaviour = "drop-connection";
    queueTestEmail(to);
    const worker = startWorker();
    try {
      const failed = await until(() => (rowFor(to).attempts === 1 && rowFor(to).status === "queued" ? rowFor(to) : undefined));
      expect(failed.lastError).toBeTruthy();
      expect(receivedBy(to)).toHaveLength(0);
      smtp.state.behaviour = "accept";
      getDb().update(outbox).set({ nextAttemptAt: new Date() }).where(eq(outbox.id, failed.id)).run();
      await until(() => rowFor(to).status === "sent" || undefined);
      expect(receivedBy(to)).toHaveLength(1);
    } finally {
      await worker.stop();
      smtp.state.behaviour = "accept";
    }
  });
});
