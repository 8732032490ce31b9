import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import type { Env } from "./env.server";

export type OutgoingMessage = {
  from: string;
  /** Where a reply goes (the coordinators' address), when it is not the sender's. */
  replyTo?: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers?: Record<string, string>;
  /** Either the content, or the path of a file nodemailer reads while it sends. */
  attachments?: ({ filename: string; contentType: string } & ({ content: string | Buffer } | { path: string }))[];
};

export type MailTransport = {
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
  description: string;
  /** How many messages it can usefully carry at once (the SMTP pool's connections). */
  concurrency?: number;
};

/** SMTP connections kept open by the pool, hence messages sent at once by the outbox worker. */
export const SMTP_MAX_CONNECTIONS = 3;

/** SMTP when SMTP_URL is set; otherwise each email becomes an .eml file under data/mail/. */
export function createMailTransport(env: Pick<Env, "SMTP_URL" | "mailDir">): MailTransport {
  if (env.SMTP_URL) {
    const transporter = nodemailer.createTransport({
      url: env.SMTP_URL,
      pool: true,
      maxConnections: SMTP_MAX_CONNECTIONS,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    } satisfies SMTPPool.Options);
    return {
      description: `SMTP ${new URL(env.SMTP_URL).host}`,
      concurrency: SMTP_MAX_CONNECTIONS,
      async send(message) {
        await transporter.sendMail(message);
      },
      close: () => transporter.close(),
    };
  }
  const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    description: `.eml files in ${env.mailDir}`,
    concurrency: 1,
    async send(message) {
      const info = await writer.sendMail(message);
      await fs.mkdir(env.mailDir, { recursive: true });
      const file = path.join(env.mailDir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${safeMessageId(message.messageId)}.eml`);
      await fs.writeFile(file, info.message as Buffer);
    },
    close: () => writer.close(),
  };
}

/**
 * A failure that is no fault of the message: the server refuses the credentials of SMTP_URL (AUTH
 * answered 530/534/535, nodemailer's EAUTH), the protected connection (TLS) cannot be set up, or the
 * server cannot be reached at all (refused, timed out, unknown name). Every email would fail the same
 * way until SMTP_URL is fixed or the server is back, so none is given up for it.
 */
export type MailServerProblem = "credentials" | "tls" | "unreachable";

const CONNECTION_ERROR_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ESOCKET|ECONNECTION|ETIMEOUT|EDNS|EHOSTUNREACH|ENETUNREACH)$/;

export function mailServerProblem(error: unknown): MailServerProblem | null {
  const e = (error ?? {}) as { responseCode?: number; code?: string; message?: string };
  if (e.code === "EAUTH" || e.code === "ENOAUTH" || [530, 534, 535].includes(e.responseCode ?? 0)) return "credentials";
  if (e.code === "ETLS" || (e.code === "ESOCKET" && /\b(ssl|tls)\b|certificate|self[- ]signed/i.test(e.message ?? ""))) return "tls";
  if (typeof e.responseCode !== "number" && e.code && CONNECTION_ERROR_CODES.test(e.code)) return "unreachable";
  return null;
}

/** The start of what such a failure is recorded as (outbox.last_error), by which it is found again. */
export const MAIL_SERVER_PROBLEM_TEXT: Record<MailServerProblem, string> = {
  credentials: "Il server di posta rifiuta le credenziali del portale (utente e password di SMTP_URL)",
  tls: "Il server di posta non accetta la connessione protetta (TLS) del portale impostata in SMTP_URL",
  unreachable: "Il server di posta non è raggiungibile",
};

/** What happens to the emails meanwhile, and what to do: a wrong setting needs a restart, an outage only time. */
const MAIL_SERVER_PROBLEM_OUTCOME: Record<MailServerProblem, { email: string; log: string }> = {
  credentials: {
    email: "l'email resta in coda e parte quando SMTP_URL è corretta e il portale riavviato",
    log: "Le email restano in coda: correggi SMTP_URL e riavvia il portale.",
  },
  tls: {
    email: "l'email resta in coda e parte quando SMTP_URL è corretta e il portale riavviato",
    log: "Le email restano in coda: correggi SMTP_URL e riavvia il portale.",
  },
  unreachable: {
    email: "l'email resta in coda e parte quando il server torna raggiungibile",
    log: "Le email restano in coda e partono quando il server torna raggiungibile; se dura, controlla l'indirizzo in SMTP_URL e la rete.",
  },
};

/** The console line for a mail configuration problem: what, which server, what to do. No password. */
export function mailServerProblemLogLine(problem: MailServerProblem, transportDescription: string, error: unknown) {
  const reply = ((error as { response?: string; message?: string }).response ?? (error as Error).message ?? "").trim();
  const said = problem === "unreachable" ? "errore" : "risposta";
  return `Email: ${MAIL_SERVER_PROBLEM_TEXT[problem]} (${transportDescription}; ${said}: ${reply}). ${MAIL_SERVER_PROBLEM_OUTCOME[problem].log}`;
}

/** SMTP replies 5xx are final; connection errors and 4xx are worth another try, and so is a mail configuration problem. */
export function isPermanentFailure(error: unknown) {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600 && mailServerProblem(error) === null;
}

/**
 * What a failed attempt is recorded as, for coordinators: said in Italian, with the mail server's own
 * reply (its words, often English) kept after it. Errors of the portal's own (an attachment gone)
 * are Italian already.
 */
export function describeDeliveryError(error: unknown) {
  const e = (error ?? {}) as { responseCode?: number; response?: string; code?: string; message?: string };
  const message = e.message ?? String(error);
  const problem = mailServerProblem(error);
  if (problem === "unreachable") return `${MAIL_SERVER_PROBLEM_TEXT[problem]}: ${MAIL_SERVER_PROBLEM_OUTCOME[problem].email}. Dettaglio: ${message}`;
  if (problem) return `${MAIL_SERVER_PROBLEM_TEXT[problem]}: ${MAIL_SERVER_PROBLEM_OUTCOME[problem].email}. Risposta: ${(e.response ?? message).trim()}`;
  if (typeof e.responseCode === "number") {
    const reply = (e.response ?? message).trim();
    if (e.responseCode >= 500) return `Il server di posta ha rifiutato il messaggio in modo definitivo. Risposta: ${reply}`;
    return `Il server di posta ha rifiutato temporaneamente il messaggio. Risposta: ${reply}`;
  }
  return message;
}

/** The .eml file written for a message by the local transport, if there is one. */
export async function findLocalEmlFile(mailDir: string, messageId: string) {
  const safeId = safeMessageId(messageId);
  const files = await fs.readdir(mailDir).catch(() => [] as string[]);
  const match = files.find((f) => f.endsWith(`-${safeId}.eml`));
  return match ? path.join(mailDir, match) : null;
}

/** Deletes the local copies (.eml under data/mail/) of these emails, e.g. after an erasure. */
export async function deleteLocalEmlFiles(mailDir: string, messageIds: string[]) {
  for (const messageId of messageIds) {
    const file = await findLocalEmlFile(mailDir, messageId);
    if (file) await fs.rm(file, { force: true });
  }
}

const safeMessageId = (messageId: string) => messageId.replace(/[^a-zA-Z0-9@.-]/g, "");
