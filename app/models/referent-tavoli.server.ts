import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { invitations, outbox, roundTables } from "#db/schema";
import type { Db } from "~/utils/db.server";
import { hashToken } from "~/utils/tokens.server";
import { MATERIAL_KIND_LABELS } from "~/validation/material";
import { answerInvitation, INVITATION_TEMPLATE, type AnswerResult } from "./invitation.server";
import { canDownloadMaterial, listMaterials, materialUrl } from "./material.server";
import type { ReferentAccess } from "./referent-session.server";

// "I miei Tavoli" (issue 6, point 4): the invitations of the signed-in referente (by
// invitations.referent_id), upcoming ones (until they end) with their answer, past ones with their
// materials, members-only ones included when canDownloadMaterial allows them to this referente.

type RoundTableRow = typeof roundTables.$inferSelect;

function roundTableSummary(rt: RoundTableRow) {
  return {
    id: rt.id,
    number: rt.number,
    title: rt.title,
    startsAt: rt.startsAt,
    endsAt: rt.endsAt,
    mode: rt.mode,
    place: rt.place,
    onlineUrl: rt.onlineUrl,
    status: rt.status,
  };
}

/** The referente's invitations (to Tavoli out of draft), with their Tavolo, soonest first. */
function invitationRows(db: Db, { access, roundTableId }: { access: ReferentAccess; roundTableId?: number }) {
  return db
    .select({ invitation: invitations, roundTable: roundTables })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    .where(
      and(
        eq(invitations.referentId, access.referentId),
        ne(roundTables.status, "draft"),
        roundTableId === undefined ? undefined : eq(invitations.roundTableId, roundTableId),
      ),
    )
    .orderBy(asc(roundTables.startsAt), asc(roundTables.id), asc(invitations.id))
    .all();
}

type InvitationRow = ReturnType<typeof invitationRows>[number];

// A Tavolo stays among the upcoming ones until it ends, as on /tavoli-tecnici: during the
// meeting the referente needs its link and place. Answers close at the start (answerInvitation),
// so one under way is in progress, without the answer buttons.
function upcomingInvitation(r: InvitationRow, now: Date) {
  const started = r.roundTable.startsAt.getTime() <= now.getTime();
  const published = r.roundTable.status === "published";
  return {
    invitationId: r.invitation.id,
    answer: r.invitation.answer,
    answeredAt: r.invitation.answeredAt,
    canAnswer: published && !started,
    inProgress: published && started,
    roundTable: roundTableSummary(r.roundTable),
  };
}

/**
 * The referente's invitation to one Tavolo still to end, as «I miei Tavoli» lists it (its answer,
 * whether it can still be given); null when they are not invited or it has ended. For the
 * Tavolo's public page, which sends them there to answer and find the link.
 */
export function referentInvitationTo(db: Db, { access, roundTableId, now = new Date() }: { access: ReferentAccess; roundTableId: number; now?: Date }) {
  const row = invitationRows(db, { access, roundTableId }).at(-1);
  return row && row.roundTable.endsAt.getTime() > now.getTime() ? upcomingInvitation(row, now) : null;
}

export function listReferentTavoli(db: Db, { access, now = new Date() }: { access: ReferentAccess; now?: Date }) {
  const rows = invitationRows(db, { access });
  const ended = (r: InvitationRow) => r.roundTable.endsAt.getTime() <= now.getTime();
  const upcoming = rows.filter((r) => !ended(r)).map((r) => upcomingInvitation(r, now));

  const pastRows = rows.filter((r) => ended(r) && r.roundTable.status === "published").reverse();
  const referent = { id: access.referentId, active: access.status === "active" };
  const materials = listMaterials(db, { roundTableIds: pastRows.map((r) => r.roundTable.id) });
  const past = pastRows.map((r) => ({
    invitationId: r.invitation.id,
    answer: r.invitation.answer,
    attended: r.invitation.attended,
    roundTable: roundTableSummary(r.roundTable),
    materials: materials
      .filter((m) => m.roundTableId === r.roundTable.id)
      .filter((m) =>
        canDownloadMaterial({ material: { visibility: m.visibility, roundTableStatus: r.roundTable.status }, coordinator: null, referent }),
      )
      .map((m) => ({
        id: m.id,
        kind: m.kind,
        kindLabel: MATERIAL_KIND_LABELS[m.kind],
        title: m.title,
        curatedBy: m.curatedBy,
        visibility: m.visibility,
        // Files through the portal's download route (relative), links as they are.
        href: materialUrl(m, ""),
        isLink: !!m.url,
      })),
  }));
  return { upcoming, past };
}

export type AnswerOwnResult = AnswerResult | { ok: false; reason: "not_yours"; error: string } | { ok: false; reason: "no_token"; error: string };

/**
 * Changes the referente's answer to one of their own invitations. The answer goes through the
 * invitation model's answerInvitation (its rules, audit and closing time), with the invitation's
 * token read back from the invitation email in the outbox, as the reminders do.
 */
export function answerOwnInvitation(
  db: Db,
  { access, invitationId, answer, appUrl, now = new Date() }: { access: ReferentAccess; invitationId: number; answer: "yes" | "no"; appUrl: string; now?: Date },
): AnswerOwnResult {
  const invitation = db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.referentId, access.referentId)))
    .get();
  if (!invitation) return { ok: false, reason: "not_yours", error: "Invito non trovato." };
  const sent = db
    .select({ answerUrl: sql<string | null>`json_extract(${outbox.props}, '$.answerUrl')` })
    .from(outbox)
    .where(
      and(
        eq(outbox.roundTableId, invitation.roundTableId),
        eq(sql`+${outbox.template}`, INVITATION_TEMPLATE),
        eq(sql`lower(${outbox.recipient})`, invitation.email.toLowerCase()),
      ),
    )
    .orderBy(desc(outbox.id))
    .all();
  const token = sent
    .map((s) => (typeof s.answerUrl === "string" ? s.answerUrl.split("/").pop()?.split("?")[0] ?? "" : ""))
    .find((t) => t && hashToken(t) === invitation.tokenHash);
  if (!token) {
    return {
      ok: false,
      reason: "no_token",
      error: "Non è possibile cambiare qui la risposta a questo invito: usa il collegamento dell'email di invito.",
    };
  }
  return answerInvitation(db, { token, answer, appUrl, now });
}
