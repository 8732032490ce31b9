import { json, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { RoundTableCard } from "~/components/round-table-public";
import { publicRoundTable } from "~/models/round-table-public.server";
import { listPublicRoundTables } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";

export const meta: MetaFunction = () => [
  { title: "Tavoli tecnici - Coordinamento SAI - ANCI Sicilia" },
  {
    name: "description",
    content: "Calendario e archivio dei Tavoli tecnici del Coordinamento dei Comuni siciliani aderenti alla Rete SAI, con programmi, relatori e materiali.",
  },
];

export async function loader() {
  const { upcoming, archive } = listPublicRoundTables(getDb(), { now: new Date() });
  return json({ upcoming: upcoming.map(publicRoundTable), archive: archive.map(publicRoundTable) });
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
        {archive.length === 0 ? <p>Nessun incontro in archivio.</p> : archive.map((rt) => <RoundTableCard key={rt.id} rt={rt} />)}
      </section>
    </div>
  );
}
