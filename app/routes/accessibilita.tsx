import { json, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getEnv } from "~/utils/env.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Dichiarazione di accessibilità") },
  {
    name: "description",
    content:
      "Dichiarazione di accessibilità del Portale del Coordinamento SAI di ANCI Sicilia: stato di conformità, " +
      "modalità di valutazione, meccanismo di feedback e procedura di attuazione.",
  },
];

/** Until CONTACT_EMAIL is set, the address of the Coordinamento's first design (to be confirmed by ANCI Sicilia). */
const DEFAULT_FEEDBACK_EMAIL = "accessibilita@anci.sicilia.it";

export function loader() {
  return json({ feedbackEmail: getEnv().contactEmail ?? DEFAULT_FEEDBACK_EMAIL });
}

export default function Accessibility() {
  const { feedbackEmail } = useLoaderData<typeof loader>();
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-9">
          <h1>Dichiarazione di accessibilità</h1>
          <p className="lead">
            ANCI Sicilia si impegna a rendere accessibile il Portale del Coordinamento SAI, conformemente alla legge 9
            gennaio 2004, n. 4 e al decreto legislativo 10 agosto 2018, n. 106, che ha recepito la direttiva (UE)
            2016/2102 del Parlamento europeo e del Consiglio.
          </p>
          <p>
            La presente dichiarazione di accessibilità si applica al Portale del Coordinamento dei Comuni siciliani
            aderenti alla Rete SAI, comprese la scheda referente online, il calendario dei Tavoli tecnici, l'area
            referente e l'area riservata ai coordinatori.
          </p>

          <h2 className="mt-5">Stato di conformità</h2>
          <p>
            Il portale è <strong>parzialmente conforme</strong> ai requisiti previsti dall'allegato A alla norma UNI
            CEI EN 301549 e alle Linee guida sull'accessibilità degli strumenti informatici di AgID, che fanno
            riferimento alle Web Content Accessibility Guidelines (WCAG) 2.1 livello AA.
          </p>
          <p>
            Il portale è stato progettato per rispettare le WCAG 2.1 livello AA, ma è ancora in fase di sviluppo e le
            verifiche di conformità non sono complete: per questo lo dichiariamo parzialmente conforme.
          </p>

          <h3 className="h4 mt-4">Contenuti non accessibili</h3>
          <p>
            Alla data della valutazione non sono note specifiche non conformità delle pagine del portale. I documenti e
            i video dei Tavoli tecnici forniti da relatori esterni (note-invito in PDF, slide, video pubblicati su
            piattaforme di terze parti) potrebbero non essere pienamente accessibili: chi incontra difficoltà può
            richiederne una versione accessibile con il meccanismo di feedback indicato più avanti.
          </p>

          <h2 className="mt-5">Redazione della dichiarazione di accessibilità</h2>
          <p>
            La presente dichiarazione è stata redatta il 26 novembre 2026. La valutazione è stata effettuata mediante
            autovalutazione:
          </p>
          <ul>
            <li>
              controlli automatici con axe-core su ogni pagina del portale, comprese le pagine dei moduli che mostrano
              messaggi di errore;
            </li>
            <li>test di navigazione e di utilizzo dei moduli con la sola tastiera.</li>
          </ul>
          <p>
            Le pagine e i moduli del portale funzionano anche con JavaScript disattivato. Il portale usa il sistema di
            progettazione Bootstrap Italia, realizzato per i servizi digitali della pubblica amministrazione.
          </p>

          <h2 className="mt-5">Meccanismo di feedback e recapiti</h2>
          <p>
            Per segnalare casi di mancata conformità ai requisiti di accessibilità, o per richiedere informazioni e
            contenuti esclusi dall'ambito di applicazione della direttiva, è possibile scrivere all'indirizzo{" "}
            <a href={`mailto:${feedbackEmail}`}>{feedbackEmail}</a>, indicando la pagina e il problema riscontrato.
          </p>
          <p>ANCI Sicilia risponde alle segnalazioni entro 30 giorni.</p>

          <h2 className="mt-5">Procedura di attuazione</h2>
          <p>
            In caso di risposta insoddisfacente o di mancata risposta entro trenta giorni dalla notifica o dalla
            richiesta, è possibile inoltrare una segnalazione al Difensore civico per il digitale presso l'Agenzia per
            l'Italia Digitale (AgID), tramite il{" "}
            <a href="https://form.agid.gov.it/">modulo di segnalazione di AgID</a>, ai sensi dell'art. 3-quinquies
            della legge 4/2004.
          </p>
        </div>
      </div>
    </div>
  );
}
