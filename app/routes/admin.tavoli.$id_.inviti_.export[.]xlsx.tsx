import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCoordinator } from "~/utils/auth.server";
import { invitationsDownload } from "~/utils/invitations-download.server";

// GET /admin/tavoli/:id/inviti/export.xlsx: the Tavolo's invitees, answers and attendance, as an Excel
// workbook. `inviti_` keeps it out of the invitations page's layout: a download, not a part of that page.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  return invitationsDownload({ coordinatorId: coordinator.id, roundTableParam: params.id, format: "xlsx" });
}
