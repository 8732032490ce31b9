import { render } from "@react-email/render";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { emailTemplates } from "#emails/index";
import { renderEmail } from "~/utils/render-email.server";

// renderEmail renders each email once and derives the text part from the HTML (issue 7): the text
// must be exactly what @react-email's own plain-text render gives.
describe("renderEmail", () => {
  it.each(Object.keys(emailTemplates))("%s: the text part equals render(…, { plainText: true })", async (name) => {
    const template = emailTemplates[name as keyof typeof emailTemplates];
    const component = template.default as unknown as ((p: Record<string, unknown>) => JSX.Element) & { PreviewProps: Record<string, unknown> };
    const rendered = await renderEmail(name, component.PreviewProps);
    const element = createElement(component, component.PreviewProps);
    expect(rendered.text).toBe(await render(element, { plainText: true }));
    expect(rendered.html).toBe(await render(element));
  });
});
