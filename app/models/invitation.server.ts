import crypto from "node:crypto";
import { and, asc, eq, inArray, notExists, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { invitationMovedTokens, invitations, memberBodies, referents, roundTables } from "#db/schema";
import { roundTableIcsAttachment, type InvitationNoteLink, type RoundTableEmailInfo } from "#emails/components/round-table-details";
import type { Db, Tx } from "~/utils/db.server";
import { renderEmail } from "~/utils/render-email.server";
import { roundTableEmailData, toDate } from "~/utils/round-table-calendar";
import { roundTableFileStem } from "~/utils/round-table-format";
import { createToken, hashToken } from "~/utils/tokens.server";
import { recordAudit } from "./audit.server";
import { canDownloadMaterial, invitationNoteLinks, listMaterials, materialSignInUrl } from "./material.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { isErasedAddress } from "./privacy.server";
import { publicMaterial } from "./round-table-public.server";
import { activeReferentConditions, activeReferentsInSegment, lowerReferentEmail, referentInOffice, type ReferentSegment } from "./referent.server";

// Invitations to the Tavoli tecnici (issue 4, points 4-5): choosing recipients, sending the
// invitations through the outbox, the invitee's answer, attendance and reminders.
//
// Only the hash of an answer token is stored in `invitations`; the token itself travels in the
// invitation email (its props in the outbox), which is where a reminder takes it from again.

const DAY_MS = 24 * 60 * 60 * 1000;

export const INVITATION_TEMPLATE = "round-table-invitation";
export const REMINDER_TEMPLATE = "round-table-reminder";

type RoundTableRow = typeof roundTables.$inferSelect;
export type InvitationAnswer = (typeof invitations.$inferSelect)["answer"];

export type RecipientFilters = ReferentSegment & {
  /** Further addresses, one per entry; invalid ones are ignored (the form reports them first). */
  extraEmails?: string[];
  /** The names typed with some of them, by address in lower case (namesOfAddresses). */
  extraNames?: Record<string, string>;
  /** false: only the extra addresses, no referenti at all. Default true. */
  includeReferents?: boolean;
};

/** memberBodyId: the ente of the referente (null for an address that is no referente's); its emails are listed on the ente's page. */
export type Recipient = { email: string; referentId: number | null; name: string | null; bodyName: string | null; memberBodyId: number | null };

const emailSchema = z.string().email();

/** How an invitee is named: a referente by their record, an extra address by the name typed with it (or not at all). */
export const inviteeName = (firstName: string | null, lastName: string | null, typedName: string | null) =>
  firstName ? `${firstName} ${lastName ?? ""}`.trim() : typedName;

/** Trimmed, lowercased, valid and without repetitions; returns the rejected entries as typed. */
export function normalizeEmailList(entries: string[]) {
  const valid: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const email = entry.trim().toLowerCase();
    if (!email) continue;
    if (email.length > 254 || !emailSchema.safeParse(email).success) {
      invalid.push(entry.trim());
      continue;
    }
    if (seen.has(email)) continue;
    seen.add(email);
    valid.push(email);
  }
  return { valid, invalid };
}

function collectRecipients(tx: Db | Tx, roundTableId: number, filters: RecipientFilters): Recipient[] {
  const byEmail = new Map<string, Recipient>();

  if (filters.includeReferents !== false) {
    const notYetInvited = notExists(
      tx
        .select({ one: sql`1` })
        .from(invitations)
        .where(and(eq(invitations.roundTableId, roundTableId), eq(invitations.email, lowerReferentEmail))),
    );
    for (const r of activeReferentsInSegment(tx, filters, notYetInvited)) {
      if (byEmail.has(r.email)) continue;
      byEmail.set(r.email, {
        email: r.email,
        referentId: r.referentId,
        name: `${r.firstName} ${r.lastName}`,
        bodyName: r.bodyName,
        memberBodyId: r.memberBodyId,
      });
    }
  }

  const extras = normalizeEmailList(filters.extraEmails ?? []).valid.filter((e) => !byEmail.has(e));
  if (extras.length > 0) {
    const invited = new Set<string>();
    const known = new Map<string, Recipient>();
    for (let i = 0; i < extras.length; i += 500) {
      const chunk = extras.slice(i, i + 500);
      for (const row of tx
        .select({ email: invitations.email })
        .from(invitations)
        .where(and(eq(invitations.roundTableId, roundTableId), inArray(invitations.email, chunk)))
        .all()) {
        invited.add(row.email);
      }
      // An extra address that belongs to an active referente is linked to them (name and ente).
      for (const r of tx
        .select({
          referentId: referents.id,
          email: lowerReferentEmail,
          firstName: referents.firstName,
          lastName: referents.lastName,
          bodyName: memberBodies.name,
          memberBodyId: memberBodies.id,
        })
        .from(referents)
        .innerJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
        .where(and(...activeReferentConditions(), inArray(lowerReferentEmail, chunk)))
        .orderBy(asc(referents.id))
        .all()) {
        if (!known.has(r.email)) {
          known.set(r.email, { email: r.email, referentId: r.referentId, name: `${r.firstName} ${r.lastName}`, bodyName: r.bodyName, memberBodyId: r.memberBodyId });
        }
      }
    }
    for (const email of extras) {
      if (invited.has(email)) continue;
      const name = filters.extraNames?.[email] ?? null;
      byEmail.set(email, known.get(email) ?? { email, referentId: null, name, bodyName: null, memberBodyId: null });
    }
  }
  return [...byEmail.values()];
}

/**
 * Who would receive the invitation now: the active referenti matching the filters plus the extra
 * addresses, without anyone already invited to this round table. For the preview: count and sample.
 */
export function recipientsFor(
  db: Db | Tx,
  { roundTableId, sampleSize = 10, ...filters }: RecipientFilters & { roundTableId: number; sampleSize?: number },
) {
  const recipients = collectRecipients(db, roundTableId, filters);
  const { invalid } = normalizeEmailList(filters.extraEmails ?? []);
  return {
    count: recipients.length,
    extraCount: recipients.filter((r) => r.referentId === null).length,
    sample: recipients.slice(0, sampleSize),
    invalidExtraEmails: invalid,
  };
}

/**
 * The "Anteprima" of the invitations page: who would receive the invitation (count, the first ones)
 * and the email as the first of them would get it (a placeholder person when nobody would).
 */
export async function previewInvitations(db: Db, { roundTable, filters, appUrl }: { roundTable: RoundTableRow; filters: RecipientFilters; appUrl: string }) {
  const found = recipientsFor(db, { roundTableId: roundTable.id, ...filters });
  const shown = found.sample[0] ?? { email: "referente@example.org", name: "Nome Cognome", referentId: null };
  const invitationNotes = invitationNoteLinks(db, { appUrl })(roundTable.id, shown);
  const rendered = await renderEmail(
    INVITATION_TEMPLATE,
    invitationEmailProps(roundTable, { recipient: shown, answerUrl: `${appUrl}/invito/anteprima`, appUrl, invitationNotes }),
  );
  return {
    count: found.count,
    extraCount: found.extraCount,
    sample: found.sample.map((r) => ({ email: r.email, name: r.name, bodyName: r.bodyName })),
    subject: rendered.subject,
    html: rendered.html,
  };
}

// ---------------------------------------------------------------------------------------------
// The round table as the emails and pages show it.

export function roundTableEmailInfo(rt: RoundTableRow): RoundTableEmailInfo {
  return roundTableEmailData(rt);
}

export type InvitationEmailProps = {
  recipientName: string | null;
  recipientEmail: string;
  /** `${appUrl}/invito/<token>`; the email adds ?risposta=si / ?risposta=no. */
  answerUrl: string;
  appUrl: string;
  roundTable: RoundTableEmailInfo;
  /** Only in the invitation moved to a referente's new address (moveInvitations): the answer it carries. */
  currentAnswer?: InvitationAnswer;
  /** The round table's notes of invitation this recipient may open, when the email was queued. */
  invitationNotes: InvitationNoteLink[];
};

export type ReminderEmailProps = Omit<InvitationEmailProps, "answerUrl" | "currentAnswer"> & {
  /** Null when the invitation email is no longer in the outbox (its token cannot be recovered). */
  answerUrl: string | null;
  answer: "yes" | "pending";
};

export function invitationEmailProps(
  rt: RoundTableRow,
  {
    recipient,
    answerUrl,
    appUrl,
    currentAnswer,
    invitationNotes,
  }: {
    recipient: Pick<Recipient, "email" | "name">;
    answerUrl: string;
    appUrl: string;
    currentAnswer?: InvitationEmailProps["currentAnswer"];
    invitationNotes: InvitationNoteLink[];
  },
): InvitationEmailProps {
  return { recipientName: recipient.name, recipientEmail: recipient.email, answerUrl, appUrl, roundTable: roundTableEmailInfo(rt), currentAnswer, invitationNotes };
}

/** Why invitations cannot be sent for this round table now, in Italian; null when they can. */
export function invitationRefusal(rt: Pick<RoundTableRow, "status" | "startsAt">, now = new Date()): string | null {
  if (rt.status === "draft") return "Il Tavolo tecnico è ancora in bozza: pubblicalo prima di inviare gli inviti.";
  if (rt.status === "cancelled") return "Il Tavolo tecnico è stato annullato.";
  if (rt.startsAt.getTime() <= now.getTime()) return "Il Tavolo tecnico è già iniziato o concluso.";
  return null;
}

export function getRoundTable(db: Db | Tx, { id }: { id: number }) {
  return db.select().from(roundTables).where(eq(roundTables.id, id)).get();
}

const messageIdFor = (domain: string) => `<${crypto.randomUUID()}@${domain}>`;

// ---------------------------------------------------------------------------------------------
// Sending

export type SendInvitationsResult = { ok: true; count: number } | { ok: false; error: string };

/**
 * Writes one invitation and its email, through statements prepared once for a whole batch (the
 * invitation of a whole country is thousands of them); nothing when the address is already invited
 * to the round table. Returns whether it wrote. Used inside the caller's transaction.
 */
function invitationWriter(db: Db, { appUrl, now }: { appUrl: string; now: Date }) {
  const insertInvitation = db.$client.prepare<[number, number | null, string, string | null, string, number, number]>(
    `INSERT INTO invitations (round_table_id, referent_id, email, name, token_hash, notified_sequence, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (round_table_id, email) DO NOTHING
     RETURNING id`,
  );
  const insertEmail = db.$client.prepare<[string, string, number, string, number, number | null, number]>(
    `INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id, round_table_id, member_body_id, created_at)
     VALUES (?, '${INVITATION_TEMPLATE}', ?, 'service', 'queued', 0, ?, ?, ?, ?, ?)`,
  );
  const domain = messageDomainOf(appUrl);
  const at = now.getTime();
  const notesFor = invitationNoteLinks(db, { appUrl });
  return (rt: RoundTableRow, roundTable: RoundTableEmailInfo, recipient: Pick<Recipient, "email" | "referentId" | "name" | "memberBodyId">) => {
    const { token, hash } = createToken();
    // A referente's name is their record's; an extra address keeps the name typed with it.
    const typedName = recipient.referentId === null ? recipient.name : null;
    if (!insertInvitation.get(rt.id, recipient.referentId, recipient.email, typedName, hash, rt.sequence, at)) return false;
    const props: InvitationEmailProps = {
      recipientName: recipient.name,
      recipientEmail: recipient.email,
      answerUrl: `${appUrl}/invito/${token}`,
      appUrl,
      roundTable,
      invitationNotes: notesFor(rt.id, recipient),
    };
    insertEmail.run(recipient.email, JSON.stringify(props), at, messageIdFor(domain), rt.id, recipient.memberBodyId, at);
    return true;
  };
}

/**
 * Invites every recipient not yet invited: one invitation row (answer token, only its hash stored)
 * and one queued email each, all in one immediate transaction. `ON CONFLICT DO NOTHING` on
 * (round table, email) makes a repeated or concurrent send invite nobody twice. Built on prepared
 * statements so that thousands of referenti take well under a second.
 */
export function sendInvitations(
  db: Db,
  {
    roundTableId,
    filters,
    coordinatorId,
    appUrl,
    now = new Date(),
  }: { roundTableId: number; filters: RecipientFilters; coordinatorId: number; appUrl: string; now?: Date },
): SendInvitationsResult {
  return db.transaction(
    (tx): SendInvitationsResult => {
      const rt = getRoundTable(tx, { id: roundTableId });
      if (!rt) return { ok: false, error: "Tavolo tecnico non trovato." };
      const refusal = invitationRefusal(rt, now);
      if (refusal) return { ok: false, error: refusal };

      const recipients = collectRecipients(tx, rt.id, filters);
      const invite = invitationWriter(db, { appUrl, now });
      const roundTable = roundTableEmailInfo(rt);
      let count = 0;
      // The extra addresses actually invited as such: not one that is a referente's (invited as the
      // referente), nor one invited already.
      let extraEmails = 0;
      for (const recipient of recipients) {
        if (!invite(rt, roundTable, recipient)) continue;
        count++;
        if (recipient.referentId === null) extraEmails++;
      }
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "round_table.invitations_sent",
        entityType: "round_table",
        entityId: rt.id,
        details: {
          count,
          provinceCodes: filters.provinceCodes ?? [],
          categories: filters.categories ?? [],
          extraEmails,
          includeReferents: filters.includeReferents !== false,
        },
      });
      return { ok: true, count };
    },
    { behavior: "immediate" },
  );
}

/**
 * When a referente is replaced, their invitations to Tavoli that are published and still to come
 * pass to the successor: a new invitation and its email each, unless the successor's address is
 * already invited. The old invitations stay (with their answers) but are withdrawn: no more
 * notices, and the answer page refuses (InvitationState "withdrawn"). Called inside the caller's
 * transaction (the approval of the handover), on its connection. Returns how many were sent, and
 * the Tavoli the replaced referente had not declined (likely in their calendar), to tell them.
 */
export function transferInvitations(
  db: Db,
  {
    fromReferentId,
    to,
    appUrl,
    now = new Date(),
  }: { fromReferentId: number; to: { referentId: number; email: string; name: string; memberBodyId: number }; appUrl: string; now?: Date },
) {
  const upcoming = db
    .select({ roundTable: roundTables, answer: invitations.answer })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    .where(and(eq(invitations.referentId, fromReferentId), eq(roundTables.status, "published"), sql`${roundTables.startsAt} > ${now.getTime()}`))
    .orderBy(asc(roundTables.startsAt))
    .all();
  const invite = invitationWriter(db, { appUrl, now });
  const recipient = { ...to, email: to.email.toLowerCase() };
  let count = 0;
  for (const { roundTable: rt } of upcoming) if (invite(rt, roundTableEmailInfo(rt), recipient)) count++;
  const notDeclined = upcoming.filter((u) => u.answer !== "no").map((u) => u.roundTable);
  return { count, notDeclined };
}

/**
 * A referente's address changed (corrected by a coordinator, or changed and confirmed by the
 * referente): their invitations to Tavoli published and still to come follow it, answers included.
 * Each gets a new answer link, sent to the new address with the invitation (saying that it moved
 * and, as `currentAnswer`, the answer it carries), so updates, reminders and a cancellation reach
 * the person there and the old address no longer answers for them. An invitation the new address
 * already has to the same Tavolo is left as it was. Inside the caller's transaction; returns how
 * many moved.
 */
export function moveInvitations(
  db: Db | Tx,
  {
    referentId,
    from,
    to,
    name,
    memberBodyId,
    appUrl,
    now = new Date(),
  }: { referentId: number; from: string; to: string; name: string; memberBodyId: number; appUrl: string; now?: Date },
) {
  const email = to.toLowerCase();
  const upcoming = db
    .select({ invitation: invitations, roundTable: roundTables })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    .where(
      and(
        eq(invitations.referentId, referentId),
        eq(invitations.email, from.toLowerCase()),
        eq(roundTables.status, "published"),
        sql`${roundTables.startsAt} > ${now.getTime()}`,
      ),
    )
    .all();
  const notesFor = invitationNoteLinks(db, { appUrl });
  let moved = 0;
  for (const { invitation, roundTable: rt } of upcoming) {
    const taken = db
      .select({ id: invitations.id })
      .from(invitations)
      .where(and(eq(invitations.roundTableId, rt.id), eq(invitations.email, email)))
      .get();
    if (taken) continue;
    const { token, hash } = createToken();
    // The old link keeps saying where the invitation went (findRowsByToken), not «non trovato».
    db.insert(invitationMovedTokens).values({ tokenHash: invitation.tokenHash, invitationId: invitation.id, movedAt: now }).onConflictDoNothing().run();
    db.update(invitations).set({ email, tokenHash: hash, notifiedSequence: rt.sequence }).where(eq(invitations.id, invitation.id)).run();
    queueEmail(db, {
      to: email,
      template: INVITATION_TEMPLATE,
      props: invitationEmailProps(rt, {
        recipient: { email, name },
        answerUrl: `${appUrl}/invito/${token}`,
        appUrl,
        currentAnswer: invitation.answer,
        invitationNotes: notesFor(rt.id, { referentId }),
      }),
      roundTableId: rt.id,
      memberBodyId,
      domain: messageDomainOf(appUrl),
    });
    moved++;
  }
  return moved;
}

/**
 * Each invitee's answer page by address, read back from their latest invitation email (only the
 * token's hash is stored with the invitation): an update of the Tavolo lets them change the answer.
 */
export function invitationAnswerUrls(db: Db | Tx, { roundTableId }: { roundTableId: number }) {
  const rows = db.all<{ recipient: string; answer_url: string | null }>(
    sql`SELECT o.recipient, json_extract(o.props, '$.answerUrl') AS answer_url FROM outbox o
        WHERE o.round_table_id = ${roundTableId} AND +o.template = ${INVITATION_TEMPLATE} ORDER BY o.id`,
  );
  return new Map(rows.filter((r) => r.answer_url).map((r) => [r.recipient, r.answer_url!]));
}

// ---------------------------------------------------------------------------------------------
// The invitee's answer (/invito/:token)

/**
 * open: answerable; closed: started; cancelled; unavailable: taken back to draft after inviting;
 * withdrawn: sent to a referente who is no longer in office (replaced, revoked or erased); moved:
 * an old link of an invitation that followed its referente to a new address, which has the new
 * link (moveInvitations).
 */
export type InvitationState = "open" | "closed" | "cancelled" | "unavailable" | "withdrawn" | "moved";

export type InvitationView = {
  state: InvitationState;
  /** Why it cannot be answered, in words (null when open). */
  refusal: string | null;
  /** Whether sendDueReminders will still send this invitation its reminder, should the answer be (or stay) yes. */
  reminderDue: boolean;
  /** name: the referente's, or the one typed with an extra address (null when none was). */
  invitation: { id: number; email: string; answer: InvitationAnswer; answeredAt: Date | null; name: string | null };
  roundTable: RoundTableEmailInfo;
  /** The round table's materials this invitee may download (invitationMaterials), notes of invitation first. */
  materials: InvitationMaterial[];
  /** Whether the invitee may download their calendar file (invitationCalendar): open or started, not withdrawn, cancelled or in draft. */
  calendar: boolean;
};

/** A material as the invitation page lists it: as the public page of the Tavolo does. */
export type InvitationMaterial = ReturnType<typeof publicMaterial>;

function findByToken(tx: Db | Tx, token: string) {
  if (!token || token.length > 200) return undefined;
  const found = findRowsByToken(tx, token);
  // An erased person's invitation is no one's any more: the link in their old email answers as an
  // unknown one, rather than showing an anonymised placeholder as "your" invitation.
  return found && !isErasedAddress(found.invitation.email) ? found : undefined;
}

/**
 * The invitation of a link: the current one, or one the invitation had before it moved to a new
 * address (`moved`: that link no longer answers, the page says where the invitation went).
 */
function findRowsByToken(tx: Db | Tx, token: string) {
  const hash = hashToken(token);
  const current = invitationRows(tx, eq(invitations.tokenHash, hash));
  if (current) return { ...current, moved: false };
  const old = tx.select({ invitationId: invitationMovedTokens.invitationId }).from(invitationMovedTokens).where(eq(invitationMovedTokens.tokenHash, hash)).get();
  const found = old ? invitationRows(tx, eq(invitations.id, old.invitationId)) : undefined;
  return found ? { ...found, moved: true } : undefined;
}

function invitationRows(tx: Db | Tx, where: SQL) {
  return tx
    .select({
      invitation: invitations,
      roundTable: roundTables,
      firstName: referents.firstName,
      lastName: referents.lastName,
      memberBodyId: referents.memberBodyId,
      // The referente of a member ente, in office: who, signed in, downloads the members-only materials.
      referentActive: sql<number>`coalesce(${and(...activeReferentConditions())}, 0)`.mapWith(Boolean),
      referentTermEnded: sql<number>`NOT (${referentInOffice()})`.mapWith(Boolean),
      referentTermEndedAt: sql<number | null>`coalesce(min(${referents.validTo}, ${referents.erasedAt}), ${referents.validTo}, ${referents.erasedAt})`,
      replaced: sql<number>`EXISTS (SELECT 1 FROM referents successor WHERE successor.member_body_id = ${referents.memberBodyId}
        AND successor.id <> ${referents.id} AND successor.valid_from IS NOT NULL AND successor.valid_to IS NULL AND successor.erased_at IS NULL)`.mapWith(Boolean),
    })
    .from(invitations)
    .innerJoin(roundTables, eq(roundTables.id, invitations.roundTableId))
    .leftJoin(referents, eq(referents.id, invitations.referentId))
    .leftJoin(memberBodies, eq(memberBodies.id, referents.memberBodyId))
    .where(where)
    .get();
}

function stateOf(found: { roundTable: RoundTableRow; referentTermEnded: boolean | null; referentTermEndedAt: number | null; moved: boolean }, now: Date): InvitationState {
  const state = stateOfInvitation(found, now);
  // An old link of a moved invitation: whatever could be answered is answered from the new one. A
  // Tavolo cancelled or started, or a term ended, is said as for the current link.
  return found.moved && (state === "open" || state === "unavailable") ? "moved" : state;
}

function stateOfInvitation(
  { roundTable: rt, referentTermEnded, referentTermEndedAt }: { roundTable: RoundTableRow; referentTermEnded: boolean | null; referentTermEndedAt: number | null },
  now: Date,
): InvitationState {
  // Cancelled while the referente was still in office, the invitation was not passed on: it was
  // cancelled as it stood (decision 018), and the page says so rather than "passed on".
  const endedBeforeCancellation = referentTermEndedAt !== null && (!rt.cancelledAt || referentTermEndedAt < rt.cancelledAt.getTime());
  if (rt.status === "cancelled" && !endedBeforeCancellation) return "cancelled";
  if (referentTermEnded) return "withdrawn";
  if (rt.startsAt.getTime() <= now.getTime()) return "closed";
  // A table taken back to draft after the invitations went out cannot be answered for now.
  if (rt.status !== "published") return "unavailable";
  return "open";
}

/**
 * sendDueReminders' rule, asked of one invitation that says yes: an open one (published, not
 * started, its referente in office) will be reminded if the round table has reminder days, the
 * invitation was sent before the window opened and has not had its reminder yet. Inside an open
 * window that happens at the job's next run, within 15 minutes.
 */
function reminderDue({ invitation, roundTable: rt }: { invitation: typeof invitations.$inferSelect; roundTable: RoundTableRow }, state: InvitationState) {
  if (state !== "open" || rt.reminderDays <= 0 || invitation.remindedAt) return false;
  return invitation.createdAt.getTime() < rt.startsAt.getTime() - rt.reminderDays * DAY_MS;
}

type FoundInvitation = NonNullable<ReturnType<typeof findByToken>>;

/**
 * The materials an invitation page lists: those of its round table its invitee may download, by
 * canDownloadMaterial's rule (none of a draft). The token stands for no session: the members-only
 * ones are listed to the invitation of an active referente, as «Materiali disponibili» tells the
 * referenti of them, but they download only once signed in to the area referente, where their link
 * leads. Nothing for an invitation withdrawn, or whose referente left office: it is no longer theirs.
 * Notes of invitation first, then in the order of the Tavolo's page.
 */
function invitationMaterials(tx: Db | Tx, found: FoundInvitation, state: InvitationState): InvitationMaterial[] {
  if (state === "withdrawn" || found.referentTermEnded) return [];
  const { roundTable: rt, invitation } = found;
  const referent = found.referentActive && invitation.referentId !== null ? { id: invitation.referentId, active: true } : null;
  const listed = listMaterials(tx, { roundTableIds: [rt.id] }).filter((m) =>
    canDownloadMaterial({ material: { visibility: m.visibility, roundTableStatus: rt.status }, coordinator: null, referent }),
  );
  return [...listed.filter((m) => m.kind === "nota_invito"), ...listed.filter((m) => m.kind !== "nota_invito")].map((m) =>
    m.visibility === "members" ? { ...publicMaterial(m), href: materialSignInUrl(m.id, "") } : publicMaterial(m),
  );
}

/** An invitation as its page shows it, without its materials: all that the calendar file needs (invitationCalendar). */
type InvitationSummary = Omit<InvitationView, "materials">;

function toSummary(found: FoundInvitation, now: Date): InvitationSummary {
  const { invitation, roundTable } = found;
  const state = stateOf(found, now);
  const info = roundTableEmailInfo(roundTable);
  // Whoever holds an old link (the old mailbox may be an office's) is not told the new address in full.
  const email = found.moved ? maskedEmail(invitation.email) : invitation.email;
  return {
    state,
    refusal: refusalMessage(state, {
      replaced: found.replaced === true,
      ended: roundTable.endsAt.getTime() <= now.getTime(),
      answered: invitation.answer !== "pending",
      movedTo: email,
    }),
    reminderDue: reminderDue(found, state),
    invitation: {
      id: invitation.id,
      email,
      answer: invitation.answer,
      answeredAt: invitation.answeredAt,
      name: inviteeName(found.firstName, found.lastName, found.invitation.name),
    },
    // The link to the meeting is for the invitees of a meeting that will take place: not for someone
    // whose invitation was withdrawn, nor for a referente who left office, nor while the Tavolo is
    // cancelled or back in draft (as «I miei Tavoli» shows it only for a published one).
    // Nor for an old link of a moved invitation: the link went on to the new address.
    roundTable: state === "withdrawn" || state === "cancelled" || state === "unavailable" || found.referentTermEnded || found.moved ? { ...info, onlineUrl: null } : info,
    calendar: !found.moved && (state === "open" || state === "closed"),
  };
}

function toView(tx: Db | Tx, found: FoundInvitation, now: Date): InvitationView {
  const summary = toSummary(found, now);
  return { ...summary, materials: invitationMaterials(tx, found, summary.state) };
}

/** What the invitation page shows; reads only (a GET must change nothing). */
export function lookupInvitation(db: Db, { token, now = new Date() }: { token: string; now?: Date }): InvitationView | null {
  const found = findByToken(db, token);
  return found ? toView(db, found, now) : null;
}

/**
 * The invitee's calendar file (/invito/:token/evento.ics): the invitation email's attachment as it
 * would be built now, by the same code — the invitation's UID (decision 019), the current SEQUENCE,
 * the invitee as attendee with their answer (accepted, declined or still to answer), the meeting link when the
 * invitation page shows it. Null for an unknown token and for an invitation that offers none
 * (InvitationView.calendar). Reads only, and not the materials that the invitation page lists.
 */
export function invitationCalendar(db: Db, { token, appUrl, now = new Date() }: { token: string; appUrl: string; now?: Date }) {
  const found = findByToken(db, token);
  const view = found ? toSummary(found, now) : null;
  if (!view?.calendar) return null;
  const { roundTable, invitation } = view;
  return roundTableIcsAttachment(
    { roundTable, appUrl, recipientEmail: invitation.email, recipientName: invitation.name, answer: invitation.answer },
    { method: "REQUEST", filename: `invito-${roundTableFileStem({ ...roundTable, startsAt: toDate(roundTable.startsAt) })}.ics` },
  );
}

export const ANSWER_CANCELLED_MESSAGE = "Il Tavolo tecnico è stato annullato: non è più possibile rispondere all'invito.";
export const ANSWER_UNAVAILABLE_MESSAGE = "Il Tavolo tecnico non è al momento aperto alle risposte: riprova più tardi.";
export const ANSWER_WITHDRAWN_MESSAGE =
  "Questo invito era rivolto al referente dell'ente, incarico che non ricopri più: non è più possibile rispondere.";
export const ANSWER_PASSED_ON_MESSAGE = `${ANSWER_WITHDRAWN_MESSAGE} L'invito è passato a chi ti ha sostituito.`;
export const answerMovedMessage = (maskedAddress: string) =>
  `Questo invito è stato spostato al tuo nuovo indirizzo email (${maskedAddress}), dove ti abbiamo inviato un nuovo collegamento per rispondere: usa quello, questo non vale più.`;

/** «g***@comune.nicosia.en.it»: enough for the person to recognise their address, not for others to learn it. */
export function maskedEmail(email: string) {
  const at = email.lastIndexOf("@");
  if (at < 0) return "***";
  return `${at > 1 ? email[0] : ""}***${email.slice(at)}`;
}

/** A started round table: "già iniziato" or, once ended, "si è già svolto"; "rispondere" to whoever never answered. */
function closedMessage({ ended, answered }: { ended: boolean; answered: boolean }) {
  return `Il Tavolo tecnico ${ended ? "si è già svolto" : "è già iniziato"}: non è più possibile ${answered ? "modificare la risposta" : "rispondere all'invito"}.`;
}

/** Why an invitation cannot be answered; "passed on" only when someone else took over the office. */
function refusalMessage(
  state: InvitationState,
  { replaced, ended, answered, movedTo }: { replaced: boolean; ended: boolean; answered: boolean; movedTo: string },
): string | null {
  switch (state) {
    case "open":
      return null;
    case "moved":
      return answerMovedMessage(movedTo);
    case "withdrawn":
      return replaced ? ANSWER_PASSED_ON_MESSAGE : ANSWER_WITHDRAWN_MESSAGE;
    case "closed":
      return closedMessage({ ended, answered });
    case "cancelled":
      return ANSWER_CANCELLED_MESSAGE;
    case "unavailable":
      return ANSWER_UNAVAILABLE_MESSAGE;
  }
}

export type AnswerResult =
  /** calendarSent: the Tavolo changed while they had declined, and the new details went to them by email. */
  | { ok: true; view: InvitationView; calendarSent: boolean }
  | { ok: false; reason: "not_found"; error: string }
  | { ok: false; reason: "closed"; error: string; view: InvitationView };

/**
 * Records "yes" or "no"; the answer can change until the round table starts. A "yes" after a "no"
 * brings the invitee up to date by email if the Tavolo's date, place or link changed meanwhile
 * (the updates skipped them while they had declined).
 */
export function answerInvitation(
  db: Db,
  { token, answer, appUrl, now = new Date() }: { token: string; answer: "yes" | "no"; appUrl: string; now?: Date },
): AnswerResult {
  return db.transaction((tx): AnswerResult => {
    const found = findByToken(tx, token);
    if (!found) return { ok: false, reason: "not_found", error: "Invito non trovato: controlla di aver copiato il collegamento per intero." };
    const state = stateOf(found, now);
    if (state !== "open") {
      const view = toView(tx, found, now);
      return { ok: false, reason: "closed", error: view.refusal!, view };
    }
    const previous = found.invitation.answer;
    tx.update(invitations).set({ answer, answeredAt: now }).where(eq(invitations.id, found.invitation.id)).run();
    recordAudit(tx, {
      actorType: "referent",
      actorId: found.invitation.referentId,
      action: "invitation.answered",
      entityType: "invitation",
      entityId: found.invitation.id,
      details: { roundTableId: found.roundTable.id, answer, previous },
    });
    const calendarSent = answer === "yes" && previous === "no" && found.invitation.notifiedSequence < found.roundTable.sequence;
    if (calendarSent) sendCurrentCalendar(tx, { found, answerUrl: `${appUrl}/invito/${token}`, appUrl });
    const view = toView(tx, { ...found, invitation: { ...found.invitation, answer, answeredAt: now } }, now);
    return { ok: true, view, calendarSent };
  });
}

function sendCurrentCalendar(tx: Tx, { found, answerUrl, appUrl }: { found: NonNullable<ReturnType<typeof findByToken>>; answerUrl: string; appUrl: string }) {
  const { invitation, roundTable } = found;
  queueEmail(tx, {
    to: invitation.email,
    template: "round-table-rejoined",
    props: {
      recipientName: inviteeName(found.firstName, found.lastName, invitation.name),
      recipientEmail: invitation.email,
      appUrl,
      roundTable: roundTableEmailInfo(roundTable),
      answerUrl,
    },
    roundTableId: roundTable.id,
    memberBodyId: found.memberBodyId ?? undefined,
    domain: messageDomainOf(appUrl),
  });
  tx.update(invitations).set({ notifiedSequence: roundTable.sequence }).where(eq(invitations.id, invitation.id)).run();
}

// ---------------------------------------------------------------------------------------------
// Follow-up: attendance and the organiser's list

export type AttendanceResult = { ok: true; changed: boolean } | { ok: false; error: string };

function writeAttendance(tx: Tx, { invitation, attended, coordinatorId }: { invitation: typeof invitations.$inferSelect; attended: boolean; coordinatorId: number }) {
  if (invitation.attended === attended) return false;
  tx.update(invitations).set({ attended }).where(eq(invitations.id, invitation.id)).run();
  recordAudit(tx, {
    actorType: "coordinator",
    actorId: coordinatorId,
    action: "invitation.attendance_set",
    entityType: "invitation",
    entityId: invitation.id,
    details: { roundTableId: invitation.roundTableId, email: invitation.email, attended },
  });
  return true;
}

/** Marks one invitee present or absent (audited; nothing is written when nothing changes). */
export function setAttendance(
  db: Db,
  { invitationId, attended, coordinatorId }: { invitationId: number; attended: boolean; coordinatorId: number },
): AttendanceResult {
  return db.transaction((tx): AttendanceResult => {
    const invitation = tx.select().from(invitations).where(eq(invitations.id, invitationId)).get();
    if (!invitation) return { ok: false, error: "Invito non trovato." };
    return { ok: true, changed: writeAttendance(tx, { invitation, attended, coordinatorId }) };
  });
}

/**
 * The "Salva presenze" form: of the invitations shown (`shownIds`), those in `presentIds` are
 * present and the others absent. An unticked box leaves "not recorded" as it is. One transaction.
 */
export function saveAttendance(
  db: Db,
  { roundTableId, shownIds, presentIds, coordinatorId }: { roundTableId: number; shownIds: number[]; presentIds: number[]; coordinatorId: number },
) {
  const present = new Set(presentIds);
  return db.transaction((tx) => {
    let changed = 0;
    for (let i = 0; i < shownIds.length; i += 500) {
      const rows = tx
        .select()
        .from(invitations)
        .where(and(eq(invitations.roundTableId, roundTableId), inArray(invitations.id, shownIds.slice(i, i + 500))))
        .all();
      for (const invitation of rows) {
        const attended = present.has(invitation.id);
        if (!attended && invitation.attended === null) continue;
        if (writeAttendance(tx, { invitation, attended, coordinatorId })) changed++;
      }
    }
    return { changed };
  });
}

export type InvitationListRow = {
  id: number;
  email: string;
  referentId: number | null;
  referentName: string | null;
  /** The name typed with an extra address (null for a referente, or when none was typed). */
  typedName: string | null;
  bodyName: string | null;
  answer: InvitationAnswer;
  answeredAt: Date | null;
  attended: boolean | null;
  /** The latest email to this address about this round table (invitation, reminder, update…). */
  delivery: { status: "queued" | "sending" | "sent" | "failed"; lastError: string | null; template: string } | null;
};

/**
 * An invitation sent to a referente whose term ended (replaced, revoked or erased) before the Tavolo
 * started, or before it was cancelled: withdrawn (decisions 012, 018). It keeps its answer for the
 * record but no longer counts among the invitees and their answers; a successor got an invitation of
 * their own. A Tavolo cancelled first keeps its invitees as they stood: a handover passes on no
 * invitation to it, so none of them was replaced.
 */
export function invitationWithdrawn(
  // The invitation's columns, as the statement names them (the invitations page aliases the table).
  { referentId, roundTableId }: { referentId: SQL | typeof invitations.referentId; roundTableId: SQL | typeof invitations.roundTableId } = {
    referentId: invitations.referentId,
    roundTableId: invitations.roundTableId,
  },
) {
  return sql<number>`(${referentId} IS NOT NULL AND EXISTS (SELECT 1 FROM referents wr, round_tables wrt
    WHERE wr.id = ${referentId} AND wrt.id = ${roundTableId} AND ${termEndedBeforeSettled}))`;
}

/**
 * When a round table's invitees stopped changing: its start, or its cancellation if earlier.
 * SQLite's min() of several values is NULL when one is, hence the coalesce for the Tavoli not
 * cancelled (and for any cancelled one without a time, which falls back to the start as before).
 */
const inviteesSettledAt = sql`coalesce(min(wrt.starts_at, wrt.cancelled_at), wrt.starts_at)`;

/** The rule of invitationWithdrawn, for the referente as `wr` and the round table as `wrt`. */
const termEndedBeforeSettled = sql`(wr.valid_to < ${inviteesSettledAt} OR wr.erased_at < ${inviteesSettledAt})`;

/** The answers of a round table's invitees; `total` excludes the withdrawn invitations, counted apart. */
export type InvitationCounts = { total: number; yes: number; no: number; pending: number; attended: number; withdrawn: number };

export const NO_INVITATIONS: Readonly<InvitationCounts> = Object.freeze({ total: 0, yes: 0, no: 0, pending: 0, attended: 0, withdrawn: 0 });

type AnswerTally = { roundTableId: number; answer: InvitationAnswer; n: number; attended: number };

/**
 * The counts of several round tables (a round table without invitations is missing): every
 * invitation by answer, from invitations_counts_idx alone, less the withdrawn ones, found by joining
 * each invitation to its referente and round table. Asking "withdrawn?" of each invitation with
 * invitationWithdrawn's EXISTS took 0.16 s for the 150,000 invitations of the national benchmark.
 */
export function countInvitationsByRoundTable(db: Db | Tx, { roundTableIds }: { roundTableIds: number[] }) {
  const counts = new Map<number, InvitationCounts>();
  if (roundTableIds.length === 0) return counts;
  const tally = (withdrawnOnly: boolean) =>
    db.all<AnswerTally>(sql`SELECT i.round_table_id AS roundTableId, i.answer, count(*) AS n, sum(i.attended = 1) AS attended
      FROM invitations i
      ${withdrawnOnly ? sql`JOIN referents wr ON wr.id = i.referent_id JOIN round_tables wrt ON wrt.id = i.round_table_id` : sql``}
      WHERE i.round_table_id IN ${roundTableIds} ${withdrawnOnly ? sql`AND ${termEndedBeforeSettled}` : sql``}
      GROUP BY i.round_table_id, i.answer`);
  const countsOf = (roundTableId: number) => {
    let c = counts.get(roundTableId);
    if (!c) counts.set(roundTableId, (c = { ...NO_INVITATIONS }));
    return c;
  };
  for (const row of tally(false)) {
    const c = countsOf(row.roundTableId);
    c[row.answer] += row.n;
    c.total += row.n;
    c.attended += row.attended ?? 0;
  }
  for (const row of tally(true)) {
    const c = countsOf(row.roundTableId);
    c[row.answer] -= row.n;
    c.total -= row.n;
    c.attended -= row.attended ?? 0;
    c.withdrawn += row.n;
  }
  return counts;
}

export function countInvitations(db: Db | Tx, { roundTableId }: { roundTableId: number }): InvitationCounts {
  return countInvitationsByRoundTable(db, { roundTableIds: [roundTableId] }).get(roundTableId) ?? { ...NO_INVITATIONS };
}

/**
 * The invitations of a round table with each invitee's answer and the delivery status of the
 * latest email sent to them about it; ordered by ente, extra addresses last. Paged when asked.
 */
export function listInvitations(
  db: Db,
  {
    roundTableId,
    answer,
    page,
    pageSize = 100,
  }: { roundTableId: number; /** One answer, or the withdrawn invitations; none: every invitee (not the withdrawn). */ answer?: InvitationAnswer | "withdrawn"; page?: number; pageSize?: number },
) {
  const withdrawn = invitationWithdrawn({ referentId: sql.raw("i.referent_id"), roundTableId: sql.raw("i.round_table_id") });
  const where = sql`i.round_table_id = ${roundTableId} AND ${answer === "withdrawn" ? withdrawn : sql`NOT ${withdrawn}`}${
    answer && answer !== "withdrawn" ? sql` AND i.answer = ${answer}` : sql``
  }`;
  const limit = page ? sql` LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}` : sql``;
  const rows = db.all<{
    id: number;
    email: string;
    referent_id: number | null;
    first_name: string | null;
    last_name: string | null;
    typed_name: string | null;
    body_name: string | null;
    answer: InvitationAnswer;
    answered_at: number | null;
    attended: number | null;
    email_status: "queued" | "sending" | "sent" | "failed" | null;
    last_error: string | null;
    template: string | null;
  }>(sql`
    WITH listed AS (
      SELECT i.id, i.email, i.referent_id, r.first_name, r.last_name, i.name AS typed_name, mb.name AS body_name, i.answer, i.answered_at, i.attended,
             mb.name IS NULL AS extra,
             (SELECT max(o2.id) FROM outbox o2 WHERE o2.recipient = i.email AND +o2.round_table_id = i.round_table_id) AS last_email_id
      FROM invitations i
      LEFT JOIN referents r ON r.id = i.referent_id
      LEFT JOIN member_bodies mb ON mb.id = r.member_body_id
      WHERE ${where}
      ORDER BY mb.name IS NULL, mb.name COLLATE NOCASE, r.last_name COLLATE NOCASE, i.email
      ${limit}
    )
    SELECT listed.*, o.status AS email_status, o.last_error, o.template
    FROM listed LEFT JOIN outbox o ON o.id = listed.last_email_id
    ORDER BY listed.extra, listed.body_name COLLATE NOCASE, listed.last_name COLLATE NOCASE, listed.email`);
  const list: InvitationListRow[] = rows.map((r) => ({
    id: r.id,
    email: r.email,
    referentId: r.referent_id,
    referentName: r.first_name ? `${r.first_name} ${r.last_name}` : null,
    typedName: r.referent_id === null ? r.typed_name : null,
    bodyName: r.body_name,
    answer: r.answer,
    answeredAt: r.answered_at === null ? null : new Date(r.answered_at),
    attended: r.attended === null ? null : r.attended === 1,
    delivery: r.email_status ? { status: r.email_status, lastError: r.last_error, template: r.template ?? "" } : null,
  }));
  const counts = countInvitations(db, { roundTableId });
  const total = answer ? counts[answer] : counts.total;
  return { rows: list, counts, total, pageCount: page ? Math.max(1, Math.ceil(total / pageSize)) : 1 };
}

// ---------------------------------------------------------------------------------------------
// Reminders (scheduled every 15 minutes)

/**
 * The reminders of the Tavoli tecnici (issue 4, point 5), one rule per invitation. With N the round
 * table's `reminderDays`, its reminder window opens N days before the start. A reminder, with the
 * calendar file, goes to an invitation when:
 * - the round table is published, not started, and its window is open (N = 0: never);
 * - the invitee said yes or has not answered, and is still in office if invited as a referente;
 * - the invitation was sent before the window opened (one sent inside the window has just told
 *   them everything a reminder would: it gets none);
 * - the invitation has not had a reminder yet (`invitations.reminded_at`).
 * Once per invitation, ever: moving the round table does not bring a second one (its update email
 * already carried the new date and calendar entry), while invitations not yet reminded follow the
 * new date. Changing N moves the window for those not yet reminded only. The answer page tells a
 * «Partecipo» whether a reminder is to come by the same rule (reminderDue): change both together.
 *
 * One immediate transaction: one query selects every due invitation, prepared statements queue
 * the emails and set `reminded_at`, so a second or concurrent run finds nothing left to do.
 * One audit entry per round table.
 */
export function sendDueReminders(db: Db, { now = new Date(), appUrl }: { now?: Date; appUrl: string }) {
  const at = now.getTime();
  const domain = messageDomainOf(appUrl);
  return db.transaction(
    (tx) => {
      const due = db.$client
        .prepare<
          { now: number; template: string },
          {
            id: number;
            round_table_id: number;
            email: string;
            answer: "yes" | "pending";
            referent_id: number | null;
            first_name: string | null;
            last_name: string | null;
            name: string | null;
            member_body_id: number | null;
            answer_url: string | null;
          }
        >(
          `SELECT i.id, i.round_table_id, i.email, i.answer, i.referent_id, r.first_name, r.last_name, i.name, r.member_body_id,
                  (SELECT json_extract(o.props, '$.answerUrl') FROM outbox o
                    WHERE o.recipient = i.email AND +o.round_table_id = i.round_table_id AND +o.template = @template
                    ORDER BY o.id DESC LIMIT 1) AS answer_url
           FROM round_tables t
           JOIN invitations i ON i.round_table_id = t.id
           LEFT JOIN referents r ON r.id = i.referent_id
           WHERE t.status = 'published' AND t.reminder_days > 0
             AND t.starts_at > @now AND t.starts_at - t.reminder_days * ${DAY_MS} <= @now
             AND i.answer IN ('yes', 'pending') AND i.reminded_at IS NULL
             AND (i.referent_id IS NULL OR (r.valid_to IS NULL AND r.erased_at IS NULL))
             AND i.created_at < t.starts_at - t.reminder_days * ${DAY_MS}
           ORDER BY t.starts_at, t.id, i.id`,
        )
        .all({ now: at, template: INVITATION_TEMPLATE });
      if (due.length === 0) return { roundTables: 0, emails: 0 };

      const insertEmail = db.$client.prepare<[string, string, number, string, number, number | null, number]>(
        `INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, message_id, round_table_id, member_body_id, created_at)
         VALUES (?, '${REMINDER_TEMPLATE}', ?, 'service', 'queued', 0, ?, ?, ?, ?, ?)`,
      );
      const markReminded = db.$client.prepare<[number, number]>(`UPDATE invitations SET reminded_at = ? WHERE id = ?`);
      const counts = new Map<number, number>();
      const infos = new Map<number, RoundTableEmailInfo>();
      const notesFor = invitationNoteLinks(tx, { appUrl });
      for (const invitee of due) {
        let info = infos.get(invitee.round_table_id);
        if (!info) {
          info = roundTableEmailInfo(getRoundTable(tx, { id: invitee.round_table_id })!);
          infos.set(invitee.round_table_id, info);
        }
        const props: ReminderEmailProps = {
          recipientName: inviteeName(invitee.first_name, invitee.last_name, invitee.name),
          recipientEmail: invitee.email,
          answerUrl: invitee.answer_url,
          answer: invitee.answer,
          appUrl,
          roundTable: info,
          invitationNotes: notesFor(invitee.round_table_id, { referentId: invitee.referent_id }),
        };
        insertEmail.run(invitee.email, JSON.stringify(props), at, messageIdFor(domain), invitee.round_table_id, invitee.member_body_id, at);
        markReminded.run(at, invitee.id);
        counts.set(invitee.round_table_id, (counts.get(invitee.round_table_id) ?? 0) + 1);
      }
      for (const [roundTableId, count] of counts) {
        recordAudit(tx, {
          actorType: "system",
          action: "round_table.reminders_sent",
          entityType: "round_table",
          entityId: roundTableId,
          details: { count },
        });
      }
      return { roundTables: counts.size, emails: due.length };
    },
    { behavior: "immediate" },
  );
}
