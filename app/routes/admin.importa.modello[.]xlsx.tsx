import type { LoaderFunctionArgs } from "@remix-run/node";
import { buildImportTemplateXlsx } from "~/models/member-import-templates.server";
import { requireCoordinator } from "~/utils/auth.server";
import { downloadHeaders, XLSX_CONTENT_TYPE } from "~/utils/spreadsheet.server";

// GET /admin/importa/modello.xlsx: the Excel template of the member list, with its "Istruzioni" sheet.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const body = await buildImportTemplateXlsx();
  return new Response(body, {
    status: 200,
    headers: downloadHeaders({ fileName: "modello-importazione-aderenti.xlsx", contentType: XLSX_CONTENT_TYPE }),
  });
}
