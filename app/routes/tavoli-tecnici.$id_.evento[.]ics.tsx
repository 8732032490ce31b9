import type { LoaderFunctionArgs } from "@remix-run/node";
import { getPublicRoundTable, parseRoundTableId } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { buildCalendar } from "~/utils/ical.server";
import { roundTableCalendarEvent } from "~/utils/round-table-calendar";
import { roundTableFileStem } from "~/utils/round-table-format";
import { notFoundPage } from "~/utils/standalone-page.server";

// "Aggiungi al calendario": the one event as an iCalendar file (METHOD:PUBLISH).
export async function loader({ params }: LoaderFunctionArgs) {
  const id = parseRoundTableId(params.id);
  const rt = id ? getPublicRoundTable(getDb(), { id }) : null;
  if (!rt) {
    throw notFoundPage({
      title: "Tavolo tecnico non trovato",
      message: "Il Tavolo tecnico non esiste oppure non è più in calendario.",
      back: { href: "/tavoli-tecnici", label: "Vai ai Tavoli tecnici" },
    });
  }
  const body = buildCalendar([roundTableCalendarEvent(rt, { appUrl: getEnv().appUrl, audience: "public" })], { method: "PUBLISH" });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${roundTableFileStem(rt)}.ics"`,
      "Cache-Control": "no-cache",
    },
  });
}
