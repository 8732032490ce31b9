import { and, eq } from "drizzle-orm";
import ical from "node-ical";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, invitations, roundTables } from "#db/schema";
import {
  CANCELLED_NOT_EDITABLE,
  cancelRoundTable,
  createRoundTable,
  duplicateRoundTableValues,
  getRoundTable,
  MOVED_INTO_THE_PAST,
  nextRoundTableNumber,
  publishRoundTable,
  updateRoundTable,
} from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { toRomeLocalInput } from "~/utils/rome-time";
import { issuesToFieldErrors } from "~/utils/form-data";
import { roundTableSchema } from "~/validation/round-table";
import { renderEmail } from "~/utils/render-email.server";
import { createTestCoordinator } from "../../support/admin";
import { APP_URL } from "../../support/requests";
import { addInvitation, createTestRoundTable, outboxForRoundTable, roundTableFields, roundTableInput } from "../../support/round-tables";
import { ANSWER_IN_THE_PORTAL } from "#emails/components/round-table-details";

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
});

const auditFor = (id: number) =>
  getDb()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "round_table"), eq(auditLog.entityId, String(id))))
    .all();

/** Saves the form of round table `id` with these values, as coordinatorId, at `now`. */
const save = (id: number, values: Parameters<typeof roundTableInput>[0], now?: Date) =>
  updateRoundTable(getDb(), { id, input: roundTableInput(values), coordinatorId, appUrl: APP_URL, now });

const invitationOf = (id: number) => getDb().select().from(invitations).where(eq(invitations.id, id)).get()!;

async function icsOf(row: { template: string; props: Record<string, unknown> }) {
  const rendered = await renderEmail(row.template, row.props);
  expect(rendered.attachments).toHaveLength(1);
  const [attachment] = rendered.attachments;
  const parsed = ical.sync.parseICS(attachment.content);
  const event = Object.values(parsed).find((c) => c?.type === "VEVENT") as ical.VEvent;
  const calendar = parsed.vcalendar as unknown as { method: string };
  return { rendered, attachment, event, method: calendar.method, text: attachment.content };
}

describe("round tables: create, number, duplicate", () => {
  it("creates a draft with the form's data, audited with its data", () => {
    const db = getDb();
    const result = createRoundTable(db, {
      input: roundTableInput({ title: "Accoglienza dei MSNA", speakers: "A. Trebeschi — Coordinamento di Brescia\nM. Alberti" }),
      coordinatorId,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const rt = getRoundTable(db, { id: result.id })!;
    expect(rt).toMatchObject({ title: "Accoglienza dei MSNA", status: "draft", sequence: 0, mode: "online", place: null, reminderDays: 2, createdById: coordinatorId });
    // 15:00 in Rome in December is 14:00 UTC.
    expect(rt.startsAt.toISOString()).toBe("2030-12-03T14:00:00.000Z");
    expect(rt.speakers).toEqual([{ name: "A. Trebeschi", affiliation: "Coordinamento di Brescia" }, { name: "M. Alberti" }]);
    const [entry] = auditFor(rt.id);
    expect(entry).toMatchObject({ action: "round_table.created", actorType: "coordinator", actorId: coordinatorId });
    expect(entry.details).toMatchObject({ before: null, after: { title: "Accoglienza dei MSNA", reminderDays: 2 } });
  });

  it("keeps only the place for in-person and only the link for online round tables", () => {
    const db = getDb();
    const inPerson = createRoundTable(db, {
      input: roundTableInput({ mode: "in_presenza", place: "Palermo, sede ANCI Sicilia", onlineUrl: "https://meet.example.org/x" }),
      coordinatorId,
    });
    const online = createRoundTable(db, { input: roundTableInput({ mode: "online", place: "Palermo" }), coordinatorId });
    if (!inPerson.ok || !online.ok) throw new Error("not created");
    expect(getRoundTable(db, { id: inPerson.id })).toMatchObject({ place: "Palermo, sede ANCI Sicilia", onlineUrl: null });
    expect(getRoundTable(db, { id: online.id })).toMatchObject({ place: null, onlineUrl: "https://meet.example.org/tavolo" });
  });

  it("proposes one more than the highest number, and refuses a number already in use", () => {
    const db = getDb();
    const highest = nextRoundTableNumber(db) + 40;
    createTestRoundTable(coordinatorId, { number: String(highest) }, { publish: false });
    expect(nextRoundTableNumber(db)).toBe(highest + 1);

    const taken = createRoundTable(db, { input: roundTableInput({ number: String(highest) }), coordinatorId });
    expect(taken).toEqual({ ok: false, errors: { number: expect.stringMatching(new RegExp(`^Il numero ${highest} è già assegnato al tavolo «`)) } });

    const other = createTestRoundTable(coordinatorId, { number: String(highest + 1) }, { publish: false });
    const clash = updateRoundTable(db, { id: other.id, input: roundTableInput({ number: String(highest) }), coordinatorId, appUrl: APP_URL });
    expect(clash.ok).toBe(false);
    expect(!clash.ok && clash.errors.number).toMatch(/già assegnato/);
    // Keeping its own number is fine; no number at all is fine for several round tables.
    expect(updateRoundTable(db, { id: other.id, input: roundTableInput({ number: String(highest + 1), title: "Nuovo titolo" }), coordinatorId, appUrl: APP_URL }).ok).toBe(true);
    expect(createRoundTable(db, { input: roundTableInput({ number: "" }), coordinatorId }).ok).toBe(true);
    expect(createRoundTable(db, { input: roundTableInput({ number: "" }), coordinatorId }).ok).toBe(true);
  });

  it("a cancelled round table gives its number back: the meeting proposed again takes it, and its copy is offered it", () => {
    const db = getDb();
    const number = nextRoundTableNumber(db) + 40;
    const cancelled = createTestRoundTable(coordinatorId, { number: String(number), title: "Incontro da riproporre" });
    expect(cancelRoundTable(db, { id: cancelled.id, coordinatorId, appUrl: APP_URL }).ok).toBe(true);

    const copy = duplicateRoundTableValues(db, { id: cancelled.id })!;
    expect(copy.values.number).toBe(String(number));
    const again = createRoundTable(db, {
      input: roundTableInput({ ...copy.values, startsAt: "2031-01-10T15:00", endsAt: "2031-01-10T17:00" }),
      coordinatorId,
      duplicatedFromId: cancelled.id,
    });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(getRoundTable(db, { id: again.id })!.number).toBe(number);

    // Now held again: by nobody else, and another copy of the cancelled one gets the next number.
    const taken = createRoundTable(db, { input: roundTableInput({ number: String(number) }), coordinatorId });
    expect(taken).toEqual({ ok: false, errors: { number: `Il numero ${number} è già assegnato al tavolo «Incontro da riproporre»: scegline un altro` } });
    const other = createTestRoundTable(coordinatorId, {}, { publish: false });
    expect(save(other.id, { number: String(number) }).ok).toBe(false);
    expect(duplicateRoundTableValues(db, { id: cancelled.id })!.values.number).toBe(String(nextRoundTableNumber(db)));
    // The database holds the same rule, for any write that would skip the model.
    const row = { number, title: "Scritto a mano", startsAt: new Date(), endsAt: new Date(), mode: "online" as const };
    expect(() => db.insert(roundTables).values({ ...row, status: "published" }).run()).toThrow(/UNIQUE constraint failed: round_tables.number/);
    expect(() => db.insert(roundTables).values({ ...row, status: "cancelled" }).run()).not.toThrow();
  });

  it("duplicates a past round table as a starting point: same data, next number, no dates, audited as a duplicate", () => {
    const db = getDb();
    const past = createTestRoundTable(coordinatorId, {
      title: "Co-programmazione e co-progettazione",
      startsAt: "2022-03-24T15:00",
      endsAt: "2022-03-24T17:00",
      mode: "ibrido",
      place: "Palermo",
      speakers: "G. Zollo — Welcome",
      reminderDays: "5",
    });
    const copy = duplicateRoundTableValues(db, { id: past.id })!;
    expect(copy.values).toMatchObject({
      title: "Co-programmazione e co-progettazione",
      mode: "ibrido",
      place: "Palermo",
      onlineUrl: "https://meet.example.org/tavolo",
      speakers: "G. Zollo — Welcome",
      reminderDays: "5",
      startsAt: "",
      endsAt: "",
      number: String(nextRoundTableNumber(db)),
    });
    const created = createRoundTable(db, {
      input: roundTableInput({ ...copy.values, startsAt: "2030-03-24T15:00", endsAt: "2030-03-24T17:00" }),
      coordinatorId,
      duplicatedFromId: past.id,
    });
    if (!created.ok) throw new Error("not created");
    expect(getRoundTable(db, { id: created.id })).toMatchObject({ status: "draft", title: "Co-programmazione e co-progettazione", place: "Palermo", reminderDays: 5 });
    const [entry] = auditFor(created.id);
    expect(entry.action).toBe("round_table.duplicated");
    expect(entry.details).toMatchObject({ duplicatedFromId: past.id });
    expect(duplicateRoundTableValues(db, { id: 999_999 })).toBeNull();
  });
});

describe("publishing and cancelling", () => {
  it("publishes a draft once, audited with before and after", () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId, {}, { publish: false });
    expect(publishRoundTable(db, { id: rt.id, coordinatorId })).toEqual({ ok: true });
    expect(getRoundTable(db, { id: rt.id })!.status).toBe("published");
    expect(publishRoundTable(db, { id: rt.id, coordinatorId })).toEqual({ ok: false, error: "Si possono pubblicare solo i tavoli in bozza." });
    const entry = auditFor(rt.id).find((e) => e.action === "round_table.published")!;
    expect(entry.details).toMatchObject({ before: { status: "draft" }, after: { status: "published" } });
  });

  it("cancels a published round table: SEQUENCE up, one cancellation with METHOD:CANCEL to every invitee", async () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId);
    const invited = [
      addInvitation(rt.id, "si@comune.test", "yes"),
      addInvitation(rt.id, "forse@comune.test", "pending"),
      addInvitation(rt.id, "no@comune.test", "no"),
    ];
    const result = cancelRoundTable(db, { id: rt.id, coordinatorId, appUrl: APP_URL });
    expect(result).toEqual({ ok: true, notified: 3 });
    const after = getRoundTable(db, { id: rt.id })!;
    expect(after).toMatchObject({ status: "cancelled", sequence: 1 });
    const rows = outboxForRoundTable(rt.id, "round-table-cancelled");
    expect(rows.map((r) => r.recipient).sort()).toEqual(["forse@comune.test", "no@comune.test", "si@comune.test"]);
    for (const inv of invited) expect(invitationOf(inv.id).notifiedSequence).toBe(1);

    const { rendered, attachment, event, method, text } = await icsOf(rows[0]);
    expect(rendered.subject).toMatch(/^Annullato: Tavolo tecnico - Tavolo di prova/);
    expect(rendered.text).toContain("è stato annullato");
    expect(attachment.contentType).toBe("text/calendar; charset=utf-8; method=CANCEL");
    expect(method).toBe("CANCEL");
    expect(text).toContain("STATUS:CANCELLED");
    expect(text).toContain("SEQUENCE:1");
    expect(event.uid).toBe(`tavolo-${rt.id}@portale.test`);

    const entry = auditFor(rt.id).find((e) => e.action === "round_table.cancelled")!;
    expect(entry.details).toMatchObject({ before: { status: "published", sequence: 0 }, after: { status: "cancelled", sequence: 1 }, notified: 3 });
    expect(cancelRoundTable(db, { id: rt.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: false, error: "Il tavolo è già stato annullato." });
    expect(outboxForRoundTable(rt.id, "round-table-cancelled")).toHaveLength(3);

    // Its invitees were told it will not take place: it is not moved afterwards, silently.
    const moved = updateRoundTable(db, { id: rt.id, input: roundTableInput({ startsAt: "2030-12-06T15:00", endsAt: "2030-12-06T17:00" }), coordinatorId, appUrl: APP_URL });
    expect(moved).toEqual({ ok: false, errors: {}, formError: CANCELLED_NOT_EDITABLE });
    expect(getRoundTable(db, { id: rt.id })!.startsAt).toEqual(after.startsAt);
  });

  it("does not cancel a draft or a round table that has already taken place", () => {
    const db = getDb();
    const draft = createTestRoundTable(coordinatorId, {}, { publish: false });
    expect(cancelRoundTable(db, { id: draft.id, coordinatorId, appUrl: APP_URL }).ok).toBe(false);
    const past = createTestRoundTable(coordinatorId, { startsAt: "2022-01-31T15:00", endsAt: "2022-01-31T17:00" });
    expect(cancelRoundTable(db, { id: past.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: false, error: "Il tavolo si è già svolto: non si può annullare." });
    expect(getRoundTable(db, { id: draft.id })!.status).toBe("draft");
    expect(getRoundTable(db, { id: past.id })!.status).toBe("published");
  });
});

describe("changes to a published round table", () => {
  it("moving it bumps SEQUENCE and queues exactly one update per invitee, with a matching .ics for those who have not declined", async () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId);
    const yes = addInvitation(rt.id, "aggiorna-si@comune.test", "yes");
    const pending = addInvitation(rt.id, "aggiorna-attesa@comune.test", "pending");
    const no = addInvitation(rt.id, "aggiorna-no@comune.test", "no");

    const moved = updateRoundTable(db, {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: "2030-12-04T10:00", endsAt: "2030-12-04T12:30" }),
      coordinatorId,
      appUrl: APP_URL,
    });
    expect(moved).toEqual({ ok: true, changed: true, notified: 3 });
    expect(getRoundTable(db, { id: rt.id })!.sequence).toBe(1);
    const rows = outboxForRoundTable(rt.id, "round-table-updated");
    expect(rows.map((r) => r.recipient).sort()).toEqual(["aggiorna-attesa@comune.test", "aggiorna-no@comune.test", "aggiorna-si@comune.test"]);
    expect(invitationOf(yes.id).notifiedSequence).toBe(1);
    expect(invitationOf(pending.id).notifiedSequence).toBe(1);
    // Who declined got no calendar entry: a yes later sends the current one.
    expect(invitationOf(no.id).notifiedSequence).toBe(0);
    const toDecliner = rows.find((r) => r.recipient === "aggiorna-no@comune.test")!;
    expect((await renderEmail(toDecliner.template, toDecliner.props)).attachments).toEqual([]);

    const { rendered, attachment, event, method, text } = await icsOf(rows.find((r) => r.recipient === "aggiorna-si@comune.test")!);
    expect(rendered.subject).toMatch(/^Aggiornamento: /);
    expect(rendered.text).toContain("data e orario");
    expect(rendered.text).toContain("mercoledì 4 dicembre 2030, dalle 10:00 alle 12:30");
    expect(attachment.contentType).toBe("text/calendar; charset=utf-8; method=REQUEST");
    expect(method).toBe("REQUEST");
    expect(text).toContain("SEQUENCE:1");
    expect(text).toContain("DTSTART;TZID=Europe/Rome:20301204T100000");
    expect(event.start.toISOString()).toBe("2030-12-04T09:00:00.000Z");
    expect(event.uid).toBe(`tavolo-${rt.id}@portale.test`);
    // The calendar is not asked for a reply, which would reach no one; the event says where to answer.
    expect(text).toMatch(/ATTENDEE;RSVP=FALSE;/);
    expect(text).not.toContain("RSVP=TRUE");
    expect(event.description).toContain(ANSWER_IN_THE_PORTAL);

    // A change of place (online → ibrido) is another update, with SEQUENCE 2.
    const hybrid = updateRoundTable(db, {
      id: rt.id,
      input: roundTableInput({ title: rt.title, startsAt: "2030-12-04T10:00", endsAt: "2030-12-04T12:30", mode: "ibrido", place: "Palermo" }),
      coordinatorId,
      appUrl: APP_URL,
    });
    expect(hybrid).toEqual({ ok: true, changed: true, notified: 3 });
    const second = outboxForRoundTable(rt.id, "round-table-updated");
    expect(second).toHaveLength(6);
    expect((await icsOf(second.filter((r) => r.recipient === "aggiorna-si@comune.test").at(-1)!)).text).toContain("SEQUENCE:2");

    const entries = auditFor(rt.id).filter((e) => e.action === "round_table.updated");
    expect(entries).toHaveLength(2);
    expect(entries[0].details).toMatchObject({
      before: { startsAt: "2030-12-03T14:00:00.000Z", sequence: 0 },
      after: { startsAt: "2030-12-04T09:00:00.000Z", sequence: 1 },
      changes: ["data e orario"],
    });
  });

  it("a change of title or programme only, or no change at all, sends nothing and keeps SEQUENCE", () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId);
    addInvitation(rt.id, "titolo@comune.test", "yes");
    const retitled = updateRoundTable(db, { id: rt.id, input: roundTableInput({ title: "Titolo nuovo", description: "Altro" }), coordinatorId, appUrl: APP_URL });
    expect(retitled).toEqual({ ok: true, changed: true, notified: 0 });
    const same = updateRoundTable(db, { id: rt.id, input: roundTableInput({ title: "Titolo nuovo", description: "Altro" }), coordinatorId, appUrl: APP_URL });
    expect(same).toEqual({ ok: true, changed: false, notified: 0 });
    expect(getRoundTable(db, { id: rt.id })!.sequence).toBe(0);
    expect(outboxForRoundTable(rt.id)).toHaveLength(0);
    expect(auditFor(rt.id).filter((e) => e.action === "round_table.updated")).toHaveLength(1);
  });

  it("moving a draft sends nothing", () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId, {}, { publish: false });
    addInvitation(rt.id, "bozza@comune.test", "pending");
    const moved = updateRoundTable(db, { id: rt.id, input: roundTableInput({ startsAt: "2030-12-05T15:00", endsAt: "2030-12-05T17:00" }), coordinatorId, appUrl: APP_URL });
    expect(moved).toEqual({ ok: true, changed: true, notified: 0 });
    expect(getRoundTable(db, { id: rt.id })!.sequence).toBe(0);
    expect(outboxForRoundTable(rt.id)).toHaveLength(0);
    // Nobody was told anything: the log does not list "changes" sent to invitees.
    const entry = auditFor(rt.id).find((e) => e.action === "round_table.updated")!;
    expect(entry.details).not.toHaveProperty("changes");
    expect(entry.details).toMatchObject({ notified: 0 });
  });

  it("correcting a Tavolo that has ended emails nobody: the record and the feed's SEQUENCE change, no «Aggiornamento»", () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId, { startsAt: "2022-03-02T15:00", endsAt: "2022-03-02T17:00" });
    const yes = addInvitation(rt.id, "passato-si@comune.test", "yes");
    addInvitation(rt.id, "passato-attesa@comune.test", "pending");
    const corrected = save(rt.id, { title: rt.title, startsAt: "2022-03-02T15:30", endsAt: "2022-03-02T17:30", mode: "ibrido", place: "Palermo" });
    expect(corrected).toEqual({ ok: true, changed: true, notified: 0 });
    // Subscribed calendars pick the correction up from the feed.
    expect(getRoundTable(db, { id: rt.id })).toMatchObject({ place: "Palermo", sequence: 1 });
    expect(outboxForRoundTable(rt.id)).toHaveLength(0);
    expect(invitationOf(yes.id).notifiedSequence).toBe(0);
    const entry = auditFor(rt.id).find((e) => e.action === "round_table.updated")!;
    expect(entry.details).toMatchObject({ changes: ["data e orario", "modalità di partecipazione", "luogo"], notified: 0 });
  });

  it("while it is under way a new link still reaches the invitees; an end brought before now is recorded without emails", () => {
    const rt = createTestRoundTable(coordinatorId, { startsAt: "2030-12-03T15:00", endsAt: "2030-12-03T17:00" });
    addInvitation(rt.id, "in-corso@comune.test", "yes");
    const during = new Date("2030-12-03T14:30:00.000Z"); // 15:30 in Rome
    const relinked = save(rt.id, { title: rt.title, onlineUrl: "https://meet.example.org/nuova-stanza" }, during);
    expect(relinked).toEqual({ ok: true, changed: true, notified: 1 });
    const endedEarly = save(rt.id, { title: rt.title, onlineUrl: "https://meet.example.org/nuova-stanza", endsAt: "2030-12-03T15:20" }, during);
    expect(endedEarly).toEqual({ ok: true, changed: true, notified: 0 });
    expect(outboxForRoundTable(rt.id, "round-table-updated")).toHaveLength(1);
  });

  it("refuses to move a published Tavolo that has not started yet to a time already past: a typo, nobody told", () => {
    const db = getDb();
    const rt = createTestRoundTable(coordinatorId);
    addInvitation(rt.id, "futuro@comune.test", "yes");
    const intoThePast = { title: rt.title, startsAt: "2020-12-03T15:00", endsAt: "2020-12-03T17:00" };
    const refused = save(rt.id, intoThePast);
    expect(refused).toEqual({ ok: false, errors: { endsAt: MOVED_INTO_THE_PAST } });
    expect(getRoundTable(db, { id: rt.id })).toMatchObject({ startsAt: rt.startsAt, sequence: 0 });
    expect(outboxForRoundTable(rt.id)).toHaveLength(0);
    // A draft can be dated in the past: the history of Tavoli held before the portal.
    const draft = createTestRoundTable(coordinatorId, {}, { publish: false });
    expect(save(draft.id, intoThePast).ok).toBe(true);
  });

  it("does not store anything when the number clashes", () => {
    const db = getDb();
    const a = createTestRoundTable(coordinatorId, { number: "901" });
    const b = createTestRoundTable(coordinatorId, { number: "902" });
    addInvitation(b.id, "clash@comune.test", "yes");
    const result = updateRoundTable(db, { id: b.id, input: roundTableInput({ number: "901", startsAt: "2030-12-06T15:00", endsAt: "2030-12-06T17:00" }), coordinatorId, appUrl: APP_URL });
    expect(result.ok).toBe(false);
    expect(getRoundTable(db, { id: b.id })).toMatchObject({ number: 902, sequence: 0 });
    expect(getRoundTable(db, { id: a.id })!.number).toBe(901);
    expect(outboxForRoundTable(b.id)).toHaveLength(0);
    expect(db.select().from(roundTables).where(eq(roundTables.number, 901)).all()).toHaveLength(1);
  });
});

describe("the form's rules", () => {
  const errorsOf = (overrides: Parameters<typeof roundTableFields>[0]) => {
    const parsed = roundTableSchema.safeParse(roundTableFields(overrides));
    return parsed.success ? {} : issuesToFieldErrors(parsed.error.issues);
  };

  it.each([
    ["title", { title: "  " }, "Inserisci il titolo"],
    ["startsAt", { startsAt: "" }, "Indica data e ora di inizio"],
    ["startsAt", { startsAt: "2030-02-30T15:00" }, "Data e ora non valide: usa il formato gg/mm/aaaa hh:mm"],
    ["startsAt", { startsAt: "2031-03-30T02:30", endsAt: "2031-03-30T04:00" }, "Quest'ora non esiste il 30 marzo 2031 (cambio all'ora legale): scegli un altro orario"],
    ["endsAt", { startsAt: "30/03/2031 01:00", endsAt: "30/03/2031 02:00" }, "Quest'ora non esiste il 30 marzo 2031 (cambio all'ora legale): scegli un altro orario"],
    ["startsAt", { startsAt: "2031-10-26T02:30", endsAt: "2031-10-26T04:00" }, "Quest'ora capita due volte il 26 ottobre 2031 (ritorno all'ora solare): scegli un altro orario"],
    ["startsAt", { startsAt: "26/10/2031 02:00", endsAt: "26/10/2031 04:00" }, "Quest'ora capita due volte il 26 ottobre 2031 (ritorno all'ora solare): scegli un altro orario"],
    ["endsAt", { startsAt: "2031-10-26T01:00", endsAt: "2031-10-26T02:59" }, "Quest'ora capita due volte il 26 ottobre 2031 (ritorno all'ora solare): scegli un altro orario"],
    ["endsAt", { endsAt: "2030-12-03T15:00" }, "La fine deve essere successiva all'inizio"],
    ["endsAt", { endsAt: "2030-12-03T14:00" }, "La fine deve essere successiva all'inizio"],
    ["place", { mode: "in_presenza", place: "" }, "Indica il luogo dell'incontro (in presenza o ibrido)"],
    ["place", { mode: "ibrido", place: "" }, "Indica il luogo dell'incontro (in presenza o ibrido)"],
    ["onlineUrl", { mode: "online", onlineUrl: "" }, "Inserisci il link per partecipare online (https://…)"],
    ["onlineUrl", { mode: "ibrido", place: "Palermo", onlineUrl: "" }, "Inserisci il link per partecipare online (https://…)"],
    ["onlineUrl", { onlineUrl: "http://meet.example.org/x" }, "Il link per partecipare online deve essere un indirizzo completo che inizia con https://"],
    ["onlineUrl", { onlineUrl: "javascript:alert(1)" }, "Il link per partecipare online deve essere un indirizzo completo che inizia con https://"],
    ["number", { number: "0" }, "Il numero del tavolo deve essere un numero intero da 1 a 9999 (oppure lascialo vuoto)"],
    ["number", { number: "-3" }, "Il numero del tavolo deve essere un numero intero da 1 a 9999 (oppure lascialo vuoto)"],
    ["number", { number: "2.5" }, "Il numero del tavolo deve essere un numero intero da 1 a 9999 (oppure lascialo vuoto)"],
    ["number", { number: "12345" }, "Il numero del tavolo deve essere un numero intero da 1 a 9999 (oppure lascialo vuoto)"],
    ["startsAt", { startsAt: "15/12/26 15:00" }, "Data e ora non valide: usa il formato gg/mm/aaaa hh:mm"],
    ["endsAt", { startsAt: "15/12/2030 15:00", endsAt: "15/12/2030 14:00" }, "La fine deve essere successiva all'inizio"],
    ["mode", { mode: "telepatia" }, "Scegli la modalità"],
    ["speakers", { speakers: "— Modello SAI Torino" }, "Riga 1 dei relatori: manca il nome prima del trattino"],
    ["reminderDays", { reminderDays: "" }, "Indica quanti giorni prima dell'inizio inviare il promemoria (0 per non inviarlo)"],
    ["reminderDays", { reminderDays: "15" }, "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["reminderDays", { reminderDays: "-2" }, "I giorni del promemoria devono essere un numero intero da 0 a 14"],
    ["reminderDays", { reminderDays: "2,5" }, "I giorni del promemoria devono essere un numero intero da 0 a 14"],
  ])("%s: %j → %s", (field, overrides, message) => {
    expect(errorsOf(overrides)[field]).toBe(message);
  });

  it("accepts the times just before and after the hour skipped or repeated the nights the clocks change", () => {
    expect(errorsOf({ startsAt: "2031-03-30T01:59", endsAt: "2031-03-30T03:00" })).toEqual({});
    expect(errorsOf({ startsAt: "2031-10-26T01:59", endsAt: "2031-10-26T03:00" })).toEqual({});
  });

  it("accepts dates typed as gg/mm/aaaa hh:mm, as its message asks, and the highest number", () => {
    const parsed = roundTableSchema.parse(roundTableFields({ startsAt: "15/12/2030 15:00", endsAt: "15/12/2030 17:30", number: "9999" }));
    expect(parsed.startsAt.toISOString()).toBe("2030-12-15T14:00:00.000Z");
    expect(parsed.endsAt.toISOString()).toBe("2030-12-15T16:30:00.000Z");
    expect(parsed.number).toBe(9999);
  });

  it("asks for the online link only of a Tavolo still to be held: a past one is a record, kept without it", () => {
    for (const mode of ["online", "ibrido"]) {
      expect(errorsOf({ mode, place: "Palermo", onlineUrl: "", startsAt: "2022-04-27T09:00", endsAt: "2022-04-27T13:00" })).toEqual({});
    }
    const now = new Date();
    const inAnHour = toRomeLocalInput(new Date(now.getTime() + 60 * 60_000));
    expect(errorsOf({ onlineUrl: "", startsAt: toRomeLocalInput(new Date(now.getTime() - 60 * 60_000)), endsAt: inAnHour })).toEqual({
      onlineUrl: "Inserisci il link per partecipare online (https://…)",
    });
  });

  it("accepts an in-person round table without a link and a speaker without a topic", () => {
    expect(errorsOf({ mode: "in_presenza", place: "Palermo", onlineUrl: "", speakers: "G. Zollo" })).toEqual({});
  });

  it("reads the reminder days as a whole number from 0 to 14", () => {
    for (const [value, days] of [["0", 0], [" 2 ", 2], ["07", 7], ["14", 14]] as const) {
      expect(roundTableSchema.parse(roundTableFields({ reminderDays: value })).reminderDays).toBe(days);
    }
  });
});
