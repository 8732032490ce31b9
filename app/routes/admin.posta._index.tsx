import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { useHydrated } from "remix-utils/use-hydrated";
import { OUTBOX_STATUSES } from "#db/enums";
import { SelectField, TextField } from "~/components/form-fields";
import {
  countFailedEmails,
  countOutboxByStatus,
  findMailServerProblem,
  listManualRetries,
  listOutbox,
  listOutboxCommunications,
  listOutboxRoundTables,
  listOutboxTemplates,
  retryFailedEmails,
  retryFailedEmailsMatching,
  type OutboxFilters,
} from "~/models/outbox.server";
import { outboxSubjectForCoordinators } from "~/models/outbox-preview.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt, formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { isErasedAddress } from "~/utils/erased-address";
import { roundTableName } from "~/utils/round-table-format";
import { emailTemplateLabel, OUTBOX_STATUS_LABELS } from "~/validation/labels";
import { outboxQuerySchema, retrySchema } from "~/validation/outbox-filters";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { ResultsStatus } from "~/components/results-status";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";
import { MailServerProblemNotice } from "~/components/mail-server-problem";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Posta in uscita") }];

/**
 * The Tavoli of the filter, named as coordinators know them; the value stays the internal id of the
 * URL (?tavolo=). The date tells apart those without a number and those sharing one (a cancelled
 * Tavolo and the meeting proposed again under its number).
 */
function roundTableOptions(rows: { id: number; number: number | null; title: string; startsAt: Date }[]) {
  const shared = (n: number | null) => n === null || rows.filter((rt) => rt.number === n).length > 1;
  return rows.map((rt) => ({
    value: String(rt.id),
    label: shared(rt.number) ? `${roundTableName(rt)} (${formatDateIt(rt.startsAt)})` : roundTableName(rt),
  }));
}

/** The filters of the page's query string (?stato=&modello=&destinatario=&tavolo=&comunicazione=). */
function filtersOf(url: URL): { filters: OutboxFilters; page: number; filtered: boolean } {
  const query = outboxQuerySchema.parse(Object.fromEntries(url.searchParams));
  const filters = {
    status: query.stato,
    template: query.modello,
    recipient: query.destinatario,
    roundTableId: query.tavolo,
    communicationId: query.comunicazione,
  };
  return { filters, page: query.pagina, filtered: Object.entries(filters).some(([key, v]) => v !== undefined && key !== "status") };
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const { filters, page, filtered } = filtersOf(new URL(request.url));
  const db = getDb();
  const result = listOutbox(db, { filters, page });
  const retries = listManualRetries(db, { ids: result.rows.map((r) => r.id) });
  const env = getEnv();
  return json({
    ...result,
    page,
    // «Riprova tutte»: the failed emails matching the filters, on every page.
    failedMatching: countFailedEmails(db, { filters }),
    filtered,
    counts: countOutboxByStatus(db),
    mailServerProblem: findMailServerProblem(db),
    templates: listOutboxTemplates(db)
      .map((t) => ({ value: t, label: emailTemplateLabel(t) }))
      .sort((a, b) => a.label.localeCompare(b.label, "it")),
    roundTables: roundTableOptions(listOutboxRoundTables(db)),
    communications: listOutboxCommunications(db).map((c) => ({
      value: String(c.id),
      label: c.sentAt ? `${c.subject} (${formatDateIt(c.sentAt)})` : c.subject,
    })),
    rows: result.rows.map((r) => ({
      id: r.id,
      recipient: r.recipient,
      // The subject of a sign-in code email holds the code: hidden, as in the message itself. Not
      // stored until sent: until then computed from the props, through the same redaction.
      subject: outboxSubjectForCoordinators(r, env),
      templateLabel: emailTemplateLabel(r.template),
      status: r.status,
      attempts: r.attempts,
      lastError: r.lastError,
      createdAt: formatDateTimeIt(r.createdAt),
      sentAt: r.sentAt ? formatDateTimeIt(r.sentAt) : null,
      nextAttemptAt: r.status === "queued" ? formatDateTimeIt(r.nextAttemptAt) : null,
      manualRetry: manualRetryText(retries.get(r.id)),
    })),
  });
}

/** ?riprovate= after «Riprova tutte» found no failed email left to retry. */
const NONE_LEFT = "nessuna";

/** What ?riprovate= says when nothing was requeued: no box ticked, or none left for «Riprova tutte». */
const RETRIED_NOTHING = new Map([
  ["0", "Nessun messaggio rimesso in coda: seleziona messaggi non recapitati."],
  [NONE_LEFT, "Nessuna email da ritentare: nel frattempo sono già state rimesse in coda."],
]);

export async function action({ request }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const back = new URL(request.url);
  back.searchParams.delete("riprovate");
  if (formData.get("intent") === "tutte") {
    // Without JavaScript «Seleziona tutte» cannot tick the boxes: this retries what the filters show, every page.
    const retried = retryFailedEmailsMatching(getDb(), { filters: filtersOf(back).filters, coordinatorId: coordinator.id });
    if (retried > 0) wakeOutboxWorker();
    // None left (retried meanwhile, from another tab or by someone else): not «seleziona messaggi».
    back.searchParams.set("riprovate", retried > 0 ? String(retried) : NONE_LEFT);
    return redirect(`${back.pathname}${back.search}`);
  }
  const parsed = retrySchema.safeParse({ ids: formData.getAll("ids") });
  if (!parsed.success) {
    back.searchParams.set("riprovate", "0");
    return redirect(`${back.pathname}${back.search}`);
  }
  const retried = retryFailedEmails(getDb(), { ids: parsed.data.ids, coordinatorId: coordinator.id });
  wakeOutboxWorker();
  back.searchParams.set("riprovate", retried > 0 ? String(retried) : NONE_LEFT);
  return redirect(`${back.pathname}${back.search}`);
}

/** «ritentata manualmente il 28/11/2026 05:10» (and how many times): from the log of the retries. */
function manualRetryText(retry: { count: number; lastAt: Date } | undefined) {
  if (!retry) return null;
  const times = retry.count === 1 ? "" : ` (${retry.count} volte)`;
  return `ritentata manualmente il ${formatDateTimeIt(retry.lastAt)}${times}`;
}

export default function OutboxPage() {
  const formAction = useIndexFormAction();
  const { rows, total, page, pageCount, counts, templates, roundTables, communications, failedMatching, filtered, mailServerProblem } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const emptyText = filtered || searchParams.get("stato") ? "Nessun messaggio corrisponde ai filtri." : "Non ci sono ancora messaggi nella posta in uscita.";
  const resultsText = `${total === 1 ? "Un messaggio" : `${formatCount(total)} messaggi`} - pagina ${page} di ${pageCount}`;
  const retried = searchParams.get("riprovate");
  const pageHref = (n: number) => {
    const params = new URLSearchParams(searchParams);
    params.delete("riprovate");
    params.set("pagina", String(n));
    return `?${params}`;
  };
  const hasFailed = rows.some((r) => r.status === "failed");
  const hydrated = useHydrated();
  const formRef = useRef<HTMLFormElement>(null);
  const selectAll = (checked: boolean) => {
    for (const box of formRef.current?.querySelectorAll<HTMLInputElement>('input[name="ids"]') ?? []) box.checked = checked;
  };

  return (
    <>
      <h1>Posta in uscita</h1>
      <p>Ogni email del portale, con il suo stato di consegna. I messaggi non recapitati per errori temporanei vengono ritentati da soli.</p>
      <MailServerProblemNotice problem={mailServerProblem} />
      {retried !== null && (RETRIED_NOTHING.has(retried) || /^[1-9]\d{0,6}$/.test(retried)) ? (
        <div className={`alert ${RETRIED_NOTHING.has(retried) ? "alert-warning" : "alert-success"}`} role="status" data-outcome>
          {RETRIED_NOTHING.get(retried) ??
            `${retried === "1" ? "Un messaggio è stato rimesso" : `${retried} messaggi sono stati rimessi`} in coda per un nuovo invio.`}
        </div>
      ) : null}

      <ul className="list-inline" aria-label="Messaggi per stato">
        {OUTBOX_STATUSES.map((status) => (
          <li key={status} className="list-inline-item me-4">
            <Link to={`?stato=${status}`}>
              {OUTBOX_STATUS_LABELS[status]}: <strong>{counts[status]}</strong>
            </Link>
          </li>
        ))}
      </ul>

      <Form method="get" className="border rounded p-3 mb-4" aria-labelledby="posta-filtri">
        <h2 id="posta-filtri" className="h5">
          Filtra i messaggi
        </h2>
        <div className="row">
          <div className="col-md-4">
            <SelectField
              name="stato"
              label="Stato"
              placeholder="Tutti"
              defaultValue={searchParams.get("stato") ?? ""}
              options={OUTBOX_STATUSES.map((s) => ({ value: s, label: OUTBOX_STATUS_LABELS[s] }))}
            />
          </div>
          <div className="col-md-4">
            <SelectField name="modello" label="Tipo di email" placeholder="Tutti" defaultValue={searchParams.get("modello") ?? ""} options={templates} />
          </div>
          <div className="col-md-4">
            <TextField name="destinatario" label="Destinatario" defaultValue={searchParams.get("destinatario") ?? ""} />
          </div>
          <div className="col-md-6">
            <SelectField name="tavolo" label="Tavolo tecnico" placeholder="Tutti" defaultValue={searchParams.get("tavolo") ?? ""} options={roundTables} />
          </div>
          <div className="col-md-6">
            <SelectField
              name="comunicazione"
              label="Comunicazione"
              placeholder="Tutte"
              defaultValue={searchParams.get("comunicazione") ?? ""}
              options={communications}
            />
          </div>
        </div>
        <button type="submit" className="btn btn-primary">
          Filtra
        </button>{" "}
        <Link to="/admin/posta" className="btn btn-link">
          Azzera filtri
        </Link>
      </Form>

      <ResultsStatus>{total === 0 ? emptyText : `Posta in uscita: ${resultsText}`}</ResultsStatus>
      <Form method="post" action={formAction} ref={formRef}>
        <AuthenticityTokenInput name="csrf" />
        <TableScroll>
          <table className="table">
            <TableCaption>{resultsText}</TableCaption>
            <thead>
              <tr>
                <th scope="col">
                  {/* Ticks the boxes of the page: only once the page's script runs (without it, «Riprova tutte» below). */}
                  {hydrated && hasFailed ? (
                    <input
                      type="checkbox"
                      id="seleziona-tutte"
                      aria-label="Seleziona tutte le email non consegnate di questa pagina"
                      title="Seleziona tutte"
                      onChange={(event) => selectAll(event.currentTarget.checked)}
                    />
                  ) : (
                    <span className="visually-hidden">Selezione</span>
                  )}
                </th>
                <th scope="col">Destinatario</th>
                <th scope="col">Oggetto</th>
                <th scope="col">Tipo</th>
                <th scope="col">Stato</th>
                <th scope="col">Tentativi</th>
                <th scope="col">Ultimo errore</th>
                <th scope="col">Creata</th>
                <th scope="col">Inviata</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={9}>{emptyText}</td>
                </tr>
              ) : (
                rows.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.status === "failed" && !isErasedAddress(r.recipient) ? (
                        <input type="checkbox" name="ids" value={r.id} id={`email-${r.id}`} aria-label={`Seleziona il messaggio a ${r.recipient}`} />
                      ) : null}
                    </td>
                    <td>{r.recipient}</td>
                    <td>
                      <Link to={`/admin/posta/${r.id}`}>{r.subject ?? `${r.templateLabel} (${OUTBOX_STATUS_LABELS[r.status].toLowerCase()})`}</Link>
                    </td>
                    <td className="small">{r.templateLabel}</td>
                    <td>
                      {OUTBOX_STATUS_LABELS[r.status]}
                      {r.nextAttemptAt ? <div className="small">prossimo tentativo: {r.nextAttemptAt}</div> : null}
                      {r.manualRetry ? <div className="small">{r.manualRetry}</div> : null}
                    </td>
                    <td>{r.attempts}</td>
                    <td className="small text-break">{r.lastError ?? "—"}</td>
                    <td className="small">{r.createdAt}</td>
                    <td className="small">{r.sentAt ?? "—"}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </TableScroll>
        <div className="d-flex flex-wrap gap-2">
          {hasFailed ? (
            <button type="submit" className="btn btn-primary">
              Riprova i selezionati
            </button>
          ) : null}
          {failedMatching > 0 ? (
            <button type="submit" name="intent" value="tutte" className="btn btn-outline-primary">
              {failedMatching === 1
                ? `Riprova l'email non consegnata${filtered ? " che corrisponde ai filtri" : ""}`
                : `Riprova tutte le ${formatCount(failedMatching)} email non consegnate${filtered ? " che corrispondono ai filtri" : ""}`}
            </button>
          ) : null}
        </div>
      </Form>

      {pageCount > 1 ? (
        <nav aria-label="Paginazione" className="mt-3">
          <ul className="pagination">
            {page > 1 ? (
              <li className="page-item">
                <Link className="page-link" to={pageHref(page - 1)}>
                  Pagina precedente
                </Link>
              </li>
            ) : null}
            <li className="page-item">
              <span className="page-link" aria-current="page">
                Pagina {page} di {pageCount}
              </span>
            </li>
            {page < pageCount ? (
              <li className="page-item">
                <Link className="page-link" to={pageHref(page + 1)}>
                  Pagina successiva
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </>
  );
}
