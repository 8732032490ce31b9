// The member list's queries start from the province when it is filtered by one, also before SQLite
// has table statistics (a new or just-migrated database): at national scale, starting from every
// request of the status instead took 10 ms per page (docs/performance.md).
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "#db/schema";
import { listMembershipRequests } from "~/models/membership-list.server";
import { getDb, type Db } from "~/utils/db.server";
import { createTestCoordinator } from "../../support/admin";
import { createReferent } from "../../support/invitations";

beforeAll(async () => {
  createTestCoordinator();
  for (const provinceCode of ["082", "082", "087"]) await createReferent({ provinceCode });
});

function queriesOf(run: (db: Db) => void) {
  const logged: { sql: string; params: unknown[] }[] = [];
  const client = getDb().$client;
  const db = drizzle(client, { schema, logger: { logQuery: (sql, params) => logged.push({ sql, params }) } }) as unknown as Db;
  run(db);
  return logged
    .filter((q) => /^select/i.test(q.sql))
    .map((q) => ({ ...q, plan: (client.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail) }));
}

describe("the member list's query plans", () => {
  it("go from the province's enti to their requests, without statistics", () => {
    expect(getDb().$client.prepare("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").get()).toBeUndefined();
    const [counts, rows] = queriesOf((db) =>
      listMembershipRequests(db, { filters: { provinceCode: "082", status: "approved" }, sort: { key: "created", direction: "desc" }, page: 3 }),
    );
    expect(counts.plan[0]).toMatch(/^SEARCH member_bodies USING (COVERING )?INDEX member_bodies_province_idx/);
    // The page's ids: the subquery, planned before the outer query's lookups by id.
    const subquery = rows.plan.slice(rows.plan.findIndex((d) => d.startsWith("LIST SUBQUERY")) + 1);
    expect(subquery[0]).toMatch(/^SEARCH member_bodies USING (COVERING )?INDEX member_bodies_province_idx/);
    // The requests are reached by id, never by their status (only the small list of handovers
    // awaiting approval, "awaiting", is read by status).
    expect(rows.plan.filter((d) => /^(SCAN|SEARCH) membership_requests .*membership_requests_status_idx/.test(d))).toEqual([]);
  });

  it("join for a page's ids only what its filters and sort read", () => {
    const [, rows] = queriesOf((db) =>
      listMembershipRequests(db, { filters: { status: "approved" }, sort: { key: "created", direction: "desc" }, page: 1 }),
    );
    // Filtered by status and sorted by date: the id subquery reads the requests alone.
    const ids = rows.sql.slice(rows.sql.indexOf("in (select"));
    expect(ids).toMatch(/^in \(select ("membership_requests"\.)?"id" from "membership_requests" where/);
    expect(rows.params).toEqual(["approved", 25, 0]);
  });
});

describe("the free-text search", () => {
  it("matches a comune's name at the start of its words: a surname with an apostrophe does not find the comune that contains it", async () => {
    const raffadali = getDb()
      .select({ id: schema.membershipRequests.id })
      .from(schema.membershipRequests)
      .innerJoin(schema.memberBodies, eq(schema.memberBodies.id, schema.membershipRequests.memberBodyId))
      .where(eq(schema.memberBodies.municipalityCode, "084030"))
      .get() ?? (await createReferent({ provinceCode: "084", fields: { municipalityCode: "084030" } })).request;
    const dali = await createReferent({ provinceCode: "083", fields: { firstName: "Giuseppina", lastName: "D'Alì" } });
    const search = (q: string) =>
      listMembershipRequests(getDb(), { filters: { q }, sort: { key: "created", direction: "desc" }, pageSize: 100 }).rows.map((r) => r.id);
    expect(search("D'Alì")).toEqual([dali.request.id]);
    expect(search("raffadali")).toContain(raffadali.id);
  });

  it("finds a name with either apostrophe, typed with either: the typographic ’ of phones and word processors, or '", async () => {
    const surname = `Amato${Date.now().toString(36)}`;
    const typographic = await createReferent({ provinceCode: "082", fields: { firstName: "Rosalia", lastName: `D’${surname}` } });
    const straight = await createReferent({ provinceCode: "082", fields: { firstName: "Rosalia", lastName: `D'${surname}` } });
    const search = (q: string) =>
      listMembershipRequests(getDb(), { filters: { q }, sort: { key: "created", direction: "asc" }, pageSize: 100 }).rows.map((r) => r.id);
    const both = [typographic.request.id, straight.request.id];
    expect(search(`D'${surname}`)).toEqual(both);
    expect(search(`d’${surname.toLowerCase()}`)).toEqual(both);
    // A letter typed in its place finds neither.
    expect(search(`Dx${surname}`)).toEqual([]);
  });
});


describe("queries of the same shape", () => {
  // The list prepares one query per shape of filters and sort and reuses it with each call's values.
  const sort = { key: "created", direction: "desc" } as const;
  const idsIn = (provinceCode: string) =>
    getDb()
      .select({ id: schema.membershipRequests.id })
      .from(schema.membershipRequests)
      .innerJoin(schema.memberBodies, eq(schema.memberBodies.id, schema.membershipRequests.memberBodyId))
      .where(eq(schema.memberBodies.provinceCode, provinceCode))
      .all()
      .map((r) => r.id)
      .sort((a, b) => b - a);

  it("give each call the rows and counts of its own values", () => {
    const list = (provinceCode: string, page = 1, pageSize = 100) =>
      listMembershipRequests(getDb(), { filters: { provinceCode }, sort, page, pageSize });
    for (const provinceCode of ["082", "087", "082"]) {
      const expected = idsIn(provinceCode);
      expect(expected.length).toBeGreaterThan(0);
      const result = list(provinceCode);
      expect(result.rows.map((r) => r.id).sort((a, b) => b - a)).toEqual(expected);
      expect(result.total).toBe(expected.length);
      expect(Object.values(result.countsByStatus).reduce((a, b) => a + b, 0)).toBe(expected.length);
    }
    // The same query, another page: the offset is the call's own.
    const [first, second] = [1, 2].map((page) => list("082", page, 1).rows.map((r) => r.id));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
  });

  it("keep apart searches whose words are matched differently", async () => {
    const named = await createReferent({ provinceCode: "086", fields: { firstName: "Ottavia", lastName: "Quintiliani" } });
    const search = (q: string) => listMembershipRequests(getDb(), { filters: { q }, sort, pageSize: 100 }).rows.map((r) => r.id);
    // "@" has no comune key, "Quintiliani" has one: two shapes, each with its own words.
    expect(search("Quintiliani")).toEqual([named.request.id]);
    expect(search("@")).toContain(named.request.id);
    expect(search(`${named.email.split("@")[0]} @`)).toEqual([named.request.id]);
    expect(search("Ottavia Quintiliani")).toEqual([named.request.id]);
    expect(search("Ottavia Nessunaltra")).toEqual([]);
  });
});
