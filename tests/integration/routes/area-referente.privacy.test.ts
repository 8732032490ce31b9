import fs from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { auditLog, coordinators, outbox, referents, sessions } from "#db/schema";
import * as erasuresPage from "~/routes/admin.cancellazioni";
import * as postaDetail from "~/routes/admin.posta.$id";
import * as postaEml from "~/routes/admin.posta.$id_.eml";
import * as privacyPage from "~/routes/area-referente.privacy";
import * as dataPage from "~/routes/area-referente.privacy_.dati";
import * as dataJson from "~/routes/area-referente.privacy_.dati[.]json";
import { exportReferentData } from "~/models/privacy-export.server";
import { IMPORT_PRIVACY_NOTICE_VERSION } from "~/models/member-import.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { findPersonalData, needlesOf, onlyTheNoticeTo, referentCookie, registerPerson, uniquePerson } from "../../support/privacy";
import { expectPortalErrorPage, expectPortalNotFoundPage } from "../../support/not-found-page";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { italianIsoDay } from "~/utils/dates";

// The export as it is, but able to find nothing once: the referente erased between the session check and the export.
vi.mock("~/models/privacy-export.server", async (actual) => {
  const module = await actual<typeof import("~/models/privacy-export.server")>();
  return { ...module, exportReferentData: vi.fn(module.exportReferentData) };
});

const db = () => getDb();
const adminId = () => db().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;
const referentRow = (id: number) => db().select().from(referents).where(eq(referents.id, id)).get()!;

const get = (path: string, cookie?: string) => new Request(`${APP_URL}${path}`, cookie ? { headers: { Cookie: cookie } } : undefined);

/** A form POST from the referent area: CSRF cookie and token plus the referent session cookie. */
async function referentPost(path: string, fields: Record<string, string>, cookie: string | null) {
  const request = await browserPost(path, fields);
  const headers = new Headers(request.headers);
  if (cookie) headers.set("Cookie", `${headers.get("Cookie")}; ${cookie}`);
  return new Request(request.url, { method: "POST", body: await request.text(), headers });
}

async function twoEnti() {
  const person = uniquePerson();
  const other = uniquePerson();
  const mine = await registerPerson(person);
  const theirs = await registerPerson(other);
  return { person, other, mine, theirs, cookie: (await referentCookie(mine.referentId)).cookie };
}

const auditCount = () => db().select({ n: sql<number>`count(*)` }).from(auditLog).get()!.n;

describe("/area-referente/privacy and the data download", () => {
  it("sends anonymous visitors (and a forged or revoked session) to the sign-in page, for every page and action", async () => {
    const { mine } = await twoEnti();
    for (const [route, path] of [
      [privacyPage, "/area-referente/privacy"],
      [dataPage, "/area-referente/privacy/dati"],
      [dataJson, "/area-referente/privacy/dati.json"],
    ] as const) {
      for (const cookie of [undefined, "sai_ref_session=forged"]) {
        const response = await settle(() => route.loader(routeArgs(get(path, cookie))));
        expect(response.status).toBe(302);
        expect(response.headers.get("Location")).toBe(`/area-referente/accedi?redirectTo=${encodeURIComponent(path)}`);
      }
    }
    const before = auditCount();
    const post = await settle(async () => privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "erasure", confirmErasure: "on" }, null))));
    expect(post.status).toBe(302);
    expect(auditCount()).toBe(before);

    const { sessionId, cookie } = await referentCookie(mine.referentId);
    db().update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, sessionId)).run();
    expect((await settle(() => dataJson.loader(routeArgs(get("/area-referente/privacy/dati.json", cookie))))).status).toBe(302);
  });

  it("downloads the signed-in referente's own data as a JSON attachment, whatever the URL asks for (no IDOR)", async () => {
    const { person, other, mine, theirs, cookie } = await twoEnti();
    for (const path of ["/area-referente/privacy/dati.json", `/area-referente/privacy/dati.json?referentId=${theirs.referentId}&id=${theirs.referentId}`]) {
      const response = await settle(() => dataJson.loader(routeArgs(get(path, cookie), { id: String(theirs.referentId) })));
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      // Named with the day in Italy (not in UTC, a day behind between midnight and 1 or 2 in the morning).
      expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="i-miei-dati-${italianIsoDay(new Date())}.json"`);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      const text = await response.text();
      const data = JSON.parse(text);
      expect(data.referents.map((r: { id: number }) => r.id)).toEqual([mine.referentId]);
      expect(data.referents[0]).toMatchObject({ firstName: person.firstName, lastName: person.lastName, email: person.email });
      expect(data.memberBodies.map((b: { id: number }) => b.id)).toEqual([mine.memberBodyId]);
      for (const foreign of needlesOf(other)) expect(text.toLowerCase()).not.toContain(foreign.toLowerCase());
    }
    // And the other referente sees only theirs.
    const theirCookie = (await referentCookie(theirs.referentId)).cookie;
    const theirText = await (await settle(() => dataJson.loader(routeArgs(get("/area-referente/privacy/dati.json", theirCookie))))).text();
    expect(JSON.parse(theirText).referents[0].email).toBe(other.email);
    for (const foreign of needlesOf(person)) expect(theirText.toLowerCase()).not.toContain(foreign.toLowerCase());
  });

  it("answers with the portal's 404 page, and the way back to the privacy page, when there is no data left to download", async () => {
    const { cookie } = await twoEnti();
    vi.mocked(exportReferentData).mockReturnValueOnce(null);
    const response = await settle(() => dataJson.loader(routeArgs(get("/area-referente/privacy/dati.json", cookie))));
    await expectPortalNotFoundPage(response, { title: "Dati non trovati", back: "/area-referente/privacy" });
  });

  it("shows the same data as a readable page with one h1 'I miei dati', and only the referente's own", async () => {
    const { person, other, cookie, mine } = await twoEnti();
    const page = await renderRoute(dataPage, get("/area-referente/privacy/dati", cookie));
    expect(page.status).toBe(200);
    expect(page.html.match(/<h1/g)).toHaveLength(1);
    expect(page.html).toContain("<h1>I miei dati</h1>");
    for (const shown of [person.firstName, person.lastName, person.email, mine.fields.fiscalCode, "Cooperativa Sociale Esempio", "Approvata", "Ha approvato l&#x27;adesione"]) {
      expect(page.html).toContain(shown);
    }
    for (const foreign of needlesOf(other)) expect(page.html.toLowerCase()).not.toContain(foreign.toLowerCase());
    expect(page.html).toContain('href="/area-referente/privacy/dati.json"');
  });

  it("tells the consent as given on the portal, and an imported scheda's as not collected by it", async () => {
    const { cookie, person } = await twoEnti();
    const consentRow = (html: string) => /<dt>Consenso all&#x27;informativa privacy:<\/dt>\s*<dd[^>]*>([^<]*)<\/dd>/.exec(html)?.[1];
    const given = await renderRoute(dataPage, get("/area-referente/privacy/dati", cookie));
    expect(consentRow(given.html)).toMatch(/^Versione 2026-11-26, reso il \d+ \S+ \d{4} alle \d{2}:\d{2}$/);
    getDb()
      .update(referents)
      .set({ privacyNoticeVersion: IMPORT_PRIVACY_NOTICE_VERSION, privacyConsentAt: new Date("2026-11-27T22:49:00Z") })
      .where(eq(referents.email, person.email))
      .run();
    const imported = await renderRoute(dataPage, get("/area-referente/privacy/dati", cookie));
    expect(consentRow(imported.html)).toBe("Scheda importata dai coordinatori il 27 novembre 2026 alle 23:49: il consenso non è stato raccolto dal portale");
    expect(imported.html).not.toContain("scheda-importata");
  });

  it("lists a project the scheda declared that the ente already had as not added, not as a closed project (decision 021)", async () => {
    const ente = await registerPerson(uniquePerson());
    // A change of referente whose scheda declares the ente's project as it is.
    const successor = await registerPerson(uniquePerson(), { overrides: { municipalityCode: ente.fields.municipalityCode, fiscalCode: ente.fields.fiscalCode } });
    const { html } = await renderRoute(dataPage, get("/area-referente/privacy/dati", (await referentCookie(successor.referentId)).cookie));
    expect(html).toContain("<td>Non aggiunto: già registrato per l&#x27;ente</td>");
  });

  it("words the scheda and the log as the rest of the portal does: labels, province names, phones as dialled, no field codes", async () => {
    const { person, cookie } = await twoEnti();
    const { html } = await renderRoute(dataPage, get("/area-referente/privacy/dati", cookie));
    const rows = Object.fromEntries([...html.matchAll(/<th scope="row" class="w-25">([^<]*)<\/th><td class="text-break">([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]));
    expect(rows["Tipo di ente"]).toBe("Comune");
    expect(rows["Ruolo"]).toBe("Dirigente");
    expect(rows["Provincia"]).toBe("Palermo");
    // Yes and no said in words, without a double negative («Nessun progetto attivo: no»).
    expect(rows["Progetti SAI attivi"]).toBe("Sì, indicati nella scheda");
    expect(rows["Informativa letta"]).toBe("Sì");
    expect(html).toContain("<dt>Comunicazioni del Coordinamento:</dt><dd class=\"mb-1\">Le ricevi</dd>");
    // As typed ("091 6…"), not the stored E.164 form ("+39916…").
    expect(rows["Telefono"]?.replace(/\s/g, "")).toBe(person.phone.replace(/\s/g, ""));
    expect(rows["Telefono"]).not.toMatch(/^\+39/);
    // Nowhere on the page in its stored form (the referente's own block included).
    expect(html).not.toMatch(/\+39\d{6,}/);
    for (const code of ["provinceCode", "bodyKind", "method:", "tipo: new", "area: referente"]) expect(html).not.toContain(code);
    // Records by name, not by database id ("ente: n. 7").
    expect(html).not.toMatch(/: n\. \d+/);
    expect(html).toContain(`referente: ${person.firstName} ${person.lastName} (referente)`);
  });

  it("the privacy page offers the download, the communications choice and the erasure request, with their explanation", async () => {
    const { person, cookie } = await twoEnti();
    const page = await renderRoute(privacyPage, get("/area-referente/privacy", cookie));
    expect(page.status).toBe(200);
    expect(page.html.match(/<h1/g)).toHaveLength(1);
    expect(page.html).toContain("Privacy e dati personali");
    expect(page.html).toContain(`${person.firstName} ${person.lastName}`);
    expect(page.html).toMatch(/<label[^>]*>Voglio ricevere le comunicazioni del Coordinamento<\/label>/);
    expect(page.html).toMatch(/<input[^>]*name="receivesCommunications"[^>]*checked=""/);
    expect(page.html).toContain("Chiedi la cancellazione");
    expect(page.html).toContain("il tuo incarico di referente termina");
    expect(page.html).toContain('name="csrf"');
  });

  it("records the communications preference for the signed-in referente and audits it; CSRF is required", async () => {
    const { mine, theirs, cookie } = await twoEnti();
    const post = async (fields: Record<string, string>) =>
      settle(async () => privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "communications", ...fields }, cookie))));

    const off = await post({ referentId: String(theirs.referentId) });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { message: string }).message).toContain("non riceverai più le comunicazioni");
    expect(referentRow(mine.referentId).receivesCommunications).toBe(false);
    expect(referentRow(theirs.referentId).receivesCommunications).toBe(true);
    const page = await renderRoute(privacyPage, get("/area-referente/privacy", cookie));
    expect(page.html).not.toMatch(/<input[^>]*name="receivesCommunications"[^>]*checked=""/);

    expect((await post({ receivesCommunications: "on" })).status).toBe(200);
    expect(referentRow(mine.referentId).receivesCommunications).toBe(true);
    const audit = db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, "referent"), eq(auditLog.entityId, String(mine.referentId))))
      .all()
      .filter((a) => a.action.startsWith("referent."));
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ["referent.unsubscribed", "referent", mine.referentId],
      ["referent.communications_resumed", "referent", mine.referentId],
    ]);

    const forged = new Request(`${APP_URL}/area-referente/privacy`, {
      method: "POST",
      body: new URLSearchParams({ intent: "communications" }),
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect((await settle(() => privacyPage.action(routeArgs(forged)))).status).toBe(403);
    expect(referentRow(mine.referentId).receivesCommunications).toBe(true);
  });

  it("asks for the erasure only with the confirmation ticked, once, tells the coordinators and acknowledges it to the referente", async () => {
    const { person, mine, cookie } = await twoEnti();
    const post = async (fields: Record<string, string>) =>
      settle(async () => privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "erasure", ...fields }, cookie))));
    const requests = () =>
      db().select().from(auditLog).where(and(eq(auditLog.action, "referent.erasure_requested"), eq(auditLog.entityId, String(mine.referentId)))).all();

    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: Record<string, string> }).errors).toEqual({
      confirmErasure: "Per inviare la richiesta conferma di aver letto che cosa comporta la cancellazione",
    });
    expect(requests()).toHaveLength(0);

    const done = await post({ confirmErasure: "on" });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { message: string }).message).toMatch(/^Richiesta di cancellazione inviata.*Ti abbiamo inviato una conferma per email\.$/);
    const again = await post({ confirmErasure: "on" });
    expect(((await again.json()) as { message: string }).message).toContain("era già stata registrata");
    expect(requests()).toHaveLength(1);
    const notices = db().select().from(outbox).where(eq(outbox.template, "erasure-requested")).all().filter((o) => o.props.referentId === mine.referentId);
    expect(notices.length).toBeGreaterThan(0);
    const acknowledgements = db().select().from(outbox).where(and(eq(outbox.recipient, person.email), eq(outbox.template, "erasure-request-received"))).all();
    expect(acknowledgements).toHaveLength(1);

    const page = await renderRoute(privacyPage, get("/area-referente/privacy", cookie));
    expect(page.html).toContain("Hai chiesto la cancellazione dei tuoi dati il");
  });

  it("lets the referente withdraw the request while it is pending", async () => {
    const { mine, cookie } = await twoEnti();
    const post = async (fields: Record<string, string>) =>
      settle(async () => privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", fields, cookie))));
    const pendingForAdmins = async () => {
      const listed = await settle(async () => erasuresPage.loader(routeArgs(await adminGet("/admin/cancellazioni", adminId()))));
      return ((await listed.json()) as { pending: { referentId: number }[] }).pending.some((p) => p.referentId === mine.referentId);
    };

    expect((await post({ intent: "erasure", confirmErasure: "on" })).status).toBe(200);
    expect(await pendingForAdmins()).toBe(true);
    const requested = await renderRoute(privacyPage, get("/area-referente/privacy", cookie));
    expect(requested.html).toMatch(/<button[^>]*name="intent"[^>]*value="withdraw-erasure"[^>]*>Ritira la richiesta di cancellazione<\/button>/);

    const withdrawn = await post({ intent: "withdraw-erasure" });
    expect(withdrawn.status).toBe(200);
    expect(((await withdrawn.json()) as { message: string }).message).toBe(
      "Hai ritirato la richiesta di cancellazione: i tuoi dati restano nel portale e i coordinatori non la eseguiranno.",
    );
    expect(await pendingForAdmins()).toBe(false);
    const audit = db().select().from(auditLog).where(and(eq(auditLog.action, "referent.erasure_withdrawn"), eq(auditLog.entityId, String(mine.referentId)))).all();
    expect(audit.map((a) => [a.actorType, a.actorId])).toEqual([["referent", mine.referentId]]);
    const after = await renderRoute(privacyPage, get("/area-referente/privacy", cookie));
    expect(after.html).not.toContain("Hai chiesto la cancellazione dei tuoi dati il");
    expect(after.html).not.toContain("Ritira la richiesta di cancellazione");
    expect(after.html).toContain("Chiedi la cancellazione");

    // Nothing left to withdraw: a clear message, nothing recorded.
    const again = await post({ intent: "withdraw-erasure" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { formError: string }).formError).toBe("Non c'è una richiesta di cancellazione in attesa da ritirare.");
    expect(db().select().from(auditLog).where(eq(auditLog.action, "referent.erasure_withdrawn")).all().filter((a) => a.actorId === mine.referentId)).toHaveLength(1);
  });
});

describe("/admin/cancellazioni", () => {
  async function pendingErasure() {
    const { person, mine, cookie } = await twoEnti();
    await settle(async () =>
      privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "erasure", confirmErasure: "on" }, cookie))),
    );
    return { person, mine, cookie };
  }
  const snapshot = (referentId: number) => ({ referent: referentRow(referentId), audit: auditCount() });

  it("is for admins only: anonymous visitors go to /login, other coordinators get 403, and nothing changes", async () => {
    const { mine } = await pendingErasure();
    const plain = createTestCoordinator();
    const before = snapshot(mine.referentId);
    const fields = { referentId: String(mine.referentId), confirm: "on" };

    const anonymousGet = await settle(async () => erasuresPage.loader(routeArgs(await adminGet("/admin/cancellazioni", null))));
    expect(anonymousGet.status).toBe(302);
    expect(anonymousGet.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent("/admin/cancellazioni")}`);
    const anonymousPost = await settle(async () => erasuresPage.action(routeArgs(await adminPost("/admin/cancellazioni", fields, null))));
    expect(anonymousPost.status).toBe(302);
    expect(anonymousPost.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);

    expect((await settle(async () => erasuresPage.loader(routeArgs(await adminGet("/admin/cancellazioni", plain.id))))).status).toBe(403);
    expect((await settle(async () => erasuresPage.action(routeArgs(await adminPost("/admin/cancellazioni", fields, plain.id))))).status).toBe(403);
    // Without the CSRF token even an admin is refused.
    const forged = new Request(`${APP_URL}/admin/cancellazioni`, { method: "POST", body: new URLSearchParams(fields), headers: (await adminGet("/", adminId())).headers });
    expect((await settle(() => erasuresPage.action(routeArgs(forged)))).status).toBe(403);

    expect(snapshot(mine.referentId)).toEqual(before);
  });

  it("lists the pending requests and executes one after the explicit confirmation", async () => {
    const { person, mine, cookie } = await pendingErasure();
    const listed = await settle(async () => erasuresPage.loader(routeArgs(await adminGet("/admin/cancellazioni", adminId()))));
    const { pending } = (await listed.json()) as { pending: { referentId: number; name: string; email: string; isActiveReferent: boolean }[] };
    expect(pending.find((p) => p.referentId === mine.referentId)).toMatchObject({
      name: `${person.firstName} ${person.lastName}`,
      email: person.email,
      isActiveReferent: true,
    });
    const page = await renderRoute(erasuresPage, await adminGet("/admin/cancellazioni", adminId()));
    expect(page.html.match(/<h1/g)).toHaveLength(1);
    expect(page.html).toContain("Esegui la cancellazione");
    expect(page.html).toContain(`Confermo la cancellazione definitiva dei dati di ${person.firstName} ${person.lastName}`);

    // Without SMTP_URL every email sent is also a file on the server (as the worker names it).
    const env = getEnv();
    const theirs = db().select().from(outbox).where(eq(outbox.recipient, person.email)).all();
    expect(theirs.length).toBeGreaterThan(0);
    fs.mkdirSync(env.mailDir, { recursive: true });
    const localCopy = path.join(env.mailDir, `20261126-${theirs[0].messageId.replace(/[^a-zA-Z0-9@.-]/g, "")}.eml`);
    fs.writeFileSync(localCopy, `To: ${person.email}\n\nGentile ${person.firstName}`);

    const before = snapshot(mine.referentId);
    const unconfirmed = await settle(async () =>
      erasuresPage.action(routeArgs(await adminPost("/admin/cancellazioni", { referentId: String(mine.referentId) }, adminId()))),
    );
    expect(unconfirmed.status).toBe(400);
    expect(((await unconfirmed.json()) as { errors: Record<string, string> }).errors).toEqual({ confirm: "Spunta la conferma prima di eseguire la cancellazione" });
    expect(snapshot(mine.referentId)).toEqual(before);

    const done = await settle(async () =>
      erasuresPage.action(routeArgs(await adminPost("/admin/cancellazioni", { referentId: String(mine.referentId), confirm: "on" }, adminId()))),
    );
    expect(done.status).toBe(200);
    expect(((await done.json()) as { message: string }).message).toContain("il suo incarico di referente è terminato");
    expect(findPersonalData(needlesOf(person))).toEqual(onlyTheNoticeTo(person.email));
    // Their emails: the log keeps that they went, with neither content nor the local copy.
    expect(env.SMTP_URL).toBeFalsy();
    expect(fs.existsSync(localCopy)).toBe(false);
    const id = String(theirs[0].id);
    const shown = await settle(async () => postaDetail.loader(routeArgs(await adminGet(`/admin/posta/${id}`, adminId()), { id })));
    const detail = (await shown.json()) as { erased: boolean; rendered: { subject: string; html: string; text: string }; localFileName: string | null };
    expect(detail).toMatchObject({ erased: true, rendered: { subject: "Messaggio a una persona i cui dati sono stati cancellati", html: "", text: "" }, localFileName: null });
    const eml = await settle(async () => postaEml.loader(routeArgs(await adminGet(`/admin/posta/${id}/eml`, adminId()), { id })));
    await expectPortalErrorPage(eml, { status: 410, title: "Messaggio cancellato", back: `/admin/posta/${id}` });
    const after = await settle(async () => erasuresPage.loader(routeArgs(await adminGet("/admin/cancellazioni", adminId()))));
    expect(((await after.json()) as { pending: { referentId: number }[] }).pending.some((p) => p.referentId === mine.referentId)).toBe(false);

    // The erased referente is signed out everywhere.
    const privacy = await settle(() => privacyPage.loader(routeArgs(get("/area-referente/privacy", cookie))));
    expect(privacy.status).toBe(302);

    const twice = await settle(async () =>
      erasuresPage.action(routeArgs(await adminPost("/admin/cancellazioni", { referentId: String(mine.referentId), confirm: "on" }, adminId()))),
    );
    expect(twice.status).toBe(409);
  });
});
