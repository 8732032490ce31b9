import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { createMailTransport, isPermanentFailure } from "~/utils/mailer.server";

describe("local mail (no SMTP_URL)", () => {
  it("writes each email as an .eml file a mail client can open", async () => {
    const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-mail-"));
    const transport = createMailTransport({ SMTP_URL: undefined, mailDir });
    await transport.send({
      from: "Coordinamento SAI <noreply@localhost>",
      to: "referente@example.org",
      subject: "Prova è à ù",
      html: "<p>Ciao</p>",
      text: "Ciao",
      messageId: "<prova-1@localhost>",
    });
    const files = fs.readdirSync(mailDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const parsed = await simpleParser(fs.readFileSync(path.join(mailDir, files[0])));
    expect(parsed.subject).toBe("Prova è à ù");
    expect(parsed.messageId).toBe("<prova-1@localhost>");
    expect(parsed.text?.trim()).toBe("Ciao");
    fs.rmSync(mailDir, { recursive: true });
  });

  it("treats only 5xx replies as permanent", () => {
    expect(isPermanentFailure({ responseCode: 550 })).toBe(true);
    expect(isPermanentFailure({ responseCode: 451 })).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error("ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(false);
  });
});
