import type { Db } from "./db.server";
import type { ScheduledJob } from "./scheduler.server";

/** Every periodic job of the portal; each feature adds its own here. */
export function scheduledJobs(_: { db: Db; appUrl: string }): ScheduledJob[] {
  return [];
}
