// A referente's address corrected by a coordinator, or changed by the referente: the invitations to
// the Tavoli still to come follow it, with a new answer link sent there; the old address no longer
// answers for the person. Past invitations keep the address they went to.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { outbox, referents } from "#db/schema";
import { answerInvitation, lookupInvitation, sendInvitations } from "~/models/invitation.server";
import { getMembershipEditValues, updateMembershipFields } from "~/models/membership-detail.server";
import { queueEmail } from "~/models/outbox.server";
import { confirmEmailChange, requestEmailChange } from "~/models/referent-area.server";
import { requestLoginCode, verifyLoginCode } from "~/models/referent-login.server";
import { findReferentAccess } from "~/models/referent-session.server";
import { getDb } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { membershipEditSchema } from "~/validation/membership-edit";
import { createTestCoordinator } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import { answerTokenFor, createReferent, createRoundTable, DAY, emailsOf, invitationsOf } from "../../support/invitations";
import { latestLoginEmail } from "../../support/referent";
import { APP_URL } from "../../support/requests";

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
});

const referentRow = (id: number) => getDb().select().from(referents).where(eq(referents.id, id)).get()!;

/** A referente of the province invited to a Tavolo to come and to one already held. */
async function invitedReferente(provinceCode: string) {
  const person = await createReferent({ provinceCode });
  const upcoming = createRoundTable({ startsInMs: 5 * DAY, sequence: 2 });
  const held = createRoundTable({ startsInMs: 5 * DAY });
  for (const rt of [upcoming, held]) {
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: [provinceCode] }, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });
  }
  const oldToken = answerTokenFor(upcoming.id, person.email);
  // The second one has taken place since.
  getDb().$client.prepare("UPDATE round_tables SET starts_at = ?, ends_at = ? WHERE id = ?").run(Date.now() - 3 * DAY, Date.now() - 3 * DAY + 7_200_000, held.id);
  return { person, upcoming, held, oldToken };
}

function expectInvitationMoved({ upcoming, held, oldToken }: Awaited<ReturnType<typeof invitedReferente>>, from: string, to: string, name: string) {
  expect(invitationsOf(upcoming.id).map((i) => i.email)).toEqual([to]);
  expect(invitationsOf(upcoming.id)[0].notifiedSequence).toBe(2);
  expect(invitationsOf(held.id).map((i) => i.email)).toEqual([from]);
  // The new address gets the invitation with a link of its own; the old link is dead.
  const sent = emailsOf(upcoming.id, "round-table-invitation").filter((e) => e.recipient === to);
  expect(sent).toHaveLength(1);
  expect(sent[0].props).toMatchObject({ recipientName: name, recipientEmail: to });
  expect(lookupInvitation(getDb(), { token: answerTokenFor(upcoming.id, to) })).toMatchObject({ state: "open" });
  // The old link no longer answers, and says where the invitation went without giving the new address away.
  const masked = `${to[0]}***@${to.split("@")[1]}`;
  const old = lookupInvitation(getDb(), { token: oldToken })!;
  expect(old).toMatchObject({ state: "moved", calendar: false, invitation: { email: masked } });
  expect(old.refusal).toBe(`Questo invito è stato spostato al tuo nuovo indirizzo email (${masked}), dove ti abbiamo inviato un nuovo collegamento per rispondere: usa quello, questo non vale più.`);
  expect(JSON.stringify(old)).not.toContain(to);
  const before = invitationsOf(upcoming.id);
  expect(answerInvitation(getDb(), { token: oldToken, answer: "no", appUrl: APP_URL })).toMatchObject({ ok: false, reason: "closed", error: old.refusal });
  expect(invitationsOf(upcoming.id)).toEqual(before);
}

describe("a referente's new address", () => {
  it("corrected by a coordinator: the invitations to come move there, and the address is no longer shown as verified until the person signs in", async () => {
    const invited = await invitedReferente("084");
    const { person } = invited;
    expect(referentRow(person.referent.id).emailVerifiedAt).toBeInstanceOf(Date);
    const corrected = uniqueEmail("corretto");
    const edit = getMembershipEditValues(getDb(), { id: person.request.id })!;
    const changes = membershipEditSchema.parse({ ...edit.values, email: corrected });
    expect(updateMembershipFields(getDb(), { id: person.request.id, coordinatorId, changes, appUrl: APP_URL })).toEqual({ ok: true, changed: ["email"], failedEmailsReaddressed: 0 });

    expectInvitationMoved(invited, person.email, corrected, person.name);
    expect(referentRow(person.referent.id).emailVerifiedAt).toBeNull();

    // Signing in with the code sent there proves the address.
    expect(requestLoginCode(getDb(), { email: corrected, appUrl: APP_URL }).sent).toBe(true);
    expect(verifyLoginCode(getDb(), { email: corrected, code: latestLoginEmail(corrected)!.code }).ok).toBe(true);
    expect(referentRow(person.referent.id).emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("changed and confirmed by the referente: the invitations to come move there", async () => {
    const invited = await invitedReferente("085");
    const { person } = invited;
    const access = findReferentAccess(getDb(), { referentId: person.referent.id })!;
    const newAddress = uniqueEmail("nuovo");
    // A comunicazione the old address refused waits for a retry: it will wait at the new one.
    const refused = queueEmail(getDb(), {
      to: person.email,
      template: "communication",
      props: { title: "Convocazione assemblea", paragraphs: ["Testo."] },
      category: "communication",
      memberBodyId: person.request.memberBodyId,
      domain: "portale.test",
    });
    getDb().update(outbox).set({ status: "failed", lastError: "550 User unknown" }).where(eq(outbox.id, refused.id)).run();
    expect(requestEmailChange(getDb(), { access, email: newAddress, appUrl: APP_URL }).ok).toBe(true);
    // Until the new address is confirmed, nothing moves.
    expect(invitationsOf(invited.upcoming.id).map((i) => i.email)).toEqual([person.email]);
    const token = String(outboxFor(newAddress).find((m) => m.template === "referent-email-change")!.props.confirmUrl).split("/").pop()!;
    expect(confirmEmailChange(getDb(), { token, appUrl: APP_URL })).toMatchObject({ state: "valid" });

    expectInvitationMoved(invited, person.email, newAddress, person.name);
    expect(outboxFor(newAddress).find((m) => m.id === refused.id)).toMatchObject({ status: "failed", template: "communication" });
  });

  it("an answered invitation moves with its answer, and the email to the new address says which, with the links to change it", async () => {
    const invited = await invitedReferente("083");
    const { person, upcoming } = invited;
    expect(answerInvitation(getDb(), { token: invited.oldToken, answer: "yes", appUrl: APP_URL }).ok).toBe(true);
    const corrected = uniqueEmail("spostato");
    const changes = membershipEditSchema.parse({ ...getMembershipEditValues(getDb(), { id: person.request.id })!.values, email: corrected });
    expect(updateMembershipFields(getDb(), { id: person.request.id, coordinatorId, changes, appUrl: APP_URL }).ok).toBe(true);

    expect(invitationsOf(upcoming.id)).toEqual([expect.objectContaining({ email: corrected, answer: "yes" })]);
    const sent = emailsOf(upcoming.id, "round-table-invitation").find((e) => e.recipient === corrected)!;
    expect(sent.props).toMatchObject({ currentAnswer: "yes" });
    const { text } = await renderEmail("round-table-invitation", sent.props);
    expect(text).toContain("è stato trasferito a questo indirizzo");
    expect(text).toContain("La tua risposta: «Partecipo».");
    expect(text).not.toContain("Parteciperai?");
    const answerUrl = `${APP_URL}/invito/${answerTokenFor(upcoming.id, corrected)}`;
    expect(text).toContain(`Partecipo ${answerUrl}?risposta=si`);
    expect(text).toContain(`Non partecipo ${answerUrl}?risposta=no`);
  });

  it("leaves alone an invitation the new address already has to the same Tavolo", async () => {
    const { person, upcoming } = await invitedReferente("086");
    const colleague = uniqueEmail("ufficio");
    expect(sendInvitations(getDb(), { roundTableId: upcoming.id, filters: { includeReferents: false, extraEmails: [colleague] }, coordinatorId, appUrl: APP_URL }).ok).toBe(true);
    const changes = membershipEditSchema.parse({ ...getMembershipEditValues(getDb(), { id: person.request.id })!.values, email: colleague });
    expect(updateMembershipFields(getDb(), { id: person.request.id, coordinatorId, changes, appUrl: APP_URL }).ok).toBe(true);
    expect(invitationsOf(upcoming.id).map((i) => i.email).sort()).toEqual([colleague, person.email].sort());
    expect(emailsOf(upcoming.id, "round-table-invitation").filter((e) => e.recipient === colleague)).toHaveLength(1);
  });
});
