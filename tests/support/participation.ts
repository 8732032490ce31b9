// An ente with a history of invitations to the Tavoli tecnici, made through the real models: two
// referenti one after the other (a handover), invitations sent, answered with the emailed tokens and
// attendance recorded by the organiser; plus extra addresses, which belong to no ente.
import crypto from "node:crypto";
import { expect } from "vitest";
import { answerInvitation, sendInvitations, setAttendance } from "~/models/invitation.server";
import { approveMembership } from "~/models/membership-review.server";
import { eq } from "drizzle-orm";
import { roundTables as roundTablesTable } from "#db/schema";
import { cancelRoundTable } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { answerTokenFor, createReferent, createRoundTable, DAY, HOUR, invitationsOf } from "./invitations";
import { uniqueEmail } from "./factories";
import { APP_URL } from "./requests";

export function invite(roundTableId: number, emails: string[], coordinatorId: number) {
  const sent = sendInvitations(getDb(), { roundTableId, filters: { includeReferents: false, extraEmails: emails }, coordinatorId, appUrl: APP_URL });
  expect(sent).toEqual({ ok: true, count: emails.length });
}

export function answer(roundTableId: number, email: string, value: "yes" | "no") {
  expect(answerInvitation(getDb(), { token: answerTokenFor(roundTableId, email), answer: value, appUrl: APP_URL })).toMatchObject({ ok: true });
}

export function attend(roundTableId: number, email: string, attended: boolean, coordinatorId: number) {
  const invitation = invitationsOf(roundTableId).find((i) => i.email === email)!;
  expect(setAttendance(getDb(), { invitationId: invitation.id, attended, coordinatorId })).toEqual({ ok: true, changed: true });
}

/** Moves a round table into the past, as if it had been held `daysAgo` days ago (invitations need it to come). */
function hold(roundTableId: number, daysAgo: number) {
  const startsAt = new Date(Date.now() - daysAgo * DAY);
  getDb().update(roundTablesTable).set({ startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR) }).where(eq(roundTablesTable.id, roundTableId)).run();
}

type Tables = Record<"t1" | "t2" | "t3" | "t4" | "t5", ReturnType<typeof createRoundTable>>;

/**
 * Tavoli, oldest first: t1 (first referente: yes, present) and t2 (first: no, absent), both held
 * before the handover; t3, still to come at the handover (the first referente's invitation is
 * withdrawn and passed to the successor: yes, present; counted once); t4 (successor, no answer; an
 * extra address said yes and was present; then cancelled); t5 (only an extra address, with a yes
 * and a presence). For the ente: invited to 4, answered 3, yes 2, attended 2. `alongside` may
 * invite others while every tavolo is still to come.
 */
export async function createParticipationHistory(coordinatorId: number, { alongside }: { alongside?: (tables: Tables) => void } = {}) {
  const first = await createReferent({ provinceCode: "083" });
  const suffix = crypto.randomUUID().slice(0, 8);
  const [t1, t2, t3, t4, t5] = [10, 20, 30, 40, 50].map((days, i) => createRoundTable({ title: `Partecipazione ${i + 1} ${suffix}`, startsInMs: days * DAY }));
  const extra = uniqueEmail("esterno");

  invite(t1.id, [first.email], coordinatorId);
  answer(t1.id, first.email, "yes");
  invite(t2.id, [first.email], coordinatorId);
  answer(t2.id, first.email, "no");
  invite(t3.id, [first.email], coordinatorId);
  alongside?.({ t1, t2, t3, t4, t5 });
  hold(t1.id, 20);
  hold(t2.id, 10);
  attend(t1.id, first.email, true, coordinatorId);
  attend(t2.id, first.email, false, coordinatorId);

  const successor = await createReferent({
    state: "pending",
    fields: { municipalityCode: first.fields.municipalityCode, fiscalCode: first.fields.fiscalCode, firstName: "Subentrante" },
  });
  expect(successor.request.kind).toBe("handover");
  expect(approveMembership(getDb(), { id: successor.request.id, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true });

  // The handover passed the first referente's invitation to the Tavolo still to come to the successor.
  expect(invitationsOf(t3.id).map((i) => i.email)).toContain(successor.email);
  expect(invitationsOf(t1.id).map((i) => i.email)).not.toContain(successor.email);
  answer(t3.id, successor.email, "yes");
  attend(t3.id, successor.email, true, coordinatorId);
  invite(t4.id, [successor.email, extra], coordinatorId);
  answer(t4.id, extra, "yes");
  attend(t4.id, extra, true, coordinatorId);
  expect(cancelRoundTable(getDb(), { id: t4.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true });
  invite(t5.id, [extra], coordinatorId);
  answer(t5.id, extra, "yes");
  attend(t5.id, extra, true, coordinatorId);

  const memberBodyId = first.referent.memberBodyId;
  expect(successor.referent.memberBodyId).toBe(memberBodyId);
  // As stored now (t1 and t2 were moved, t4 cancelled).
  const current = (t: ReturnType<typeof createRoundTable>) => getDb().select().from(roundTablesTable).where(eq(roundTablesTable.id, t.id)).get()!;
  return { memberBodyId, first, successor, extra, roundTables: { t1: current(t1), t2: current(t2), t3: current(t3), t4: current(t4), t5: current(t5) } };
}

export type ParticipationHistory = Awaited<ReturnType<typeof createParticipationHistory>>;
