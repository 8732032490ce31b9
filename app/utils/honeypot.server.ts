import { Honeypot, SpamError } from "remix-utils/honeypot/server";
import { getSessionSecret } from "./secrets.server";

let honeypot: Honeypot | undefined;

function getHoneypot() {
  honeypot ??= new Honeypot({ encryptionSeed: getSessionSecret(), nameFieldName: "sito_web", validFromFieldName: "from__confirm" });
  return honeypot;
}

export function getHoneypotInputProps() {
  return getHoneypot().getInputProps();
}

/** Bots fill the hidden field or post faster than a person could; both get a plain 400. */
export function checkHoneypot(formData: FormData) {
  try {
    getHoneypot().check(formData);
  } catch (error) {
    if (error instanceof SpamError) {
      throw new Response("Richiesta non valida.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    throw error;
  }
}
