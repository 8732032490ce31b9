import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { referents } from "#db/schema";
import { action as submitAction } from "~/routes/adesione._index";
import * as route from "~/routes/disiscrizione.$token";
import { action, loader } from "~/routes/disiscrizione.$token";
import { getDb } from "~/utils/db.server";
import { createUnsubscribeToken } from "~/utils/unsubscribe.server";
import { settle } from "../../support/admin";
import { renderRoute } from "../../support/render-route";
import { validRegistrationFields } from "../../support/factories";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

async function referentEmail() {
  const fields = validRegistrationFields();
  await submitAction(routeArgs(await browserPost("/adesione", fields)));
  return fields.email;
}

const receives = (email: string) => getDb().select().from(referents).where(eq(referents.email, email)).get()!.receivesCommunications;

describe("/disiscrizione/:token", () => {
  it("GET only asks; the form POST opts the address out", async () => {
    const email = await referentEmail();
    const token = createUnsubscribeToken(email);
    const page = loader(routeArgs(new Request(`${APP_URL}/disiscrizione/${token}`), { token }));
    expect(await page.json()).toEqual({ email });
    expect(receives(email)).toBe(true);
    const response = await action(routeArgs(await browserPost(`/disiscrizione/${token}`, {}), { token }));
    expect(await response.json()).toEqual({ done: true });
    expect(receives(email)).toBe(false);
  });

  it("after confirming, the page leads back to the portal and says where the choice is undone", async () => {
    const email = await referentEmail();
    const token = createUnsubscribeToken(email);
    const { html } = await renderRoute(route, await browserPost(`/disiscrizione/${token}`, {}), "/disiscrizione/:token");
    expect(html).toContain("<h1>Disiscrizione completata</h1>");
    expect(html).toContain('<a data-discover="true" href="/area-referente/privacy">area referente, nella pagina «Privacy e dati personali»</a>');
    expect(html).toContain('<a data-discover="true" href="/">Torna alla pagina iniziale del portale</a>');
  });

  it("accepts a mail client's one-click POST without the form's token", async () => {
    const email = await referentEmail();
    const token = createUnsubscribeToken(email);
    const request = new Request(`${APP_URL}/disiscrizione/${token}`, {
      method: "POST",
      body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
    });
    expect((await action(routeArgs(request, { token }))).status).toBe(200);
    expect(receives(email)).toBe(false);
  });

  it("refuses a forged token and a plain POST without CSRF", async () => {
    const email = await referentEmail();
    const forged = `${Buffer.from(email).toString("base64url")}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    expect((await action(routeArgs(await browserPost(`/disiscrizione/${forged}`, {}), { token: forged }))).status).toBe(404);
    const token = createUnsubscribeToken(email);
    const noCsrf = new Request(`${APP_URL}/disiscrizione/${token}`, { method: "POST", body: new URLSearchParams() });
    expect((await settle(() => action(routeArgs(noCsrf, { token })))).status).toBe(403);
    expect(receives(email)).toBe(true);
  });
});
