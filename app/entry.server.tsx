import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { ComuniOptionsContext } from "./components/comune-picker";
import { comuniOptionsHtml } from "./models/territory.server";
import { getDb } from "./utils/db.server";
import { prefixTitleOnErrors } from "./utils/error-title";
import { NonceProvider } from "./utils/nonce";
import { markPrivate } from "./utils/private-pages.server";

/** The comune <select> of the scheda referente, rendered from HTML built once (server only). */
const comuniOptions = (selected: string) => comuniOptionsHtml(getDb(), { selected });

export { bootPortal } from "./utils/boot.server";
export { guardFormBodies } from "./utils/form-body.server";
export { createPublicPageCache, hasPersonalCookie } from "./utils/public-page-cache.server";
export { refusalPageHtml } from "./utils/standalone-page.server";

/**
 * The whole page is rendered at once and sent as one string. No page streams (no defer, Suspense or
 * lazy components), so the streaming renderer only added work: collecting React's many small chunks
 * through Node streams cost a tenth of a document request, and its bookkeeping another tenth
 * (issue 7, docs/performance.md). A render error is thrown to Remix, which renders the error boundary.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  const html = renderToString(
    <NonceProvider value={nonce}>
      <ComuniOptionsContext.Provider value={comuniOptions}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </ComuniOptionsContext.Provider>
    </NonceProvider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  markPrivate(request, responseHeaders);
  return new Response(`<!DOCTYPE html>${prefixTitleOnErrors(html, request)}`, { headers: responseHeaders, status: responseStatusCode });
}

/** The data of client-side navigations: the same rule as the pages. */
export function handleDataRequest(response: Response, { request }: { request: Request }) {
  markPrivate(request, response.headers);
  return response;
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  console.error(error);
}
