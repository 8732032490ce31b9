import path from "node:path";
import type { ReactNode } from "react";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  type SerializeFrom,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { ConfirmForm } from "~/components/confirm-form";
import { ErrorSummary, FileField, FormRefusal, TextField } from "~/components/form-fields";
import { MaterialDetailsFields } from "~/components/material-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { addFileMaterial, addLinkMaterial, deleteMaterial, getRoundTableMaterial, listMaterials } from "~/models/material.server";
import { getRoundTable, parseRoundTableId } from "~/models/round-table.server";
import { requireCoordinator } from "~/utils/auth.server";
import { assertSameOrigin, validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { formDataToObject, issuesToFieldErrors, MALFORMED_FORM_MESSAGE } from "~/utils/form-data";
import { parseUploadForm, withCutFieldErrors, withFileNotKeptError } from "~/utils/material-upload.server";
import { formatDateTimeIt } from "~/utils/dates";
import { roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableWhen } from "~/utils/round-table-format";
import { isConfirmed } from "~/validation/confirmation";
import {
  ACCEPTED_TYPES_TEXT,
  CANCELLED_MATERIALS_NOT_EDITABLE,
  DELETE_MATERIAL_UNCONFIRMED,
  deleteMaterialSchema,
  emptyMaterialForm,
  LINK_KINDS,
  linkMaterialFormSchema,
  MATERIAL_KIND_LABELS,
  MAX_UPLOAD_BYTES,
  TOO_LARGE_MESSAGE,
  UPLOAD_KINDS,
  uploadMaterialFormSchema,
  type LinkMaterialFormValues,
  type UploadMaterialFormValues,
} from "~/validation/material";
import { uploadRouteHandle } from "~/utils/body-limits";
import { coordinatorPageTitle } from "~/utils/page-title";


/** A form with a file: bounded by its upload handler, not by the 1 MB of other forms. */
export const handle = uploadRouteHandle;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`Materiali - ${data.heading}: ${data.title}`) : coordinatorPageTitle("Tavolo tecnico non trovato") },
];

const notFound = () => new Response("Tavolo tecnico non trovato", { status: 404, statusText: "Not Found" });

/** `?elimina=<id>`: the material whose deletion is to be confirmed («Elimina» in the list of the Tavolo's page). */
function materialToDelete(db: ReturnType<typeof getDb>, roundTableId: number, param: string | null) {
  if (param === null) return undefined;
  const id = /^\d{1,9}$/.test(param) ? Number(param) : null;
  const material = id ? getRoundTableMaterial(db, { id, roundTableId }) : null;
  if (!material) return null;
  return {
    id: material.id,
    title: material.title,
    kind: MATERIAL_KIND_LABELS[material.kind],
    file: material.downloadName,
    announcedAt: material.announcedAt ? formatDateTimeIt(material.announcedAt) : null,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const id = parseRoundTableId(params.id);
  const db = getDb();
  const rt = id ? getRoundTable(db, { id }) : null;
  if (!rt) throw notFound();
  const ended = rt.endsAt.getTime() <= Date.now();
  const cancelled = rt.status === "cancelled";
  return json({
    id: rt.id,
    heading: roundTableHeading(rt),
    title: rt.title,
    when: roundTableWhen(rt),
    announces: ended && rt.status === "published",
    count: listMaterials(db, { roundTableIds: [rt.id] }).length,
    // A cancelled Tavolo's materials are no longer added or corrected (materialChangeRefusal), only deleted.
    cancelled,
    toDelete: materialToDelete(db, rt.id, new URL(request.url).searchParams.get("elimina")),
  });
}

type FormName = "upload" | "link" | "delete";
type ActionData = { form: FormName; errors: Record<string, string>; formError?: string; values?: Record<string, string> };

const fail = (form: FormName, errors: Record<string, string>, status = 400, values?: Record<string, string>, formError?: string) =>
  json<ActionData>({ form, errors, values, formError }, { status });

const stringValues = (formData: FormData, prefix: string) => {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) if (name.startsWith(`${prefix}.`) && typeof value === "string") values[name.slice(prefix.length + 1)] = value;
  return values;
};

const back = (id: number, outcome: string) => redirect(`/admin/tavoli/${id}?esito=${outcome}#materiali-sezione`);

async function uploadAction(request: Request, roundTableId: number, coordinatorId: number) {
  const env = getEnv();
  const { formData, failure, upload } = await parseUploadForm(request, {
    tempDir: path.join(env.uploadsDir, "tmp"),
    maxBytes: MAX_UPLOAD_BYTES,
    fileField: "upload.file",
  });
  try {
    if (failure === "malformed") return fail("upload", {}, 400, undefined, MALFORMED_FORM_MESSAGE);
    if (!formData) return fail("upload", { "upload.file": TOO_LARGE_MESSAGE }, 413);
    await validateCsrf(request, formData);
    const values = stringValues(formData, "upload");
    if (failure === "too_large") return fail("upload", { "upload.file": TOO_LARGE_MESSAGE }, 413, values);
    const parsed = uploadMaterialFormSchema.safeParse(formDataToObject(formData, { skip: ["csrf"] }));
    const errors = withCutFieldErrors(upload.textTooLong, parsed.success ? {} : issuesToFieldErrors(parsed.error.issues));
    if (!upload.file) errors["upload.file"] = "Scegli il file da caricare";
    if (!parsed.success || !upload.file || Object.keys(errors).length > 0) {
      return fail("upload", withFileNotKeptError(errors, { field: "upload.file", file: upload.file, verb: "caricare" }), 400, values);
    }
    const result = await addFileMaterial(getDb(), {
      roundTableId,
      input: parsed.data.upload,
      upload: upload.file,
      coordinatorId,
      uploadsDir: env.uploadsDir,
    });
    if (!result.ok && result.reason === "not_a_document") return fail("upload", { "upload.file": result.error }, 400, values);
    if (!result.ok) return fail("upload", {}, 409, values, result.error);
    return back(roundTableId, `materiale-aggiunto&n=${result.toAnnounce}`);
  } finally {
    upload.cleanup();
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  assertSameOrigin(request);
  const id = parseRoundTableId(params.id);
  if (!id || !getRoundTable(getDb(), { id })) throw notFound();
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) return uploadAction(request, id, coordinator.id);

  const formData = await request.formData();
  await validateCsrf(request, formData);
  const intent = String(formData.get("intent") ?? "");
  if (intent === "link") {
    const values = stringValues(formData, "link");
    const parsed = linkMaterialFormSchema.safeParse(formDataToObject(formData, { skip: ["csrf", "intent"] }));
    if (!parsed.success) return fail("link", issuesToFieldErrors(parsed.error.issues), 400, values);
    const result = addLinkMaterial(getDb(), { roundTableId: id, input: parsed.data.link, coordinatorId: coordinator.id });
    if (!result.ok) return fail("link", {}, 409, values, result.error);
    return back(id, `materiale-aggiunto&n=${result.toAnnounce}`);
  }
  if (intent === "delete") {
    const materialId = Number(formData.get("materialId"));
    const confirmed = isConfirmed(formData);
    const result = Number.isInteger(materialId)
      ? deleteMaterial(getDb(), { id: materialId, roundTableId: id, coordinatorId: coordinator.id, uploadsDir: getEnv().uploadsDir, confirmed })
      : ({ ok: false, reason: "not_found" } as const);
    if (!result.ok && result.reason === "unconfirmed") return fail("delete", { confirm: DELETE_MATERIAL_UNCONFIRMED });
    if (!result.ok) return fail("delete", {}, 404, undefined, "Materiale non trovato: forse è già stato eliminato.");
    return back(id, "materiale-eliminato");
  }
  return fail("delete", {}, 400, undefined, "Azione non riconosciuta: ricarica la pagina e riprova.");
}

function UploadForm({ data }: { data?: ActionData }) {
  const navigation = useNavigation();
  const initial = { ...emptyMaterialForm("slides"), ...(data?.form === "upload" ? data.values : {}) };
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<UploadMaterialFormValues>({
    schema: uploadMaterialFormSchema,
    defaultValues: { upload: initial },
    serverErrors: data?.form === "upload" ? data.errors : undefined,
    formError: data?.form === "upload" ? data.formError : undefined,
  });
  return (
    <Form method="post" encType="multipart/form-data" noValidate onSubmit={onSubmit} aria-labelledby="carica">
      <AuthenticityTokenInput name="csrf" />
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data?.formError} failureTitle="Il file non è stato caricato" titleId="carica-errori" /> : null}
      <MaterialDetailsFields prefix="upload." kinds={UPLOAD_KINDS} initial={initial} register={(name) => form.register(name as never)} errorFor={errorFor} />
      <FileField
        name="upload.file"
        label="File"
        accept=".pdf,.docx,.pptx,.odt,.odp,application/pdf"
        hint={`${ACCEPTED_TYPES_TEXT}; al massimo 25 MB.`}
        error={errorFor("upload.file")}
      />
      <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
        Carica il file
      </button>
    </Form>
  );
}

function LinkForm({ data }: { data?: ActionData }) {
  const navigation = useNavigation();
  const initial = { ...emptyMaterialForm("video"), ...(data?.form === "link" ? data.values : {}) };
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<LinkMaterialFormValues>({
    schema: linkMaterialFormSchema,
    defaultValues: { link: initial },
    serverErrors: data?.form === "link" ? data.errors : undefined,
    formError: data?.form === "link" ? data.formError : undefined,
  });
  const { register } = form;
  return (
    <Form method="post" noValidate onSubmit={onSubmit} aria-labelledby="collega">
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="link" />
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={data?.formError} failureTitle="Il link non è stato aggiunto" titleId="collega-errori" /> : null}
      <MaterialDetailsFields prefix="link." kinds={LINK_KINDS} initial={initial} register={(name) => register(name as never)} errorFor={errorFor} />
      <TextField
        label="Link"
        type="url"
        hint="Un indirizzo che inizia con https://, ad esempio il video su YouTube."
        defaultValue={initial.url}
        error={errorFor("link.url")}
        {...register("link.url")}
      />
      <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
        Aggiungi il link
      </button>
    </Form>
  );
}

type MaterialToDelete = NonNullable<SerializeFrom<typeof loader>["toDelete"]>;

/** «Elimina» of the Tavolo's page lands here: what deleting does, and the tick that confirms it. */
function DeleteConfirmation({ roundTableId, material, data }: { roundTableId: number; material: MaterialToDelete; data?: ActionData }) {
  return (
    <section className="mb-5" aria-labelledby="elimina">
      <ConfirmForm
        heading={
          <h2 id="elimina" className="h3">
            Eliminare «{material.title}»?
          </h2>
        }
        labelledBy="elimina"
        summarySubject="Il modulo di eliminazione"
        confirmLabel="Confermo: voglio eliminare questo materiale"
        submitLabel="Elimina il materiale"
        schema={deleteMaterialSchema}
        hidden={{ intent: "delete", materialId: String(material.id) }}
        // Back here with the error if the tick is missing (the loader reads ?elimina).
        action={`/admin/tavoli/${roundTableId}/materiali?elimina=${material.id}`}
        serverErrors={data?.form === "delete" ? data.errors : undefined}
      >
        <p>
          {material.kind}
          {material.file ? `, file ${material.file}` : ", link"}.{" "}
          {material.file ? "Il materiale e il file saranno cancellati" : "Il materiale sarà cancellato"} e non si potranno recuperare: i
          collegamenti già inviati per email agli invitati
          {material.announcedAt ? ` (annunciato il ${material.announcedAt})` : ""} non funzioneranno più.
        </p>
      </ConfirmForm>
      <p className="mt-3">
        <Link to={`/admin/tavoli/${roundTableId}#materiali-sezione`}>Non eliminare e torna al tavolo</Link>
      </p>
    </section>
  );
}

/** One of the two forms side by side, under its heading (which names the form). */
function FormSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="col-lg-6 mb-5" aria-labelledby={id}>
      <h2 id={id} className="h3">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default function RoundTableMaterialsPage() {
  const { id, heading, title, when, announces, count, cancelled, toDelete } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const refused = !!data && data.form !== "delete";
  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/tavoli", label: "Tavoli tecnici" }, { to: `/admin/tavoli/${id}`, label: heading }]} current="Materiali" />
      <h1>
        Materiali: {heading} - {title}
      </h1>
      {toDelete ? <DeleteConfirmation roundTableId={id} material={toDelete} data={data} /> : null}
      {toDelete === null ? (
        <div className="alert alert-warning" role="status">
          Il materiale da eliminare non c'è più: forse è già stato eliminato.
        </div>
      ) : null}
      <p>
        {when}. {count === 0 ? "Non ci sono ancora materiali." : `Materiali già presenti: ${count}.`}{" "}
        <Link to={`/admin/tavoli/${id}#materiali-sezione`}>Vedi l'elenco dei materiali</Link>
      </p>
      {announces ? (
        <div className="alert alert-info">
          Il tavolo si è già svolto: aggiungendo slides o video, gli invitati che non hanno declinato riceveranno, una decina di
          minuti dopo l'ultimo materiale aggiunto, un'unica email «Materiali disponibili» con tutti quelli aggiunti nel frattempo
          (una sola volta per ciascun materiale).
        </div>
      ) : null}
      <FormRefusal message={data?.form === "delete" ? data.formError : null} />
      {cancelled ? (
        // An addition sent from a page opened before the cancellation was refused: this says why.
        <p className={refused ? "alert alert-danger" : "alert alert-info"} role={refused ? "alert" : undefined} data-outcome={refused ? "" : undefined}>
          {CANCELLED_MATERIALS_NOT_EDITABLE}
        </p>
      ) : (
        <div className="row">
          <FormSection id="carica" title="Carica un file">
            <UploadForm data={data} />
          </FormSection>
          <FormSection id="collega" title="Aggiungi un link">
            <LinkForm data={data} />
          </FormSection>
        </div>
      )}
    </>
  );
}
