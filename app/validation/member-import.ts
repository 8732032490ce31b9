import { z } from "zod";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS } from "./labels";

// The import of the member list (/admin/importa): the columns of the template, shared by the
// template, the parser, the page's instructions and the error report, and the two forms' schemas.
//
// Layout: ONE ROW PER ENTE. The ente, its PEC and codice fiscale and the referente fill the first
// columns; the SAI projects follow in repeated groups of columns, "Progetto 1 - Tipologia" …
// "Progetto 1 - Data di fine", then "Progetto 2 - …". The template has TEMPLATE_PROJECT_GROUPS
// groups; more can be added by copying the headers with the next number (up to MAX_PROJECT_GROUPS).
// A row whose project columns are all empty is an ente without active projects.

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_MEGABYTES = MAX_IMPORT_BYTES / (1024 * 1024);
export const MAX_IMPORT_ROWS = 20_000;
export const TEMPLATE_PROJECT_GROUPS = 5;
export const MAX_PROJECT_GROUPS = 20;

export type BaseColumnKey =
  | "bodyKind"
  | "municipality"
  | "bodyName"
  | "province"
  | "pec"
  | "fiscalCode"
  | "firstName"
  | "lastName"
  | "role"
  | "office"
  | "email"
  | "phone"
  | "mobile";

export type ProjectFieldKey = "category" | "fundedPlaces" | "projectCode" | "managingOrganization" | "startDate" | "endDate";

/** A column of the file: a base column, or "p<N>.<field>" for a field of project N (1-based). */
export type ImportColumnKey = BaseColumnKey | `p${number}.${ProjectFieldKey}`;

export type ColumnDoc = { header: string; required: string; description: string; example: string };

type BaseColumn = { key: BaseColumnKey; header: string; required: string; description: string; example: string; aliases: string[] };

const kinds = Object.values(MEMBER_BODY_KIND_LABELS).join(", ");
const roles = Object.values(REFERENT_ROLE_LABELS).join(", ");

export const BASE_COLUMNS: BaseColumn[] = [
  {
    key: "bodyKind",
    header: "Tipo di ente",
    required:
      "Sì (se vuota: Comune, quando c'è il Comune o la denominazione è «Comune di …»; altrimenti il tipo con cui inizia la denominazione, ad esempio «Unione dei Comuni …»)",
    description: `Uno di: ${kinds}.`,
    example: "Comune",
    aliases: ["tipo ente", "tipologia ente", "tipo"],
  },
  {
    key: "municipality",
    header: "Comune (codice ISTAT o nome)",
    required: "Sì, per i Comuni",
    description:
      "Il codice ISTAT a 6 cifre (ad esempio 082027) oppure il nome del Comune: maiuscole, accenti, apostrofi e spazi non contano. Per i nomi presenti in più province aggiungi la sigla tra parentesi, ad esempio «Castro (LE)».",
    example: "Sant'Agata di Militello",
    aliases: ["comune", "codice istat", "istat", "comune o codice istat", "codice istat comune", "comune codice istat"],
  },
  {
    key: "bodyName",
    header: "Denominazione ente",
    required: "Sì, per gli enti diversi da un Comune",
    description: "Il nome dell'Unione di Comuni, del Libero Consorzio, della Città Metropolitana o dell'altro ente. Per i Comuni lasciala vuota.",
    example: "Unione dei Comuni delle Madonie",
    aliases: ["denominazione", "ente", "nome ente", "denominazione dell ente"],
  },
  {
    key: "province",
    header: "Provincia (sigla o nome)",
    required: "Sì, per gli enti diversi da un Comune",
    description:
      "La provincia in cui ha sede l'ente: la sigla (ad esempio PA) o il nome. Per i Comuni si può lasciare vuota: vale la provincia del Comune.",
    example: "PA",
    aliases: ["provincia", "sigla provincia", "provincia sigla", "prov", "sigla"],
  },
  {
    key: "pec",
    header: "PEC dell'ente",
    required: "Sì",
    description: "L'indirizzo di posta elettronica certificata dell'ente.",
    example: "protocollo@pec.comune.esempio.it",
    aliases: ["pec", "pec ente", "indirizzo pec"],
  },
  {
    key: "fiscalCode",
    header: "Codice fiscale dell'ente",
    required: "Sì",
    description: "11 cifre. Se Excel ha tolto gli zeri iniziali vengono rimessi automaticamente; l'ultima cifra è di controllo.",
    example: "00123456782",
    aliases: ["codice fiscale", "codice fiscale ente", "cf", "c f", "cf ente"],
  },
  { key: "firstName", header: "Nome", required: "Sì", description: "Il nome del referente.", example: "Maria", aliases: ["nome referente"] },
  { key: "lastName", header: "Cognome", required: "Sì", description: "Il cognome del referente.", example: "Lo Presti", aliases: ["cognome referente"] },
  { key: "role", header: "Ruolo", required: "Sì", description: `Uno di: ${roles}.`, example: "Dirigente", aliases: ["ruolo referente", "qualifica"] },
  {
    key: "office",
    header: "Ufficio o settore",
    required: "Sì",
    description: "L'ufficio o il settore del referente.",
    example: "Settore Servizi Sociali",
    aliases: ["ufficio", "settore", "ufficio settore"],
  },
  {
    key: "email",
    header: "Email",
    required: "Sì",
    description: "L'indirizzo email del referente: è la chiave che riconosce il referente in un'importazione successiva.",
    example: "maria.lopresti@comune.esempio.it",
    aliases: ["e mail", "email referente", "indirizzo email", "mail"],
  },
  {
    key: "phone",
    header: "Telefono",
    required: "Sì",
    description: "Un numero italiano, fisso o mobile, con o senza +39 (se Excel ha tolto lo 0 iniziale viene rimesso).",
    example: "091 1234567",
    aliases: ["tel", "telefono referente", "telefono fisso"],
  },
  {
    key: "mobile",
    header: "Cellulare",
    required: "No",
    description: "Il cellulare del referente.",
    example: "333 1234567",
    aliases: ["cell", "cellulare facoltativo", "cellulare referente"],
  },
];

type ProjectField = { key: ProjectFieldKey; label: string; required: string; description: string; example: string; aliases: string[] };

export const PROJECT_FIELDS: ProjectField[] = [
  {
    key: "category",
    label: "Tipologia",
    required: "Sì, se il progetto è compilato",
    description: "ordinari, MSNA oppure DM/DS.",
    example: "ordinari",
    aliases: ["tipologia progetto", "tipo"],
  },
  {
    key: "fundedPlaces",
    label: "Posti finanziati",
    required: "Sì, se il progetto è compilato",
    description: "Un numero intero, almeno 1.",
    example: "25",
    aliases: ["posti", "numero posti"],
  },
  { key: "projectCode", label: "Codice progetto", required: "No", description: "Il codice del progetto, se c'è.", example: "PROG-1776-PR-3", aliases: ["codice"] },
  {
    key: "managingOrganization",
    label: "Ente attuatore",
    required: "Sì, se il progetto è compilato",
    description: "L'ente che gestisce il progetto.",
    example: "Cooperativa Sociale Esempio",
    aliases: ["attuatore", "ente gestore", "gestore"],
  },
  {
    key: "startDate",
    label: "Data di inizio",
    required: "Sì, se il progetto è compilato",
    description: "Una data di Excel oppure un testo gg/mm/aaaa.",
    example: "01/01/2024",
    aliases: ["data inizio", "inizio"],
  },
  {
    key: "endDate",
    label: "Data di fine",
    required: "Sì, se il progetto è compilato",
    description: "Successiva alla data di inizio; una data di Excel oppure un testo gg/mm/aaaa.",
    example: "31/12/2026",
    aliases: ["data fine", "fine"],
  },
];

export const projectHeader = (group: number, label: string) => `Progetto ${group} - ${label}`;
export const projectColumnKey = (group: number, field: ProjectFieldKey) => `p${group}.${field}` as const;

/** Every header of the template, in order: the base columns, then TEMPLATE_PROJECT_GROUPS project groups. */
export function templateColumns(groups = TEMPLATE_PROJECT_GROUPS): { key: ImportColumnKey; header: string }[] {
  const columns: { key: ImportColumnKey; header: string }[] = BASE_COLUMNS.map((c) => ({ key: c.key, header: c.header }));
  for (let g = 1; g <= groups; g++) {
    for (const f of PROJECT_FIELDS) columns.push({ key: projectColumnKey(g, f.key), header: projectHeader(g, f.label) });
  }
  return columns;
}

/** The documentation of the columns, for the template's "Istruzioni" sheet and the page. */
export function columnDocs(): ColumnDoc[] {
  return [
    ...BASE_COLUMNS.map(({ header, required, description, example }) => ({ header, required, description, example })),
    ...PROJECT_FIELDS.map((f) => ({
      header: projectHeader(1, f.label).replace("Progetto 1", "Progetto N"),
      required: f.required,
      description: f.description,
      example: f.example,
    })),
  ];
}

/** The rules of the layout, in the words of the template's instructions and of the page. */
export const LAYOUT_RULES = [
  "Una riga per ente: l'ente, la sua PEC e il codice fiscale, poi il referente.",
  `I progetti SAI dell'ente stanno sulla stessa riga, in gruppi di colonne ripetuti: «Progetto 1 - Tipologia» … «Progetto 1 - Data di fine», poi «Progetto 2 - …» e così via. Il modello ne ha ${TEMPLATE_PROJECT_GROUPS}; se ne servono di più aggiungi le colonne con il numero successivo (fino a ${MAX_PROJECT_GROUPS}).`,
  "Se tutte le colonne dei progetti sono vuote, un ente nuovo risulta senza progetti attivi; un ente già registrato conserva i suoi progetti (l'importazione aggiunge e aggiorna progetti, non li chiude).",
  "La prima riga contiene i nomi delle colonne; l'ordine delle colonne non conta e le colonne non riconosciute vengono ignorate.",
  "In un file Excel si leggono tutti i fogli che hanno la riga con i nomi delle colonne (ad esempio «Comuni» e «Unioni»), tranne le «Istruzioni» del modello; l'anteprima indica il foglio di ogni riga e nomina i fogli non letti.",
  "Per un ente già registrato una cella vuota di una colonna facoltativa (Cellulare, Codice progetto), o una colonna che manca nel file, lascia il dato registrato com'è; un progetto senza codice è lo stesso già registrato se ha la stessa tipologia, lo stesso ente attuatore e la stessa data di inizio, e ne vengono aggiornati la data di fine e i posti.",
  "Le date possono essere date di Excel oppure testi nel formato gg/mm/aaaa.",
  "Il file CSV può essere separato da punto e virgola o da virgola, codificato in UTF-8 o in Windows-1252 (il formato «CSV» di Excel).",
  "Un ente già registrato viene riconosciuto dal codice ISTAT del Comune o dal codice fiscale, il referente dall'email: importare di nuovo lo stesso file non crea doppioni.",
  "Le righe con errori non vengono importate: scaricale dall'anteprima, correggile e caricale di nuovo.",
];

export const IMPORT_STATUSES = ["approved", "pending"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const IMPORT_STATUS_LABELS: Record<ImportStatus, string> = {
  approved: "Approvate",
  pending: "In attesa della conferma dell'email",
};

export const IMPORT_STATUS_HINTS: Record<ImportStatus, string> = {
  approved: "Gli enti diventano subito aderenti e i referenti sono attivi.",
  pending:
    "Ogni referente deve confermare il proprio indirizzo email con il collegamento ricevuto (richiede l'invio delle email ai referenti); poi la richiesta passa all'approvazione dei coordinatori.",
};

export const ROW_STATUSES = ["new", "update", "duplicate", "error"] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export const ROW_STATUS_LABELS: Record<RowStatus, string> = {
  new: "Nuovo",
  update: "Aggiornamento",
  duplicate: "Duplicato",
  error: "Errore",
};

/** The values of the preview's filter (?esito=) by row status. */
export const ROW_STATUS_PARAMS: Record<RowStatus, string> = {
  new: "nuovi",
  update: "aggiornamenti",
  duplicate: "duplicati",
  error: "errori",
};

// ---------------------------------------------------------------------------------------------
// Forms

const isChecked = (v: unknown) => v === true || v === "on" || v === "true";

type FileLike = { name: string; size: number };

/** The chosen file: a File on the server, a FileList in the browser (react-hook-form). */
function chosenFile(value: unknown): FileLike | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown> & { length?: unknown; item?: unknown };
  if (typeof v.name === "string" && typeof v.size === "number") return v as unknown as FileLike;
  if (typeof v.length === "number" && v.length > 0) return chosenFile((v as unknown as ArrayLike<unknown>)[0]);
  return null;
}

/** An .xls (Excel 97-2003) file, told by its name here and by its content when read. */
export const OLD_EXCEL_FORMAT_MESSAGE = "Il formato .xls (Excel 97-2003) non è supportato: salva il file come .xlsx oppure come .csv.";

export const importUploadSchema = z.object({
  file: z.any().superRefine((value, ctx) => {
    const file = chosenFile(value);
    // A form sent with no file chosen posts an empty file without a name.
    if (!file || (file.size === 0 && !file.name)) ctx.addIssue({ code: "custom", message: "Scegli il file da importare (.xlsx o .csv)" });
    else if (file.size === 0) ctx.addIssue({ code: "custom", message: `Il file «${file.name}» è vuoto: scegli il file con l'elenco degli enti` });
    else if (file.size > MAX_IMPORT_BYTES)
      ctx.addIssue({ code: "custom", message: `Il file supera i ${MAX_IMPORT_MEGABYTES} MB: dividilo in più file` });
    else if (/\.xls$/i.test(file.name)) ctx.addIssue({ code: "custom", message: OLD_EXCEL_FORMAT_MESSAGE });
    else if (!/\.(xlsx|csv|txt)$/i.test(file.name))
      ctx.addIssue({ code: "custom", message: "Il file deve essere in formato .xlsx (Excel) o .csv" });
  }),
});

export type ImportUploadInput = { file: unknown };

/**
 * "In attesa della conferma" waits for each referente to follow the link of the confirmation email:
 * without that email the request could never be confirmed, so never approved, and the retention job
 * would delete it after 30 days. The form refuses the combination, on the field of the emails.
 */
export const PENDING_WITHOUT_EMAILS_MESSAGE =
  "Per importare in attesa della conferma bisogna inviare le email di conferma: spunta «Invia le email ai referenti» oppure scegli un altro stato.";

const digestField = z.preprocess(
  (v) => (v == null ? "" : v),
  z.string({ invalid_type_error: "Anteprima non valida: ricarica la pagina e riprova" }).max(100, "Anteprima non valida: ricarica la pagina e riprova"),
);

export const importRunSchema = z
  .object({
    status: z
      .preprocess((v) => (v == null ? "" : v), z.string({ invalid_type_error: "Scegli lo stato da dare alle adesioni importate" }))
      .refine((v) => (IMPORT_STATUSES as readonly string[]).includes(v), "Scegli lo stato da dare alle adesioni importate")
      .transform((v) => v as ImportStatus),
    sendEmails: z.preprocess(isChecked, z.boolean()),
    digest: digestField,
  })
  .superRefine((v, ctx) => {
    if (v.status === "pending" && !v.sendEmails) ctx.addIssue({ code: "custom", path: ["sendEmails"], message: PENDING_WITHOUT_EMAILS_MESSAGE });
  });

/**
 * The import form of a file that creates no adesione (only updates): there is no status to give and
 * no email to send, so neither is asked; whatever the request carries for them is ignored.
 */
export const importUpdatesOnlySchema = z
  .object({ digest: digestField })
  .transform((v) => ({ ...v, status: null, sendEmails: false }));

export type ImportRunInput = { status: string; sendEmails: boolean; digest: string };
