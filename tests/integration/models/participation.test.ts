import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getBodyParticipation, NO_PARTICIPATION, participationByBody } from "~/models/participation.server";
import { getDb } from "~/utils/db.server";
import { createTestCoordinator } from "../../support/admin";
import { createReferent, invitationsOf } from "../../support/invitations";
import { answer, attend, createParticipationHistory, invite, type ParticipationHistory } from "../../support/participation";

let history: ParticipationHistory;
let neverInvited: Awaited<ReturnType<typeof createReferent>>;
let other: Awaited<ReturnType<typeof createReferent>>;

beforeAll(async () => {
  const coordinatorId = createTestCoordinator().id;
  // Another ente, on some of the same tavoli: t1 no, t2 no answer, t5 yes but absent.
  other = await createReferent({ provinceCode: "087" });
  history = await createParticipationHistory(coordinatorId, {
    alongside: ({ t1, t2, t5 }) => {
      for (const t of [t1, t2, t5]) invite(t.id, [other.email], coordinatorId);
      answer(t1.id, other.email, "no");
      answer(t5.id, other.email, "yes");
    },
  });
  attend(history.roundTables.t5.id, other.email, false, coordinatorId);
  neverInvited = await createReferent({ provinceCode: "084" });
});

describe("getBodyParticipation", () => {
  it("counts distinct tavoli across all the ente's referenti, past ones included", () => {
    const { t1, t2, t3, t4 } = history.roundTables;
    // Five invitations of the ente's two referenti, to four tavoli: the first referente's three (the
    // one to t3, still to come at the handover, withdrawn and passed to the successor) and the
    // successor's own to t4.
    const referentIds = [history.first.referent.id, history.successor.referent.id];
    const ofBody = [t1, t2, t3, t4].flatMap((t) => invitationsOf(t.id)).filter((i) => referentIds.includes(i.referentId!));
    expect(ofBody).toHaveLength(5);

    const p = getBodyParticipation(getDb(), { memberBodyId: history.memberBodyId });
    expect({ invited: p.invited, answered: p.answered, yes: p.yes, attended: p.attended }).toEqual({ invited: 4, answered: 3, yes: 2, attended: 2 });
    expect(p.roundTables).toEqual([
      { id: t4.id, number: null, title: t4.title, startsAt: t4.startsAt, status: "cancelled", answer: "pending", attended: null },
      // The first referente was absent and did not answer, the successor said yes and came.
      { id: t3.id, number: null, title: t3.title, startsAt: t3.startsAt, status: "published", answer: "yes", attended: true },
      { id: t2.id, number: null, title: t2.title, startsAt: t2.startsAt, status: "published", answer: "no", attended: false },
      { id: t1.id, number: null, title: t1.title, startsAt: t1.startsAt, status: "published", answer: "yes", attended: true },
    ]);
  });

  it("leaves out extra addresses, which have no referente: their yes and presence count for no ente", () => {
    const { t4, t5 } = history.roundTables;
    const extraRows = [...invitationsOf(t4.id), ...invitationsOf(t5.id)].filter((i) => i.email === history.extra);
    expect(extraRows.map((i) => [i.referentId, i.answer, i.attended])).toEqual([
      [null, "yes", true],
      [null, "yes", true],
    ]);
    const p = getBodyParticipation(getDb(), { memberBodyId: history.memberBodyId });
    expect(p.roundTables.map((r) => r.id)).not.toContain(t5.id);
    expect(p.roundTables.find((r) => r.id === t4.id)).toMatchObject({ answer: "pending", attended: null });
  });

  it("an ente never invited has nothing", () => {
    expect(getBodyParticipation(getDb(), { memberBodyId: neverInvited.referent.memberBodyId })).toEqual({
      ...NO_PARTICIPATION,
      roundTables: [],
    });
    expect(getBodyParticipation(getDb(), { memberBodyId: 999_999 }).invited).toBe(0);
  });
});

describe("participationByBody", () => {
  it("agrees with getBodyParticipation for every ente, and lists only the enti invited", () => {
    const byBody = participationByBody(getDb());
    expect(byBody.get(history.memberBodyId)).toEqual({ invited: 4, answered: 3, yes: 2, attended: 2 });
    expect(byBody.get(other.referent.memberBodyId)).toEqual({ invited: 3, answered: 2, yes: 1, attended: 0 });
    expect(byBody.has(neverInvited.referent.memberBodyId)).toBe(false);

    const bodyIds = getDb()
      .all<{ id: number }>(sql`SELECT id FROM member_bodies`)
      .map((b) => b.id);
    expect(bodyIds.length).toBeGreaterThan(2);
    for (const id of bodyIds) {
      const { roundTables: _list, ...counts } = getBodyParticipation(getDb(), { memberBodyId: id });
      expect(byBody.get(id) ?? NO_PARTICIPATION, `ente ${id}`).toEqual(counts);
    }
  });
});
