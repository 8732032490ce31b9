import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOutboxEmail, recordEmailDownload } from "~/models/outbox.server";
import { redactedEmlForCoordinators } from "~/models/outbox-preview.server";
import { isErasedAddress } from "~/models/privacy.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { parseRecordId } from "~/utils/record-id";
import { gonePage, notFoundPage } from "~/utils/standalone-page.server";

// The email as an .eml file: the coordinators' copy, with codes and personal links hidden, never
// the file sent in the local default (docs/decisions/009-secrets-in-outbox.md).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const email = getOutboxEmail(getDb(), { id: parseRecordId(params.id) ?? 0 });
  if (!email) {
    throw notFoundPage({
      title: "Messaggio non trovato",
      message: "Il messaggio non è nella posta in uscita.",
      back: { href: "/admin/posta", label: "Torna alla posta in uscita" },
      area: "coordinatori",
    });
  }
  if (isErasedAddress(email.recipient)) {
    throw gonePage({
      title: "Messaggio cancellato",
      message: "Su richiesta dell'interessato il destinatario e il contenuto di questo messaggio sono stati cancellati: resta solo la traccia dell'invio.",
      back: { href: `/admin/posta/${email.id}`, label: "Torna al messaggio" },
      area: "coordinatori",
    });
  }
  const eml = await redactedEmlForCoordinators(email, getEnv());
  recordEmailDownload(getDb(), { coordinatorId: coordinator.id, id: email.id });
  return new Response(eml, {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="messaggio-${email.id}.eml"`,
      "Cache-Control": "no-store",
    },
  });
}
