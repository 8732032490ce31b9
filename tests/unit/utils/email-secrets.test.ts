import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { emailTemplates } from "#emails/index";
import {
  EMAIL_SECRET_PROPS,
  HIDDEN_CODE,
  HIDDEN_LINK,
  hideLinkToken,
  isTokenLike,
  redactEmailProps,
  redactEmailText,
  scrubSentEmailProps,
} from "~/utils/email-secrets.server";
import { renderEmail } from "~/utils/render-email.server";
import { createToken } from "~/utils/tokens.server";

const APP = "http://portale.test";
const token = () => createToken().token;

/** A template's preview props with every "…/esempio" link given a real token and the code a real one. */
function withRealSecrets(name: string) {
  const preview = (emailTemplates[name as keyof typeof emailTemplates].default as unknown as { PreviewProps: Record<string, unknown> }).PreviewProps;
  const secrets: string[] = [];
  const props = JSON.parse(
    JSON.stringify(preview).replace(/http:\/\/localhost:3000\/([^"]*)\/esempio"/g, (_m, p: string) => {
      const t = token();
      secrets.push(t);
      return `${APP}/${p}/${t}"`;
    }),
  ) as Record<string, unknown>;
  props.appUrl &&= APP;
  if ("code" in props) {
    props.code = "907153";
    secrets.push("907153");
  }
  return { props, secrets };
}

describe("secrets in emails", () => {
  it("tells tokens from words, ids and dates", () => {
    for (let i = 0; i < 500; i++) expect(isTokenLike(token())).toBe(true);
    expect(isTokenLike(crypto.randomBytes(16).toString("hex"))).toBe(true);
    expect(isTokenLike(`${Buffer.from("maria.rossi@comune.esempio.it").toString("base64url")}.${token().slice(0, 32)}`)).toBe(true);
    for (const word of ["tavoli-tecnici", "area-referente", "inserimento-lavorativo-dei-beneficiari", "12345678901234567890", "2026-11-24T14-00-00", "precipitevolissimevolmente", "esempio"]) {
      expect(isTokenLike(word), word).toBe(false);
    }
  });

  it("hides the token of a link and keeps the page it opens", () => {
    const t = token();
    expect(hideLinkToken(`${APP}/invito/${t}`)).toBe(`${APP}/invito/${HIDDEN_LINK}`);
    expect(hideLinkToken(`${APP}/area-referente/accedi/link/${t}?x=1#y`)).toBe(`${APP}/area-referente/accedi/link/${HIDDEN_LINK}`);
    // A short token is still hidden when the prop is listed: the last segment goes.
    expect(hideLinkToken(`${APP}/adesione/conferma/x`)).toBe(`${APP}/adesione/conferma/${HIDDEN_LINK}`);
    expect(hideLinkToken("non un indirizzo")).toBe(HIDDEN_LINK);
    expect(hideLinkToken(hideLinkToken(`${APP}/invito/${t}`))).toBe(`${APP}/invito/${HIDDEN_LINK}`);
  });

  it("lists the secret props of every template, and only props the template has", () => {
    expect(Object.keys(EMAIL_SECRET_PROPS).sort()).toEqual(Object.keys(emailTemplates).sort());
    for (const [name, secrets] of Object.entries(EMAIL_SECRET_PROPS)) {
      const preview = (emailTemplates[name as keyof typeof emailTemplates].default as unknown as { PreviewProps: Record<string, unknown> }).PreviewProps;
      for (const prop of Object.keys(secrets)) expect(Object.keys(preview), `${name}.${prop}`).toContain(prop);
    }
  });

  it.each(Object.keys(emailTemplates))("%s: the redacted rendering holds no code or token and the rest of the message", async (name) => {
    const { props, secrets } = withRealSecrets(name);
    const real = await renderEmail(name, props);
    const shown = await renderEmail(name, redactEmailProps(name, props, { appUrl: APP }));
    for (const secret of secrets) {
      expect(real.html + real.text + real.subject).toContain(secret);
      for (const part of [shown.subject, shown.html, shown.text]) expect(part).not.toContain(secret);
    }
    if (secrets.length > 0) expect(shown.text).toMatch(/••••••|\[link personale nascosto\]/);
    // Everything else is as sent: the same text once the placeholders are put back in.
    const firstLine = real.text.split("\n").find((l) => l.startsWith("Gentile"))!;
    expect(shown.text).toContain(firstLine);
  });

  it("hides a token-like part of any portal link in a template that does not list it, not external links", () => {
    const t = token();
    const meeting = "https://meet.example.org/TavoloTecnico7Sicilia2026xyzQ";
    const props = {
      recipientName: "Maria",
      appUrl: APP,
      pageUrl: `${APP}/tavoli-tecnici/7`,
      nested: { link: `Apri ${APP}/nuova-pagina/${t}?risposta=si e poi ${APP}/x?token=${t}` },
      roundTable: { onlineUrl: meeting },
    };
    const shown = redactEmailProps("materials-available", props, { appUrl: APP });
    expect(JSON.stringify(shown)).not.toContain(t);
    expect(shown.nested).toEqual({ link: `Apri ${APP}/nuova-pagina/${HIDDEN_LINK}?risposta=si e poi ${APP}/x?token=${HIDDEN_LINK}` });
    expect(shown.pageUrl).toBe(`${APP}/tavoli-tecnici/7`);
    expect(shown.roundTable).toEqual({ onlineUrl: meeting });
  });

  it("hides the secrets in a text written from the real props, such as a stored subject", () => {
    const props = { firstName: "Ada", code: "012345", signInUrl: `${APP}/area-referente/accedi/link/${token()}`, validMinutes: 10 };
    expect(redactEmailText("referent-login-code", props, "Codice di accesso all'area referente: 012345")).toBe(`Codice di accesso all'area referente: ${HIDDEN_CODE}`);
    // Only the whole number, not the same digits inside a longer one.
    expect(redactEmailText("referent-login-code", props, "Protocollo 90123456")).toBe("Protocollo 90123456");
    expect(redactEmailText("referent-login-code", props, `vai a ${props.signInUrl}`)).toBe(`vai a ${APP}/area-referente/accedi/link/${HIDDEN_LINK}`);
  });

  it("after delivery drops the secrets nobody reads back, and keeps the invitation link", () => {
    const login = { firstName: "Ada", code: "012345", signInUrl: `${APP}/area-referente/accedi/link/${token()}`, validMinutes: 10 };
    expect(scrubSentEmailProps("referent-login-code", login)).toEqual({
      ...login,
      code: HIDDEN_CODE,
      signInUrl: `${APP}/area-referente/accedi/link/${HIDDEN_LINK}`,
    });
    const invitation = { recipientName: "Ada", answerUrl: `${APP}/invito/${token()}`, appUrl: APP };
    expect(scrubSentEmailProps("round-table-invitation", invitation)).toBeNull();
    expect(scrubSentEmailProps("round-table-reminder", { ...invitation, answerUrl: null })).toBeNull();
    expect(scrubSentEmailProps("membership-approved", { firstName: "Ada" })).toBeNull();
    // Twice is the same as once.
    const scrubbed = scrubSentEmailProps("referent-login-code", login)!;
    expect(scrubSentEmailProps("referent-login-code", scrubbed)).toBeNull();
  });
});
