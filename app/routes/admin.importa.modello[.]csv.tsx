import type { LoaderFunctionArgs } from "@remix-run/node";
import { buildImportTemplateCsv } from "~/models/member-import-templates.server";
import { requireCoordinator } from "~/utils/auth.server";
import { CSV_CONTENT_TYPE, downloadHeaders } from "~/utils/spreadsheet.server";

// GET /admin/importa/modello.csv: the header row of the member list (UTF-8 with BOM, `;`).
export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  return new Response(buildImportTemplateCsv(), {
    status: 200,
    headers: downloadHeaders({ fileName: "modello-importazione-aderenti.csv", contentType: CSV_CONTENT_TYPE }),
  });
}
