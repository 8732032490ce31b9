// Bad input (issue 8, point 1): random, oversized (100 KB), control-character, mixed-script and markup
// input posted to every public form, every form of the referent area and every coordinator form,
// through the real route actions with real Requests (CSRF token, cookies, Origin as a browser sends
// them). For every answer: never a 500 (a thrown non-Response), no English or leaked error in the
// messages, and, when the answer refuses the input (4xx), the database exactly as it was (a dump of
// every row of every table). Then valid-but-hostile input: stored as typed, and escaped wherever it is
// shown again (pages, emails, CSV and Excel exports with formula injection neutralised).
import ExcelJS from "exceljs";
import { strFromU8, unzipSync } from "fflate";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as adesione from "~/routes/adesione._index";
import * as conferma from "~/routes/adesione.conferma.$token";
import * as adminAdesione from "~/routes/admin.adesioni.$id";
import * as adminModifica from "~/routes/admin.adesioni.$id_.modifica";
import * as adminProgetto from "~/routes/admin.adesioni.$id_.progetti.$projectId";
import * as adminProgettoNuovo from "~/routes/admin.adesioni.$id_.progetti.nuovo";
import * as adminAdesioni from "~/routes/admin.adesioni._index";
import * as exportCsv from "~/routes/admin.adesioni.export[.]csv";
import * as exportXlsx from "~/routes/admin.adesioni.export[.]xlsx";
import * as schedaPdf from "~/routes/admin.adesioni.$id.scheda[.]pdf";
import * as account from "~/routes/admin.account";
import * as cancellazioni from "~/routes/admin.cancellazioni";
import * as coordinatori from "~/routes/admin.coordinatori";
import * as importaRun from "~/routes/admin.importa.$id";
import * as importaUpload from "~/routes/admin.importa._index";
import * as posta from "~/routes/admin.posta._index";
import * as postaDetail from "~/routes/admin.posta.$id";
import * as registro from "~/routes/admin.registro";
import * as tavolo from "~/routes/admin.tavoli.$id";
import * as inviti from "~/routes/admin.tavoli.$id_.inviti";
import * as materiali from "~/routes/admin.tavoli.$id_.materiali";
import * as materialEdit from "~/routes/admin.tavoli.$id_.materiali_.$materialId";
import * as tavoliAdmin from "~/routes/admin.tavoli._index";
import * as tavoloNuovo from "~/routes/admin.tavoli.nuovo";
import * as area from "~/routes/area-referente._index";
import * as accedi from "~/routes/area-referente.accedi._index";
import * as accediCodice from "~/routes/area-referente.accedi.codice";
import * as accediLink from "~/routes/area-referente.accedi.link.$token";
import * as dati from "~/routes/area-referente.dati";
import * as emailChange from "~/routes/area-referente.email._index";
import * as emailConferma from "~/routes/area-referente.email.conferma.$token";
import * as esci from "~/routes/area-referente.esci";
import * as privacyArea from "~/routes/area-referente.privacy";
import * as progetto from "~/routes/area-referente.progetti.$id";
import * as progettoNuovo from "~/routes/area-referente.progetti.nuovo";
import * as subentroArea from "~/routes/area-referente.subentro";
import * as tavoliArea from "~/routes/area-referente.tavoli";
import * as disiscrizione from "~/routes/disiscrizione.$token";
import * as invitoCoordinatore from "~/routes/invito-coordinatore.$token";
import * as invito from "~/routes/invito.$token";
import * as login from "~/routes/login";
import * as logout from "~/routes/logout";
import * as passwordDimenticata from "~/routes/login_.password-dimenticata";
import * as reimpostaPassword from "~/routes/login_.reimposta-password.$token";
import * as subentro from "~/routes/subentro.$token";
import * as tavoliPublic from "~/routes/tavoli-tecnici._index";
import * as tavoloPublic from "~/routes/tavoli-tecnici.$id";
import * as feed from "~/routes/tavoli-tecnici[.]ics";
import { getMembershipEditValues } from "~/models/membership-detail.server";
import { approveMembership } from "~/models/membership-review.server";
import { getDb } from "~/utils/db.server";
import { hasTextHazards } from "~/utils/text";
import { renderEmail } from "~/utils/render-email.server";
import { createTestCoordinator, sessionCookieFor } from "../../support/admin";
import { confirmationTokenFor, outboxFor, requestsForEmail } from "../../support/db-queries";
import { uniqueEmail, validRegistrationFields } from "../../support/factories";
import { createReferent, pendingSignIn, referentCookie } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import {
  diffDumps,
  dumpDatabase,
  expectNoPrototypePollution,
  expectSaneAnswer,
  formPost,
  hostileForm,
  hostileText,
  controlText,
  MARKUP,
  multipartPost,
  readAnswer,
  run,
  SCRIPTS,
  seedWorld,
  type World,
} from "../../support/robustness";
import { createTestRoundTable, roundTableFields } from "../../support/round-tables";

// FUZZ_RUNS=500 for a longer hunt.
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

let world: World;
/** The cookie of a browser waiting for the code asked for the active referente's address. */
let pendingForActive: string;
beforeAll(async () => {
  world = await seedWorld();
  pendingForActive = await pendingSignIn(world.active.email);
}, 60_000);

afterEach(() => expectNoPrototypePollution());

type Route = { action?: (args: ReturnType<typeof routeArgs>) => unknown };

type FormCase = {
  name: string;
  route: Route;
  path: () => string;
  params?: () => Record<string, string>;
  /** A hostile value for each route parameter (the token or id in the URL), besides the real one. */
  fuzzParams?: boolean;
  cookies?: () => string[];
  base: () => Record<string, string> | [string, string][];
  /** Tables a refusal may still write by design (e.g. the audit of a failed sign-in), with a check of the rows. */
  refusalMayWrite?: Record<string, (row: Record<string, unknown>) => boolean>;
  multipartOnly?: boolean;
  file?: string;
  runs?: number;
  /** Fields a page fills in when loaded (a form's version): sent, when the fuzz left them as in base (FRESH), with the current value. */
  fresh?: Record<string, () => string>;
};

/** The base value of a `fresh` field. */
const FRESH = "(valore attuale)";

/** Sends the fields as urlencoded or multipart (with, optionally, one field turned into a file). */
async function send(c: FormCase, fields: [string, string][], params: Record<string, string>, how: { multipart: boolean; fileField: number | null }) {
  // A parameter arrives decoded from the URL, so it is always well-formed UTF-16.
  for (const [name, value] of Object.entries(params)) params[name] = wellFormed(value);
  fields = fields.map(([name, value]) => [name, value === FRESH && c.fresh?.[name] ? c.fresh[name]() : value]);
  const path = c.path().replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
  const cookies = c.cookies?.() ?? [];
  let request: Request;
  if (how.multipart || c.multipartOnly) {
    const form = new FormData();
    fields.forEach(([name, value], i) => {
      if (i === how.fileField) form.append(name, new File([value], `${value.slice(0, 30)}.pdf`, { type: "application/pdf" }));
      else form.append(name, value);
    });
    if (c.file) form.append(c.file, new File([fields.map(([, v]) => v).join("\n")], "allegato.pdf", { type: "application/pdf" }));
    request = await multipartPost(path, form, cookies);
  } else {
    request = await formPost(path, fields, cookies);
  }
  return run(`POST ${path}`, () => c.route.action!(routeArgs(request, params)));
}

/** Lone surrogates replaced by U+FFFD, as a URL decoder does. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

function expectNoWriteOnRefusal(c: FormCase, before: Record<string, string[]>, what: string) {
  const changes = diffDumps(before, dumpDatabase());
  for (const [table, check] of Object.entries(c.refusalMayWrite ?? {})) {
    const change = changes[table];
    if (!change) continue;
    // Rows may be added or updated (same id), never deleted; each new version must be an expected one.
    const addedIds = new Set(change.added.map((r) => JSON.parse(r).id));
    for (const row of change.removed) expect(addedIds.has(JSON.parse(row).id), `${what}: a row of ${table} was deleted: ${row}`).toBe(true);
    for (const row of change.added) expect(check(JSON.parse(row)), `${what}: unexpected row in ${table}: ${row}`).toBe(true);
    delete changes[table];
  }
  expect(changes, `${what}: a refused submission wrote to the database`).toEqual({});
}

function fuzz(c: FormCase) {
  it(`${c.name}: random, oversized, control-character, mixed-script and markup input`, async () => {
    const paramArb = c.params
      ? c.fuzzParams
        ? fc.oneof(
            fc.constant(null),
            fc.dictionary(fc.constantFrom(...Object.keys(c.params())), hostileText, { minKeys: 1 }),
          )
        : fc.constant(null)
      : fc.constant(null);
    await fc.assert(
      fc.asyncProperty(hostileForm(c.base()), paramArb, fc.boolean(), fc.option(fc.nat(20)), async (fields, hostileParams, multipart, fileField) => {
        const params = { ...(c.params?.() ?? {}), ...(hostileParams ?? {}) };
        const before = dumpDatabase();
        const what = `${c.name} ${JSON.stringify(fields).slice(0, 300)}`;
        const response = await send(c, fields, params, { multipart, fileField: fileField !== null && fileField < fields.length ? fileField : null });
        const answer = await readAnswer(response);
        expectSaneAnswer(answer, what);
        if (answer.status >= 400) expectNoWriteOnRefusal(c, before, what);
        else expectCleanWrites(before, what);
        expectNoPrototypePollution();
      }),
      { numRuns: c.runs ?? RUNS },
    );
  });
}

/** JSON escapes of the characters cleanLine/cleanLines remove (the database holds JSON in some columns). */
const ESCAPED_HAZARD = /\\u00(0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])|\\ud[89a-f][0-9a-f]{2}/i;

/** What an accepted submission stored holds no control characters, bidi overrides or lone surrogates. */
function expectCleanWrites(before: Record<string, string[]>, what: string) {
  for (const [table, { added }] of Object.entries(diffDumps(before, dumpDatabase()))) {
    for (const row of added) {
      const found = hasTextHazards(row) || ESCAPED_HAZARD.test(row.replace(/\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}/gi, ""));
      expect(found, `${what}: stored a control character in ${table}: ${row.slice(0, 400)}`).toBe(false);
    }
  }
}

const auditAction = (...actions: string[]) => (row: Record<string, unknown>) => actions.includes(String(row.action));

// ----------------------------------------------------------------------------------------------
describe("public forms", () => {
  fuzz({ name: "POST /adesione (scheda, with project fields)", route: adesione, path: () => "/adesione", base: () => ({ ...validRegistrationFields(), intent: "submit" }) });
  fuzz({
    name: "POST /adesione (Aggiungi/Rimuovi progetto without JavaScript)",
    route: adesione,
    path: () => "/adesione",
    base: () => ({ ...validRegistrationFields({ "projects.1.category": "MSNA" }), intent: ["add-project", "remove-project:1", "remove-project:0"][Math.floor(Math.random() * 3)] }),
  });
  fuzz({
    name: "POST /adesione/conferma/:token",
    route: conferma,
    path: () => "/adesione/conferma/:token",
    params: () => ({ token: `${world.confirmationToken.slice(0, 10)}sbagliato` }),
    fuzzParams: true,
    base: () => ({ conferma: "1" }),
  });
  fuzz({
    name: "POST /invito/:token",
    route: invito,
    path: () => "/invito/:token",
    params: () => ({ token: world.invitationToken }),
    fuzzParams: true,
    base: () => ({ risposta: "si" }),
  });
  fuzz({
    name: "POST /area-referente/accedi (address step)",
    route: accedi,
    path: () => "/area-referente/accedi",
    base: () => ({ intent: "request", email: uniqueEmail("sconosciuto"), sito_web: "" }),
  });
  fuzz({
    name: "POST /area-referente/accedi/codice (code step)",
    route: accediCodice,
    path: () => "/area-referente/accedi/codice",
    cookies: () => [pendingForActive],
    base: () => ({ intent: "verify", code: "123456", sito_web: "" }),
    // A wrong code counts against the code (5 tries kill it), by design.
    refusalMayWrite: { referent_login_codes: () => true, audit_log: auditAction("auth.login_failed") },
  });
  fuzz({
    name: "POST /area-referente/accedi/link/:token",
    route: accediLink,
    path: () => "/area-referente/accedi/link/:token",
    params: () => ({ token: "collegamento-non-valido" }),
    fuzzParams: true,
    base: () => ({ entra: "1" }),
    // A wrong link is a failed sign-in, audited by design.
    refusalMayWrite: { audit_log: auditAction("auth.login_failed") },
  });
  fuzz({
    name: "POST /subentro/:token",
    route: subentro,
    path: () => "/subentro/:token",
    params: () => ({ token: world.handoverToken }),
    fuzzParams: true,
    base: () => ({ privacyConsent: "on" }),
  });
  fuzz({
    name: "POST /disiscrizione/:token",
    route: disiscrizione,
    path: () => "/disiscrizione/:token",
    params: () => ({ token: world.unsubscribeToken }),
    fuzzParams: true,
    base: () => ({ "List-Unsubscribe": "One-Click" }),
  });
  fuzz({
    name: "POST /invito-coordinatore/:token",
    route: invitoCoordinatore,
    path: () => "/invito-coordinatore/:token",
    params: () => ({ token: world.coordinatorInviteToken }),
    fuzzParams: true,
    base: () => ({ password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" }),
    runs: 20,
  });
  fuzz({
    name: "POST /area-referente/email/conferma/:token",
    route: emailConferma,
    path: () => "/area-referente/email/conferma/:token",
    params: () => ({ token: "non-valido" }),
    fuzzParams: true,
    base: () => ({ conferma: "1" }),
  });
  fuzz({
    name: "POST /login",
    route: login,
    path: () => "/login",
    base: () => ({ email: "coordinatore@example.org", password: "password-sbagliata", redirectTo: "/admin", sito_web: "" }),
    // A failed sign-in is audited (SPEC §7: every authentication event), by design.
    refusalMayWrite: { audit_log: auditAction("auth.login_failed") },
    runs: 20,
  });
  fuzz({
    name: "POST /login/password-dimenticata",
    route: passwordDimenticata,
    path: () => "/login/password-dimenticata",
    base: () => ({ email: uniqueEmail("sconosciuto"), sito_web: "" }),
    runs: 20,
  });
  fuzz({
    name: "POST /login/reimposta-password/:token",
    route: reimpostaPassword,
    path: () => "/login/reimposta-password/:token",
    params: () => ({ token: "non-valido" }),
    fuzzParams: true,
    base: () => ({ password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" }),
    runs: 20,
  });
  fuzz({ name: "POST /logout", route: logout, path: () => "/logout", base: () => ({ esci: "1" }), runs: 10 });
  fuzz({ name: "POST /area-referente/esci", route: esci, path: () => "/area-referente/esci", base: () => ({ esci: "1" }), runs: 10 });
});

// ----------------------------------------------------------------------------------------------
describe("forms of the referent area", () => {
  const asActive = () => [world.active.cookie];
  fuzz({ name: "POST /area-referente (ritira proposta)", route: area, path: () => "/area-referente", cookies: asActive, base: () => ({ intent: "withdraw-handover" }) });
  fuzz({
    name: "POST /area-referente/dati",
    route: dati,
    path: () => "/area-referente/dati",
    cookies: asActive,
    base: () => ({ firstName: "Maria", lastName: "Rossi", role: "dirigente", office: "Servizi sociali", phone: "091 1234567", mobile: "" }),
  });
  fuzz({ name: "POST /area-referente/email", route: emailChange, path: () => "/area-referente/email", cookies: asActive, base: () => ({ email: "nuovo@example.org" }), runs: 20 });
  const project = () => ({ category: "MSNA", fundedPlaces: "10", projectCode: "PROG-1-PR-1", managingOrganization: "Cooperativa", startDate: "2024-01-01", endDate: "2026-12-31" });
  fuzz({ name: "POST /area-referente/progetti/nuovo", route: progettoNuovo, path: () => "/area-referente/progetti/nuovo", cookies: asActive, base: project });
  fuzz({
    name: "POST /area-referente/progetti/:id",
    route: progetto,
    path: () => "/area-referente/progetti/:id",
    params: () => ({ id: String(world.active.projectId) }),
    fuzzParams: true,
    cookies: asActive,
    base: () => ({ ...project(), intent: "save" }),
  });
  fuzz({
    name: "POST /area-referente/subentro",
    route: subentroArea,
    path: () => "/area-referente/subentro",
    cookies: asActive,
    base: () => ({ firstName: "Gino", lastName: "Verdi", role: "funzionario", office: "Ufficio", email: uniqueEmail("succ"), phone: "091 1111111", mobile: "" }),
  });
  fuzz({
    name: "POST /area-referente/tavoli (risposta)",
    route: tavoliArea,
    path: () => "/area-referente/tavoli",
    cookies: asActive,
    base: () => ({ invitationId: String(world.invitationId), risposta: "si" }),
  });
  fuzz({
    name: "POST /area-referente/privacy (comunicazioni, cancellazione)",
    route: privacyArea,
    path: () => "/area-referente/privacy",
    cookies: asActive,
    base: (): Record<string, string> => (Math.random() < 0.5 ? { intent: "communications", receivesCommunications: "on" } : { intent: "erasure", confirmErasure: "on" }),
  });
});

// ----------------------------------------------------------------------------------------------
describe("coordinator forms", () => {
  const asAdmin = () => [world.admin.cookie];
  const asCoordinator = () => [world.coordinator.cookie];
  let decisionIds: Record<"approve" | "reject" | "revoke", number>;
  let editId: number;
  let projectTarget: { requestId: number; projectId: number };
  let bulkIds: number[];
  let targetCoordinator: number;
  let roundTables: { save: number; publish: number; cancel: number; invite: number };

  beforeAll(async () => {
    const pendingIds = [];
    for (let i = 0; i < 6; i++) pendingIds.push((await createReferent("pending")).requestId);
    const approved = (await createReferent("active")).requestId;
    const corrected = await createReferent("active");
    const correctedProject = getDb().$client.prepare("SELECT id FROM sai_projects WHERE request_id = ? ORDER BY id LIMIT 1").get(corrected.requestId) as { id: number };
    projectTarget = { requestId: corrected.requestId, projectId: correctedProject.id };
    decisionIds = { approve: pendingIds[0], reject: pendingIds[1], revoke: approved };
    editId = pendingIds[2];
    bulkIds = pendingIds.slice(3);
    targetCoordinator = createTestCoordinator({ name: "Bersaglio" }).id;
    roundTables = {
      save: createTestRoundTable(world.admin.id).id,
      publish: createTestRoundTable(world.admin.id, {}, { publish: false }).id,
      cancel: createTestRoundTable(world.admin.id).id,
      invite: createTestRoundTable(world.admin.id).id,
    };
  }, 60_000);

  for (const intent of ["approve", "reject", "revoke"] as const) {
    fuzz({
      name: `POST /admin/adesioni/:id (${intent})`,
      route: adminAdesione,
      path: () => "/admin/adesioni/:id",
      params: () => ({ id: String(decisionIds[intent]) }),
      fuzzParams: true,
      cookies: asCoordinator,
      base: (): Record<string, string> => (intent === "approve" ? { intent } : { intent, reason: "Motivo della decisione di prova" }),
    });
  }
  fuzz({
    name: "POST /admin/adesioni/:id/modifica",
    route: adminModifica,
    path: () => "/admin/adesioni/:id/modifica",
    params: () => ({ id: String(editId) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => {
      const f = validRegistrationFields();
      return { bodyName: "Comune", pec: f.pec, fiscalCode: f.fiscalCode, firstName: f.firstName, lastName: f.lastName, role: f.role, office: f.office, email: f.email, phone: f.phone, mobile: "", version: FRESH };
    },
    // Sent as the page loads it: otherwise every save is refused as made from a stale form (409), and no write is fuzzed.
    fresh: { version: () => getMembershipEditValues(getDb(), { id: editId })!.version },
  });
  const project = () => ({ category: "DM/DS", fundedPlaces: "8", projectCode: "PROG-2-PR-1", managingOrganization: "Cooperativa", startDate: "2024-01-01", endDate: "2026-12-31" });
  fuzz({
    name: "POST /admin/adesioni/:id/progetti/nuovo",
    route: adminProgettoNuovo,
    path: () => "/admin/adesioni/:id/progetti/nuovo",
    params: () => ({ id: String(projectTarget.requestId) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: project,
  });
  for (const base of [() => ({ ...project(), intent: "save" }), () => ({ intent: "close", closedOn: "2025-01-31" }), () => ({ intent: "reopen" })]) {
    fuzz({
      name: `POST /admin/adesioni/:id/progetti/:projectId (${base().intent})`,
      route: adminProgetto,
      path: () => "/admin/adesioni/:id/progetti/:projectId",
      params: () => ({ id: String(projectTarget.requestId), projectId: String(projectTarget.projectId) }),
      fuzzParams: true,
      cookies: asCoordinator,
      base,
    });
  }
  fuzz({
    name: "POST /admin/adesioni (bulk approve)",
    route: adminAdesioni,
    path: () => "/admin/adesioni?stato=pending&q=<script>",
    cookies: asCoordinator,
    base: () => bulkIds.map((id): [string, string] => ["ids", String(id)]),
  });
  fuzz({
    name: "POST /admin/coordinatori (invite)",
    route: coordinatori,
    path: () => "/admin/coordinatori",
    cookies: asAdmin,
    base: () => ({ intent: "invite", name: "Nuova Persona", email: uniqueEmail("invitata"), role: "coordinator" }),
  });
  fuzz({
    name: "POST /admin/account (Cambia password)",
    route: account,
    path: () => "/admin/account",
    cookies: asCoordinator,
    base: () => ({ currentPassword: "la-password-attuale", password: "una-password-lunga-1", confirmPassword: "una-password-lunga-1" }),
    // A wrong current password is audited and counts against the sign-in's limits, by design.
    refusalMayWrite: { audit_log: auditAction("coordinator.password_change_failed", "auth.login_blocked") },
    runs: 20,
  });
  for (const intent of ["role", "disable", "enable", "reset-password"] as const) {
    fuzz({
      name: `POST /admin/coordinatori (${intent})`,
      route: coordinatori,
      path: () => "/admin/coordinatori",
      cookies: asAdmin,
      base: () => ({ intent, id: String(targetCoordinator), ...(intent === "role" ? { role: "admin" } : {}), ...(intent === "disable" ? { confirm: "on" } : {}) }),
    });
  }
  fuzz({ name: "POST /admin/tavoli/nuovo (create)", route: tavoloNuovo, path: () => "/admin/tavoli/nuovo", cookies: asCoordinator, base: () => ({ ...roundTableFields(), da: "" }) });
  fuzz({
    name: "POST /admin/tavoli/:id (update)",
    route: tavolo,
    path: () => "/admin/tavoli/:id",
    params: () => ({ id: String(roundTables.save) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ ...roundTableFields(), intent: "save" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id (publish)",
    route: tavolo,
    path: () => "/admin/tavoli/:id",
    params: () => ({ id: String(roundTables.publish) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ intent: "publish" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id (cancel)",
    route: tavolo,
    path: () => "/admin/tavoli/:id",
    params: () => ({ id: String(roundTables.cancel) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ intent: "cancel", confirm: "on" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id/materiali (link)",
    route: materiali,
    path: () => "/admin/tavoli/:id/materiali",
    params: () => ({ id: String(world.roundTableId) }),
    cookies: asCoordinator,
    base: () => ({ intent: "link", "link.kind": "video", "link.title": "Registrazione", "link.curatedBy": "Segreteria", "link.visibility": "public", "link.url": "https://video.example.org/2" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id/materiali/:materialId (correction)",
    route: materialEdit,
    path: () => "/admin/tavoli/:id/materiali/:materialId",
    params: () => ({ id: String(world.roundTableId), materialId: String(world.materialId) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ kind: "documento", title: "Registrazione corretta", curatedBy: "Segreteria", visibility: "members" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id/materiali (delete)",
    route: materiali,
    path: () => "/admin/tavoli/:id/materiali",
    params: () => ({ id: String(world.roundTableId) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ intent: "delete", materialId: String(world.materialId), confirm: "on" }),
  });
  fuzz({
    name: "POST /admin/tavoli/:id/materiali (upload, multipart)",
    route: materiali,
    path: () => "/admin/tavoli/:id/materiali",
    params: () => ({ id: String(world.roundTableId) }),
    cookies: asCoordinator,
    multipartOnly: true,
    file: "upload.file",
    base: () => ({ "upload.kind": "slides", "upload.title": "Slides", "upload.curatedBy": "Relatore", "upload.visibility": "public" }),
    runs: 20,
  });
  for (const [what, intent] of [["send", "invia"], ["preview", "anteprima"]]) {
    fuzz({
      name: `POST /admin/tavoli/:id/inviti (${what})`,
      route: inviti,
      path: () => "/admin/tavoli/:id/inviti",
      params: () => ({ id: String(roundTables.invite) }),
      fuzzParams: true,
      cookies: asCoordinator,
      base: () => ({ intent, provincia: "082", tipologia: "ordinari", indirizzi: "uno@example.org\ndue@example.org", destinatari: "indirizzi" }),
    });
  }
  fuzz({
    name: "POST /admin/tavoli/:id/inviti (attendance)",
    route: inviti,
    path: () => "/admin/tavoli/:id/inviti?risposta=si&pagina=1",
    params: () => ({ id: String(world.roundTableId) }),
    fuzzParams: true,
    cookies: asCoordinator,
    base: () => ({ intent: "presenze", mostrati: String(world.invitationId), presenti: String(world.invitationId) }),
  });
  fuzz({ name: "POST /admin/posta (retry)", route: posta, path: () => "/admin/posta?stato=failed", cookies: asCoordinator, base: () => ({ ids: String(world.failedOutboxId) }) });
  fuzz({
    name: "POST /admin/importa (upload)",
    route: importaUpload,
    path: () => "/admin/importa",
    cookies: asAdmin,
    multipartOnly: true,
    file: "file",
    base: () => ({ nota: "x" }),
    runs: 20,
  });
  fuzz({
    name: "POST /admin/importa/:id (import)",
    route: importaRun,
    path: () => "/admin/importa/:id",
    params: () => ({ id: world.importId }),
    fuzzParams: true,
    cookies: asAdmin,
    base: () => ({ status: "pending", sendEmails: "on", digest: "x".repeat(64) }),
  });
  fuzz({
    name: "POST /admin/cancellazioni (execute erasure)",
    route: cancellazioni,
    path: () => "/admin/cancellazioni",
    cookies: asAdmin,
    base: () => ({ referentId: String(world.erasing.referentId), confirm: "on" }),
  });
});

// ----------------------------------------------------------------------------------------------
// Valid but hostile: stored as typed, shown escaped everywhere.

/** What React writes for a text or an attribute value. */
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

const DANGEROUS = /<|>|"/;

/** A value that passes validation (printable, trimmed, within `max`) but is made of markup and other scripts. */
const validHostile = (max: number) =>
  fc
    .array(fc.constantFrom(...MARKUP.filter((m) => !/^[\t\r]/.test(m)), ...SCRIPTS.filter((s) => !/[\u200b-\u200f\u202a-\u202e\ufeff]/.test(s))), { minLength: 1, maxLength: 3 })
    .map((parts) => `${parts.join(" ")} <b>x</b>`.slice(0, max).trim())
    .filter((v) => v.length >= 3 && DANGEROUS.test(v));

async function page(route: Parameters<typeof renderRoute>[0], path: string, cookie: string, params: Record<string, string> = {}) {
  const request = new Request(`${APP_URL}${path}`, { headers: { Cookie: cookie } });
  const rendered = await renderRoute(
    { ...route, loader: (args) => route.loader({ ...args, params: { ...args.params, ...params } }) },
    request,
  );
  expect(rendered.status, `GET ${path}`).toBe(200);
  return rendered.html;
}

function expectEscapedIn(html: string, values: string[], where: string) {
  for (const value of values) {
    expect(html.includes(value), `${where} shows ${JSON.stringify(value)} unescaped`).toBe(false);
  }
}

/** The CSV cells as the portal writes them (`;`, quotes doubled). */
function csvCells(text: string) {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ";" || c === "\n") {
      cells.push(cell.replace(/\r$/, ""));
      cell = "";
    } else cell += c;
  }
  if (cell) cells.push(cell);
  return cells;
}

/** Characters an XML 1.0 document cannot contain (Excel refuses such a file). */
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FORMULA_START = /^[=+\-@\t\r]/;
/** A text as a spreadsheet cell must hold it: with a leading quote when it would read as a formula. */
const asSheetText = (s: string) => (FORMULA_START.test(s) ? `'${s}` : s);

describe("valid but hostile input is stored as typed and shown escaped", () => {
  it("a scheda made of markup and other scripts: admin pages, referent area, emails, CSV and Excel", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          bodyName: validHostile(200),
          firstName: validHostile(100),
          lastName: validHostile(100),
          office: validHostile(200),
          managingOrganization: validHostile(200),
          projectCode: validHostile(50),
          formulaName: fc.constantFrom('=HYPERLINK("https://attacker.example","clic")', "+SUM(1,2)", "-2+3", "@SUM(A1:A2)"),
        }),
        async (v) => {
          const fields = validRegistrationFields({
            bodyKind: "unione_comuni",
            municipalityCode: "",
            bodyName: v.bodyName,
            firstName: v.firstName,
            lastName: v.formulaName,
            office: v.office,
            "projects.0.managingOrganization": v.managingOrganization,
            "projects.0.projectCode": v.projectCode,
          });
          // Two referenti: the second has the hostile surname (the first a formula as surname).
          const response = await run("POST /adesione", async () => adesione.action(routeArgs(await formPost("/adesione", fields))));
          expect(response.status, JSON.stringify(await readAnswer(response.clone()))).toBe(302);
          const [{ request, referent }] = requestsForEmail(fields.email);
          const token = confirmationTokenFor(fields.email);
          expect((await run("confirm", async () => conferma.action(routeArgs(await formPost(`/adesione/conferma/${token}`, {}), { token })))).status).toBe(200);
          expect(referent.firstName).toBe(v.firstName);
          expect(referent.lastName).toBe(v.formulaName);
          expect(referent.office).toBe(v.office);

          const shown = [v.bodyName, v.firstName, v.office, v.managingOrganization, v.projectCode].filter((s) => DANGEROUS.test(s));
          const coordinator = (await sessionCookieFor(world.coordinator.id)).cookie;

          // Pages of the coordinators.
          const detail = await page(adminAdesione, `/admin/adesioni/${request.id}`, coordinator, { id: String(request.id) });
          expectEscapedIn(detail, shown, "/admin/adesioni/:id");
          expect(detail).toContain(escapeHtml(v.bodyName));
          expect(detail).toContain(escapeHtml(v.managingOrganization));
          const list = await page(adminAdesioni, `/admin/adesioni?q=${encodeURIComponent(fields.email)}`, coordinator);
          expectEscapedIn(list, shown, "/admin/adesioni");
          expect(list).toContain(escapeHtml(v.bodyName));
          const edit = await page(adminModifica, `/admin/adesioni/${request.id}/modifica`, coordinator, { id: String(request.id) });
          expectEscapedIn(edit, shown, "/admin/adesioni/:id/modifica");
          expect(edit).toContain(escapeHtml(v.office));

          // Approved: the referent area shows the same data, and so do the log pages.
          expect(approveMembership(getDb(), { id: request.id, coordinatorId: world.coordinator.id, appUrl: APP_URL })).toEqual({ ok: true });
          const ref = (await referentCookie(referent.id)).cookie;
          const overview = await page(area, "/area-referente", ref);
          expectEscapedIn(overview, shown, "/area-referente");
          expect(overview).toContain(escapeHtml(v.managingOrganization));
          const contact = await page(dati, "/area-referente/dati", ref);
          expectEscapedIn(contact, shown, "/area-referente/dati");
          expectEscapedIn(await page(registro, "/admin/registro", coordinator), shown, "/admin/registro");
          const mails = outboxFor(fields.email);
          expectEscapedIn(await page(posta, `/admin/posta?destinatario=${encodeURIComponent(fields.email)}`, coordinator), shown, "/admin/posta");
          expectEscapedIn(await page(postaDetail, `/admin/posta/${mails[0].id}`, coordinator, { id: String(mails[0].id) }), shown, "/admin/posta/:id");

          // Emails: the HTML escapes, the subject is one line.
          expect(mails.length).toBeGreaterThan(0);
          for (const mail of mails) {
            const rendered = await renderEmail(mail.template, mail.props);
            expectEscapedIn(rendered.html, shown, `email ${mail.template}`);
            expect(rendered.subject, `subject of ${mail.template}`).not.toMatch(/[\r\n]/);
          }

          // Exports: the hostile text is there as text, formulas are neutralised.
          const query = `?q=${encodeURIComponent(fields.email)}`;
          const csv = await run("export.csv", async () => exportCsv.loader(routeArgs(new Request(`${APP_URL}/admin/adesioni/export.csv${query}`, { headers: { Cookie: coordinator } }))));
          expect(csv.status).toBe(200);
          const cells = csvCells((await csv.text()).replace(/^\uFEFF/, ""));
          expect(cells).toContain(asSheetText(v.bodyName));
          expect(cells).toContain(`'${v.formulaName}`);
          expect(cells.filter((c) => FORMULA_START.test(c)), "CSV cells a spreadsheet would run as formulas").toEqual([]);
          const xlsx = await run("export.xlsx", async () => exportXlsx.loader(routeArgs(new Request(`${APP_URL}/admin/adesioni/export.xlsx${query}`, { headers: { Cookie: coordinator } }))));
          expect(xlsx.status).toBe(200);
          const workbook = new ExcelJS.Workbook();
          await workbook.xlsx.load(await xlsx.arrayBuffer());
          // A workbook keeps the text as typed, in cells formatted as Text (so editing one does not run it).
          const texts: { value: string; numFmt: string | undefined }[] = [];
          workbook.worksheets[0].eachRow((row) => row.eachCell((cell) => texts.push({ value: typeof cell.value === "string" ? cell.value : "", numFmt: cell.numFmt })));
          expect(texts.map((c) => c.value)).toContain(v.bodyName);
          expect(texts.map((c) => c.value)).toContain(v.formulaName);
          expect(texts.filter((c) => FORMULA_START.test(c.value) && c.numFmt !== "@"), "Excel cells that editing would run as formulas").toEqual([]);
          workbook.worksheets[0].eachRow((row) => row.eachCell((cell) => expect(cell.formula, "a formula cell").toBeUndefined()));
        },
      ),
      { numRuns: 8 },
    );
  }, 60_000);

  it("a Tavolo tecnico made of markup: admin and public pages, the iCalendar feed and the invitation email", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ title: validHostile(200), description: validHostile(2000), speakers: validHostile(200), place: validHostile(200) }), async (v) => {
        const coordinator = (await sessionCookieFor(world.coordinator.id)).cookie;
        const fields = roundTableFields({ title: v.title, description: v.description, speakers: v.speakers, place: v.place, mode: "ibrido" });
        const created = await run("create", async () => tavoloNuovo.action(routeArgs(await formPost("/admin/tavoli/nuovo", fields, [coordinator]))));
        expect(created.status, JSON.stringify(await readAnswer(created.clone()))).toBe(302);
        const id = created.headers.get("Location")!.match(/\/admin\/tavoli\/(\d+)/)![1];
        const published = await run("publish", async () => tavolo.action(routeArgs(await formPost(`/admin/tavoli/${id}`, { intent: "publish" }, [coordinator]), { id })));
        expect(published.status).toBe(302);
        const shown = [v.title, v.description, v.speakers, v.place];

        expectEscapedIn(await page(tavolo, `/admin/tavoli/${id}`, coordinator, { id }), shown, "/admin/tavoli/:id");
        expectEscapedIn(await page(tavoliAdmin, "/admin/tavoli", coordinator), shown, "/admin/tavoli");
        const publicPage = await page(tavoloPublic, `/tavoli-tecnici/${id}`, "", { id });
        expectEscapedIn(publicPage, shown, "/tavoli-tecnici/:id");
        expect(publicPage).toContain(escapeHtml(v.title));
        expectEscapedIn(await page(tavoliPublic, "/tavoli-tecnici", ""), shown, "/tavoli-tecnici");
        const previewRequest = await formPost(`/admin/tavoli/${id}/inviti`, { intent: "anteprima", destinatari: "referenti" }, [coordinator]);
        const preview = await renderRoute(
          { ...inviti, action: (args) => inviti.action({ ...args, params: { ...args.params, id } }), loader: (args) => inviti.loader({ ...args, params: { ...args.params, id } }) },
          previewRequest,
        );
        expect(preview.status, "POST /admin/tavoli/:id/inviti (preview)").toBe(200);
        expect(preview.html).toContain('id="anteprima-title"');
        expectEscapedIn(preview.html, shown, "/admin/tavoli/:id/inviti (preview)");

        // iCalendar: text is escaped (\, ; , newlines) so no value can start a property of its own.
        const ics = await (await run("feed", () => feed.loader(routeArgs(new Request(`${APP_URL}/tavoli-tecnici.ics`))))).text();
        const unfolded = ics.replace(/\r\n[ \t]/g, "");
        for (const line of unfolded.split("\r\n").filter(Boolean)) {
          expect(line, "an iCalendar line that is not a property").toMatch(/^[A-Z][A-Z0-9-]*[;:]/);
        }
      }),
      { numRuns: 6 },
    );
  }, 60_000);

  it("control characters and other scripts that validation accepts keep every output well-formed (pages, PDF, Excel, iCalendar, emails)", async () => {
    const printable = fc.constantFrom(...SCRIPTS, "Maria", "Servizi sociali", "Ünione");
    const withControls = fc
      .tuple(printable, controlText, printable)
      .map((parts) => parts.join(""))
      .filter((v) => v.trim().length >= 3 && v.length <= 100);
    await fc.assert(
      fc.asyncProperty(fc.record({ bodyName: withControls, firstName: withControls, office: withControls, title: withControls }), async (v) => {
        const coordinator = (await sessionCookieFor(world.coordinator.id)).cookie;
        const fields = validRegistrationFields({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: v.bodyName, firstName: v.firstName, office: v.office });
        const response = await run("POST /adesione", async () => adesione.action(routeArgs(await formPost("/adesione", fields))));
        const answer = await readAnswer(response.clone());
        expectSaneAnswer(answer, "POST /adesione");
        if (response.status !== 302) return; // refused: nothing stored, nothing to show
        const [{ request }] = requestsForEmail(fields.email);
        const id = String(request.id);

        await page(adminAdesione, `/admin/adesioni/${id}`, coordinator, { id });
        const pdf = await run("scheda.pdf", async () => schedaPdf.loader(routeArgs(new Request(`${APP_URL}/admin/adesioni/${id}/scheda.pdf`, { headers: { Cookie: coordinator } }), { id })));
        expect(pdf.status).toBe(200);
        expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");

        const xlsx = await run("export.xlsx", async () =>
          exportXlsx.loader(routeArgs(new Request(`${APP_URL}/admin/adesioni/export.xlsx?q=${encodeURIComponent(fields.email)}`, { headers: { Cookie: coordinator } }))),
        );
        for (const [name, data] of Object.entries(unzipSync(new Uint8Array(await xlsx.arrayBuffer())))) {
          if (!name.endsWith(".xml")) continue;
          expect(strFromU8(data), `${name} of the Excel export has characters XML 1.0 forbids`).not.toMatch(XML_FORBIDDEN);
        }
        for (const mail of outboxFor(fields.email)) {
          const rendered = await renderEmail(mail.template, mail.props);
          expect(rendered.subject, `subject of ${mail.template}`).not.toMatch(/[\u0000-\u001f\u007f]/);
        }

        const created = await run("create", async () =>
          tavoloNuovo.action(routeArgs(await formPost("/admin/tavoli/nuovo", roundTableFields({ title: v.title, place: v.office, mode: "ibrido" }), [coordinator]))),
        );
        expectSaneAnswer(await readAnswer(created.clone()), "POST /admin/tavoli/nuovo");
        if (created.status !== 302) return;
        const rtId = created.headers.get("Location")!.match(/\/admin\/tavoli\/(\d+)/)![1];
        expect((await run("publish", async () => tavolo.action(routeArgs(await formPost(`/admin/tavoli/${rtId}`, { intent: "publish" }, [coordinator]), { id: rtId })))).status).toBe(302);
        const ics = await (await run("feed", () => feed.loader(routeArgs(new Request(`${APP_URL}/tavoli-tecnici.ics`))))).text();
        expect(ics, "the iCalendar feed has control characters").not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
        for (const line of ics.replace(/\r\n[ \t]/g, "").split("\r\n").filter(Boolean)) {
          expect(line, "an iCalendar line that is not a property").toMatch(/^[A-Z][A-Z0-9-]*[;:]/);
        }
      }),
      { numRuns: 10 },
    );
  }, 60_000);

  it("a subject with a line break cannot add a header to the email", async () => {
    const registration = validRegistrationFields({ bodyKind: "unione_comuni", municipalityCode: "", bodyName: "Unione\r\nBcc: vittima@example.org" });
    const response = await run("POST /adesione", async () => adesione.action(routeArgs(await formPost("/adesione", registration))));
    expect([302, 400]).toContain(response.status);
    if (response.status !== 302) return;
    const [mail] = outboxFor(registration.email);
    const rendered = await renderEmail(mail.template, mail.props);
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const info = await transport.sendMail({ from: "portale@example.org", to: registration.email, subject: rendered.subject, html: rendered.html, text: rendered.text });
    const parsed = await simpleParser(info.message as Buffer);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has("bcc")).toBe(false);
  });
});
