import crypto from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { commitCsrfToken } from "~/utils/csrf.server";
import { getHoneypotInputProps } from "~/utils/honeypot.server";

export const APP_URL = "http://portale.test";

/** A POST as a browser sends it: CSRF cookie and token, honeypot fields, same Origin. */
export async function browserPost(path: string, fields: Record<string, string>, { origin = APP_URL } = {}) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const honeypot = getHoneypotInputProps();
  const body = new URLSearchParams(fields);
  body.set("csrf", token);
  if (!body.has(honeypot.nameFieldName)) body.set(honeypot.nameFieldName, "");
  if (honeypot.validFromFieldName) body.set(honeypot.validFromFieldName, honeypot.encryptedValidFrom);
  return new Request(`${APP_URL}${path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: setCookie!.split(";")[0],
      Origin: origin,
    },
  });
}

export function loadContext(): AppLoadContext {
  return { cspNonce: "test", clientIp: `10.0.${crypto.randomInt(255)}.${crypto.randomInt(255)}` };
}

export function routeArgs(request: Request, params: Record<string, string> = {}) {
  return { request, params, context: loadContext() };
}
