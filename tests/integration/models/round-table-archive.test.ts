// Past round tables accumulate (one a month is 120 in ten years): the coordinators' list and the
// public archive show them a page at a time, latest first, with every upcoming one on each page.
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_PAGE_SIZE, listPublicRoundTables, listRoundTablesForAdmin, PUBLIC_ARCHIVE_PAGE_SIZE } from "~/models/round-table.server";
import * as adminListRoute from "~/routes/admin.tavoli._index";
import * as publicListRoute from "~/routes/tavoli-tecnici._index";
import { getDb } from "~/utils/db.server";
import { adminGet, createTestCoordinator } from "../../support/admin";
import { renderRoute } from "../../support/render-route";
import { APP_URL } from "../../support/requests";
import { addInvitation, createTestRoundTable } from "../../support/round-tables";

const PAST = 45;
const now = new Date("2026-11-27T12:00:00Z");
let pastIds: number[] = []; // latest first
let upcomingIds: number[] = [];
let pastDraftId: number;

const day = (i: number) => new Date(Date.UTC(2021, 0, 1 + i * 20)).toISOString().slice(0, 10);

beforeAll(() => {
  const coordinatorId = createTestCoordinator().id;
  for (let i = 0; i < PAST; i++) {
    const rt = createTestRoundTable(coordinatorId, { number: String(i + 1), title: `Incontro passato ${i + 1}`, startsAt: `${day(i)}T15:00`, endsAt: `${day(i)}T17:00` });
    pastIds.unshift(rt.id);
  }
  pastDraftId = createTestRoundTable(coordinatorId, { title: "Bozza mai pubblicata", startsAt: "2021-01-05T10:00", endsAt: "2021-01-05T12:00" }, { publish: false }).id;
  upcomingIds = [
    createTestRoundTable(coordinatorId, { title: "Incontro futuro A", startsAt: "2030-12-03T15:00", endsAt: "2030-12-03T17:00" }).id,
    createTestRoundTable(coordinatorId, { title: "Incontro futuro B", startsAt: "2031-02-03T15:00", endsAt: "2031-02-03T17:00" }).id,
  ];
  addInvitation(pastIds[ARCHIVE_PAGE_SIZE], "uno@example.org", "yes");
  addInvitation(pastIds[ARCHIVE_PAGE_SIZE], "due@example.org", "no");
});

describe("the coordinators' list of round tables", () => {
  it("shows every upcoming one and the past ones a page at a time, latest first, drafts included", () => {
    const first = listRoundTablesForAdmin(getDb(), { now });
    expect(first.upcoming.map((rt) => rt.id)).toEqual(upcomingIds);
    expect(first.past.total).toBe(PAST + 1);
    expect(first.past.pageCount).toBe(Math.ceil((PAST + 1) / ARCHIVE_PAGE_SIZE));
    expect(first.past.rows.map((rt) => rt.id)).toEqual(pastIds.slice(0, ARCHIVE_PAGE_SIZE));

    const second = listRoundTablesForAdmin(getDb(), { now, pastPage: 2 });
    expect(second.upcoming.map((rt) => rt.id)).toEqual(upcomingIds);
    expect(second.past.rows.map((rt) => rt.id)).toEqual(pastIds.slice(ARCHIVE_PAGE_SIZE, 2 * ARCHIVE_PAGE_SIZE));
    expect(second.past.rows[0].invitations).toMatchObject({ total: 2, yes: 1, no: 1, pending: 0 });

    // The draft took place between the first two round tables, on the last page.
    const last = listRoundTablesForAdmin(getDb(), { now, pastPage: 3 });
    expect(last.past.rows.map((rt) => rt.id)).toEqual([...pastIds.slice(2 * ARCHIVE_PAGE_SIZE, PAST - 1), pastDraftId, pastIds[PAST - 1]]);
  });

  it("gives the last page for a page past it, and the first for nonsense", async () => {
    expect(listRoundTablesForAdmin(getDb(), { now, pastPage: 99 }).past.page).toBe(3);
    const html = (await renderRoute(adminListRoute, await adminGet("/admin/tavoli?pagina=abc", createTestCoordinator().id))).html;
    expect(html).toContain("Incontro passato 45");
    expect(html).not.toContain("Incontro passato 25<");
  });

  it("renders the page's navigation, which keeps the reader on the past round tables", async () => {
    const { status, html } = await renderRoute(adminListRoute, await adminGet("/admin/tavoli?pagina=2", createTestCoordinator().id));
    expect(status).toBe(200);
    expect(html).toContain("Incontro futuro A");
    expect(html).toContain("Incontro passato 25<");
    expect(html).not.toContain("Incontro passato 26<");
    expect(html).toContain("Tavoli tecnici già svolti, dal più recente: pagina 2 di 3");
    expect(html).toMatch(/<nav class="pagination-wrapper" aria-label="Pagine dei Tavoli passati">/);
    expect(html).toContain('href="/admin/tavoli#passati"');
    expect(html).toContain('href="/admin/tavoli?pagina=3#passati"');
  });
});

describe("the public archive", () => {
  it("leaves drafts out of the pages and their count", () => {
    const first = listPublicRoundTables(getDb(), { now });
    expect(first.upcoming.map((rt) => rt.id)).toEqual(upcomingIds);
    expect(first.archive.total).toBe(PAST);
    expect(first.archive.rows.map((rt) => rt.id)).toEqual(pastIds.slice(0, PUBLIC_ARCHIVE_PAGE_SIZE));
    const last = listPublicRoundTables(getDb(), { now, archivePage: 5 });
    expect(last.archive.rows.map((rt) => rt.id)).toEqual(pastIds.slice(4 * PUBLIC_ARCHIVE_PAGE_SIZE));
  });

  it("renders a page of the archive with its position and links to the others", async () => {
    const { status, html } = await renderRoute(publicListRoute, new Request(`${APP_URL}/tavoli-tecnici?pagina=2`));
    expect(status).toBe(200);
    const [upcoming, archive] = html.split("Archivio</h2>");
    expect(upcoming).toContain("Incontro futuro B");
    expect(archive).toContain(`${PAST} incontri, dal più recente: pagina 2 di 5.`);
    expect(archive).toContain("Incontro passato 35<");
    expect(archive).not.toContain("Incontro passato 36<");
    expect(archive).not.toContain("Bozza mai pubblicata");
    expect(archive).toMatch(/<nav class="pagination-wrapper" aria-label="Pagine dell&#x27;archivio">/);
    expect(archive).toContain('href="/tavoli-tecnici#archivio"');
    expect(archive).toContain('href="/tavoli-tecnici?pagina=3#archivio"');
  });
});
