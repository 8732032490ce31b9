// How a request arrived and whether its email was confirmed, as its page (/admin/adesioni/:id) and
// its scheda PDF both say it: an adesione imported from a file names the file and its row, and one
// imported already approved was never asked to confirm its email. Each caller formats its dates.

type Arrival = {
  importedFrom: { fileName: string; sheet?: string; line: number } | null;
  status: string;
  /** When it was sent or imported, formatted. */
  createdAt: string;
  /** When its email was confirmed, formatted; null if never. */
  confirmedAt: string | null;
};

/** The label and value of the request's arrival, then of its email's confirmation. */
export function arrivalFacts({ importedFrom, status, createdAt, confirmedAt }: Arrival): [string, string][] {
  return [
    importedFrom ? ["Importata il", `${createdAt}, dal file «${importedFrom.fileName}» (${importedFrom.sheet ? `foglio «${importedFrom.sheet}», ` : ""}riga ${importedFrom.line})`] : ["Inviata il", createdAt],
    [
      "Email confermata il",
      confirmedAt ?? (importedFrom && status === "approved" ? "Non richiesta: importata già approvata" : "Non ancora confermata"),
    ],
  ];
}
