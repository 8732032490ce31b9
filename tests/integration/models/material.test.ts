import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, materials } from "#db/schema";
import {
  addFileMaterial,
  addLinkMaterial,
  announceEndedRoundTableMaterials,
  deleteMaterial,
  MATERIAL_NOT_FOUND_MESSAGE,
  MATERIALS_ANNOUNCEMENT_WINDOW_DAYS,
  updateMaterial,
} from "~/models/material.server";
import { cancelRoundTable } from "~/models/round-table.server";
import { auditDetailPairs } from "~/utils/audit-labels";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { renderEmail } from "~/utils/render-email.server";
import { scheduledJobs } from "~/utils/scheduled-jobs.server";
import { createTestCoordinator } from "../../support/admin";
import { auditOf, createReferent, createRoundTable, DAY, HOUR } from "../../support/invitations";
import { APP_URL } from "../../support/requests";
import { addInvitation, outboxForRoundTable } from "../../support/round-tables";

// "Materiali disponibili": the scheduled job announces slides and videos added before a Tavolo
// tecnico ended once it has ended, those added afterwards 10 minutes after the last one added, all
// together in one email per invitee. Every test has its round
// tables in its own month of 2032 and moves the job's clock around them: the job looks at every
// round table that ended in the last 7 days, so no test's clock reaches another test's tables.

const PDF = "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";
const MINUTE = 60_000;

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
});

const at = (iso: string) => new Date(iso);
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);
const announce = (now: Date) => announceEndedRoundTableMaterials(getDb(), { now, appUrl: APP_URL });
const announcements = (roundTableId: number) => outboxForRoundTable(roundTableId, "materials-available");
const recipients = (roundTableId: number) => announcements(roundTableId).map((r) => r.recipient).sort();
const materialsOf = (roundTableId: number) => getDb().select().from(materials).where(eq(materials.roundTableId, roundTableId)).all();

/** A published round table, two hours long, starting at `startsAt`, with invitees who said yes, have not answered, said no. */
function heldTable(startsAt: Date, { status = "published" as "published" | "draft" | "cancelled", tag = crypto.randomUUID().slice(0, 6) } = {}) {
  const rt = createRoundTable({ startsAt, endsAt: plus(startsAt, 2 * HOUR), status });
  addInvitation(rt.id, `si-${tag}@comune.test`, "yes");
  addInvitation(rt.id, `attesa-${tag}@comune.test`, "pending");
  addInvitation(rt.id, `no-${tag}@comune.test`, "no");
  return rt;
}

/** Slides (or another kind of file) uploaded through the model at `now`. */
async function addSlides(
  roundTableId: number,
  now: Date,
  { title = "Slides del relatore", visibility = "public" as "public" | "members", kind = "slides" as "slides" | "documento" | "nota_invito" } = {},
) {
  const tempPath = path.join(os.tmpdir(), `slides-${crypto.randomUUID()}.pdf`);
  fs.writeFileSync(tempPath, PDF);
  const result = await addFileMaterial(getDb(), {
    roundTableId,
    input: { kind, title, curatedBy: "A. Trebeschi", visibility },
    upload: { tempPath, originalName: "slides.pdf", size: PDF.length },
    coordinatorId,
    uploadsDir: getEnv().uploadsDir,
    now,
  });
  if (!result.ok) throw new Error(result.error);
  return result;
}

function addLink(roundTableId: number, now: Date, kind: "video" | "documento", title = kind === "video" ? "Registrazione" : "Articolo") {
  const result = addLinkMaterial(getDb(), {
    roundTableId,
    input: { kind, title, curatedBy: null, url: `https://www.youtube.com/watch?v=${crypto.randomUUID().slice(0, 8)}`, visibility: "public" },
    coordinatorId,
    now,
  });
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe("announceEndedRoundTableMaterials", () => {
  it("slides added before the end: nothing before the end, then once, to the same invitees as slides added after the end", async () => {
    const rt = heldTable(at("2032-01-10T14:00:00Z"), { tag: "prima" });
    const end = rt.endsAt;
    const slides = await addSlides(rt.id, at("2032-01-08T09:00:00Z"), { title: "Slides inviate prima" });
    expect(slides.toAnnounce).toBe(0);

    // Before the end the job sends nothing, not even a minute before.
    expect(announce(at("2032-01-09T09:00:00Z"))).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    expect(announce(plus(end, -MINUTE))).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    expect(announcements(rt.id)).toHaveLength(0);

    // Once ended: one email per invitee who has not declined.
    const ran = plus(end, 10 * MINUTE);
    expect(announce(ran)).toEqual({ roundTables: 1, materials: 1, emails: 2 });
    expect(recipients(rt.id)).toEqual(["attesa-prima@comune.test", "si-prima@comune.test"]);
    expect(materialsOf(rt.id)[0].announcedAt).toEqual(ran);
    expect(announcements(rt.id)[0].props).toMatchObject({
      recipientEmail: expect.any(String),
      roundTable: { id: rt.id },
      materials: [{ title: "Slides inviate prima", kindLabel: "Slides", curatedBy: "A. Trebeschi", visibility: "public", url: `${APP_URL}/materiali/${slides.id}` }],
      pageUrl: expect.stringContaining(String(rt.id)),
      appUrl: APP_URL,
    });
    expect(auditOf("round_table.materials_announced", rt.id)).toEqual([
      expect.objectContaining({ actorType: "system", details: { materialIds: [slides.id], emails: 2 } }),
    ]);

    // Running the job again (same instant, 15 minutes later, days later) sends nothing more.
    for (const later of [ran, plus(ran, 15 * MINUTE), plus(ran, 3 * DAY)]) {
      expect(announce(later)).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    }
    expect(announcements(rt.id)).toHaveLength(2);

    // The same invitees, with slides added after the end: the same recipients and the same email.
    const twin = heldTable(at("2032-01-20T14:00:00Z"), { tag: "dopo" });
    const added = plus(twin.endsAt, HOUR);
    const afterEnd = await addSlides(twin.id, added, { title: "Slides inviate prima" });
    expect(afterEnd.toAnnounce).toBe(2);
    expect(announce(plus(added, 10 * MINUTE))).toEqual({ roundTables: 1, materials: 1, emails: 2 });
    expect(recipients(twin.id)).toEqual(["attesa-dopo@comune.test", "si-dopo@comune.test"]);
    const shape = (props: unknown) => {
      const p = props as Record<string, unknown> & { materials: Record<string, unknown>[] };
      return { keys: Object.keys(p).sort(), materials: p.materials.map((m) => ({ ...m, url: typeof m.url })) };
    };
    expect(shape(announcements(rt.id)[0].props)).toEqual(shape(announcements(twin.id)[0].props));
  });

  it("several pending materials of one Tavolo: one email per invitee, listing those they may open; documents never", async () => {
    const rt = heldTable(at("2032-02-10T14:00:00Z"), { tag: "piu" });
    const referente = await createReferent();
    addInvitation(rt.id, referente.email, "yes", referente.referent.id);
    await addSlides(rt.id, at("2032-02-09T09:00:00Z"), { title: "Slides A" });
    await addSlides(rt.id, at("2032-02-10T10:00:00Z"), { title: "Slides B (solo enti)", visibility: "members" });
    addLink(rt.id, at("2032-02-10T15:00:00Z"), "video");
    addLink(rt.id, at("2032-02-10T15:00:00Z"), "documento");

    // Three materials, one email each to the three invitees who have not declined.
    expect(announce(plus(rt.endsAt, MINUTE))).toEqual({ roundTables: 1, materials: 3, emails: 3 });
    const rows = announcements(rt.id);
    const titlesFor = (email: string) =>
      (rows.find((r) => r.recipient === email)!.props as { materials: { title: string }[] }).materials.map((m) => m.title);
    // In the order they were added; the members-only slides only to the referente, through the sign-in.
    expect(titlesFor(referente.email)).toEqual(["Slides A", "Slides B (solo enti)", "Registrazione"]);
    expect(titlesFor("si-piu@comune.test")).toEqual(["Slides A", "Registrazione"]);
    expect(titlesFor("attesa-piu@comune.test")).toEqual(["Slides A", "Registrazione"]);
    const referentEmail = rows.find((r) => r.recipient === referente.email)!;
    const membersOnly = materialsOf(rt.id).find((m) => m.title === "Slides B (solo enti)")!;
    const signInThenFile = `${APP_URL}/area-referente/accedi?redirectTo=${encodeURIComponent(`/materiali/${membersOnly.id}`)}`;
    expect(referentEmail.props).toMatchObject({ materials: [{ url: expect.any(String) }, { visibility: "members", url: signInThenFile }, { url: expect.any(String) }] });
    expect(auditOf("round_table.materials_announced", rt.id)).toEqual([expect.objectContaining({ details: { materialIds: expect.any(Array), emails: 3 } })]);

    const { text } = await renderEmail("materials-available", referentEmail.props);
    expect(text).toContain("sono disponibili nuovi materiali del Tavolo tecnico");
    expect(text).toContain("Slides: Slides A (a cura di A. Trebeschi)");
    expect(text).toContain(`Slides: Slides B (solo enti) (a cura di A. Trebeschi)\nAccedi all'area referente e scarica (riservato agli enti aderenti) ${signInThenFile}`);
    expect(text).toContain("Video: Registrazione\nApri il materiale https://www.youtube.com/watch?v=");
    expect(text).not.toMatch(/https?:\/\/\S*[.,;:)](\s|$)/);

    const byKind = Object.fromEntries(materialsOf(rt.id).map((m) => [m.title, m.announcedAt]));
    expect(byKind["Articolo"]).toBeNull();
    expect(announce(plus(rt.endsAt, 16 * MINUTE)).emails).toBe(0);
  });

  it("members-only: only to the referenti among the invitees, who can sign in for it; the others are not told of what they cannot open", async () => {
    const rt = heldTable(at("2032-07-10T14:00:00Z"), { tag: "riservato" });
    const referente = await createReferent();
    addInvitation(rt.id, referente.email, "pending", referente.referent.id);
    const members = await addSlides(rt.id, plus(rt.endsAt, HOUR), { title: "Slides per gli enti", visibility: "members" });
    expect(members.toAnnounce).toBe(1);
    expect(announce(plus(rt.endsAt, HOUR + 10 * MINUTE)).emails).toBe(1);
    const [sent] = announcements(rt.id);
    expect(sent.recipient).toBe(referente.email);
    const { text } = await renderEmail("materials-available", sent.props);
    // The button signs the referente in, then opens the file.
    expect(text).toContain("Il materiale è riservato agli enti aderenti al Coordinamento: per scaricarlo accedi all'area referente.");
    expect(text).toContain(`Accedi e scarica ${APP_URL}/area-referente/accedi?redirectTo=${encodeURIComponent(`/materiali/${members.id}`)}`);
    expect(text).not.toMatch(/https?:\/\/\S*[.,;:)](\s|$)/);

    // A public one goes to every invitee who has not declined.
    expect((await addSlides(rt.id, plus(rt.endsAt, 2 * HOUR), { title: "Slides per tutti" })).toAnnounce).toBe(3);
    expect(announce(plus(rt.endsAt, 2 * HOUR + 10 * MINUTE)).emails).toBe(3);

    // With nobody to tell, a members-only material stays unannounced, like one without invitees; made
    // public later, it is still not announced (a correction sends no email).
    const guestsOnly = heldTable(at("2032-07-15T14:00:00Z"), { tag: "ospiti" });
    const reserved = await addSlides(guestsOnly.id, plus(guestsOnly.endsAt, HOUR), { visibility: "members" });
    expect(reserved.toAnnounce).toBe(0);
    expect(announce(plus(guestsOnly.endsAt, HOUR + 10 * MINUTE)).emails).toBe(0);
    expect(updateMaterial(getDb(), { id: reserved.id, roundTableId: guestsOnly.id, coordinatorId, kind: "slides", title: "Slides del relatore", curatedBy: null, visibility: "public" })).toEqual({ ok: true, changed: true });
    expect(announce(plus(guestsOnly.endsAt, 2 * HOUR)).emails).toBe(0);
    expect(announcements(guestsOnly.id)).toHaveLength(0);
  });

  it("materials added after the end close together go in one email per invitee, 10 minutes after the last one", async () => {
    const rt = heldTable(at("2032-03-10T14:00:00Z"), { tag: "insieme" });
    const before = await addSlides(rt.id, at("2032-03-09T09:00:00Z"), { title: "Slides inviate prima" });
    // The next day the coordinator uploads the slides, then 15 seconds later the video's link.
    const first = plus(rt.endsAt, DAY);
    const slides = await addSlides(rt.id, first, { title: "Slides del pomeriggio" });
    const video = addLink(rt.id, plus(first, 15_000), "video");
    expect([slides.toAnnounce, video.toAnnounce]).toEqual([2, 2]);
    expect(announcements(rt.id)).toHaveLength(0);

    // Nothing leaves until 10 minutes have passed since the last one, not even the slides sent beforehand.
    expect(announce(plus(first, 10 * MINUTE))).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    expect(announcements(rt.id)).toHaveLength(0);
    const sentAt = plus(first, 10 * MINUTE + 15_000);
    expect(announce(sentAt)).toEqual({ roundTables: 1, materials: 3, emails: 2 });
    expect(recipients(rt.id)).toEqual(["attesa-insieme@comune.test", "si-insieme@comune.test"]);
    for (const row of announcements(rt.id)) {
      expect((row.props as { materials: { title: string }[] }).materials.map((m) => m.title)).toEqual(["Slides inviate prima", "Slides del pomeriggio", "Registrazione"]);
    }
    expect(auditOf("round_table.materials_announced", rt.id)).toEqual([
      expect.objectContaining({ details: { materialIds: [before.id, slides.id, video.id], emails: 2 } }),
    ]);
    expect(materialsOf(rt.id).map((m) => m.announcedAt)).toEqual([sentAt, sentAt, sentAt]);

    // Once sent, nothing again; a material added later has an email of its own, with only itself.
    expect(announce(plus(sentAt, 20 * MINUTE)).emails).toBe(0);
    const late = plus(sentAt, HOUR);
    addLink(rt.id, late, "video", "Intervista");
    expect(announce(plus(late, 10 * MINUTE))).toEqual({ roundTables: 1, materials: 1, emails: 2 });
    const lateRows = announcements(rt.id).slice(2);
    expect(lateRows.map((r) => (r.props as { materials: { title: string }[] }).materials.map((m) => m.title))).toEqual([["Intervista"], ["Intervista"]]);
    expect(announcements(rt.id)).toHaveLength(4);
  });

  it("a material deleted or corrected before the email leaves: not listed, or listed as it is then; none left, no email", async () => {
    const rt = heldTable(at("2032-03-20T14:00:00Z"), { tag: "ripensato" });
    const added = plus(rt.endsAt, HOUR);
    const wrong = await addSlides(rt.id, added, { title: "Slides sbagliate" });
    const right = await addSlides(rt.id, plus(added, MINUTE), { title: "Slide giuste" });
    expect(deleteMaterial(getDb(), { id: wrong.id, roundTableId: rt.id, coordinatorId, uploadsDir: getEnv().uploadsDir, confirmed: true })).toEqual({ ok: true });
    expect(updateMaterial(getDb(), { id: right.id, roundTableId: rt.id, coordinatorId, kind: "slides", title: "Slides giuste", curatedBy: null, visibility: "public" })).toEqual({ ok: true, changed: true });
    expect(announce(plus(added, 11 * MINUTE))).toEqual({ roundTables: 1, materials: 1, emails: 2 });
    for (const row of announcements(rt.id)) {
      expect((row.props as { materials: { title: string }[] }).materials.map((m) => m.title)).toEqual(["Slides giuste"]);
    }

    // The only material added, deleted before the email leaves: no email at all.
    const alone = heldTable(at("2032-03-25T14:00:00Z"), { tag: "eliminato" });
    const removed = addLink(alone.id, plus(alone.endsAt, HOUR), "video");
    expect(deleteMaterial(getDb(), { id: removed.id, roundTableId: alone.id, coordinatorId, uploadsDir: getEnv().uploadsDir, confirmed: true })).toEqual({ ok: true });
    expect(announce(plus(alone.endsAt, 2 * HOUR)).emails).toBe(0);
    expect(announcements(alone.id)).toHaveLength(0);
  });

  it("only round tables that ended in the last 7 days: the history of past Tavoli brings no emails", async () => {
    expect(MATERIALS_ANNOUNCEMENT_WINDOW_DAYS).toBe(7);
    const old = heldTable(at("2032-04-01T14:00:00Z"), { tag: "vecchio" });
    const recent = heldTable(at("2032-04-05T14:00:00Z"), { tag: "recente" });
    await addSlides(old.id, at("2032-03-30T09:00:00Z"));
    await addSlides(recent.id, at("2032-04-04T09:00:00Z"));

    // The job's first run, 10 days after the old Tavolo ended and 6 days after the recent one.
    const now = plus(old.endsAt, 10 * DAY);
    expect(announce(now)).toEqual({ roundTables: 1, materials: 1, emails: 2 });
    expect(announcements(old.id)).toHaveLength(0);
    expect(materialsOf(old.id)[0].announcedAt).toBeNull();
    expect(announcements(recent.id)).toHaveLength(2);
    expect(announce(plus(now, 15 * MINUTE)).emails).toBe(0);
  });

  it("never for cancelled or draft round tables, nor without invitees", async () => {
    const cancelled = heldTable(at("2032-05-10T14:00:00Z"));
    const draft = heldTable(at("2032-05-10T14:00:00Z"), { status: "draft" });
    const nobody = createRoundTable({ startsAt: at("2032-05-10T14:00:00Z"), status: "published" });
    for (const rt of [cancelled, draft, nobody]) await addSlides(rt.id, at("2032-05-09T09:00:00Z"));
    // Slides sent beforehand, then the meeting called off (its materials no longer change after).
    expect(cancelRoundTable(getDb(), { id: cancelled.id, coordinatorId, appUrl: APP_URL, now: at("2032-05-09T10:00:00Z") })).toMatchObject({ ok: true });

    expect(announce(at("2032-05-11T09:00:00Z"))).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    for (const rt of [cancelled, draft, nobody]) {
      expect(announcements(rt.id)).toHaveLength(0);
      expect(materialsOf(rt.id)[0].announcedAt).toBeNull();
      expect(auditOf("round_table.materials_announced", rt.id)).toHaveLength(0);
    }
  });

  it("runs as a scheduled job every 5 minutes; two runs announce once", async () => {
    const rt = heldTable(at("2032-06-10T14:00:00Z"), { tag: "job" });
    await addSlides(rt.id, at("2032-06-10T13:00:00Z"));
    const job = scheduledJobs({ db: getDb(), appUrl: APP_URL }).find((j) => j.name === "round-table-materials")!;
    expect(job.everyMs).toBe(5 * MINUTE);
    await job.run(plus(rt.endsAt, -MINUTE));
    expect(announcements(rt.id)).toHaveLength(0);
    await job.run(plus(rt.endsAt, 14 * MINUTE));
    await job.run(plus(rt.endsAt, 29 * MINUTE));
    expect(recipients(rt.id)).toEqual(["attesa-job@comune.test", "si-job@comune.test"]);
  });
});

// Correcting a material: its own tables are in September and October 2032, out of the reach of the
// announcement tests' clocks above.
describe("updateMaterial", () => {
  const materialRow = (id: number) => getDb().select().from(materials).where(eq(materials.id, id)).get();
  const materialAudit = (id: number) =>
    getDb().select().from(auditLog).where(eq(auditLog.entityId, String(id))).all().filter((e) => e.entityType === "material");
  const update = (fields: Partial<Parameters<typeof updateMaterial>[1]> & { id: number; roundTableId: number }) =>
    updateMaterial(getDb(), { coordinatorId, kind: "slides", title: "Slides", curatedBy: null, visibility: "public", ...fields });

  it("corrects title, kind, «a cura di» and visibility; the id, the file and the rest stay; audited with the values before and after", async () => {
    const rt = heldTable(at("2032-09-03T14:00:00Z"));
    const added = await addSlides(rt.id, at("2032-09-01T09:00:00Z"), { title: "Slisdes del relatroe", kind: "documento" });
    const before = materialRow(added.id)!;

    const result = update({ id: added.id, roundTableId: rt.id, kind: "slides", title: "Slides del relatore", curatedBy: "  S. Bottari ", visibility: "members" });
    expect(result).toEqual({ ok: true, changed: true });
    const after = materialRow(added.id)!;
    expect(after).toEqual({ ...before, kind: "slides", title: "Slides del relatore", curatedBy: "S. Bottari", visibility: "members" });

    const entries = materialAudit(added.id).filter((e) => e.action === "material.updated");
    expect(entries).toEqual([
      expect.objectContaining({
        actorType: "coordinator",
        actorId: coordinatorId,
        entityId: String(added.id),
        details: {
          roundTableId: rt.id,
          before: { kind: "documento", title: "Slisdes del relatroe", curatedBy: "A. Trebeschi", visibility: "public" },
          after: { kind: "slides", title: "Slides del relatore", curatedBy: "S. Bottari", visibility: "members" },
        },
      }),
    ]);

    // Only what changes is recorded; «a cura di» emptied is none.
    expect(update({ id: added.id, roundTableId: rt.id, kind: "slides", title: "Slides del relatore", curatedBy: null, visibility: "members" })).toEqual({ ok: true, changed: true });
    expect(materialRow(added.id)!.curatedBy).toBeNull();
    expect(materialAudit(added.id).at(-1)!.details).toEqual({ roundTableId: rt.id, before: { curatedBy: "S. Bottari" }, after: { curatedBy: null } });
    // The log shows it in Italian: «a cura di» named, kinds and visibility by their labels.
    expect(auditDetailPairs(entries[0].details)).toEqual(
      expect.arrayContaining([
        { key: "prima tipo", value: "Documento" },
        { key: "dopo tipo", value: "Slides" },
        { key: "prima a cura di", value: "A. Trebeschi" },
        { key: "dopo visibilità", value: "Solo enti aderenti" },
      ]),
    );
  });

  it("the same values again: nothing written, nothing audited", async () => {
    const rt = heldTable(at("2032-09-08T14:00:00Z"));
    const added = await addSlides(rt.id, at("2032-09-07T09:00:00Z"), { title: "Slides" });
    const before = materialRow(added.id);
    const audited = materialAudit(added.id).length;
    expect(update({ id: added.id, roundTableId: rt.id, kind: "slides", title: " Slides ", curatedBy: "A. Trebeschi", visibility: "public" })).toEqual({
      ok: true,
      changed: false,
    });
    expect(materialRow(added.id)).toEqual(before);
    expect(materialAudit(added.id)).toHaveLength(audited);
  });

  it("refuses a material of another Tavolo tecnico, an unknown or a deleted one: not found, nothing changed", async () => {
    const rt = heldTable(at("2032-09-13T14:00:00Z"));
    const other = heldTable(at("2032-09-14T14:00:00Z"));
    const added = await addSlides(rt.id, at("2032-09-12T09:00:00Z"), { title: "Slides di un altro tavolo" });
    const before = materialRow(added.id);
    const notFound = { ok: false, reason: "not_found", error: MATERIAL_NOT_FOUND_MESSAGE };
    expect(MATERIAL_NOT_FOUND_MESSAGE).toBe("Materiale non trovato: forse è stato eliminato oppure appartiene a un altro Tavolo tecnico.");

    expect(update({ id: added.id, roundTableId: other.id, title: "Titolo cambiato" })).toEqual(notFound);
    expect(update({ id: 999_999_999, roundTableId: rt.id })).toEqual(notFound);
    expect(materialRow(added.id)).toEqual(before);

    expect(deleteMaterial(getDb(), { id: added.id, roundTableId: rt.id, coordinatorId, uploadsDir: getEnv().uploadsDir, confirmed: true })).toEqual({ ok: true });
    expect(update({ id: added.id, roundTableId: rt.id, title: "Titolo cambiato" })).toEqual(notFound);
    expect(materialRow(added.id)).toBeUndefined();
    expect(materialAudit(added.id).map((e) => e.action)).toEqual(["material.added", "material.deleted"]);
  });

  it("checks the details like the forms: a title, a kind that suits a file or a link, a known visibility, at most 200 characters", async () => {
    const rt = heldTable(at("2032-09-18T14:00:00Z"));
    const file = await addSlides(rt.id, at("2032-09-17T09:00:00Z"), { title: "Slides" });
    const link = addLink(rt.id, at("2032-09-17T09:00:00Z"), "video", "Registrazione");
    const before = materialsOf(rt.id);

    expect(update({ id: file.id, roundTableId: rt.id, kind: "video", title: "   ", curatedBy: "x".repeat(201), visibility: "tutti" as "public" })).toEqual({
      ok: false,
      reason: "invalid",
      errors: {
        kind: "Scegli il tipo di materiale",
        title: "Inserisci il titolo del materiale",
        curatedBy: "«A cura di» può avere al massimo 200 caratteri",
        visibility: "Scegli chi può vedere il materiale",
      },
    });
    // A link is a video or a document, never slides or a nota-invito; a document it may become.
    for (const kind of ["slides", "nota_invito"] as const) {
      expect(update({ id: link.id, roundTableId: rt.id, kind, title: "Registrazione" })).toEqual({ ok: false, reason: "invalid", errors: { kind: "Scegli il tipo di materiale" } });
    }
    expect(materialsOf(rt.id)).toEqual(before);
    expect(update({ id: link.id, roundTableId: rt.id, kind: "documento", title: "Registrazione" })).toEqual({ ok: true, changed: true });
    expect(materialsOf(rt.id).find((m) => m.id === link.id)).toMatchObject({ kind: "documento", url: before.find((m) => m.id === link.id)!.url });
  });

  it("sends no email, not even when a document of a Tavolo already held becomes slides; slides corrected before the end are announced at the end", async () => {
    const held = heldTable(at("2032-10-05T14:00:00Z"), { tag: "corretto-dopo" });
    const document = await addSlides(held.id, plus(held.endsAt, HOUR), { kind: "documento", title: "Presentazione" });
    expect(document.toAnnounce).toBe(0);
    expect(update({ id: document.id, roundTableId: held.id, kind: "slides", title: "Presentazione" })).toEqual({ ok: true, changed: true });
    expect(announcements(held.id)).toHaveLength(0);
    // Added after the end, it is not the scheduled job's either.
    expect(announce(plus(held.endsAt, 2 * HOUR))).toEqual({ roundTables: 0, materials: 0, emails: 0 });
    expect(materialsOf(held.id)[0].announcedAt).toBeNull();

    const coming = heldTable(at("2032-10-20T14:00:00Z"), { tag: "corretto-prima" });
    const early = await addSlides(coming.id, at("2032-10-19T09:00:00Z"), { kind: "documento", title: "Presentazione" });
    expect(update({ id: early.id, roundTableId: coming.id, kind: "slides", title: "Presentazione" })).toEqual({ ok: true, changed: true });
    expect(announcements(coming.id)).toHaveLength(0);
    expect(announce(plus(coming.endsAt, 10 * MINUTE))).toEqual({ roundTables: 1, materials: 1, emails: 2 });
  });
});
