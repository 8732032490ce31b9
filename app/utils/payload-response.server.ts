import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

/** A public response body built once and served many times: its text, gzipped copy and ETag. */
export type Payload = { body: string; gzip: Buffer; etag: string };

export function buildPayload(body: string): Payload {
  return { body, gzip: gzipSync(body), etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

/** 304 when the client already has this version (If-None-Match), gzipped when it accepts gzip. */
export function payloadResponse(request: Request, payload: Payload, headers: Record<string, string>) {
  const all = { ...headers, ETag: payload.etag, Vary: "Accept-Encoding" };
  if (request.headers.get("If-None-Match") === payload.etag) return new Response(null, { status: 304, headers: all });
  if (/\bgzip\b/.test(request.headers.get("Accept-Encoding") ?? "")) {
    return new Response(new Uint8Array(payload.gzip), { headers: { ...all, "Content-Encoding": "gzip" } });
  }
  return new Response(payload.body, { headers: all });
}
