import { describe, expect, it } from "vitest";
import { areaOfPath, areaPageTitle } from "~/utils/page-title";

describe("page titles", () => {
  it("name the area of the page, then the portal; the sign-in pages belong to no area", () => {
    expect(areaPageTitle(areaOfPath("/admin/tavoli/999"), "Pagina non trovata")).toBe("Pagina non trovata - Area coordinatori - Coordinamento SAI");
    expect(areaPageTitle(areaOfPath("/admin"), "Panoramica")).toBe("Panoramica - Area coordinatori - Coordinamento SAI");
    expect(areaPageTitle(areaOfPath("/area-referente/progetti/9"), "Pagina non trovata")).toBe("Pagina non trovata - Area referente - Coordinamento SAI");
    expect(areaPageTitle(areaOfPath("/area-referente/accedi/codice"), "Accesso all'area referente")).toBe("Accesso all'area referente - Coordinamento SAI");
    expect(areaPageTitle(areaOfPath("/administration"), "Pagina non trovata")).toBe("Pagina non trovata - Coordinamento SAI");
    expect(areaPageTitle(areaOfPath("/tavoli-tecnici/3"), "Pagina non trovata")).toBe("Pagina non trovata - Coordinamento SAI");
  });
});
