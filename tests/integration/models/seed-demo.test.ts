import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { materials, roundTables } from "#db/schema";
import { listPublicRoundTables } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { DEMO_ROUND_TABLES, seedDemoContent } from "../../../db/seed-demo";

describe("npm run seed:demo", () => {
  it("imports the historical Tavoli tecnici once: running it again changes nothing", () => {
    const db = getDb();
    expect(seedDemoContent(db)).toEqual({ roundTablesAdded: 7, materialsAdded: 2 });
    const snapshot = () => ({ tables: db.select().from(roundTables).all(), materials: db.select().from(materials).all() });
    const first = snapshot();
    expect(seedDemoContent(db)).toEqual({ roundTablesAdded: 0, materialsAdded: 0 });
    expect(snapshot()).toEqual(first);

    expect(first.tables.map((t) => t.number)).toEqual([null, 1, 2, 3, 4, 5, 6]);
    expect(first.tables.every((t) => t.status === "published")).toBe(true);
    const fifth = first.tables.find((t) => t.number === 5)!;
    // 9:00-13:00 in Palermo on 27 April 2022 (summer time).
    expect(fifth).toMatchObject({ mode: "ibrido", place: "Palermo", speakers: [{ name: "G. Zollo" }] });
    expect(fifth.startsAt.toISOString()).toBe("2022-04-27T07:00:00.000Z");
    expect(fifth.endsAt.toISOString()).toBe("2022-04-27T11:00:00.000Z");
    const first2021 = first.tables.find((t) => t.number === null)!;
    expect(first2021.title).toBe("Costituzione di un Coordinamento dei Comuni Siciliani aderenti al SAI");
    expect(first2021.startsAt.toISOString()).toBe("2021-12-07T14:00:00.000Z");
    const fourth = first.tables.find((t) => t.number === 4)!;
    expect(db.select().from(materials).where(eq(materials.roundTableId, fourth.id)).all()).toMatchObject([
      { kind: "video", url: "https://www.youtube.com/watch?v=W8nMwuZY0xs&t=11s", visibility: "public" },
    ]);
    expect(DEMO_ROUND_TABLES).toHaveLength(7);
    // Nothing personal: no invitations, no referents, no uploads.
    expect(first.materials.every((m) => m.url?.startsWith("https://") && m.storedFileName === null)).toBe(true);

    const { archive } = listPublicRoundTables(db, { now: new Date() });
    expect(archive.rows.filter((t) => first.tables.some((f) => f.id === t.id))).toHaveLength(7);
  });
});
