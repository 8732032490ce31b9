import type { ServerBuild } from "@remix-run/node";
import { isMalformedFormError, MALFORMED_FORM_MESSAGE } from "./form-data";

/**
 * Every action reads the request body as a form. A body that is not one (JSON, plain text, a
 * truncated or crafted multipart body) makes that read throw, which Remix would answer with a 500:
 * the fault is the client's, so the answer is a 400 with the usual error page. Applied once to the
 * server build (server.js), so no route has to remember it.
 */
export function guardFormBodies(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    const action = route.module.action;
    routes[id] = !action
      ? route
      : {
          ...route,
          module: {
            ...route.module,
            action: async (args) => {
              try {
                return await action(args);
              } catch (error) {
                if (!isMalformedFormError(error)) throw error;
                throw new Response(MALFORMED_FORM_MESSAGE, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
              }
            },
          },
        };
  }
  return { ...build, routes };
}
