import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportMembershipRequests, MEMBERSHIP_EXPORT_COLUMNS, recordMembershipExport } from "~/models/membership-list.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { downloadHeaders, todayInRome, toXlsx, XLSX_CONTENT_TYPE } from "~/utils/spreadsheet.server";
import { parseMembershipListParams } from "~/validation/membership-filters";

// GET /admin/adesioni/export.xlsx: the rows of the list as filtered and sorted, as an Excel workbook.
export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const { filters, sort } = parseMembershipListParams(new URL(request.url).searchParams);
  const db = getDb();
  const rows = exportMembershipRequests(db, { filters, sort });
  const body = await toXlsx(MEMBERSHIP_EXPORT_COLUMNS, rows, { sheetName: "Adesioni" });
  recordMembershipExport(db, { coordinatorId: coordinator.id, format: "xlsx", filters, sort, rowCount: rows.length });
  return new Response(body, {
    status: 200,
    headers: downloadHeaders({ fileName: `adesioni-${todayInRome()}.xlsx`, contentType: XLSX_CONTENT_TYPE }),
  });
}
