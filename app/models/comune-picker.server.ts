import type { Db } from "~/utils/db.server";
import { databaseFingerprint } from "~/utils/db-fingerprint.server";
import { buildPayload, type Payload } from "~/utils/payload-response.server";
import { listMunicipalitiesWithActiveReferent } from "./membership.server";
import { pickerProvincesJson, type PickerProvince } from "./territory.server";

// What the comune combobox of the scheda referente loads once hydrated (GET /adesione/comuni.json):
// every comune by province and the comuni that already have an active referente (the form then
// announces a handover). Built at most once a minute and kept gzipped: at national scale it is
// 7,896 comuni, 470 KB of JSON, 80 KB gzipped. The handover list may be a minute old: it only
// decides a notice, the server decides the kind of request when the scheda is sent.

export const COMUNE_PICKER_TTL_MS = 60_000;

/** The JSON's shape, as the browser reads it. */
export type ComunePickerList = { provinces: PickerProvince[]; handover: string[] };

export type ComunePickerPayload = Payload & { fingerprint: string };

const cache = new WeakMap<Db, ComunePickerPayload>();

export function comunePickerPayload(db: Db): ComunePickerPayload {
  const fingerprint = databaseFingerprint(db);
  const cached = cache.get(db);
  if (cached && cached.fingerprint === fingerprint) return cached;
  const json = `{"provinces":${pickerProvincesJson(db)},"handover":${JSON.stringify(listMunicipalitiesWithActiveReferent(db))}}`;
  const payload = { ...buildPayload(json), fingerprint };
  cache.set(db, payload);
  return payload;
}
