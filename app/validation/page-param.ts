import { z } from "zod";

/** `?pagina=N` of a list shown a page at a time; anything malformed means the first page. */
export const pagina = z.coerce.number().int().min(1).max(100_000).catch(1).default(1);

export const pageParamSchema = z.object({ pagina });

export function pageParam(searchParams: URLSearchParams) {
  return pageParamSchema.parse({ pagina: searchParams.get("pagina") ?? undefined }).pagina;
}

/** The address of page `page` of a list at `pathname`, the first page without the parameter. */
export function pageHref(pathname: string, page: number, fragment = "") {
  return `${pathname}${page > 1 ? `?pagina=${page}` : ""}${fragment}`;
}
