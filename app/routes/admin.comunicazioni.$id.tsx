import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { AskedConfirmation } from "~/components/confirm-form";
import { FormRefusal } from "~/components/form-fields";
import { Breadcrumb } from "~/components/breadcrumb";
import { Pagination } from "~/components/pagination";
import { describeSegment } from "~/components/segment-fields";
import {
  COMMUNICATION_TEMPLATE,
  communicationAudience,
  communicationEmailProps,
  communicationSenderName,
  deleteCommunicationDraft,
  getCommunication,
  listCommunicationEmails,
  retryCommunicationFailures,
  segmentOf,
  sendCommunication,
} from "~/models/communication.server";
import { documentFileInfo } from "~/models/material.server";
import { listProvinceOptions } from "~/models/territory.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { plural } from "~/utils/text";
import { deliverySummary } from "~/utils/delivery-summary";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { renderEmail } from "~/utils/render-email.server";
import { OUTBOX_STATUS_LABELS } from "~/validation/labels";
import { parseRecordId } from "~/utils/record-id";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";
import { DELETE_DRAFT_UNCONFIRMED, deleteDraftSchema } from "~/validation/communications";
import { confirmationStep } from "~/validation/confirmation";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(data.communication.subject, "Comunicazioni") : coordinatorPageTitle("Comunicazione non trovata") },
];

const PAGE_SIZE = 100;
// The first recipients are listed; the others, up to LISTED_MAX, behind «Mostra tutti…».
const SAMPLE_SIZE = 10;
const LISTED_MAX = 1000;

const notFound = () => new Response("Comunicazione non trovata", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });

function loadCommunication(params: LoaderFunctionArgs["params"]) {
  const id = parseRecordId(params.id);
  const communication = id ? getCommunication(getDb(), { id }) : undefined;
  if (!communication) throw notFound();
  return communication;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const c = loadCommunication(params);
  const url = new URL(request.url);
  const segment = segmentOf(c);
  const rendered = await renderEmail(COMMUNICATION_TEMPLATE, {
    ...communicationEmailProps(c),
    unsubscribeUrl: `${getEnv().appUrl}/disiscrizione/anteprima`,
  });
  const common = {
    id: c.id,
    subject: c.subject,
    status: c.status,
    segment: describeSegment({ provinceCodes: c.provinceCodes, categories: c.categories }, listProvinceOptions(db)),
    attachment: c.attachmentDownloadName
      ? { name: c.attachmentDownloadName, info: documentFileInfo({ mimeType: c.attachmentMimeType, sizeBytes: c.attachmentSizeBytes }) }
      : null,
    preview: { subject: rendered.subject, html: rendered.html },
  };
  if (c.status === "draft") {
    const audience = communicationAudience(db, { segment, sampleSize: LISTED_MAX });
    return json({
      communication: common,
      draft: {
        count: audience.count,
        optedOut: audience.optedOut,
        sample: audience.sample.map((r) => ({ email: r.email, name: r.name, bodyName: r.bodyName })),
        updatedAt: formatDateTimeIt(c.updatedAt ?? c.createdAt),
      },
      sent: null,
    });
  }
  const requested = Number(url.searchParams.get("pagina") ?? "1");
  const emails = listCommunicationEmails(db, { id: c.id, page: Number.isInteger(requested) ? requested : 1, pageSize: PAGE_SIZE });
  const justSent = url.searchParams.get("inviata");
  const retried = url.searchParams.get("riprovate");
  return json({
    communication: common,
    draft: null,
    sent: {
      at: c.sentAt ? formatDateTimeIt(c.sentAt) : "",
      by: communicationSenderName(db, c),
      recipientCount: c.recipientCount ?? emails.total,
      justSent: justSent !== null && /^\d{1,7}$/.test(justSent) ? Number(justSent) : null,
      justRetried: retried !== null && /^\d{1,7}$/.test(retried) ? Number(retried) : null,
      counts: emails.counts,
      retryable: emails.retryable,
      page: emails.page,
      pageCount: emails.pageCount,
      rows: emails.rows.map((r) => ({
        id: r.id,
        recipient: r.recipient,
        status: r.status,
        statusLabel: OUTBOX_STATUS_LABELS[r.status],
        sentAt: r.sentAt ? formatDateTimeIt(r.sentAt) : null,
        lastError: r.lastError,
      })),
    },
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const c = loadCommunication(params);
  const intent = formData.get("intent");
  if (intent === "invia") {
    const result = sendCommunication(getDb(), { id: c.id, coordinatorId: coordinator.id, appUrl: getEnv().appUrl });
    if (!result.ok) return json({ formError: result.error }, { status: 409 });
    wakeOutboxWorker();
    return redirect(`/admin/comunicazioni/${c.id}?inviata=${result.count}`);
  }
  if (intent === "riprova") {
    const result = retryCommunicationFailures(getDb(), { id: c.id, coordinatorId: coordinator.id });
    if (!result.ok) return json({ formError: result.error }, { status: 409 });
    wakeOutboxWorker();
    return redirect(`/admin/comunicazioni/${c.id}?riprovate=${result.count}#consegne-title`);
  }
  if (intent === "elimina") {
    // Asked first (a draft already sent is refused by the model instead).
    const step = confirmationStep(formData, DELETE_DRAFT_UNCONFIRMED);
    if (c.status === "draft" && !step.confirmed) return json({ confirmDelete: step.errors }, { status: step.status });
    const result = deleteCommunicationDraft(getDb(), { id: c.id, coordinatorId: coordinator.id, uploadsDir: getEnv().uploadsDir });
    if (!result.ok) return json({ formError: result.error }, { status: 409 });
    return redirect("/admin/comunicazioni?eliminata=1");
  }
  return json({ formError: "Operazione non riconosciuta: ricarica la pagina e riprova." }, { status: 400 });
}

export default function CommunicationPage() {
  const { communication: c, draft, sent } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = submissionUnderWay(useNavigation());
  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/comunicazioni", label: "Comunicazioni" }]} current={draft ? "Anteprima" : "Comunicazione inviata"} />
      <h1>{c.subject}</h1>
      <FormRefusal message={actionData && "formError" in actionData ? actionData.formError : null} />
      {draft && actionData && "confirmDelete" in actionData ? (
        <AskedConfirmation
          id="elimina-bozza"
          title={`Eliminare la bozza «${c.subject}»?`}
          summarySubject="Il modulo di eliminazione"
          confirmLabel="Confermo: voglio eliminare questa bozza"
          submitLabel="Elimina definitivamente"
          schema={deleteDraftSchema}
          hidden={{ intent: "elimina" }}
          serverErrors={actionData.confirmDelete}
          back={{ to: `/admin/comunicazioni/${c.id}`, label: "Non eliminare e torna alla bozza" }}
        >
          <p>
            {c.attachment
              ? `La bozza e il suo allegato «${c.attachment.name}» saranno cancellati e non si potranno recuperare.`
              : "La bozza sarà cancellata e non si potrà recuperare."}
          </p>
        </AskedConfirmation>
      ) : null}
      {sent?.justSent !== null && sent?.justSent !== undefined ? (
        <div className="alert alert-success" role="status">
          Comunicazione in partenza verso {plural(sent.justSent, "referente", "referenti")}. Lo stato di ogni email è nella tabella qui sotto.
        </div>
      ) : null}

      <dl className="row">
        <dt className="col-sm-3">Stato</dt>
        <dd className="col-sm-9">{draft ? `Bozza, salvata il ${draft.updatedAt}` : `Inviata il ${sent?.at}${sent?.by ? ` da ${sent.by}` : ""}`}</dd>
        <dt className="col-sm-3">Destinatari</dt>
        <dd className="col-sm-9">{c.segment}</dd>
        <dt className="col-sm-3">Allegato</dt>
        <dd className="col-sm-9">
          {c.attachment ? (
            <>
              <a href={`/admin/comunicazioni/${c.id}/allegato`}>{c.attachment.name}</a> ({c.attachment.info})
            </>
          ) : (
            "Nessuno"
          )}
        </dd>
      </dl>

      {draft ? (
        <section aria-labelledby="invio-title" className="border rounded p-3 mb-4">
          <h2 id="invio-title" className="h4">
            Prima dell'invio
          </h2>
          {draft.count === 0 ? (
            <p className="alert alert-warning" role="status">
              Nessun referente attivo corrisponde ai destinatari scelti: modifica la scelta delle province o delle tipologie.
            </p>
          ) : (
            <>
              <p className="lead" role="status">
                {draft.count === 1 ? "Riceverà la comunicazione 1 referente" : `Riceveranno la comunicazione ${formatCount(draft.count)} referenti`}.
              </p>
              {draft.optedOut > 0 ? (
                <p>
                  {plural(draft.optedOut, "referente ha scelto", "referenti hanno scelto")} di non ricevere le comunicazioni e non{" "}
                  {draft.optedOut === 1 ? "la riceverà" : "la riceveranno"}.
                </p>
              ) : null}
              <p className="mb-1">{draft.count > SAMPLE_SIZE ? `I primi ${SAMPLE_SIZE}:` : "Destinatari:"}</p>
              <RecipientList recipients={draft.sample.slice(0, SAMPLE_SIZE)} />
              {draft.count > SAMPLE_SIZE ? (
                <details className="mb-3">
                  <summary>Mostra tutti i {formatCount(draft.count)} destinatari</summary>
                  <RecipientList recipients={draft.sample} />
                  {draft.count > draft.sample.length ? (
                    <p>
                      … e altri {formatCount((draft.count - draft.sample.length))}: per vederli tutti restringi la scelta delle
                      province o delle tipologie.
                    </p>
                  ) : null}
                </details>
              ) : null}
            </>
          )}
          <div className="d-flex flex-wrap gap-2">
            {draft.count > 0 ? (
              <Form method="post">
                <AuthenticityTokenInput name="csrf" />
                <input type="hidden" name="intent" value="invia" />
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Invia la comunicazione
                </button>
              </Form>
            ) : null}
            <Link to={`/admin/comunicazioni/nuova?bozza=${c.id}`} className="btn btn-outline-primary">
              Modifica
            </Link>
            <Form method="post">
              <AuthenticityTokenInput name="csrf" />
              <input type="hidden" name="intent" value="elimina" />
              <button type="submit" className="btn btn-outline-danger" disabled={busy}>
                Elimina la bozza
              </button>
            </Form>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="anteprima-title" className="mb-5">
        <h2 id="anteprima-title" className="h4">
          {draft ? "Anteprima dell'email" : "Email inviata"}
        </h2>
        <p className="mb-1">
          Oggetto: <strong>{c.preview.subject}</strong>
        </p>
        <iframe
          title="Anteprima dell'email della comunicazione"
          sandbox=""
          srcDoc={c.preview.html}
          style={{ width: "100%", height: "32rem", border: "1px solid #c5c7c9" }}
        />
      </section>

      {sent ? (
        <section aria-labelledby="consegne-title">
          <h2 id="consegne-title" className="h4">
            A chi è stata inviata
          </h2>
          {sent.justRetried !== null ? (
            <div className="alert alert-success" role="status">
              {sent.justRetried === 1
                ? "L'email non consegnata è stata rimessa in coda per un nuovo invio."
                : `${formatCount(sent.justRetried)} email non consegnate sono state rimesse in coda per un nuovo invio.`}{" "}
              Lo stato di ogni email è nella tabella qui sotto.
            </div>
          ) : null}
          <p>
            {plural(sent.recipientCount, "destinatario", "destinatari")}: {deliverySummary(sent.counts)}.{" "}
            <Link to={`/admin/posta?comunicazione=${c.id}`}>Vedi queste email nella posta in uscita</Link>
          </p>
          {sent.retryable > 0 ? (
            <Form method="post" className="mb-3">
              <AuthenticityTokenInput name="csrf" />
              <input type="hidden" name="intent" value="riprova" />
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {sent.retryable === 1
                  ? "Riprova l'invio dell'email non consegnata"
                  : `Riprova l'invio delle ${formatCount(sent.retryable)} email non consegnate`}
              </button>
            </Form>
          ) : null}
          <TableScroll>
            <table className="table table-sm align-middle">
              <TableCaption>
                Email della comunicazione{sent.pageCount > 1 ? `, pagina ${sent.page} di ${sent.pageCount}` : ""}
              </TableCaption>
              <thead>
                <tr>
                  <th scope="col">Destinatario</th>
                  <th scope="col">Stato</th>
                  <th scope="col">Consegnata il</th>
                  <th scope="col">Dettagli</th>
                </tr>
              </thead>
              <tbody>
                {sent.rows.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" className="text-break">
                      {r.recipient}
                    </th>
                    <td>
                      <span className={r.status === "failed" ? "text-danger fw-semibold" : undefined}>{r.statusLabel}</span>
                      {r.status === "failed" && r.lastError ? <div className="small text-break">{r.lastError}</div> : null}
                      {/* Waiting for another attempt after a temporary refusal: why, as the delivery log says. */}
                      {r.status === "queued" && r.lastError ? (
                        <div className="small text-break">Nuovo tentativo in programma dopo l'errore: {r.lastError}</div>
                      ) : null}
                    </td>
                    <td>{r.sentAt ?? "—"}</td>
                    <td>
                      <Link to={`/admin/posta/${r.id}`}>
                        Apri<span className="visually-hidden"> l'email a {r.recipient}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {sent.pageCount > 1 ? (
            <Pagination page={sent.page} pageCount={sent.pageCount} href={(p) => `/admin/comunicazioni/${c.id}?pagina=${p}`} label="Pagine dei destinatari" />
          ) : null}
        </section>
      ) : null}
    </>
  );
}

function RecipientList({ recipients }: { recipients: { name: string; bodyName: string | null; email: string }[] }) {
  return (
    <ul>
      {recipients.map((r) => (
        <li key={r.email}>
          {r.name} ({r.bodyName}) - {r.email}
        </li>
      ))}
    </ul>
  );
}
