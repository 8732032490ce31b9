import type { LoaderFunctionArgs } from "@remix-run/node";
import { comunePickerPayload } from "~/models/comune-picker.server";
import { getDb } from "~/utils/db.server";

// GET /adesione/comuni.json: every comune by province and those with an active referente, for the
// comune combobox of the scheda referente, which loads it once hydrated (the page itself carries
// no list in its JavaScript). Public data; gzipped when the client accepts it; revalidated by ETag.
export function loader({ request }: LoaderFunctionArgs) {
  const payload = comunePickerPayload(getDb());
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "public, max-age=60",
    ETag: payload.etag,
    Vary: "Accept-Encoding",
  };
  if (request.headers.get("If-None-Match") === payload.etag) return new Response(null, { status: 304, headers });
  if (/\bgzip\b/.test(request.headers.get("Accept-Encoding") ?? "")) {
    return new Response(new Uint8Array(payload.gzip), { headers: { ...headers, "Content-Encoding": "gzip" } });
  }
  return new Response(payload.json, { headers });
}
