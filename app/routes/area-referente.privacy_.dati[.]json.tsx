import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportReferentData } from "~/models/privacy-export.server";
import { italianIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { requireReferentForPrivacy } from "~/utils/referent-auth.server";
import { notFoundPage } from "~/utils/standalone-page.server";

// "Scarica i miei dati" (art. 15 and 20 GDPR): everything held about the signed-in referente, as a
// JSON file. Only the session decides whose data: the URL carries no identifier.
export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferentForPrivacy(request);
  const now = new Date();
  const data = exportReferentData(getDb(), { referentId: access.referentId, now });
  if (!data) {
    throw notFoundPage({
      title: "Dati non trovati",
      message: "Non ci sono più dati collegati al tuo accesso: potrebbero essere stati cancellati.",
      back: { href: "/area-referente/privacy", label: "Torna a Privacy e dati personali" },
      area: "referente",
    });
  }
  return new Response(`${JSON.stringify(data, null, 2)}\n`, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="i-miei-dati-${italianIsoDay(now)}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
