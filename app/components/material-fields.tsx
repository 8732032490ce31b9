import type { UseFormRegisterReturn } from "react-hook-form";
import { SelectField, TextField } from "~/components/form-fields";
import {
  MATERIAL_KIND_LABELS,
  MATERIAL_VISIBILITY_LABELS,
  type MaterialDetailsFormValues,
  type MaterialKind,
} from "~/validation/material";

// The details of a material of a Tavolo tecnico, in the same words wherever they are asked: uploading
// a file, adding a link, correcting a material already published.

const VISIBILITY_OPTIONS = (["public", "members"] as const).map((value) => ({ value, label: MATERIAL_VISIBILITY_LABELS[value] }));

export function MaterialDetailsFields({
  prefix,
  kinds,
  initial,
  register,
  errorFor,
}: {
  /** Before each field's name: "upload." and "link." on the page with both forms, "" on a form of its own. */
  prefix: string;
  /** The kinds offered: those of a file or those of a link. */
  kinds: readonly MaterialKind[];
  initial: MaterialDetailsFormValues;
  register: (name: string) => UseFormRegisterReturn;
  errorFor: (name: string) => string | undefined;
}) {
  const field = (name: keyof MaterialDetailsFormValues) => ({
    defaultValue: initial[name],
    error: errorFor(`${prefix}${name}`),
    ...register(`${prefix}${name}`),
  });
  return (
    <>
      <SelectField label="Tipo di materiale" options={kinds.map((value) => ({ value, label: MATERIAL_KIND_LABELS[value] }))} {...field("kind")} />
      <TextField label="Titolo" {...field("title")} />
      <TextField label="A cura di (facoltativo)" hint="Chi ha preparato il materiale, ad esempio: A. Trebeschi" {...field("curatedBy")} />
      <SelectField label="Visibilità" options={VISIBILITY_OPTIONS} {...field("visibility")} />
    </>
  );
}
