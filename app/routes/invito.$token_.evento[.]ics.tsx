import type { LoaderFunctionArgs } from "@remix-run/node";
import { invitationCalendar } from "~/models/invitation.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { PRIVATE_CACHE_CONTROL } from "~/utils/private-pages.server";
import { notFoundPage } from "~/utils/standalone-page.server";

// «Aggiungi al calendario» of the invitation page: the invitee's own event, as the invitation email
// attached it (METHOD:REQUEST, the invitation's UID, the meeting link). The token is as secret as
// on the page: private, never kept by a cache; nothing here logs the URL.
export function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const file = invitationCalendar(getDb(), { token, appUrl: getEnv().appUrl });
  if (!file) {
    throw notFoundPage({
      title: "Evento non disponibile",
      message:
        "Il collegamento non corrisponde a nessun invito in corso: l'invito non esiste, è stato ritirato oppure il Tavolo tecnico è stato annullato.",
      back: { href: `/invito/${encodeURIComponent(token)}`, label: "Torna alla pagina dell'invito" },
    });
  }
  return new Response(file.content, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": PRIVATE_CACHE_CONTROL,
    },
  });
}
