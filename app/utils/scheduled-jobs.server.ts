import { sendDueReminders } from "~/models/invitation.server";
import { announceEndedRoundTableMaterials } from "~/models/material.server";
import { purgeExpiredRequests } from "~/models/request-retention.server";
import type { Db } from "./db.server";
import { getEnv } from "./env.server";
import { wakeOutboxWorker } from "./outbox-worker.server";
import type { ScheduledJob } from "./scheduler.server";

/** Every periodic job of the portal; each feature adds its own here. */
export function scheduledJobs({ db, appUrl }: { db: Db; appUrl: string }): ScheduledJob[] {
  return [
    {
      // Reminders of the Tavoli tecnici, N days before (round_tables.reminder_days); at most once per
      // invitation (invitations.reminded_at), only for invitations sent before the window opened.
      name: "round-table-reminders",
      everyMs: 15 * 60_000,
      run: (now) => {
        const sent = sendDueReminders(db, { now, appUrl });
        if (sent.emails > 0) wakeOutboxWorker();
        return sent;
      },
    },
    {
      // "Materiali disponibili" for slides and videos: those added before a Tavolo tecnico ended once
      // it has ended (only Tavoli ended in the last MATERIALS_ANNOUNCEMENT_WINDOW_DAYS, 7, so the first
      // run after deploy does not email about long-past Tavoli), those added afterwards
      // MATERIALS_ANNOUNCEMENT_DELAY_MINUTES (10) after the last one, all in one email per invitee;
      // once per material (materials.announced_at). Every 5 minutes: sent 10 to 15 minutes after.
      name: "round-table-materials",
      everyMs: 5 * 60_000,
      run: (now) => {
        const announced = announceEndedRoundTableMaterials(db, { now, appUrl });
        if (announced.emails > 0) wakeOutboxWorker();
        return announced;
      },
    },
    {
      // Retention (issue 6): unconfirmed requests after RETENTION_UNCONFIRMED_DAYS, rejected ones
      // RETENTION_REJECTED_MONTHS after the decision. Runs at start, then daily; idempotent.
      name: "retention-purge",
      everyMs: 24 * 60 * 60_000,
      run: (now) => {
        const env = getEnv();
        return purgeExpiredRequests(db, {
          now,
          unconfirmedDays: env.RETENTION_UNCONFIRMED_DAYS,
          rejectedMonths: env.RETENTION_REJECTED_MONTHS,
        });
      },
    },
    {
      // Table statistics for SQLite's query planner, as SQLite advises for long-lived connections: at
      // start, then daily. Without them the member list filtered by province and status read every
      // request of the country (docs/performance.md). Bounded: optimize samples at most ~2000 rows per index.
      name: "database-optimize",
      everyMs: 24 * 60 * 60_000,
      run: () => {
        db.$client.pragma("optimize=0x10002");
      },
    },
  ];
}
