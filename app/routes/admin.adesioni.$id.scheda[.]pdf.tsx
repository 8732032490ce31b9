import type { LoaderFunctionArgs } from "@remix-run/node";
import { getMembershipRequestDetail, parseRequestId, recordSchedaDownload } from "~/models/membership-detail.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { buildSchedaPdf } from "~/utils/scheda-pdf.server";
import { notFoundPage } from "~/utils/standalone-page.server";

// The printable scheda referente of one request, for filing in the protocol (resource route).

export async function loader({ request, params }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const id = parseRequestId(params.id);
  const detail = id ? getMembershipRequestDetail(getDb(), { id, appUrl: getEnv().appUrl }) : null;
  if (!id || !detail) {
    throw notFoundPage({
      title: "Richiesta non trovata",
      message: "La richiesta di adesione non esiste oppure è stata cancellata.",
      back: { href: "/admin/adesioni", label: "Torna alle adesioni" },
      area: "coordinatori",
    });
  }
  const pdf = await buildSchedaPdf(detail);
  recordSchedaDownload(getDb(), { coordinatorId: coordinator.id, requestId: id });
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="scheda-${id}.pdf"`,
      "Content-Length": String(pdf.length),
      // Personal data: never kept by shared caches.
      "Cache-Control": "private, no-store",
    },
  });
}
