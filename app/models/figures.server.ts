import { and, asc, eq, gt, gte, isNull, sql } from "drizzle-orm";
import { memberBodies, roundTables, SAI_CATEGORIES, saiProjects, type SaiCategory } from "#db/schema";
import type { Db } from "~/utils/db.server";
import { italianIsoDay } from "~/utils/dates";
import { databaseFingerprint } from "~/utils/db-fingerprint.server";
import { notAwaitingApproval } from "./sai-project.server";

export type CategoryFigures = { category: SaiCategory; projects: number; places: number };

export type NetworkFigures = {
  /** Enti whose membership has been approved (member_bodies.status = 'member'). */
  approvedBodies: number;
  /**
   * Active SAI projects of member enti: not closed, not past their end date (those are the
   * referenti's to update), without those of a scheda still to approve.
   */
  projects: number;
  /** Sum of the funded places of those projects. */
  places: number;
  /** The same two figures per tipologia, always in SAI_CATEGORIES order (zeros included). */
  byCategory: CategoryFigures[];
};

/** The network's coverage as recorded in the portal: only approved enti and their active projects count. */
export function getNetworkFigures(db: Db, { now = new Date() }: { now?: Date } = {}): NetworkFigures {
  const bodies = db
    .select({ count: sql<number>`count(*)`.mapWith(Number) })
    .from(memberBodies)
    .where(eq(memberBodies.status, "member"))
    .get();

  const rows = db
    .select({
      category: saiProjects.category,
      projects: sql<number>`count(*)`.mapWith(Number),
      places: sql<number>`coalesce(sum(${saiProjects.fundedPlaces}), 0)`.mapWith(Number),
    })
    .from(saiProjects)
    .innerJoin(memberBodies, eq(memberBodies.id, saiProjects.memberBodyId))
    .where(
      and(eq(memberBodies.status, "member"), isNull(saiProjects.closedAt), gte(saiProjects.endDate, italianIsoDay(now)), notAwaitingApproval()),
    )
    .groupBy(saiProjects.category)
    .all();

  const byCategory = SAI_CATEGORIES.map((category) => {
    const row = rows.find((r) => r.category === category);
    return { category, projects: row?.projects ?? 0, places: row?.places ?? 0 };
  });

  return {
    approvedBodies: bodies?.count ?? 0,
    projects: byCategory.reduce((total, c) => total + c.projects, 0),
    places: byCategory.reduce((total, c) => total + c.places, 0),
    byCategory,
  };
}

/** The first published Tavolo tecnico not ended at `now` (one under way comes first), if any. */
export function getNextRoundTable(db: Db, { now }: { now: Date }) {
  return db
    .select()
    .from(roundTables)
    .where(and(eq(roundTables.status, "published"), gt(roundTables.endsAt, now)))
    .orderBy(asc(roundTables.startsAt), asc(roundTables.id))
    .limit(1)
    .get();
}

// ---------------------------------------------------------------------------------------------
// The public home page (/) shows the figures and the next round table to every visitor: they are
// kept in memory and computed again only when a write has been committed (databaseFingerprint),
// when the next round table starts or ends, or after PUBLIC_HOME_TTL_MS at the latest. At national scale
// the figures' query reads every project (4 ms, a quarter of the page): issue 7, docs/performance.md.

export const PUBLIC_HOME_TTL_MS = 60_000;

type HomeData = { figures: NetworkFigures; nextRoundTable: ReturnType<typeof getNextRoundTable> };
type HomeCacheEntry = { fingerprint: string; expiresAt: number; data: HomeData };

const homeCache = new WeakMap<Db, HomeCacheEntry>();

/** Figures and next round table of the home page, from memory while nothing has changed. */
export function getPublicHomeData(db: Db, { now = new Date() }: { now?: Date } = {}): HomeData {
  const fingerprint = databaseFingerprint(db);
  const cached = homeCache.get(db);
  if (cached && cached.fingerprint === fingerprint && now.getTime() < cached.expiresAt) return cached.data;
  const data: HomeData = { figures: getNetworkFigures(db, { now }), nextRoundTable: getNextRoundTable(db, { now }) };
  // Until the shown Tavolo starts (the page then says «in corso») or, once under way, ends.
  const next = data.nextRoundTable;
  const changesAt = !next ? Infinity : next.startsAt > now ? next.startsAt.getTime() : next.endsAt.getTime();
  homeCache.set(db, { fingerprint, expiresAt: Math.min(now.getTime() + PUBLIC_HOME_TTL_MS, changesAt), data });
  return data;
}
