import { json, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CategoryTable } from "~/components/category-table";
import { getPublicHomeData } from "~/models/figures.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { TableScroll } from "~/components/table-scroll";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction = () => [
  { title: "Coordinamento SAI - ANCI Sicilia" },
  {
    name: "description",
    content:
      "Il Coordinamento dei Comuni siciliani aderenti alla Rete SAI promosso da ANCI Sicilia nel progetto COOPERA: " +
      "adesione online degli enti, calendario dei Tavoli tecnici e numeri della rete.",
  },
];

export async function loader() {
  const now = new Date();
  const { figures, nextRoundTable: next } = getPublicHomeData(getDb(), { now });
  return json({
    figures,
    nextRoundTable: next
      ? {
          id: next.id,
          number: next.number,
          title: next.title,
          startsAt: next.startsAt.toISOString(),
          inProgress: next.startsAt <= now,
          mode: next.mode,
          place: next.place,
        }
      : null,
  });
}

const MODE_LABELS = {
  online: "Online",
  in_presenza: "In presenza",
  ibrido: "In presenza e online",
} as const;

const PARTNERS = [
  "Comune di Palermo (capofila)",
  "Comune di Trapani",
  "Comune di Agrigento",
  "Azienda Sanitaria Provinciale di Siracusa",
  "Azienda Sanitaria Provinciale di Agrigento",
  "Azienda Sanitaria Provinciale di Trapani",
  "Policlinico di Palermo",
  "Polo Universitario di Agrigento",
  "CEFPAS di Caltanissetta",
  "ANCI Sicilia",
];

export default function Home() {
  const { figures, nextRoundTable } = useLoaderData<typeof loader>();

  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-10">
          <h1>Coordinamento dei Comuni siciliani aderenti alla Rete SAI</h1>
          <p className="lead">
            ANCI Sicilia coordina i Comuni e gli altri enti locali siciliani che partecipano con propri progetti alla
            Rete SAI (Sistema di Accoglienza e Integrazione) del Ministero dell'Interno, per rafforzare la rete e
            promuovere il confronto e la collaborazione tra gli enti.
          </p>
        </div>
      </div>

      <div className="row mt-4">
        <div className="col-lg-7 mb-4">
          <section className="card-wrapper h-100" aria-labelledby="aderisci">
            <div className="card card-bg h-100">
              <div className="card-body">
                <h2 id="aderisci" className="card-title h3">
                  Aderisci al Coordinamento
                </h2>
                <p>
                  Il tuo ente partecipa alla Rete SAI? Indica il referente e i progetti SAI attivi con la scheda
                  referente online: non serve più scaricare, compilare e inviare il modulo per email.
                </p>
                <ol>
                  <li>compila online la scheda referente con i dati dell'ente, del referente e dei progetti SAI;</li>
                  <li>conferma l'indirizzo email del referente con il link che ricevi per posta elettronica;</li>
                  <li>i coordinatori di ANCI Sicilia verificano la richiesta e ti comunicano l'approvazione.</li>
                </ol>
                <p>
                  Una volta approvata l'adesione, il referente riceve gli inviti ai Tavoli tecnici e può aggiornare i
                  dati dell'ente dall'area referente.
                </p>
                <p className="mb-0">
                  <a className="btn btn-primary btn-lg" href="/adesione">
                    Compila la scheda referente
                  </a>
                </p>
              </div>
            </div>
          </section>
        </div>

        <div className="col-lg-5 mb-4">
          <section className="card-wrapper h-100" aria-labelledby="prossimo-tavolo">
            <div className="card card-bg h-100">
              <div className="card-body">
                <h2 id="prossimo-tavolo" className="card-title h3">
                  Il prossimo Tavolo tecnico
                </h2>
                {nextRoundTable ? (
                  <>
                    <p className="mb-1 fw-semibold">
                      {nextRoundTable.number ? `${nextRoundTable.number}° Tavolo tecnico` : "Tavolo tecnico"}
                    </p>
                    <h3 className="h5">
                      <a href={`/tavoli-tecnici/${nextRoundTable.id}`}>{nextRoundTable.title}</a>
                    </h3>
                    <p className="mb-1">
                      {nextRoundTable.inProgress ? <span className="badge bg-success me-2">In corso</span> : null}
                      {formatDateTimeIt(new Date(nextRoundTable.startsAt))}
                    </p>
                    <p>
                      {MODE_LABELS[nextRoundTable.mode]}
                      {nextRoundTable.place && nextRoundTable.mode !== "online" ? `, ${nextRoundTable.place}` : ""}
                    </p>
                    <p className="mb-0">
                      <a href="/tavoli-tecnici">Calendario e archivio dei Tavoli tecnici</a>
                    </p>
                  </>
                ) : (
                  <>
                    <p className="mb-0">Il calendario dei prossimi Tavoli tecnici sarà pubblicato a breve.</p>
                  </>
                )}
              </div>
            </div>
          </section>
        </div>
      </div>

      <section className="mt-4" aria-labelledby="numeri">
        <h2 id="numeri">La rete in cifre</h2>

        <h3 className="h4 mt-4">Dati del portale</h3>
        <p>Enti la cui adesione è stata approvata e i loro progetti SAI attivi, come dichiarati dai referenti.</p>
        <ul className="list-unstyled row">
          <li className="col-md-4 mb-3">
            <span className="figure-number d-block">{formatCount(figures.approvedBodies)}</span>
            Enti aderenti al Coordinamento
          </li>
          <li className="col-md-4 mb-3">
            <span className="figure-number d-block">{formatCount(figures.projects)}</span>
            Progetti SAI
          </li>
          <li className="col-md-4 mb-3">
            <span className="figure-number d-block">{formatCount(figures.places)}</span>
            Posti finanziati
          </li>
        </ul>
        {figures.projects > 0 ? (
          <TableScroll>
            <CategoryTable rows={figures.byCategory} caption="Progetti SAI degli enti aderenti per tipologia" className="table" formatNumber={formatCount} />
          </TableScroll>
        ) : (
          <p>Le cifre si aggiornano man mano che le adesioni vengono approvate.</p>
        )}

        <h3 className="h4 mt-4">La Rete SAI in Sicilia</h3>
        <p>
          Dati della Rete SAI riportati dal progetto COOPERA, non calcolati dal portale: la rete siciliana conta circa
          il 15% dei posti disponibili a livello nazionale.
        </p>
        <ul>
          <li>84 Comuni titolari di progetti SAI;</li>
          <li>116 progetti, il numero più alto tra le regioni italiane;</li>
          <li>5.133 posti sui 32.456 della rete nazionale.</li>
        </ul>
      </section>

      <section className="mt-5" aria-labelledby="coordinamento">
        <h2 id="coordinamento">Che cos'è il Coordinamento</h2>
        <p>
          Il Coordinamento è stato costituito da ANCI Sicilia tra i Comuni che aderiscono con propri progetti alla Rete
          SAI siciliana del Ministero dell'Interno. È uno strumento per rafforzare la rete e promuovere un confronto e
          una collaborazione proficua tra gli enti, anche con il contributo di esperti e la diffusione di esperienze
          positive a livello nazionale.
        </p>

        <h3 className="h4 mt-4">Il progetto COOPERA</h3>
        <p>
          COOPERA (i COmuni migliOrano PER Arginare la Vulnerabilità) è finanziato dal Fondo Asilo, Migrazione e
          Integrazione (FAMI) 2014-2020 del Ministero dell'Interno, con l'obiettivo di potenziare l'offerta dei servizi
          delle amministrazioni pubbliche e la loro capacità di gestire e realizzare centri e progetti di accoglienza
          rivolti ai cittadini di Paesi terzi (capacity building).
        </p>
        <p>
          FAMI 2014-2020, Obiettivo Specifico 2 Integrazione/Migrazione legale, Obiettivo nazionale ON 3 Capacity
          building, lettera J) Governance dei servizi, Qualificazione del sistema di tutela sanitaria, PROG 3031.
        </p>

        <h3 className="h4 mt-4">I partner del progetto</h3>
        <ul>
          {PARTNERS.map((partner) => (
            <li key={partner}>{partner}</li>
          ))}
        </ul>

        <h3 className="h4 mt-4">I Tavoli tecnici</h3>
        <p>
          Nell'ambito del progetto, ANCI Sicilia promuove e coordina i Tavoli tecnici, incontri (per lo più webinar)
          che affrontano le diverse problematiche dell'accoglienza per creare rete tra i partner del progetto, i Comuni
          e gli operatori del settore: migliorare la reciproca conoscenza e attivare meccanismi di collaborazione e
          scambio tra i Comuni e gli altri partner. Per ogni incontro sono disponibili il programma, la nota-invito e,
          dopo l'incontro, le slide e il video.
        </p>
      </section>
    </div>
  );
}
