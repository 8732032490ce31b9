import { describe, expect, it } from "vitest";
import { getPublicHomeData } from "~/models/figures.server";
import { getDb } from "~/utils/db.server";
import { createRoundTable, HOUR } from "../../support/invitations";

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
