import { render } from "@react-email/render";
import { createElement } from "react";
import { emailTemplates, type EmailAttachment, type EmailTemplateName } from "#emails/index";

export async function renderEmail(template: string, props: Record<string, unknown>) {
  const entry = emailTemplates[template as EmailTemplateName] as
    | {
        default: (p: Record<string, unknown>) => JSX.Element;
        subject: (p: Record<string, unknown>) => string;
        attachments?: (p: Record<string, unknown>) => EmailAttachment[];
      }
    | undefined;
  if (!entry) throw new Error(`Unknown email template "${template}"`);
  const element = createElement(entry.default, props);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject: entry.subject(props), html, text, attachments: entry.attachments?.(props) ?? [] };
}
