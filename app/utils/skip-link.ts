// The skip link (WCAG 2.4.1) leads past every block repeated from page to page. Inside an area
// (coordinators, referente) that includes the area's tabs and who is signed in, so the pages of an
// area say, through their route handle, that the skip link goes to the page's own content.

export const MAIN_CONTENT_ID = "contenuto";
export const PAGE_CONTENT_ID = "contenuto-pagina";

export type SkipLinkHandle = { skipTo?: string };

/** The handle of a page drawn inside an area's frame. */
export const areaPageHandle: SkipLinkHandle = { skipTo: PAGE_CONTENT_ID };

/** Where the skip link goes: the deepest page's choice, else the main landmark. */
export function skipLinkTarget(matches: readonly { handle?: unknown }[]) {
  for (let i = matches.length - 1; i >= 0; i--) {
    const handle = matches[i].handle as SkipLinkHandle | undefined;
    if (handle?.skipTo) return handle.skipTo;
  }
  return MAIN_CONTENT_ID;
}
