// Test data for the invitations to the Tavoli tecnici: round tables written straight into the table
// (so these tests do not depend on the round-table management pages) and referenti created through
// the real registration, email confirmation and approval.
import { and, eq, notInArray, sql } from "drizzle-orm";
import { expect } from "vitest";
import { auditLog, invitations, materials, memberBodies, municipalities, outbox, roundTables } from "#db/schema";
import { approveMembership } from "~/models/membership-review.server";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { getDb } from "~/utils/db.server";
import { createTestCoordinator } from "./admin";
import { confirmationTokenFor, requestsForEmail } from "./db-queries";
import { uniqueEmail, validRegistrationFields } from "./factories";
import { APP_URL, browserPost, routeArgs } from "./requests";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export type RoundTableRow = typeof roundTables.$inferSelect;

/** A published round table starting in `startsInMs` (default 10 days), two hours long. */
export function createRoundTable(overrides: Partial<typeof roundTables.$inferInsert> & { startsInMs?: number } = {}): RoundTableRow {
  const { startsInMs = 10 * DAY, ...values } = overrides;
  const startsAt = values.startsAt ?? new Date(Date.now() + startsInMs);
  return getDb()
    .insert(roundTables)
    .values({
      title: "Inserimento lavorativo dei beneficiari SAI",
      description: "15:00 Saluti\n15:15 Relazioni\n16:30 Dibattito",
      mode: "online",
      onlineUrl: "https://meet.example.org/tavolo",
      speakers: [{ name: "G. Zollo", affiliation: "Servizio Centrale" }],
      status: "published",
      sequence: 0,
      ...values,
      startsAt,
      endsAt: values.endsAt ?? new Date(startsAt.getTime() + 2 * HOUR),
    })
    .returning()
    .get();
}

/** A stored 2 kB PDF of the round table, recorded as the materials page records an upload (no file on disk). */
export function addDocumentMaterial(
  roundTableId: number,
  { kind, title, visibility = "public" }: { kind: "nota_invito" | "slides" | "documento"; title: string; visibility?: "public" | "members" },
) {
  return getDb()
    .insert(materials)
    .values({ roundTableId, kind, title, visibility, storedFileName: "a".repeat(32), downloadName: `${title}.pdf`, mimeType: "application/pdf", sizeBytes: 2048 })
    .returning()
    .get();
}

/** A Sicilian comune of the province with no ente yet in this test file's database. */
export function freeComune(provinceCode: string) {
  const db = getDb();
  const taken = db.select({ code: memberBodies.municipalityCode }).from(memberBodies).all().map((r) => r.code!).filter(Boolean);
  const row = db
    .select({ code: municipalities.istatCode })
    .from(municipalities)
    .where(and(eq(municipalities.provinceCode, provinceCode), taken.length ? notInArray(municipalities.istatCode, taken) : undefined))
    .orderBy(sql`random()`)
    .limit(1)
    .get();
  if (!row) throw new Error(`no free comune left in province ${provinceCode}`);
  return row.code;
}

let approver: number | undefined;
const approverId = () => (approver ??= createTestCoordinator({ name: "Approvatore di prova" }).id);

export type ReferentOptions = {
  provinceCode?: string;
  category?: "ordinari" | "MSNA" | "DM/DS";
  fields?: Record<string, string>;
  /** "approved" (default): active referente; "pending": confirmed but not approved. */
  state?: "approved" | "pending" | "unconfirmed";
};

/** Registers an ente and its referente through /adesione, confirms the email and approves it. */
export async function createReferent({ provinceCode = "082", category = "ordinari", fields = {}, state = "approved" }: ReferentOptions = {}) {
  const form = validRegistrationFields({
    municipalityCode: freeComune(provinceCode),
    email: uniqueEmail("ref"),
    "projects.0.category": category,
    ...fields,
  });
  const submitted = await submitAction(routeArgs(await browserPost("/adesione", form)));
  expect(submitted.status).toBe(302);
  if (state !== "unconfirmed") {
    const token = confirmationTokenFor(form.email);
    const confirmed = await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
    expect(confirmed.status).toBe(200);
  }
  const found = requestsForEmail(form.email).at(-1)!;
  if (state === "approved") {
    expect(approveMembership(getDb(), { id: found.request.id, coordinatorId: approverId(), appUrl: APP_URL })).toEqual({ ok: true });
  }
  return { fields: form, email: form.email, request: found.request, referent: found.referent, name: `${form.firstName} ${form.lastName}` };
}

export function invitationsOf(roundTableId: number) {
  return getDb().select().from(invitations).where(eq(invitations.roundTableId, roundTableId)).orderBy(invitations.id).all();
}

export function emailsOf(roundTableId: number, template?: string) {
  return getDb()
    .select()
    .from(outbox)
    .where(and(eq(outbox.roundTableId, roundTableId), template ? eq(outbox.template, template) : undefined))
    .orderBy(outbox.id)
    .all();
}

export function auditOf(action: string, entityId?: number | string) {
  return getDb()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), entityId === undefined ? undefined : eq(auditLog.entityId, String(entityId))))
    .orderBy(auditLog.id)
    .all();
}

/** The answer token as the invitation email carries it (from the queued props). */
export function answerTokenFor(roundTableId: number, email: string) {
  const row = emailsOf(roundTableId, "round-table-invitation").filter((r) => r.recipient === email).at(-1);
  if (!row) throw new Error(`no invitation email for ${email}`);
  return String(row.props.answerUrl).split("/").pop()!;
}

export function tableCounts() {
  const db = getDb();
  const count = (table: typeof invitations | typeof outbox | typeof auditLog | typeof roundTables) =>
    db.select({ n: sql<number>`count(*)` }).from(table).get()!.n;
  return { invitations: count(invitations), outbox: count(outbox), audit: count(auditLog), roundTables: count(roundTables) };
}

export { DAY, HOUR };
