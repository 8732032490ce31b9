import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { invitations, materials, outbox, roundTables } from "#db/schema";
import { sendInvitations } from "~/models/invitation.server";
import * as tavoli from "~/routes/area-referente.tavoli";
import { getDb } from "~/utils/db.server";
import { CALENDAR_RESENT_MESSAGE } from "~/utils/round-table-format";
import { createTestCoordinator, settle } from "../../support/admin";
import { createReferent, referentCookie, referentGet, referentPost } from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";

const DAY = 24 * 60 * 60 * 1000;

function roundTable(values: Partial<typeof roundTables.$inferInsert> = {}) {
  const startsAt = values.startsAt ?? new Date(Date.now() + 10 * DAY);
  return getDb()
    .insert(roundTables)
    .values({
      title: `Tavolo ${crypto.randomUUID().slice(0, 6)}`,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 60 * 60 * 1000),
      mode: "online",
      status: "published",
      ...values,
    })
    .returning()
    .get();
}

function invite(roundTableId: number, referent: { referentId: number; email: string }) {
  return getDb()
    .insert(invitations)
    .values({ roundTableId, referentId: referent.referentId, email: referent.email, tokenHash: crypto.randomBytes(32).toString("hex") })
    .returning()
    .get();
}

type Page = {
  upcoming: { invitationId: number; answer: string; canAnswer: boolean; inProgress: boolean; name: string; roundTable: { id: number; status: string } }[];
  past: { invitationId: number; roundTable: { id: number }; materials: { id: number; title: string; href: string; visibility: string }[] }[];
};

async function load(cookie: string) {
  const response = await settle(() => tavoli.loader(routeArgs(referentGet("/area-referente/tavoli", cookie))));
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

async function answer(cookie: string, invitationId: number, risposta: string) {
  return settle(async () => tavoli.action(routeArgs(await referentPost("/area-referente/tavoli", { invitationId: String(invitationId), risposta }, cookie))));
}

describe("I miei Tavoli", () => {
  it("lists the referente's upcoming invitations with their answer, which can be changed", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const rt = roundTable();
    const sent = sendInvitations(getDb(), {
      roundTableId: rt.id,
      filters: { includeReferents: false, extraEmails: [a.email] },
      coordinatorId: createTestCoordinator().id,
      appUrl: APP_URL,
    });
    expect(sent).toEqual({ ok: true, count: 1 });
    const invitation = getDb().select().from(invitations).where(eq(invitations.roundTableId, rt.id)).get()!;
    expect(invitation.referentId).toBe(a.referentId);

    let page = await load(cookie);
    expect(page.upcoming).toEqual([expect.objectContaining({ invitationId: invitation.id, answer: "pending", canAnswer: true })]);

    const yes = await answer(cookie, invitation.id, "si");
    expect(yes.status).toBe(302);
    expect(yes.headers.get("Location")).toBe("/area-referente/tavoli?esito=si");
    page = await load(cookie);
    expect(page.upcoming[0].answer).toBe("yes");
    expect((await answer(cookie, invitation.id, "no")).status).toBe(302);
    expect(getDb().select().from(invitations).where(eq(invitations.id, invitation.id)).get()!.answer).toBe("no");

    expect((await answer(cookie, invitation.id, "forse")).status).toBe(400);

    // Moved while they had declined: «Partecipo» sends the new details and says so.
    getDb().update(roundTables).set({ sequence: rt.sequence + 1 }).where(eq(roundTables.id, rt.id)).run();
    const rejoined = await answer(cookie, invitation.id, "si");
    expect(rejoined.headers.get("Location")).toBe("/area-referente/tavoli?esito=si-aggiornato");
    const after = await renderRoute(tavoli, referentGet("/area-referente/tavoli?esito=si-aggiornato", cookie));
    expect(after.html.replaceAll("&#x27;", "'")).toContain(CALENDAR_RESENT_MESSAGE);
    const rejoinedEmails = getDb().select().from(outbox).where(and(eq(outbox.roundTableId, rt.id), eq(outbox.template, "round-table-rejoined"))).all();
    expect(rejoinedEmails.map((e) => e.recipient)).toEqual([a.email]);
  });

  it("gives the link of an online meeting to the invitee who has not declined, and marks the answer given", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const rt = roundTable({ mode: "online", onlineUrl: "https://meet.example.org/tavolo-riservato" });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [a.email] }, coordinatorId: createTestCoordinator().id, appUrl: APP_URL });
    const invitation = getDb().select().from(invitations).where(eq(invitations.roundTableId, rt.id)).get()!;
    const html = async () => (await renderRoute(tavoli, referentGet("/area-referente/tavoli", cookie))).html;
    expect(await html()).toContain('Per partecipare online: <a href="https://meet.example.org/tavolo-riservato"');
    expect((await answer(cookie, invitation.id, "si")).status).toBe(302);
    expect(await html()).toMatch(/class="btn btn-sm btn-primary" aria-pressed="true">Partecipo</);
    expect((await answer(cookie, invitation.id, "no")).status).toBe(302);
    const declined = await html();
    expect(declined).not.toContain("meet.example.org");
    expect(declined).toMatch(/class="btn btn-sm btn-primary" aria-pressed="true">Non partecipo</);
    expect(declined).toMatch(/class="btn btn-sm btn-outline-primary" aria-pressed="false">Partecipo</);
  });

  it("keeps a Tavolo in progress with the upcoming ones, with its link and place, marked «In corso» and without answers", async () => {
    const a = await createReferent("active");
    const { cookie } = await referentCookie(a.referentId);
    const now = Date.now();
    const rt = roundTable({
      startsAt: new Date(now - 5 * 60 * 1000),
      endsAt: new Date(now + 60 * 60 * 1000),
      mode: "ibrido",
      place: "Palermo, Sala delle Lapidi",
      onlineUrl: "https://meet.example.org/tavolo-in-corso",
    });
    const invitation = invite(rt.id, a);
    getDb().update(invitations).set({ answer: "yes", answeredAt: new Date(now - DAY) }).where(eq(invitations.id, invitation.id)).run();

    const page = await load(cookie);
    expect(page.upcoming).toEqual([expect.objectContaining({ invitationId: invitation.id, inProgress: true, canAnswer: false })]);
    expect(page.past.map((p) => p.roundTable.id)).not.toContain(rt.id);
    const { html } = await renderRoute(tavoli, referentGet("/area-referente/tavoli", cookie));
    const card = html.slice(html.indexOf('id="prossimi"'), html.indexOf('id="passati"'));
    expect(card).toContain("In corso");
    expect(card).toContain("Palermo, Sala delle Lapidi");
    expect(card).toContain('Per partecipare online: <a href="https://meet.example.org/tavolo-in-corso"');
    expect(card).not.toContain('name="risposta"');

    // Once it has ended it is among the past ones.
    getDb().update(roundTables).set({ endsAt: new Date(now - 60 * 1000) }).where(eq(roundTables.id, rt.id)).run();
    const ended = await load(cookie);
    expect(ended.upcoming.map((u) => u.invitationId)).not.toContain(invitation.id);
    expect(ended.past.map((p) => p.roundTable.id)).toContain(rt.id);
  });

  it("does not let a referente answer someone else's invitation", async () => {
    const a = await createReferent("active");
    const b = await createReferent("active");
    const rt = roundTable();
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { includeReferents: false, extraEmails: [b.email] }, coordinatorId: createTestCoordinator().id, appUrl: APP_URL });
    const bInvitation = getDb().select().from(invitations).where(eq(invitations.roundTableId, rt.id)).get()!;
    const { cookie } = await referentCookie(a.referentId);
    expect((await answer(cookie, bInvitation.id, "si")).status).toBe(404);
    expect(getDb().select().from(invitations).where(eq(invitations.id, bInvitation.id)).get()!.answer).toBe("pending");
    expect((await load(cookie)).upcoming.map((u) => u.invitationId)).not.toContain(bInvitation.id);
  });

  it("lists past Tavoli with their materials, members-only ones included for an active referente", async () => {
    const a = await createReferent("active");
    const past = roundTable({ startsAt: new Date(Date.now() - 30 * DAY) });
    invite(past.id, a);
    const db = getDb();
    const publicMaterial = db.insert(materials).values({ roundTableId: past.id, kind: "video", title: "Registrazione", url: "https://video.example.org/1", visibility: "public" }).returning().get();
    const membersMaterial = db
      .insert(materials)
      .values({ roundTableId: past.id, kind: "slides", title: "Slide riservate", storedFileName: "a".repeat(32), downloadName: "slide.pdf", mimeType: "application/pdf", visibility: "members" })
      .returning()
      .get();
    const draft = roundTable({ startsAt: new Date(Date.now() - 20 * DAY), status: "draft" });
    invite(draft.id, a);

    const page = await load((await referentCookie(a.referentId)).cookie);
    expect(page.past.map((p) => p.roundTable.id)).toEqual([past.id]);
    expect(page.past[0].materials).toEqual([
      expect.objectContaining({ id: publicMaterial.id, href: "https://video.example.org/1", visibility: "public" }),
      expect.objectContaining({ id: membersMaterial.id, href: `/materiali/${membersMaterial.id}`, visibility: "members" }),
    ]);
  });

  it("shows a referente awaiting approval only the public materials", async () => {
    const pending = await createReferent("pending");
    const past = roundTable({ startsAt: new Date(Date.now() - 30 * DAY) });
    invite(past.id, pending);
    getDb().insert(materials).values({ roundTableId: past.id, kind: "documento", title: "Pubblico", url: "https://example.org/doc", visibility: "public" }).run();
    getDb().insert(materials).values({ roundTableId: past.id, kind: "documento", title: "Riservato", url: "https://example.org/riservato", visibility: "members" }).run();
    const page = await load((await referentCookie(pending.referentId)).cookie);
    expect(page.past[0].materials.map((m) => m.title)).toEqual(["Pubblico"]);
  });

  it("marks cancelled Tavoli and does not offer an answer for them", async () => {
    const a = await createReferent("active");
    const rt = roundTable({ status: "cancelled" });
    invite(rt.id, a);
    const page = await load((await referentCookie(a.referentId)).cookie);
    expect(page.upcoming).toEqual([expect.objectContaining({ canAnswer: false, roundTable: expect.objectContaining({ status: "cancelled" }) })]);
  });
});
