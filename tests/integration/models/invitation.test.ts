import ical from "node-ical";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "#db/schema";
import { outbox, roundTables } from "#db/schema";
import {
  ANSWER_CANCELLED_MESSAGE,
  ANSWER_PASSED_ON_MESSAGE,
  ANSWER_WITHDRAWN_MESSAGE,
  answerInvitation,
  countInvitations,
  countInvitationsByRoundTable,
  listInvitations,
  lookupInvitation,
  recipientsFor,
  saveAttendance,
  sendDueReminders,
  sendInvitations,
  setAttendance,
  type RecipientFilters,
} from "~/models/invitation.server";
import { approveMembership, revokeMembership } from "~/models/membership-review.server";
import { getBodyParticipation } from "~/models/participation.server";
import { eraseReferent, requestErasure } from "~/models/privacy.server";
import { listReferentTavoli } from "~/models/referent-tavoli.server";
import { cancelRoundTable, getRoundTable, listRoundTablesForAdmin, roundTableInvitees, updateRoundTable } from "~/models/round-table.server";
import { getDb, type Db } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { roundTableName, roundTableWhen } from "~/utils/round-table-format";
import { scheduledJobs } from "~/utils/scheduled-jobs.server";
import { hashToken } from "~/utils/tokens.server";
import { createTestCoordinator } from "../../support/admin";
import { uniqueEmail } from "../../support/factories";
import {
  addDocumentMaterial,
  answerTokenFor,
  auditOf,
  createReferent,
  createRoundTable,
  DAY,
  emailsOf,
  HOUR,
  invitationsOf,
  tableCounts,
} from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { roundTableInput } from "../../support/round-tables";

type Ref = Awaited<ReturnType<typeof createReferent>>;

let coordinatorId: number;
// Palermo (082) ordinari, Catania (087) MSNA, Agrigento (084) DM/DS, Palermo MSNA.
let paOrdinari: Ref, ctMsna: Ref, agDmds: Ref, paMsna: Ref;
// Not active: confirmed but never approved, approved then revoked, replaced by a successor.
let pending: Ref, revoked: Ref, replaced: Ref, successor: Ref;
// An ente without a comune: in the province of its seat, Catania.
let ctMetro: Ref;

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  paOrdinari = await createReferent({ provinceCode: "082", category: "ordinari" });
  ctMsna = await createReferent({ provinceCode: "087", category: "MSNA" });
  agDmds = await createReferent({ provinceCode: "084", category: "DM/DS" });
  paMsna = await createReferent({ provinceCode: "082", category: "MSNA" });
  pending = await createReferent({ provinceCode: "082", state: "pending" });
  revoked = await createReferent({ provinceCode: "082" });
  expect(revokeMembership(getDb(), { appUrl: "http://portale.test", id: revoked.request.id, coordinatorId, reason: "Prova" })).toEqual({ ok: true });
  replaced = await createReferent({ provinceCode: "087", category: "MSNA" });
  successor = await createReferent({
    state: "pending",
    fields: { municipalityCode: replaced.fields.municipalityCode, fiscalCode: replaced.fields.fiscalCode, firstName: "Giuseppe", "projects.0.category": "MSNA" },
  });
  expect(successor.request.kind).toBe("handover");
  expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });
  ctMetro = await createReferent({
    category: "DM/DS",
    fields: { bodyKind: "citta_metropolitana", municipalityCode: "", bodyName: "Città Metropolitana di Catania", provinceCode: "087" },
  });
});

const all = (roundTableId: number, filters: RecipientFilters = {}) =>
  recipientsFor(getDb(), { roundTableId, sampleSize: 100_000, ...filters });
const emailsIn = (r: ReturnType<typeof all>) => r.sample.map((s) => s.email);

describe("recipientsFor", () => {
  it("takes every active referente and leaves out the unapproved, revoked and replaced ones", () => {
    const rt = createRoundTable();
    const found = emailsIn(all(rt.id));
    expect(found).toEqual(expect.arrayContaining([paOrdinari.email, ctMsna.email, agDmds.email, paMsna.email, successor.email]));
    for (const inactive of [pending, revoked, replaced]) expect(found).not.toContain(inactive.email);
    expect(all(rt.id).count).toBe(found.length);
  });

  it("filters by province (any of) and by tipologia of an open project (any of), both together", () => {
    const rt = createRoundTable();
    const ours = [paOrdinari, ctMsna, agDmds, paMsna, successor, ctMetro].map((r) => r.email);
    const pick = (filters: RecipientFilters) => emailsIn(all(rt.id, filters)).filter((e) => ours.includes(e)).sort();

    expect(pick({ provinceCodes: ["082"] })).toEqual([paOrdinari.email, paMsna.email].sort());
    expect(pick({ provinceCodes: ["082", "084"] })).toEqual([paOrdinari.email, paMsna.email, agDmds.email].sort());
    // The Città Metropolitana has no comune: it is in Catania, the province of its seat.
    expect(pick({ provinceCodes: ["087"] })).toEqual([ctMsna.email, successor.email, ctMetro.email].sort());
    expect(pick({ categories: ["MSNA"] })).toEqual([ctMsna.email, paMsna.email, successor.email].sort());
    expect(pick({ categories: ["MSNA", "DM/DS"] })).toEqual([ctMsna.email, paMsna.email, successor.email, agDmds.email, ctMetro.email].sort());
    expect(pick({ provinceCodes: ["082"], categories: ["MSNA"] })).toEqual([paMsna.email]);
    expect(pick({ provinceCodes: ["086"] })).toEqual([]);
  });

  it("adds extra addresses trimmed, lowercased, valid and once, and links those of active referenti", () => {
    const rt = createRoundTable();
    const result = all(rt.id, {
      provinceCodes: ["084"],
      extraEmails: ["  Ospite@Example.ORG ", "ospite@example.org", "non-valido", agDmds.email.toUpperCase(), ctMsna.email, pending.email],
    });
    const emails = emailsIn(result);
    expect(emails.filter((e) => e === "ospite@example.org")).toHaveLength(1);
    expect(emails.filter((e) => e === agDmds.email)).toHaveLength(1);
    expect(emails).not.toContain("non-valido");
    expect(result.invalidExtraEmails).toEqual(["non-valido"]);
    const guest = result.sample.find((s) => s.email === "ospite@example.org")!;
    expect(guest).toMatchObject({ referentId: null, name: null });
    // ctMsna is outside the province filter but named as an extra address: invited as the referente.
    expect(result.sample.find((s) => s.email === ctMsna.email)).toMatchObject({ referentId: ctMsna.referent.id, name: ctMsna.name });
    // A pending referente's address can be added by hand, but is not linked to the referente.
    expect(result.sample.find((s) => s.email === pending.email)).toMatchObject({ referentId: null });
    expect(result.extraCount).toBe(2);
  });

  it("only the extra addresses when the referenti are left out, and nobody already invited", () => {
    const rt = createRoundTable();
    expect(emailsIn(all(rt.id, { includeReferents: false, extraEmails: ["a@example.org", paOrdinari.email] }))).toEqual([
      "a@example.org",
      paOrdinari.email,
    ]);
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["082"] }, coordinatorId, appUrl: APP_URL }).ok).toBe(true);
    const after = emailsIn(all(rt.id, { extraEmails: [paOrdinari.email.toUpperCase(), "b@example.org"] }));
    expect(after).not.toContain(paOrdinari.email);
    expect(after).not.toContain(paMsna.email);
    expect(after).toContain("b@example.org");
    expect(after).toContain(ctMsna.email);
  });
});

describe("sendInvitations", () => {
  it("invites each recipient once with one email, the token stored only as a hash, and audits", () => {
    const rt = createRoundTable({ sequence: 3 });
    const expected = all(rt.id).count;
    const result = sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL });
    expect(result).toEqual({ ok: true, count: expected });

    const rows = invitationsOf(rt.id);
    expect(rows).toHaveLength(expected);
    const emails = emailsOf(rt.id, "round-table-invitation");
    expect(emails.map((e) => e.recipient).sort()).toEqual(rows.map((r) => r.email).sort());
    const mine = rows.find((r) => r.email === paOrdinari.email)!;
    expect(mine).toMatchObject({ referentId: paOrdinari.referent.id, answer: "pending", notifiedSequence: 3, attended: null });
    const token = answerTokenFor(rt.id, paOrdinari.email);
    expect(mine.tokenHash).toBe(hashToken(token));
    expect(mine.tokenHash).not.toContain(token);
    const email = emails.find((e) => e.recipient === paOrdinari.email)!;
    expect(email).toMatchObject({ status: "queued", category: "service", roundTableId: rt.id });
    expect(email.messageId).toMatch(/^<[\w-]+@portale\.test>$/);
    expect(email.props).toMatchObject({
      recipientName: paOrdinari.name,
      recipientEmail: paOrdinari.email,
      answerUrl: `${APP_URL}/invito/${token}`,
      roundTable: { id: rt.id, sequence: 3, title: rt.title, startsAt: rt.startsAt.toISOString() },
    });
    expect(auditOf("round_table.invitations_sent", rt.id)).toEqual([
      expect.objectContaining({ actorType: "coordinator", actorId: coordinatorId, details: expect.objectContaining({ count: expected }) }),
    ]);
  });

  it("the audit counts as «indirizzi aggiuntivi» only the extra addresses invited as such, not a referente's nor one already invited", () => {
    const rt = createRoundTable();
    const send = (extraEmails: string[]) =>
      sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails }, coordinatorId, appUrl: APP_URL });
    // ctMsna's address typed by hand is the referente's: invited as the referente, not as an extra address.
    expect(send(["ospite-registro@example.org", ctMsna.email.toUpperCase(), "non-valido"])).toEqual({ ok: true, count: 2 });
    expect(send(["ospite-registro@example.org", "altro-registro@example.org"])).toEqual({ ok: true, count: 1 });
    expect(auditOf("round_table.invitations_sent", rt.id).map((a) => [a.details?.count, a.details?.extraEmails])).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  it("sending twice, or two clicks in a row, never invites anyone twice", () => {
    const rt = createRoundTable();
    const send = (filters = {}) => sendInvitations(getDb(), { roundTableId: rt.id, filters, coordinatorId, appUrl: APP_URL });
    const first = send({ provinceCodes: ["082"], extraEmails: ["ospite@example.org"] });
    const second = send({ provinceCodes: ["082"], extraEmails: ["ospite@example.org"] });
    expect(first.ok && first.count).toBeGreaterThanOrEqual(3);
    expect(second).toEqual({ ok: true, count: 0 });
    // A wider send while the first one's rows exist only adds the others.
    const wider = send({ extraEmails: ["OSPITE@example.org", "nuovo@example.org"] });
    expect(wider.ok && wider.count).toBe(all(createRoundTable().id).count - (first.ok ? first.count : 0) + 2);
    const rows = invitationsOf(rt.id);
    const emails = emailsOf(rt.id, "round-table-invitation");
    expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length);
    expect(emails).toHaveLength(rows.length);
    expect(new Set(emails.map((e) => e.recipient)).size).toBe(emails.length);
    expect(rows.filter((r) => r.email === "ospite@example.org")).toHaveLength(1);
  });

  it("the unique (round table, email) guard holds when a concurrent send commits the same invitee first", () => {
    const rt = createRoundTable();
    // As if another send had inserted this invitee between choosing the recipients and inserting.
    getDb().$client.exec(`CREATE TEMP TRIGGER concurrent_send BEFORE INSERT ON invitations
      WHEN NEW.email = '${paMsna.email}' AND NEW.token_hash NOT LIKE 'other-%'
      BEGIN
        INSERT INTO invitations (round_table_id, referent_id, email, token_hash) VALUES (NEW.round_table_id, NEW.referent_id, NEW.email, 'other-' || NEW.token_hash);
      END`);
    try {
      const result = sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["082"] }, coordinatorId, appUrl: APP_URL });
      expect(result).toEqual({ ok: true, count: invitationsOf(rt.id).length - 1 });
    } finally {
      getDb().$client.exec(`DROP TRIGGER concurrent_send`);
    }
    const rows = invitationsOf(rt.id).filter((r) => r.email === paMsna.email);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toMatch(/^other-/);
    // The other send queued its own email; this one queued none for that invitee.
    expect(emailsOf(rt.id).filter((e) => e.recipient === paMsna.email)).toHaveLength(0);
    expect(emailsOf(rt.id).filter((e) => e.recipient === paOrdinari.email)).toHaveLength(1);
  });

  it("refuses drafts, cancelled and started round tables, writing nothing", () => {
    const cases = [
      [createRoundTable({ status: "draft" }), /bozza/],
      [createRoundTable({ status: "cancelled" }), /annullato/],
      [createRoundTable({ startsInMs: -HOUR }), /già iniziato/],
    ] as const;
    for (const [rt, message] of cases) {
      const before = tableCounts();
      const result = sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatch(message);
      expect(tableCounts()).toEqual(before);
    }
    expect(sendInvitations(getDb(), { roundTableId: 999_999, filters: {}, coordinatorId, appUrl: APP_URL }).ok).toBe(false);
  });
});

describe("answerInvitation", () => {
  it("records yes, then no, until the start; audits as the referente", () => {
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["084"] }, coordinatorId, appUrl: APP_URL });
    const token = answerTokenFor(rt.id, agDmds.email);
    const at = new Date();
    const yes = answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL, now: at });
    expect(yes.ok && yes.view.invitation).toMatchObject({ answer: "yes", email: agDmds.email });
    const no = answerInvitation(getDb(), { token, answer: "no", appUrl: APP_URL });
    expect(no.ok).toBe(true);
    const row = invitationsOf(rt.id).find((r) => r.email === agDmds.email)!;
    expect(row.answer).toBe("no");
    expect(row.answeredAt).toBeInstanceOf(Date);
    const audits = auditOf("invitation.answered", row.id);
    expect(audits.map((a) => [a.actorType, a.actorId, a.details?.answer, a.details?.previous])).toEqual([
      ["referent", agDmds.referent.id, "yes", "pending"],
      ["referent", agDmds.referent.id, "no", "yes"],
    ]);
  });

  it("after the start the answer is refused in Italian and unchanged; an unknown token is not found", () => {
    const rt = createRoundTable({ startsInMs: HOUR });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["084"] }, coordinatorId, appUrl: APP_URL });
    const token = answerTokenFor(rt.id, agDmds.email);
    const late = answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL, now: new Date(rt.startsAt.getTime()) });
    expect(late).toMatchObject({ ok: false, reason: "closed" });
    expect(!late.ok && late.error).toMatch(/già iniziato/);
    expect(invitationsOf(rt.id).find((r) => r.email === agDmds.email)).toMatchObject({ answer: "pending", answeredAt: null });
    expect(answerInvitation(getDb(), { token: "sconosciuto", answer: "yes", appUrl: APP_URL })).toMatchObject({ ok: false, reason: "not_found" });
  });

  it("a cancelled round table, or one taken back to draft, cannot be answered", () => {
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["084"] }, coordinatorId, appUrl: APP_URL });
    getDb().update(roundTables).set({ status: "cancelled" }).where(eq(roundTables.id, rt.id)).run();
    const result = answerInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email), answer: "yes", appUrl: APP_URL });
    expect(!result.ok && result.error).toMatch(/annullato/);
    getDb().update(roundTables).set({ status: "draft" }).where(eq(roundTables.id, rt.id)).run();
    const draft = answerInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email), answer: "yes", appUrl: APP_URL });
    expect(!draft.ok && draft.error).toMatch(/non è al momento aperto/);
    expect(invitationsOf(rt.id).find((r) => r.email === agDmds.email)!.answer).toBe("pending");
    // Back in draft, its meeting link may still change: the page keeps it back until published again.
    expect(lookupInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email) })!.roundTable.onlineUrl).toBeNull();
    getDb().update(roundTables).set({ status: "published" }).where(eq(roundTables.id, rt.id)).run();
    expect(lookupInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email) })!.roundTable.onlineUrl).toBe("https://meet.example.org/tavolo");
  });
});

describe("«Partecipo» after «Non partecipo»", () => {
  const moveTo = (rt: { id: number; title: string }, day: string) =>
    updateRoundTable(getDb(), {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: `${day}T10:00`, endsAt: `${day}T12:00` }),
      coordinatorId,
      appUrl: APP_URL,
    });

  it("brings the calendar up to date when the Tavolo changed while they had declined, once", async () => {
    const rt = createRoundTable({ startsAt: new Date("2031-09-10T13:00:00Z") });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: ["ripensa@ospite.test"], includeReferents: false }, coordinatorId, appUrl: APP_URL });
    const token = answerTokenFor(rt.id, "ripensa@ospite.test");
    expect(answerInvitation(getDb(), { token, answer: "no", appUrl: APP_URL })).toMatchObject({ ok: true, calendarSent: false });
    // Who declined is told of the move, without a calendar entry (they have none to update).
    expect(moveTo(rt, "2031-09-17")).toMatchObject({ ok: true, notified: 1 });
    const told = emailsOf(rt.id, "round-table-updated");
    expect(told.map((e) => [e.recipient, (e.props as { answer: string }).answer])).toEqual([["ripensa@ospite.test", "no"]]);
    const update = await renderEmail(told[0].template, told[0].props);
    expect(update.attachments).toEqual([]);
    expect(update.text).toContain("Avevi risposto «Non partecipo»: se con il cambiamento ora puoi partecipare, faccelo sapere.");
    expect(update.text).toContain(`Partecipo ${APP_URL}/invito/${token}?risposta=si`);
    expect(update.text).not.toContain("?risposta=no");
    expect(update.text).not.toContain("aggiornamento.ics");

    const yes = answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL });
    expect(yes).toMatchObject({ ok: true, calendarSent: true });
    const sent = emailsOf(rt.id, "round-table-rejoined");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ recipient: "ripensa@ospite.test" });
    expect(sent[0].props).toMatchObject({
      answerUrl: `${APP_URL}/invito/${token}`,
      roundTable: { startsAt: "2031-09-17T08:00:00.000Z", sequence: 1 },
    });
    const rendered = await renderEmail(sent[0].template, sent[0].props);
    expect(rendered.subject).toMatch(/^Partecipazione registrata: /);
    expect(rendered.text).toContain("mercoledì 17 settembre 2031, dalle 10:00 alle 12:00");
    expect(rendered.attachments.map((a) => a.filename)).toEqual(["aggiornamento.ics"]);
    const ics = rendered.attachments[0].content;
    expect(ics).toContain("METHOD:REQUEST");
    expect(ics).toContain("SEQUENCE:1");
    expect(ics).toContain(`UID:tavolo-${rt.id}@`);
    // «Partecipazione registrata»: their calendar shows them as attending.
    const event = Object.values(ical.sync.parseICS(ics)).find((c) => c?.type === "VEVENT") as ical.VEvent;
    expect((event.attendee as unknown as { params: Record<string, unknown> }).params.PARTSTAT).toBe("ACCEPTED");

    // Back and forth without a new change: their calendar is already current.
    answerInvitation(getDb(), { token, answer: "no", appUrl: APP_URL });
    expect(answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL })).toMatchObject({ ok: true, calendarSent: false });
    expect(emailsOf(rt.id, "round-table-rejoined")).toHaveLength(1);
    // Being current again, the next update reaches them like any other invitee.
    expect(moveTo(rt, "2031-09-24")).toMatchObject({ ok: true, notified: 1 });
  });

  it("sends nothing when the Tavolo did not change, or to whoever had not declined", () => {
    const rt = createRoundTable({ startsAt: new Date("2031-10-10T13:00:00Z") });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: ["deciso@ospite.test", "indeciso@ospite.test"], includeReferents: false }, coordinatorId, appUrl: APP_URL });
    const declined = answerTokenFor(rt.id, "deciso@ospite.test");
    answerInvitation(getDb(), { token: declined, answer: "no", appUrl: APP_URL });
    expect(answerInvitation(getDb(), { token: declined, answer: "yes", appUrl: APP_URL })).toMatchObject({ ok: true, calendarSent: false });

    expect(moveTo(rt, "2031-10-17")).toMatchObject({ ok: true, notified: 2 });
    const undecided = answerTokenFor(rt.id, "indeciso@ospite.test");
    expect(answerInvitation(getDb(), { token: undecided, answer: "yes", appUrl: APP_URL })).toMatchObject({ ok: true, calendarSent: false });
    expect(emailsOf(rt.id, "round-table-rejoined")).toHaveLength(0);
  });
});

describe("the «Aggiornamento» email", () => {
  it("asks who said yes to say if they can no longer come, who has not answered whether they will, and who declined whether they now can", async () => {
    const rt = createRoundTable({ startsAt: new Date("2031-11-10T13:00:00Z") });
    const guests = ["aggiornato-si@ospite.test", "aggiornato-attesa@ospite.test", "aggiornato-no@ospite.test"];
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: guests, includeReferents: false }, coordinatorId, appUrl: APP_URL });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, guests[0]), answer: "yes", appUrl: APP_URL });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, guests[2]), answer: "no", appUrl: APP_URL });
    const moved = updateRoundTable(getDb(), {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: "2031-11-17T10:00", endsAt: "2031-11-17T12:00" }),
      coordinatorId,
      appUrl: APP_URL,
    });
    expect(moved).toMatchObject({ ok: true, notified: 3 });
    const updates = emailsOf(rt.id, "round-table-updated");
    expect(Object.fromEntries(updates.map((e) => [e.recipient, e.props.answer]))).toEqual({ [guests[0]]: "yes", [guests[1]]: "pending", [guests[2]]: "no" });

    const textTo = async (email: string) => (await renderEmail("round-table-updated", updates.find((e) => e.recipient === email)!.props)).text;
    const yes = await textTo(guests[0]);
    expect(yes).toContain("Se con il cambiamento non puoi più partecipare, faccelo sapere:");
    expect(yes).toContain(`Non partecipo ${APP_URL}/invito/${answerTokenFor(rt.id, guests[0])}?risposta=no`);
    const pending = await textTo(guests[1]);
    expect(pending).toContain("Facci sapere se parteciperai:");
    expect(pending).toContain(`Partecipo ${APP_URL}/invito/${answerTokenFor(rt.id, guests[1])}?risposta=si`);
    for (const text of [yes, pending]) expect(text).not.toContain("o ora puoi");
    const declined = await textTo(guests[2]);
    expect(declined).toContain("se con il cambiamento ora puoi partecipare");
    expect(declined).toContain(`Partecipo ${APP_URL}/invito/${answerTokenFor(rt.id, guests[2])}?risposta=si`);
  });
});

describe("attendance and the list of answers", () => {
  it("marks attendance (audited, only on change) and lists answers with the latest delivery status", () => {
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["082", "084"], extraEmails: ["ospite@example.org"] }, coordinatorId, appUrl: APP_URL });
    const rows = invitationsOf(rt.id);
    const byEmail = (e: string) => rows.find((r) => r.email === e)!;
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, paOrdinari.email), answer: "yes", appUrl: APP_URL });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email), answer: "no", appUrl: APP_URL });

    expect(setAttendance(getDb(), { invitationId: byEmail(paOrdinari.email).id, attended: true, coordinatorId })).toEqual({ ok: true, changed: true });
    expect(setAttendance(getDb(), { invitationId: byEmail(paOrdinari.email).id, attended: true, coordinatorId })).toEqual({ ok: true, changed: false });
    expect(setAttendance(getDb(), { invitationId: 999_999, attended: true, coordinatorId }).ok).toBe(false);
    expect(auditOf("invitation.attendance_set", byEmail(paOrdinari.email).id)).toEqual([
      expect.objectContaining({ actorType: "coordinator", actorId: coordinatorId, details: expect.objectContaining({ attended: true }) }),
    ]);

    // The form: ospite ticked, paOrdinari unticked (present -> absent), the others untouched.
    const shown = rows.map((r) => r.id);
    expect(saveAttendance(getDb(), { roundTableId: rt.id, shownIds: shown, presentIds: [byEmail("ospite@example.org").id], coordinatorId })).toEqual({ changed: 2 });
    expect(byEmailNow(rt.id, paOrdinari.email).attended).toBe(false);
    expect(byEmailNow(rt.id, "ospite@example.org").attended).toBe(true);
    expect(byEmailNow(rt.id, agDmds.email).attended).toBeNull();
    // Ids of another round table are ignored.
    const other = createRoundTable();
    expect(saveAttendance(getDb(), { roundTableId: other.id, shownIds: shown, presentIds: shown, coordinatorId })).toEqual({ changed: 0 });

    // Delivery status: the latest email to that address about this table.
    const failed = emailsOf(rt.id).find((e) => e.recipient === agDmds.email)!;
    getDb().update(outbox).set({ status: "failed", lastError: "550 Casella inesistente" }).where(eq(outbox.id, failed.id)).run();
    const list = listInvitations(getDb(), { roundTableId: rt.id });
    expect(list.counts).toEqual({ total: rows.length, yes: 1, no: 1, pending: rows.length - 2, attended: 1, withdrawn: 0 });
    expect(list.rows.find((r) => r.email === agDmds.email)).toMatchObject({
      referentName: agDmds.name,
      bodyName: expect.stringMatching(/^Comune di /),
      answer: "no",
      delivery: { status: "failed", lastError: "550 Casella inesistente", template: "round-table-invitation" },
    });
    expect(list.rows.find((r) => r.email === paOrdinari.email)).toMatchObject({ answer: "yes", answeredAt: expect.any(Date), delivery: { status: "queued" } });
    expect(list.rows.at(-1)).toMatchObject({ email: "ospite@example.org", referentName: null, bodyName: null });
    expect(listInvitations(getDb(), { roundTableId: rt.id, answer: "yes" }).rows.map((r) => r.email)).toEqual([paOrdinari.email]);
    const paged = listInvitations(getDb(), { roundTableId: rt.id, page: 2, pageSize: 2 });
    expect(paged.rows).toHaveLength(Math.min(2, rows.length - 2));
    expect(paged.pageCount).toBe(Math.ceil(rows.length / 2));
  });
});

function byEmailNow(roundTableId: number, email: string) {
  return invitationsOf(roundTableId).find((r) => r.email === email)!;
}

describe("sendDueReminders", () => {
  // The invitations go out ten days before the start (`invitedAt`), before any reminder window
  // opens: since reminders are per invitation and only for invitations sent before the window, the
  // clock of the invitation matters (the real clock stays for the answers).
  function invitedTable(overrides: Parameters<typeof createRoundTable>[0] = {}) {
    const rt = createRoundTable({ startsInMs: 10 * DAY, ...overrides });
    // Invitations go out while the table is still published.
    getDb().update(roundTables).set({ status: "published" }).where(eq(roundTables.id, rt.id)).run();
    const invitedAt = new Date(rt.startsAt.getTime() - 10 * DAY);
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["082", "084"] }, coordinatorId, appUrl: APP_URL, now: invitedAt });
    getDb().update(roundTables).set({ status: overrides.status ?? "published" }).where(eq(roundTables.id, rt.id)).run();
    return rt;
  }
  const reminders = (id: number) => emailsOf(id, "round-table-reminder");

  it("reminds those who said yes or have not answered, exactly once however often the job runs", () => {
    const rt = invitedTable({ startsInMs: DAY });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, paOrdinari.email), answer: "yes", appUrl: APP_URL });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, agDmds.email), answer: "no", appUrl: APP_URL });
    const now = new Date();
    const first = sendDueReminders(getDb(), { now, appUrl: APP_URL });
    const second = sendDueReminders(getDb(), { now, appUrl: APP_URL });
    const third = sendDueReminders(getDb(), { now: new Date(now.getTime() + 15 * 60_000), appUrl: APP_URL });
    expect(first.roundTables).toBeGreaterThanOrEqual(1);
    expect(second).toEqual({ roundTables: 0, emails: 0 });
    expect(third).toEqual({ roundTables: 0, emails: 0 });

    const sent = reminders(rt.id);
    const invited = invitationsOf(rt.id);
    expect(sent.map((e) => e.recipient).sort()).toEqual(invited.filter((i) => i.email !== agDmds.email).map((i) => i.email).sort());
    expect(sent.find((e) => e.recipient === paOrdinari.email)!.props).toMatchObject({
      answer: "yes",
      answerUrl: `${APP_URL}/invito/${answerTokenFor(rt.id, paOrdinari.email)}`,
      roundTable: { id: rt.id },
    });
    expect(sent.find((e) => e.recipient === paMsna.email)!.props).toMatchObject({ answer: "pending" });
    // Recorded per invitation; the one who declined has none.
    for (const invitation of invited) {
      expect(invitation.remindedAt).toEqual(invitation.email === agDmds.email ? null : now);
    }
    expect(auditOf("round_table.reminders_sent", rt.id)).toEqual([
      expect.objectContaining({ actorType: "system", details: { count: sent.length } }),
    ]);
  });

  it("respects reminderDays: not before the window, then once inside it; 0 means no reminders", () => {
    const rt = invitedTable({ startsInMs: 3 * DAY + HOUR, reminderDays: 3 });
    const never = invitedTable({ startsInMs: 2 * HOUR, reminderDays: 0 });
    sendDueReminders(getDb(), { now: new Date(), appUrl: APP_URL });
    expect(reminders(rt.id)).toHaveLength(0);
    const inWindow = new Date(Date.now() + 2 * HOUR);
    sendDueReminders(getDb(), { now: inWindow, appUrl: APP_URL });
    expect(reminders(rt.id).length).toBe(invitationsOf(rt.id).length);
    expect(reminders(never.id)).toHaveLength(0);
  });

  it("runs as the scheduled job every 15 minutes; two runs of the job send one reminder each", async () => {
    const rt = invitedTable({ startsInMs: DAY });
    const job = scheduledJobs({ db: getDb(), appUrl: APP_URL }).find((j) => j.name === "round-table-reminders")!;
    expect(job.everyMs).toBe(15 * 60_000);
    await job.run(new Date());
    await job.run(new Date());
    const sent = reminders(rt.id);
    expect(sent.length).toBe(invitationsOf(rt.id).length);
    expect(new Set(sent.map((e) => e.recipient)).size).toBe(sent.length);
  });

  it("skips cancelled, draft and past round tables", () => {
    const cancelled = invitedTable({ startsInMs: DAY, status: "cancelled" });
    const draft = invitedTable({ startsInMs: DAY, status: "draft" });
    const past = invitedTable({ startsInMs: -HOUR });
    sendDueReminders(getDb(), { now: new Date(), appUrl: APP_URL });
    for (const rt of [cancelled, draft, past]) {
      expect(reminders(rt.id)).toHaveLength(0);
      expect(invitationsOf(rt.id).every((i) => i.remindedAt === null)).toBe(true);
    }
  });
});

describe("sendDueReminders: one reminder per invitation, only if invited before the window opened", () => {
  // Each test has its round table in its own month of 2031 and moves the job's clock around it, so
  // that no test's clock opens another test's window (reminderDays is at most 14).
  const reminders = (id: number) => emailsOf(id, "round-table-reminder");
  const remind = (now: Date) => sendDueReminders(getDb(), { now, appUrl: APP_URL });
  const at = (iso: string) => new Date(iso);
  const minutes = (date: Date, n: number) => new Date(date.getTime() + n * 60_000);
  /** Invites the guest addresses at `now` (no referenti: the tests name whom they invite). */
  function invite(roundTableId: number, now: Date, ...emails: string[]) {
    const result = sendInvitations(getDb(), { roundTableId, filters: { includeReferents: false, extraEmails: emails }, coordinatorId, appUrl: APP_URL, now });
    expect(result).toEqual({ ok: true, count: emails.length });
  }
  const remindedEmails = (id: number) => reminders(id).map((e) => e.recipient).sort();

  it("invited before the window: one reminder when the window opens, not a minute earlier, never twice", () => {
    const rt = createRoundTable({ startsAt: at("2031-01-15T14:00:00Z"), reminderDays: 2 });
    const opens = at("2031-01-13T14:00:00Z");
    invite(rt.id, at("2031-01-01T09:00:00Z"), "prima-a@ospite.test", "prima-b@ospite.test");

    expect(remind(minutes(opens, -1))).toEqual({ roundTables: 0, emails: 0 });
    expect(reminders(rt.id)).toHaveLength(0);
    expect(remind(opens)).toEqual({ roundTables: 1, emails: 2 });
    for (const later of [opens, minutes(opens, 15), minutes(opens, 30), at("2031-01-15T13:59:00Z")]) {
      expect(remind(later)).toEqual({ roundTables: 0, emails: 0 });
    }
    expect(remindedEmails(rt.id)).toEqual(["prima-a@ospite.test", "prima-b@ospite.test"]);
    expect(invitationsOf(rt.id).map((i) => i.remindedAt)).toEqual([opens, opens]);
    expect(auditOf("round_table.reminders_sent", rt.id)).toEqual([expect.objectContaining({ details: { count: 2 } })]);
  });

  it("invited inside the window: no reminder, neither right behind the invitation nor at later runs", () => {
    const rt = createRoundTable({ startsAt: at("2031-02-15T14:00:00Z"), reminderDays: 2 });
    const opens = at("2031-02-13T14:00:00Z");
    invite(rt.id, at("2031-02-10T09:00:00Z"), "presto@ospite.test");
    // Sent at the very moment the window opens, and one day in (the job has not run yet).
    invite(rt.id, opens, "allo-scoccare@ospite.test");
    invite(rt.id, at("2031-02-14T14:00:00Z"), "tardi@ospite.test");

    expect(remind(at("2031-02-14T14:05:00Z"))).toEqual({ roundTables: 1, emails: 1 });
    // After the job ran: still none for an invitation sent now.
    invite(rt.id, at("2031-02-14T15:00:00Z"), "ancora-piu-tardi@ospite.test");
    for (const later of [at("2031-02-14T15:10:00Z"), at("2031-02-15T13:45:00Z")]) {
      expect(remind(later)).toEqual({ roundTables: 0, emails: 0 });
    }
    expect(remindedEmails(rt.id)).toEqual(["presto@ospite.test"]);
  });

  it("who answered no gets none; yes and pending get one, with their answer", () => {
    const rt = createRoundTable({ startsAt: at("2031-03-15T14:00:00Z"), reminderDays: 2 });
    invite(rt.id, at("2031-03-01T09:00:00Z"), "si@ospite.test", "no@ospite.test", "attesa@ospite.test");
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, "si@ospite.test"), answer: "yes", appUrl: APP_URL, now: at("2031-03-02T09:00:00Z") });
    answerInvitation(getDb(), { token: answerTokenFor(rt.id, "no@ospite.test"), answer: "no", appUrl: APP_URL, now: at("2031-03-02T09:00:00Z") });

    expect(remind(at("2031-03-13T14:00:00Z"))).toEqual({ roundTables: 1, emails: 2 });
    expect(remindedEmails(rt.id)).toEqual(["attesa@ospite.test", "si@ospite.test"]);
    expect(Object.fromEntries(reminders(rt.id).map((e) => [e.recipient, e.props.answer]))).toEqual({ "si@ospite.test": "yes", "attesa@ospite.test": "pending" });
    expect(byEmailNow(rt.id, "no@ospite.test").remindedAt).toBeNull();
  });

  it("reminderDays 0: no reminder at any time", () => {
    const rt = createRoundTable({ startsAt: at("2031-04-15T14:00:00Z"), reminderDays: 0 });
    invite(rt.id, at("2031-04-01T09:00:00Z"), "zero@ospite.test");
    for (const now of [at("2031-04-13T14:00:00Z"), at("2031-04-15T13:45:00Z"), at("2031-04-15T13:59:59Z")]) {
      expect(remind(now)).toEqual({ roundTables: 0, emails: 0 });
    }
    expect(reminders(rt.id)).toHaveLength(0);
  });

  it("moving the round table brings no second reminder; who was invited before the new window gets theirs then", () => {
    const rt = createRoundTable({ startsAt: at("2031-05-15T14:00:00Z"), reminderDays: 2 });
    invite(rt.id, at("2031-05-01T09:00:00Z"), "gia-ricordato@ospite.test");
    expect(remind(at("2031-05-13T14:00:00Z"))).toEqual({ roundTables: 1, emails: 1 });

    // Moved ten days later (16:00 in Rome, summer time), through the form's model: the update email goes out.
    const moved = updateRoundTable(getDb(), {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: "2031-05-25T16:00", endsAt: "2031-05-25T18:00", reminderDays: "2" }),
      coordinatorId,
      appUrl: APP_URL,
      now: at("2031-05-14T09:00:00Z"),
    });
    expect(moved).toMatchObject({ ok: true, notified: 1 });
    // The update carries the invitee's own answer link (from their invitation), to change the answer.
    const update = emailsOf(rt.id, "round-table-updated").find((e) => e.recipient === "gia-ricordato@ospite.test")!;
    expect(update.props.answerUrl).toBe(`${APP_URL}/invito/${answerTokenFor(rt.id, "gia-ricordato@ospite.test")}`);
    invite(rt.id, at("2031-05-18T09:00:00Z"), "nuovo@ospite.test");

    expect(remind(at("2031-05-23T14:00:00Z"))).toEqual({ roundTables: 1, emails: 1 });
    expect(remind(at("2031-05-24T14:00:00Z"))).toEqual({ roundTables: 0, emails: 0 });
    expect(remindedEmails(rt.id)).toEqual(["gia-ricordato@ospite.test", "nuovo@ospite.test"]);
    expect(reminders(rt.id).at(-1)!.props).toMatchObject({ roundTable: { startsAt: "2031-05-25T14:00:00.000Z" } });
  });

  it("the view of an answer says whether a reminder is still to come, as the job then decides", () => {
    const rt = createRoundTable({ startsAt: at("2031-07-15T14:00:00Z"), reminderDays: 2 });
    const opens = at("2031-07-13T14:00:00Z");
    invite(rt.id, at("2031-07-01T09:00:00Z"), "presto@ospite.test", "aperta@ospite.test", "ricordato@ospite.test");
    invite(rt.id, at("2031-07-14T09:00:00Z"), "tardi@ospite.test");
    const never = createRoundTable({ startsAt: at("2031-07-20T14:00:00Z"), reminderDays: 0 });
    invite(never.id, at("2031-07-01T09:00:00Z"), "zero@ospite.test");
    const reminderDue = (roundTableId: number, email: string, now: Date) => {
      const result = answerInvitation(getDb(), { token: answerTokenFor(roundTableId, email), answer: "yes", appUrl: APP_URL, now });
      expect(result.ok).toBe(true);
      return result.ok && result.view.reminderDue;
    };

    expect(reminderDue(rt.id, "presto@ospite.test", at("2031-07-02T09:00:00Z"))).toBe(true);
    // The window is open and the job has not run yet: it sends the reminder at its next run.
    expect(reminderDue(rt.id, "aperta@ospite.test", minutes(opens, 1))).toBe(true);
    expect(reminderDue(never.id, "zero@ospite.test", at("2031-07-02T09:00:00Z"))).toBe(false);
    expect(remind(minutes(opens, 5))).toEqual({ roundTables: 1, emails: 3 });
    expect(reminderDue(rt.id, "ricordato@ospite.test", minutes(opens, 10))).toBe(false);
    expect(reminderDue(rt.id, "tardi@ospite.test", minutes(opens, 10))).toBe(false);

    expect(remind(at("2031-07-15T13:45:00Z"))).toEqual({ roundTables: 0, emails: 0 });
    expect(remind(at("2031-07-19T14:00:00Z"))).toEqual({ roundTables: 0, emails: 0 });
    expect(remindedEmails(rt.id)).toEqual(["aperta@ospite.test", "presto@ospite.test", "ricordato@ospite.test"]);
    expect(reminders(never.id)).toHaveLength(0);
  });

  it("a larger reminderDays set through the form opens the window earlier for those not reminded yet", () => {
    const rt = createRoundTable({ startsAt: at("2031-06-20T14:00:00Z"), reminderDays: 2 });
    invite(rt.id, at("2031-06-01T09:00:00Z"), "cinque@ospite.test");
    expect(remind(at("2031-06-15T14:00:00Z"))).toEqual({ roundTables: 0, emails: 0 });
    const updated = updateRoundTable(getDb(), {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: "2031-06-20T16:00", endsAt: "2031-06-20T18:00", reminderDays: "5" }),
      coordinatorId,
      appUrl: APP_URL,
    });
    expect(updated).toMatchObject({ ok: true, changed: true, notified: 0 });
    expect(remind(at("2031-06-15T14:00:00Z"))).toEqual({ roundTables: 1, emails: 1 });
    expect(remind(at("2031-06-18T14:00:00Z"))).toEqual({ roundTables: 0, emails: 0 });
    expect(remindedEmails(rt.id)).toEqual(["cinque@ospite.test"]);
  });
});

describe("the nota di invito in the invitation and the reminder", () => {
  const addDocument = (roundTableId: number, kind: "nota_invito" | "slides", title: string, visibility: "public" | "members" = "public") =>
    addDocumentMaterial(roundTableId, { kind, title, visibility });
  const guest = "ospite-nota@example.org";
  /** paOrdinari as a referente and a guest address, invited at `now`. */
  const invite = (roundTableId: number, now?: Date) =>
    sendInvitations(getDb(), { roundTableId, filters: { includeReferents: false, extraEmails: [paOrdinari.email, guest] }, coordinatorId, appUrl: APP_URL, now });
  const propsTo = (roundTableId: number, template: string, email: string) =>
    emailsOf(roundTableId, template).find((e) => e.recipient === email)!.props;

  it("links a public nota to every invitee and a reserved one, by the sign-in, to the referenti only; the email says so", async () => {
    const rt = createRoundTable();
    addDocument(rt.id, "slides", "Slides dei relatori");
    const note = addDocument(rt.id, "nota_invito", "Nota di invito firmata");
    const reserved = addDocument(rt.id, "nota_invito", "Nota per gli enti", "members");
    expect(invite(rt.id)).toEqual({ ok: true, count: 2 });

    const publicLink = { title: "Nota di invito firmata", url: `${APP_URL}/materiali/${note.id}`, membersOnly: false };
    const reservedLink = { title: "Nota per gli enti", url: `${APP_URL}/area-referente/accedi?redirectTo=%2Fmateriali%2F${reserved.id}`, membersOnly: true };
    expect(propsTo(rt.id, "round-table-invitation", paOrdinari.email).invitationNotes).toEqual([publicLink, reservedLink]);
    expect(propsTo(rt.id, "round-table-invitation", guest).invitationNotes).toEqual([publicLink]);

    const referentEmail = await renderEmail("round-table-invitation", propsTo(rt.id, "round-table-invitation", paOrdinari.email));
    expect(referentEmail.text).toContain(`Nota di invito: Nota di invito firmata — ${APP_URL}/materiali/${note.id}\n`);
    expect(referentEmail.text).toContain(`Nota di invito: Nota per gli enti (riservata agli enti aderenti: si scarica dopo l'accesso all'area referente) — ${reservedLink.url}\n`);
    expect(referentEmail.html).toContain(`href="${APP_URL}/materiali/${note.id}"`);
    const guestEmail = await renderEmail("round-table-invitation", propsTo(rt.id, "round-table-invitation", guest));
    expect(guestEmail.text).toContain(`Nota di invito: Nota di invito firmata — ${APP_URL}/materiali/${note.id}`);
    expect(guestEmail.text).not.toContain("Nota per gli enti");
  });

  it("without a nota the emails link none; the reminder links one added after the invitation", async () => {
    const rt = createRoundTable({ startsAt: new Date("2032-03-15T14:00:00Z"), reminderDays: 2 });
    addDocument(rt.id, "slides", "Slides dei relatori");
    expect(invite(rt.id, new Date("2032-03-01T09:00:00Z"))).toEqual({ ok: true, count: 2 });
    expect(propsTo(rt.id, "round-table-invitation", paOrdinari.email).invitationNotes).toEqual([]);
    expect((await renderEmail("round-table-invitation", propsTo(rt.id, "round-table-invitation", guest))).text).not.toContain("Nota di invito");

    const note = addDocument(rt.id, "nota_invito", "Nota di invito firmata");
    const reserved = addDocument(rt.id, "nota_invito", "Nota per gli enti", "members");
    expect(sendDueReminders(getDb(), { now: new Date("2032-03-13T14:00:00Z"), appUrl: APP_URL })).toEqual({ roundTables: 1, emails: 2 });
    const publicLink = { title: "Nota di invito firmata", url: `${APP_URL}/materiali/${note.id}`, membersOnly: false };
    expect(propsTo(rt.id, "round-table-reminder", paOrdinari.email).invitationNotes).toEqual([
      publicLink,
      { title: "Nota per gli enti", url: `${APP_URL}/area-referente/accedi?redirectTo=%2Fmateriali%2F${reserved.id}`, membersOnly: true },
    ]);
    expect(propsTo(rt.id, "round-table-reminder", guest).invitationNotes).toEqual([publicLink]);
    const reminder = await renderEmail("round-table-reminder", propsTo(rt.id, "round-table-reminder", guest));
    expect(reminder.text).toContain(`Nota di invito: Nota di invito firmata — ${APP_URL}/materiali/${note.id}\n`);
  });
});

describe("a referente revoked after being invited", () => {
  it("cannot answer any more, and is not told that someone took over", async () => {
    const revoked = await createReferent({ provinceCode: "089" });
    const rt = createRoundTable({ startsInMs: 5 * DAY, status: "published" });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: [revoked.email] }, coordinatorId, appUrl: APP_URL });
    const token = answerTokenFor(rt.id, revoked.email);
    const note = addDocumentMaterial(rt.id, { kind: "nota_invito", title: "Nota di invito" });
    expect(lookupInvitation(getDb(), { token })!.materials.map((m) => m.id)).toEqual([note.id]);
    const before = countInvitations(getDb(), { roundTableId: rt.id });
    expect(revokeMembership(getDb(), { appUrl: "http://portale.test", id: revoked.request.id, coordinatorId, reason: "Uscita dalla rete" })).toEqual({ ok: true });
    const view = lookupInvitation(getDb(), { token })!;
    expect(view).toMatchObject({ state: "withdrawn", refusal: ANSWER_WITHDRAWN_MESSAGE });
    // The Tavolo is no longer theirs: its materials are not listed to them.
    expect(view.materials).toEqual([]);
    expect(view.refusal).not.toContain("sostituito");
    expect(countInvitations(getDb(), { roundTableId: rt.id })).toEqual({ ...before, total: before.total - 1, pending: before.pending - 1, withdrawn: 1 });
  });
});

describe("a referente replaced after being invited", () => {
  it("their invitations to Tavoli still to come pass to the successor; the old ones get no more news and cannot be answered", async () => {
    const outgoing = await createReferent({ provinceCode: "089", category: "MSNA" });
    // Invited ten days before the start (before the reminder window), to a Tavolo in two days and
    // to one already held.
    const upcoming = createRoundTable({ startsInMs: 2 * DAY, status: "published", reminderDays: 1, onlineUrl: "https://meet.example.org/riservato" });
    const held = createRoundTable({ startsInMs: 10 * DAY, status: "published" });
    const invitedAt = new Date(upcoming.startsAt.getTime() - 10 * DAY);
    for (const rt of [upcoming, held]) {
      sendInvitations(getDb(), { roundTableId: rt.id, filters: { extraEmails: [outgoing.email] }, coordinatorId, appUrl: APP_URL, now: invitedAt });
    }
    getDb().update(roundTables).set({ startsAt: new Date(Date.now() - DAY), endsAt: new Date(Date.now() - DAY + HOUR) }).where(eq(roundTables.id, held.id)).run();
    const oldToken = answerTokenFor(upcoming.id, outgoing.email);
    expect(answerInvitation(getDb(), { token: oldToken, answer: "yes", appUrl: APP_URL }).ok).toBe(true);
    const before = countInvitations(getDb(), { roundTableId: upcoming.id });

    const incoming = await createReferent({
      state: "pending",
      fields: { municipalityCode: outgoing.fields.municipalityCode, fiscalCode: outgoing.fields.fiscalCode, firstName: "Rosalia", "projects.0.category": "MSNA" },
    });
    expect(approveMembership(getDb(), { id: incoming.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });

    // The successor is invited to the Tavolo to come, with an email of their own; not to the one held.
    const successorInvitation = invitationsOf(upcoming.id).find((i) => i.email === incoming.email)!;
    expect(successorInvitation).toMatchObject({ referentId: incoming.referent.id, answer: "pending" });
    expect(emailsOf(upcoming.id, "round-table-invitation").filter((e) => e.recipient === incoming.email)).toHaveLength(1);
    expect(invitationsOf(held.id).map((i) => i.email)).not.toContain(incoming.email);
    // They first hear that they are the referente, then receive the invitation passed on (the worker sends in queue order).
    const toSuccessor = getDb().select().from(outbox).where(eq(outbox.recipient, incoming.email)).orderBy(outbox.nextAttemptAt, outbox.id).all();
    expect(toSuccessor.map((e) => e.template).filter((t) => t !== "confirm-registration")).toEqual(["membership-approved", "round-table-invitation"]);
    expect(auditOf("membership.handover_approved", incoming.request.id)[0].details).toMatchObject({ transferredInvitations: 1 });
    // The outgoing referente is told which Tavolo in their calendar passed to the successor.
    const farewell = getDb().select().from(outbox).where(eq(outbox.template, "referent-replaced")).all().filter((e) => e.recipient === outgoing.email);
    expect(farewell).toHaveLength(1);
    expect(farewell[0].props.passedOn).toEqual([{ name: roundTableName(upcoming), when: roundTableWhen(upcoming) }]);
    const told = await renderEmail("referent-replaced", farewell[0].props);
    expect(told.text).toContain(`Il tuo invito a questo Tavolo tecnico è passato a Rosalia ${incoming.fields.lastName}: se l'avevi aggiunto al calendario, puoi toglierlo.`);
    expect(told.text).toContain(roundTableName(upcoming));

    // The old invitation: withdrawn, without the meeting's link, and its answer is refused.
    const view = lookupInvitation(getDb(), { token: oldToken })!;
    expect(view.state).toBe("withdrawn");
    expect(view.roundTable.onlineUrl).toBeNull();
    expect(view.refusal).toBe(ANSWER_PASSED_ON_MESSAGE);
    const refused = answerInvitation(getDb(), { token: oldToken, answer: "no", appUrl: APP_URL });
    expect(refused).toMatchObject({ ok: false, reason: "closed", error: ANSWER_PASSED_ON_MESSAGE });

    // Counted apart: the old "yes" is no longer among the answers, the ente is invited once (the
    // successor, pending), and the old invitation is listed under the withdrawn ones only.
    const after = countInvitations(getDb(), { roundTableId: upcoming.id });
    expect(after).toEqual({ ...before, yes: before.yes - 1, pending: before.pending + 1, withdrawn: before.withdrawn + 1 });
    expect(listRoundTablesForAdmin(getDb(), { now: new Date() }).upcoming.find((rt) => rt.id === upcoming.id)!.invitations).toEqual(after);
    const listed = listInvitations(getDb(), { roundTableId: upcoming.id }).rows.map((r) => r.email);
    expect(listed).toContain(incoming.email);
    expect(listed).not.toContain(outgoing.email);
    expect(listInvitations(getDb(), { roundTableId: upcoming.id, answer: "yes" }).rows.map((r) => r.email)).not.toContain(outgoing.email);
    expect(listInvitations(getDb(), { roundTableId: upcoming.id, answer: "withdrawn" }).rows.map((r) => [r.email, r.answer])).toEqual([[outgoing.email, "yes"]]);
    // The ente's participation: invited to both; the Tavolo to come not yet answered (the old
    // referente's "yes" went with them), the one held answered as it was.
    const participation = getBodyParticipation(getDb(), { memberBodyId: outgoing.referent.memberBodyId });
    expect(participation.roundTables.map((r) => [r.id, r.answer])).toEqual([[upcoming.id, "pending"], [held.id, "pending"]]);
    expect(lookupInvitation(getDb(), { token: answerTokenFor(upcoming.id, incoming.email) })!.state).toBe("open");

    // News of the Tavolo (updates, cancellation, materials) and its reminder go to the successor only.
    const invitees = roundTableInvitees(getDb(), { roundTableId: upcoming.id, includeDeclined: true }).map((i) => i.email);
    expect(invitees).toContain(incoming.email);
    expect(invitees).not.toContain(outgoing.email);
    sendDueReminders(getDb(), { now: new Date(upcoming.startsAt.getTime() - 12 * HOUR), appUrl: APP_URL });
    expect(emailsOf(upcoming.id, "round-table-reminder").map((e) => e.recipient)).not.toContain(outgoing.email);
  });
});

describe("a Tavolo cancelled before a handover", () => {
  it("keeps its invitees and answers as they stood when it was cancelled, for the coordinators and for the ente", async () => {
    const outgoing = await createReferent({ provinceCode: "089", category: "MSNA" });
    const guest = uniqueEmail("ospite");
    const cancelledFirst = createRoundTable({ startsInMs: 5 * DAY, onlineUrl: "https://meet.example.org/annullato" });
    const cancelledAfter = createRoundTable({ startsInMs: 6 * DAY });
    for (const rt of [cancelledFirst, cancelledAfter]) {
      sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [outgoing.email, guest] }, coordinatorId, appUrl: APP_URL });
    }
    const oldToken = answerTokenFor(cancelledFirst.id, outgoing.email);
    expect(answerInvitation(getDb(), { token: oldToken, answer: "yes", appUrl: APP_URL }).ok).toBe(true);
    // Explicit times, a minute apart: the order of cancellation and handover is what is tested.
    const minutesFromNow = (n: number) => new Date(Date.now() + n * 60_000);
    const cancelledAt = minutesFromNow(1);
    expect(cancelRoundTable(getDb(), { id: cancelledFirst.id, coordinatorId, appUrl: APP_URL, now: cancelledAt })).toEqual({ ok: true, notified: 2 });
    expect(getRoundTable(getDb(), { id: cancelledFirst.id })).toMatchObject({ status: "cancelled", cancelledAt });
    const asCancelled = { total: 2, yes: 1, no: 0, pending: 1, attended: 0, withdrawn: 0 };
    expect(countInvitations(getDb(), { roundTableId: cancelledFirst.id })).toEqual(asCancelled);

    const incoming = await createReferent({
      state: "pending",
      fields: { municipalityCode: outgoing.fields.municipalityCode, fiscalCode: outgoing.fields.fiscalCode, firstName: "Rosalia", "projects.0.category": "MSNA" },
    });
    expect(approveMembership(getDb(), { id: incoming.request.id, coordinatorId, appUrl: APP_URL, now: minutesFromNow(2) })).toEqual({ ok: true });

    // /admin/tavoli, the invitations page and the ente's participation: as at the cancellation.
    expect(countInvitations(getDb(), { roundTableId: cancelledFirst.id })).toEqual(asCancelled);
    expect(listRoundTablesForAdmin(getDb(), { now: new Date() }).upcoming.find((rt) => rt.id === cancelledFirst.id)!.invitations).toEqual(asCancelled);
    expect(listInvitations(getDb(), { roundTableId: cancelledFirst.id, answer: "yes" }).rows.map((r) => r.email)).toEqual([outgoing.email]);
    expect(listInvitations(getDb(), { roundTableId: cancelledFirst.id, answer: "withdrawn" }).rows).toEqual([]);
    const participation = getBodyParticipation(getDb(), { memberBodyId: outgoing.referent.memberBodyId });
    expect(participation.roundTables.find((r) => r.id === cancelledFirst.id)).toMatchObject({ status: "cancelled", answer: "yes" });
    // Nothing passed to the successor, whose «I miei Tavoli» has the Tavolo still to come only.
    expect(invitationsOf(cancelledFirst.id).map((i) => i.email)).not.toContain(incoming.email);
    const successorAccess = {
      referentId: incoming.referent.id,
      memberBodyId: incoming.referent.memberBodyId,
      requestId: incoming.request.id,
      email: incoming.email,
      firstName: incoming.fields.firstName,
      lastName: incoming.fields.lastName,
      bodyName: "",
      status: "active" as const,
    };
    expect(listReferentTavoli(getDb(), { access: successorAccess }).upcoming.map((u) => u.roundTable.id)).toEqual([cancelledAfter.id]);
    // The old invitation's page says the Tavolo was cancelled, not that the invitation passed on,
    // and shows no link to someone no longer in office.
    const view = lookupInvitation(getDb(), { token: oldToken })!;
    expect(view).toMatchObject({ state: "cancelled", refusal: ANSWER_CANCELLED_MESSAGE });
    expect(view.roundTable.onlineUrl).toBeNull();
    // Nor to an invitee still welcome: a cancelled Tavolo has no meeting to join.
    const guestView = lookupInvitation(getDb(), { token: answerTokenFor(cancelledFirst.id, guest) })!;
    expect(guestView).toMatchObject({ state: "cancelled", refusal: ANSWER_CANCELLED_MESSAGE });
    expect(guestView.roundTable.onlineUrl).toBeNull();

    // A Tavolo cancelled after the handover: the successor's invitation counts, the old one is withdrawn.
    expect(cancelRoundTable(getDb(), { id: cancelledAfter.id, coordinatorId, appUrl: APP_URL, now: minutesFromNow(3) })).toEqual({ ok: true, notified: 2 });
    expect(countInvitations(getDb(), { roundTableId: cancelledAfter.id })).toEqual({ total: 2, yes: 0, no: 0, pending: 2, attended: 0, withdrawn: 1 });
    expect(listInvitations(getDb(), { roundTableId: cancelledAfter.id, answer: "withdrawn" }).rows.map((r) => r.email)).toEqual([outgoing.email]);
    expect(lookupInvitation(getDb(), { token: answerTokenFor(cancelledAfter.id, outgoing.email) })).toMatchObject({ state: "withdrawn", refusal: ANSWER_PASSED_ON_MESSAGE });
    expect(listReferentTavoli(getDb(), { access: successorAccess }).upcoming.map((u) => [u.roundTable.id, u.roundTable.status])).toEqual([[cancelledAfter.id, "cancelled"]]);
  });
});

describe("an erased referente's invitation", () => {
  it("answers as an unknown one: the link in their old email shows nothing of it and records nothing", async () => {
    const person = await createReferent({ provinceCode: "089" });
    const rt = createRoundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [person.email] }, coordinatorId, appUrl: APP_URL });
    const token = answerTokenFor(rt.id, person.email);
    expect(lookupInvitation(getDb(), { token })).not.toBeNull();
    expect(requestErasure(getDb(), { referentId: person.referent.id, appUrl: APP_URL }).ok).toBe(true);
    expect(eraseReferent(getDb(), { referentId: person.referent.id, coordinatorId, appUrl: APP_URL }).ok).toBe(true);
    expect(lookupInvitation(getDb(), { token })).toBeNull();
    expect(answerInvitation(getDb(), { token, answer: "yes", appUrl: APP_URL })).toMatchObject({ ok: false, reason: "not_found" });
    expect(invitationsOf(rt.id).map((i) => i.answer)).toEqual(["pending"]);
  });
});

describe("the counts' query plans", () => {
  it("read the invitations from invitations_counts_idx alone, and the Tavolo and referente of the withdrawn ones by key", () => {
    const logged: { sql: string; params: unknown[] }[] = [];
    const client = getDb().$client;
    const db = drizzle(client, { schema, logger: { logQuery: (sql, params) => logged.push({ sql, params }) } }) as unknown as Db;
    countInvitationsByRoundTable(db, { roundTableIds: [1, 2, 3] });
    const plans = logged.map((q) => (client.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail));
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).toContainEqual(expect.stringMatching(/^SEARCH i USING COVERING INDEX invitations_counts_idx \(round_table_id=\?\)/));
      expect(plan.filter((d) => d.startsWith("SCAN"))).toEqual([]);
    }
    expect(plans[1]).toEqual(expect.arrayContaining(["SEARCH wrt USING INTEGER PRIMARY KEY (rowid=?)", "SEARCH wr USING INTEGER PRIMARY KEY (rowid=?)"]));
  });
});
