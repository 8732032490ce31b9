import { listFeedRoundTables } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { buildCalendar } from "~/utils/ical.server";
import { roundTableCalendarEvent } from "~/utils/round-table-calendar";

// The subscribable feed: every published and cancelled Tavolo tecnico (never drafts), with stable
// UIDs and the SEQUENCE of each, so calendars pick up changes and cancellations.
export async function loader() {
  const appUrl = getEnv().appUrl;
  const events = listFeedRoundTables(getDb()).map((rt) => roundTableCalendarEvent(rt, { appUrl, includeOnlineUrl: false }));
  const body = buildCalendar(events, { method: "PUBLISH", name: "Tavoli tecnici - Coordinamento SAI" });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="tavoli-tecnici.ics"',
      "Cache-Control": "no-cache",
    },
  });
}
