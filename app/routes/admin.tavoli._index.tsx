import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Pagination } from "~/components/pagination";
import { listRoundTablesForAdmin } from "~/models/round-table.server";
import { requireCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { ROUND_TABLE_MODE_LABELS, roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableWhen } from "~/utils/round-table-format";
import { pageHref, pageParam } from "~/validation/page-param";
import { ROUND_TABLE_STATUS_BADGES, ROUND_TABLE_STATUS_LABELS } from "~/validation/round-table";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Tavoli tecnici") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const pastPage = pageParam(new URL(request.url).searchParams);
  const { upcoming, past } = listRoundTablesForAdmin(getDb(), { now: new Date(), pastPage });
  const row = (rt: (typeof upcoming)[number]) => ({
    id: rt.id,
    heading: roundTableHeading(rt),
    title: rt.title,
    when: roundTableWhen(rt),
    mode: ROUND_TABLE_MODE_LABELS[rt.mode],
    status: rt.status,
    statusLabel: ROUND_TABLE_STATUS_LABELS[rt.status],
    invitations: rt.invitations,
  });
  return json({ upcoming: upcoming.map(row), past: { ...past, rows: past.rows.map(row) } });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["upcoming"][number];

function RoundTableTable({ rows, caption, empty }: { rows: Row[]; caption: string; empty: string }) {
  if (rows.length === 0) return <p>{empty}</p>;
  return (
    <TableScroll>
      <table className="table align-middle caption-top">
        <TableCaption>{caption}</TableCaption>
        <thead>
          <tr>
            <th scope="col">Tavolo</th>
            <th scope="col">Data e orario</th>
            <th scope="col">Modalità</th>
            <th scope="col">Stato</th>
            <th scope="col">Inviti</th>
            <th scope="col">Azioni</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((rt) => (
            <tr key={rt.id}>
              <th scope="row">
                <Link to={`/admin/tavoli/${rt.id}`}>
                  {rt.heading}: {rt.title}
                </Link>
              </th>
              <td>{rt.when}</td>
              <td>{rt.mode}</td>
              <td>
                <span className={`badge ${ROUND_TABLE_STATUS_BADGES[rt.status]}`}>{rt.statusLabel}</span>
              </td>
              <td>
                {rt.invitations.total === 0
                  ? "Nessun invito"
                  : `${rt.invitations.total} invitati: ${rt.invitations.yes} sì, ${rt.invitations.no} no, ${rt.invitations.pending} in attesa`}
              </td>
              <td>
                <div className="d-flex flex-wrap gap-2">
                  <Link to={`/admin/tavoli/${rt.id}/inviti`} className="btn btn-outline-primary btn-xs">
                    Inviti e risposte<span className="visually-hidden"> - {rt.heading}</span>
                  </Link>
                  <Link to={`/admin/tavoli/nuovo?da=${rt.id}`} className="btn btn-outline-secondary btn-xs">
                    Duplica<span className="visually-hidden"> {rt.heading}: {rt.title}</span>
                  </Link>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export default function AdminRoundTablesPage() {
  const { upcoming, past } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h1 className="mb-0">Tavoli tecnici</h1>
        <Link to="/admin/tavoli/nuovo" className="btn btn-primary">
          Nuovo Tavolo tecnico
        </Link>
      </div>
      <p>
        I Tavoli in bozza non compaiono nel <a href="/tavoli-tecnici">calendario pubblico</a>: pubblicali quando sono pronti.
        Per partire da un incontro passato usa «Duplica».
      </p>
      <section aria-labelledby="prossimi" className="mb-5">
        <h2 id="prossimi" className="h3">
          Prossimi
        </h2>
        <RoundTableTable rows={upcoming} caption="Tavoli tecnici in programma, dal più vicino" empty="Nessun Tavolo tecnico in programma." />
      </section>
      <section aria-labelledby="passati">
        <h2 id="passati" className="h3">
          Passati
        </h2>
        <RoundTableTable
          rows={past.rows}
          caption={past.pageCount > 1 ? `Tavoli tecnici già svolti, dal più recente: pagina ${past.page} di ${past.pageCount}` : "Tavoli tecnici già svolti, dal più recente"}
          empty="Nessun Tavolo tecnico passato."
        />
        {past.pageCount > 1 ? (
          <Pagination page={past.page} pageCount={past.pageCount} href={(page) => pageHref("/admin/tavoli", page, "#passati")} label="Pagine dei Tavoli passati" />
        ) : null}
      </section>
    </>
  );
}
