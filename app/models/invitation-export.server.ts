import type { Db } from "~/utils/db.server";
import type { SheetColumn, SheetFormat } from "~/utils/spreadsheet.server";
import { ANSWER_LABELS } from "~/validation/invitations";
import { recordAudit } from "./audit.server";
import { getRoundTable, listInvitations, type InvitationListRow } from "./invitation.server";

// The registro presenze of a Tavolo tecnico (its invitees, their answers and attendance) as the CSV
// and Excel downloads of the invitations page, for the reports to ANCI and the Servizio Centrale.

export type InvitationExportRow = InvitationListRow & { withdrawn: boolean };

/**
 * Every invitation of a round table, in the invitations page's order: the invitees first, then the
 * withdrawn invitations (decision 012), marked. Those no longer count among the invitees, but they
 * are part of the record with the answer and attendance they had; the page too lists them apart.
 * Null when there is no such round table.
 */
export function exportInvitations(db: Db, { roundTableId }: { roundTableId: number }) {
  return db.transaction(() => {
    const roundTable = getRoundTable(db, { id: roundTableId });
    if (!roundTable) return null;
    const invitees = listInvitations(db, { roundTableId }).rows;
    const withdrawn = listInvitations(db, { roundTableId, answer: "withdrawn" }).rows;
    const rows: InvitationExportRow[] = [...invitees.map((r) => ({ ...r, withdrawn: false })), ...withdrawn.map((r) => ({ ...r, withdrawn: true }))];
    return { roundTable, rows };
  });
}

/** The audit entry of a download of a round table's invitees: who, which Tavolo, how many rows. */
export function recordInvitationExport(
  db: Db,
  { coordinatorId, roundTableId, format, rowCount }: { coordinatorId: number; roundTableId: number; format: SheetFormat; rowCount: number },
) {
  recordAudit(db, {
    actorType: "coordinator",
    actorId: coordinatorId,
    action: "round_table.invitations_exported",
    entityType: "round_table",
    entityId: roundTableId,
    details: { format, rowCount },
  });
}

/** An invitee who is no referente, as the invitations page names them: «Mario Rossi (indirizzo aggiuntivo)». */
const extraAddressLabel = (typedName: string | null) => (typedName ? `${typedName} (indirizzo aggiuntivo)` : "Indirizzo aggiuntivo");

// A spreadsheet cell says what it means: the page's "—" for attendance not taken would read as a gap.
const attendanceCell = (attended: boolean | null) => (attended === null ? "Non registrata" : attended ? "Presente" : "Assente");

/** The columns of the downloads, worded as the invitations page words them. */
export const INVITATION_EXPORT_COLUMNS: SheetColumn<InvitationExportRow>[] = [
  { header: "Ente", width: 36, value: (r) => r.bodyName },
  { header: "Referente", width: 28, value: (r) => r.referentName ?? extraAddressLabel(r.typedName) },
  { header: "Email", width: 32, value: (r) => r.email },
  { header: "Risposta", width: 16, value: (r) => ANSWER_LABELS[r.answer] },
  { header: "Data risposta", width: 14, value: (r) => r.answeredAt },
  { header: "Presenza", width: 16, value: (r) => attendanceCell(r.attended) },
  { header: "Invito ritirato", width: 14, value: (r) => (r.withdrawn ? "Sì" : "No") },
];
