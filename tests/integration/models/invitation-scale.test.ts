import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
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
  it(`invites ${REFERENTS} referenti in well under two seconds, each once`, () => {
    const rt = createRoundTable();
    const started = performance.now();
    const result = sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL });
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: true, count: REFERENTS });
    // About 0.5 s on an idle machine; the margin absorbs other test files running in parallel.
    expect(elapsed).toBeLessThan(3000);
    expect(countOf(invitations, rt.id)).toBe(REFERENTS);
    expect(countOf(outbox, rt.id)).toBe(REFERENTS);

    const again = performance.now();
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: {}, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 0 });
    expect(performance.now() - again).toBeLessThan(3000);

    const listed = performance.now();
    const page = listInvitations(getDb(), { roundTableId: rt.id, page: 1, pageSize: 100 });
    expect(page.rows).toHaveLength(100);
    expect(page.counts.pending).toBe(REFERENTS);
    expect(performance.now() - listed).toBeLessThan(1000);

    getDb().update(outbox).set({ status: "sent" }).where(eq(outbox.roundTableId, rt.id)).run();
    const reminded = performance.now();
    const reminders = sendDueReminders(getDb(), { now: new Date(rt.startsAt.getTime() - DAY), appUrl: APP_URL });
    expect(reminders.emails).toBe(REFERENTS);
    expect(performance.now() - reminded).toBeLessThan(3000);
    expect(emailsOf(rt.id, "round-table-reminder")[0].props.answerUrl).toMatch(/^http:\/\/portale\.test\/invito\/[\w-]{40,}$/);
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
