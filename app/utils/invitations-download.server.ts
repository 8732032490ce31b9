import { exportInvitations, INVITATION_EXPORT_COLUMNS, recordInvitationExport } from "~/models/invitation-export.server";
import { parseRoundTableId } from "~/models/round-table.server";
import { getDb } from "./db.server";
import { roundTableFileStem } from "./round-table-format";
import { notFoundPage } from "./standalone-page.server";
import { CSV_CONTENT_TYPE, downloadHeaders, todayInRome, toCsv, toXlsx, XLSX_CONTENT_TYPE, type SheetFormat } from "./spreadsheet.server";

/**
 * GET /admin/tavoli/:id/inviti/export.csv and .xlsx, once the coordinator is known: every invitation
 * of the Tavolo with its answer and attendance ("tavolo-tecnico-7-inviti-2026-11-26.csv"), and the
 * audit entry of the download. 404 for an unknown Tavolo.
 */
export async function invitationsDownload({ coordinatorId, roundTableParam, format }: { coordinatorId: number; roundTableParam: string | undefined; format: SheetFormat }) {
  const db = getDb();
  const id = parseRoundTableId(roundTableParam);
  const found = id ? exportInvitations(db, { roundTableId: id }) : null;
  if (!found) {
    throw notFoundPage({
      title: "Tavolo tecnico non trovato",
      message: "Il Tavolo tecnico non esiste.",
      back: { href: "/admin/tavoli", label: "Torna ai Tavoli tecnici" },
      area: "coordinatori",
    });
  }
  const { roundTable, rows } = found;
  const body = format === "csv" ? await toCsv(INVITATION_EXPORT_COLUMNS, rows) : await toXlsx(INVITATION_EXPORT_COLUMNS, rows, { sheetName: "Inviti" });
  recordInvitationExport(db, { coordinatorId, roundTableId: roundTable.id, format, rowCount: rows.length });
  return new Response(body, {
    status: 200,
    headers: downloadHeaders({
      fileName: `${roundTableFileStem(roundTable)}-inviti-${todayInRome()}.${format}`,
      contentType: format === "csv" ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE,
    }),
  });
}
