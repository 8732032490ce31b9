import { describe, expect, it } from "vitest";
import { getNetworkFigures, getPublicHomeData } from "~/models/figures.server";
import { getDb } from "~/utils/db.server";
import { createRoundTable, HOUR } from "../../support/invitations";
import { createReferent } from "../../support/referent";

describe("the home page's next Tavolo tecnico", () => {
  it("is the one under way until it ends, then the following one", () => {
    const underWay = createRoundTable({ startsAt: new Date("2040-01-01T09:00:00Z"), endsAt: new Date("2040-01-01T11:00:00Z") });
    const following = createRoundTable({ startsAt: new Date("2040-01-02T09:00:00Z") });
    createRoundTable({ startsAt: new Date("2040-01-01T08:00:00Z"), status: "draft" });

    const at = (iso: string) => getPublicHomeData(getDb(), { now: new Date(iso) }).nextRoundTable?.id;
    expect(at("2040-01-01T08:30:00Z")).toBe(underWay.id);
    expect(at("2040-01-01T10:00:00Z")).toBe(underWay.id);
    expect(at("2040-01-01T11:00:00Z")).toBe(following.id);
    expect(at(new Date(following.startsAt.getTime() + HOUR).toISOString())).toBe(following.id);
  });
});

describe("the network's figures", () => {
  it("count a project as active up to its end date, in Italian days, not after it", async () => {
    await createReferent("active", { "projects.0.category": "DM/DS", "projects.0.fundedPlaces": "7", "projects.0.startDate": "2024-03-01", "projects.0.endDate": "2031-07-15" });
    const at = (iso: string) => {
      const figures = getNetworkFigures(getDb(), { now: new Date(iso) });
      const dmds = figures.byCategory.find((c) => c.category === "DM/DS")!;
      return { projects: figures.projects, places: figures.places, dmdsProjects: dmds.projects, dmdsPlaces: dmds.places };
    };
    // 23:30 in Rome on its last day, then 00:30 on the next (21:30 and 22:30 UTC in summer).
    const lastDay = at("2031-07-15T21:30:00Z");
    const after = at("2031-07-15T22:30:00Z");
    const gone = Object.fromEntries(Object.entries(lastDay).map(([key, value]) => [key, value - after[key as keyof typeof after]]));
    expect(gone).toEqual({ projects: 1, places: 7, dmdsProjects: 1, dmdsPlaces: 7 });
  });
});
