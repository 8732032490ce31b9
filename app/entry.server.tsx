import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { ComuniOptionsContext } from "./components/comune-picker";
import { comuniOptionsHtml } from "./models/territory.server";
import { getDb } from "./utils/db.server";
import { NonceProvider } from "./utils/nonce";

/** The comune <select> of the scheda referente, rendered from HTML built once (server only). */
const comuniOptions = (selected: string) => comuniOptionsHtml(getDb(), { selected });

export { bootPortal } from "./utils/boot.server";
export { guardFormBodies } from "./utils/form-body.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    let allReady = false;
    let abortTimer: NodeJS.Timeout | undefined;
    const start = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html; charset=utf-8");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <ComuniOptionsContext.Provider value={comuniOptions}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </ComuniOptionsContext.Provider>
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          if (!waitForAll) start();
        },
        onAllReady() {
          // Rendered: the abort timer would only keep the finished render in memory for 5 s
          // (hundreds of pages under load: issue 7).
          allReady = true;
          clearTimeout(abortTimer);
          if (waitForAll) start();
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    if (!allReady) abortTimer = setTimeout(abort, ABORT_DELAY);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  console.error(error);
}
