import path from "node:path";
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { findRecipientScheda, getOutboxEmail, listEmailRetries } from "~/models/outbox.server";
import { isErasedAddress } from "~/models/privacy.server";
import { REDACTION_NOTE, renderEmailForCoordinators } from "~/models/outbox-preview.server";
import { requireCoordinator } from "~/utils/auth.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { findLocalEmlFile } from "~/utils/mailer.server";
import { emailTemplateLabel, OUTBOX_STATUS_LABELS } from "~/validation/labels";
import { parseRecordId } from "~/utils/record-id";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: coordinatorPageTitle(data ? data.rendered.subject : "Messaggio non trovato", "Posta in uscita") },
];

const ERASED_EMAIL = { subject: "Messaggio a una persona i cui dati sono stati cancellati", html: "", text: "" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const email = getOutboxEmail(getDb(), { id: parseRecordId(params.id) ?? 0 });
  if (!email) throw new Response("Messaggio non trovato", { status: 404 });
  const env = getEnv();
  // An email to a person whose data were erased keeps no content: nothing to show but that it went.
  const erased = isErasedAddress(email.recipient);
  const { subject, html, text } = erased ? ERASED_EMAIL : await renderEmailForCoordinators(email, env);
  // In the local default (no SMTP_URL) the message as sent is also a file under data/mail/: named
  // for whoever runs the portal, never served (docs/decisions/009-secrets-in-outbox.md).
  const localFile = env.SMTP_URL || erased ? null : await findLocalEmlFile(env.mailDir, email.messageId);
  return json({
    email: {
      id: email.id,
      recipient: email.recipient,
      templateLabel: emailTemplateLabel(email.template),
      category: email.category,
      status: email.status,
      attempts: email.attempts,
      lastError: email.lastError,
      messageId: email.messageId,
      createdAt: formatDateTimeIt(email.createdAt),
      sentAt: email.sentAt ? formatDateTimeIt(email.sentAt) : null,
    },
    // What the email had been through before each «Riprova»: the attempts start again after one.
    retries: listEmailRetries(getDb(), { id: email.id }).map((r) => ({ at: formatDateTimeIt(r.at), lastError: r.lastError, attempts: r.attempts })),
    rendered: { subject, html, text },
    // Where an address that bounced is corrected.
    scheda: erased ? null : (findRecipientScheda(getDb(), { recipient: email.recipient, memberBodyId: email.memberBodyId }) ?? null),
    erased,
    redactionNote: REDACTION_NOTE,
    localFileName: localFile ? path.basename(localFile) : null,
  });
}

export default function OutboxEmailPage() {
  const { email, rendered, scheda, erased, redactionNote, localFileName, retries } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/admin/posta">Torna alla posta in uscita</Link>
      </p>
      <h1>{rendered.subject}</h1>
      <dl className="row">
        <dt className="col-sm-3">Destinatario</dt>
        <dd className="col-sm-9">
          {email.recipient}
          {scheda ? (
            <>
              {" "}
              (referente: <Link to={`/admin/adesioni/${scheda.requestId}`}>{`${scheda.firstName} ${scheda.lastName}, ${scheda.bodyName}`}</Link>)
            </>
          ) : null}
        </dd>
        <dt className="col-sm-3">Stato</dt>
        <dd className="col-sm-9">
          {OUTBOX_STATUS_LABELS[email.status]} ({email.attempts === 1 ? "1 tentativo" : `${email.attempts} tentativi`}
          {retries.length > 0 ? " dall'ultimo invio ritentato manualmente" : ""})
        </dd>
        {retries.length > 0 ? (
          <>
            <dt className="col-sm-3">Ritentata manualmente</dt>
            <dd className="col-sm-9">
              <ul className="list-unstyled mb-0">
                {retries.map((r, i) => (
                  <li key={i} className="text-break">
                    il {r.at}
                    {r.attempts !== null ? `, dopo ${r.attempts === 1 ? "1 tentativo" : `${r.attempts} tentativi`}` : ""}
                    {r.lastError ? `; errore di allora: ${r.lastError}` : ""}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {email.lastError ? (
          <>
            <dt className="col-sm-3">Ultimo errore</dt>
            <dd className="col-sm-9 text-break">{email.lastError}</dd>
          </>
        ) : null}
        <dt className="col-sm-3">Creata</dt>
        <dd className="col-sm-9">{email.createdAt}</dd>
        <dt className="col-sm-3">Inviata</dt>
        <dd className="col-sm-9">{email.sentAt ?? "—"}</dd>
        <dt className="col-sm-3">Tipo</dt>
        <dd className="col-sm-9">
          {email.templateLabel} ({email.category === "communication" ? "comunicazione con disiscrizione" : "messaggio di servizio"})
        </dd>
        <dt className="col-sm-3">Message-ID</dt>
        <dd className="col-sm-9 text-break">{email.messageId}</dd>
      </dl>
      {email.status === "failed" && !erased ? (
        <Form method="post" action="/admin/posta" className="mb-4">
          <AuthenticityTokenInput name="csrf" />
          <input type="hidden" name="ids" value={email.id} />
          <button type="submit" className="btn btn-primary">
            Riprova
          </button>
        </Form>
      ) : null}
      {erased ? (
        <p>
          Su richiesta dell'interessato il destinatario e il contenuto di questo messaggio sono stati cancellati: resta solo la
          traccia dell'invio.
        </p>
      ) : (
        <EmailCopy id={email.id} rendered={rendered} redactionNote={redactionNote} localFileName={localFileName} />
      )}
    </>
  );
}

function EmailCopy({
  id,
  rendered,
  redactionNote,
  localFileName,
}: {
  id: number;
  rendered: { subject: string; html: string; text: string };
  redactionNote: string;
  localFileName: string | null;
}) {
  return (
    <>
      <p>
        <a href={`/admin/posta/${id}/eml`} download>
          Scarica il messaggio in formato .eml
        </a>{" "}
        (la stessa copia dell'anteprima, con codici e link personali nascosti)
      </p>
      {localFileName ? (
        <p className="small">
          Il portale non è collegato a un server di posta: il messaggio non è stato spedito al destinatario, ma salvato sul server
          nel file {localFileName}, che può leggere solo chi gestisce il portale.
        </p>
      ) : null}
      <h2 className="h4">Anteprima</h2>
      <div className="alert alert-info" role="note">
        {redactionNote}
      </div>
      <iframe title="Anteprima del messaggio in HTML" sandbox="" srcDoc={rendered.html} style={{ width: "100%", height: "36rem", border: "1px solid #c5c7c9" }} />
      <h2 className="h4 mt-4">Versione solo testo</h2>
      <pre className="border p-3" style={{ whiteSpace: "pre-wrap" }}>
        {rendered.text}
      </pre>
    </>
  );
}
