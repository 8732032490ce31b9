import type { LoaderFunctionArgs } from "@remix-run/node";
import { previewImport } from "~/models/member-import-preview.server";
import { buildErrorReportXlsx, failedRowsOf } from "~/models/member-import-templates.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { cachedPreview, loadImportUpload } from "~/utils/import-store.server";
import { downloadHeaders, XLSX_CONTENT_TYPE } from "~/utils/spreadsheet.server";
import { notFoundPage } from "~/utils/standalone-page.server";

// GET /admin/importa/:id/errori.xlsx: the rows that cannot be imported, with the file's own columns
// and a "Motivo" column, to fix and upload again. Before the import it reflects the current preview,
// afterwards the rows the import left out.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const id = params.id ?? "";
  const stored = loadImportUpload({ id, coordinatorId: coordinator.id });
  if (!stored) {
    throw notFoundPage({
      title: "Caricamento non trovato",
      message: "Questo caricamento non esiste più: caricalo di nuovo.",
      back: { href: "/admin/importa", label: "Torna a Importa" },
      area: "coordinatori",
    });
  }
  const failed =
    stored.result?.failed ??
    failedRowsOf(
      stored.rows ?? [],
      (await cachedPreview(id, () => previewImport(getDb(), { rows: stored.rows ?? [], labels: stored.labels }))).rows.filter((r) => r.status === "error"),
    );
  const body = await buildErrorReportXlsx({ headers: stored.headers, failed });
  // «Città e Unioni» -> «citta-e-Unioni»: accented letters transliterated, not dropped.
  const unaccented = stored.fileName.normalize("NFD").replace(/\p{Diacritic}/gu, "");
  const base = unaccented.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "importazione";
  return new Response(body, {
    status: 200,
    headers: downloadHeaders({ fileName: `righe-con-errori-${base}.xlsx`, contentType: XLSX_CONTENT_TYPE }),
  });
}
