import fs from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import {
  auditLog,
  coordinators,
  invitations,
  memberBodies,
  membershipRequests,
  outbox,
  referentEmailChanges,
  referentLoginCodes,
  referents,
  saiProjects,
  sessions,
} from "#db/schema";
import { auditSearchTextOfJson } from "~/models/audit.server";
import { auditDetailPairs, recordNameKey } from "~/utils/audit-labels";
import { getNetworkFigures } from "~/models/figures.server";
import {
  eraseReferent,
  ERASED_FIRST_NAME,
  ERASED_LAST_NAME,
  getPrivacySettings,
  listPendingErasures,
  requestErasure,
  withdrawErasure,
} from "~/models/privacy.server";
import { markEmailFailedAttempt } from "~/models/outbox.server";
import { exportReferentData } from "~/models/privacy-export.server";
import { purgeExpiredRequests } from "~/models/request-retention.server";
import { requestEmailChange, updateReferentContact } from "~/models/referent-area.server";
import { requestLoginCode } from "~/models/referent-login.server";
import { findEligibleReferents, findReferentAccess, findSessionReferent } from "~/models/referent-session.server";
import { action as loginAction } from "~/routes/login";
import { getDb } from "~/utils/db.server";
import { getEnv, parseEnv } from "~/utils/env.server";
import { renderEmail } from "~/utils/render-email.server";
import { ofBody } from "~/utils/text";
import { loadImportUpload, saveImportUpload } from "~/utils/import-store.server";
import { scheduledJobs } from "~/utils/scheduled-jobs.server";
import { contactSchema } from "~/validation/referent-area";
import { createTestCoordinator } from "../../support/admin";
import { createRoundTable } from "../../support/invitations";
import {
  approverId,
  deliverErasureNotice,
  erasureNoticeTo,
  findPersonalData,
  needlesOf,
  onlyTheNoticeTo,
  phoneForms,
  referentCookie,
  registerPerson,
  scannedTables,
  uniquePerson,
  type Person,
} from "../../support/privacy";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";

const db = () => getDb();
const DAY = 24 * 60 * 60 * 1000;
const adminId = () => db().select().from(coordinators).where(eq(coordinators.email, "coordinatore@example.org")).get()!.id;
const referentRow = (id: number) => db().select().from(referents).where(eq(referents.id, id)).get();
const count = (table: SQLiteTable) => db().select({ n: sql<number>`count(*)` }).from(table).get()!.n;

function tableCounts() {
  return {
    bodies: count(memberBodies),
    members: db().select({ n: sql<number>`count(*)` }).from(memberBodies).where(eq(memberBodies.status, "member")).get()!.n,
    referents: count(referents),
    requests: count(membershipRequests),
    projects: count(saiProjects),
    invitations: count(invitations),
    answered: db().select({ n: sql<number>`count(*)` }).from(invitations).where(sql`${invitations.answer} <> 'pending'`).get()!.n,
    yes: db().select({ n: sql<number>`count(*)` }).from(invitations).where(eq(invitations.answer, "yes")).get()!.n,
    attended: db().select({ n: sql<number>`count(*)` }).from(invitations).where(eq(invitations.attended, true)).get()!.n,
    outbox: count(outbox),
  };
}

function invite(roundTableId: number, referent: { id: number; email: string; firstName: string; lastName: string }, answer: "yes" | "no") {
  const invitation = db()
    .insert(invitations)
    .values({
      roundTableId,
      referentId: referent.id,
      email: referent.email,
      tokenHash: `hash-${referent.id}-${roundTableId}-${Math.random()}`,
      answer,
      answeredAt: new Date(),
      attended: answer === "yes",
    })
    .returning()
    .get();
  // The invitation email as the invitations feature queues it, with the name and the answer link.
  db()
    .insert(outbox)
    .values({
      recipient: referent.email,
      template: "round-table-invitation",
      props: { recipientName: `${referent.firstName} ${referent.lastName}`, answerUrl: `${APP_URL}/invito/abc${invitation.id}` },
      status: "sent",
      nextAttemptAt: new Date(),
      sentAt: new Date(),
      messageId: `<inv-${invitation.id}@portale.test>`,
      roundTableId,
    })
    .run();
  return invitation;
}

describe("exportReferentData", () => {
  it("returns everything held about the referente and their ente, and nothing of another referente of another ente", async () => {
    const person = uniquePerson();
    const other = uniquePerson();
    const mine = await registerPerson(person);
    const theirs = await registerPerson(other);
    const table = createRoundTable({ startsInMs: -5 * DAY, number: 901 });
    invite(table.id, { ...referentRow(mine.referentId)!, id: mine.referentId }, "yes");
    invite(table.id, { ...referentRow(theirs.referentId)!, id: theirs.referentId }, "no");

    const data = exportReferentData(db(), { referentId: mine.referentId })!;
    const ref = referentRow(mine.referentId)!;
    expect(data.referents).toHaveLength(1);
    expect(data.referents[0]).toMatchObject({
      id: mine.referentId,
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email,
      phone: phoneForms(person.phone)[1],
      mobile: phoneForms(person.mobile)[1],
      office: "Servizi sociali",
      role: "dirigente",
      privacyNoticeVersion: ref.privacyNoticeVersion,
      receivesCommunications: true,
    });
    expect(data.referents[0].validFrom).toBeInstanceOf(Date);
    expect(data.membershipRequests).toHaveLength(1);
    expect(data.membershipRequests[0]).toMatchObject({ id: mine.requestId, status: "approved", kind: "new" });
    expect(data.membershipRequests[0].submission).toMatchObject({ firstName: person.firstName, email: person.email, fiscalCode: mine.fields.fiscalCode });
    expect(data.memberBodies.map((b) => [b.id, b.fiscalCode, b.status])).toEqual([[mine.memberBodyId, mine.fields.fiscalCode, "member"]]);
    expect(data.projects.map((p) => [p.category, p.fundedPlaces, p.projectCode])).toEqual([["ordinari", 25, "PROG-1776-PR-3"]]);
    expect(data.invitations).toHaveLength(1);
    expect(data.invitations[0]).toMatchObject({ answer: "yes", attended: true, email: person.email, roundTable: { number: 901 } });
    expect(data.emailsSent.map((e) => e.template).sort()).toEqual(["confirm-registration", "membership-approved", "round-table-invitation"]);
    expect(new Set(data.emailsSent.map((e) => e.recipient))).toEqual(new Set([person.email]));
    expect(data.activity.map((a) => a.action)).toEqual(["membership.submitted", "membership.email_confirmed", "membership.approved"]);

    // Secrets are not personal data the person needs, and must not leak through a download.
    const text = JSON.stringify(data);
    expect(text).not.toMatch(/tokenHash|token_hash|passwordHash/i);
    // Nor the member list's folded copies of the names: the names themselves are there.
    expect(text).not.toMatch(/searchText|searchName/);
    // Nothing of the other ente, its referente, or the coordinators notified about either request.
    const theirBody = db().select().from(memberBodies).where(eq(memberBodies.id, theirs.memberBodyId)).get()!;
    for (const foreign of [...needlesOf(other), theirBody.name, theirBody.fiscalCode, "coordinatore@example.org"]) {
      expect(text.toLowerCase()).not.toContain(foreign.toLowerCase());
    }
    // The other way round, too.
    const theirText = JSON.stringify(exportReferentData(db(), { referentId: theirs.referentId }));
    for (const foreign of needlesOf(person)) expect(theirText.toLowerCase()).not.toContain(foreign.toLowerCase());
    expect(exportReferentData(db(), { referentId: 999_999 })).toBeNull();
  });

  it("covers every row of the same person (same address), e.g. a new scheda after a rejection", async () => {
    const person = uniquePerson();
    const first = await registerPerson(person, { approve: false });
    const { rejectMembership } = await import("~/models/membership-review.server");
    expect(rejectMembership(db(), { id: first.requestId, coordinatorId: approverId(), appUrl: APP_URL, reason: "Scheda incompleta, da rifare" })).toEqual({ ok: true });
    const second = await registerPerson(person, { overrides: { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode } });
    const data = exportReferentData(db(), { referentId: second.referentId })!;
    expect(data.referents.map((r) => r.id)).toEqual([first.referentId, second.referentId]);
    expect(data.membershipRequests.map((r) => [r.id, r.status])).toEqual([
      [first.requestId, "rejected"],
      [second.requestId, "approved"],
    ]);
    expect(data.membershipRequests[0].decisionReason).toBe("Scheda incompleta, da rifare");
  });
});

describe("requestErasure", () => {
  it("records the request once and tells every active admin (who alone can erase), without the person's data", async () => {
    createTestCoordinator({ name: "Coordinatrice senza poteri di cancellazione" });
    const person = uniquePerson();
    const { referentId, memberBodyId } = await registerPerson(person);
    const requests = () =>
      db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "referent.erasure_requested"), eq(auditLog.entityId, String(referentId))))
        .all();
    const notices = () => db().select().from(outbox).where(eq(outbox.template, "erasure-requested")).all().filter((o) => o.props.referentId === referentId);

    expect(requestErasure(db(), { referentId, appUrl: APP_URL })).toEqual({ ok: true, alreadyRequested: false });
    expect(requestErasure(db(), { referentId, appUrl: APP_URL })).toEqual({ ok: true, alreadyRequested: true });
    expect(requests()).toHaveLength(1);
    expect(requests()[0]).toMatchObject({ actorType: "referent", actorId: referentId, details: { memberBodyId } });
    const active = db().select().from(coordinators).where(sql`${coordinators.passwordHash} IS NOT NULL AND ${coordinators.disabledAt} IS NULL`).all();
    const adminEmails = active.filter((c) => c.role === "admin").map((c) => c.email);
    expect(adminEmails.length).toBeGreaterThan(0);
    expect(active.some((c) => c.role === "coordinator"), "a plain coordinator exists and is left out").toBe(true);
    expect(notices().map((n) => n.recipient).sort()).toEqual(adminEmails.sort());
    expect(notices()[0].props).toMatchObject({ erasuresUrl: `${APP_URL}/admin/cancellazioni` });
    expect(JSON.stringify(notices())).not.toContain(person.lastName);
    expect(listPendingErasures(db()).filter((p) => p.referentId === referentId)).toHaveLength(1);
  });

  it("acknowledges the request to the person, once, in the same transaction", async () => {
    const person = uniquePerson();
    const { referentId, memberBodyId } = await registerPerson(person);
    const acknowledgements = () => db().select().from(outbox).where(and(eq(outbox.recipient, person.email), eq(outbox.template, "erasure-request-received"))).all();
    expect(requestErasure(db(), { referentId, appUrl: APP_URL, now: new Date("2026-12-03T10:00:00Z") }).ok).toBe(true);
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(acknowledgements()).toHaveLength(1);
    expect(acknowledgements()[0]).toMatchObject({
      status: "queued",
      memberBodyId,
      props: { firstName: person.firstName, requestedOn: "3 dicembre 2026", privacyUrl: `${APP_URL}/area-referente/privacy` },
    });
  });
});

describe("withdrawErasure", () => {
  const withdrawals = (referentId: number) =>
    db().select().from(auditLog).where(and(eq(auditLog.action, "referent.erasure_withdrawn"), eq(auditLog.entityId, String(referentId)))).all();
  const listed = (referentId: number) => listPendingErasures(db()).some((p) => p.referentId === referentId);

  it("ends the pending request: audited, no longer listed nor executable, and a new request can follow", async () => {
    const { referentId } = await registerPerson(uniquePerson());
    expect(withdrawErasure(db(), { referentId })).toEqual({ ok: false, error: "Non c'è una richiesta di cancellazione in attesa da ritirare." });
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(listed(referentId)).toBe(true);

    expect(withdrawErasure(db(), { referentId })).toEqual({ ok: true });
    expect(withdrawals(referentId).map((a) => [a.actorType, a.actorId])).toEqual([["referent", referentId]]);
    expect(listed(referentId)).toBe(false);
    expect(getPrivacySettings(db(), { referentId })!.erasureRequestedAt).toBeNull();
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL })).toEqual({
      ok: false,
      error: "Non c'è una richiesta di cancellazione in attesa per questo referente.",
    });
    expect(referentRow(referentId)!.erasedAt).toBeNull();
    expect(withdrawErasure(db(), { referentId }).ok).toBe(false);
    expect(withdrawals(referentId)).toHaveLength(1);

    // Asking again is a new request, which an admin can execute.
    expect(requestErasure(db(), { referentId, appUrl: APP_URL })).toEqual({ ok: true, alreadyRequested: false });
    expect(listed(referentId)).toBe(true);
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(true);
  });

  it("finds the person's request whichever of their referente rows asked", async () => {
    const person = uniquePerson();
    const first = await registerPerson(person);
    const second = await registerPerson(person);
    expect(requestErasure(db(), { referentId: first.referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(getPrivacySettings(db(), { referentId: second.referentId })!.erasureRequestedAt).toBeInstanceOf(Date);
    expect(withdrawErasure(db(), { referentId: second.referentId })).toEqual({ ok: true });
    expect(withdrawals(first.referentId)).toEqual([expect.objectContaining({ actorId: second.referentId })]);
    expect(listed(first.referentId)).toBe(false);
    expect(getPrivacySettings(db(), { referentId: first.referentId })!.erasureRequestedAt).toBeNull();
  });
});

describe("eraseReferent", () => {
  /**
   * A referente with a full history: they took over from a predecessor (whose notice names them),
   * changed their phone, asked for a new address, asked for a sign-in code, were invited and answered,
   * had a delivery error quoting their address, and someone tried their address on the coordinators' login.
   */
  async function referentWithHistory() {
    const predecessor = uniquePerson();
    const person = uniquePerson();
    const newAddress = uniquePerson().email;
    const oldPhone = person.phone;
    const first = await registerPerson(predecessor);
    const mine = await registerPerson(person, { overrides: { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode } });
    expect(referentRow(first.referentId)!.validTo).toBeInstanceOf(Date);

    const access = findReferentAccess(db(), { referentId: mine.referentId })!;
    expect(access.status).toBe("active");
    const updated: Person = { ...person, phone: `091 7${String(Math.random()).slice(2, 8)}` };
    const changes = contactSchema.parse({ ...updated, role: "funzionario", office: "Ufficio immigrazione" });
    expect(updateReferentContact(db(), { access, changes }).ok).toBe(true);
    expect(requestEmailChange(db(), { access, email: newAddress, appUrl: APP_URL }).ok).toBe(true);
    expect(requestLoginCode(db(), { email: person.email, appUrl: APP_URL }).sent).toBe(true);

    const table = createRoundTable({ startsInMs: -3 * DAY });
    invite(table.id, { ...referentRow(mine.referentId)!, id: mine.referentId }, "yes");
    invite(table.id, { ...referentRow(first.referentId)!, id: first.referentId }, "no");
    // Invited once before, as an address typed by hand with their name.
    const earlier = createRoundTable({ startsInMs: -20 * DAY });
    db()
      .insert(invitations)
      .values({ roundTableId: earlier.id, email: person.email, name: `${person.firstName} ${person.lastName}`, tokenHash: `hash-typed-${Math.random()}` })
      .run();
    const approved = db().select().from(outbox).where(and(eq(outbox.recipient, person.email), eq(outbox.template, "membership-approved"))).get()!;
    db().update(outbox).set({ lastError: `550 5.1.1 <${person.email}>: mailbox full` }).where(eq(outbox.id, approved.id)).run();
    const login = await loginAction(routeArgs(await browserPost("/login", { email: person.email, password: "password-sbagliata" })));
    expect(login.status).toBe(401);
    const session = await referentCookie(mine.referentId);

    const needles = [...needlesOf(person), ...phoneForms(oldPhone), ...phoneForms(updated.phone), newAddress, "Ufficio immigrazione"];
    return { predecessor, person, first, mine, session, needles };
  }

  it("leaves no personal data of the person in any column of any table, while every count stays right", async () => {
    const { predecessor, first, mine, session, needles } = await referentWithHistory();
    // The scan sees the whole schema and, before the erasure, finds the person almost everywhere.
    expect(scannedTables()).toEqual(expect.arrayContaining(["referents", "membership_requests", "outbox", "audit_log", "invitations", "sessions", "referent_email_changes", "referent_login_codes"]));
    const before = findPersonalData(needles);
    expect(new Set(before.map((h) => h.table))).toEqual(new Set(["referents", "membership_requests", "outbox", "audit_log", "invitations", "referent_email_changes"]));
    expect(before.some((h) => h.table === "outbox" && h.value.includes("successorName"))).toBe(true);

    const figures = getNetworkFigures(db());
    const counts = tableCounts();
    expect(requestErasure(db(), { referentId: mine.referentId, appUrl: APP_URL }).ok).toBe(true);
    const result = eraseReferent(db(), { referentId: mine.referentId, coordinatorId: adminId(), appUrl: APP_URL });
    expect(result).toMatchObject({ ok: true, erasedReferentIds: [mine.referentId], endedTerms: 1 });
    expect((result as { scrubbedMessageIds: string[] }).scrubbedMessageIds.length).toBeGreaterThan(0);

    // Until the notice of the erasure is delivered, its recipient is the only trace; then none.
    expect(findPersonalData(needles)).toEqual(onlyTheNoticeTo(needles[0]));
    deliverErasureNotice(needles[0]);
    const left = findPersonalData(needles);
    expect(left, JSON.stringify(left, null, 2)).toEqual([]);
    // The log's search text follows its rewritten details (it is where the search looks, folded: a
    // name with accents would not be found above in it, so it is compared with the details).
    const unsynced = db().$client.prepare("SELECT id, details, search_text AS searchText FROM audit_log").all() as { id: number; details: string | null; searchText: string }[];
    expect(unsynced.filter((r) => r.searchText !== auditSearchTextOfJson(r.details))).toEqual([]);

    // Figures and counts: the ente is still a member with its projects and places; answers kept.
    expect(getNetworkFigures(db())).toEqual(figures);
    const after = tableCounts();
    expect(after).toEqual({ ...counts, outbox: after.outbox });
    expect(after.outbox).toBeGreaterThan(counts.outbox); // only the coordinators' notices of the request were added

    // The row is anonymised, the term ended, the ente has no referente.
    const row = referentRow(mine.referentId)!;
    expect(row).toMatchObject({
      firstName: ERASED_FIRST_NAME,
      lastName: ERASED_LAST_NAME,
      email: `cancellato-${mine.referentId}@invalid`,
      phone: "",
      mobile: null,
      office: "",
      role: "altro",
      receivesCommunications: false,
    });
    expect(row.erasedAt).toBeInstanceOf(Date);
    expect(row.validTo).toBeInstanceOf(Date);
    // The member list's folded copy follows the anonymised row (its trigger, decision 015).
    expect(row.searchText).toBe(`${ERASED_FIRST_NAME} ${ERASED_LAST_NAME} cancellato-${mine.referentId}@invalid`.toLowerCase());
    expect(db().select().from(memberBodies).where(eq(memberBodies.id, mine.memberBodyId)).get()!.status).toBe("member");
    expect(db().select().from(membershipRequests).where(eq(membershipRequests.id, mine.requestId)).get()!.status).toBe("approved");
    const active = db().select().from(referents).where(and(eq(referents.memberBodyId, mine.memberBodyId), sql`valid_from IS NOT NULL AND valid_to IS NULL`)).all();
    expect(active).toEqual([]);
    const invitation = db().select().from(invitations).where(eq(invitations.referentId, mine.referentId)).get()!;
    expect(invitation).toMatchObject({ email: `cancellato-${mine.referentId}@invalid`, answer: "yes", attended: true });

    // No more access: the session is revoked, no sign-in, no codes or address changes left.
    expect(findSessionReferent(db(), { sessionId: session.sessionId })).toBeNull();
    expect(db().select().from(sessions).where(eq(sessions.referentId, mine.referentId)).all().every((s) => s.revokedAt !== null)).toBe(true);
    expect(findEligibleReferents(db(), { email: needles[0] })).toEqual([]);
    expect(db().select().from(referentLoginCodes).where(eq(referentLoginCodes.referentId, mine.referentId)).all()).toEqual([]);
    expect(db().select().from(referentEmailChanges).where(eq(referentEmailChanges.referentId, mine.referentId)).all()).toEqual([]);

    // The predecessor is another person: untouched.
    expect(referentRow(first.referentId)).toMatchObject({ firstName: predecessor.firstName, lastName: predecessor.lastName, email: predecessor.email });
    expect(findPersonalData([predecessor.email, predecessor.lastName]).length).toBeGreaterThan(0);

    // Audited without personal data; the request is no longer pending; a second run is refused.
    const audit = db().select().from(auditLog).where(and(eq(auditLog.action, "referent.erased"), eq(auditLog.entityId, String(mine.referentId)))).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "coordinator", actorId: adminId(), details: { memberBodyId: mine.memberBodyId, termEnded: true } });
    expect(listPendingErasures(db()).some((p) => p.referentId === mine.referentId)).toBe(false);
    expect(eraseReferent(db(), { referentId: mine.referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(false);
    expect(requestErasure(db(), { referentId: mine.referentId, appUrl: APP_URL }).ok).toBe(false);
  });

  it("leaves no copy of the person's data in the database files nor in the import previews", async () => {
    const { person, mine, needles } = await referentWithHistory();
    // The daily `PRAGMA optimize` keeps sample keys of the indexes, addresses among them.
    db().$client.exec("ANALYZE");
    // /admin/importa's preview step: the person's row in a pending upload, and an upload about someone else.
    const row = (p: Person, line: number) => {
      const values = { municipality: "Cefalù", firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, role: "funzionario" };
      return { line, values, cells: Object.values(values) };
    };
    const upload = (rows: ReturnType<typeof row>[]) =>
      saveImportUpload({ coordinatorId: adminId(), fileName: "soci.csv", format: "csv", encoding: "utf-8", delimiter: ";", headers: [], labels: {}, ignoredHeaders: [], rows });
    const other = uniquePerson();
    const theirs = upload([row(other, 2), row(person, 3)]);
    const notTheirs = upload([row(other, 2)]);
    const uploadFile = (id: string) => path.join(getEnv().dataDir, "imports", `${id}.json`);
    expect(fs.existsSync(uploadFile(theirs.id))).toBe(true);

    const files = [getEnv().databasePath, `${getEnv().databasePath}-wal`];
    const onDisk = () => {
      const bytes = Buffer.concat(files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
      return [...new Set(needles.flatMap((n) => [n, n.toLowerCase()]))].filter((n) => bytes.includes(Buffer.from(n, "utf8")));
    };
    expect(onDisk()).toEqual(expect.arrayContaining([person.email, person.lastName]));

    expect(requestErasure(db(), { referentId: mine.referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(db(), { referentId: mine.referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(true);

    // The notice of the erasure keeps the address until it is delivered; then it goes from the files too.
    expect(onDisk()).toEqual([person.email]);
    deliverErasureNotice(person.email);
    expect(onDisk()).toEqual([]);
    expect(fs.existsSync(uploadFile(theirs.id))).toBe(false);
    expect(fs.existsSync(uploadFile(notTheirs.id)), "another person's upload stays").toBe(true);
    expect(loadImportUpload({ id: theirs.id, coordinatorId: adminId() })).toBeNull();
  });

  it("tells the person the erasure was carried out, at the address they asked from, and forgets that address once delivered", async () => {
    const person = uniquePerson();
    const { referentId, memberBodyId } = await registerPerson(person);
    const bodyName = db().select().from(memberBodies).where(eq(memberBodies.id, memberBodyId)).get()!.name;
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(erasureNoticeTo(person.email)).toBeUndefined();
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL, now: new Date("2026-11-28T04:35:00Z") }).ok).toBe(true);

    const notice = erasureNoticeTo(person.email)!;
    expect(notice).toMatchObject({
      status: "queued",
      category: "service",
      memberBodyId,
      props: { bodyName, erasedOn: "28 novembre 2026", termEnded: true, referentId },
    });
    expect(notice.messageId).toMatch(/@portale\.test>$/);
    const rendered = await renderEmail(notice.template, notice.props);
    expect(rendered.subject).toBe("I tuoi dati sono stati cancellati");
    expect(rendered.text.replace(/\s+/g, " ")).toContain(`hanno eseguito la tua richiesta di cancellazione dei dati personali di referente ${ofBody(bodyName)}`);
    expect(rendered.text).toContain("il tuo incarico di referente è terminato");
    expect(JSON.stringify(notice.props) + rendered.text).not.toContain(person.lastName);

    // A temporary failure keeps the address (the worker tries again); the delivery forgets it and the props.
    expect(markEmailFailedAttempt(db(), { row: { ...notice, attempts: 1 }, error: "421 try later", permanent: false, maxAttempts: 5, now: new Date() })).toBe("retry");
    expect(db().select().from(outbox).where(eq(outbox.id, notice.id)).get()!.recipient).toBe(person.email);
    deliverErasureNotice(person.email);
    const sent = db().select().from(outbox).where(eq(outbox.id, notice.id)).get()!;
    expect(sent).toMatchObject({ status: "sent", recipient: `cancellato-${referentId}@invalid`, props: {}, subject: "I tuoi dati sono stati cancellati" });
    expect(findPersonalData(needlesOf(person))).toEqual([]);
  });

  it("forgets the address of the erasure notice when its delivery is given up, from the quoted reply too", async () => {
    const person = uniquePerson();
    const { referentId } = await registerPerson(person);
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(true);
    const notice = erasureNoticeTo(person.email)!;
    const error = `550 5.1.1 <${person.email}>: Recipient address rejected`;
    expect(markEmailFailedAttempt(db(), { row: notice, error, permanent: true, maxAttempts: 5, now: new Date() })).toBe("failed");
    const failed = db().select().from(outbox).where(eq(outbox.id, notice.id)).get()!;
    const placeholder = `cancellato-${referentId}@invalid`;
    expect(failed).toMatchObject({ status: "failed", recipient: placeholder, props: {}, lastError: `550 5.1.1 <${placeholder}>: Recipient address rejected` });
    expect(findPersonalData(needlesOf(person))).toEqual([]);
  });

  it("does not leave a date of email verification on the anonymised row", async () => {
    const { referentId } = await registerPerson(uniquePerson());
    expect(referentRow(referentId)!.emailVerifiedAt, "confirmed by the person's own address").toBeInstanceOf(Date);
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL, now: new Date("2026-11-28T04:35:00Z") }).ok).toBe(true);
    // cancellato-N@invalid was never verified: /admin/adesioni/:id and the PDF scheda say «Non ancora verificata».
    expect(referentRow(referentId)!.emailVerifiedAt).toBeNull();
  });

  it("writes log entries whose every detail has an Italian name in the Registro", async () => {
    const person = uniquePerson();
    const { referentId, memberBodyId } = await registerPerson(person);
    const second = await registerPerson(person, { approve: false });
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(withdrawErasure(db(), { referentId }).ok).toBe(true);
    expect(requestErasure(db(), { referentId, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL }).ok).toBe(true);

    const shown = (action: string, id: number) =>
      db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, action), eq(auditLog.entityId, String(id))))
        .all()
        .map((e) => auditDetailPairs(e.details, { recordNames: { [recordNameKey("member_body", memberBodyId)]: "Comune di Prova" } }));
    expect(shown("referent.erasure_requested", referentId)).toEqual([[{ key: "ente", value: "Comune di Prova" }], [{ key: "ente", value: "Comune di Prova" }]]);
    expect(shown("referent.erasure_withdrawn", referentId)).toEqual([[{ key: "ente", value: "Comune di Prova" }]]);
    expect(shown("referent.erased", referentId)).toEqual([
      [
        { key: "ente", value: "Comune di Prova" },
        { key: "incarico terminato", value: "sì" },
        { key: "richieste di adesione ritirate", value: "0" },
      ],
    ]);
    expect(shown("referent.erased", second.referentId)[0]).toEqual(
      expect.arrayContaining([
        { key: "incarico terminato", value: "no" },
        { key: "richieste di adesione ritirate", value: "1" },
      ]),
    );
  });

  it("withdraws a request not yet decided, and refuses to act without a pending erasure request", async () => {
    const person = uniquePerson();
    const { referentId, requestId } = await registerPerson(person, { approve: false });
    const refused = eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL });
    expect(refused).toEqual({ ok: false, error: "Non c'è una richiesta di cancellazione in attesa per questo referente." });
    expect(referentRow(referentId)!.email).toBe(person.email);

    requestErasure(db(), { referentId, appUrl: APP_URL });
    expect(eraseReferent(db(), { referentId, coordinatorId: adminId(), appUrl: APP_URL })).toMatchObject({ ok: true, erasedReferentIds: [referentId], endedTerms: 0 });
    const request = db().select().from(membershipRequests).where(eq(membershipRequests.id, requestId)).get()!;
    expect(request).toMatchObject({ status: "rejected", confirmationTokenHash: null });
    expect(findPersonalData(needlesOf(person))).toEqual(onlyTheNoticeTo(person.email));
  });
});

describe("purgeExpiredRequests", () => {
  const backdate = (requestId: number, fields: { createdAt?: Date; decidedAt?: Date }) =>
    db()
      .update(membershipRequests)
      .set({ ...fields, updatedAt: fields.decidedAt ?? fields.createdAt })
      .where(eq(membershipRequests.id, requestId))
      .run();
  const exists = (requestId: number) => !!db().select().from(membershipRequests).where(eq(membershipRequests.id, requestId)).get();
  const bodyExists = (id: number) => !!db().select().from(memberBodies).where(eq(memberBodies.id, id)).get();

  it("deletes unconfirmed requests after 30 days and rejected ones after 12 months, with their data; never approved ones; twice is harmless", async () => {
    const now = new Date();
    const monthsAgo = (n: number) => {
      const d = new Date(now);
      d.setMonth(d.getMonth() - n);
      return d;
    };
    const reject = async (id: number) => {
      const { rejectMembership } = await import("~/models/membership-review.server");
      expect(rejectMembership(db(), { id, coordinatorId: approverId(), appUrl: APP_URL, reason: "Ente non titolare di progetti SAI" })).toEqual({ ok: true });
    };

    const people = { u31: uniquePerson(), u29: uniquePerson(), r13: uniquePerson(), r11: uniquePerson(), old: uniquePerson() };
    const u31 = await registerPerson(people.u31, { confirm: false, approve: false });
    const u29 = await registerPerson(people.u29, { confirm: false, approve: false });
    const r13 = await registerPerson(people.r13, { approve: false });
    const r11 = await registerPerson(people.r11, { approve: false });
    const old = await registerPerson(people.old);
    await reject(r13.requestId);
    await reject(r11.requestId);
    backdate(u31.requestId, { createdAt: new Date(now.getTime() - 31 * DAY) });
    backdate(u29.requestId, { createdAt: new Date(now.getTime() - 29 * DAY) });
    backdate(r13.requestId, { createdAt: monthsAgo(14), decidedAt: monthsAgo(13) });
    backdate(r11.requestId, { createdAt: monthsAgo(12), decidedAt: monthsAgo(11) });
    backdate(old.requestId, { createdAt: monthsAgo(40) });
    db().update(membershipRequests).set({ decidedAt: monthsAgo(40) }).where(eq(membershipRequests.id, old.requestId)).run();
    const projectsOf = (requestId: number) => db().select().from(saiProjects).where(eq(saiProjects.requestId, requestId)).all().length;
    expect(projectsOf(u31.requestId)).toBe(1);

    // The daily job, as the scheduler runs it, with the defaults of the environment.
    expect(parseEnv({})).toMatchObject({ RETENTION_UNCONFIRMED_DAYS: 30, RETENTION_REJECTED_MONTHS: 12 });
    expect(parseEnv({ RETENTION_UNCONFIRMED_DAYS: "45", RETENTION_REJECTED_MONTHS: "6" })).toMatchObject({ RETENTION_UNCONFIRMED_DAYS: 45, RETENTION_REJECTED_MONTHS: 6 });
    expect(() => parseEnv({ RETENTION_UNCONFIRMED_DAYS: "0" })).toThrow(/RETENTION_UNCONFIRMED_DAYS deve essere almeno 1/);
    const job = scheduledJobs({ db: db(), appUrl: APP_URL }).find((j) => j.name === "retention-purge")!;
    expect(job.everyMs).toBe(DAY);
    const first = (await job.run(now)) as Awaited<ReturnType<typeof purgeExpiredRequests>>;
    expect(first).toMatchObject({ requests: 2, referents: 2, memberBodies: 2, projects: 2 });

    expect([u31, u29, r13, r11, old].map((r) => exists(r.requestId))).toEqual([false, true, false, true, true]);
    expect([u31, u29, r13, r11, old].map((r) => !!referentRow(r.referentId))).toEqual([false, true, false, true, true]);
    expect([u31, u29, r13, r11, old].map((r) => bodyExists(r.memberBodyId))).toEqual([false, true, false, true, true]);
    expect(projectsOf(u31.requestId) + projectsOf(r13.requestId)).toBe(0);
    // Nothing of the deleted people is left anywhere (emails to them, notices naming them, the log).
    expect(findPersonalData([...needlesOf(people.u31), ...needlesOf(people.r13)])).toEqual([]);
    expect(findPersonalData([people.u29.email, people.r11.email, people.old.email]).length).toBeGreaterThan(0);
    const purged = db().select().from(auditLog).where(eq(auditLog.action, "membership.purged")).all();
    expect(purged.map((a) => [a.actorType, a.entityId, (a.details as { status: string }).status]).sort()).toEqual(
      [
        ["system", String(u31.requestId), "email_unverified"],
        ["system", String(r13.requestId), "rejected"],
      ].sort(),
    );

    const snapshot = () => ({ counts: tableCounts(), audit: count(auditLog) });
    const state = snapshot();
    expect(await job.run(now)).toEqual({ requests: 0, referents: 0, memberBodies: 0, projects: 0 });
    expect(snapshot()).toEqual(state);
  });

  it("a rejected successor proposal goes, the ente's own projects (attached to it while open) stay", async () => {
    const { acceptHandover, proposeSuccessor } = await import("~/models/handover.server");
    const { rejectMembership } = await import("~/models/membership-review.server");
    const { successorSchema } = await import("~/validation/referent-area");
    const member = await registerPerson(uniquePerson());
    const successor = uniquePerson();
    const access = findReferentAccess(db(), { referentId: member.referentId })!;
    const proposed = proposeSuccessor(db(), {
      access,
      successor: successorSchema.parse({ ...successor, role: "funzionario", office: "Servizi sociali" }),
      appUrl: APP_URL,
    });
    if (!proposed.ok) throw new Error(JSON.stringify(proposed));
    const invitation = db().select().from(outbox).where(and(eq(outbox.recipient, successor.email), eq(outbox.template, "handover-proposal"))).get()!;
    const token = String(invitation.props.confirmUrl).split("/").pop()!;
    expect(acceptHandover(db(), { token, appUrl: APP_URL }).state).toBe("valid");
    const ownProjects = () => db().select().from(saiProjects).where(eq(saiProjects.memberBodyId, member.memberBodyId)).all();
    expect(ownProjects().map((p) => p.requestId)).toEqual([proposed.requestId]);
    expect(rejectMembership(db(), { id: proposed.requestId, coordinatorId: approverId(), appUrl: APP_URL, reason: "Il successore non è un dipendente dell'ente" })).toEqual({ ok: true });
    const figures = getNetworkFigures(db());
    const decided = new Date(Date.now() - 400 * DAY);
    backdate(proposed.requestId, { createdAt: decided, decidedAt: decided });

    expect(purgeExpiredRequests(db(), { now: new Date() })).toMatchObject({ requests: 1, referents: 1, projects: 0 });
    expect(exists(proposed.requestId)).toBe(false);
    expect(ownProjects().map((p) => [p.requestId, p.closedAt])).toEqual([[null, null]]);
    expect(getNetworkFigures(db())).toEqual(figures);
    expect(referentRow(member.referentId)!.validTo).toBeNull();
    expect(findPersonalData(needlesOf(successor))).toEqual([]);
  });

  it("keeps the ente and the referente of an unconfirmed handover, deleting only the request and what it declared", async () => {
    const member = await registerPerson(uniquePerson());
    const figures = getNetworkFigures(db());
    const late = uniquePerson();
    const handover = await registerPerson(late, {
      confirm: false,
      approve: false,
      overrides: { municipalityCode: member.fields.municipalityCode, fiscalCode: member.fields.fiscalCode, "projects.0.fundedPlaces": "7" },
    });
    backdate(handover.requestId, { createdAt: new Date(Date.now() - 40 * DAY) });
    const result = purgeExpiredRequests(db(), { now: new Date() });
    expect(result).toMatchObject({ requests: 1, referents: 1, memberBodies: 0, projects: 1 });
    expect(bodyExists(member.memberBodyId)).toBe(true);
    expect(referentRow(member.referentId)).toBeDefined();
    // The figures are again those of before the scheda (its project never became real).
    expect(getNetworkFigures(db())).toEqual(figures);
    expect(findPersonalData(needlesOf(late))).toEqual([]);
    // Configurable: a shorter window reaches younger requests.
    const young = await registerPerson(uniquePerson(), { confirm: false, approve: false });
    backdate(young.requestId, { createdAt: new Date(Date.now() - 10 * DAY) });
    purgeExpiredRequests(db(), { now: new Date() });
    expect(exists(young.requestId)).toBe(true);
    purgeExpiredRequests(db(), { now: new Date(), unconfirmedDays: 7 });
    expect(exists(young.requestId)).toBe(false);
  });
});
