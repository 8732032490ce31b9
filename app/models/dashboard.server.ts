import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { memberBodies, membershipRequests, municipalities, provinces } from "#db/schema";
import type { Db } from "~/utils/db.server";
import { listAuditEntries } from "./audit.server";
import { getNetworkFigures } from "./figures.server";
import { countFailedEmails } from "./outbox.server";
import { listOverdueProjects } from "./sai-project.server";
import { resolveRegions } from "./territory.server";

const DAY_MS = 24 * 60 * 60 * 1000;
const WAITING_LIMIT = 10;
const ACTIVITY_LIMIT = 10;
const OVERDUE_LIMIT = 10;

export type WaitingRequest = {
  id: number;
  bodyName: string;
  kind: "new" | "handover";
  /** When the referente confirmed the email, i.e. since when the request waits for a coordinator. */
  waitingSince: Date;
  /** Whole days since waitingSince (0 on the first day). */
  ageDays: number;
};

export type ProvinceCoverage = {
  code: string;
  sigla: string;
  name: string;
  /** Comuni of the province. */
  comuni: number;
  /** Comuni that are member enti themselves (member_bodies kind comune, status member). */
  memberComuni: number;
  /** memberComuni / comuni as a percentage, one decimal. */
  percentage: number;
};

const percentage = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/**
 * The figures of the coordinators' overview: requests waiting for a decision (oldest first), the
 * network as recorded (approved enti, open projects and places by tipologia), coverage of the comuni
 * per province, open projects past their end date, the emails that could not be delivered, and the
 * latest entries of the audit log.
 */
export function getDashboard(db: Db, { now = new Date(), regions }: { now?: Date; regions?: string[] }) {
  const since = sql<number>`coalesce(${membershipRequests.confirmedAt}, ${membershipRequests.createdAt})`;
  const waitingRows = db
    .select({
      id: membershipRequests.id,
      kind: membershipRequests.kind,
      bodyName: memberBodies.name,
      since: since.mapWith(Number),
    })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .where(eq(membershipRequests.status, "pending"))
    .orderBy(asc(since), asc(membershipRequests.id))
    .limit(WAITING_LIMIT)
    .all();
  const waiting: WaitingRequest[] = waitingRows.map((r) => ({
    id: r.id,
    kind: r.kind,
    bodyName: r.bodyName,
    waitingSince: new Date(r.since),
    ageDays: Math.max(0, Math.floor((now.getTime() - r.since) / DAY_MS)),
  }));

  const statusCounts = db
    .select({ status: membershipRequests.status, n: sql<number>`count(*)`.mapWith(Number) })
    .from(membershipRequests)
    .where(inArray(membershipRequests.status, ["pending", "email_unverified"]))
    .groupBy(membershipRequests.status)
    .all();
  const countOf = (status: string) => statusCounts.find((s) => s.status === status)?.n ?? 0;

  const network = getNetworkFigures(db, { now });

  const memberComune = and(
    eq(memberBodies.municipalityCode, municipalities.istatCode),
    eq(memberBodies.kind, "comune"),
    eq(memberBodies.status, "member"),
  );
  const coverageRows = db
    .select({
      code: provinces.code,
      sigla: provinces.sigla,
      name: provinces.name,
      comuni: sql<number>`count(${municipalities.istatCode})`.mapWith(Number),
      memberComuni: sql<number>`count(${memberBodies.id})`.mapWith(Number),
    })
    .from(provinces)
    .innerJoin(municipalities, eq(municipalities.provinceCode, provinces.code))
    .leftJoin(memberBodies, memberComune)
    .where(regions && regions.length ? inArray(provinces.region, resolveRegions(regions)) : undefined)
    .groupBy(provinces.code)
    .orderBy(asc(provinces.name))
    .all();
  const coverage: ProvinceCoverage[] = coverageRows.map((r) => ({ ...r, percentage: percentage(r.memberComuni, r.comuni) }));
  const totalComuni = coverage.reduce((t, p) => t + p.comuni, 0);
  const totalMemberComuni = coverage.reduce((t, p) => t + p.memberComuni, 0);

  return {
    waiting,
    pendingCount: countOf("pending"),
    emailUnverifiedCount: countOf("email_unverified"),
    approvedBodies: network.approvedBodies,
    projects: network.projects,
    places: network.places,
    byCategory: network.byCategory,
    coverage,
    coverageTotal: { comuni: totalComuni, memberComuni: totalMemberComuni, percentage: percentage(totalMemberComuni, totalComuni) },
    overdueProjects: listOverdueProjects(db, { now, limit: OVERDUE_LIMIT }),
    failedEmails: countFailedEmails(db, { filters: {} }),
    latestActivity: listAuditEntries(db, { page: 1, pageSize: ACTIVITY_LIMIT }).entries,
  };
}

export type Dashboard = ReturnType<typeof getDashboard>;
