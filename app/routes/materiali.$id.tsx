import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { ErrorPage } from "~/components/error-page";
import { canDownloadMaterial, getMaterialForDownload, materialFilePath } from "~/models/material.server";
import { getCoordinator } from "~/utils/auth.server";
import { getSignedInReferent, REFERENT_SIGN_IN_PATH } from "~/utils/referent-auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { storedFileResponse } from "~/utils/file-download.server";
import { signInPathFor } from "~/utils/safe-redirect.server";
import { standalonePage } from "~/utils/standalone-page.server";
import { parseRecordId } from "~/utils/record-id";

// Downloads of the materials of the Tavoli tecnici. Anything a visitor may not see answers 404,
// exactly like a material that does not exist.

/**
 * The same page for every reason, so it says nothing of whether a reserved material exists. Someone
 * signed in nowhere is offered the referent sign-in, which brings them to this material's Tavolo
 * tecnico with a link to download it (redirectAfterSignIn).
 */
function materialNotFound(request: Request, { signedIn }: { signedIn: boolean }) {
  return standalonePage({
    status: 404,
    title: "Materiale non trovato",
    children: (
      <ErrorPage
        title="Materiale non trovato"
        message="Il materiale non esiste, è stato rimosso oppure è riservato ai referenti degli enti aderenti."
      >
        {signedIn ? null : (
          <p>
            Se il materiale è riservato agli enti aderenti e sei un referente,{" "}
            <a href={signInPathFor(REFERENT_SIGN_IN_PATH, request)}>accedi all'area referente</a>: dopo l'accesso potrai scaricarlo.
          </p>
        )}
        <p>
          <a href="/tavoli-tecnici">Vai ai Tavoli tecnici</a>
        </p>
      </ErrorPage>
    ),
  });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const [coordinator, signedIn] = await Promise.all([getCoordinator(request), getSignedInReferent(request)]);
  const notFound = () => materialNotFound(request, { signedIn: !!coordinator || !!signedIn });
  const id = parseRecordId(params.id);
  const material = id ? getMaterialForDownload(getDb(), { id }) : null;
  if (!material) throw notFound();
  // A former referente is signed in for their own data only.
  const referent = signedIn && signedIn.status !== "former" ? { id: signedIn.referentId, active: signedIn.status === "active" } : null;
  if (!canDownloadMaterial({ material, coordinator, referent })) throw notFound();
  if (material.url) throw redirect(material.url);
  const file = materialFilePath(getEnv().uploadsDir, material.storedFileName);
  if (!file || !material.mimeType || !material.downloadName) throw notFound();
  const response = storedFileResponse({
    file,
    mimeType: material.mimeType,
    downloadName: material.downloadName,
    // A public file may be kept by a cache that asks again before each use: a material made
    // reserved (or deleted) is not served on from a proxy's copy, as "max-age" would for minutes.
    cacheControl: material.visibility === "public" && material.roundTableStatus !== "draft" ? "public, no-cache" : "private, no-store",
  });
  if (!response) throw notFound();
  return response;
}
