// Every page's title ends with the portal's name, after the area it belongs to, so that a tab, a
// bookmark or a screen reader's first words say where the person is (WCAG 2.4.2).

const SITE_NAME = "Coordinamento SAI";

/** «Pagina - Coordinamento SAI»; parts are joined from the most specific to the most general. */
export const pageTitle = (...parts: string[]) => [...parts, SITE_NAME].join(" - ");

/** «Pagina - Area coordinatori - Coordinamento SAI». */
export const coordinatorPageTitle = (...parts: string[]) => pageTitle(...parts, "Area coordinatori");

/** «Pagina - Area referente - Coordinamento SAI». */
export const referentPageTitle = (...parts: string[]) => pageTitle(...parts, "Area referente");

export type PortalArea = "coordinatori" | "referente";

/** The area a page belongs to once signed in; the sign-in pages themselves belong to none. */
export function areaOfPath(pathname: string): PortalArea | undefined {
  if (/^\/admin(\/|$)/.test(pathname)) return "coordinatori";
  if (/^\/area-referente(\/|$)/.test(pathname) && !/^\/area-referente\/accedi(\/|$)/.test(pathname)) return "referente";
  return undefined;
}

/** The title of a page of `area` (or of none): error pages, which know their area only by their address. */
export function areaPageTitle(area: PortalArea | undefined, ...parts: string[]) {
  if (area === "coordinatori") return coordinatorPageTitle(...parts);
  if (area === "referente") return referentPageTitle(...parts);
  return pageTitle(...parts);
}
