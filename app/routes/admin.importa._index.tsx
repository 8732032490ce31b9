import {
  json,
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { parseImportFile } from "~/models/member-import-file.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { isMalformedFormError, issuesToFieldErrors, MALFORMED_FORM_MESSAGE, type FormErrors } from "~/utils/form-data";
import { cleanupImportUploads, saveImportUpload } from "~/utils/import-store.server";
import {
  columnDocs,
  importUploadSchema,
  LAYOUT_RULES,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_MEGABYTES,
  type ImportUploadInput,
} from "~/validation/member-import";
import { uploadRouteHandle } from "~/utils/body-limits";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";


/** A form with a file: bounded by its upload handler, not by the 1 MB of other forms. */
export const handle = uploadRouteHandle;

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Importa l'elenco degli aderenti") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  cleanupImportUploads();
  return json({});
}

const TOO_LARGE = `Il file supera i ${MAX_IMPORT_MEGABYTES} MB: dividilo in più file`;

/** The name shown and audited: no path, no control characters, at most 200 characters. */
function cleanFileName(name: string) {
  const base = name.split(/[\\/]/).pop() ?? "";
  return base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 200) || "file senza nome";
}

export async function action({ request }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_IMPORT_BYTES + 256 * 1024) {
    return json<FormErrors>({ errors: { file: TOO_LARGE } }, { status: 413 });
  }
  const multipart = (request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
  let formData: FormData;
  try {
    formData = multipart
      ? await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: MAX_IMPORT_BYTES }))
      : await request.formData();
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return json<FormErrors>({ errors: { file: TOO_LARGE } }, { status: 413 });
    if (isMalformedFormError(error)) return json<FormErrors>({ errors: {}, formError: MALFORMED_FORM_MESSAGE }, { status: 400 });
    throw error;
  }
  await validateCsrf(request, formData);

  const value = formData.get("file");
  const file = value && typeof value === "object" ? (value as File) : null;
  const checked = importUploadSchema.safeParse({ file });
  if (!checked.success || !file) {
    return json<FormErrors>({ errors: issuesToFieldErrors(checked.success ? [] : checked.error.issues) }, { status: 400 });
  }
  const fileName = cleanFileName(file.name);
  const parsed = await parseImportFile({ buffer: Buffer.from(await file.arrayBuffer()), fileName });
  if (!parsed.ok) return json<FormErrors>({ errors: { file: parsed.error } }, { status: 400 });
  if (parsed.rows.length === 0) {
    return json<FormErrors>(
      { errors: { file: "Il file non contiene righe da importare: compila una riga per ente sotto quella delle intestazioni" } },
      { status: 400 },
    );
  }
  cleanupImportUploads();
  const stored = saveImportUpload({
    coordinatorId: coordinator.id,
    fileName,
    format: parsed.format,
    encoding: parsed.encoding,
    delimiter: parsed.delimiter,
    headers: parsed.headers,
    labels: parsed.labels,
    ignoredHeaders: parsed.ignoredHeaders,
    skippedSheets: parsed.skippedSheets,
    rows: parsed.rows,
  });
  return redirect(`/admin/importa/${stored.id}`);
}

export default function ImportPage() {
  const formAction = useIndexFormAction();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ImportUploadInput>({
    schema: importUploadSchema,
    defaultValues: { file: undefined },
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  const busy = submissionUnderWay(navigation);

  return (
    <>
      <h1>Importa l'elenco degli aderenti</h1>
      <p className="lead">
        Carica l'elenco degli enti e dei referenti raccolto con le schede inviate per email: il portale mostra prima
        un'anteprima riga per riga, senza scrivere nulla, e importa solo quando confermi.
      </p>

      <section aria-labelledby="modello" className="mb-5">
        <h2 id="modello">1. Scarica il modello</h2>
        <p>Compila il modello in Excel o in un altro foglio di calcolo. Il modello Excel contiene anche il foglio «Istruzioni».</p>
        <p className="d-flex flex-wrap gap-3">
          <a className="btn btn-outline-primary" href="/admin/importa/modello.xlsx" download>
            Scarica il modello Excel (.xlsx)
          </a>
          <a className="btn btn-outline-primary" href="/admin/importa/modello.csv" download>
            Scarica il modello CSV (.csv)
          </a>
        </p>
        <h3 className="h5">Come compilare il file</h3>
        <ul>
          {LAYOUT_RULES.map((rule) => (
            <li key={rule}>{rule}</li>
          ))}
        </ul>
        <details className="mb-3">
          <summary>Le colonne del modello</summary>
          <TableScroll className="mt-3">
            <table className="table table-sm caption-top">
              <TableCaption>Colonne del modello di importazione (N è il numero del progetto: 1, 2, 3…)</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Colonna</th>
                  <th scope="col">Obbligatoria</th>
                  <th scope="col">Cosa inserire</th>
                  <th scope="col">Esempio</th>
                </tr>
              </thead>
              <tbody>
                {columnDocs().map((c) => (
                  <tr key={c.header}>
                    <th scope="row">{c.header}</th>
                    <td>{c.required}</td>
                    <td>{c.description}</td>
                    <td>{c.example}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </details>
      </section>

      <section aria-labelledby="carica">
        <h2 id="carica">2. Carica il file</h2>
        <Form method="post" action={formAction} encType="multipart/form-data" noValidate onSubmit={onSubmit}>
          <AuthenticityTokenInput name="csrf" />
          {showSummary ? (
            <ErrorSummary
              ref={summaryRef}
              errors={summaryErrors}
              formError={actionData?.formError}
              failureTitle="Caricamento non riuscito"
            />
          ) : null}
          <div className="row">
            <TextField
              className="col-lg-8"
              label="File da importare (.xlsx o .csv)"
              type="file"
              accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              hint={`Al massimo ${MAX_IMPORT_MEGABYTES} MB. Dopo il caricamento vedrai l'anteprima: nulla viene ancora scritto.`}
              error={errorFor("file")}
              {...form.register("file")}
            />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Caricamento in corso…" : "Carica e mostra l'anteprima"}
          </button>
        </Form>
      </section>
    </>
  );
}
