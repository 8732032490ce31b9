import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportMembershipRequests, MEMBERSHIP_EXPORT_COLUMNS, recordMembershipExport } from "~/models/membership-list.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { CSV_CONTENT_TYPE, downloadHeaders, todayInRome, toCsv } from "~/utils/spreadsheet.server";
import { parseMembershipListParams } from "~/validation/membership-filters";

// GET /admin/adesioni/export.csv: the rows of the list as filtered and sorted, for Italian Excel.
export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const { filters, sort } = parseMembershipListParams(new URL(request.url).searchParams);
  const db = getDb();
  const rows = exportMembershipRequests(db, { filters, sort });
  const body = await toCsv(MEMBERSHIP_EXPORT_COLUMNS, rows);
  recordMembershipExport(db, { coordinatorId: coordinator.id, format: "csv", filters, sort, rowCount: rows.length });
  return new Response(body, {
    status: 200,
    headers: downloadHeaders({ fileName: `adesioni-${todayInRome()}.csv`, contentType: CSV_CONTENT_TYPE }),
  });
}
