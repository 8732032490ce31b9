import { useLocation } from "@remix-run/react";

/**
 * The action of a form in an index route whose path no layout route shares (`/adesione`,
 * `/area-referente/accedi`, `/admin/importa`): Remix's default adds `?index`, which a post without
 * JavaScript leaves in the address bar, although the bare path already reaches the same action
 * (the deepest route with a path of its own). The query of the page is kept, as the default does.
 */
export function useIndexFormAction() {
  const { pathname, search } = useLocation();
  const query = new URLSearchParams(search);
  query.delete("index");
  const rest = query.toString();
  return rest ? `${pathname}?${rest}` : pathname;
}
