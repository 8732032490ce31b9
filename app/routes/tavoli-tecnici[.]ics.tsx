import type { LoaderFunctionArgs } from "@remix-run/node";
import { roundTableFeed } from "~/models/round-table-feed.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { payloadResponse } from "~/utils/payload-response.server";

// The subscribable calendar of the Tavoli tecnici (app/models/round-table-feed.server.ts).
export async function loader({ request }: LoaderFunctionArgs) {
  return payloadResponse(request, roundTableFeed(getDb(), { appUrl: getEnv().appUrl }), {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": 'inline; filename="tavoli-tecnici.ics"',
    "Cache-Control": "no-cache",
  });
}
