import type { LoaderFunctionArgs } from "@remix-run/node";
import { getPublicRoundTable, parseRoundTableId } from "~/models/round-table.server";
import { italianIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { buildCalendar } from "~/utils/ical.server";
import { roundTableCalendarEvent } from "~/utils/round-table-calendar";

// "Aggiungi al calendario": the one event as an iCalendar file (METHOD:PUBLISH).
export async function loader({ params }: LoaderFunctionArgs) {
  const id = parseRoundTableId(params.id);
  const rt = id ? getPublicRoundTable(getDb(), { id }) : null;
  if (!rt) throw new Response("Tavolo tecnico non trovato", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = buildCalendar([roundTableCalendarEvent(rt, { appUrl: getEnv().appUrl, includeOnlineUrl: false })], { method: "PUBLISH" });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      // Named as people know it: by its number ("7° Tavolo tecnico"), or by its day when it has none.
      "Content-Disposition": `attachment; filename="tavolo-tecnico-${rt.number ?? italianIsoDay(rt.startsAt)}.ics"`,
      "Cache-Control": "no-cache",
    },
  });
}
