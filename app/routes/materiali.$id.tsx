import fs from "node:fs";
import { createReadableStreamFromReadable, redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { canDownloadMaterial, contentDisposition, getMaterialForDownload, materialFilePath } from "~/models/material.server";
import { getCoordinator } from "~/utils/auth.server";
import { getReferent } from "~/utils/referent-auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";

// Downloads of the materials of the Tavoli tecnici. Anything a visitor may not see answers 404,
// exactly like a material that does not exist.

const notFound = () =>
  new Response("Materiale non trovato", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = params.id && /^\d{1,9}$/.test(params.id) ? Number(params.id) : null;
  const material = id ? getMaterialForDownload(getDb(), { id }) : null;
  if (!material) throw notFound();
  const [coordinator, signedInReferent] = await Promise.all([getCoordinator(request), getReferent(request)]);
  const referent = signedInReferent ? { id: signedInReferent.referentId, active: signedInReferent.status === "active" } : null;
  if (!canDownloadMaterial({ material, coordinator, referent })) throw notFound();
  if (material.url) throw redirect(material.url);
  const file = materialFilePath(getEnv().uploadsDir, material.storedFileName);
  if (!file || !material.mimeType || !material.downloadName) throw notFound();
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw notFound();
  }
  return new Response(createReadableStreamFromReadable(fs.createReadStream(file)), {
    headers: {
      "Content-Type": material.mimeType,
      "Content-Length": String(size),
      "Content-Disposition": contentDisposition(material.downloadName),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": material.visibility === "public" && material.roundTableStatus !== "draft" ? "public, max-age=300" : "private, no-store",
    },
  });
}
