// Pages with one person's data (the coordinators' area, the referent area, an invitation answered
// by its link) must not be kept by the browser or a proxy: on a shared office computer the Back
// button after "Esci" would show them again from the cache. Downloads set their own header.

const PRIVATE_PATHS = [/^\/admin(\/|$)/, /^\/area-referente(\/|$)/, /^\/invito\//, /^\/subentro\//];

export const PRIVATE_CACHE_CONTROL = "private, no-store";

export function isPrivatePath(pathname: string) {
  return PRIVATE_PATHS.some((p) => p.test(pathname));
}

/** Sets `Cache-Control: private, no-store` on the answer to a private page, unless the route chose one. */
export function markPrivate(request: Request, headers: Headers) {
  if (!headers.has("Cache-Control") && isPrivatePath(new URL(request.url).pathname)) headers.set("Cache-Control", PRIVATE_CACHE_CONTROL);
}
