import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { municipalities, provinces } from "#db/schema";
import { countMunicipalitiesByProvince, listComuniByProvince, resolveRegions, seedTerritory } from "~/models/territory.server";
import { getDb } from "~/utils/db.server";

describe("reference data", () => {
  it("seeds the 9 Sicilian provinces and 391 comuni with ISTAT codes and accents", () => {
    const db = getDb();
    expect(db.select({ n: sql<number>`count(*)` }).from(provinces).get()!.n).toBe(9);
    expect(db.select({ n: sql<number>`count(*)` }).from(municipalities).get()!.n).toBe(391);
    const counts = Object.fromEntries(countMunicipalitiesByProvince(db).map((r) => [r.sigla, r.count]));
    expect(counts).toEqual({ TP: 25, PA: 82, ME: 108, AG: 43, CL: 22, EN: 20, CT: 58, RG: 12, SR: 21 });
    const palermo = db.select().from(provinces).all().find((p) => p.sigla === "PA")!;
    expect(palermo).toMatchObject({ code: "082", name: "Palermo", kind: "citta_metropolitana" });
    const trapani = db.select().from(provinces).all().find((p) => p.sigla === "TP")!;
    expect(trapani).toMatchObject({ code: "081", kind: "libero_consorzio" });
    const names = listComuniByProvince(db).flatMap((p) => p.comuni);
    expect(names).toContainEqual({ istatCode: "082027", name: "Cefalù" });
    expect(names).toContainEqual({ istatCode: "087033", name: "Paternò" });
  });

  it("is idempotent", () => {
    const db = getDb();
    const again = seedTerritory(db, { regions: ["Sicilia"] });
    expect(again).toEqual({ provinces: 9, municipalities: 391 });
    expect(db.select({ n: sql<number>`count(*)` }).from(municipalities).get()!.n).toBe(391);
  });

  it("understands region names loosely and refuses unknown ones", () => {
    expect(resolveRegions(["sicilia"])).toEqual(["Sicilia"]);
    expect(resolveRegions(["tutte"])).toHaveLength(20);
    expect(() => resolveRegions(["Atlantide"])).toThrow(/not an Italian region/);
  });
});
