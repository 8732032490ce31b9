import { describe, expect, it } from "vitest";
import { emailTemplates } from "#emails/index";
import { renderEmail } from "~/utils/render-email.server";

describe("email templates", () => {
  it.each(Object.keys(emailTemplates))("%s renders HTML and plain text in Italian from its preview props", async (name) => {
    const template = emailTemplates[name as keyof typeof emailTemplates];
    const props = (template.default as unknown as { PreviewProps: Record<string, unknown> }).PreviewProps;
    const rendered = await renderEmail(name, props);
    expect(rendered.subject.length).toBeGreaterThan(10);
    expect(rendered.html).toMatch(/^<!DOCTYPE html/);
    expect(rendered.html).toContain('lang="it"');
    expect(rendered.text).not.toContain("<");
    expect(rendered.text).toContain("Gentile");
  });

  it("escapes what people typed", async () => {
    const rendered = await renderEmail("confirm-registration", {
      firstName: "<script>alert(1)</script>",
      bodyName: "Comune di Prova",
      confirmUrl: "http://localhost/x",
      expiresOn: "1 gennaio 2027",
      isHandover: false,
    });
    expect(rendered.html).not.toContain("<script>alert(1)</script>");
    expect(rendered.html).toContain("&lt;script&gt;");
  });
});
