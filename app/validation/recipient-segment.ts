import { z } from "zod";
import { SAI_CATEGORIES, type SaiCategory } from "#db/enums";

// The segment of active referenti an invitation or a comunicazione goes to: provinces and SAI
// tipologie, as repeated `provincia` and `tipologia` fields (checkboxes). None chosen means all.

export const segmentFields = {
  provincia: z.array(z.string().regex(/^\d{3}$/, "Provincia non valida")).max(200).default([]),
  tipologia: z.array(z.enum(SAI_CATEGORIES, { errorMap: () => ({ message: "Tipologia non valida" }) })).max(10).default([]),
};

/** The repeated fields of a query string or a posted form, as strings. */
export function segmentInput(source: URLSearchParams | FormData) {
  const all = (name: string) => source.getAll(name).filter((v): v is string => typeof v === "string");
  return { provincia: all("provincia"), tipologia: all("tipologia") };
}

export const toSegment = (form: { provincia: string[]; tipologia: string[] }) => ({
  provinceCodes: form.provincia,
  categories: form.tipologia as SaiCategory[],
});
