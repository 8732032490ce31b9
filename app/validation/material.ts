import { z } from "zod";
import { cleanLine } from "~/utils/text";
import { confirmationSchema } from "./confirmation";
import { isHttpsUrl } from "./round-table";
import { maxLengthMessage } from "./messages";

// The forms of the materials of a Tavolo tecnico: a file upload, a link (video or document), and the
// confirmation of a deletion.

export const MATERIAL_KIND_LABELS = {
  nota_invito: "Nota-invito",
  slides: "Slides",
  video: "Video",
  documento: "Documento",
} as const;
export type MaterialKind = keyof typeof MATERIAL_KIND_LABELS;

export const MATERIAL_VISIBILITY_LABELS = {
  public: "Pubblico",
  members: "Solo enti aderenti",
} as const;
export type MaterialVisibility = keyof typeof MATERIAL_VISIBILITY_LABELS;

export const UPLOAD_KINDS = ["nota_invito", "slides", "documento"] as const satisfies readonly MaterialKind[];
export const LINK_KINDS = ["video", "documento"] as const satisfies readonly MaterialKind[];

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const TOO_LARGE_MESSAGE = "Il file supera il limite di 25 MB: riducine le dimensioni (ad esempio esportando il PDF compresso) e riprova.";
/**
 * What a cancelled Tavolo's materials pages say, and the models answer an addition or correction
 * sent anyway (materialChangeRefusal). Deleting stays possible: a file put there by mistake must go.
 */
export const CANCELLED_MATERIALS_NOT_EDITABLE =
  "Il tavolo è stato annullato: i suoi materiali non si possono più aggiungere né modificare, ma si possono ancora eliminare (ad esempio un file caricato per errore).";
export const ACCEPTED_TYPES_TEXT = "PDF, Word (.docx), PowerPoint (.pptx), OpenDocument testo (.odt) o presentazione (.odp)";

const text = (message = "Valore non valido") =>
  z.preprocess((v) => (v == null ? "" : typeof v === "string" ? cleanLine(v) : v), z.string({ invalid_type_error: message }));
const oneOf = <T extends string>(values: readonly T[], message: string) =>
  text(message).refine((v) => (values as readonly string[]).includes(v), message) as unknown as z.ZodType<T, z.ZodTypeDef, string>;

const common = {
  title: text("Inserisci il titolo").pipe(z.string().trim().min(1, "Inserisci il titolo del materiale").max(200, maxLengthMessage("Il titolo", 200))),
  curatedBy: text()
    .pipe(z.string().trim().max(200, maxLengthMessage("«A cura di»", 200)))
    .transform((v) => v || null),
  visibility: oneOf(["public", "members"] as const, "Scegli chi può vedere il materiale"),
};

/** What a material is: a stored file (nota-invito, slides, documento) or a link (video, documento). */
export type MaterialSource = "file" | "link";
export const kindsFor = (source: MaterialSource) => (source === "link" ? LINK_KINDS : UPLOAD_KINDS);

/** Kind, title, "a cura di" and visibility: what the upload and link forms ask and what editing corrects. */
const detailsSchema = <K extends MaterialKind>(kinds: readonly K[]) => z.object({ kind: oneOf(kinds, "Scegli il tipo di materiale"), ...common });

export const uploadMaterialSchema = detailsSchema(UPLOAD_KINDS);
const linkDetailsSchema = detailsSchema(LINK_KINDS);

export const linkMaterialSchema = linkDetailsSchema.extend({
  url: text("Inserisci il link")
    .pipe(z.string().trim().min(1, "Inserisci il link").max(1000, maxLengthMessage("Il link", 1000)))
    .refine((v) => !v || isHttpsUrl(v), "Il link deve essere un indirizzo completo che inizia con https://"),
});

export type UploadMaterialInput = z.output<typeof uploadMaterialSchema>;
export type MaterialDetailsInput = z.output<ReturnType<typeof editMaterialSchema>>;
export type LinkMaterialInput = z.output<typeof linkMaterialSchema>;

export type MaterialFormValues = { kind: string; title: string; curatedBy: string; visibility: string; url: string };
export type MaterialDetailsFormValues = Omit<MaterialFormValues, "url">;
// No visibility chosen in advance: a reserved material uploaded without a look at the menu would be
// published to everyone (and, after the meeting, announced to every invitee).
export const emptyMaterialForm = (kind: string): MaterialFormValues => ({ kind, title: "", curatedBy: "", visibility: "", url: "" });

// The two forms share one page, so their fields are named "upload.*" and "link.*".
// A missing group is checked as an empty one, so each field gets its own message.
const group = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v && typeof v === "object" ? v : {}), schema);
export const uploadMaterialFormSchema = z.object({ upload: group(uploadMaterialSchema) });
export const linkMaterialFormSchema = z.object({ link: group(linkMaterialSchema) });
export type UploadMaterialFormValues = { upload: MaterialDetailsFormValues };
export type LinkMaterialFormValues = { link: MaterialFormValues };

// Editing a material corrects its details; the file or the link stays (replacing it is deleting and
// adding again), so the kinds offered are those of what it is. One form on its page: plain names.
export const editMaterialSchema = (source: MaterialSource) => (source === "link" ? linkDetailsSchema : uploadMaterialSchema);

// Deleting cannot be undone and breaks the links already emailed to the invitees: it takes a tick.
export const DELETE_MATERIAL_UNCONFIRMED = "Per eliminare il materiale spunta la conferma";
export const deleteMaterialSchema = confirmationSchema(DELETE_MATERIAL_UNCONFIRMED);
