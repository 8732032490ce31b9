import type { LoaderFunctionArgs } from "@remix-run/node";
import { comunePickerPayload } from "~/models/comune-picker.server";
import { getDb } from "~/utils/db.server";
import { payloadResponse } from "~/utils/payload-response.server";

// GET /adesione/comuni.json: every comune by province and those with an active referente, for the
// comune combobox of the scheda referente, which loads it once hydrated (the page itself carries
// no list in its JavaScript). Public data; gzipped when the client accepts it; revalidated by ETag.
export function loader({ request }: LoaderFunctionArgs) {
  return payloadResponse(request, comunePickerPayload(getDb()), {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "public, max-age=60",
  });
}
