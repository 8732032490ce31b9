import fs from "node:fs";
import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { outbox, roundTables } from "#db/schema";
import { sendDueReminders, sendInvitations, answerInvitation } from "~/models/invitation.server";
import { addLinkMaterial, announceEndedRoundTableMaterials } from "~/models/material.server";
import { getMembershipRequestDetail } from "~/models/membership-detail.server";
import { cancelRoundTable, updateRoundTable } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { createTestCoordinator } from "../../support/admin";
import { answerTokenFor, createReferent, DAY } from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { createTestRoundTable, roundTableInput } from "../../support/round-tables";

// The ente's page (/admin/adesioni/:id) lists the emails sent to its referenti, the Tavoli tecnici's
// included: invitations, reminders, updates, cancellations and announcements of materials.

type Ref = Awaited<ReturnType<typeof createReferent>>;

const ROUND_TABLE_TEMPLATES = ["round-table-invitation", "round-table-reminder", "round-table-updated", "round-table-cancelled", "materials-available"];
const GUEST = "ospite.tavoli@example.org";

let coordinatorId: number;
// Palermo: invited through the province filter; Catania: only named as an extra address.
let palermo: Ref, catania: Ref;
// Catania's address written in capitals: linked to the referente all the same.
let agrigento: Ref;

/** The Tavoli tecnici's emails listed on the ente's page, as [template, recipient] sorted. */
function roundTableEmailsOnPage(ref: Ref) {
  const detail = getMembershipRequestDetail(getDb(), { id: ref.request.id, appUrl: APP_URL });
  return detail!.emails
    .filter((e) => ROUND_TABLE_TEMPLATES.includes(e.template))
    .map((e) => [e.template, e.recipient])
    .sort();
}

const roundTableEmails = () => getDb().select().from(outbox).where(inArray(outbox.template, ROUND_TABLE_TEMPLATES)).all();

beforeAll(async () => {
  coordinatorId = createTestCoordinator().id;
  palermo = await createReferent({ provinceCode: "082" });
  catania = await createReferent({ provinceCode: "087" });
  agrigento = await createReferent({ provinceCode: "084" });

  const db = getDb();
  const invite = (roundTableId: number) =>
    sendInvitations(db, {
      roundTableId,
      filters: { provinceCodes: ["082"], extraEmails: [catania.email, GUEST, agrigento.email.toUpperCase()] },
      coordinatorId,
      appUrl: APP_URL,
    });

  // Moved: an update to every invitee, Agrigento too, who had declined.
  const moved = createTestRoundTable(coordinatorId, { startsAt: "2030-11-03T15:00", endsAt: "2030-11-03T17:00" });
  expect(invite(moved.id)).toMatchObject({ ok: true, count: 4 });
  const token = answerTokenFor(moved.id, agrigento.email);
  expect(answerInvitation(db, { token, answer: "no", appUrl: APP_URL })).toMatchObject({ ok: true });
  const updated = updateRoundTable(db, {
    id: moved.id,
    input: roundTableInput({ title: moved.title, startsAt: "2030-11-04T15:00", endsAt: "2030-11-04T17:00" }),
    coordinatorId,
    appUrl: APP_URL,
  });
  expect(updated).toMatchObject({ ok: true, notified: 4 });

  // Cancelled: a notice to every invitee.
  const cancelled = createTestRoundTable(coordinatorId, { startsAt: "2030-11-10T15:00", endsAt: "2030-11-10T17:00" });
  expect(invite(cancelled.id)).toMatchObject({ ok: true, count: 4 });
  expect(cancelRoundTable(db, { id: cancelled.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true, notified: 4 });

  // Reminded, then held: the video is announced.
  const held = createTestRoundTable(coordinatorId, { startsAt: "2030-11-20T15:00", endsAt: "2030-11-20T17:00" });
  expect(invite(held.id)).toMatchObject({ ok: true, count: 4 });
  expect(sendDueReminders(db, { now: new Date(held.startsAt.getTime() - DAY), appUrl: APP_URL })).toEqual({ roundTables: 1, emails: 4 });
  const past = { startsAt: new Date(Date.now() - 3 * DAY), endsAt: new Date(Date.now() - 3 * DAY + 2 * 3600_000) };
  db.update(roundTables).set(past).where(eq(roundTables.id, held.id)).run();
  const material = addLinkMaterial(db, {
    roundTableId: held.id,
    input: { kind: "video", title: "Registrazione dell'incontro", curatedBy: null, visibility: "public", url: "https://example.org/video" },
    coordinatorId,
  });
  expect(material).toMatchObject({ ok: true, toAnnounce: 4 });
  expect(announceEndedRoundTableMaterials(db, { now: new Date(Date.now() + 11 * 60_000), appUrl: APP_URL })).toMatchObject({ emails: 4 });
});

describe("the Tavoli tecnici's emails on the ente's page", () => {
  it("lists every email of the round tables sent to the ente's referente, and only those", () => {
    const expected = (email: string) =>
      [
        ...Array(3).fill(["round-table-invitation", email]),
        ["round-table-updated", email],
        ["round-table-cancelled", email],
        ["round-table-reminder", email],
        ["materials-available", email],
      ].sort();
    expect(roundTableEmailsOnPage(palermo)).toEqual(expected(palermo.email));
    // Reached only as an extra address, still the referente of its ente.
    expect(roundTableEmailsOnPage(catania)).toEqual(expected(catania.email));
    // Declined the moved one, and told of the move all the same (the new date may suit).
    expect(roundTableEmailsOnPage(agrigento)).toEqual(expected(agrigento.email));
  });

  it("an address that is no referente's belongs to no ente", () => {
    const guest = roundTableEmails().filter((e) => e.recipient === GUEST);
    expect(guest).toHaveLength(7);
    expect(guest.every((e) => e.memberBodyId === null)).toBe(true);
    const others = roundTableEmails().filter((e) => e.recipient !== GUEST);
    expect(others.every((e) => e.memberBodyId !== null)).toBe(true);
  });

  it("migration 0006 links older emails to the ente of the invited referente", () => {
    const db = getDb();
    const linkOlderEmails = () => db.$client.prepare(fs.readFileSync("db/migrations/0006_link_round_table_emails.sql", "utf8")).run().changes;
    const before = roundTableEmails().map((e) => [e.id, e.memberBodyId]);
    const linked = db.update(outbox).set({ memberBodyId: null }).where(and(inArray(outbox.template, ROUND_TABLE_TEMPLATES), isNotNull(outbox.memberBodyId))).run().changes;
    expect(linked).toBe(21);
    expect(roundTableEmailsOnPage(palermo)).toEqual([]);

    expect(linkOlderEmails()).toBe(21);
    expect(roundTableEmails().map((e) => [e.id, e.memberBodyId])).toEqual(before);
    expect(roundTableEmailsOnPage(palermo)).toHaveLength(7);
    // Nothing left to link, the guest's emails stay without an ente.
    expect(linkOlderEmails()).toBe(0);
    expect(db.select().from(outbox).where(and(eq(outbox.recipient, GUEST), isNull(outbox.memberBodyId))).all()).toHaveLength(7);
  });
});
