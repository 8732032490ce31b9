import { gunzipSync } from "node:zlib";
import { renderToString } from "react-dom/server";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ComuniOptionsContext, ComunePicker } from "~/components/comune-picker";
import { getPublicHomeData } from "~/models/figures.server";
import { comuniOptionsHtml } from "~/models/territory.server";
import { loader } from "~/routes/adesione.comuni[.]json";
import { getDb } from "~/utils/db.server";
import { submitRegistration } from "~/models/membership.server";
import { approveMembership } from "~/models/membership-review.server";
import { registrationSchema } from "~/validation/registration";
import { requestsForEmail } from "../../support/db-queries";
import { validRegistrationFields } from "../../support/factories";
import { APP_URL, routeArgs } from "../../support/requests";

// Issue 7: the scheda referente carries no list of comuni in its JavaScript. The no-JavaScript
// select gets its options as server-rendered HTML; the combobox loads /adesione/comuni.json.

const get = (headers: Record<string, string> = {}) => loader(routeArgs(new Request(`${APP_URL}/adesione/comuni.json`, { headers })));
type List = { provinces: { sigla: string; name: string; comuni: [string, string][] }[]; handover: string[] };

function register() {
  const fields = validRegistrationFields();
  const parsed = registrationSchema.parse({ ...fields, projects: [{ category: "ordinari", fundedPlaces: "10", projectCode: "", managingOrganization: "Coop", startDate: "2024-01-01", endDate: "2026-12-31" }] });
  const result = submitRegistration(getDb(), { registration: parsed, appUrl: APP_URL });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return fields;
}

describe("GET /adesione/comuni.json", () => {
  it("lists every comune by province, gzipped when accepted, and revalidates by ETag", async () => {
    const plain = await get();
    expect(plain.headers.get("Content-Type")).toContain("application/json");
    const list = (await plain.json()) as List;
    expect(list.provinces.map((p) => p.sigla)).toHaveLength(9);
    expect(list.provinces.flatMap((p) => p.comuni)).toHaveLength(391);
    expect(list.provinces.find((p) => p.sigla === "PA")!.comuni).toContainEqual(["082027", "Cefalù"]);

    const zipped = await get({ "Accept-Encoding": "gzip, deflate, br" });
    expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
    expect(JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString("utf8"))).toEqual(list);

    const etag = zipped.headers.get("ETag")!;
    expect((await get({ "If-None-Match": etag })).status).toBe(304);
  });

  it("names the comuni with an active referente as soon as a membership is approved", async () => {
    const fields = register();
    const before = (await (await get()).json()) as List;
    expect(before.handover).not.toContain(fields.municipalityCode);
    const [{ request }] = requestsForEmail(fields.email);
    getDb().$client.prepare("UPDATE membership_requests SET status = 'pending' WHERE id = ?").run(request.id);
    const approved = approveMembership(getDb(), { id: request.id, coordinatorId: 1, appUrl: APP_URL });
    expect(approved.ok).toBe(true);
    const after = (await (await get()).json()) as List;
    expect(after.handover).toContain(fields.municipalityCode);
  });
});

describe("the comune select without JavaScript", () => {
  it("is rendered from the server's HTML of the options, the chosen comune selected", () => {
    const html = comuniOptionsHtml(getDb(), { selected: "082027" });
    expect(html.match(/<option value="\d{6}"/g)).toHaveLength(391);
    expect(html).toContain('<option value="082027" selected="">Cefalù</option>');
    expect(html).toContain("<option value=\"083084\">Sant&#x27;Agata di Militello</option>");
    expect(comuniOptionsHtml(getDb(), { selected: '"><script>' })).not.toContain("<script>");

    const picker = (value: string) =>
      renderToString(
        createElement(
          ComuniOptionsContext.Provider,
          { value: (selected: string) => comuniOptionsHtml(getDb(), { selected }) },
          createElement(ComunePicker, { name: "municipalityCode", label: "Comune", hint: "Scegli", provinces: null, value, onChange: () => {}, onBlur: () => {} }),
        ),
      );
    const rendered = picker("087033");
    expect(rendered).toMatch(/<select id="municipalityCode" name="municipalityCode"[^>]*>/);
    expect(rendered).toContain('<option value="087033" selected="">Paternò</option>');
    expect(rendered.match(/<option value="\d{6}"/g)).toHaveLength(391);
  });
});

describe("the figures of the home page", () => {
  it("are kept in memory and computed again after any committed change", () => {
    const db = getDb();
    const first = getPublicHomeData(db);
    expect(getPublicHomeData(db)).toBe(first);
    const fields = register();
    const [{ request }] = requestsForEmail(fields.email);
    db.$client.prepare("UPDATE membership_requests SET status = 'pending' WHERE id = ?").run(request.id);
    approveMembership(db, { id: request.id, coordinatorId: 1, appUrl: APP_URL });
    const after = getPublicHomeData(db);
    expect(after).not.toBe(first);
    expect(after.figures.approvedBodies).toBe(first.figures.approvedBodies + 1);
    expect(after.figures.projects).toBe(first.figures.projects + 1);
  });
});
