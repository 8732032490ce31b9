import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ShouldRevalidateFunction } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { CheckboxField, describedBy, ErrorSummary, FormRefusal } from "~/components/form-fields";
import { Pagination } from "~/components/pagination";
import { useValidatedForm } from "~/components/use-validated-form";
import { previewImport, type PreviewRow } from "~/models/member-import-preview.server";
import { failedRowsOf } from "~/models/member-import-templates.server";
import { runImport } from "~/models/member-import.server";
import { importWelcomesOwed, sendImportWelcomes } from "~/models/member-import-welcome.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import {
  cachedPreview,
  cleanupImportUploads,
  deleteImportUpload,
  forgetPreview,
  loadImportUpload,
  saveImportResult,
} from "~/utils/import-store.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { StackedCell, TableCaption, TableScroll } from "~/components/table-scroll";
import {
  IMPORT_STATUS_HINTS,
  IMPORT_STATUS_LABELS,
  IMPORT_STATUSES,
  importRunSchema,
  importUpdatesOnlySchema,
  ROW_STATUS_LABELS,
  ROW_STATUS_PARAMS,
  ROW_STATUSES,
  type ImportRunInput,
  type RowStatus,
} from "~/validation/member-import";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: coordinatorPageTitle(data && data.state === "done" ? "Importazione completata" : "Anteprima dell'importazione") },
];

const PAGE_SIZE = 100;

/** What the form chose, given back with a refusal so that a page without JavaScript shows it again. */
type ImportChoice = { status: string; sendEmails: boolean };
type ActionData = FormErrors & { values: ImportChoice };

const ALREADY_IMPORTED_MESSAGE =
  "Questo file era già stato importato, da un'altra scheda o finestra del browser o con un invio precedente: questa volta non è stato scritto nulla. Il riepilogo qui sotto è quello dell'importazione già fatta.";

const NO_WELCOME_OWED_MESSAGE =
  "Nel frattempo tutti i referenti importati con questo file hanno già ricevuto l'email di benvenuto (o la loro adesione non è più approvata): non è stata inviata nessuna email.";

const notFound = () =>
  new Response("Questo caricamento non esiste più: i file caricati restano disponibili per 24 ore. Caricalo di nuovo.", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  cleanupImportUploads();
  const id = params.id ?? "";
  const stored = loadImportUpload({ id, coordinatorId: coordinator.id });
  if (!stored) throw notFound();
  if (stored.result) {
    const sent = Number(new URL(request.url).searchParams.get("benvenuto"));
    return json({
      state: "done" as const,
      id,
      fileName: stored.fileName,
      summary: stored.result.summary,
      // Referenti imported approved without emails, not yet sent the welcome email (from here or their adesione's page).
      welcomesOwed: importWelcomesOwed(getDb(), { ids: stored.result.unwelcomedRequestIds ?? [] }).length,
      welcomesSent: Number.isInteger(sent) && sent > 0 ? sent : null,
    });
  }

  const preview = await cachedPreview(id, () => previewImport(getDb(), { rows: stored.rows ?? [], labels: stored.labels }));
  const url = new URL(request.url);
  const filter = ROW_STATUSES.find((s) => ROW_STATUS_PARAMS[s] === url.searchParams.get("esito")) ?? null;
  const filtered = filter ? preview.rows.filter((r) => r.status === filter) : preview.rows;
  const pageCount = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const requested = Number(url.searchParams.get("pagina") ?? "1");
  const page = Number.isInteger(requested) ? Math.min(Math.max(1, requested), pageCount) : 1;
  return json({
    state: "preview" as const,
    id,
    fileName: stored.fileName,
    format: stored.format,
    encoding: stored.encoding,
    delimiter: stored.delimiter,
    ignoredHeaders: stored.ignoredHeaders,
    skippedSheets: stored.skippedSheets ?? [],
    counts: preview.counts,
    newMemberships: preview.newMemberships,
    digest: preview.digest,
    filter,
    filteredTotal: filtered.length,
    page,
    pageCount,
    rows: filtered.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const id = params.id ?? "";
  const stored = loadImportUpload({ id, coordinatorId: coordinator.id });
  if (!stored) throw notFound();

  if (formData.get("intent") === "annulla") {
    deleteImportUpload(id);
    return redirect("/admin/importa");
  }
  if (formData.get("intent") === "benvenuto") {
    if (!stored.result) return redirect(`/admin/importa/${id}`);
    const ids = importWelcomesOwed(getDb(), { ids: stored.result.unwelcomedRequestIds ?? [] });
    if (ids.length === 0) {
      return json<ActionData>({ errors: {}, formError: NO_WELCOME_OWED_MESSAGE, values: { status: "", sendEmails: false } }, { status: 409 });
    }
    const { sent } = sendImportWelcomes(getDb(), { ids, coordinatorId: coordinator.id, appUrl: getEnv().appUrl });
    if (sent > 0) wakeOutboxWorker();
    return redirect(`/admin/importa/${id}?benvenuto=${sent}`);
  }
  const posted = Object.fromEntries(formData);
  const values: ImportChoice = { status: typeof posted.status === "string" ? posted.status : "", sendEmails: posted.sendEmails === "on" };
  // Already imported (from another tab showing the same preview, a second click, the back button):
  // the summary is the answer, saying that this sending wrote nothing.
  if (stored.result || !stored.rows) {
    return formData.has("digest")
      ? json<ActionData>({ errors: {}, formError: ALREADY_IMPORTED_MESSAGE, values }, { status: 409 })
      : redirect(`/admin/importa/${id}`);
  }

  // The status (and the emails) concern only the adesioni the file creates: with none, none is asked.
  const preview = await cachedPreview(id, () => previewImport(getDb(), { rows: stored.rows ?? [], labels: stored.labels }));
  const schema = preview.newMemberships > 0 ? importRunSchema : importUpdatesOnlySchema;
  const parsed = schema.safeParse(posted);
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });

  const result = runImport(getDb(), {
    rows: stored.rows,
    labels: stored.labels,
    status: parsed.data.status,
    sendEmails: parsed.data.sendEmails,
    coordinatorId: coordinator.id,
    fileName: stored.fileName,
    appUrl: getEnv().appUrl,
    expectedDigest: parsed.data.digest || undefined,
  });
  if (!result.ok) {
    forgetPreview(id);
    return json<ActionData>({ errors: {}, formError: result.error, values }, { status: 409 });
  }
  saveImportResult(stored, {
    summary: result.summary,
    failed: failedRowsOf(stored.rows, result.errorRows),
    importedAt: Date.now(),
    unwelcomedRequestIds: result.unwelcomedRequestIds,
  });
  if (result.summary.emails > 0) wakeOutboxWorker();
  return redirect(`/admin/importa/${id}`);
}

/**
 * An import refused because the data changed (409) draws the page again from the data as it is now,
 * as without JavaScript: the updated preview with the reason, or the summary of the import done meanwhile.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 409 || defaultShouldRevalidate;

type LoaderData = SerializeFrom<typeof loader>;
type PreviewData = Extract<LoaderData, { state: "preview" }>;
type DoneData = Extract<LoaderData, { state: "done" }>;

const n = (value: number) => formatCount(value);

export default function ImportPreviewPage() {
  const data = useLoaderData<typeof loader>();
  return data.state === "done" ? <ImportDone data={data} /> : <ImportPreviewView data={data} />;
}

const STATUS_BADGES: Record<RowStatus, string> = {
  new: "bg-success",
  update: "bg-primary",
  duplicate: "bg-secondary",
  error: "bg-danger",
};

function ImportPreviewView({ data }: { data: PreviewData }) {
  const { counts, id } = data;
  const importable = counts.new + counts.update;
  const pageHref = (page: number, filter: RowStatus | null = data.filter) => {
    const params = new URLSearchParams();
    if (filter) params.set("esito", ROW_STATUS_PARAMS[filter]);
    if (page > 1) params.set("pagina", String(page));
    const query = params.toString();
    return `/admin/importa/${id}${query ? `?${query}` : ""}`;
  };
  const fileDetails = [
    data.format === "xlsx" ? "file Excel" : "file CSV",
    data.encoding ? `codifica ${data.encoding === "windows-1252" ? "Windows-1252" : data.encoding.toUpperCase()}` : null,
    data.delimiter ? `separatore «${data.delimiter === "\t" ? "tabulazione" : data.delimiter}»` : null,
  ].filter(Boolean);

  return (
    <>
      <h1>Anteprima dell'importazione</h1>
      <p>
        File <strong>{data.fileName}</strong> ({fileDetails.join(", ")}): {n(counts.total)} {counts.total === 1 ? "riga" : "righe"}.{" "}
        <strong>Nulla è stato ancora scritto.</strong>
      </p>
      {data.ignoredHeaders.length ? (
        <div className="alert alert-warning" role="status">
          {data.ignoredHeaders.length === 1 ? "Colonna non riconosciuta e ignorata" : "Colonne non riconosciute e ignorate"}:{" "}
          {data.ignoredHeaders.map((h) => `«${h}»`).join(", ")}.
        </div>
      ) : null}
      {data.skippedSheets.length ? (
        <div className="alert alert-warning" role="status">
          {data.skippedSheets.length === 1 ? "Foglio non letto perché non ha" : "Fogli non letti perché non hanno"} la riga con i nomi delle
          colonne del modello: {data.skippedSheets.map((h) => `«${h}»`).join(", ")}.
        </div>
      ) : null}

      <nav aria-label="Esito delle righe" className="mb-3">
        <ul className="list-inline mb-0">
          <li className="list-inline-item me-3">
            <Link to={pageHref(1, null)} aria-current={!data.filter ? "true" : undefined}>
              Tutte le righe <span className="badge bg-dark">{n(counts.total)}</span>
            </Link>
          </li>
          {ROW_STATUSES.map((s) => (
            <li className="list-inline-item me-3" key={s}>
              <Link to={pageHref(1, s)} aria-current={data.filter === s ? "true" : undefined}>
                {ROW_STATUS_PLURALS[s]} <span className={`badge ${STATUS_BADGES[s]}`}>{n(counts[s])}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      {counts.error > 0 ? (
        <p>
          <a className="btn btn-outline-danger btn-sm" href={`/admin/importa/${id}/errori.xlsx`} download>
            Scarica le righe con errori (.xlsx)
          </a>{" "}
          <span className="text-muted">Le righe con errori non vengono importate: correggile nel file scaricato (colonna «Motivo») e caricalo di nuovo.</span>
        </p>
      ) : null}

      {data.rows.length === 0 ? (
        <p className="alert alert-info" role="status">
          Nessuna riga con questo esito.
        </p>
      ) : (
        <PreviewTable data={data} />
      )}
      {data.pageCount > 1 ? <Pagination label="Pagine dell'anteprima" page={data.page} pageCount={data.pageCount} href={pageHref} /> : null}

      <ImportForm data={data} importable={importable} />
    </>
  );
}

const ROW_STATUS_PLURALS: Record<RowStatus, string> = {
  new: "Nuovi",
  update: "Aggiornamenti",
  duplicate: "Duplicati",
  error: "Errori",
};

const PREVIEW_COLUMNS = ["Riga", "Esito", "Ente", "Referente", "Progetti", "Dettagli"];

function PreviewTable({ data }: { data: PreviewData }) {
  const what = data.filter ? ROW_STATUS_PLURALS[data.filter].toLowerCase() : "tutte le righe";
  // On a phone each row is a block (`.table-stack`): its errors under its number and ente, not
  // off-screen at the end of a table scrolled sideways. The roles keep it a table for screen readers there.
  return (
    <TableScroll>
      <table className="table align-middle caption-top table-stack" role="table">
        <TableCaption>
          Anteprima ({what}): {n(data.filteredTotal)} {data.filteredTotal === 1 ? "riga" : "righe"}, pagina {data.page} di {data.pageCount}
        </TableCaption>
        <thead role="rowgroup">
          <tr role="row">
            {PREVIEW_COLUMNS.map((label) => (
              <th scope="col" role="columnheader" key={label}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {data.rows.map((row) => (
            <PreviewTableRow key={`${row.sheet ?? ""}:${row.line}`} row={row} />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function PreviewTableRow({ row }: { row: PreviewRow }) {
  return (
    <tr role="row">
      <th scope="row" role="rowheader">
        <span className="table-stack-label" aria-hidden="true">
          Riga
        </span>
        {row.sheet ? (
          <>
            {row.line}
            <br />
            <small className="fw-normal">foglio {row.sheet}</small>
          </>
        ) : (
          row.line
        )}
      </th>
      <StackedCell label="Esito">
        <span className={`badge ${STATUS_BADGES[row.status]}`}>{ROW_STATUS_LABELS[row.status]}</span>
      </StackedCell>
      <StackedCell label="Ente">
        {row.body}
        <br />
        <small className="text-muted">{row.kind}</small>
      </StackedCell>
      <StackedCell label="Referente">
        {row.referent}
        {row.email ? (
          <>
            <br />
            <small>{row.email}</small>
          </>
        ) : null}
      </StackedCell>
      <StackedCell label="Progetti">{row.projects}</StackedCell>
      <StackedCell label="Dettagli">
        {row.errors.length ? (
          <ul className="mb-0 ps-3">
            {row.errors.map((e) => (
              <li key={e.key}>
                <strong>{e.column}</strong>
                {e.value ? <> («{e.value}»)</> : null}: {e.message}
              </li>
            ))}
          </ul>
        ) : row.changes.length ? (
          <ul className="mb-0 ps-3">
            {row.changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        ) : row.status === "new" ? (
          "Nuovo ente con il suo referente"
        ) : null}
      </StackedCell>
    </tr>
  );
}

function ImportForm({ data, importable }: { data: PreviewData; importable: number }) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);
  // Only new adesioni get a status and an email: a file of updates alone asks for neither.
  const asksStatus = data.newMemberships > 0;
  // Without JavaScript the page answering a refusal is drawn anew: it shows again what was chosen.
  const chosen = actionData?.values ?? { status: "", sendEmails: false };
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ImportRunInput>({
    schema: asksStatus ? importRunSchema : importUpdatesOnlySchema,
    defaultValues: { ...chosen, digest: data.digest },
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  const statusError = errorFor("status");
  const { counts } = data;

  return (
    <section aria-labelledby="importa" className="mt-5">
      <h2 id="importa">Importa</h2>
      {importable === 0 ? (
        <>
          {/* A refusal (the data changed since this preview) whose updated preview has nothing left to import: the form is gone, the reason is said here. */}
          {actionData?.formError ? (
            <div data-outcome>
              <FormRefusal message={actionData.formError} />
            </div>
          ) : null}
          <p className="alert alert-info" role="status">
          Non c'è nulla da importare:{" "}
          {counts.error > 0
            ? `correggi ${counts.error === 1 ? "la riga" : "le righe"} con errori e carica di nuovo il file.`
            : counts.total === 1
              ? "la riga è già registrata così."
              : "tutte le righe sono già registrate così."}
          </p>
        </>
      ) : (
        <Form method="post" noValidate onSubmit={onSubmit}>
          <AuthenticityTokenInput name="csrf" />
          <input type="hidden" name="digest" value={data.digest} />
          {showSummary ? (
            <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Importazione non riuscita" />
          ) : null}
          <p>
            {importable === 1 ? "Verrà scritta 1 riga" : `Verranno scritte ${n(importable)} righe`}: {n(counts.new)}{" "}
            {counts.new === 1 ? "nuovo ente" : "nuovi enti"} e {n(counts.update)} {counts.update === 1 ? "aggiornamento" : "aggiornamenti"}
            {importable === 1 ? "." : ", tutte insieme o nessuna."}
            {counts.error === 1 ? " La riga con errori sarà esclusa." : counts.error > 1 ? ` Le righe con errori (${n(counts.error)}) saranno escluse.` : ""}
            {counts.duplicate === 1 ? " Il duplicato non cambia nulla." : counts.duplicate > 1 ? " I duplicati non cambiano nulla." : ""}
          </p>
          {asksStatus ? (
            <>
              <fieldset className="mb-4" aria-describedby={describedBy("status", { error: statusError })}>
                <legend className="h6 fw-semibold">Stato da dare alle nuove adesioni</legend>
                {IMPORT_STATUSES.map((status, i) => {
                  const id = i === 0 ? "status" : `status-${status}`;
                  return (
                    <div className="form-check" key={status}>
                      <input
                        type="radio"
                        id={id}
                        value={status}
                        defaultChecked={chosen.status === status}
                        aria-invalid={statusError ? true : undefined}
                        aria-describedby={`${id}-hint`}
                        {...form.register("status", { deps: ["sendEmails"] })}
                      />
                      <label htmlFor={id} style={{ fontWeight: 400 }}>
                        {IMPORT_STATUS_LABELS[status]}
                      </label>
                      <small id={`${id}-hint`} className="form-text d-block">
                        {IMPORT_STATUS_HINTS[status]}
                      </small>
                    </div>
                  );
                })}
                {statusError ? (
                  <span id="status-error" className="field-error">
                    <span className="visually-hidden">Errore: </span>
                    {statusError}
                  </span>
                ) : null}
              </fieldset>
              <CheckboxField
                label="Invia le email ai referenti"
                hint="Solo per le nuove adesioni: le approvate ricevono l'email di benvenuto, quelle in attesa il collegamento per confermare l'indirizzo. Gli aggiornamenti non inviano email."
                error={errorFor("sendEmails")}
                defaultChecked={chosen.sendEmails}
                {...form.register("sendEmails")}
              />
            </>
          ) : (
            <p>Il file non contiene nuove adesioni: si aggiornano solo enti e referenti già registrati, senza inviare email.</p>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Importazione in corso…" : "Importa"}
          </button>
        </Form>
      )}
      <Form method="post" className="mt-3">
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name="intent" value="annulla" />
        <button type="submit" className="btn btn-outline-secondary btn-sm">
          Scarta il file e caricane un altro
        </button>
      </Form>
    </section>
  );
}

function ImportDone({ data }: { data: DoneData }) {
  const actionData = useActionData<typeof action>();
  const busy = submissionUnderWay(useNavigation());
  const s = data.summary;
  const rows: [string, string][] = [
    ["Righe nel file", n(s.total)],
    ["Nuovi enti importati", n(s.created)],
    ["Enti aggiornati", n(s.updated)],
    ["Duplicati (nessuna modifica)", n(s.duplicates)],
    ["Righe con errori, non importate", n(s.errors)],
    ["Stato delle nuove adesioni", s.status ? IMPORT_STATUS_LABELS[s.status] : "Nessuna nuova adesione"],
    ["Email ai referenti messe in coda", s.sendEmails ? n(s.emails) : s.status ? "Nessuna (invio non richiesto)" : "Nessuna"],
  ];
  return (
    <>
      <h1>Importazione completata</h1>
      {actionData?.formError ? (
        <div data-outcome>
          <FormRefusal message={actionData.formError} />
        </div>
      ) : null}
      {data.welcomesSent ? (
        <div className="alert alert-success" role="status">
          {data.welcomesSent === 1
            ? "L'email di benvenuto è stata messa in coda: il referente la riceverà a breve."
            : `Le email di benvenuto sono state messe in coda (${n(data.welcomesSent)}): i referenti le riceveranno a breve.`}
        </div>
      ) : null}
      <div className="alert alert-success" role="status">
        Il file <strong>{data.fileName}</strong> è stato importato: {n(s.created)} {s.created === 1 ? "nuovo ente" : "nuovi enti"},{" "}
        {n(s.updated)} {s.updated === 1 ? "aggiornamento" : "aggiornamenti"}.
      </div>
      <table className="table w-auto caption-top">
        <caption>Riepilogo dell'importazione</caption>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.welcomesOwed > 0 ? (
        <Form method="post" className="mb-4">
          <AuthenticityTokenInput name="csrf" />
          <p id="welcome-note">
            {data.welcomesOwed === 1
              ? "Il referente importato senza email non ha ricevuto l'email di benvenuto, che gli presenta il portale e l'area referente: inviala prima che riceva il primo invito a un Tavolo tecnico."
              : `${n(data.welcomesOwed)} referenti importati senza email non hanno ricevuto l'email di benvenuto, che presenta loro il portale e l'area referente: inviala prima che ricevano il primo invito a un Tavolo tecnico.`}
          </p>
          <button type="submit" name="intent" value="benvenuto" className="btn btn-primary" disabled={busy} aria-describedby="welcome-note">
            {data.welcomesOwed === 1
              ? "Invia ora l'email di benvenuto al referente importato senza email"
              : `Invia ora l'email di benvenuto ai ${n(data.welcomesOwed)} referenti importati senza email`}
          </button>
        </Form>
      ) : null}
      <p className="d-flex flex-wrap gap-3">
        {s.errors > 0 ? (
          <a className="btn btn-outline-danger" href={`/admin/importa/${data.id}/errori.xlsx`} download>
            Scarica le righe con errori (.xlsx)
          </a>
        ) : null}
        <Link className="btn btn-primary" to="/admin/adesioni">
          Vai alle adesioni
        </Link>
        <Link className="btn btn-outline-primary" to="/admin/importa">
          Importa un altro file
        </Link>
      </p>
    </>
  );
}
