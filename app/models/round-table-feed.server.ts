import type { Db } from "~/utils/db.server";
import { keptWhileUnchanged } from "~/utils/db-fingerprint.server";
import { buildCalendar } from "~/utils/ical.server";
import { buildPayload, type Payload } from "~/utils/payload-response.server";
import { roundTableCalendarEvent } from "~/utils/round-table-calendar";
import { listFeedRoundTables } from "./round-table.server";

// The subscribable feed (GET /tavoli-tecnici.ics): every published and cancelled Tavolo tecnico
// (never drafts), with stable UIDs and the SEQUENCE of each, so calendars pick up changes and
// cancellations. Calendar apps poll it for every subscriber; building it took 75 ms at national
// scale (200 round tables, issue 7), so it is built again only when a write has been committed
// (databaseFingerprint), and answered with an ETag so that a calendar that has it gets a 304.
// Its DTSTAMP is then the time it was built, which is what RFC 5545 asks of a published calendar.

const FEED_NAME = "Tavoli tecnici - Coordinamento SAI";

const kept = keptWhileUnchanged<Payload>();

/** The feed; `appUrl` is the portal's, fixed for the life of the process. */
export function roundTableFeed(db: Db, { appUrl }: { appUrl: string }): Payload {
  return kept(db, () => {
    const events = listFeedRoundTables(db).map((rt) => roundTableCalendarEvent(rt, { appUrl, audience: "public" }));
    return buildPayload(buildCalendar(events, { method: "PUBLISH", name: FEED_NAME }));
  });
}
