import type { ServerBuild } from "@remix-run/node";
import { isMalformedFormError, MALFORMED_FORM_MESSAGE } from "./form-data";
import { BODY_TOO_LARGE_MESSAGE, FORM_BODY_LIMIT_BYTES, UPLOAD_BODY_LIMIT_BYTES } from "./body-limits";

class BodyTooLargeError extends Error {}

const tooLarge = () => new Response(BODY_TOO_LARGE_MESSAGE, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/**
 * The request with a body of at most `limit` bytes: refused when it declares more (its bytes are
 * thrown away, never kept), cut off while it is read when it declares nothing (chunked).
 */
async function boundedRequest(request: Request, limit: number): Promise<Request> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null) {
    if (Number(declared) > limit) {
      await discardBody(request);
      throw tooLarge();
    }
    return request;
  }
  if (!request.body) return request;
  let received = 0;
  const body = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limit) controller.error(new BodyTooLargeError());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request, { body, duplex: "half" } as RequestInit);
}

/**
 * Reads what the browser is still sending and throws it away, chunk by chunk, so that it shows the
 * answer (a browser whose upload is cut off shows a connection error instead); beyond
 * UPLOAD_BODY_LIMIT_BYTES the connection is cut.
 */
async function discardBody(request: Request) {
  if (!request.body) return;
  let seen = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > UPLOAD_BODY_LIMIT_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to answer
  }
}

const isTooLarge = (error: unknown) => error instanceof BodyTooLargeError || (error instanceof Error && error.cause instanceof BodyTooLargeError);

/**
 * Every action reads the request body as a form. A body that is not one (JSON, plain text, a
 * truncated or crafted multipart body) makes that read throw, which Remix would answer with a 500:
 * the fault is the client's, so the answer is a 400 with the usual error page; a body beyond the
 * route's bound (body-limits.ts) is a 413. Applied once to the server build (server.js), so no route has to remember it.
 */
export function guardFormBodies(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    const action = route.module.action;
    const limit = (route.module.handle as { maxBodyBytes?: number } | undefined)?.maxBodyBytes ?? FORM_BODY_LIMIT_BYTES;
    routes[id] = !action
      ? route
      : {
          ...route,
          module: {
            ...route.module,
            action: async (args) => {
              try {
                return await action({ ...args, request: await boundedRequest(args.request, limit) });
              } catch (error) {
                if (isTooLarge(error)) throw tooLarge();
                if (!isMalformedFormError(error)) throw error;
                throw new Response(MALFORMED_FORM_MESSAGE, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
              }
            },
          },
        };
  }
  return { ...build, routes };
}
