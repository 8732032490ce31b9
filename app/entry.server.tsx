import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { ComuniOptionsContext } from "./components/comune-picker";
import { comuniOptionsHtml } from "./models/territory.server";
import { getDb } from "./utils/db.server";
import { NonceProvider } from "./utils/nonce";

/** The comune <select> of the scheda referente, rendered from HTML built once (server only). */
const comuniOptions = (selected: string) => comuniOptionsHtml(getDb(), { selected });

export { bootPortal } from "./utils/boot.server";
export { guardFormBodies } from "./utils/form-body.server";
export { createPublicPageCache, hasPersonalCookie } from "./utils/public-page-cache.server";

const ABORT_DELAY = 5_000;

/**
 * The whole page is rendered before the response starts, and sent as one buffer. No page streams
 * (no defer or Suspense), and passing React's many small chunks through Node and web streams cost
 * a tenth of a document request under load (issue 7, docs/performance.md).
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const chunks: Buffer[] = [];
    const collector = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <ComuniOptionsContext.Provider value={comuniOptions}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </ComuniOptionsContext.Provider>
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          clearTimeout(abortTimer);
          pipe(collector);
        },
        onShellError(error: unknown) {
          clearTimeout(abortTimer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // An error in the shell is rejected above and reported by Remix.
          if (shellRendered) console.error(error);
        },
      },
    );
    const abortTimer = setTimeout(abort, ABORT_DELAY);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  console.error(error);
}
