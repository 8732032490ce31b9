import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Pagination } from "~/components/pagination";
import { RoundTableCard } from "~/components/round-table-public";
import { publicRoundTable } from "~/models/round-table-public.server";
import { listPublicRoundTables } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { pageHref, pageParam } from "~/validation/page-param";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Tavoli tecnici") },
  {
    name: "description",
    content: "Calendario e archivio dei Tavoli tecnici del Coordinamento dei Comuni siciliani aderenti alla Rete SAI, con programmi, relatori e materiali.",
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const archivePage = pageParam(new URL(request.url).searchParams);
  const { upcoming, archive } = listPublicRoundTables(getDb(), { now: new Date(), archivePage });
  return json({ upcoming: upcoming.map(publicRoundTable), archive: { ...archive, rows: archive.rows.map(publicRoundTable) } });
}

export default function RoundTablesPage() {
  const { upcoming, archive } = useLoaderData<typeof loader>();
  return (
    <div className="container my-5">
      <h1>Tavoli tecnici</h1>
      <p className="lead">
        I Tavoli tecnici affrontano le diverse problematiche dell'accoglienza per creare rete tra i partner del progetto
        COOPERA, i Comuni e gli operatori del settore. Sono promossi e coordinati da ANCI Sicilia.
      </p>
      <p>
        Puoi aggiungere tutti gli incontri al tuo calendario con il{" "}
        <a href="/tavoli-tecnici.ics">calendario dei Tavoli tecnici in formato iCalendar</a>: copia il collegamento e
        aggiungilo al tuo programma di calendario come calendario in abbonamento, così gli aggiornamenti arrivano da soli.
      </p>
      <section aria-labelledby="prossimi" className="mb-5">
        <h2 id="prossimi">Prossimi incontri</h2>
        {upcoming.length === 0 ? <p>Al momento non ci sono incontri in programma.</p> : upcoming.map((rt) => <RoundTableCard key={rt.id} rt={rt} />)}
      </section>
      <section aria-labelledby="archivio">
        <h2 id="archivio">Archivio</h2>
        {archive.pageCount > 1 ? (
          <p>
            {archive.total} incontri, dal più recente: pagina {archive.page} di {archive.pageCount}.
          </p>
        ) : null}
        {archive.rows.length === 0 ? <p>Nessun incontro in archivio.</p> : archive.rows.map((rt) => <RoundTableCard key={rt.id} rt={rt} />)}
        {archive.pageCount > 1 ? (
          <Pagination page={archive.page} pageCount={archive.pageCount} href={(page) => pageHref("/tavoli-tecnici", page, "#archivio")} label="Pagine dell'archivio" />
        ) : null}
      </section>
    </div>
  );
}
