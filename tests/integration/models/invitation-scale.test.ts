import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { invitations, outbox } from "#db/schema";
import { listInvitations, sendDueReminders, sendInvitations } from "~/models/invitation.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { createTestCoordinator } from "../../support/admin";
import { createRoundTable, DAY, emailsOf, HOUR } from "../../support/invitations";
import { APP_URL } from "../../support/requests";

// The benchmark invites about 8,000 referenti at once. The referenti are written straight into the
// tables here (the registration flow is covered elsewhere): active, each of its own ente.
const REFERENTS = 8000;

let coordinatorId: number;

beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
  const client = getDb().$client;
  const body = client.prepare(`INSERT INTO member_bodies (kind, name, pec, fiscal_code, status) VALUES ('altro', ?, ?, ?, 'member')`);
  const referent = client.prepare(
    `INSERT INTO referents (member_body_id, first_name, last_name, role, office, email, phone, privacy_consent_at, privacy_notice_version, email_verified_at, valid_from)
     VALUES (?, 'Nome', ?, 'funzionario', 'Servizi sociali', ?, '+390911234567', 0, '1', 0, 0)`,
  );
  client.transaction(() => {
    for (let i = 0; i < REFERENTS; i++) {
      const id = body.run(`Ente di prova ${i}`, `ente${i}@pec.example.org`, String(90_000_000_000 + i)).lastInsertRowid;
      referent.run(id, `Cognome${i}`, `referente${i}@example.org`);
    }
  })();
});

const countOf = (table: typeof invitations | typeof outbox, roundTableId: number) =>
  getDb().select({ n: sql<number>`count(*)` }).from(table).where(eq(table.roundTableId, roundTableId)).get()!.n;

describe("invitations at the scale of the benchmark", () => {
  // How long these take at national scale is measured by `npm run bench` (enqueue, reminders, a
  // second send), not here: a duration asserted in a test depends on what else the machine runs.
  it(`invites ${REFERENTS} referenti each once, invites nobody twice, lists them and reminds them all`, () => {
    const rt = createRoundTable();
    const result = sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL });
    expect(result).toEqual({ ok: true, count: REFERENTS });
    expect(countOf(invitations, rt.id)).toBe(REFERENTS);
    expect(countOf(outbox, rt.id)).toBe(REFERENTS);

    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 0 });

    const page = listInvitations(getDb(), { roundTableId: rt.id, page: 1, pageSize: 100 });
    expect(page.rows).toHaveLength(100);
    expect(page.counts.pending).toBe(REFERENTS);

    getDb().update(outbox).set({ status: "sent" }).where(eq(outbox.roundTableId, rt.id)).run();
    const reminders = sendDueReminders(getDb(), { now: new Date(rt.startsAt.getTime() - DAY), appUrl: APP_URL });
    expect(reminders.emails).toBe(REFERENTS);
    expect(emailsOf(rt.id, "round-table-reminder")[0].props.answerUrl).toMatch(/^http:\/\/portale\.test\/invito\/[\w-]{40,}$/);
  });

  it("finds each invitee's answer link for the reminder through the address, even without table statistics", () => {
    // SQLite plans without statistics in a new database. With the outbox's template index it once
    // started the reminders' lookup from every invitation email: 5 s instead of 0.2 for 8,000.
    const client = getDb().$client;
    expect(client.prepare("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").get()).toBeUndefined();
    const prepare = vi.spyOn(client, "prepare");
    let prepared: string[];
    try {
      sendDueReminders(getDb(), { now: new Date(), appUrl: APP_URL });
      prepared = prepare.mock.calls.map(([source]) => String(source));
    } finally {
      prepare.mockRestore();
    }
    const due = prepared.find((source) => source.includes("'$.answerUrl'"))!;
    const plan = (client.prepare(`EXPLAIN QUERY PLAN ${due}`).all({ now: Date.now(), template: "round-table-invitation" }) as { detail: string }[]).map(
      (r) => r.detail,
    );
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH o USING INDEX outbox_recipient_idx \(recipient=\?\)/));
    expect(plan.filter((d) => d.includes("outbox_template_idx"))).toEqual([]);
  });

  it("two processes sending the same invitations at the same moment invite everyone exactly once", async () => {
    const rt = createRoundTable();
    const startAt = String(Date.now() + 1500);
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "tests/support/invitations-process.ts", getEnv().databasePath, "send", String(rt.id), startAt, String(coordinatorId)],
        { cwd: process.cwd() },
      ).then((r) => JSON.parse(r.stdout) as { ok: boolean; count: number });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual([0, REFERENTS]);
    expect(countOf(invitations, rt.id)).toBe(REFERENTS);
    expect(countOf(outbox, rt.id)).toBe(REFERENTS);
  }, 60_000);

  it("two processes running the reminders job at the same moment remind once", async () => {
    // Later than the other tables of this file, so that at `now` only this one is due.
    const rt = createRoundTable({ startsInMs: 30 * DAY });
    sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL });
    const now = String(rt.startsAt.getTime() - HOUR);
    const startAt = String(Date.now() + 1500);
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "tests/support/invitations-process.ts", getEnv().databasePath, "remind", now, startAt], {
        cwd: process.cwd(),
      }).then((r) => JSON.parse(r.stdout) as { roundTables: number; emails: number });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.emails).sort((a, b) => a - b)).toEqual([0, REFERENTS]);
    expect(emailsOf(rt.id, "round-table-reminder")).toHaveLength(REFERENTS);
  }, 60_000);
});
