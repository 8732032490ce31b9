// The outbox page at national scale holds hundreds of thousands of emails: its filters' lists must
// not read them all (docs/performance.md).
import { drizzle } from "drizzle-orm/better-sqlite3";
import { describe, expect, it } from "vitest";
import * as schema from "#db/schema";
import { listOutboxTemplates, queueEmail } from "~/models/outbox.server";
import ConfirmRegistrationEmail from "#emails/confirm-registration";
import { getDb, type Db } from "~/utils/db.server";

describe("the outbox's template filter", () => {
  it("lists each template present once, reading the template index rather than the emails", () => {
    const db = getDb();
    const props = ConfirmRegistrationEmail.PreviewProps;
    for (const to of ["uno@example.org", "due@example.org"]) queueEmail(db, { template: "confirm-registration", to, props, domain: "example.org" });
    const logged: string[] = [];
    const logging = drizzle(db.$client, { schema, logger: { logQuery: (sql) => logged.push(sql) } }) as unknown as Db;
    const templates = listOutboxTemplates(logging);
    expect(templates.filter((t) => t === "confirm-registration")).toHaveLength(1);
    expect(templates).toEqual([...templates].sort());
    const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${logged[0]}`).all() as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual([expect.stringMatching(/^SCAN outbox USING COVERING INDEX outbox_template_idx/)]);
  });
});
