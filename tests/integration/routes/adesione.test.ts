import { and, eq, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { memberBodies, membershipRequests, outbox, referents, saiProjects } from "#db/schema";
import * as adesioneRoute from "~/routes/adesione._index";
import { action } from "~/routes/adesione._index";
import { loader as comuniLoader } from "~/routes/adesione.comuni[.]json";
import { getDb } from "~/utils/db.server";
import { countRows, outboxFor, requestsForEmail } from "../../support/db-queries";
import { validRegistrationFields } from "../../support/factories";
import { freeComune } from "../../support/invitations";
import { createReferent } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { formatDateTimeIt, formatTimeIt } from "~/utils/dates";
import { hashToken } from "~/utils/tokens.server";
import * as inviataRoute from "~/routes/adesione.inviata";
import * as confirmRoute from "~/routes/adesione.conferma.$token";

async function submit(fields: Record<string, string>, options?: { origin?: string }) {
  return submitRequest(await browserPost("/adesione", fields, options));
}

/** The scheda as a browser that lost its cookies sends it: the form's token, no CSRF cookie. */
async function submitWithoutCsrfCookie(fields: Record<string, string>) {
  const request = await browserPost("/adesione", fields);
  const headers = new Headers(request.headers);
  headers.delete("Cookie");
  return submitRequest(new Request(request.url, { method: "POST", body: await request.text(), headers }));
}

async function submitRequest(request: Request) {
  try {
    return await action(routeArgs(request));
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function errorsOf(response: Response) {
  expect(response.status).toBe(400);
  return ((await response.json()) as { errors: Record<string, string> }).errors;
}

describe("POST /adesione", () => {
  it("stores a valid scheda in one go and queues exactly one confirmation email", async () => {
    const fields = validRegistrationFields({ "projects.1.category": "MSNA", "projects.1.fundedPlaces": "12", "projects.1.managingOrganization": "Ente Due", "projects.1.startDate": "2025-01-01", "projects.1.endDate": "2027-06-30" });
    const before = countRows();
    const response = await submit(fields);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/adesione/inviata");

    const after = countRows();
    expect(after.bodies - before.bodies).toBe(1);
    expect(after.referents - before.referents).toBe(1);
    expect(after.requests - before.requests).toBe(1);
    expect(after.projects - before.projects).toBe(2);
    expect(after.outbox - before.outbox).toBe(1);

    const [{ request, referent }] = requestsForEmail(fields.email);
    expect(request.status).toBe("email_unverified");
    expect(request.kind).toBe("new");
    expect(referent.phone).toBe("+390911234567");
    expect(referent.privacyNoticeVersion).toBe("2026-11-26");
    expect(referent.privacyConsentAt).toBeInstanceOf(Date);
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!;
    expect(body.municipalityCode).toBe(fields.municipalityCode);
    expect(body.name).toMatch(/^Comune di /);
    const projects = getDb().select().from(saiProjects).where(eq(saiProjects.requestId, request.id)).all();
    expect(projects.map((p) => [p.category, p.fundedPlaces])).toEqual([["ordinari", 25], ["MSNA", 12]]);

    const [email] = outboxFor(fields.email);
    expect(email.template).toBe("confirm-registration");
    expect(email.status).toBe("queued");
    expect(String(email.props.confirmUrl)).toMatch(/^http:\/\/portale\.test\/adesione\/conferma\/[\w-]{40,}$/);
    // The link ends at a moment, not at the start of a day: the email says when ("… alle 14:05").
    expect(email.props.expiresOn).toBe(formatDateTimeIt(request.confirmationExpiresAt!));
    expect(String(email.props.expiresOn)).toMatch(/ alle \d{2}:\d{2}$/);
  });

  it.each([
    ["pec", { pec: "non-una-email" }, "PEC non valida"],
    ["fiscalCode", { fiscalCode: "12345678901" }, "Codice fiscale non valido"],
    ["fiscalCode", { fiscalCode: "1234" }, "11 cifre"],
    ["firstName", { firstName: "  " }, "Inserisci il nome"],
    ["lastName", { lastName: "" }, "Inserisci il cognome"],
    ["role", { role: "papa" }, "Scegli il ruolo"],
    ["office", { office: "" }, "ufficio o settore"],
    ["email", { email: "maria@" }, "Indirizzo email non valido"],
    ["phone", { phone: "12" }, "Numero di telefono non valido"],
    ["mobile", { mobile: "333" }, "Numero di cellulare non valido"],
    ["municipalityCode", { municipalityCode: "" }, "Scegli il Comune"],
    ["municipalityCode", { municipalityCode: "001001" }, "Comune non riconosciuto"],
    ["bodyName", { bodyKind: "unione_comuni", bodyName: "" }, "denominazione"],
    ["bodyKind", { bodyKind: "regione" }, "Scegli il tipo di ente"],
    ["projects.0.category", { "projects.0.category": "" }, "tipologia"],
    ["projects.0.fundedPlaces", { "projects.0.fundedPlaces": "0" }, "almeno 1"],
    ["projects.0.fundedPlaces", { "projects.0.fundedPlaces": "2.5" }, "numero intero"],
    ["projects.0.managingOrganization", { "projects.0.managingOrganization": "" }, "ente attuatore"],
    ["projects.0.startDate", { "projects.0.startDate": "ieri" }, "Data non valida"],
    ["projects.0.endDate", { "projects.0.endDate": "2023-12-31" }, "successiva alla data di inizio"],
    ["privacyConsent", { privacyConsent: "" }, "informativa"],
  ])("rejects a bad %s with an Italian message and stores nothing (%j)", async (field, overrides, message) => {
    const fields = validRegistrationFields(overrides as Record<string, string>);
    if (overrides && "privacyConsent" in overrides) delete fields.privacyConsent;
    const before = countRows();
    const errors = await errorsOf(await submit(fields));
    expect(errors[field]).toContain(message);
    expect(countRows()).toEqual(before);
  });

  it("reports every problem at once and keeps the input", async () => {
    const fields = validRegistrationFields({ pec: "x", phone: "1", municipalityCode: "", "projects.0.endDate": "2020-01-01" });
    const response = await submit(fields);
    const body = (await response.json()) as { errors: Record<string, string>; values: Record<string, unknown> };
    expect(Object.keys(body.errors).sort()).toEqual(["municipalityCode", "pec", "phone", "projects.0.endDate"]);
    expect(body.values.pec).toBe("x");
    expect((body.values.projects as Record<string, string>[])[0].endDate).toBe("2020-01-01");
  });

  it("takes project dates typed as gg/mm/aaaa, as a browser without a date picker sends them", async () => {
    const fields = validRegistrationFields({ "projects.0.startDate": "1/1/2024", "projects.0.endDate": "31/12/2027" });
    expect((await submit(fields)).status).toBe(302);
    const [{ request }] = requestsForEmail(fields.email);
    const project = getDb().select().from(saiProjects).where(eq(saiProjects.requestId, request.id)).get()!;
    expect([project.startDate, project.endDate]).toEqual(["2024-01-01", "2027-12-31"]);
    // The order of the dates is checked on the days, not on the text.
    const reversed = await submit(validRegistrationFields({ "projects.0.startDate": "31/12/2027", "projects.0.endDate": "01/01/2028" }));
    expect(reversed.status).toBe(302);
    const wrong = await submit(validRegistrationFields({ "projects.0.startDate": "02/01/2028", "projects.0.endDate": "01/01/2028" }));
    expect((await errorsOf(wrong))["projects.0.endDate"]).toBe("La data di fine deve essere successiva alla data di inizio");
    const impossible = await submit(validRegistrationFields({ "projects.0.startDate": "30/02/2026" }));
    expect((await errorsOf(impossible))["projects.0.startDate"]).toBe("Data non valida: usa il formato gg/mm/aaaa");
  });

  it("requires a project unless 'nessun progetto attivo' is ticked", async () => {
    const withoutProjects = Object.fromEntries(Object.entries(validRegistrationFields()).filter(([k]) => !k.startsWith("projects.")));
    expect((await errorsOf(await submit(withoutProjects))).projects).toContain("almeno un progetto");

    const none: Record<string, string> = { ...validRegistrationFields({ "projects.0.category": "" }), noActiveProjects: "on" };
    const response = await submit(none);
    expect(response.status).toBe(302);
    const [{ request }] = requestsForEmail(none.email);
    expect(request.noActiveProjects).toBe(true);
    expect(getDb().select().from(saiProjects).where(eq(saiProjects.requestId, request.id)).all()).toHaveLength(0);
  });

  it("registers a non-Comune ente by name, in the province of its seat", async () => {
    const unione = { bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni delle Madonie" };
    expect(await errorsOf(await submit(validRegistrationFields({ ...unione, provinceCode: "" })))).toEqual({ provinceCode: "Scegli la provincia in cui ha sede l'ente" });
    // A code that passes the form's check but is no province of the region.
    expect(await errorsOf(await submit(validRegistrationFields({ ...unione, provinceCode: "015" })))).toEqual({ provinceCode: "Provincia non riconosciuta: sceglila dall'elenco" });

    const fields = validRegistrationFields({ ...unione, provinceCode: "082" });
    expect((await submit(fields)).status).toBe(302);
    const [{ request }] = requestsForEmail(fields.email);
    const body = getDb().select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!;
    expect(body).toMatchObject({ kind: "unione_comuni", name: "Unione dei Comuni delle Madonie", municipalityCode: null, provinceCode: "082" });
  });

  it("gives a Comune the province of its comune, whatever the form says", async () => {
    const fields = validRegistrationFields({ municipalityCode: "089017", provinceCode: "082" });
    expect((await submit(fields)).status).toBe(302);
    const [{ request }] = requestsForEmail(fields.email);
    expect(getDb().select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!.provinceCode).toBe("089");
  });

  it("re-sends the link instead of duplicating when the same ente and email submit again", async () => {
    const fields = validRegistrationFields();
    await submit(fields);
    const before = countRows();
    const again = await submit({ ...fields, office: "Ufficio Immigrazione" });
    expect(again.status).toBe(302);
    const after = countRows();
    expect(after.requests).toBe(before.requests);
    expect(after.referents).toBe(before.referents);
    expect(after.bodies).toBe(before.bodies);
    expect(after.projects).toBe(before.projects);
    const emails = outboxFor(fields.email);
    expect(emails).toHaveLength(2);
    expect(emails[0].props.confirmUrl).not.toBe(emails[1].props.confirmUrl);
    expect(requestsForEmail(fields.email)[0].referent.office).toBe("Ufficio Immigrazione");
  });

  it("keeps the link just sent when the same scheda is sent again moments after (double click, Back and «Invia»); later, sends a new one", async () => {
    const fields = validRegistrationFields();
    await submit(fields);
    const [first] = outboxFor(fields.email);
    const token = String(first.props.confirmUrl).split("/").pop()!;
    const tokenHash = () => requestsForEmail(fields.email)[0].request.confirmationTokenHash;
    expect(tokenHash()).toBe(hashToken(token));

    const before = countRows();
    const again = await submit(fields);
    expect(again.status).toBe(302);
    expect(countRows()).toEqual(before);
    // No second email: the link of the first still confirms.
    expect(outboxFor(fields.email)).toHaveLength(1);
    expect(tokenHash()).toBe(hashToken(token));
    const sentPage = (response: Response) =>
      renderRoute(inviataRoute, new Request(`${APP_URL}/adesione/inviata`, { headers: { Cookie: response.headers.get("Set-Cookie")!.split(";")[0] } }));
    // Within a minute it is a second tap: the person sees what sending the scheda brings.
    const secondTap = await sentPage(again);
    expect(secondTap.html).toContain("La scheda referente è stata ricevuta.");
    expect(secondTap.html).not.toContain("Avevamo già ricevuto");
    // Later (Back and «Invia»), the page says the scheda was already there and its link still works.
    const twoMinutesAgo = new Date(Date.now() - 2 * 60 * 1000);
    getDb().update(outbox).set({ createdAt: twoMinutesAgo }).where(eq(outbox.id, first.id)).run();
    const later = await submit(fields);
    expect(outboxFor(fields.email)).toHaveLength(1);
    expect((await sentPage(later)).html).toContain(
      `Avevamo già ricevuto questa scheda, identica: il collegamento di conferma che ti abbiamo inviato alle ${formatTimeIt(twoMinutesAgo)} resta valido, non ne serve un altro.`,
    );

    // A quarter of an hour later the person may not have received it: a new link, the old one void.
    getDb().update(outbox).set({ createdAt: new Date(Date.now() - 16 * 60 * 1000) }).where(eq(outbox.id, first.id)).run();
    await submit(fields);
    const emails = outboxFor(fields.email);
    expect(emails).toHaveLength(2);
    expect(tokenHash()).toBe(hashToken(String(emails[1].props.confirmUrl).split("/").pop()!));
    // The first email's link, opened now, says which link counts.
    const void_ = await renderRoute(confirmRoute, new Request(`${APP_URL}/adesione/conferma/${token}`), "/adesione/conferma/:token");
    expect(void_.html).toContain("Se hai inviato la scheda più di una volta, vale solo il collegamento dell&#x27;ultima email ricevuta.");
  });

  it("says nothing was received when its page is opened without sending a scheda", async () => {
    const page = await renderRoute(inviataRoute, new Request(`${APP_URL}/adesione/inviata`));
    expect(page.html).not.toContain("è stata ricevuta");
    expect(page.html).not.toContain('role="status"');
  });

  it("refuses a codice fiscale that belongs to another ente", async () => {
    // A comune not yet recorded: its new ente takes the scheda's codice fiscale at once.
    const first = validRegistrationFields({ municipalityCode: freeComune("083") });
    await submit(first);
    // Another comune not yet recorded: one recorded with a code of its own would be «un altro ente».
    const other = validRegistrationFields({ municipalityCode: freeComune("083"), fiscalCode: first.fiscalCode });
    const before = countRows();
    expect((await errorsOf(await submit(other))).fiscalCode).toContain("già registrato");
    expect(countRows()).toEqual(before);
  });

  it("refuses for another kind of ente the codice fiscale of a Comune already recorded, rather than filing it under that Comune", async () => {
    const comune = validRegistrationFields({ municipalityCode: freeComune("082") });
    await submit(comune);
    const [{ request }] = requestsForEmail(comune.email);
    const comuneName = getDb().select().from(memberBodies).where(eq(memberBodies.id, request.memberBodyId)).get()!.name;
    const unione = validRegistrationFields({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione dei Comuni Iblei", provinceCode: "082", fiscalCode: comune.fiscalCode });
    const before = countRows();
    expect((await errorsOf(await submit(unione))).fiscalCode).toBe(`Questo codice fiscale è registrato per il ${comuneName}: controlla il tipo di ente o il codice fiscale`);
    expect(countRows()).toEqual(before);
    expect(requestsForEmail(unione.email)).toHaveLength(0);
  });

  it("records a request for an ente with an active referente as a handover", async () => {
    const first = validRegistrationFields();
    await submit(first);
    const [{ request, referent }] = requestsForEmail(first.email);
    // A coordinator approved the first referente (the dashboard does this in a later issue).
    const db = getDb();
    db.update(membershipRequests).set({ status: "approved" }).where(eq(membershipRequests.id, request.id)).run();
    db.update(referents).set({ validFrom: new Date() }).where(eq(referents.id, referent.id)).run();
    db.update(memberBodies).set({ status: "member" }).where(eq(memberBodies.id, request.memberBodyId)).run();

    // The comune combobox learns which comuni have an active referente from /adesione/comuni.json.
    const list = (await comuniLoader(routeArgs(new Request("http://portale.test/adesione/comuni.json"))).json()) as { handover: string[] };
    expect(list.handover).toContain(first.municipalityCode);

    const successor = validRegistrationFields({ municipalityCode: first.municipalityCode, fiscalCode: first.fiscalCode, firstName: "Giuseppe" });
    const response = await submit(successor);
    expect(response.status).toBe(302);
    const [handover] = requestsForEmail(successor.email);
    expect(handover.request.kind).toBe("handover");
    expect(handover.request.memberBodyId).toBe(request.memberBodyId);
    expect(outboxFor(successor.email)[0].props.isHandover).toBe(true);
    const active = db.select().from(referents).where(and(eq(referents.memberBodyId, request.memberBodyId), isNotNull(referents.validFrom))).all();
    expect(active.map((r) => r.email)).toEqual([first.email]);
  });

  it("sends the referente in office who fills in the scheda again to the referent area, storing nothing", async () => {
    const sitting = await createReferent("active");
    const before = countRows();
    const again = { ...sitting.fields, firstName: "Luca", phone: "091 1234567" };
    const response = await submit(again);
    expect(response.status).toBe(409);
    const body = (await response.json()) as { formError: string; formErrorLink: { href: string; text: string }; values: { firstName: string } };
    expect(body.formError).toMatch(/^Questo indirizzo email è già quello del referente in carica per il Comune di .+: non serve inviare una nuova scheda\./);
    expect(body.formErrorLink).toEqual({ href: "/area-referente/accedi", text: "Accedi all'area referente" });
    // What was typed comes back.
    expect(body.values.firstName).toBe("Luca");
    expect(countRows()).toEqual(before);
    // The page shows the way, in its error summary.
    const page = await renderRoute(adesioneRoute, await browserPost("/adesione", again));
    expect(page.html).toContain('<a href="/area-referente/accedi">Accedi all&#x27;area referente</a>');
  });

  it("adds and removes project blocks without JavaScript, keeping the input and storing nothing", async () => {
    const fields = validRegistrationFields({ pec: "tenuta@pec.it", intent: "add-project" });
    const before = countRows();
    const added = await submit(fields);
    expect(added.status).toBe(200);
    const addedBody = (await added.json()) as { values: { pec: string; projects: unknown[] }; focusField: string; projectsNotice: string };
    expect(addedBody.values.pec).toBe("tenuta@pec.it");
    expect(addedBody.values.projects).toHaveLength(2);
    expect(addedBody.focusField).toBe("projects.1.category");
    expect(addedBody.projectsNotice).toBe("Progetto 2 aggiunto");

    const removed = await submit({ ...fields, intent: "remove-project:0" });
    const removedBody = (await removed.json()) as { values: { projects: unknown[] }; projectsNotice: string };
    expect(removedBody.values.projects).toHaveLength(0);
    expect(removedBody.projectsNotice).toBe("Progetto 1 rimosso");
    // A project that is not there is not said to be removed.
    const none = (await (await submit({ ...fields, intent: "remove-project:7" })).json()) as { projectsNotice?: string };
    expect(none.projectsNotice).toBeUndefined();
    expect(countRows()).toEqual(before);
  });

  it("refuses a POST from a foreign origin or without the CSRF token", async () => {
    const before = countRows();
    const foreign = await submit(validRegistrationFields(), { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);

    const request = await browserPost("/adesione", validRegistrationFields());
    const body = new URLSearchParams(await request.text());
    body.delete("csrf");
    const noToken = await action(routeArgs(new Request(request.url, { method: "POST", body, headers: request.headers }))).catch((r) => r as Response);
    expect(noToken.status).toBe(403);
    expect(countRows()).toEqual(before);
  });

  it("gives a scheda posted without its CSRF cookie back as typed, with the reason, and stores nothing", async () => {
    const before = countRows();
    const fields = validRegistrationFields();
    const response = await submitWithoutCsrfCookie(fields);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { values: Record<string, unknown>; formError: string };
    expect(body.formError).toMatch(/^Per sicurezza la scheda non è stata inviata perché la pagina era scaduta/);
    expect(body.values).toMatchObject({ pec: fields.pec, email: fields.email, firstName: fields.firstName, privacyConsent: true });
    expect(body.values.projects).toEqual([expect.objectContaining({ managingOrganization: fields["projects.0.managingOrganization"] })]);
    expect(countRows()).toEqual(before);
  });

  it("says what is still missing in a scheda posted without its CSRF cookie, with the reason", async () => {
    const fields = validRegistrationFields({ phone: "", office: "" });
    const response = await submitWithoutCsrfCookie(fields);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { errors: Record<string, string>; formError: string };
    expect(body.formError).toMatch(/la pagina era scaduta/);
    expect(Object.keys(body.errors).sort()).toEqual(["office", "phone"]);
  });

  it("without JavaScript, lists the errors in the order of the form, the missing projects after the referente's fields", async () => {
    const fields = Object.fromEntries(Object.entries(validRegistrationFields({ pec: "x", phone: "" })).filter(([key]) => !key.startsWith("projects.")));
    const { status, html } = await renderRoute(adesioneRoute, await browserPost("/adesione", fields));
    expect(status).toBe(400);
    const summary = html.slice(html.indexOf("La scheda contiene"));
    const hrefs = [...summary.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]).slice(0, 3);
    expect(hrefs).toEqual(["pec", "phone", "projects"]);
  });

  it("without JavaScript the Comune is a select, and its hint says to choose it from the list, not to type it", async () => {
    const { status, html } = await renderRoute(adesioneRoute, new Request("http://portale.test/adesione"));
    expect(status).toBe(200);
    expect(html).toMatch(/<select[^>]* id="municipalityCode"[^>]*aria-describedby="municipalityCode-hint"/);
    const hint = /<small id="municipalityCode-hint"[^>]*>([^<]*)<\/small>/.exec(html)?.[1].replace(/&#x27;/g, "'");
    expect(hint).toBe("Scegli il Comune dall'elenco, diviso per provincia (solo per i Comuni).");
  });

  it("refuses a filled honeypot", async () => {
    const before = countRows();
    const response = await submit({ ...validRegistrationFields(), sito_web: "http://spam.example" });
    expect(response.status).toBe(400);
    expect(countRows()).toEqual(before);
  });

  it("limits the schede sent per IP address, gives the refused one back as typed, and does not count corrections", async () => {
    const context = { cspNonce: "", clientIp: "10.99.99.99" };
    const post = async (fields: Record<string, string>) => action({ request: await browserPost("/adesione", fields), params: {}, context }).catch((r) => r as Response);
    // Schede with errors store nothing and send nothing: they do not use up the hour.
    for (let i = 0; i < 25; i++) expect((await post(validRegistrationFields({ pec: "x" }))).status).toBe(400);
    for (let i = 0; i < 20; i++) expect((await post(validRegistrationFields())).status).toBe(302);
    const before = countRows();
    const fields = validRegistrationFields({ firstName: "Nicolò" });
    const refused = await post(fields);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = await refused.json();
    expect(body.formError).toMatch(/^Dalla tua rete sono state inviate molte schede in poco tempo: per sicurezza questa non è stata inviata\. Riprova tra \d+ minut[oi]: i dati che hai scritto sono ancora qui sotto\.$/);
    expect(body.values).toMatchObject({ firstName: "Nicolò", email: fields.email, pec: fields.pec });
    expect(countRows()).toEqual(before);
  });

  it("does not count against the hour the schede refused for data already registered, which store and send nothing", async () => {
    const context = { cspNonce: "", clientIp: "10.99.99.98" };
    const post = async (fields: Record<string, string>) => action({ request: await browserPost("/adesione", fields), params: {}, context }).catch((r) => r as Response);
    const first = validRegistrationFields({ municipalityCode: freeComune("082") });
    expect((await post(first)).status).toBe(302);
    // An office retyping a codice fiscale another Comune already has is told so each time.
    const otherComune = freeComune("082");
    for (let i = 0; i < 25; i++) {
      const refused = await post(validRegistrationFields({ municipalityCode: otherComune, fiscalCode: first.fiscalCode }));
      expect(refused.status).toBe(400);
      expect((await refused.json()).errors.fiscalCode).toMatch(/^Questo codice fiscale è già registrato/);
    }
    for (let i = 0; i < 19; i++) expect((await post(validRegistrationFields())).status).toBe(302);
    expect((await post(validRegistrationFields())).status).toBe(429);
  });
});
