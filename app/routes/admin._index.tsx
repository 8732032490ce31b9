import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CategoryTable } from "~/components/category-table";
import { getDashboard, type Dashboard, type ProvinceCoverage } from "~/models/dashboard.server";
import { auditRecordNames } from "~/models/audit-record-names.server";
import { findMailServerProblem } from "~/models/outbox.server";
import { MailServerProblemNotice } from "~/components/mail-server-problem";
import { auditActionLabel, auditEntityHref, auditRecordLabel, formatAuditTime } from "~/utils/audit-labels";
import { requireCoordinator } from "~/utils/auth.server";
import { formatIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";
import { FIRST_COORDINATOR_NAME } from "~/validation/coordinator";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Panoramica") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const db = getDb();
  const dashboard = getDashboard(db, { now: new Date(), regions: getEnv().regions });
  return json({
    ...dashboard,
    // Invitations to other coordinators and the log name the person: «Amministratore ti ha invitato».
    unnamed: coordinator.name === FIRST_COORDINATOR_NAME,
    recordNames: auditRecordNames(db, { entries: dashboard.latestActivity }),
    mailServerProblem: findMailServerProblem(db),
  });
}

const oneDecimal = new Intl.NumberFormat("it-IT", { minimumFractionDigits: 0, maximumFractionDigits: 1 });
const percent = (value: number) => `${oneDecimal.format(value)}%`;

function waitingFor(days: number) {
  if (days === 0) return "in attesa da oggi";
  return days === 1 ? "in attesa da 1 giorno" : `in attesa da ${formatCount(days)} giorni`;
}

export default function AdminOverview() {
  const d = useLoaderData<typeof loader>();
  const figures = [
    { label: "Richieste in attesa di approvazione", value: d.pendingCount },
    { label: "Schede con email da confermare", value: d.emailUnverifiedCount },
    { label: "Enti aderenti", value: d.approvedBodies },
    { label: "Progetti SAI attivi", value: d.projects },
    { label: "Posti finanziati", value: d.places },
  ];
  return (
    <>
      <h1>Panoramica</h1>

      {/* One card a row on a phone: two side by side broke "approvazione" and "confermare" mid-word. */}
      <ul className="row list-unstyled g-3 my-3" aria-label="Dati principali">
        {figures.map((f) => (
          <li key={f.label} className="col-12 col-sm-6 col-md-4 col-xl">
            <div className="card shadow-sm h-100 border rounded">
              <div className="card-body">
                <p className="h2 mb-1">{formatCount(f.value)}</p>
                <p className="mb-0">{f.label}</p>
              </div>
            </div>
          </li>
        ))}
      </ul>

      {d.unnamed ? (
        <p className="alert alert-info my-4">
          Nel portale ti chiami ancora «{FIRST_COORDINATOR_NAME}»: così ti nominano gli inviti ai coordinatori e il registro.{" "}
          <Link to="/admin/account">Indica il tuo nome in Il mio account</Link>.
        </p>
      ) : null}
      <MailServerProblemNotice problem={d.mailServerProblem} />
      <FailedEmails count={d.failedEmails} />

      <section aria-labelledby="waiting-title" className="my-5">
        <h2 id="waiting-title">Richieste in attesa</h2>
        {d.waiting.length === 0 ? (
          <p>Nessuna richiesta in attesa di approvazione.</p>
        ) : (
          <ul>
            {d.waiting.map((w) => (
              <li key={w.id}>
                <Link to={`/admin/adesioni/${w.id}`}>{w.bodyName}</Link>
                {w.kind === "handover" ? " (subentro)" : ""}: {waitingFor(w.ageDays)}
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to="/admin/adesioni?stato=pending">
            Tutte le richieste in attesa ({formatCount(d.pendingCount)})
          </Link>
        </p>
      </section>

      <section aria-labelledby="categories-title" className="my-5">
        <h2 id="categories-title">Progetti e posti per tipologia</h2>
        <p>Progetti SAI attivi degli enti aderenti.</p>
        <TableScroll>
          <CategoryTable
            rows={d.byCategory}
            caption="Progetti e posti finanziati per tipologia"
            captionClassName="visually-hidden"
            className="table table-sm"
            style={{ maxWidth: "48rem" }}
            formatNumber={formatCount}
            total={{ projects: d.projects, places: d.places }}
          />
        </TableScroll>
      </section>

      <OverdueProjects overdue={d.overdueProjects} />

      <section aria-labelledby="coverage-title" className="my-5">
        <h2 id="coverage-title">Copertura per provincia</h2>
        <p>
          Comuni aderenti al Coordinamento rispetto ai comuni di ogni provincia: in tutto{" "}
          {formatCount(d.coverageTotal.memberComuni)} su {formatCount(d.coverageTotal.comuni)} (
          {percent(d.coverageTotal.percentage)}).
        </p>
        <CoverageChart coverage={d.coverage} />
        <TableScroll className="mt-3">
          <table className="table table-sm" style={{ maxWidth: "48rem" }}>
            <TableCaption>Copertura per provincia: comuni aderenti e comuni della provincia</TableCaption>
            <thead>
              <tr>
                <th scope="col">Provincia</th>
                <th scope="col" className="text-end">
                  Comuni
                </th>
                <th scope="col" className="text-end">
                  Comuni aderenti
                </th>
                <th scope="col" className="text-end">
                  {/* On a phone "Copertura", the widest word of the header, would push the table past the
                      screen (WCAG 1.4.10): there the column shows "%" and screen readers still hear its name. */}
                  <span className="d-none d-sm-inline">Copertura %</span>
                  <span className="d-sm-none">
                    <span aria-hidden="true">%</span>
                    <span className="visually-hidden">Copertura %</span>
                  </span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.coverage.map((p) => (
                <tr key={p.code}>
                  <th scope="row">
                    {p.name} ({p.sigla})
                  </th>
                  <td className="text-end">{formatCount(p.comuni)}</td>
                  <td className="text-end">{formatCount(p.memberComuni)}</td>
                  <td className="text-end">{percent(p.percentage)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Totale</th>
                <td className="text-end">{formatCount(d.coverageTotal.comuni)}</td>
                <td className="text-end">{formatCount(d.coverageTotal.memberComuni)}</td>
                <td className="text-end">{percent(d.coverageTotal.percentage)}</td>
              </tr>
            </tfoot>
          </table>
        </TableScroll>
      </section>

      <section aria-labelledby="activity-title" className="my-5">
        <h2 id="activity-title">Attività recenti</h2>
        {d.latestActivity.length === 0 ? (
          <p>Nessuna attività registrata.</p>
        ) : (
          <ul className="list-unstyled">
            {d.latestActivity.map((e) => {
              const href = auditEntityHref(e.entityType, e.entityId);
              const record = auditRecordLabel(e.entityType, e.entityId, { recordNames: d.recordNames });
              return (
                <li key={e.id} className="mb-2">
                  <time dateTime={e.createdAt}>{formatAuditTime(e.createdAt)}</time>: <strong>{e.actorName}</strong>{" "}
                  {auditActionLabel(e.action)}
                  {e.entityType && e.entityId ? (
                    <>
                      {": "}
                      {href ? <Link to={href}>{record}</Link> : record}
                    </>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
        <p>
          <Link to="/admin/registro">Tutto il registro delle attività</Link>
        </p>
      </section>
    </>
  );
}

function FailedEmails({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <section aria-labelledby="failed-emails-title" className="my-5">
      <h2 id="failed-emails-title">Email non consegnate</h2>
      <p>
        {count === 1
          ? "1 email non è stata consegnata: il server di posta l'ha rifiutata o non ha risposto dopo più tentativi."
          : `${formatCount(count)} email non sono state consegnate: il server di posta le ha rifiutate o non ha risposto dopo più tentativi.`}{" "}
        Nella posta in uscita trovi l'errore di ciascuna; dopo aver corretto l'indirizzo o la configurazione puoi riprovare l'invio.
      </p>
      <p>
        <Link to="/admin/posta?stato=failed">{count === 1 ? "Vedi l'email non consegnata" : `Vedi le ${formatCount(count)} email non consegnate`}</Link>
      </p>
    </section>
  );
}

function OverdueProjects({ overdue }: { overdue: Dashboard["overdueProjects"] }) {
  if (overdue.total === 0) return null;
  const more = overdue.total - overdue.items.length;
  return (
    <section aria-labelledby="overdue-title" className="my-5">
      <h2 id="overdue-title">Progetti da aggiornare</h2>
      <p>
        {overdue.total === 1
          ? "1 progetto aperto ha superato la data di fine: non è contato tra i progetti attivi qui sopra e nella home page, ma finché non viene chiuso l'ente riceve ancora inviti e comunicazioni per la sua tipologia. Se è stato prorogato va aggiornata la data di fine, altrimenti va chiuso"
          : `${formatCount(overdue.total)} progetti aperti hanno superato la data di fine: non sono contati tra i progetti attivi qui sopra e nella home page, ma finché non vengono chiusi gli enti ricevono ancora inviti e comunicazioni per la loro tipologia. Se sono stati prorogati va aggiornata la data di fine, altrimenti vanno chiusi`}
        : dalla pagina dell'ente o dal referente nella sua area.
      </p>
      <ul>
        {overdue.items.map((p) => (
          <li key={p.projectId}>
            <Link to={`/admin/adesioni/${p.requestId}#progetti`}>{p.bodyName}</Link>: {SAI_CATEGORY_LABELS[p.category]}
            {p.projectCode ? ` ${p.projectCode}` : ""}, terminato il {formatIsoDay(p.endDate)}
          </li>
        ))}
      </ul>
      {more > 0 ? <p>{more === 1 ? "E un altro progetto." : `E altri ${formatCount(more)} progetti.`}</p> : null}
    </section>
  );
}

// A horizontal bar per province: its name, a bar as long as the share of its comuni that are members,
// and the figures written beside it. Plain HTML and CSS (app.css, .coverage-chart), so the text keeps
// the page's size at every width; on a phone the bar goes under the name. The table below holds the
// same figures with their headings, and is what screen readers read: the chart is hidden from them
// rather than read twice.
function CoverageChart({ coverage }: { coverage: ProvinceCoverage[] }) {
  return (
    <div className="coverage-chart" aria-hidden="true">
      {coverage.map((p) => (
        <div key={p.code} className="coverage-chart-row">
          <span className="coverage-chart-name">{p.name}</span>
          <span className="coverage-chart-value">
            {percent(p.percentage)} ({formatCount(p.memberComuni)} su {formatCount(p.comuni)})
          </span>
          <span className="coverage-chart-bar">
            <span className="coverage-chart-fill" style={{ width: `${Math.min(100, Math.max(0, p.percentage))}%` }} />
          </span>
        </div>
      ))}
    </div>
  );
}
