import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCommunication } from "~/models/communication.server";
import { materialFilePath } from "~/models/material.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { storedFileResponse } from "~/utils/file-download.server";
import { notFoundPage } from "~/utils/standalone-page.server";
import { parseRecordId } from "~/utils/record-id";

// The attachment of a comunicazione, for the coordinators (the referenti received it by email).

const notFound = () =>
  notFoundPage({
    title: "Allegato non trovato",
    message: "La comunicazione non ha un allegato, oppure il file non è più disponibile.",
    back: { href: "/admin/comunicazioni", label: "Torna alle comunicazioni" },
    area: "coordinatori",
  });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const id = parseRecordId(params.id);
  const c = id ? getCommunication(getDb(), { id }) : undefined;
  const file = c ? materialFilePath(getEnv().uploadsDir, c.attachmentStoredName) : null;
  if (!c || !file || !c.attachmentDownloadName || !c.attachmentMimeType) throw notFound();
  const response = storedFileResponse({ file, mimeType: c.attachmentMimeType, downloadName: c.attachmentDownloadName, cacheControl: "private, no-store" });
  if (!response) throw notFound();
  return response;
}
