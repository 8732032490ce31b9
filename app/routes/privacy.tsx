import { json, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PRIVACY_NOTICE_VERSION } from "~/models/membership.server";
import { getEnv } from "~/utils/env.server";
import { plural } from "~/utils/text";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Informativa privacy") },
  {
    name: "description",
    content:
      "Informativa sul trattamento dei dati personali dei referenti degli enti aderenti al Coordinamento SAI " +
      "di ANCI Sicilia (art. 13 del Regolamento UE 2016/679).",
  },
];

export function loader() {
  // The periods the retention job applies (settings RETENTION_UNCONFIRMED_DAYS, RETENTION_REJECTED_MONTHS).
  const env = getEnv();
  return json({
    version: PRIVACY_NOTICE_VERSION,
    unconfirmedDays: env.RETENTION_UNCONFIRMED_DAYS,
    rejectedMonths: env.RETENTION_REJECTED_MONTHS,
    contactEmail: env.contactEmail,
  });
}

export default function Privacy() {
  const { version, unconfirmedDays, rejectedMonths, contactEmail } = useLoaderData<typeof loader>();

  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-9">
          <h1>Informativa sul trattamento dei dati personali (art. 13 GDPR)</h1>
          <p className="lead">
            Ai sensi dell'art. 13 del Regolamento (UE) 2016/679 (GDPR), questa informativa descrive come sono trattati i
            dati personali dei referenti che registrano il proprio ente nel Portale del Coordinamento SAI e di quelli
            che ne curano in seguito l'adesione.
          </p>

          <h2 className="mt-5">Titolare del trattamento</h2>
          <p>
            ANCI Sicilia, titolare del trattamento; i dati di contatto del titolare e del Responsabile della protezione
            dei dati sono indicati sul{" "}
            <a href="https://www.anci.sicilia.it/">sito istituzionale di ANCI Sicilia</a>.
          </p>

          <h2 className="mt-5">Finalità del trattamento</h2>
          <p>I dati sono trattati per:</p>
          <ul>
            <li>
              gestire le adesioni al Coordinamento: ricevere la scheda referente, verificare l'indirizzo email,
              approvare o respingere la richiesta, tenere l'elenco degli enti aderenti e dei loro referenti, gestire il
              passaggio di consegne a un nuovo referente;
            </li>
            <li>
              inviare le comunicazioni relative all'adesione, gli inviti ai Tavoli tecnici con i relativi promemoria,
              raccogliere le risposte agli inviti e mettere a disposizione i materiali degli incontri;
            </li>
            <li>
              inviare comunicazioni non essenziali sulle attività del Coordinamento e della Rete SAI, finché il referente
              non chiede di non riceverle più;
            </li>
            <li>garantire la sicurezza del portale e tenere il registro delle operazioni svolte.</li>
          </ul>

          <h2 className="mt-5">Base giuridica</h2>
          <ul>
            <li>
              Per la gestione delle adesioni, le comunicazioni di servizio e gli inviti ai Tavoli tecnici:
              l'esecuzione di un compito di interesse pubblico (art. 6, par. 1, lett. e) GDPR), connesso alle attività
              di coordinamento degli enti locali aderenti alla Rete SAI svolte da ANCI Sicilia nell'ambito del progetto
              COOPERA.
            </li>
            <li>
              Per le comunicazioni non essenziali sulle attività del Coordinamento: lo stesso compito di interesse
              pubblico (art. 6, par. 1, lett. e) GDPR), rivolto al referente nel suo ruolo presso l'ente. Il referente
              può opporsi in qualsiasi momento e senza motivarlo (art. 21 GDPR): con il collegamento presente in ogni
              comunicazione, dall'area referente o scrivendo ad ANCI Sicilia. Continuerà a ricevere i messaggi di
              servizio (esito delle richieste, inviti ai Tavoli tecnici).
            </li>
          </ul>

          <h2 className="mt-5">Categorie di dati trattati</h2>
          <ul>
            <li>
              Dati del referente: nome, cognome, ruolo, ufficio o settore, indirizzo email, telefono e, se indicato,
              cellulare; data della presa visione e versione dell'informativa; risposte agli inviti ai Tavoli tecnici.
            </li>
            <li>
              Dati dell'ente: tipo di ente, Comune o denominazione, PEC, codice fiscale e progetti SAI (tipologia, posti
              finanziati, codice progetto, ente attuatore, date di inizio e di fine).
            </li>
          </ul>
          <p>
            Il conferimento dei dati richiesti dalla scheda referente è necessario per aderire al Coordinamento: senza
            di essi la richiesta non può essere esaminata. Il cellulare è facoltativo.
          </p>

          <h2 className="mt-5">Modalità del trattamento</h2>
          <p>
            I dati sono trattati con strumenti elettronici dal personale di ANCI Sicilia autorizzato e istruito, con
            misure tecniche e organizzative adeguate a proteggerli. Le richieste di adesione sono esaminate dai
            coordinatori di ANCI Sicilia: non sono prese decisioni basate unicamente su un trattamento automatizzato.
          </p>

          <h2 className="mt-5">Destinatari dei dati</h2>
          <ul>
            <li>il personale di ANCI Sicilia autorizzato al trattamento (coordinatori del portale);</li>
            <li>
              i fornitori dei servizi tecnici necessari al funzionamento del portale (ospitalità del servizio, posta
              elettronica), nominati responsabili del trattamento ai sensi dell'art. 28 GDPR;
            </li>
            <li>le autorità pubbliche, nei soli casi previsti da norme di legge o di regolamento.</li>
          </ul>
          <p>I dati personali dei referenti non sono diffusi.</p>

          <h2 className="mt-5">Periodo di conservazione</h2>
          <ul>
            <li>richieste di adesione con indirizzo email non confermato: cancellate dopo {plural(unconfirmedDays, "giorno", "giorni")};</li>
            <li>richieste di adesione respinte: cancellate dopo {plural(rejectedMonths, "mese", "mesi")} dalla decisione;</li>
            <li>
              dati dei referenti degli enti aderenti: conservati per tutta la durata dell'adesione e dell'incarico di
              referente e, successivamente, per il tempo previsto dalla normativa applicabile.
            </li>
          </ul>

          <h2 className="mt-5">Diritti dell'interessato</h2>
          <p>Ai sensi degli artt. 15-22 GDPR, il referente ha diritto di chiedere:</p>
          <ul>
            <li>l'accesso ai propri dati personali;</li>
            <li>la rettifica dei dati inesatti o incompleti;</li>
            <li>la cancellazione dei dati, nei casi previsti;</li>
            <li>la limitazione del trattamento;</li>
            <li>la portabilità dei dati forniti;</li>
            <li>di opporsi al trattamento per motivi connessi alla sua situazione particolare.</li>
          </ul>
          <p>
            I diritti possono essere esercitati scrivendo ad ANCI Sicilia
            {contactEmail ? (
              <>
                {" "}
                all'indirizzo <a href={`mailto:${contactEmail}`}>{contactEmail}</a> o
              </>
            ) : null}{" "}
            ai recapiti indicati sul sito istituzionale. Chi è referente può anche scaricare i propri dati o chiederne la
            cancellazione dall'area referente.
          </p>
          <p>
            Chi ritiene che il trattamento dei propri dati violi il GDPR ha diritto di proporre reclamo al{" "}
            <a href="https://www.garanteprivacy.it/">Garante per la protezione dei dati personali</a> (art. 77 GDPR).
          </p>

          <h2 className="mt-5">Versione dell'informativa</h2>
          <p>{`Versione ${version}`}</p>
          <p>
            Ogni referente prende visione dell'informativa nella versione in vigore al momento della compilazione della
            scheda; eventuali modifiche sono pubblicate su questa pagina.
          </p>
        </div>
      </div>
    </div>
  );
}
