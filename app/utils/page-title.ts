// Every page's title ends with the portal's name, after the area it belongs to, so that a tab, a
// bookmark or a screen reader's first words say where the person is (WCAG 2.4.2).

const SITE_NAME = "Coordinamento SAI";

/** «Pagina - Coordinamento SAI»; parts are joined from the most specific to the most general. */
export const pageTitle = (...parts: string[]) => [...parts, SITE_NAME].join(" - ");

/** «Pagina - Area coordinatori - Coordinamento SAI». */
export const coordinatorPageTitle = (...parts: string[]) => pageTitle(...parts, "Area coordinatori");

/** «Pagina - Area referente - Coordinamento SAI». */
export const referentPageTitle = (...parts: string[]) => pageTitle(...parts, "Area referente");
