import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, membershipRequests } from "#db/schema";
import { action as submitAction } from "~/routes/adesione._index";
import { action, loader } from "~/routes/adesione.conferma.$token";
import { CONFIRMATION_TTL_MS } from "~/models/membership.server";
import { getDb } from "~/utils/db.server";
import { confirmationTokenFor, countRows, outboxFor, requestsForEmail } from "../../support/db-queries";
import { validRegistrationFields } from "../../support/factories";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import * as confirmRoute from "~/routes/adesione.conferma.$token";

async function registered() {
  const fields = validRegistrationFields();
  const response = await submitAction(routeArgs(await browserPost("/adesione", fields)));
  expect(response.status).toBe(302);
  return { email: fields.email, token: confirmationTokenFor(fields.email) };
}

const view = (token: string) => loader(routeArgs(new Request(`${APP_URL}/adesione/conferma/${token}`), { token }));
const confirm = async (token: string) => action(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
const state = async (response: Response) => ((await response.json()) as { lookup: { state: string } }).lookup.state;

describe("/adesione/conferma/:token", () => {
  it("GET only shows the button; nothing changes", async () => {
    const { email, token } = await registered();
    const before = countRows();
    const response = view(token);
    expect(response.status).toBe(200);
    expect(await state(response)).toBe("valid");
    expect(requestsForEmail(email)[0].request.status).toBe("email_unverified");
    expect(countRows()).toEqual(before);
  });

  it("names the ente with its article: «come referente del Comune di …»", async () => {
    const { email, token } = await registered();
    const { html } = await renderRoute(confirmRoute, new Request(`${APP_URL}/adesione/conferma/${token}`), "/adesione/conferma/:token");
    expect(html).toContain(`Stai confermando l&#x27;indirizzo <strong>${email}</strong> come referente <strong>del Comune di `);
  });

  it("POST confirms once: the request becomes pending, the email is verified, coordinators are told", async () => {
    const { email, token } = await registered();
    const response = await confirm(token);
    expect(response.status).toBe(200);
    expect(await state(response)).toBe("valid");
    const [{ request, referent }] = requestsForEmail(email);
    expect(request.status).toBe("pending");
    expect(request.confirmedAt).toBeInstanceOf(Date);
    expect(referent.emailVerifiedAt).toBeInstanceOf(Date);

    const notices = outboxFor("coordinatore@example.org").filter((r) => r.template === "registration-awaiting-approval");
    expect(notices.some((n) => n.props.requestUrl === `${APP_URL}/admin/adesioni/${request.id}`)).toBe(true);
    const audit = getDb().select().from(auditLog).where(eq(auditLog.entityId, String(request.id))).all();
    expect(audit.map((a) => a.action)).toContain("membership.email_confirmed");
  });

  it("is single use: a second POST changes nothing and says the link was used", async () => {
    const { token } = await registered();
    await confirm(token);
    const before = countRows();
    const second = await confirm(token);
    expect(second.status).toBe(410);
    expect(await state(second)).toBe("used");
    expect(await state(view(token))).toBe("used");
    expect(countRows()).toEqual(before);
  });

  it("is titled as its heading says, whatever the state of the link", async () => {
    const { token } = await registered();
    const path = "/adesione/conferma/:token";
    const titleAndHeading = async (request: Request) => {
      const { html, title } = await renderRoute(confirmRoute, request, path);
      return { title, heading: /<h1>([^<]*)<\/h1>/.exec(html)![1] };
    };
    expect(await titleAndHeading(new Request(`${APP_URL}/adesione/conferma/${token}`))).toEqual({
      title: "Conferma dell'indirizzo email - Coordinamento SAI",
      heading: "Conferma il tuo indirizzo email",
    });
    // Just confirmed, and on a later visit: the title is true of both headings.
    expect(await titleAndHeading(await browserPost(`/adesione/conferma/${token}`, {}))).toEqual({
      title: "Indirizzo email confermato - Coordinamento SAI",
      heading: "Indirizzo email confermato",
    });
    expect(await titleAndHeading(new Request(`${APP_URL}/adesione/conferma/${token}`))).toEqual({
      title: "Indirizzo email confermato - Coordinamento SAI",
      heading: "Indirizzo già confermato",
    });
    expect(await titleAndHeading(new Request(`${APP_URL}/adesione/conferma/non-esiste`))).toEqual({
      title: "Collegamento non valido - Coordinamento SAI",
      heading: "Collegamento non valido",
    });
  });

  it("expires after 7 days", async () => {
    const { email, token } = await registered();
    const { request } = requestsForEmail(email)[0];
    const createdLongAgo = new Date(Date.now() - CONFIRMATION_TTL_MS - 1000);
    getDb()
      .update(membershipRequests)
      .set({ confirmationExpiresAt: new Date(createdLongAgo.getTime() + CONFIRMATION_TTL_MS) })
      .where(eq(membershipRequests.id, request.id))
      .run();
    expect(await state(view(token))).toBe("expired");
    expect((await renderRoute(confirmRoute, new Request(`${APP_URL}/adesione/conferma/${token}`), "/adesione/conferma/:token")).title).toBe(
      "Collegamento scaduto - Coordinamento SAI",
    );
    const response = await confirm(token);
    expect(response.status).toBe(410);
    expect(await state(response)).toBe("expired");
    expect(requestsForEmail(email)[0].request.status).toBe("email_unverified");
  });

  it("an expired link offers a new one, sent to the scheda's address, which confirms it; the old link stops working", async () => {
    const { email, token } = await registered();
    const { request } = requestsForEmail(email)[0];
    getDb().update(membershipRequests).set({ confirmationExpiresAt: new Date(Date.now() - 1000) }).where(eq(membershipRequests.id, request.id)).run();
    const page = await renderRoute(confirmRoute, new Request(`${APP_URL}/adesione/conferma/${token}`), "/adesione/conferma/:token");
    expect(page.html).toContain('<button type="submit" name="intent" value="resend" class="btn btn-primary">Inviami un nuovo collegamento</button>');

    const resend = await action(routeArgs(await browserPost(`/adesione/conferma/${token}`, { intent: "resend" }), { token }));
    expect(resend.status).toBe(200);
    expect(await state(resend)).toBe("resent");
    const links = outboxFor(email).filter((m) => m.template === "confirm-registration");
    expect(links).toHaveLength(2);
    expect(links[1].props).toMatchObject({ isHandover: false, firstName: expect.any(String) });
    const fresh = String(links[1].props.confirmUrl).split("/").pop()!;
    expect(fresh).not.toBe(token);
    expect(await state(view(token))).toBe("invalid");
    expect(await state(await confirm(fresh))).toBe("valid");
    expect(requestsForEmail(email)[0].request.status).toBe("pending");
    // Once confirmed, asking again sends nothing.
    const again = await action(routeArgs(await browserPost(`/adesione/conferma/${fresh}`, { intent: "resend" }), { token: fresh }));
    expect(await state(again)).toBe("used");
    expect(outboxFor(email).filter((m) => m.template === "confirm-registration")).toHaveLength(2);
    const audit = getDb().select().from(auditLog).where(eq(auditLog.action, "membership.confirmation_resent")).all();
    expect(audit.map((a) => a.entityId)).toContain(String(request.id));
  });

  it("a link still valid is not replaced by asking for a new one", async () => {
    const { email, token } = await registered();
    const resend = await action(routeArgs(await browserPost(`/adesione/conferma/${token}`, { intent: "resend" }), { token }));
    expect(await state(resend)).toBe("valid");
    expect(outboxFor(email).filter((m) => m.template === "confirm-registration")).toHaveLength(1);
    expect(await state(view(token))).toBe("valid");
  });

  it("answers 404 to an unknown token and refuses a POST without CSRF", async () => {
    const response = view("non-esiste");
    expect(response.status).toBe(404);
    expect(await state(response)).toBe("invalid");

    const { email, token } = await registered();
    const forged = new Request(`${APP_URL}/adesione/conferma/${token}`, { method: "POST", body: new URLSearchParams() });
    const refused = await action(routeArgs(forged, { token })).catch((r) => r as Response);
    expect(refused.status).toBe(403);
    expect(requestsForEmail(email)[0].request.status).toBe("email_unverified");
  });

  it("an old link stops working when the scheda is sent again with changes", async () => {
    const fields = validRegistrationFields();
    await submitAction(routeArgs(await browserPost("/adesione", fields)));
    const oldToken = confirmationTokenFor(fields.email);
    await submitAction(routeArgs(await browserPost("/adesione", { ...fields, office: "Ufficio Immigrazione" })));
    const newToken = confirmationTokenFor(fields.email);
    expect(await state(view(oldToken))).toBe("invalid");
    expect(await state(view(newToken))).toBe("valid");
  });
});
