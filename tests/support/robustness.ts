// Shared by the robustness tests (issue 8): a fingerprint of the whole database, hostile input for
// fast-check, the checks every answer to bad input must pass, a seeded dataset with one of
// everything (so that every route has a real id or token to work on) and the route files as Remix
// sees them.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { expect } from "vitest";
import { outbox } from "#db/schema";
import { saveCommunicationDraft } from "~/models/communication.server";
import { inviteCoordinator } from "~/models/coordinator.server";
import { sendCoordinatorPasswordReset } from "~/models/coordinator-password.server";
import { sendInvitations } from "~/models/invitation.server";
import { addLinkMaterial } from "~/models/material.server";
import { requestErasure } from "~/models/privacy.server";
import { findReferentAccess } from "~/models/referent-session.server";
import { action as loginAction } from "~/routes/area-referente.accedi._index";
import { action as emailChangeAction } from "~/routes/area-referente.email._index";
import { action as handoverAction } from "~/routes/area-referente.subentro";
import { action as importUploadAction } from "~/routes/admin.importa._index";
import { commitCsrfToken } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { createUnsubscribeToken } from "~/utils/unsubscribe.server";
import { createTestCoordinator, sessionCookieFor, settle } from "./admin";
import { confirmationTokenFor, outboxFor, requestsForEmail } from "./db-queries";
import { uniqueEmail, validRegistrationFields } from "./factories";
import { csvFile, importHeaders, randomFiscalCode } from "./import-files";
import { createReferent, latestLoginEmail, referentCookie, referentPost, type TestReferent } from "./referent";
import { APP_URL, browserPost, routeArgs } from "./requests";
import { routePathOf } from "./route-paths";
import { createTestRoundTable } from "./round-tables";

// ----------------------------------------------------------------------------------------------
// The database, fingerprinted

export type DbSnapshot = Record<string, { rows: number; hash: string }>;

/** Columns left out of the fingerprint: a session's "last seen" moves on every visit by design. */
export const VOLATILE_COLUMNS: Record<string, string[]> = { sessions: ["last_seen_at"] };

const replacer = (_key: string, value: unknown) =>
  value && typeof value === "object" && (value as { type?: string }).type === "Buffer" ? `buffer:${JSON.stringify(value)}` : value;

/** Every row of every table (as JSON lines, in rowid order), without the volatile columns. */
export function dumpDatabase({ ignoreColumns = VOLATILE_COLUMNS } = {}): Record<string, string[]> {
  const client = getDb().$client;
  const tables = client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const dump: Record<string, string[]> = {};
  for (const { name } of tables) {
    const ignored = ignoreColumns[name] ?? [];
    const rows = client.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Record<string, unknown>[];
    dump[name] = rows.map((row) => {
      for (const column of ignored) delete row[column];
      return JSON.stringify(row, replacer);
    });
  }
  return dump;
}

/** Row count and a SHA-256 of the rows of every table: equal snapshots mean byte-for-byte equal data. */
export function snapshotDatabase(options?: Parameters<typeof dumpDatabase>[0]): DbSnapshot {
  const snapshot: DbSnapshot = {};
  for (const [table, rows] of Object.entries(dumpDatabase(options))) {
    snapshot[table] = { rows: rows.length, hash: crypto.createHash("sha256").update(rows.join("\n")).digest("hex") };
  }
  return snapshot;
}

/** The rows added or changed between two dumps, per table (for readable failure messages). */
export function diffDumps(before: Record<string, string[]>, after: Record<string, string[]>) {
  const changes: Record<string, { added: string[]; removed: string[] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = new Set(before[table] ?? []);
    const b = new Set(after[table] ?? []);
    const added = [...b].filter((r) => !a.has(r));
    const removed = [...a].filter((r) => !b.has(r));
    if (added.length || removed.length) changes[table] = { added, removed };
  }
  return changes;
}

// ----------------------------------------------------------------------------------------------
// Hostile input

export const MARKUP = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "{{7*7}}",
  "'; DROP TABLE referents; --",
  "${7*7}",
  "<svg/onload=alert(1)>",
  "</textarea><script>alert(2)</script>",
  "javascript:alert(1)",
  '=HYPERLINK("https://attacker.example","clic")',
  "+SUM(1,2)",
  "-2+3",
  "@SUM(A1:A2)",
  "\t=1+1",
  "\r=1+1",
] as const;

export const SCRIPTS = [
  "مرحبا بالعالم",
  "Привет, мир",
  "שלום עולם",
  "漢字かなカナ",
  "👩‍👩‍👧‍👦🇮🇹✨",
  "\u200f\u202eevil\u202c",
  "a\u200bb\u200dc\ufeffd",
  "Zalgo: z̸̢̛a̵̧l̶g̷o̴",
  "Caltanissetta ἀρχή",
  "e\u0301 vs é",
] as const;

export const NUMBERS = ["0", "-1", "1e3", "1.5", " 7 ", "0x10", "NaN", "Infinity", "99999999999999999999", "9007199254740993", ""] as const;

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const oddChar = fc.constantFrom("\u007f", "\u0085", "\u2028", "\u2029", "\ud800", "\udfff", "\uffff", "\ufffe");

/** Text full of control characters (NUL, ESC, CR, LF…). */
export const controlText = fc.string({ unit: fc.oneof(controlChar, oddChar, fc.constantFrom("a", " ", "è")), minLength: 1, maxLength: 40 });

/** A field of about 100 KB. */
export const oversized = fc
  .constantFrom("x", "é", "😀", "<", "a.", "1", " ", "\u0000", "مرحبا")
  .map((unit) => unit.repeat(Math.ceil(100_000 / unit.length)));

/** One hostile value: random, control characters, other scripts, markup, numbers, oversized, or a mix. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }) },
  { weight: 2, arbitrary: controlText },
  { weight: 3, arbitrary: fc.constantFrom(...SCRIPTS) },
  { weight: 4, arbitrary: fc.constantFrom(...MARKUP) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: oversized },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...MARKUP, ...SCRIPTS), controlText, fc.string({ maxLength: 8 })), { minLength: 2, maxLength: 5 })
      .map((parts) => parts.join(" ")),
  },
);

/** Field names a browser would never send: dotted paths, prototype keys, indexes, clashes with real names. */
export const hostileFieldName = (realNames: string[]) =>
  fc.oneof(
    fc.constantFrom(
      "__proto__.polluted",
      "constructor.prototype.polluted",
      "toString.x",
      "projects",
      "projects.0",
      "projects.x",
      "projects.-1.category",
      "projects.999999999.category",
      "a.b.c.d.e.f.g",
      "",
      ".",
      "..",
    ),
    fc.constantFrom(...realNames),
    fc.constantFrom(...realNames).map((n) => `${n}.x`),
    fc.constantFrom(...realNames).map((n) => `${n}.0`),
    fc.string({ unit: "binary", maxLength: 20 }),
  );

type Mutation = { replace: string } | { drop: true } | { insert: string; at: number };

/** How a field is spoilt: replaced by a hostile value, dropped, or its valid value with hostile text slipped in. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: hostileText.map((replace) => ({ replace })) },
  { weight: 1, arbitrary: fc.constant({ drop: true as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ insert: fc.oneof(controlText, fc.constantFrom(...MARKUP, ...SCRIPTS)), at: fc.nat() }),
  },
);

/**
 * The fields of a form with some of them replaced by hostile values, dropped, or with hostile text
 * slipped into their valid value (which often keeps the form valid: then what is stored is checked),
 * and a few extra hostile names added (fields keep their order: repeated names are kept as sent).
 */
export function hostileForm(base: Record<string, string> | [string, string][]) {
  const entries: [string, string][] = Array.isArray(base) ? base : Object.entries(base);
  const names = [...new Set(entries.map(([n]) => n))];
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...names), mutation), { minLength: 1, maxLength: Math.min(6, names.length) }),
      fc.array(fc.tuple(hostileFieldName(names), hostileText), { maxLength: 3 }),
    )
    .map(([changes, extra]) => {
      const fields: [string, string][] = entries.map(([n, v]) => [n, v]);
      for (const [name, change] of changes) {
        const i = fields.findIndex(([n]) => n === name);
        if (i < 0) continue;
        if ("drop" in change) fields.splice(i, 1);
        else if ("replace" in change) fields[i] = [name, change.replace];
        else {
          const value = fields[i][1];
          const at = change.at % (value.length + 1);
          fields[i] = [name, value.slice(0, at) + change.insert + value.slice(at)];
        }
      }
      return [...fields, ...extra];
    });
}

// ----------------------------------------------------------------------------------------------
// Checks on the answers

/** zod's English defaults and other words an Italian message never contains. */
export const ENGLISH = /\b(Required|Invalid|Expected|received|String must|Number must|Array must|must contain|must be|Unrecognized|too_small|too_big|invalid_type|undefined|NaN|TypeError|Error:|SqliteError)\b/;

/** The messages of an action's JSON answer: errors, formError, error, message (echoed input is not a message). */
export function messagesOf(data: unknown): string[] {
  if (!data || typeof data !== "object") return [];
  const found: string[] = [];
  const record = data as Record<string, unknown>;
  if (record.errors && typeof record.errors === "object") found.push(...Object.values(record.errors as Record<string, unknown>).map(String));
  for (const key of ["formError", "error", "message"]) if (typeof record[key] === "string") found.push(record[key] as string);
  return found;
}

export type Answer = { status: number; messages: string[]; body: string; location: string | null };

/**
 * Reads an action's Response: the status, the messages (JSON) or the text (plain answers), and checks
 * that nothing in it is English or a leaked error.
 */
export async function readAnswer(response: Response): Promise<Answer> {
  const type = response.headers.get("Content-Type") ?? "";
  const body = response.status === 204 || response.body === null ? "" : await response.text();
  let messages: string[] = [];
  if (type.includes("json") && body) messages = messagesOf(JSON.parse(body));
  else if (body) messages = [body];
  return { status: response.status, messages, body, location: response.headers.get("Location") };
}

/** The assertions every answer to any input must pass. */
export function expectSaneAnswer(answer: Answer, what: string) {
  expect(answer.status, `${what}: status`).toBeLessThan(500);
  for (const message of answer.messages) {
    // What the person typed, quoted back «…», is theirs: only the portal's own words must be Italian.
    expect(message.replace(/«[^»]*»/g, "«»"), `${what}: a message in English or a leaked error`).not.toMatch(ENGLISH);
    expect(message, `${what}: a stack trace`).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  }
}

/** Runs a loader or action; a thrown non-Response (what Remix turns into a 500) fails with a clear message. */
export async function run(what: string, fn: () => Promise<unknown> | unknown): Promise<Response> {
  try {
    return await settle(fn);
  } catch (error) {
    throw new Error(`${what} threw instead of answering (a 500): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, {
      cause: error,
    });
  }
}

/** Object.prototype must stay clean: a form field must never reach it. */
export function expectNoPrototypePollution() {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted, "Object.prototype polluted by a form field").toBeUndefined();
  expect((Object as unknown as Record<string, unknown>).x, "Object polluted by a form field").toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

// ----------------------------------------------------------------------------------------------
// Requests with several cookies

/** A urlencoded POST with a valid CSRF token and Origin, plus the given session cookies. Fields may repeat. */
export async function formPost(path: string, fields: [string, string][] | Record<string, string>, cookies: string[] = []) {
  const base = await browserPost(path, {});
  const token = new URLSearchParams(await base.clone().text());
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
  for (const [name, value] of token) if (!body.has(name)) body.append(name, value);
  const headers = new Headers(base.headers);
  headers.set("Cookie", [headers.get("Cookie"), ...cookies].join("; "));
  return new Request(base.url, { method: "POST", body, headers });
}

/** A multipart POST with a valid CSRF token and Origin, plus the given session cookies. */
export async function multipartPost(path: string, form: FormData, cookies: string[] = [], { csrf = true, origin = APP_URL } = {}) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  if (csrf && !form.has("csrf")) form.set("csrf", token);
  return new Request(`${APP_URL}${path}`, {
    method: "POST",
    body: form,
    headers: { Cookie: [setCookie!.split(";")[0], ...cookies].join("; "), Origin: origin },
  });
}

// ----------------------------------------------------------------------------------------------
// A dataset with one of everything

export type World = {
  admin: { id: number; cookie: string };
  coordinator: { id: number; cookie: string };
  /** Active referente of an approved ente, with a project, an invitation and a handover proposal. */
  active: TestReferent & { cookie: string; projectId: number };
  /** Active referente who asked for the erasure of their data. */
  erasing: TestReferent & { cookie: string };
  /** Confirmed, awaiting approval, with the project of its scheda. */
  pending: TestReferent & { cookie: string; projectId: number };
  /** Scheda sent, email not confirmed. */
  unverified: TestReferent;
  confirmationToken: string;
  roundTableId: number;
  draftRoundTableId: number;
  materialId: number;
  invitationToken: string;
  invitationId: number;
  handoverToken: string;
  successorEmail: string;
  coordinatorInviteToken: string;
  /** A password reset link of the plain coordinator. */
  coordinatorResetToken: string;
  loginLinkToken: string;
  emailChangeToken: string;
  unsubscribeToken: string;
  outboxId: number;
  failedOutboxId: number;
  importId: string;
  /** A draft comunicazione with an attachment. */
  communicationId: number;
};

const projectOf = (requestId: number) =>
  getDb().$client.prepare("SELECT id FROM sai_projects WHERE request_id = ? ORDER BY id LIMIT 1").get(requestId) as { id: number };

/**
 * Everything the portal holds, made through its own functions and forms: coordinators (an admin and
 * a plain one, signed in), referenti in every state with their sessions, a published and a draft
 * Tavolo tecnico with a material and invitations, a handover proposal, a coordinator invitation, a
 * sign-in link, an email change, an unsubscribe link, a failed email and an uploaded import.
 */
export async function seedWorld(): Promise<World> {
  const db = getDb();
  const adminRow = db.$client.prepare("SELECT id FROM coordinators WHERE role = 'admin' ORDER BY id LIMIT 1").get() as { id: number };
  const plain = createTestCoordinator({ name: "Coordinatore semplice" });
  const admin = { id: adminRow.id, cookie: (await sessionCookieFor(adminRow.id)).cookie };
  const coordinator = { id: plain.id, cookie: (await sessionCookieFor(plain.id)).cookie };

  const activeRef = await createReferent("active");
  const active = { ...activeRef, cookie: (await referentCookie(activeRef.referentId)).cookie, projectId: projectOf(activeRef.requestId).id };
  const erasingRef = await createReferent("active");
  const erasing = { ...erasingRef, cookie: (await referentCookie(erasingRef.referentId)).cookie };
  expect(requestErasure(db, { referentId: erasing.referentId, appUrl: APP_URL }).ok).toBe(true);
  const pendingRef = await createReferent("pending");
  const pending = { ...pendingRef, cookie: (await referentCookie(pendingRef.referentId)).cookie, projectId: projectOf(pendingRef.requestId).id };
  const unverified = await createReferent("unverified");
  const confirmationToken = confirmationTokenFor(unverified.email);

  const rt = createTestRoundTable(admin.id);
  const draft = createTestRoundTable(admin.id, {}, { publish: false });
  const material = addLinkMaterial(db, {
    roundTableId: rt.id,
    input: { kind: "video", title: "Registrazione", curatedBy: "Segreteria", visibility: "public", url: "https://video.example.org/1" },
    coordinatorId: admin.id,
  });
  if (!material.ok) throw new Error(material.error);
  const materialId = (db.$client.prepare("SELECT id FROM materials WHERE round_table_id = ? ORDER BY id DESC LIMIT 1").get(rt.id) as { id: number }).id;
  const sent = sendInvitations(db, {
    roundTableId: rt.id,
    filters: { provinceCodes: [], categories: [], extraEmails: [], includeReferents: true },
    coordinatorId: admin.id,
    appUrl: APP_URL,
  });
  if (!sent.ok) throw new Error(sent.error);
  const invitationMail = outboxFor(active.email).find((m) => m.template === "round-table-invitation")!;
  const invitationToken = String(invitationMail.props.answerUrl).split("/").pop()!;
  const invitationId = (
    db.$client.prepare("SELECT id FROM invitations WHERE round_table_id = ? AND lower(email) = lower(?)").get(rt.id, active.email) as { id: number }
  ).id;

  // A handover proposal by the active referente, through the referent area's form.
  const successorEmail = uniqueEmail("successore");
  const proposal = await settle(async () =>
    handoverAction(
      routeArgs(
        await referentPost(
          "/area-referente/subentro",
          { firstName: "Giovanni", lastName: "Successore", role: "funzionario", office: "Servizi sociali", email: successorEmail, phone: "091 7654321", mobile: "" },
          active.cookie,
        ),
      ),
    ),
  );
  expect(proposal.status, "handover proposal").toBe(302);
  const handoverToken = String(outboxFor(successorEmail).find((m) => m.template === "handover-proposal")!.props.confirmUrl).split("/").pop()!;

  const invitedEmail = uniqueEmail("nuovo.coordinatore");
  const invited = inviteCoordinator(db, { email: invitedEmail, name: "Nuova Coordinatrice", role: "coordinator", invitedById: admin.id, appUrl: APP_URL });
  expect(invited.ok).toBe(true);
  const coordinatorInviteToken = String(outboxFor(invitedEmail).find((m) => m.template === "coordinator-invitation")!.props.inviteUrl).split("/").pop()!;
  expect(sendCoordinatorPasswordReset(db, { id: plain.id, actorId: admin.id, appUrl: APP_URL }).ok).toBe(true);
  const coordinatorResetToken = String(outboxFor(plain.email).find((m) => m.template === "coordinator-password-reset")!.props.resetUrl).split("/").pop()!;

  // A sign-in code for the pending referente, and an email change asked by the active one.
  const codeRequest = await settle(async () => loginAction(routeArgs(await browserPost("/area-referente/accedi", { email: pending.email }))));
  expect(codeRequest.status).toBe(303);
  const loginLinkToken = latestLoginEmail(pending.email)!.token;
  const newAddress = uniqueEmail("nuovo.indirizzo");
  const change = await settle(async () => emailChangeAction(routeArgs(await referentPost("/area-referente/email", { email: newAddress }, active.cookie))));
  expect(change.status).toBe(200);
  const emailChangeToken = String(outboxFor(newAddress).find((m) => m.template === "referent-email-change")!.props.confirmUrl).split("/").pop()!;

  const outboxId = outboxFor(active.email)[0].id;
  const failedOutboxId = outboxFor(pending.email)[0].id;
  db.update(outbox).set({ status: "failed", lastError: "550 5.1.1 mailbox unavailable", attempts: 3 }).where(eq(outbox.id, failedOutboxId)).run();

  // An uploaded member list, not imported yet (stored under the data directory, not in the database).
  const importId = await uploadImport(admin, importHeaders(1));

  return {
    admin,
    coordinator,
    active,
    erasing,
    pending,
    unverified,
    confirmationToken,
    roundTableId: rt.id,
    draftRoundTableId: draft.id,
    materialId,
    invitationToken,
    invitationId,
    handoverToken,
    successorEmail,
    coordinatorInviteToken,
    coordinatorResetToken,
    loginLinkToken,
    emailChangeToken,
    unsubscribeToken: createUnsubscribeToken(active.email),
    outboxId,
    failedOutboxId,
    importId,
    communicationId: await draftCommunication(coordinator.id),
  };
}

async function draftCommunication(coordinatorId: number) {
  const tempPath = path.join(getEnv().dataDir, `bozza-${crypto.randomUUID()}.part`);
  fs.writeFileSync(tempPath, "%PDF-1.4\n%%EOF\n");
  const saved = await saveCommunicationDraft(getDb(), {
    input: { subject: "Comunicazione di prova", body: "Testo di prova.", provinceCodes: [], categories: [] },
    upload: { tempPath, originalName: "nota.pdf", size: fs.statSync(tempPath).size },
    coordinatorId,
    uploadsDir: getEnv().uploadsDir,
  });
  if (!saved.ok) throw new Error(`draft comunicazione: ${JSON.stringify(saved)}`);
  return saved.id;
}

async function uploadImport(admin: { cookie: string }, headers: string[]) {
  const values: Record<string, string> = {
    "Tipo di ente": "Comune",
    "Comune (codice ISTAT o nome)": "Gela",
    "PEC dell'ente": "protocollo@pec.comune.gela.example.it",
    "Codice fiscale dell'ente": randomFiscalCode(),
    Nome: "Rosa",
    Cognome: "Importata",
    Ruolo: "Funzionario",
    "Ufficio o settore": "Servizi sociali",
    Email: uniqueEmail("importata"),
    Telefono: "0933 123456",
  };
  const row = Object.fromEntries(headers.map((h) => [h, values[h] ?? ""]));
  const form = new FormData();
  form.set("file", new File([new Uint8Array(csvFile(headers, [row]))], "aderenti.csv"));
  const response = await settle(async () => importUploadAction(routeArgs(await multipartPost("/admin/importa", form, [admin.cookie]))));
  expect(response.status, "import upload").toBe(302);
  return response.headers.get("Location")!.split("/").pop()!;
}

// ----------------------------------------------------------------------------------------------
// Routes as Remix sees them

export type RouteModule = {
  default?: unknown;
  loader?: (args: ReturnType<typeof routeArgs>) => unknown;
  action?: (args: ReturnType<typeof routeArgs>) => unknown;
};

export type RouteFile = { file: string; id: string; path: string; params: string[]; module: RouteModule };

export function routeFiles(modules: Record<string, RouteModule>): RouteFile[] {
  return Object.entries(modules)
    .map(([file, module]) => {
      const id = file.split("/").pop()!.replace(/\.tsx?$/, "");
      const path = id === "root" ? "/" : routePathOf(id);
      const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      return { file, id, path, params, module };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The real parameters of a route in the seeded world (every `:id` and `:token` gets a live one). */
export function paramsFor(route: RouteFile, world: World): Record<string, string> {
  const id = route.id;
  const pick = (): Record<string, string> => {
    if (id === "admin.adesioni.$id_.progetti.$projectId") return { id: String(world.pending.requestId), projectId: String(world.pending.projectId) };
    if (id.startsWith("admin.adesioni.$id")) return { id: String(world.pending.requestId) };
    if (id.startsWith("admin.importa.$id")) return { id: world.importId };
    if (id === "admin.coordinatori_.$id.email") return { id: String(world.coordinator.id) };
    if (id.startsWith("admin.posta.$id")) return { id: String(world.outboxId) };
    if (id.startsWith("admin.comunicazioni.$id")) return { id: String(world.communicationId) };
    if (id === "admin.tavoli.$id_.materiali_.$materialId") return { id: String(world.roundTableId), materialId: String(world.materialId) };
    if (id.startsWith("admin.tavoli.$id")) return { id: String(world.roundTableId) };
    if (id.startsWith("tavoli-tecnici.$id")) return { id: String(world.roundTableId) };
    if (id === "area-referente.progetti.$id") return { id: String(world.active.projectId) };
    if (id === "materiali.$id") return { id: String(world.materialId) };
    if (id === "adesione.conferma.$token") return { token: world.confirmationToken };
    if (id === "area-referente.accedi.link.$token") return { token: world.loginLinkToken };
    if (id === "area-referente.email.conferma.$token") return { token: world.emailChangeToken };
    if (id === "disiscrizione.$token") return { token: world.unsubscribeToken };
    if (id === "invito-coordinatore.$token") return { token: world.coordinatorInviteToken };
    if (id === "login_.reimposta-password.$token") return { token: world.coordinatorResetToken };
    if (id.startsWith("invito.$token")) return { token: world.invitationToken };
    if (id === "subentro.$token") return { token: world.handoverToken };
    return {};
  };
  const params = pick();
  for (const name of route.params) if (!(name in params)) throw new Error(`No value for :${name} of ${route.id}`);
  return params;
}

export function fillPath(path: string, params: Record<string, string>) {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]));
}

/** Who asks: the Cookie header of each role in the seeded world. */
export function roleCookies(world: World): Record<"anonymous" | "referente" | "coordinator" | "admin", string[]> {
  return { anonymous: [], referente: [world.active.cookie], coordinator: [world.coordinator.cookie], admin: [world.admin.cookie] };
}

export { findReferentAccess, requestsForEmail, routePathOf, validRegistrationFields };
