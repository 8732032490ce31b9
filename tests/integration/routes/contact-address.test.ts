// CONTACT_EMAIL: the address where referenti and visitors write to the coordinators, given where the
// pages tell people to write (and, as the Reply-To of every email, in outbox-worker.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import * as accessibilityRoute from "~/routes/accessibilita";
import * as privacyRoute from "~/routes/privacy";
import * as areaRoute from "~/routes/area-referente._index";
import { getEnv } from "~/utils/env.server";
import { renderRoute } from "../../support/render-route";
import { createReferent, referentCookie, referentGet } from "../../support/referent";
import { APP_URL } from "../../support/requests";

const CONTACT = "coordinamento.sai@portale.test";
const withContact = (value: string | null) => {
  getEnv().contactEmail = value;
};
afterEach(() => withContact(null));

const page = async (route: Parameters<typeof renderRoute>[0], path: string, cookie: string | null = null) =>
  (await renderRoute(route, cookie ? referentGet(path, cookie) : new Request(`${APP_URL}${path}`))).html;

describe("the coordinators' contact address", () => {
  it("is given on /privacy, /accessibilita and in the referent area when set", async () => {
    const r = await createReferent("active");
    const { cookie } = await referentCookie(r.referentId);
    withContact(CONTACT);
    const mailto = `<a href="mailto:${CONTACT}">${CONTACT}</a>`;
    expect(await page(privacyRoute, "/privacy")).toContain(`scrivendo ad ANCI Sicilia all&#x27;indirizzo ${mailto} o ai recapiti`);
    expect(await page(accessibilityRoute, "/accessibilita")).toContain(mailto);
    expect(await page(areaRoute, "/area-referente", cookie)).toContain(`scrivi ai coordinatori di ANCI Sicilia all&#x27;indirizzo ${mailto}.`);

    withContact(null);
    expect(await page(privacyRoute, "/privacy")).toContain("scrivendo ad ANCI Sicilia ai recapiti indicati sul sito istituzionale");
    expect(await page(areaRoute, "/area-referente", cookie)).toContain("scrivi ai coordinatori di ANCI Sicilia.");
    expect(await page(accessibilityRoute, "/accessibilita")).toContain('<a href="mailto:accessibilita@anci.sicilia.it">');
  });
});
