import { Honeypot, SpamError, type HoneypotInputProps } from "remix-utils/honeypot/server";
import { getSessionSecrets } from "./secrets.server";

/**
 * remix-utils' honeypot with its AES steps remembered (issue 7): crypto-js derives the key and runs
 * AES in JavaScript, about 0.1 ms each time, on every page (the root loader) and every public POST.
 * The "valid from" time is the same for every page of the same second, and a posted value that has
 * been decrypted once gives the same time again. Nothing secret is kept: only times.
 */
class RememberingHoneypot extends Honeypot {
  private decrypted = new Map<string, string>();

  protected decrypt(value: string): string {
    let time = this.decrypted.get(value);
    if (time === undefined) {
      // Encrypted with another secret (or tampered with), crypto-js may throw instead of returning
      // garbage: the value is then invalid, a SpamError for check(), not a 500.
      try {
        time = super.decrypt(value);
      } catch {
        return "";
      }
      if (this.decrypted.size >= 1000) this.decrypted.clear();
      this.decrypted.set(value, time);
    }
    return time;
  }
}

let honeypots: Honeypot[] | undefined;
let current: { second: number; props: HoneypotInputProps } | undefined;

/** One per session secret, the current one first: a form loaded before the secret changed still passes. */
function getHoneypots() {
  honeypots ??= getSessionSecrets().map(
    (encryptionSeed) => new RememberingHoneypot({ encryptionSeed, nameFieldName: "sito_web", validFromFieldName: "from__confirm" }),
  );
  return honeypots;
}

const getHoneypot = () => getHoneypots()[0];

/** The honeypot fields of a form; "valid from" is the start of the current second. */
export function getHoneypotInputProps() {
  const second = Math.floor(Date.now() / 1000);
  if (current?.second !== second) current = { second, props: getHoneypot().getInputProps({ validFromTimestamp: second * 1000 }) };
  return current.props;
}

/** Bots fill the hidden field or post faster than a person could; both get a plain 400. */
export function checkHoneypot(formData: FormData) {
  let spam: SpamError | undefined;
  for (const honeypot of getHoneypots()) {
    try {
      honeypot.check(formData);
      return;
    } catch (error) {
      if (!(error instanceof SpamError)) throw error;
      spam = error;
    }
  }
  if (spam) throw new Response("Richiesta non valida.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
