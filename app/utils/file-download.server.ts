import fs from "node:fs";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { contentDisposition } from "~/models/material.server";

/**
 * A stored upload as a download: its recorded type, a safe file name, and a sandbox so that a
 * browser never runs it as a page. Null when the file is not on disk.
 */
export function storedFileResponse({ file, mimeType, downloadName, cacheControl }: { file: string; mimeType: string; downloadName: string; cacheControl: string }) {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return null;
  }
  return new Response(createReadableStreamFromReadable(fs.createReadStream(file)), {
    headers: {
      "Content-Type": mimeType,
      "Content-Length": String(size),
      "Content-Disposition": contentDisposition(downloadName),
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": cacheControl,
    },
  });
}
