// How a request arrived and whether its email was confirmed, as its page (/admin/adesioni/:id) and
// its scheda PDF both say it: an adesione imported from a file names the file and its row, and one
// imported already approved was never asked to confirm its email. Each caller formats its dates.

export type ImportSource = { fileName: string; sheet?: string; line: number };

type Arrival = {
  importedFrom: ImportSource | null;
  status: string;
  /** When it was sent or imported, formatted. */
  createdAt: string;
  /** When its email was confirmed, formatted; null if never. */
  confirmedAt: string | null;
};

/** «aderenti.xlsx» (foglio «Comuni», riga 12): where in an imported file a row was. */
export const importSourceText = ({ fileName, sheet, line }: ImportSource) =>
  `«${fileName}» (${sheet ? `foglio «${sheet}», ` : ""}riga ${line})`;

/** The file, sheet and row an import recorded (in a request's submission or an audit entry's details). */
export function readImportSource(value: unknown): ImportSource | null {
  if (!value || typeof value !== "object") return null;
  const { fileName, sheet, line } = value as { fileName?: unknown; sheet?: unknown; line?: unknown };
  if (typeof fileName !== "string" || typeof line !== "number") return null;
  return typeof sheet === "string" && sheet ? { fileName, sheet, line } : { fileName, line };
}

/** The label and value of the request's arrival, then of its email's confirmation. */
export function arrivalFacts({ importedFrom, status, createdAt, confirmedAt }: Arrival): [string, string][] {
  return [
    importedFrom ? ["Importata il", `${createdAt}, dal file ${importSourceText(importedFrom)}`] : ["Inviata il", createdAt],
    [
      "Email confermata il",
      confirmedAt ?? (importedFrom && status === "approved" ? "Non richiesta: importata già approvata" : "Non ancora confermata"),
    ],
  ];
}
