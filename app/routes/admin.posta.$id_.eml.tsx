import fs from "node:fs/promises";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOutboxEmail } from "~/models/outbox.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { findLocalEmlFile } from "~/utils/mailer.server";

// In the local default (no SMTP_URL) each sent email is an .eml file; this serves it for download.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const email = getOutboxEmail(getDb(), { id: Number(params.id) });
  const file = email ? await findLocalEmlFile(getEnv().mailDir, email.messageId) : null;
  if (!email || !file) throw new Response("File non trovato", { status: 404 });
  return new Response(await fs.readFile(file), {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="messaggio-${email.id}.eml"`,
      "Cache-Control": "no-store",
    },
  });
}
