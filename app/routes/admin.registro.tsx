import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SelectField, TextField } from "~/components/form-fields";
import { CurrentPage, PageStep } from "~/components/pagination";
import { getAuditFilterOptions, listAuditEntries, parseAuditQuery } from "~/models/audit.server";
import { auditRecordNames } from "~/models/audit-record-names.server";
import { provinceNamesByCode } from "~/models/territory.server";
import {
  auditActionTitle,
  auditDetailPairs,
  auditEntityHref,
  auditRecordLabel,
  formatAuditTime,
} from "~/utils/audit-labels";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { ResultsStatus } from "~/components/results-status";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Registro attività") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const { filters, page, dateProblems } = parseAuditQuery(new URL(request.url).searchParams);
  const result = listAuditEntries(db, { filters, page });
  return json({ filters, dateProblems, ...result, options: getAuditFilterOptions(db), provinceNames: provinceNamesByCode(db), recordNames: auditRecordNames(db, { entries: result.entries }) });
}


export default function AuditLogPage() {
  const { filters, dateProblems, entries, total, page, pageCount, options, provinceNames, recordNames } = useLoaderData<typeof loader>();
  const actionOptions = [...new Set([...options.actions, ...(filters.action ? [filters.action] : [])])]
    .map((value) => ({ value, label: auditActionTitle(value) }))
    .sort((a, b) => a.label.localeCompare(b.label, "it"));
  const actorOptions = [
    ...options.coordinators.map((c) => ({ value: String(c.id), label: `${c.name} (${c.email})` })),
    { value: "sistema", label: "Sistema" },
    { value: "pubblico", label: "Pubblico o referente" },
  ];
  const filtered = Object.values(filters).some(Boolean);

  const pageHref = (n: number) => {
    const params = new URLSearchParams();
    if (filters.action) params.set("azione", filters.action);
    if (filters.actor) params.set("chi", filters.actor);
    if (filters.from) params.set("dal", filters.from);
    if (filters.to) params.set("al", filters.to);
    if (filters.q) params.set("q", filters.q);
    if (n > 1) params.set("pagina", String(n));
    const query = params.toString();
    return query ? `/admin/registro?${query}` : "/admin/registro";
  };

  return (
    <>
      <h1>Registro attività</h1>
      <p>Chi ha fatto cosa, su quale record e quando. Gli orari sono quelli italiani.</p>

      <Form method="get" className="border rounded p-3 mb-4" aria-labelledby="filters-title">
        <h2 id="filters-title" className="h5">
          Filtra il registro
        </h2>
        <div className="row">
          <SelectField
            className="col-md-6 col-xl-3"
            name="azione"
            label="Azione"
            placeholder="Tutte le azioni"
            options={actionOptions}
            defaultValue={filters.action ?? ""}
          />
          <SelectField
            className="col-md-6 col-xl-3"
            name="chi"
            label="Chi"
            placeholder="Chiunque"
            options={actorOptions}
            defaultValue={filters.actor ?? ""}
          />
          <TextField className="col-md-3 col-xl-2" name="dal" label="Dal" type="date" defaultValue={filters.from ?? ""} error={dateProblems.dal} />
          <TextField className="col-md-3 col-xl-2" name="al" label="Al" type="date" defaultValue={filters.to ?? ""} error={dateProblems.al} />
          <TextField
            className="col-md-6 col-xl-2"
            name="q"
            label="Cerca"
            type="search"
            hint="Nei dettagli, nel numero del record e nel nome dell'ente, della persona o del Tavolo tecnico"
            defaultValue={filters.q ?? ""}
          />
        </div>
        <div className="d-flex gap-3 align-items-center">
          <button type="submit" className="btn btn-primary">
            Filtra
          </button>
          {filtered ? <Link to="/admin/registro">Togli i filtri</Link> : null}
        </div>
      </Form>

      <ResultsStatus visible>
        {total === 0
          ? "Nessuna voce corrisponde ai filtri."
          : `${formatCount(total)} ${total === 1 ? "voce" : "voci"}${pageCount > 1 ? `, pagina ${page} di ${pageCount}` : ""}.`}
      </ResultsStatus>

      {entries.length > 0 ? (
        <TableScroll>
          <table className="table table-sm align-top">
            <TableCaption className="visually-hidden">Voci del registro attività, dalla più recente</TableCaption>
            <thead>
              <tr>
                <th scope="col">Data e ora</th>
                <th scope="col">Chi</th>
                <th scope="col">Azione</th>
                <th scope="col">Oggetto</th>
                <th scope="col">Dettagli</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const href = auditEntityHref(e.entityType, e.entityId);
                const record = auditRecordLabel(e.entityType, e.entityId, { recordNames });
                const details = auditDetailPairs(e.details, { provinceNames, recordNames });
                return (
                  <tr key={e.id}>
                    <td className="text-nowrap">
                      <time dateTime={e.createdAt}>{formatAuditTime(e.createdAt)}</time>
                    </td>
                    <td>{e.actorName}</td>
                    <td>{auditActionTitle(e.action)}</td>
                    <td>{href ? <Link to={href}>{record}</Link> : record}</td>
                    <td>
                      {details.length === 0 ? (
                        "—"
                      ) : (
                        <ul className="list-unstyled mb-0 small">
                          {details.map((p, i) => (
                            <li key={i}>
                              <span className="fw-semibold">{p.key}:</span> {p.value}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      ) : null}

      {pageCount > 1 ? (
        <nav aria-label="Pagine del registro" className="pagination-wrapper">
          <ul className="pagination">
            <PageStep to={page > 1 ? pageHref(page - 1) : null}>Precedente</PageStep>
            <CurrentPage page={page} pageCount={pageCount} className="page-item active" />
            <PageStep to={page < pageCount ? pageHref(page + 1) : null}>Successiva</PageStep>
          </ul>
        </nav>
      ) : null}
    </>
  );
}
