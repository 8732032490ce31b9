import { and, asc, count, desc, eq, gt, inArray, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { invitations, referents, roundTables } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { roundTableEmailData, type RoundTableEmailData } from "~/utils/round-table-calendar";
import { toRomeLocalInput } from "~/utils/rome-time";
import { speakersToText, type RoundTableFormValues, type RoundTableInput } from "~/validation/round-table";
import { recordAudit } from "./audit.server";
import { countInvitationsByRoundTable, invitationAnswerUrls, inviteeName, NO_INVITATIONS } from "./invitation.server";
import { listMaterials } from "./material.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { referentInOffice } from "./referent.server";
import { parseRecordId } from "~/utils/record-id";

// Tavoli tecnici: creation, changes, publication and cancellation. Each change runs in one
// transaction with its audit entry and, for a published round table, the emails to the invitees
// (an update or a cancellation carrying an .ics with the new SEQUENCE).

export type RoundTable = typeof roundTables.$inferSelect;
export type SaveResult<T = object> = ({ ok: true } & T) | { ok: false; errors: Record<string, string>; formError?: string };
export type ActionResult<T = object> = ({ ok: true } & T) | { ok: false; error: string };


export const parseRoundTableId = (value: string | undefined) => parseRecordId(value);

/** The number to propose for a new round table: one more than the highest so far. */
export function nextRoundTableNumber(db: Db | Tx) {
  const row = db.select({ max: sql<number | null>`max(${roundTables.number})` }).from(roundTables).get();
  return (row?.max ?? 0) + 1;
}

export function getRoundTable(db: Db | Tx, { id }: { id: number }) {
  return db.select().from(roundTables).where(eq(roundTables.id, id)).get() ?? null;
}

/** What the audit log keeps of a round table, before and after a change. */
function snapshot(rt: RoundTable) {
  return {
    number: rt.number,
    title: rt.title,
    description: rt.description,
    startsAt: rt.startsAt.toISOString(),
    endsAt: rt.endsAt.toISOString(),
    mode: rt.mode,
    place: rt.place,
    onlineUrl: rt.onlineUrl,
    speakers: rt.speakers,
    status: rt.status,
    sequence: rt.sequence,
    reminderDays: rt.reminderDays,
  };
}

/** The stored columns of a validated form: the place only when people meet, the link only when online. */
function columnsOf(input: RoundTableInput) {
  return {
    number: input.number,
    title: input.title,
    description: input.description,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    mode: input.mode,
    place: input.mode === "online" ? null : input.place,
    onlineUrl: input.mode === "in_presenza" ? null : input.onlineUrl,
    speakers: input.speakers,
    reminderDays: input.reminderDays,
  };
}

/** The round table holding `number`: a cancelled one holds none (the partial index round_tables_number_uq). */
function numberTaken(tx: Db | Tx, number: number | null, exceptId?: number) {
  if (number === null) return null;
  const conditions = [eq(roundTables.number, number), ne(roundTables.status, "cancelled")];
  if (exceptId !== undefined) conditions.push(ne(roundTables.id, exceptId));
  return tx.select({ id: roundTables.id, title: roundTables.title }).from(roundTables).where(and(...conditions)).get() ?? null;
}

const numberTakenError = (number: number, title: string) => ({
  number: `Il numero ${number} è già assegnato al tavolo «${title}»: scegline un altro`,
});

/** A UNIQUE constraint failure, whether better-sqlite3's own error or wrapped by drizzle. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") return true;
  return error.cause !== undefined && error.cause !== error && isUniqueViolation(error.cause);
}

/** The form's values for an existing round table. */
export function roundTableFormValues(rt: RoundTable): RoundTableFormValues {
  return {
    number: rt.number === null ? "" : String(rt.number),
    title: rt.title,
    description: rt.description,
    startsAt: toRomeLocalInput(rt.startsAt),
    endsAt: toRomeLocalInput(rt.endsAt),
    mode: rt.mode,
    place: rt.place ?? "",
    onlineUrl: rt.onlineUrl ?? "",
    speakers: speakersToText(rt.speakers),
    reminderDays: String(rt.reminderDays),
  };
}

/**
 * A starting point for a new round table from an existing one ("Duplica"): same title, programme,
 * mode, place, link, speakers and reminder days, no date (the times are suggested apart), and the
 * next number; for a cancelled one its own number while no other has taken it, since the copy
 * is usually the same meeting proposed again.
 */
export function duplicateRoundTableValues(db: Db, { id }: { id: number }) {
  const source = getRoundTable(db, { id });
  if (!source) return null;
  const ownNumberFree = source.status === "cancelled" && source.number !== null && !numberTaken(db, source.number);
  const number = ownNumberFree ? source.number! : nextRoundTableNumber(db);
  return {
    source: { id: source.id, number: source.number, title: source.title, startsAt: source.startsAt, endsAt: source.endsAt },
    values: { ...roundTableFormValues(source), number: String(number), startsAt: "", endsAt: "" },
    reusesCancelledNumber: ownNumberFree,
  };
}

/**
 * A new round table, as a draft. With `duplicatedFromId` it is recorded as a duplicate of that one.
 */
export function createRoundTable(
  db: Db,
  { input, coordinatorId, duplicatedFromId }: { input: RoundTableInput; coordinatorId: number; duplicatedFromId?: number | null },
): SaveResult<{ id: number }> {
  try {
    return db.transaction((tx): SaveResult<{ id: number }> => {
      const taken = numberTaken(tx, input.number);
      if (taken && input.number !== null) return { ok: false, errors: numberTakenError(input.number, taken.title) };
      const source = duplicatedFromId ? getRoundTable(tx, { id: duplicatedFromId }) : null;
      const created = tx
        .insert(roundTables)
        .values({ ...columnsOf(input), status: "draft", sequence: 0, createdById: coordinatorId })
        .returning()
        .get();
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: source ? "round_table.duplicated" : "round_table.created",
        entityType: "round_table",
        entityId: created.id,
        details: source ? { duplicatedFromId: source.id, before: null, after: snapshot(created) } : { before: null, after: snapshot(created) },
      });
      return { ok: true, id: created.id };
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.number !== null) {
      return { ok: false, errors: { number: `Il numero ${input.number} è già assegnato a un altro tavolo: scegline un altro` } };
    }
    throw error;
  }
}

/** memberBodyId: the ente of the invited referente, null for an address that is no referente's. */
export type Invitee = {
  invitationId: number;
  email: string;
  name: string | null;
  referentId: number | null;
  memberBodyId: number | null;
  answer: (typeof invitations.$inferSelect)["answer"];
};

/**
 * The invitees of a round table who still get its news; without `includeDeclined` those who answered
 * "Non partecipo" are left out. A referente no longer in office (replaced, revoked, erased) is out:
 * their invitations passed to the successor (transferInvitations).
 */
export function roundTableInvitees(tx: Db | Tx, { roundTableId, includeDeclined }: { roundTableId: number; includeDeclined: boolean }): Invitee[] {
  const conditions = [eq(invitations.roundTableId, roundTableId), or(isNull(invitations.referentId), referentInOffice())!];
  if (!includeDeclined) conditions.push(ne(invitations.answer, "no"));
  return tx
    .select({
      invitationId: invitations.id,
      email: invitations.email,
      firstName: referents.firstName,
      lastName: referents.lastName,
      typedName: invitations.name,
      referentId: invitations.referentId,
      memberBodyId: referents.memberBodyId,
      answer: invitations.answer,
    })
    .from(invitations)
    .leftJoin(referents, eq(referents.id, invitations.referentId))
    .where(and(...conditions))
    .orderBy(asc(invitations.id))
    .all()
    .map(({ firstName, lastName, typedName, ...rest }) => ({ ...rest, name: inviteeName(firstName, lastName, typedName) }));
}

const CHANGE_LABELS = {
  time: "data e orario",
  mode: "modalità di partecipazione",
  place: "luogo",
  onlineUrl: "link per partecipare online",
} as const;

/** What changed among the things that matter to someone who put the event in their calendar. */
function calendarChanges(before: RoundTable, after: RoundTable) {
  const changes: string[] = [];
  if (before.startsAt.getTime() !== after.startsAt.getTime() || before.endsAt.getTime() !== after.endsAt.getTime()) {
    changes.push(CHANGE_LABELS.time);
  }
  if (before.mode !== after.mode) changes.push(CHANGE_LABELS.mode);
  if ((before.place ?? "") !== (after.place ?? "")) changes.push(CHANGE_LABELS.place);
  if ((before.onlineUrl ?? "") !== (after.onlineUrl ?? "")) changes.push(CHANGE_LABELS.onlineUrl);
  return changes;
}

function emailDataOf(rt: RoundTable): RoundTableEmailData {
  return roundTableEmailData(rt);
}

function markNotified(tx: Tx, invitees: Invitee[], sequence: number) {
  if (invitees.length === 0) return;
  tx.update(invitations)
    .set({ notifiedSequence: sequence })
    .where(inArray(invitations.id, invitees.map((i) => i.invitationId)))
    .run();
}

export const CANCELLED_NOT_EDITABLE = "Il tavolo è stato annullato: i suoi dati non si modificano più. Per riproporre l'incontro, duplicalo.";
export const MOVED_INTO_THE_PAST = "Questa data è già passata, ma il tavolo non è ancora iniziato: controlla giorno, mese e anno";

const hasEnded = (rt: RoundTable, now: Date) => rt.endsAt.getTime() <= now.getTime();

/**
 * Saves the form of an existing round table. When a published one changes date, times, mode, place
 * or link, its SEQUENCE goes up (the feed's calendars follow) and, while the meeting is still to
 * come or under way, before and after the change, every invitee who has not declined gets one
 * update email with the new calendar entry. Correcting the record of a meeting that has ended
 * emails nobody: an «Aggiornamento» with an event in the past and answer buttons leading to a
 * closed page is no news to anyone.
 */
export function updateRoundTable(
  db: Db,
  { id, input, coordinatorId, appUrl, now = new Date() }: { id: number; input: RoundTableInput; coordinatorId: number; appUrl: string; now?: Date },
): SaveResult<{ changed: boolean; notified: number }> {
  try {
    return db.transaction((tx): SaveResult<{ changed: boolean; notified: number }> => {
      const before = getRoundTable(tx, { id });
      if (!before) return { ok: false, errors: {}, formError: "Tavolo tecnico non trovato." };
      // Its invitees were told it will not take place: a new date or place would reach nobody.
      if (before.status === "cancelled") return { ok: false, errors: {}, formError: CANCELLED_NOT_EDITABLE };
      const taken = numberTaken(tx, input.number, id);
      if (taken && input.number !== null) return { ok: false, errors: numberTakenError(input.number, taken.title) };

      const columns = columnsOf(input);
      const candidate: RoundTable = { ...before, ...columns };
      // A published meeting that has not started cannot have ended already: a new end in the past is
      // a slip (year, month) that would drop it from the upcoming ones without telling its invitees.
      // Once it has started, an earlier end is allowed: it may really have finished early.
      if (before.status === "published" && before.startsAt.getTime() > now.getTime() && hasEnded(candidate, now)) {
        return { ok: false, errors: { endsAt: MOVED_INTO_THE_PAST } };
      }
      const changes = before.status === "published" ? calendarChanges(before, candidate) : [];
      const unchanged = JSON.stringify(snapshot(before)) === JSON.stringify(snapshot(candidate));
      if (unchanged) return { ok: true, changed: false, notified: 0 };

      const sequence = changes.length > 0 ? before.sequence + 1 : before.sequence;
      // Reminders are once per invitation, ever (sendDueReminders): a new date or a new number of
      // days does not bring a second one to whoever had it; the others follow the new window.
      const after = tx
        .update(roundTables)
        .set({ ...columns, sequence, updatedAt: now })
        .where(eq(roundTables.id, id))
        .returning()
        .get();

      let notified = 0;
      if (changes.length > 0 && !hasEnded(before, now) && !hasEnded(after, now)) {
        // Who declined is told too (a new date may suit them), without the calendar entry: their
        // invitation stays at the SEQUENCE they last received, so a yes sends them the current one.
        const invitees = roundTableInvitees(tx, { roundTableId: id, includeDeclined: true });
        const roundTable = emailDataOf(after);
        const previous = { startsAt: before.startsAt.toISOString(), endsAt: before.endsAt.toISOString(), mode: before.mode, place: before.place };
        const answerUrls = invitationAnswerUrls(tx, { roundTableId: id });
        for (const invitee of invitees) {
          queueEmail(tx, {
            to: invitee.email,
            template: "round-table-updated",
            props: {
              recipientName: invitee.name,
              recipientEmail: invitee.email,
              roundTable,
              previous,
              changes,
              appUrl,
              answerUrl: answerUrls.get(invitee.email) ?? null,
              answer: invitee.answer,
            },
            roundTableId: id,
            memberBodyId: invitee.memberBodyId ?? undefined,
            domain: messageDomainOf(appUrl),
          });
        }
        markNotified(tx, invitees.filter((i) => i.answer !== "no"), sequence);
        notified = invitees.length;
      }
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "round_table.updated",
        entityType: "round_table",
        entityId: id,
        // `changes`: a published tavolo's calendar data that changed; `notified`: how many invitees were told.
        details: { before: snapshot(before), after: snapshot(after), ...(changes.length ? { changes } : {}), notified },
      });
      return { ok: true, changed: true, notified };
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.number !== null) {
      return { ok: false, errors: { number: `Il numero ${input.number} è già assegnato a un altro tavolo: scegline un altro` } };
    }
    throw error;
  }
}

/** Makes a draft visible in the public calendar and the feed. */
export function publishRoundTable(
  db: Db,
  { id, coordinatorId, now = new Date() }: { id: number; coordinatorId: number; now?: Date },
): ActionResult {
  return db.transaction((tx): ActionResult => {
    const before = getRoundTable(tx, { id });
    if (!before) return { ok: false, error: "Tavolo tecnico non trovato." };
    if (before.status !== "draft") return { ok: false, error: "Si possono pubblicare solo i tavoli in bozza." };
    const after = tx.update(roundTables).set({ status: "published", updatedAt: now }).where(eq(roundTables.id, id)).returning().get();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "round_table.published",
      entityType: "round_table",
      entityId: id,
      details: { before: snapshot(before), after: snapshot(after) },
    });
    return { ok: true };
  });
}

/**
 * Cancels a published round table that has not ended: SEQUENCE goes up and every invitee gets a
 * cancellation with an .ics (METHOD:CANCEL) that removes it from their calendar.
 */
export function cancelRoundTable(
  db: Db,
  { id, coordinatorId, appUrl, now = new Date() }: { id: number; coordinatorId: number; appUrl: string; now?: Date },
): ActionResult<{ notified: number }> {
  return db.transaction((tx): ActionResult<{ notified: number }> => {
    const before = getRoundTable(tx, { id });
    if (!before) return { ok: false, error: "Tavolo tecnico non trovato." };
    if (before.status === "cancelled") return { ok: false, error: "Il tavolo è già stato annullato." };
    if (before.status !== "published") {
      return { ok: false, error: "Una bozza non si annulla: non è pubblica e nessuno è stato avvisato. Modificala o lasciala in bozza." };
    }
    if (hasEnded(before, now)) return { ok: false, error: "Il tavolo si è già svolto: non si può annullare." };
    const sequence = before.sequence + 1;
    const after = tx
      .update(roundTables)
      .set({ status: "cancelled", sequence, cancelledAt: now, updatedAt: now })
      .where(eq(roundTables.id, id))
      .returning()
      .get();
    const invitees = roundTableInvitees(tx, { roundTableId: id, includeDeclined: true });
    const roundTable = emailDataOf(after);
    for (const invitee of invitees) {
      queueEmail(tx, {
        to: invitee.email,
        template: "round-table-cancelled",
        props: { recipientName: invitee.name, recipientEmail: invitee.email, roundTable, appUrl },
        roundTableId: id,
        memberBodyId: invitee.memberBodyId ?? undefined,
        domain: messageDomainOf(appUrl),
      });
    }
    markNotified(tx, invitees, sequence);
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "round_table.cancelled",
      entityType: "round_table",
      entityId: id,
      details: { before: snapshot(before), after: snapshot(after), notified: invitees.length },
    });
    return { ok: true, notified: invitees.length };
  });
}

// ---------------------------------------------------------------------------------------------
// Reading.

/** Past round tables are shown a page at a time: one a month makes 120 in ten years. */
export const ARCHIVE_PAGE_SIZE = 20;

/**
 * Upcoming round tables (not ended at `now`), soonest first, and one page of the past ones, latest
 * first. A page past the last gives the last.
 */
function upcomingAndArchive(db: Db, { now, where, page, pageSize }: { now: Date; where?: SQL; page: number; pageSize: number }) {
  const upcoming = db
    .select()
    .from(roundTables)
    .where(and(where, gt(roundTables.endsAt, now)))
    .orderBy(asc(roundTables.startsAt), asc(roundTables.id))
    .all();
  const ended = and(where, lte(roundTables.endsAt, now));
  const total = db.select({ n: count() }).from(roundTables).where(ended).get()?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const rows = db
    .select()
    .from(roundTables)
    .where(ended)
    .orderBy(desc(roundTables.startsAt), desc(roundTables.id))
    .limit(pageSize)
    .offset((current - 1) * pageSize)
    .all();
  return { upcoming, archive: { rows, total, page: current, pageCount } };
}

/** The round tables for the coordinators, with their answers: upcoming, and a page of the past ones. */
export function listRoundTablesForAdmin(db: Db, { now, pastPage = 1, pageSize = ARCHIVE_PAGE_SIZE }: { now: Date; pastPage?: number; pageSize?: number }) {
  const { upcoming, archive } = upcomingAndArchive(db, { now, page: pastPage, pageSize });
  const counts = countInvitationsByRoundTable(db, { roundTableIds: [...upcoming, ...archive.rows].map((r) => r.id) });
  const withCounts = (rt: RoundTable) => ({ ...rt, invitations: counts.get(rt.id) ?? NO_INVITATIONS });
  return { upcoming: upcoming.map(withCounts), past: { ...archive, rows: archive.rows.map(withCounts) } };
}

const PUBLIC_STATUSES = ["published", "cancelled"] as const;

/** The public archive shows each round table with its programme and materials: fewer to a page. */
export const PUBLIC_ARCHIVE_PAGE_SIZE = 10;

/** The public calendar: published and cancelled round tables (never drafts) with their public materials; the archive a page at a time. */
export function listPublicRoundTables(
  db: Db,
  { now, archivePage = 1, pageSize = PUBLIC_ARCHIVE_PAGE_SIZE }: { now: Date; archivePage?: number; pageSize?: number },
) {
  const { upcoming, archive } = upcomingAndArchive(db, { now, where: inArray(roundTables.status, [...PUBLIC_STATUSES]), page: archivePage, pageSize });
  const materials = listMaterials(db, { roundTableIds: [...upcoming, ...archive.rows].map((r) => r.id), visibility: "public" });
  const withMaterials = (rt: RoundTable) => ({ ...rt, materials: materials.filter((m) => m.roundTableId === rt.id) });
  return { upcoming: upcoming.map(withMaterials), archive: { ...archive, rows: archive.rows.map(withMaterials) } };
}

/**
 * A round table of the public calendar (null for drafts and unknown ids) with its materials: the public ones for everyone; those
 * reserved to the members too for an active referente or a coordinator (`members`), otherwise
 * only their number, so the page can say that there are more after signing in.
 */
export function getPublicRoundTable(db: Db, { id, members = false }: { id: number; members?: boolean }) {
  const rt = db
    .select()
    .from(roundTables)
    .where(and(eq(roundTables.id, id), inArray(roundTables.status, [...PUBLIC_STATUSES])))
    .get();
  if (!rt) return null;
  const all = listMaterials(db, { roundTableIds: [rt.id] });
  const shown = members ? all : all.filter((m) => m.visibility === "public");
  return { ...rt, materials: shown, reservedMaterials: all.length - shown.length };
}

/** What the subscribable feed carries: every published and cancelled round table. */
export function listFeedRoundTables(db: Db) {
  return db
    .select()
    .from(roundTables)
    .where(inArray(roundTables.status, [...PUBLIC_STATUSES]))
    .orderBy(desc(roundTables.startsAt), desc(roundTables.id))
    .all();
}

