import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from "@remix-run/node";
import type { FormEvent } from "react";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ErrorSummary, FieldMessages, SelectField, TextField, describedBy } from "~/components/form-fields";
import { Pagination } from "~/components/pagination";
import { useServerErrorSummaryFocus } from "~/components/use-validated-form";
import {
  findRequestSummaries,
  listMembershipRequests,
} from "~/models/membership-list.server";
import { approveMemberships, sittingReferentIds } from "~/models/membership-review.server";
import { listProvinceOptions } from "~/models/territory.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt } from "~/utils/dates";
import { displayPhone } from "~/utils/phone-display.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import type { FormErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { plural } from "~/utils/text";
import { MEMBER_BODY_KIND_LABELS, SAI_CATEGORY_LABELS } from "~/validation/labels";
import { parseShownReferents, shownReferentFieldOf, shownReferentValue } from "~/validation/membership-decision";
import {
  bulkApproveSchema,
  DEFAULT_DIRECTION,
  MEMBERSHIP_KIND_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  membershipListSearchParams,
  NO_PROVINCE,
  parseBulkApproveOutcome,
  parseMembershipListParams,
  queryString,
  type MembershipFilters,
  type MembershipSort,
  type SortKey,
} from "~/validation/membership-filters";
import { MEMBERSHIP_KINDS, MEMBERSHIP_STATUSES, SAI_CATEGORIES } from "#db/enums";
import { ResultsStatus } from "~/components/results-status";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Adesioni") }];

const DAY_MS = 24 * 60 * 60 * 1000;

function waitingFor(since: Date, now: Date) {
  const days = Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS));
  if (days === 0) return "in attesa da oggi";
  return `in attesa da ${days} ${days === 1 ? "giorno" : "giorni"}`;
}

const NOT_PENDING = "si possono approvare solo le richieste confermate e in attesa di approvazione";

/** The result of a bulk approval, from the query string of the redirect. */
function describeOutcome(searchParams: URLSearchParams) {
  const outcome = parseBulkApproveOutcome(searchParams);
  if (!outcome) return null;
  const found = new Map(findRequestSummaries(getDb(), { ids: outcome.failedIds }).map((r) => [r.id, r]));
  const failures = outcome.failedIds.map((id) => {
    const r = found.get(id);
    if (!r) return `Richiesta n. ${id}: richiesta non trovata.`;
    const reason =
      r.status !== "pending"
        ? `${NOT_PENDING} (stato attuale: ${MEMBERSHIP_STATUS_LABELS[r.status].toLowerCase()})`
        : r.kind === "handover"
          ? "ora è un cambio di referente, perché per l'ente è stata approvata un'altra richiesta: aprila per decidere se sostituire il referente"
          : "l'approvazione non è riuscita, riprova dalla pagina della richiesta";
    return `${r.bodyName} (richiesta n. ${id}): ${reason}.`;
  });
  return { approved: outcome.approved, failures };
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const url = new URL(request.url);
  const provinces = listProvinceOptions(db);
  const { filters, sort, page } = parseMembershipListParams(url.searchParams);
  if (filters.provinceCode && filters.provinceCode !== NO_PROVINCE && !provinces.some((p) => p.code === filters.provinceCode)) delete filters.provinceCode;
  const list = listMembershipRequests(db, { filters, sort, page });
  const now = new Date();
  // The approval names the referente in office the list was shown with: refused if another has taken office since.
  const sitting = sittingReferentIds(db, { memberBodyIds: list.rows.filter((r) => r.status === "pending").map((r) => r.body.id) });
  const rows = list.rows.map((r) => ({
    id: r.id,
    status: r.status,
    statusLabel: MEMBERSHIP_STATUS_LABELS[r.status],
    kindLabel: MEMBERSHIP_KIND_LABELS[r.kind],
    waiting: r.status === "pending" ? waitingFor(r.confirmedAt ?? r.createdAt, now) : null,
    bodyName: r.body.name,
    bodyKindLabel: MEMBER_BODY_KIND_LABELS[r.body.kind],
    comune: r.comune,
    provinceSigla: r.province?.sigla ?? null,
    referentName: `${r.referent.firstName} ${r.referent.lastName}`,
    email: r.referent.email,
    phone: displayPhone(r.referent.phone) ?? "",
    openProjects: r.openProjects,
    fundedPlaces: r.fundedPlaces,
    createdAt: r.createdAt.toISOString(),
    createdAtLabel: formatDateIt(r.createdAt),
    shownReferent: shownReferentValue(sitting.get(r.body.id) ?? null),
  }));
  return json({
    rows,
    total: list.total,
    countsByStatus: list.countsByStatus,
    page: list.page,
    pageCount: list.pageCount,
    filters,
    sort,
    provinces,
    outcome: describeOutcome(url.searchParams),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const parsed = bulkApproveSchema.safeParse({ ids: formData.getAll("ids") });
  if (!parsed.success) {
    // Whatever is wrong (nothing ticked, too many, a tampered value), it is the selection's fault.
    return json<FormErrors>({ errors: { ids: parsed.error.issues[0].message } }, { status: 400 });
  }
  const { ids } = parsed.data;
  const result = approveMemberships(getDb(), { ids, coordinatorId: coordinator.id, appUrl: getEnv().appUrl, shownReferents: parseShownReferents(formData, ids) });
  if (result.approved.length > 0) wakeOutboxWorker();

  // Back to the same view of the list (filters, sort, page), with the outcome in the query string.
  const params = membershipListSearchParams(parseMembershipListParams(new URL(request.url).searchParams));
  params.set("approvate", String(result.approved.length));
  if (result.failed.length > 0) params.set("non_approvate", result.failed.map((f) => f.id).join(","));
  return redirect(`/admin/adesioni?${params}`);
}

type LoaderData = SerializeFrom<typeof loader>;

const listUrl = (args: { filters?: MembershipFilters; sort?: MembershipSort; page?: number }) =>
  `/admin/adesioni${queryString(membershipListSearchParams(args))}`;

const STATUS_OPTIONS = MEMBERSHIP_STATUSES.map((s) => ({ value: s, label: MEMBERSHIP_STATUS_LABELS[s] }));
const CATEGORY_OPTIONS = SAI_CATEGORIES.map((c) => ({ value: c, label: SAI_CATEGORY_LABELS[c] }));
const KIND_OPTIONS = MEMBERSHIP_KINDS.map((k) => ({ value: k, label: MEMBERSHIP_KIND_LABELS[k] }));

// Excel opens a CSV by guessing each column's type and drops the leading zeros of a codice fiscale
// (00123456789): the .xlsx file stores them as text.
const CSV_IN_EXCEL_HINT = "Per lavorare con Excel scegli «Esporta Excel»: aprendo il CSV, Excel toglie gli zeri iniziali dei codici fiscali.";

const EXPORT_NOTE = "Le esportazioni contengono le richieste che corrispondono ai filtri scelti qui sopra, anche prima di premere «Filtra» (senza filtri, tutte le richieste).";

/**
 * With JavaScript, Remix would turn an export button's submission into a client-side navigation to
 * a route with no page: the file is asked for as a plain download instead, with the fields as they
 * are. Without JavaScript the browser sends the form to the button's formAction by itself.
 */
function downloadWithoutNavigating(event: FormEvent<HTMLFormElement>) {
  const submitter = (event.nativeEvent as SubmitEvent).submitter;
  const target = submitter?.getAttribute("formaction");
  if (!target) return;
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(event.currentTarget)) if (typeof value === "string") params.append(name, value);
  window.location.assign(`${target}?${params}`);
}

export default function MembershipList() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const location = useLocation();
  const { rows, total, countsByStatus, page, pageCount, filters, sort } = data;
  const hasFilters = Object.keys(filters).length > 0;
  const emptyListText = hasFilters ? "Nessuna richiesta corrisponde ai filtri scelti." : "Non ci sono ancora richieste di adesione.";
  const resultsText = `${plural(total, "risultato", "risultati")}, pagina ${page} di ${pageCount}`;
  const currentQuery = membershipListSearchParams({ filters, sort, page }).toString();
  const pendingOnPage = rows.filter((r) => r.status === "pending").length;
  const allStatusesTotal = Object.values(countsByStatus).reduce((sum, n) => sum + n, 0);
  const selectionError = actionData?.errors.ids;
  const summaryRef = useServerErrorSummaryFocus(actionData);
  // The summary leads to the first box to tick: the selection is a column of the table, not one field.
  const firstPending = rows.find((r) => r.status === "pending");

  return (
    <>
      <h1>Adesioni</h1>
      <Outcome outcome={data.outcome} />

      <nav aria-label="Riepilogo delle richieste" className="mb-4">
        <ul className="list-inline mb-0">
          <li className="list-inline-item me-3">
            <Link to={listUrl({ filters: { ...filters, status: undefined }, sort })} aria-current={!filters.status ? "true" : undefined}>
              Tutti gli stati <span className="badge bg-secondary">{allStatusesTotal}</span>
            </Link>
          </li>
          {MEMBERSHIP_STATUSES.map((s) => (
            <li className="list-inline-item me-3" key={s}>
              <Link to={listUrl({ filters: { ...filters, status: s }, sort })} aria-current={filters.status === s ? "true" : undefined}>
                {MEMBERSHIP_STATUS_LABELS[s]} <span className="badge bg-primary">{countsByStatus[s]}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <Form
        method="get"
        action="/admin/adesioni"
        key={location.search}
        className="mb-3"
        role="search"
        aria-label="Filtra le adesioni"
        onSubmit={downloadWithoutNavigating}
      >
        <div className="row">
          <SelectField
            className="col-md-6 col-lg-3"
            name="stato"
            label="Stato"
            options={STATUS_OPTIONS}
            placeholder="Tutti gli stati"
            defaultValue={filters.status ?? ""}
          />
          <SelectField
            className="col-md-6 col-lg-3"
            name="provincia"
            label="Provincia"
            options={[
              ...data.provinces.map((p) => ({ value: p.code, label: `${p.name} (${p.sigla})` })),
              { value: NO_PROVINCE, label: "Senza provincia (da completare)" },
            ]}
            placeholder="Tutte le province"
            defaultValue={filters.provinceCode ?? ""}
          />
          <SelectField
            className="col-md-6 col-lg-3"
            name="tipologia"
            label="Tipologia progetto"
            options={CATEGORY_OPTIONS}
            placeholder="Tutte le tipologie"
            defaultValue={filters.category ?? ""}
          />
          <SelectField
            className="col-md-6 col-lg-3"
            name="tipo"
            label="Tipo di richiesta"
            options={KIND_OPTIONS}
            placeholder="Tutti i tipi"
            defaultValue={filters.kind ?? ""}
          />
        </div>
        <div className="row align-items-start">
          <TextField
            className="col-lg-6"
            name="q"
            type="search"
            label="Cerca"
            hint="Ente, comune, nome, cognome o email del referente"
            defaultValue={filters.q ?? ""}
          />
          <div className="col-lg-6 d-flex flex-wrap align-items-center gap-3 mb-4">
            {sort.key !== "created" || sort.direction !== DEFAULT_DIRECTION.created ? (
              <>
                <input type="hidden" name="ordina" value={membershipListSearchParams({ sort }).get("ordina") ?? ""} />
                {membershipListSearchParams({ sort }).get("verso") ? <input type="hidden" name="verso" value={sort.direction} /> : null}
              </>
            ) : null}
            <button type="submit" className="btn btn-primary">
              Filtra
            </button>
            <Link to="/admin/adesioni">Azzera filtri</Link>
          </div>
        </div>
        {/* The exports submit this form, so they always hold what the fields show, even before «Filtra». */}
        <p className="text-muted mb-2">
          {EXPORT_NOTE} {CSV_IN_EXCEL_HINT}
        </p>
        <p className="d-flex flex-wrap gap-3">
          <button type="submit" className="btn btn-outline-primary btn-sm" formAction="/admin/adesioni/export.xlsx">
            Esporta Excel
          </button>
          <button type="submit" className="btn btn-outline-primary btn-sm" formAction="/admin/adesioni/export.csv">
            Esporta CSV
          </button>
        </p>
      </Form>

      <ResultsStatus>{rows.length === 0 ? emptyListText : `Richieste di adesione: ${resultsText}`}</ResultsStatus>
      {rows.length === 0 ? (
        <p className="alert alert-info">{emptyListText}</p>
      ) : (
        <Form method="post" action={`/admin/adesioni${currentQuery ? `?${currentQuery}` : ""}`}>
          <AuthenticityTokenInput name="csrf" />
          {selectionError ? (
            <ErrorSummary
              ref={summaryRef}
              errors={[{ name: firstPending ? `seleziona-${firstPending.id}` : "ids", message: selectionError }]}
              subject="Il modulo di approvazione"
            />
          ) : null}
          <TableScroll>
            <table className="table table-hover align-middle caption-top">
              <TableCaption>Richieste di adesione: {resultsText}</TableCaption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Selezione</span>
                  </th>
                  <SortableHeader label="Ente" sortKey="ente" data={data} />
                  <th scope="col">Comune</th>
                  <SortableHeader label="Provincia" sortKey="province" data={data} />
                  <th scope="col">Referente</th>
                  <th scope="col">Tipo di richiesta</th>
                  <th scope="col">Progetti aperti</th>
                  <SortableHeader label="Stato" sortKey="status" data={data} />
                  <SortableHeader label="Data richiesta" sortKey="created" data={data} />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.status === "pending" ? (
                        <>
                          <input
                            type="checkbox"
                            name="ids"
                            value={r.id}
                            id={`seleziona-${r.id}`}
                            aria-invalid={selectionError ? true : undefined}
                            aria-describedby={describedBy("ids", { error: selectionError })}
                          />
                          <label htmlFor={`seleziona-${r.id}`} className="visually-hidden">
                            Seleziona {r.bodyName}
                          </label>
                          <input type="hidden" name={shownReferentFieldOf(r.id)} value={r.shownReferent} />
                        </>
                      ) : null}
                    </td>
                    <th scope="row">
                      <Link to={`/admin/adesioni/${r.id}`}>{r.bodyName}</Link>
                      <br />
                      <small className="text-muted">{r.bodyKindLabel}</small>
                    </th>
                    <td>{r.comune ?? "—"}</td>
                    <td>{r.provinceSigla ?? "—"}</td>
                    <td>
                      {r.referentName}
                      <br />
                      <small>
                        <a href={`mailto:${r.email}`}>{r.email}</a>
                        {r.phone ? <> · <span className="text-nowrap">{r.phone}</span></> : null}
                      </small>
                    </td>
                    <td>{r.kindLabel}</td>
                    <td>
                      {r.openProjects === null || r.fundedPlaces === null ? (
                        <>
                          <span aria-hidden="true">—</span>
                          <span className="visually-hidden">Progetti dell&apos;ente nella sua richiesta attuale</span>
                        </>
                      ) : (
                        <>
                          {plural(r.openProjects, "progetto", "progetti")}
                          <br />
                          <small>{plural(r.fundedPlaces, "posto", "posti")}</small>
                        </>
                      )}
                    </td>
                    <td>
                      {r.statusLabel}
                      {r.waiting ? (
                        <>
                          <br />
                          <small className="text-muted">{r.waiting}</small>
                        </>
                      ) : null}
                    </td>
                    <td>
                      <time dateTime={r.createdAt}>{r.createdAtLabel}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {selectionError ? (
            <div className="form-field mb-3">
              <FieldMessages name="ids" error={selectionError} />
            </div>
          ) : null}
          {pendingOnPage > 0 ? (
            <button type="submit" className="btn btn-primary mb-4" disabled={submissionUnderWay(navigation)}>
              Approva selezionate
            </button>
          ) : null}
        </Form>
      )}

      {rows.length > 0 ? (
        <Pagination
          label="Paginazione"
          page={data.page}
          pageCount={data.pageCount}
          href={(page) => listUrl({ filters: data.filters, sort: data.sort, page })}
        />
      ) : null}
    </>
  );
}

function SortableHeader({ label, sortKey, data }: { label: string; sortKey: SortKey; data: LoaderData }) {
  const { filters, sort } = data;
  const active = sort.key === sortKey;
  const nextDirection = active ? (sort.direction === "asc" ? "desc" : "asc") : DEFAULT_DIRECTION[sortKey];
  const describe = (d: "asc" | "desc") =>
    sortKey === "created" ? (d === "asc" ? "dalla più vecchia" : "dalla più recente") : d === "asc" ? "in ordine crescente" : "in ordine decrescente";
  return (
    <th scope="col" aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}>
      {/* The name in one piece: a visually hidden span of its own was read «Ente , ordina…». */}
      <Link to={listUrl({ filters, sort: { key: sortKey, direction: nextDirection } })} aria-label={`${label}, ordina ${describe(nextDirection)}`}>
        {label}
        {active ? <span aria-hidden="true">{sort.direction === "asc" ? " ▲" : " ▼"}</span> : null}
      </Link>
    </th>
  );
}

function Outcome({ outcome }: { outcome: LoaderData["outcome"] }) {
  if (!outcome) return null;
  return (
    <div className={`alert ${outcome.failures.length ? "alert-warning" : "alert-success"}`} role="status" data-outcome>
      <p className={outcome.failures.length ? "" : "mb-0"}>
        {outcome.approved === 0
          ? "Nessuna richiesta è stata approvata."
          : outcome.approved === 1
            ? "1 richiesta approvata: il referente riceverà un'email di conferma."
            : `${outcome.approved} richieste approvate: i referenti riceveranno un'email di conferma.`}
      </p>
      {outcome.failures.length ? (
        <>
          <p className="mb-1">{outcome.failures.length === 1 ? "Non approvata:" : `Non approvate (${outcome.failures.length}):`}</p>
          <ul className="mb-0">
            {outcome.failures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
