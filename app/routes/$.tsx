import type { LoaderFunctionArgs } from "@remix-run/node";

// Every address no other route matches. Its loader answers 404, drawn by the root's error boundary
// with the root's data like any other page: without this route a 404 under a layout (/admin/…) was
// drawn differently on the server and in the browser (a hydration error).
export function loader(_: LoaderFunctionArgs): never {
  throw new Response("Pagina non trovata", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export default function NotFound() {
  return null;
}
