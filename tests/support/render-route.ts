import { createElement, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { loadContext } from "./requests";

type RouteFunction = (args: { request: Request; params: Record<string, string | undefined>; context: ReturnType<typeof loadContext> }) => unknown;
type MetaArgs = { data: unknown; params: Record<string, string | undefined>; location: unknown; matches: unknown[]; error?: unknown };
// `never`: any route's own MetaFunction type fits; titleOf calls it with what Remix gives.
type RouteModule = { default: ComponentType; loader: RouteFunction; action?: RouteFunction; meta?: (args: never) => unknown };

/** The title the route's meta gives for its loader data (undefined when the loader threw, as in Remix). */
function titleOf(route: RouteModule, request: Request, data: unknown, params: Record<string, string | undefined>, error?: unknown) {
  const location = { pathname: new URL(request.url).pathname, search: new URL(request.url).search, hash: "", state: null, key: "default" };
  const meta = route.meta as ((args: MetaArgs) => { title?: string }[]) | undefined;
  return meta?.({ data, params, location, matches: [], error }).find((m) => "title" in m)?.title;
}

/**
 * Runs a route's loader for a real Request and server-renders its component with the data, the way
 * Remix does on a first visit (without the root layout). A POST runs the action first, and the page
 * renders with its data, as for a form sent without JavaScript. Returns the HTML of the page and
 * the title its meta gives, or the Response when the loader or action redirected.
 */
export async function renderRoute(route: RouteModule, request: Request, path = new URL(request.url).pathname) {
  const { action } = route;
  const handler = createStaticHandler([
    {
      id: "page",
      path,
      loader: ({ request: r, params }) => route.loader({ request: r, params, context: loadContext() }) as Promise<unknown>,
      action: action ? ({ request: r, params }) => action({ request: r, params, context: loadContext() }) as Promise<unknown> : undefined,
      Component: route.default,
    },
  ]);
  const context = await handler.query(request);
  if (context instanceof Response) return { status: context.status, response: context, html: "", title: undefined };
  const params = context.matches[0]?.params ?? {};
  if (context.errors) {
    const error = Object.values(context.errors)[0] as { status?: number };
    return { status: error?.status ?? 500, response: undefined, html: "", title: titleOf(route, request, undefined, params, error) };
  }
  const router = createStaticRouter(handler.dataRoutes, context);
  // React's text separators (<!-- -->) only split adjacent strings; without them the HTML reads as a browser shows it.
  const html = renderToString(
    createElement(AuthenticityTokenProvider, {
      token: "csrf-di-prova",
      children: createElement(StaticRouterProvider, { router, context, hydrate: false }),
    }),
  ).replaceAll("<!-- -->", "");
  return { status: context.statusCode, response: undefined, html, title: titleOf(route, request, context.loaderData.page, params) };
}
