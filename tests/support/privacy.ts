// Test data and checks for the privacy features (issue 6, point 5): people with names, addresses
// and numbers found nowhere else, registered through the real public form, and a scan of the whole
// database for any trace of them.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { membershipRequests, outbox, referents } from "#db/schema";
import { approveMembership } from "~/models/membership-review.server";
import { markEmailSent } from "~/models/outbox.server";
import { createReferentSession } from "~/models/referent-session.server";
import { action as confirmAction } from "~/routes/adesione.conferma.$token";
import { action as submitAction } from "~/routes/adesione._index";
import { getCookies } from "~/utils/cookies.server";
import { getDb } from "~/utils/db.server";
import { normalizeItalianPhone } from "~/validation/registration";
import { createTestCoordinator } from "./admin";
import { confirmationTokenFor } from "./db-queries";
import { uniqueEmail, validRegistrationFields } from "./factories";
import { APP_URL, browserPost, routeArgs } from "./requests";

const letters = (n: number) => Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz"[crypto.randomInt(26)]).join("");
const digits = (n: number) => Array.from({ length: n }, () => String(crypto.randomInt(10))).join("");

export type Person = { firstName: string; lastName: string; email: string; phone: string; mobile: string };

/** A person whose every detail is unique to this test run (so a scan finds only their own data). */
export function uniquePerson(): Person {
  return {
    firstName: `Ottaviano${letters(6)}`,
    lastName: `Brancaleone${letters(6)}`,
    email: uniqueEmail(`interessato${letters(4)}`),
    phone: `091 6${digits(6)}`,
    mobile: `347 ${digits(7)}`,
  };
}

/** The spellings of a number a scan must not find: as typed, E.164 and digits only. */
export function phoneForms(typed: string) {
  const e164 = normalizeItalianPhone(typed);
  expect(e164, `${typed} is a valid Italian number`).not.toBeNull();
  return [typed, e164!, typed.replace(/\D/g, "")];
}

/** Every trace of a person to look for: address, names, numbers in all their spellings. */
export function needlesOf(person: Person) {
  return [person.email, person.firstName, person.lastName, ...phoneForms(person.phone), ...phoneForms(person.mobile)];
}

let approver: number | undefined;
export const approverId = () => (approver ??= createTestCoordinator({ name: "Approvatrice privacy" }).id);

type Registered = { fields: Record<string, string>; referentId: number; requestId: number; memberBodyId: number };

/**
 * Registers a scheda for `person` through the public form, then confirms (default) and approves
 * (default) it. `overrides` are fields of the scheda (e.g. the comune of an existing ente: a handover).
 */
export async function registerPerson(
  person: Person,
  { overrides = {}, confirm = true, approve = true }: { overrides?: Record<string, string>; confirm?: boolean; approve?: boolean } = {},
): Promise<Registered> {
  const fields = validRegistrationFields({ ...person, ...overrides });
  const submitted = await submitAction(routeArgs(await browserPost("/adesione", fields)));
  expect(submitted.status).toBe(302);
  if (confirm) {
    const token = confirmationTokenFor(fields.email);
    await confirmAction(routeArgs(await browserPost(`/adesione/conferma/${token}`, {}), { token }));
  }
  const db = getDb();
  const referent = db.select().from(referents).where(eq(referents.email, fields.email)).all().at(-1)!;
  const request = db.select().from(membershipRequests).where(eq(membershipRequests.referentId, referent.id)).get()!;
  if (approve) {
    expect(approveMembership(db, { id: request.id, coordinatorId: approverId(), appUrl: APP_URL })).toEqual({ ok: true });
  }
  return { fields, referentId: referent.id, requestId: request.id, memberBodyId: request.memberBodyId };
}

/** The Cookie header of a browser signed in to the referent area as this referente. */
export async function referentCookie(referentId: number) {
  const sessionId = createReferentSession(getDb(), { referentId });
  return { sessionId, cookie: (await getCookies().referentSession.serialize(sessionId)).split(";")[0] };
}

export type Hit = { table: string; column: string; needle: string; value: string };

/**
 * Every occurrence of any needle (case-insensitive) in any column of any table of the database,
 * read from the schema itself (sqlite_master and PRAGMA table_info), so tables added later are
 * covered too. Values of every type are compared as text.
 */
export function findPersonalData(needles: string[]): Hit[] {
  const sqlite = getDb().$client;
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  const hits: Hit[] = [];
  for (const { name: table } of tables) {
    const columns = sqlite.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[];
    for (const { name: column } of columns) {
      const statement = sqlite.prepare(
        `SELECT CAST(${quote(column)} AS TEXT) AS v FROM ${quote(table)} WHERE instr(lower(CAST(${quote(column)} AS TEXT)), lower(?)) > 0`,
      );
      for (const needle of needles) {
        for (const row of statement.all(needle) as { v: string }[]) hits.push({ table, column, needle, value: row.v });
      }
    }
  }
  return hits;
}

/** The tables the scan looked at, to prove it covers the whole schema. */
export function scannedTables() {
  return (
    getDb().$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
  ).map((t) => t.name);
}

/** The notice that the erasure was carried out, queued to `email` (the address the person asked from). */
export function erasureNoticeTo(email: string) {
  return getDb().select().from(outbox).where(and(eq(outbox.recipient, email), eq(outbox.template, "erasure-completed"))).get();
}

/** The worker's delivery of that notice (markEmailSent, as after the SMTP server took it); returns its row id. */
export function deliverErasureNotice(email: string) {
  const notice = erasureNoticeTo(email);
  expect(notice, `a notice of the erasure queued to ${email}`).toBeDefined();
  markEmailSent(getDb(), { id: notice!.id, subject: "I tuoi dati sono stati cancellati", now: new Date() });
  return notice!.id;
}

/** What a scan finds right after an erasure: only the address of the notice still to be delivered. */
export const onlyTheNoticeTo = (email: string) => [expect.objectContaining({ table: "outbox", column: "recipient", needle: email, value: email })];
