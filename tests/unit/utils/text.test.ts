import { describe, expect, it } from "vitest";
import { forBody, ofBody } from "~/utils/text";

describe("ofBody", () => {
  it.each([
    ["Comune di Cefalù", "del Comune di Cefalù"],
    ["Unione dei Comuni delle Madonie", "dell'Unione dei Comuni delle Madonie"],
    ["Città Metropolitana di Catania", "della Città Metropolitana di Catania"],
    ["Libero Consorzio comunale di Ragusa", "del Libero Consorzio comunale di Ragusa"],
    // The acronyms of health and welfare bodies, as Italians read them: "dell'ASP".
    ["ASP Palermo", "dell'ASP Palermo"],
    ["IPAB Opera Pia", "dell'IPAB Opera Pia"],
    ["Cooperativa Sociale Esempio", "della Cooperativa Sociale Esempio"],
    ["Fondazione Auxilium", "della Fondazione Auxilium"],
    // An unknown first word takes no article.
    ["Caritas diocesana", "di Caritas diocesana"],
    // A first word that only starts like a known one is not taken for it.
    ["Comunità Alloggio Il Faro", "di Comunità Alloggio Il Faro"],
  ])("%s → %s", (name, expected) => {
    expect(ofBody(name)).toBe(expected);
  });
});

describe("forBody", () => {
  it.each([
    ["Comune di Cefalù", "per il Comune di Cefalù"],
    ["Unione dei Comuni delle Madonie", "per l'Unione dei Comuni delle Madonie"],
    ["Città Metropolitana di Catania", "per la Città Metropolitana di Catania"],
    ["ASP Palermo", "per l'ASP Palermo"],
    ["Caritas diocesana", "per Caritas diocesana"],
  ])("%s → %s", (name, expected) => {
    expect(forBody(name)).toBe(expected);
  });
});
