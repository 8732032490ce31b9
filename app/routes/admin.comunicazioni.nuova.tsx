import path from "node:path";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { CheckboxField, ErrorSummary, FileField, TextareaField, TextField } from "~/components/form-fields";
import { SegmentFields } from "~/components/segment-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { getCommunication, saveCommunicationDraft } from "~/models/communication.server";
import { listProvinceOptions } from "~/models/territory.server";
import { requireCoordinator } from "~/utils/auth.server";
import { assertSameOrigin, validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors, MALFORMED_FORM_MESSAGE } from "~/utils/form-data";
import { parseUploadForm, withCutFieldErrors, withFileNotKeptError } from "~/utils/material-upload.server";
import {
  ATTACHMENT_TOO_LARGE_MESSAGE,
  communicationFormSchema,
  MAX_ATTACHMENT_BYTES,
  MAX_BODY_LENGTH,
  type CommunicationFormValues,
} from "~/validation/communications";
import { ACCEPTED_TYPES_TEXT } from "~/validation/material";
import { segmentInput, toSegment } from "~/validation/recipient-segment";
import { uploadRouteHandle } from "~/utils/body-limits";
import { parseRecordId } from "~/utils/record-id";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";


/** A form with a file: bounded by its upload handler, not by the 1 MB of other forms. */
export const handle = uploadRouteHandle;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: coordinatorPageTitle(data?.draftId ? "Modifica la comunicazione" : "Nuova comunicazione") },
];

const parseId = (value: FormDataEntryValue | null) => parseRecordId(typeof value === "string" ? value : null);

const EMPTY: CommunicationFormValues = { oggetto: "", testo: "", provincia: [], tipologia: [], rimuoviAllegato: false };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const draftId = parseId(new URL(request.url).searchParams.get("bozza"));
  const draft = draftId ? getCommunication(db, { id: draftId }) : undefined;
  if (draftId && !draft) throw new Response("Comunicazione non trovata", { status: 404 });
  // A comunicazione already sent cannot change: its page shows what went out.
  if (draft && draft.status !== "draft") throw redirect(`/admin/comunicazioni/${draft.id}`);
  return json({
    provinces: listProvinceOptions(db),
    draftId: draft?.id ?? null,
    attachment: draft?.attachmentDownloadName ?? null,
    values: draft
      ? { oggetto: draft.subject, testo: draft.body, provincia: draft.provinceCodes, tipologia: draft.categories, rimuoviAllegato: false }
      : EMPTY,
  });
}

type ActionData = { errors: Record<string, string>; formError?: string; values?: CommunicationFormValues };

const fail = (errors: Record<string, string>, status: number, values?: CommunicationFormValues, formError?: string) =>
  json<ActionData>({ errors, formError, values }, { status });

function formValues(formData: FormData): CommunicationFormValues {
  const text = (name: string) => {
    const v = formData.get(name);
    return typeof v === "string" ? v : "";
  };
  return { oggetto: text("oggetto"), testo: text("testo"), ...segmentInput(formData), rimuoviAllegato: formData.get("rimuoviAllegato") === "on" };
}

export async function action({ request }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  assertSameOrigin(request);
  const env = getEnv();
  const { formData, failure, upload } = await parseUploadForm(request, {
    tempDir: path.join(env.uploadsDir, "tmp"),
    maxBytes: MAX_ATTACHMENT_BYTES,
    fileField: "allegato",
  });
  try {
    if (failure === "malformed") return fail({}, 400, undefined, MALFORMED_FORM_MESSAGE);
    if (!formData) return fail({ allegato: ATTACHMENT_TOO_LARGE_MESSAGE }, 413);
    await validateCsrf(request, formData);
    const values = formValues(formData);
    if (failure === "too_large") return fail({ allegato: ATTACHMENT_TOO_LARGE_MESSAGE }, 413, values);
    const parsed = communicationFormSchema.safeParse(values);
    const errors = withCutFieldErrors(upload.textTooLong, parsed.success ? {} : issuesToFieldErrors(parsed.error.issues));
    if (!parsed.success || Object.keys(errors).length > 0) {
      return fail(withFileNotKeptError(errors, { field: "allegato", file: upload.file, verb: "salvare" }), 400, values);
    }
    const draftId = parseId(formData.get("bozza"));
    const result = await saveCommunicationDraft(getDb(), {
      id: draftId ?? undefined,
      input: { subject: parsed.data.oggetto, body: parsed.data.testo, ...toSegment(parsed.data) },
      upload: upload.file,
      removeAttachment: parsed.data.rimuoviAllegato,
      coordinatorId: coordinator.id,
      uploadsDir: env.uploadsDir,
    });
    if (!result.ok) return fail(result.errors, result.formError ? 409 : 400, values, result.formError);
    return redirect(`/admin/comunicazioni/${result.id}`);
  } finally {
    upload.cleanup();
  }
}

export default function NewCommunicationPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const values = actionData?.values ?? data.values;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CommunicationFormValues>({
    schema: communicationFormSchema,
    defaultValues: values,
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  const { register } = form;
  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/comunicazioni", label: "Comunicazioni" }]} current={data.draftId ? "Modifica" : "Nuova comunicazione"} />
      <h1>{data.draftId ? "Modifica la comunicazione" : "Nuova comunicazione"}</h1>
      <p className="lead">
        Un messaggio ai referenti attivi degli enti aderenti. Dopo il salvataggio vedrai quanti referenti lo riceveranno e
        l'anteprima dell'email; niente parte finché non premi «Invia la comunicazione».
      </p>
      <Form method="post" encType="multipart/form-data" noValidate onSubmit={onSubmit} aria-label="Comunicazione">
        <AuthenticityTokenInput name="csrf" />
        {data.draftId ? <input type="hidden" name="bozza" value={data.draftId} /> : null}
        {showSummary ? (
          <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} subject="La comunicazione" failureTitle="Comunicazione non salvata" />
        ) : null}
        <TextField label="Oggetto" defaultValue={values.oggetto} error={errorFor("oggetto")} {...register("oggetto")} />
        <TextareaField
          label="Testo"
          rows={12}
          hint={`Separa i paragrafi con una riga vuota (al massimo ${formatCount(MAX_BODY_LENGTH)} caratteri). L'email comincia con «Gentile referente,» e termina con il link per non ricevere più le comunicazioni.`}
          defaultValue={values.testo}
          error={errorFor("testo")}
          {...register("testo")}
        />
        <h2 className="h4">Destinatari</h2>
        <p>
          I referenti attivi degli enti aderenti, tutti oppure solo quelli delle province e tipologie scelte. Chi ha scelto di
          non ricevere le comunicazioni è escluso.
        </p>
        <SegmentFields provinces={data.provinces} values={values} />
        <h2 className="h4">Allegato</h2>
        {data.attachment ? (
          <>
            <p>
              Allegato attuale: <strong>{data.attachment}</strong>. Scegli un altro file per sostituirlo.
            </p>
            <CheckboxField label="Rimuovi l'allegato" defaultChecked={values.rimuoviAllegato} error={errorFor("rimuoviAllegato")} {...register("rimuoviAllegato")} />
          </>
        ) : null}
        <FileField
          name="allegato"
          label="Allegato (facoltativo)"
          accept=".pdf,.docx,.pptx,.odt,.odp,application/pdf"
          hint={`${ACCEPTED_TYPES_TEXT}; al massimo 10 MB.`}
          error={errorFor("allegato")}
        />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Salva e vedi l'anteprima
        </button>{" "}
        <Link to={data.draftId ? `/admin/comunicazioni/${data.draftId}` : "/admin/comunicazioni"} className="btn btn-outline-primary">
          Annulla
        </Link>
      </Form>
    </>
  );
}
