// A mail server that refuses the portal's credentials (AUTH answered 535): the portal's configuration
// is at fault, not the message. The emails stay queued with growing delays, one console line says
// so (without the password), /admin/posta and /admin tell the coordinators, and once SMTP_URL is
// corrected and the portal restarted they go out.
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "#db/schema";
import * as overviewRoute from "~/routes/admin._index";
import * as postaRoute from "~/routes/admin.posta._index";
import { queueEmail, retryDelayMs, retryEmailsHeldByMailServer } from "~/models/outbox.server";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { adminGet, createTestCoordinator } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import { renderRoute } from "../../support/render-route";
import { until } from "../../support/until";

const PASSWORD = "giusta-Segreta-1";
const received: string[] = [];
let smtp: SMTPServer;
let port: number;
beforeAll(async () => {
  smtp = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "portale" && auth.password === PASSWORD) return callback(null, { user: "portale" });
      callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on("end", () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function startWorker(password: string, lines: string[], scheme = "smtp") {
  const transport = createMailTransport({ SMTP_URL: `${scheme}://portale:${password}@127.0.0.1:${port}`, mailDir: "" });
  const worker = startOutboxWorker({
    db: getDb(),
    transport,
    from: "noreply@portale.test",
    pollMs: 20,
    ratePerSecond: 1000,
    maxAttempts: 2,
    onMailServerProblem: (line) => lines.push(line),
  });
  return { stop: async () => { await worker.stop(); transport.close(); } };
}

function queueTestEmail(to: string) {
  return queueEmail(getDb(), {
    to,
    template: "confirm-registration",
    props: { firstName: "Ada", bodyName: "Comune di Enna", confirmUrl: "http://portale.test/adesione/conferma/x", expiresOn: "1 gennaio 2027", isHandover: false },
    domain: "portale.test",
  });
}

describe("a mail server that refuses the portal's credentials", () => {
  it("keeps every email queued with growing delays, says it once, tells the coordinators, and delivers after SMTP_URL is corrected", async () => {
    const to = uniqueEmail("credenziali");
    const row = queueTestEmail(to);
    const lines: string[] = [];
    const wrong = startWorker("sbagliata-Segreta-9", lines);
    try {
      // Three attempts, more than MAIL_MAX_ATTEMPTS (2): none gives the email up.
      for (let attempt = 1; attempt <= 3; attempt++) {
        const failed = await until(() => {
          const r = outboxFor(to)[0];
          return r.attempts === attempt && r.status === "queued" && r.lastError ? r : undefined;
        });
        expect(failed.lastError).toMatch(
          /^Il server di posta rifiuta le credenziali del portale \(utente e password di SMTP_URL\): l'email resta in coda e parte quando SMTP_URL è corretta e il portale riavviato\. Risposta: 535/,
        );
        expect(failed.nextAttemptAt.getTime() - failed.updatedAt!.getTime()).toBe(retryDelayMs(attempt));
        if (attempt < 3) getDb().update(outbox).set({ nextAttemptAt: new Date() }).where(eq(outbox.id, row.id)).run();
      }
    } finally {
      await wrong.stop();
    }
    expect(received).not.toContain(to);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Email: Il server di posta rifiuta le credenziali del portale \(utente e password di SMTP_URL\) \(SMTP 127\.0\.0\.1:\d+; risposta: 535 .*\)\. Le email restano in coda: correggi SMTP_URL e riavvia il portale\.$/);
    expect(lines[0]).not.toContain("sbagliata-Segreta-9");

    const coordinator = createTestCoordinator();
    for (const [route, path] of [[postaRoute, "/admin/posta"], [overviewRoute, "/admin"]] as const) {
      const page = await renderRoute(route, await adminGet(path, coordinator.id));
      expect(page.html).toContain("Le email non partono: il server di posta rifiuta il portale");
      expect(page.html).toContain("Il server di posta rifiuta le credenziali del portale (utente e password indicati nell&#x27;impostazione SMTP_URL).");
    }

    // The portal restarted with the right password: the held email is due at once, and goes.
    expect(retryEmailsHeldByMailServer(getDb())).toBeGreaterThanOrEqual(1);
    const right = startWorker(PASSWORD, lines);
    try {
      await until(() => outboxFor(to)[0].status === "sent" || undefined);
    } finally {
      await right.stop();
    }
    expect(received.filter((r) => r === to)).toEqual([to]);
    const page = await renderRoute(postaRoute, await adminGet("/admin/posta", coordinator.id));
    expect(page.html).not.toContain("Le email non partono");
  });

  it("smtps:// to a server without TLS: the TLS set-up is the configuration too, the email is never given up", async () => {
    const to = uniqueEmail("tls");
    const row = queueTestEmail(to);
    const lines: string[] = [];
    const worker = startWorker(PASSWORD, lines, "smtps");
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const failed = await until(() => {
          const r = outboxFor(to)[0];
          return r.attempts === attempt && r.status === "queued" && r.lastError ? r : undefined;
        });
        expect(failed.lastError).toMatch(/^Il server di posta non accetta la connessione protetta \(TLS\) del portale impostata in SMTP_URL: l'email resta in coda/);
        if (attempt < 3) getDb().update(outbox).set({ nextAttemptAt: new Date() }).where(eq(outbox.id, row.id)).run();
      }
    } finally {
      await worker.stop();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Email: Il server di posta non accetta la connessione protetta \(TLS\)/);
    expect(lines[0]).not.toContain(PASSWORD);
    const page = await renderRoute(postaRoute, await adminGet("/admin/posta", createTestCoordinator().id));
    expect(page.html).toContain("Il server di posta non accetta la connessione protetta (TLS) del portale impostata in SMTP_URL.");
  });
});
