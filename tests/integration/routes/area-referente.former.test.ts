// A former referente (their term ended by a handover or a revocation, their data not erased) signs in
// to the referent area only to exercise their rights over their data: the privacy page (download,
// erasure request) and "Esci". Everything else in the area sends them to the privacy page and changes
// nothing. docs/decisions/014-former-referenti.md
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { memberBodies, outbox, referents, saiProjects } from "#db/schema";
import { revokeMembership } from "~/models/membership-review.server";
import { eraseReferent } from "~/models/privacy.server";
import { requestLoginCode, verifyLoginCode } from "~/models/referent-login.server";
import { action as signInLinkAction } from "~/routes/area-referente.accedi.link.$token";
import { loader as signInLoader } from "~/routes/area-referente.accedi._index";
import { action as signOutAction } from "~/routes/area-referente.esci";
import * as privacyPage from "~/routes/area-referente.privacy";
import * as dataPage from "~/routes/area-referente.privacy_.dati";
import * as dataJson from "~/routes/area-referente.privacy_.dati[.]json";
import { formatDateIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getReferent } from "~/utils/referent-auth.server";
import { createTestCoordinator, settle } from "../../support/admin";
import { uniqueEmail } from "../../support/factories";
import { registerPerson, uniquePerson, type Person } from "../../support/privacy";
import { askCode, freshIp, latestLoginEmail, referentGet, referentPost, sendCode } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { diffDumps, dumpDatabase, routeFiles, type RouteModule } from "../../support/robustness";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const db = () => getDb();
const referentRow = (id: number) => db().select().from(referents).where(eq(referents.id, id)).get()!;
const bodyName = (id: number) => db().select().from(memberBodies).where(eq(memberBodies.id, id)).get()!.name;

/** A referente replaced by a successor whose scheda a coordinator approved (a handover). */
async function replacedReferent(person: Person = uniquePerson()) {
  const mine = await registerPerson(person);
  const successor = await registerPerson(uniquePerson(), {
    overrides: { municipalityCode: mine.fields.municipalityCode, fiscalCode: mine.fields.fiscalCode },
  });
  expect(referentRow(mine.referentId).validTo).toBeInstanceOf(Date);
  return { person, mine, successor };
}

/** Signs in with the emailed code: the redirect and the session cookie. */
async function signIn(email: string) {
  expect((await askCode(email)).status).toBe(303);
  const response = await sendCode(email, latestLoginEmail(email)!.code);
  expect(response.status).toBe(302);
  return { location: response.headers.get("Location"), cookie: response.headers.get("Set-Cookie")!.split(";")[0] };
}

describe("a former referente", () => {
  it("signs in with the code or the link and lands on the privacy page, which says why it is all they see", async () => {
    const { person, mine } = await replacedReferent();
    const { location, cookie } = await signIn(person.email);
    expect(location).toBe("/area-referente/privacy");

    // The link in the email works too, and the sign-in page sends them back to the privacy page.
    await askCode(person.email);
    const token = latestLoginEmail(person.email)!.token;
    const viaLink = await settle(async () =>
      signInLinkAction({ request: await browserPost(`/area-referente/accedi/link/${token}`, {}), params: { token }, context: { cspNonce: "", clientIp: freshIp() } }),
    );
    expect(viaLink.status).toBe(302);
    expect(viaLink.headers.get("Location")).toBe("/area-referente/privacy");
    const signInPage = await settle(() => signInLoader(routeArgs(referentGet("/area-referente/accedi", cookie))));
    expect(signInPage.headers.get("Location")).toBe("/area-referente/privacy");
    // The public pages (reserved materials of the Tavoli) do not count them as a signed-in referente.
    expect(await getReferent(referentGet("/tavoli-tecnici", cookie))).toBeNull();

    const page = await renderRoute(privacyPage, referentGet("/area-referente/privacy", cookie));
    expect(page.status).toBe(200);
    const ended = formatDateIt(referentRow(mine.referentId).validTo!);
    expect(page.html).toContain(
      `Il tuo incarico di referente per il ${bodyName(mine.memberBodyId)} è terminato il ${ended}: da qui puoi scaricare i tuoi dati o chiederne la cancellazione.`,
    );
    // Only what they can use: the privacy tab, the download, the erasure request and "Esci".
    expect(page.html).toContain('href="/area-referente/privacy"');
    expect(page.html).not.toContain('href="/area-referente"');
    expect(page.html).not.toContain('href="/area-referente/tavoli"');
    expect(page.html).toContain('href="/area-referente/privacy/dati.json"');
    expect(page.html).toContain("Chiedi la cancellazione");
    expect(page.html).toContain("Esci");
    expect(page.html).not.toContain("Voglio ricevere le comunicazioni");
    expect(page.html).not.toContain("il tuo incarico di referente termina");

    // "Esci" ends their session as anyone's.
    const out = await settle(async () => signOutAction(routeArgs(await referentPost("/area-referente/esci", {}, cookie))));
    expect(out.headers.get("Location")).toBe("/area-referente/accedi?uscito=1");
    const gone = await settle(() => privacyPage.loader(routeArgs(referentGet("/area-referente/privacy", cookie))));
    expect(gone.headers.get("Location")).toBe("/area-referente/accedi?redirectTo=%2Farea-referente%2Fprivacy");
  });

  it("downloads their own data, as a file and as a page", async () => {
    const { person, mine } = await replacedReferent();
    const { cookie } = await signIn(person.email);
    const file = await settle(() => dataJson.loader(routeArgs(referentGet("/area-referente/privacy/dati.json", cookie))));
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Disposition")).toMatch(/^attachment;/);
    const data = (await file.json()) as { referents: { id: number; email: string; validTo: string | null }[] };
    expect(data.referents).toEqual([expect.objectContaining({ id: mine.referentId, email: person.email, validTo: expect.any(String) })]);
    const page = await renderRoute(dataPage, referentGet("/area-referente/privacy/dati", cookie));
    expect(page.status).toBe(200);
    expect(page.html).toContain(person.lastName);
  });

  it("signed out, opens their data's download: once signed in, the privacy page offers it; already signed in, without «Accesso effettuato»", async () => {
    const { person } = await replacedReferent();
    const DATA_FILE = "/area-referente/privacy/dati.json";
    const signedOut = await settle(() => dataJson.loader(routeArgs(referentGet(DATA_FILE, null))));
    expect(signedOut.headers.get("Location")).toBe(`/area-referente/accedi?redirectTo=${encodeURIComponent(DATA_FILE)}`);
    expect(requestLoginCode(db(), { email: person.email, appUrl: APP_URL, returnTo: DATA_FILE }).sent).toBe(true);
    const response = await sendCode(person.email, latestLoginEmail(person.email)!.code);
    expect(response.headers.get("Location")).toBe("/area-referente/privacy?esito=accesso&scarica=dati");
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0];
    const link = `<a href="${DATA_FILE}" download="">scarica i tuoi dati</a> (file JSON).`;
    const page = await renderRoute(privacyPage, referentGet(response.headers.get("Location")!, cookie));
    expect(page.status).toBe(200);
    expect(page.html).toContain(`autofocus="">Accesso effettuato. Ora puoi scaricare i tuoi dati: ${link}</div>`);

    const again = await settle(() => signInLoader(routeArgs(referentGet(`/area-referente/accedi?redirectTo=${encodeURIComponent(DATA_FILE)}`, cookie))));
    expect(again.headers.get("Location")).toBe("/area-referente/privacy?scarica=dati");
    const offered = await renderRoute(privacyPage, referentGet(again.headers.get("Location")!, cookie));
    expect(offered.html).toContain(`autofocus="">Ora puoi scaricare i tuoi dati: ${link}</div>`);
    expect(offered.html).not.toContain("Accesso effettuato");
  });

  it("is sent to the privacy page by every other page and action of the area, and nothing changes", async () => {
    const { person, mine, successor } = await replacedReferent();
    const { cookie } = await signIn(person.email);
    const projectId = db().select().from(saiProjects).where(eq(saiProjects.memberBodyId, mine.memberBodyId)).all()[0].id;
    const project = { category: "MSNA", fundedPlaces: "3", projectCode: "", managingOrganization: "Altro ente", startDate: "2024-01-01", endDate: "2027-01-01" };
    const contact = { firstName: "Mario", lastName: "Bianchi", role: "funzionario", office: "Ufficio nuovo", phone: "091 7777777", mobile: "" };
    // Every route of the area but those open to a former referente, with posts it would otherwise accept.
    const POSTS: Record<string, Record<string, string>[]> = {
      "area-referente._index": [{ intent: "withdraw-handover" }, { intent: "switch-body", referentId: String(successor.referentId) }],
      "area-referente.dati": [contact],
      "area-referente.email._index": [{ email: uniqueEmail("nuovo") }],
      "area-referente.progetti.$id": [project, { intent: "close" }],
      "area-referente.progetti.nuovo": [project],
      "area-referente.subentro": [{ ...contact, email: uniqueEmail("successore") }],
      "area-referente.tavoli": [{ invitationId: "1", risposta: "si" }],
    };
    const OPEN = ["accedi._index", "accedi.codice", "accedi.link.$token", "email.conferma.$token", "esci", "privacy", "privacy_.dati", "privacy_.dati[.]json"].map((id) => `area-referente.${id}`);
    const routes = routeFiles(import.meta.glob<RouteModule>("../../../app/routes/area-referente.*.{ts,tsx}", { eager: true })).filter((r) => !OPEN.includes(r.id));
    expect(routes.map((r) => r.id).sort()).toEqual(Object.keys(POSTS).sort());

    const before = dumpDatabase();
    for (const route of routes) {
      const params: Record<string, string> = route.params.includes("id") ? { id: String(projectId) } : {};
      const path = route.path.replace(":id", String(projectId));
      const answers = [];
      if (route.module.loader) answers.push([`GET ${path}`, await settle(() => route.module.loader!(routeArgs(referentGet(path, cookie), params)))] as const);
      for (const fields of route.module.action ? POSTS[route.id] : []) {
        const request = await referentPost(path, fields, cookie);
        answers.push([`POST ${path} ${JSON.stringify(fields)}`, await settle(() => route.module.action!(routeArgs(request, params)))] as const);
      }
      for (const [what, response] of answers) {
        expect(response.status, what).toBe(302);
        expect(response.headers.get("Location"), what).toBe("/area-referente/privacy");
      }
    }
    expect(diffDumps(before, dumpDatabase())).toEqual({});
  });

  it("cannot change the communications choice, meant for referenti in charge", async () => {
    const { person, mine } = await replacedReferent();
    const { cookie } = await signIn(person.email);
    const before = referentRow(mine.referentId).receivesCommunications;
    const response = await settle(async () =>
      privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "communications" }, cookie))),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("il tuo incarico è terminato");
    expect(referentRow(mine.referentId).receivesCommunications).toBe(before);
  });

  it("asks for the erasure; once an admin executes it they can no longer sign in", async () => {
    const person = uniquePerson();
    const mine = await registerPerson(person);
    expect(revokeMembership(db(), { appUrl: "http://portale.test", id: mine.requestId, coordinatorId: createTestCoordinator().id, reason: "Uscita dal Coordinamento" })).toEqual({ ok: true });
    const { location, cookie } = await signIn(person.email);
    expect(location).toBe("/area-referente/privacy");

    const asked = await settle(async () =>
      privacyPage.action(routeArgs(await referentPost("/area-referente/privacy", { intent: "erasure", confirmErasure: "on" }, cookie))),
    );
    expect(asked.status).toBe(200);
    expect(db().select().from(outbox).where(eq(outbox.recipient, person.email)).all().map((m) => m.template)).toContain("erasure-request-received");

    const admin = db().$client.prepare("SELECT id FROM coordinators WHERE role = 'admin' ORDER BY id LIMIT 1").get() as { id: number };
    expect(eraseReferent(db(), { referentId: mine.referentId, coordinatorId: admin.id, appUrl: APP_URL })).toMatchObject({ ok: true, endedTerms: 0 });
    expect(requestLoginCode(db(), { email: person.email, appUrl: APP_URL }).sent).toBe(false);
    const afterwards = await settle(() => privacyPage.loader(routeArgs(referentGet("/area-referente/privacy", cookie))));
    expect(afterwards.headers.get("Location")).toBe("/area-referente/accedi?redirectTo=%2Farea-referente%2Fprivacy");
  });
});

describe("a person with several referente rows", () => {
  it("still in charge of another ente keeps the full area (of that ente)", async () => {
    const person = uniquePerson();
    const { mine } = await replacedReferent(person);
    const other = await registerPerson(person);
    expect(referentRow(other.referentId).validTo).toBeNull();

    const { location, cookie } = await signIn(person.email);
    expect(location).toBe("/area-referente");
    await askCode(person.email);
    const signedIn = verifyLoginCode(db(), { email: person.email, code: latestLoginEmail(person.email)!.code });
    expect(signedIn).toMatchObject({ ok: true, access: { status: "active", referentId: other.referentId } });

    const page = await renderRoute(privacyPage, referentGet("/area-referente/privacy", cookie));
    expect(page.html).not.toContain("è terminato il");
    expect(page.html).toContain('href="/area-referente/tavoli"');
    expect(page.html).toContain("Voglio ricevere le comunicazioni");
    // The ended term is in their data all the same.
    const file = await settle(() => dataJson.loader(routeArgs(referentGet("/area-referente/privacy/dati.json", cookie))));
    const data = (await file.json()) as { referents: { id: number }[] };
    expect(data.referents.map((r) => r.id)).toEqual([mine.referentId, other.referentId]);
  });
});
