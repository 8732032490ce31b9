import type { Db } from "~/utils/db.server";
import { keptWhileUnchanged } from "~/utils/db-fingerprint.server";
import { buildPayload, type Payload } from "~/utils/payload-response.server";
import { listMunicipalitiesWithActiveReferent } from "./membership.server";
import { pickerProvincesJson, type PickerProvince } from "./territory.server";

// What the comune combobox of the scheda referente loads once hydrated (GET /adesione/comuni.json):
// every comune by province and the comuni that already have an active referente (the form then
// announces a handover). Built again only once a write has been committed, and kept gzipped: at
// national scale it is 7,896 comuni, 470 KB of JSON, 80 KB gzipped. Browsers keep it a minute
// (Cache-Control), so the handover list may be a minute old: it only decides a notice, the server
// decides the kind of request when the scheda is sent.

/** The JSON's shape, as the browser reads it. */
export type ComunePickerList = { provinces: PickerProvince[]; handover: string[] };

const kept = keptWhileUnchanged<Payload>();

export function comunePickerPayload(db: Db): Payload {
  return kept(db, () =>
    buildPayload(`{"provinces":${pickerProvincesJson(db)},"handover":${JSON.stringify(listMunicipalitiesWithActiveReferent(db))}}`),
  );
}
