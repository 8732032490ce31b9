// Reads the .eml files that the e2e SMTP server (tests/e2e/global-setup.ts) stores, one per
// recipient, named `<encodeURIComponent(recipient)>--<timestamp>-<n>.eml`.
import fs from "node:fs/promises";
import path from "node:path";
import { simpleParser, type AddressObject } from "mailparser";

export type ReceivedEmail = {
  file: string;
  /** The SMTP envelope recipient the file was stored for. */
  recipient: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
};

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));

async function parse(dir: string, file: string, recipient: string): Promise<ReceivedEmail> {
  const mail = await simpleParser(await fs.readFile(path.join(dir, file)));
  return {
    file,
    recipient,
    to: addresses(mail.to),
    from: mail.from?.text ?? "",
    subject: mail.subject ?? "",
    text: mail.text ?? "",
    html: typeof mail.html === "string" ? mail.html : "",
    headers: mail.headers as Map<string, unknown>,
  };
}

/** Every message received so far for `to`, oldest first. */
export async function findEmails(dir: string, to: string): Promise<ReceivedEmail[]> {
  const recipient = to.toLowerCase();
  const prefix = `${encodeURIComponent(recipient)}--`;
  const files = (await fs.readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith(".eml")).sort();
  return Promise.all(files.map((f) => parse(dir, f, recipient)));
}

/**
 * Waits for a message to `to` (whose subject contains `subjectIncludes`, when given) and returns the
 * first one; fails after `timeoutMs` listing what did arrive for that address.
 */
export async function waitForEmail(
  dir: string,
  to: string,
  { subjectIncludes, timeoutMs = 15_000, pollMs = 100 }: { subjectIncludes?: string; timeoutMs?: number; pollMs?: number } = {},
): Promise<ReceivedEmail> {
  const deadline = Date.now() + timeoutMs;
  let seen: ReceivedEmail[] = [];
  for (;;) {
    seen = await findEmails(dir, to);
    const match = seen.find((m) => !subjectIncludes || m.subject.includes(subjectIncludes));
    if (match) return match;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const got = seen.length ? seen.map((m) => `  - "${m.subject}"`).join("\n") : "  (none)";
  throw new Error(
    `No email to ${to}${subjectIncludes ? ` with a subject containing "${subjectIncludes}"` : ""} within ${timeoutMs} ms. Received for that address:\n${got}`,
  );
}
