import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { createElement } from "react";
import { emailTemplates, type EmailAttachment, type EmailTemplateName, type UploadedAttachment } from "#emails/index";

// The text part is converted from the rendered HTML with the options @react-email uses for
// render(…, { plainText: true }), compiled once: one React render per email instead of two, and no
// option parsing per email (issue 7: about 6 ms of CPU per invitation before, under 3 ms after).
const htmlToText = compile({ wordwrap: false, selectors: [...plainTextSelectors] });

/**
 * What the delivery adds to the stored props, as it is when the email is sent (a setting may change
 * between queueing and sending): the coordinators' address (CONTACT_EMAIL, the Reply-To), or none.
 */
export type DeliverySettings = { contactEmail?: string | null };

export async function renderEmail(template: string, storedProps: Record<string, unknown>, delivery: DeliverySettings = {}) {
  const entry = emailTemplates[template as EmailTemplateName] as
    | {
        default: (p: Record<string, unknown>) => JSX.Element;
        subject: (p: Record<string, unknown>) => string;
        attachments?: (p: Record<string, unknown>) => EmailAttachment[];
        uploadedAttachments?: (p: Record<string, unknown>) => UploadedAttachment[];
      }
    | undefined;
  if (!entry) throw new Error(`Unknown email template "${template}"`);
  const props = { ...storedProps, contactEmail: delivery.contactEmail ?? undefined };
  const html = await render(createElement(entry.default, props));
  return {
    subject: entry.subject(props),
    html,
    text: htmlToText(html),
    attachments: entry.attachments?.(props) ?? [],
    uploadedAttachments: entry.uploadedAttachments?.(props) ?? [],
  };
}
