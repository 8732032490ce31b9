import fs from "node:fs";
import nodemailer from "nodemailer";
import { emailTemplates, type EmailTemplateName } from "#emails/index";
import type { Env } from "~/utils/env.server";
import { HIDDEN_CODE, HIDDEN_LINK, redactEmailProps, redactEmailText } from "~/utils/email-secrets.server";
import { renderEmail } from "~/utils/render-email.server";
import { unsubscribeUrl } from "~/utils/unsubscribe.server";
import { materialFilePath } from "./material.server";
import type { OutboxRow } from "./outbox.server";

// What coordinators see of an email in /admin/posta: the message rendered from its props with the
// one-time secrets (sign-in code, personal links) hidden, never the real ones.
// docs/decisions/009-secrets-in-outbox.md

/** The note that goes with every copy shown to coordinators. */
export const REDACTION_NOTE = `Codici di accesso e link personali del messaggio sono nascosti (${HIDDEN_CODE}, ${HIDDEN_LINK}): li riceve solo il destinatario.`;

/** contactEmail: as the worker tells the templates (see renderEmail), so the copy reads as delivered. */
type PreviewEnv = Pick<Env, "appUrl"> & { contactEmail?: string | null };

/** The email as coordinators may read it: subject, HTML, text and generated attachments, redacted. */
export async function renderEmailForCoordinators(email: Pick<OutboxRow, "template" | "props" | "category" | "recipient">, env: PreviewEnv) {
  // Comunicazioni get their opt-out link at delivery; it is shown (hidden) as the recipient got it.
  const props = email.category === "communication" ? { ...email.props, unsubscribeUrl: unsubscribeUrl(env.appUrl, email.recipient) } : email.props;
  const rendered = await renderEmail(email.template, redactEmailProps(email.template, props, { appUrl: env.appUrl }), {
    contactEmail: env.contactEmail,
  });
  // Rendered from redacted props, so no secret should be left; the texts are checked again anyway
  // against the real values, in case a template shows one in another form.
  const clean = (text: string) => redactEmailText(email.template, props, text, { appUrl: env.appUrl });
  return {
    subject: clean(rendered.subject),
    html: clean(rendered.html),
    text: clean(rendered.text),
    attachments: rendered.attachments.map((a) => ({ ...a, content: clean(a.content) })),
    uploadedAttachments: rendered.uploadedAttachments,
  };
}

/**
 * The subject as a list shows it, with any secret hidden (the sign-in code is in its subject): the
 * stored one once sent; before that, the template's subject() of the redacted props, as the
 * preview words it (cheap: no rendering). Null when the template is unknown or its props do not
 * make a subject.
 */
export function outboxSubjectForCoordinators(row: Pick<OutboxRow, "template" | "props" | "subject">, env: PreviewEnv) {
  const appUrl = env.appUrl;
  if (row.subject) return redactEmailText(row.template, row.props, row.subject, { appUrl });
  if (!Object.hasOwn(emailTemplates, row.template)) return null;
  const entry = emailTemplates[row.template as EmailTemplateName] as unknown as { subject: (p: Record<string, unknown>) => string };
  try {
    const subject = entry.subject(redactEmailProps(row.template, row.props, { appUrl }));
    // As in renderEmailForCoordinators: checked again against the real values.
    return typeof subject === "string" && subject !== "" ? redactEmailText(row.template, row.props, subject, { appUrl }) : null;
  } catch {
    return null;
  }
}

const emlWriter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });

/**
 * The email as an .eml file for coordinators: the redacted rendering with the row's Message-ID,
 * recipient and date. Not the file that was sent (in the local default that one stays under
 * data/mail/ for whoever runs the portal), so it never holds a usable code or link.
 */
export async function redactedEmlForCoordinators(email: OutboxRow, env: PreviewEnv & Pick<Env, "MAIL_FROM" | "uploadsDir">) {
  const rendered = await renderEmailForCoordinators(email, env);
  const uploaded = rendered.uploadedAttachments
    .map((a) => ({ filename: a.filename, contentType: a.contentType, path: materialFilePath(env.uploadsDir, a.storedFileName) }))
    .filter((a): a is { filename: string; contentType: string; path: string } => !!a.path && fs.existsSync(a.path));
  const attachments = [...rendered.attachments, ...uploaded];
  const info = await emlWriter.sendMail({
    from: env.MAIL_FROM,
    replyTo: env.contactEmail ?? undefined,
    to: email.recipient,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: email.messageId,
    date: email.sentAt ?? email.createdAt,
    headers: { "X-Portale-Copia": `Copia per i coordinatori. ${REDACTION_NOTE}` },
    attachments: attachments.length > 0 ? attachments : undefined,
  });
  return new Uint8Array(info.message as Buffer);
}
