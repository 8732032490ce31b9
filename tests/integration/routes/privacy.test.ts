import { afterEach, describe, expect, it } from "vitest";
import * as privacyRoute from "~/routes/privacy";
import { getEnv } from "~/utils/env.server";
import { renderRoute } from "../../support/render-route";
import { APP_URL } from "../../support/requests";

const env = getEnv() as { RETENTION_UNCONFIRMED_DAYS: number; RETENTION_REJECTED_MONTHS: number };
const defaults = { days: env.RETENTION_UNCONFIRMED_DAYS, months: env.RETENTION_REJECTED_MONTHS };
afterEach(() => {
  env.RETENTION_UNCONFIRMED_DAYS = defaults.days;
  env.RETENTION_REJECTED_MONTHS = defaults.months;
});

const page = () => renderRoute(privacyRoute, new Request(`${APP_URL}/privacy`));

describe("/privacy", () => {
  it("states the retention periods the portal applies, by default 30 days and 12 months", async () => {
    const { html } = await page();
    expect(html).toContain("non confermato: cancellate dopo 30 giorni;");
    expect(html).toContain("respinte: cancellate dopo 12 mesi dalla decisione;");
  });

  it("gives for the comunicazioni the basis the portal applies: sent until the referente objects (every one carries the way out), not a consent it never asks", async () => {
    const { html } = await page();
    expect(html).not.toContain("lett. a)");
    expect(html).toContain("può opporsi in qualsiasi momento e senza motivarlo (art. 21 GDPR)");
    expect(html).toContain("Versione 2026-11-26");
  });

  it("follows RETENTION_UNCONFIRMED_DAYS and RETENTION_REJECTED_MONTHS when they are changed", async () => {
    env.RETENTION_UNCONFIRMED_DAYS = 45;
    env.RETENTION_REJECTED_MONTHS = 1;
    const { html } = await page();
    expect(html).toContain("non confermato: cancellate dopo 45 giorni;");
    expect(html).toContain("respinte: cancellate dopo 1 mese dalla decisione;");
  });
});
