// Requests that must not work (issue 8, point 2), at the level of the route modules:
//
// 1. A crawl of every GET route (every route file with a loader, plus root) as anonymous, referente,
//    coordinator and admin, with real ids and tokens from a seeded dataset and with the query strings
//    that look like actions (?risposta=si on an invitation, a preview of the invitations…), leaves the
//    database byte-for-byte as it was. Decided exceptions, both by design:
//    - sessions.last_seen_at: the idle timeout needs it (SPEC §7), so it is left out of the comparison;
//    - audit rows of the downloads of personal data (membership.exported, round_table.invitations_exported):
//      who took a copy of the list must be on record. They are checked to be exactly those rows, nothing else.
//    (No sign-in happens during the crawl: sessions are made beforehand, so no login audit rows.)
// 2. Every POST (every route file with an action) without a valid CSRF token, with the token of
//    another browser, without the CSRF cookie, with a foreign or "null" Origin -> 403 and no change,
//    sent by the role that may otherwise use the form (so only the CSRF check stands in the way), with
//    fields that would otherwise be accepted. The one exception by design: /disiscrizione/:token
//    accepts the RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) that mail providers send
//    without any page of ours; the signed token in the URL is the authority there, and it only turns
//    off the comunicazioni of that one address.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as root from "~/root";
import { commitCsrfToken } from "~/utils/csrf.server";
import { getEnv } from "~/utils/env.server";
import { getHoneypotInputProps } from "~/utils/honeypot.server";
import { uniqueEmail, validRegistrationFields } from "../../support/factories";
import { APP_URL, routeArgs } from "../../support/requests";
import {
  diffDumps,
  dumpDatabase,
  fillPath,
  paramsFor,
  roleCookies,
  routeFiles,
  run,
  seedWorld,
  type RouteFile,
  type RouteModule,
  type World,
} from "../../support/robustness";
import { roundTableFields } from "../../support/round-tables";

const ROUTES = routeFiles(import.meta.glob<RouteModule>("../../../app/routes/*.{ts,tsx}", { eager: true }));
const ROLES = ["anonymous", "referente", "coordinator", "admin"] as const;

let world: World;
beforeAll(async () => {
  world = await seedWorld();
}, 60_000);

const importsDir = () => path.join(getEnv().dataDir, "imports");
const importFiles = () => (fs.existsSync(importsDir()) ? fs.readdirSync(importsDir()).sort() : []);

describe("the route files", () => {
  it("are all found, with paths as Remix builds them", () => {
    const byId = Object.fromEntries(ROUTES.map((r) => [r.id, r.path]));
    expect(ROUTES.length).toBeGreaterThan(50);
    expect(byId["admin.adesioni.$id_.modifica"]).toBe("/admin/adesioni/:id/modifica");
    expect(byId["admin.adesioni.$id_.progetti.$projectId"]).toBe("/admin/adesioni/:id/progetti/:projectId");
    expect(byId["admin.adesioni.export[.]csv"]).toBe("/admin/adesioni/export.csv");
    expect(byId["admin.tavoli.$id_.inviti_.export[.]csv"]).toBe("/admin/tavoli/:id/inviti/export.csv");
    expect(byId["tavoli-tecnici.$id_.evento[.]ics"]).toBe("/tavoli-tecnici/:id/evento.ics");
    expect(byId["area-referente.privacy_.dati[.]json"]).toBe("/area-referente/privacy/dati.json");
    expect(byId["adesione._index"]).toBe("/adesione");
    expect(byId._index).toBe("/");
  });
});

// ----------------------------------------------------------------------------------------------
describe("a crawl of every GET route changes nothing", () => {
  /** Query strings that look like actions: each must stay a GET that only shows. */
  const QUERIES: Record<string, string[]> = {
    "invito.$token": ["?risposta=si", "?risposta=no"],
    "admin.tavoli.$id_.inviti": ["?anteprima=1&destinatari=referenti&provincia=082&tipologia=ordinari", "?anteprima=1&destinatari=indirizzi&indirizzi=a%40example.org", "?risposta=si&pagina=2"],
    "admin.adesioni._index": ["?stato=pending&ordina=ente&verso=desc&pagina=2&q=%3Cscript%3E", "?approvate=3&non_approvate=1,2"],
    "admin.adesioni.$id": ["?esito=approvata"],
    "admin.posta._index": ["?stato=failed&riprovate=1", "?pagina=999999"],
    "admin.registro": ["?azione=membership.approve&q=x&pagina=3"],
    "admin.adesioni.export[.]csv": ["?stato=pending"],
    "admin.tavoli.nuovo": [`?da=1`],
    "admin.tavoli.$id_.materiali": ["?elimina=1", "?elimina=999999999", "?elimina=%3Cscript%3E"],
    "admin.importa.$id": ["?esito=errore&pagina=2"],
    "area-referente.accedi._index": ["?uscito=1"],
    "login": ["?redirectTo=%2Fadmin%2Fcoordinatori"],
  };

  it("as anonymous, referente, coordinator and admin: no route answers 5xx and the database is unchanged", async () => {
    const cookies = roleCookies(world);
    const before = dumpDatabase();
    const importsBefore = importFiles();
    const visited: string[] = [];
    const targets: { route: RouteFile | "root"; url: string; params: Record<string, string> }[] = [{ route: "root", url: "/", params: {} }];
    for (const route of ROUTES.filter((r) => r.module.loader)) {
      const params = paramsFor(route, world);
      const url = fillPath(route.path, params);
      for (const query of ["", ...(QUERIES[route.id] ?? [])]) targets.push({ route, url: `${url}${query}`, params });
    }
    for (const role of ROLES) {
      for (const { route, url, params } of targets) {
        const request = new Request(`${APP_URL}${url}`, { headers: cookies[role].length ? { Cookie: cookies[role].join("; ") } : {} });
        const loader = route === "root" ? root.loader : route.module.loader!;
        const response = await run(`GET ${url} as ${role}`, () => loader(routeArgs(request, params) as never));
        expect(response.status, `GET ${url} as ${role}`).toBeLessThan(500);
        visited.push(`${role} ${url} ${response.status}`);
      }
    }
    expect(visited.length).toBeGreaterThan(4 * 60);
    // The signed-in roles reached their pages (not only redirects to the sign-in pages).
    expect(visited).toContain(`admin /admin/coordinatori 200`);
    expect(visited).toContain(`coordinator /admin/coordinatori 403`);
    expect(visited).toContain(`referente /area-referente 200`);
    expect(visited).toContain(`coordinator /admin/adesioni/${world.pending.requestId} 200`);

    const changes = diffDumps(before, dumpDatabase());
    // The downloads of personal data are audited, by design: exactly one row per download, nothing else.
    const exports = changes.audit_log;
    if (exports) {
      expect(exports.removed).toEqual([]);
      const rows = exports.added.map((r) => JSON.parse(r) as { action: string; actor_id: number });
      const count = (action: string) => rows.filter((r) => r.action === action).length;
      // The member list: CSV with and without a filter, Excel; a Tavolo's invitees: CSV, Excel. By the coordinator and by the admin.
      expect(count("membership.exported")).toBe(2 * 3);
      expect(count("round_table.invitations_exported")).toBe(2 * 2);
      // A request's scheda as a PDF, an email as an .eml.
      expect(count("membership.scheda_downloaded")).toBe(2);
      expect(count("email.downloaded")).toBe(2);
      expect(rows).toHaveLength(2 * 7);
      delete changes.audit_log;
    }
    expect(changes, "rows written by GET requests").toEqual({});
    expect(importFiles()).toEqual(importsBefore);
  }, 60_000);
});

// ----------------------------------------------------------------------------------------------
type Post = { fields: [string, string][] | Record<string, string | undefined>; multipart?: { file: string; name: string; bytes: string } };
type Role = (typeof ROLES)[number];

/**
 * For every route with an action: who may post to it, and fields it would accept. The POST must be
 * refused by the CSRF check alone. A route with an action missing here fails the test below.
 */
const POSTS: Record<string, { role: Role; posts: (w: World) => Post[] }> = {
  "adesione._index": { role: "anonymous", posts: () => [{ fields: validRegistrationFields() }] },
  "adesione.conferma.$token": { role: "anonymous", posts: () => [{ fields: {} }] },
  "invito.$token": { role: "anonymous", posts: () => [{ fields: { risposta: "si" } }] },
  "subentro.$token": { role: "anonymous", posts: () => [{ fields: { privacyConsent: "on" } }] },
  "disiscrizione.$token": { role: "anonymous", posts: () => [{ fields: {} }] },
  "invito-coordinatore.$token": { role: "anonymous", posts: () => [{ fields: { password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" } }] },
  login: { role: "anonymous", posts: () => [{ fields: { email: "coordinatore@example.org", password: "password-di-prova-123", redirectTo: "/admin" } }] },
  logout: { role: "admin", posts: () => [{ fields: {} }] },
  "login_.password-dimenticata": { role: "anonymous", posts: () => [{ fields: { email: "coordinatore@example.org" } }] },
  "login_.reimposta-password.$token": { role: "anonymous", posts: () => [{ fields: { password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" } }] },
  "admin.account": {
    role: "coordinator",
    posts: () => [{ fields: { currentPassword: "la-password-attuale", password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" } }],
  },
  "area-referente.accedi._index": {
    role: "anonymous",
    posts: (w) => [{ fields: { intent: "request", email: w.active.email } }],
  },
  "area-referente.accedi.codice": { role: "anonymous", posts: () => [{ fields: { intent: "verify", code: "123456" } }] },
  "area-referente.accedi.link.$token": { role: "anonymous", posts: () => [{ fields: {} }] },
  "area-referente.email.conferma.$token": { role: "anonymous", posts: () => [{ fields: {} }] },
  "area-referente._index": { role: "referente", posts: () => [{ fields: { intent: "withdraw-handover" } }] },
  "area-referente.dati": {
    role: "referente",
    posts: () => [{ fields: { firstName: "Mario", lastName: "Bianchi", role: "funzionario", office: "Ufficio nuovo", phone: "091 7777777", mobile: "" } }],
  },
  "area-referente.email._index": { role: "referente", posts: () => [{ fields: { email: uniqueEmail("altro") } }] },
  "area-referente.esci": { role: "referente", posts: () => [{ fields: {} }] },
  "area-referente.privacy": {
    role: "referente",
    posts: () => [{ fields: { intent: "communications" } }, { fields: { intent: "erasure", confirmErasure: "on" } }, { fields: { intent: "withdraw-erasure" } }],
  },
  "area-referente.progetti.$id": {
    role: "referente",
    posts: () => [
      { fields: { category: "MSNA", fundedPlaces: "12", projectCode: "", managingOrganization: "Altro ente", startDate: "2024-01-01", endDate: "2027-01-01" } },
      { fields: { intent: "close" } },
    ],
  },
  "area-referente.progetti.nuovo": {
    role: "referente",
    posts: () => [{ fields: { category: "MSNA", fundedPlaces: "12", projectCode: "", managingOrganization: "Altro ente", startDate: "2024-01-01", endDate: "2027-01-01" } }],
  },
  "area-referente.subentro": {
    role: "referente",
    posts: () => [{ fields: { firstName: "Gino", lastName: "Verdi", role: "funzionario", office: "Ufficio", email: uniqueEmail("succ"), phone: "091 1111111", mobile: "" } }],
  },
  "area-referente.tavoli": { role: "referente", posts: (w) => [{ fields: { invitationId: String(w.invitationId), risposta: "no" } }] },
  "admin.adesioni.$id": {
    role: "coordinator",
    posts: () => [{ fields: { intent: "approve" } }, { fields: { intent: "reject", reason: "Motivo valido del rifiuto" } }, { fields: { intent: "revoke", reason: "Motivo valido della revoca" } }],
  },
  "admin.adesioni.$id_.modifica": {
    role: "coordinator",
    posts: (w) => [{ fields: { ...validRegistrationFields({ email: w.pending.email }), office: "Ufficio cambiato" } }],
  },
  "admin.adesioni.$id_.progetti.nuovo": {
    role: "coordinator",
    posts: () => [{ fields: { category: "MSNA", fundedPlaces: "12", projectCode: "", managingOrganization: "Altro ente", startDate: "2024-01-01", endDate: "2027-01-01" } }],
  },
  "admin.adesioni.$id_.progetti.$projectId": {
    role: "coordinator",
    posts: () => [
      { fields: { intent: "save", category: "MSNA", fundedPlaces: "12", projectCode: "", managingOrganization: "Altro ente", startDate: "2024-01-01", endDate: "2027-01-01" } },
      { fields: { intent: "close", closedOn: "2025-01-31" } },
      { fields: { intent: "reopen" } },
    ],
  },
  "admin.adesioni._index": { role: "coordinator", posts: (w) => [{ fields: [["ids", String(w.pending.requestId)]] }] },
  "admin.coordinatori_.$id.email": {
    role: "admin",
    posts: () => [{ fields: { email: uniqueEmail("nuovo-indirizzo") } }],
  },
  "admin.coordinatori": {
    role: "admin",
    posts: (w) => [
      { fields: { intent: "invite", name: "Nuova Persona", email: uniqueEmail("invitata"), role: "coordinator" } },
      { fields: { intent: "role", id: String(w.coordinator.id), role: "admin" } },
      { fields: { intent: "disable", id: String(w.coordinator.id), confirm: "on" } },
      { fields: { intent: "reset-password", id: String(w.coordinator.id) } },
    ],
  },
  "admin.cancellazioni": { role: "admin", posts: (w) => [{ fields: { referentId: String(w.erasing.referentId), confirm: "on" } }] },
  "admin.importa._index": {
    role: "coordinator",
    posts: () => [{ fields: {}, multipart: { file: "file", name: "aderenti.csv", bytes: "Tipo di ente;Comune\nComune;Gela\n" } }],
  },
  "admin.importa.$id": { role: "admin", posts: () => [{ fields: { status: "approved", sendEmails: "on", digest: "" } }, { fields: { intent: "annulla" } }] },
  "admin.posta._index": { role: "coordinator", posts: (w) => [{ fields: { ids: String(w.failedOutboxId) } }] },
  "admin.tavoli.nuovo": { role: "coordinator", posts: () => [{ fields: { ...roundTableFields() } }] },
  "admin.tavoli.$id": {
    role: "coordinator",
    posts: () => [{ fields: { ...roundTableFields(), intent: "save" } }, { fields: { intent: "publish" } }, { fields: { intent: "cancel", confirm: "on" } }],
  },
  "admin.tavoli.$id_.inviti": {
    role: "coordinator",
    posts: (w) => [
      { fields: { intent: "invia", destinatari: "indirizzi", indirizzi: "esterno@example.org" } },
      { fields: { intent: "anteprima", destinatari: "indirizzi", indirizzi: "esterno@example.org" } },
      { fields: [["intent", "presenze"], ["mostrati", String(w.invitationId)], ["presenti", String(w.invitationId)]] },
    ],
  },
  "admin.comunicazioni.nuova": {
    role: "coordinator",
    posts: () => [{ fields: { oggetto: "Comunicazione", testo: "Testo." }, multipart: { file: "allegato", name: "nota.pdf", bytes: "%PDF-1.4\n%%EOF\n" } }],
  },
  "admin.comunicazioni.$id": { role: "coordinator", posts: () => [{ fields: { intent: "invia" } }, { fields: { intent: "elimina", confirm: "on" } }] },
  "admin.tavoli.$id_.materiali_.$materialId": {
    role: "coordinator",
    posts: () => [{ fields: { kind: "documento", title: "Registrazione corretta", curatedBy: "", visibility: "members" } }],
  },
  "admin.tavoli.$id_.materiali": {
    role: "coordinator",
    posts: (w) => [
      { fields: { intent: "link", "link.kind": "video", "link.title": "Video", "link.curatedBy": "", "link.visibility": "public", "link.url": "https://video.example.org/x" } },
      { fields: { intent: "delete", materialId: String(w.materialId), confirm: "on" } },
      { fields: { "upload.kind": "slides", "upload.title": "Slides", "upload.curatedBy": "", "upload.visibility": "public" }, multipart: { file: "upload.file", name: "slides.pdf", bytes: "%PDF-1.4\n%%EOF\n" } },
    ],
  },
};

type Forgery = "genuine" | "no token" | "wrong token" | "token without its cookie" | "token of another browser" | "foreign Origin" | "Origin null";
const FORGERIES: Forgery[] = ["no token", "wrong token", "token without its cookie", "token of another browser", "foreign Origin", "Origin null"];

/** A POST as a forged page would send it: everything a browser sends, except what `forgery` takes away. */
async function forgedPost(url: string, post: Post, sessionCookies: string[], forgery: Forgery) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const [otherToken] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const csrfCookie = setCookie!.split(";")[0];
  const honeypot = getHoneypotInputProps();
  const entries: [string, string][] = Array.isArray(post.fields) ? [...post.fields] : Object.entries(post.fields).map(([n, v]) => [n, v ?? ""]);
  entries.push([honeypot.nameFieldName, ""]);
  if (honeypot.validFromFieldName) entries.push([honeypot.validFromFieldName, honeypot.encryptedValidFrom]);
  if (forgery === "wrong token") entries.push(["csrf", "token-inventato"]);
  else if (forgery === "token of another browser") entries.push(["csrf", otherToken]);
  else if (forgery !== "no token") entries.push(["csrf", token]);
  const cookies = [...(forgery === "token without its cookie" ? [] : [csrfCookie]), ...sessionCookies];
  const headers: Record<string, string> = { Cookie: cookies.join("; ") };
  headers.Origin = forgery === "foreign Origin" ? "https://sito-malevolo.example" : forgery === "Origin null" ? "null" : APP_URL;
  let body: BodyInit;
  if (post.multipart) {
    const form = new FormData();
    for (const [n, v] of entries) form.append(n, v);
    form.append(post.multipart.file, new File([post.multipart.bytes], post.multipart.name));
    body = form;
  } else {
    body = new URLSearchParams(entries);
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  return new Request(`${APP_URL}${url}`, { method: "POST", body, headers });
}

describe("every POST without a valid CSRF token or from a foreign Origin is refused", () => {
  const actionRoutes = ROUTES.filter((r) => r.module.action);

  it("every route with an action is covered here", () => {
    expect(actionRoutes.map((r) => r.id).filter((id) => !POSTS[id])).toEqual([]);
    expect(actionRoutes.length).toBe(Object.keys(POSTS).length);
  });

  // The scheda is given back as typed when only its token is missing or stale (a foreign Origin is
  // still refused outright), so its 403 may carry the form's own message.
  const FORBIDDEN_TEXT: Record<string, RegExp> = { "adesione._index": /Richiesta non valida|la pagina era scaduta/ };

  for (const route of actionRoutes) {
    it(`POST ${route.path}: 403 and nothing changes`, async () => {
      const spec = POSTS[route.id];
      if (!spec) throw new Error(`No POST defined for ${route.id}`);
      const params = paramsFor(route, world);
      const url = fillPath(route.path, params);
      const cookies = roleCookies(world)[spec.role];
      for (const post of spec.posts(world)) {
        for (const forgery of FORGERIES) {
          const before = dumpDatabase();
          const importsBefore = importFiles();
          const what = `POST ${url} ${JSON.stringify(post.fields).slice(0, 80)} (${forgery})`;
          const response = await run(what, async () => route.module.action!(routeArgs(await forgedPost(url, post, cookies, forgery), params)));
          expect(response.status, what).toBe(403);
          expect(await response.text(), what).toMatch(FORBIDDEN_TEXT[route.id] ?? /Richiesta non valida/);
          expect(diffDumps(before, dumpDatabase()), `${what}: database changed`).toEqual({});
          expect(importFiles(), `${what}: an upload was kept`).toEqual(importsBefore);
        }
      }
    });
  }

  it("exception by design: the RFC 8058 one-click unsubscribe needs no token, and does only that", async () => {
    const route = ROUTES.find((r) => r.id === "disiscrizione.$token")!;
    const params = paramsFor(route, world);
    const url = fillPath(route.path, params);
    const oneClick = new Request(`${APP_URL}${url}`, {
      method: "POST",
      body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const before = dumpDatabase();
    const response = await run(`POST ${url} one-click`, () => route.module.action!(routeArgs(oneClick, params)));
    expect(response.status).toBe(200);
    const changes = diffDumps(before, dumpDatabase());
    expect(Object.keys(changes).sort()).toEqual(["audit_log", "referents"]);
    expect(changes.audit_log.added.map((r) => JSON.parse(r).action)).toEqual(["referent.unsubscribed"]);
    const [after] = changes.referents.added.map((r) => JSON.parse(r) as Record<string, unknown>);
    const [prior] = changes.referents.removed.map((r) => JSON.parse(r) as Record<string, unknown>);
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(prior[k]));
    expect(changed.every((k) => /communications|updated_at/.test(k)), `columns changed: ${changed}`).toBe(true);

    // A forged token in the URL does nothing.
    const forged = new Request(`${APP_URL}/disiscrizione/${params.token}x`, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    const refused = await run("forged one-click", () => route.module.action!(routeArgs(forged, { token: `${params.token}x` })));
    expect(refused.status).toBe(404);
  });

  it("control: the same POSTs with their token are accepted (so the CSRF check was what refused them)", async () => {
    for (const id of ["adesione._index", "login", "area-referente.dati", "admin.tavoli.nuovo", "admin.importa._index"]) {
      const route = ROUTES.find((r) => r.id === id)!;
      const params = paramsFor(route, world);
      const url = fillPath(route.path, params);
      const [post] = POSTS[id].posts(world);
      const request = await forgedPost(url, post, roleCookies(world)[POSTS[id].role], "genuine");
      const response = await run(`POST ${url}`, () => route.module.action!(routeArgs(request, params)));
      expect([200, 302, 400], `POST ${url} with its token`).toContain(response.status);
    }
  });

  it("the coordinators' actions send an anonymous visitor to the sign-in page and change nothing", async () => {
    for (const route of actionRoutes.filter((r) => r.path.startsWith("/admin"))) {
      const params = paramsFor(route, world);
      const url = fillPath(route.path, params);
      for (const post of POSTS[route.id].posts(world)) {
        const before = dumpDatabase();
        const response = await run(`anonymous POST ${url}`, async () => route.module.action!(routeArgs(await forgedPost(url, post, [], "foreign Origin"), params)));
        expect([302, 403], `anonymous POST ${url}`).toContain(response.status);
        if (response.status === 302) expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
        expect(diffDumps(before, dumpDatabase())).toEqual({});
      }
    }
  });
});
