import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { useHydrated } from "remix-utils/use-hydrated";
import { ErrorSummary } from "~/components/form-fields";
import { SegmentFields } from "~/components/segment-fields";
import { useServerErrorSummaryFocus } from "~/components/use-validated-form";
import {
  getRoundTable,
  invitationRefusal,
  listInvitations,
  previewInvitations,
  saveAttendance,
  sendInvitations,
  type InvitationAnswer,
} from "~/models/invitation.server";
import { listProvinceOptions } from "~/models/territory.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { plural } from "~/utils/text";
import { fieldId, issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { ROUND_TABLE_MODE_LABELS, roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableName, roundTableWhen } from "~/utils/round-table-format";
import {
  ANSWER_LABELS,
  attendanceSchema,
  recipientsFormFields,
  recipientsFormInput,
  recipientsFormSchema,
  toRecipientFilters,
} from "~/validation/invitations";
import { emailTemplateLabel, OUTBOX_STATUS_LABELS } from "~/validation/labels";
import { ROUND_TABLE_STATUS_BADGES, ROUND_TABLE_STATUS_LABELS } from "~/validation/round-table";
import { parseRecordId } from "~/utils/record-id";
import { ResultsStatus } from "~/components/results-status";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`Inviti - ${data.roundTable.titleName}`) : coordinatorPageTitle("Tavolo tecnico non trovato") },
];

const PAGE_SIZE = 100;

function loadRoundTable(params: LoaderFunctionArgs["params"]) {
  const id = parseRecordId(params.id);
  const rt = id ? getRoundTable(getDb(), { id }) : undefined;
  if (!rt) throw new Response("Tavolo tecnico non trovato", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return rt;
}

type AnswerFilter = InvitationAnswer | "withdrawn";
const ANSWER_PARAMS = { partecipa: "yes", "non-partecipa": "no", "in-attesa": "pending", ritirati: "withdrawn" } as const satisfies Record<string, AnswerFilter>;
type AnswerParam = keyof typeof ANSWER_PARAMS;
const PARAM_OF: Record<AnswerFilter, AnswerParam> = { yes: "partecipa", no: "non-partecipa", pending: "in-attesa", withdrawn: "ritirati" };

type ChooserValues = { provincia: string[]; tipologia: string[]; indirizzi: string; destinatari: string };
const EMPTY_CHOICE: ChooserValues = { provincia: [], tipologia: [], indirizzi: "", destinatari: "referenti" };

type InvitationPreview = Awaited<ReturnType<typeof previewInvitations>> & { fields: [string, string][] };

/**
 * What the actions answer when they do not redirect: the errors, and for "anteprima" the choice as
 * sent and the preview. The preview is a POST (the extra addresses are other people's: they must
 * not end up in URLs, so in server logs, the browser history or a Referer).
 */
type ActionData = FormErrors & { values?: ChooserValues; preview?: InvitationPreview };

/** The chooser as sent, shown again with its errors. */
const choiceAsSent = (raw: ReturnType<typeof recipientsFormInput>): ChooserValues => ({
  provincia: raw.provincia,
  tipologia: raw.tipologia,
  indirizzi: raw.indirizzi ?? "",
  destinatari: raw.destinatari ?? "referenti",
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const rt = loadRoundTable(params);
  const url = new URL(request.url);
  const refusal = invitationRefusal(rt);

  const answerParam = url.searchParams.get("risposta");
  const answer = answerParam && answerParam in ANSWER_PARAMS ? ANSWER_PARAMS[answerParam as AnswerParam] : undefined;
  const requestedPage = Number(url.searchParams.get("pagina") ?? "1");
  let page = Number.isInteger(requestedPage) && requestedPage >= 1 ? requestedPage : 1;
  let list = listInvitations(db, { roundTableId: rt.id, answer, page, pageSize: PAGE_SIZE });
  if (page > list.pageCount) {
    page = list.pageCount;
    list = listInvitations(db, { roundTableId: rt.id, answer, page, pageSize: PAGE_SIZE });
  }

  const sent = url.searchParams.get("inviati");
  const saved = url.searchParams.get("presenze");
  return json({
    roundTable: {
      id: rt.id,
      name: roundTableName(rt),
      // As the Tavolo's own page is titled: «7° Tavolo tecnico: Titolo».
      titleName: `${roundTableHeading(rt)}: ${rt.title}`,
      when: roundTableWhen(rt),
      modeLabel: ROUND_TABLE_MODE_LABELS[rt.mode],
      status: rt.status,
      statusLabel: ROUND_TABLE_STATUS_LABELS[rt.status],
      started: rt.startsAt.getTime() <= Date.now(),
    },
    refusal,
    provinces: listProvinceOptions(db),
    invitations: list.rows.map((r) => ({
      id: r.id,
      email: r.email,
      referentName: r.referentName,
      typedName: r.typedName,
      bodyName: r.bodyName,
      answer: r.answer,
      answeredAt: r.answeredAt ? formatDateTimeIt(r.answeredAt) : null,
      attended: r.attended,
      delivery: r.delivery
        ? { label: OUTBOX_STATUS_LABELS[r.delivery.status], status: r.delivery.status, lastError: r.delivery.lastError, kind: emailTemplateLabel(r.delivery.template) }
        : null,
    })),
    counts: list.counts,
    total: list.total,
    page,
    pageCount: list.pageCount,
    answerFilter: answer ?? null,
    outcome: {
      sent: sent !== null && /^\d{1,7}$/.test(sent) ? Number(sent) : null,
      saved: saved !== null && /^\d{1,7}$/.test(saved) ? Number(saved) : null,
    },
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const rt = loadRoundTable(params);
  const db = getDb();
  const intent = formData.get("intent");

  if (intent === "anteprima") {
    const refusal = invitationRefusal(rt);
    if (refusal) return json<ActionData>({ errors: {}, formError: refusal }, { status: 409 });
    const raw = recipientsFormInput(formData);
    const parsed = recipientsFormSchema.safeParse(raw);
    if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), values: choiceAsSent(raw) }, { status: 400 });
    const preview = await previewInvitations(db, { roundTable: rt, filters: toRecipientFilters(parsed.data), appUrl: getEnv().appUrl });
    return json<ActionData>({ errors: {}, values: parsed.data, preview: { ...preview, fields: recipientsFormFields(parsed.data) } });
  }

  if (intent === "invia") {
    const raw = recipientsFormInput(formData);
    const parsed = recipientsFormSchema.safeParse(raw);
    if (!parsed.success) {
      return json<ActionData>(
        { errors: issuesToFieldErrors(parsed.error.issues), formError: "Gli inviti non sono stati inviati: correggi i destinatari.", values: choiceAsSent(raw) },
        { status: 400 },
      );
    }
    const result = sendInvitations(db, {
      roundTableId: rt.id,
      filters: toRecipientFilters(parsed.data),
      coordinatorId: coordinator.id,
      appUrl: getEnv().appUrl,
    });
    if (!result.ok) return json<ActionData>({ errors: {}, formError: result.error }, { status: 409 });
    if (result.count > 0) wakeOutboxWorker();
    return redirect(`/admin/tavoli/${rt.id}/inviti?inviati=${result.count}`);
  }

  if (intent === "presenze") {
    if (rt.startsAt.getTime() > Date.now()) {
      return json<ActionData>({ errors: {}, formError: "Le presenze si registrano dall'inizio dell'incontro." }, { status: 409 });
    }
    const parsed = attendanceSchema.safeParse({ mostrati: formData.getAll("mostrati"), presenti: formData.getAll("presenti") });
    if (!parsed.success) return json<ActionData>({ errors: {}, formError: "Presenze non valide: ricarica la pagina e riprova." }, { status: 400 });
    const { changed } = saveAttendance(db, {
      roundTableId: rt.id,
      shownIds: parsed.data.mostrati,
      presentIds: parsed.data.presenti,
      coordinatorId: coordinator.id,
    });
    const back = new URLSearchParams();
    const current = new URL(request.url).searchParams;
    for (const key of ["risposta", "pagina"]) {
      const v = current.get(key);
      if (v) back.set(key, v);
    }
    back.set("presenze", String(changed));
    return redirect(`/admin/tavoli/${rt.id}/inviti?${back}`);
  }

  return json<ActionData>({ errors: {}, formError: "Operazione non riconosciuta." }, { status: 400 });
}

export default function RoundTableInvitationsPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);
  const { roundTable: rt, counts } = data;
  const serverErrors = actionData?.errors ?? {};
  const pageUrl = `/admin/tavoli/${rt.id}/inviti`;
  const summaryRef = useServerErrorSummaryFocus(actionData);
  const errorList = Object.entries(serverErrors).map(([name, message]) => ({ name, message }));
  // "Invia inviti" sends what the preview shows (its hidden fields): once the choice above changes,
  // that preview no longer matches what the coordinator sees, so it must be asked for again.
  const [choiceChanged, setChoiceChanged] = useState(false);
  useEffect(() => setChoiceChanged(false), [actionData]);
  const listUrl = (answer: AnswerFilter | null, page = 1) => {
    const p = new URLSearchParams();
    if (answer) p.set("risposta", PARAM_OF[answer]);
    if (page > 1) p.set("pagina", String(page));
    const q = p.toString();
    return `${pageUrl}${q ? `?${q}` : ""}`;
  };
  const emptyText = counts.total === 0 ? "Non è stato ancora invitato nessuno." : "Nessun invitato con questa risposta.";
  const resultsText = `${plural(data.total, "invitato", "invitati")}${data.pageCount > 1 ? `, pagina ${data.page} di ${data.pageCount}` : ""}`;

  return (
    <>
      <p>
        <Link to={`/admin/tavoli/${rt.id}`}>Torna al Tavolo tecnico</Link>
      </p>
      <h1>Inviti: {rt.name}</h1>
      <p className="lead">
        {rt.when} · {rt.modeLabel} · <span className={`badge ${ROUND_TABLE_STATUS_BADGES[rt.status]}`}>{rt.statusLabel}</span>
      </p>

      {data.outcome.sent !== null ? (
        <div className="alert alert-success" role="status">
          {data.outcome.sent === 0
            ? "Nessun nuovo invito: tutti i destinatari scelti erano già stati invitati."
            : `Inviti in partenza: ${plural(data.outcome.sent, "destinatario", "destinatari")}. Lo stato di ogni email è nella tabella delle risposte.`}
        </div>
      ) : null}
      {data.outcome.saved !== null ? (
        <div className="alert alert-success" role="status">
          Presenze salvate ({plural(data.outcome.saved, "modifica", "modifiche")}).
        </div>
      ) : null}

      <section aria-labelledby="destinatari-title" className="mb-5">
        <h2 id="destinatari-title" className="h3">
          Invia gli inviti
        </h2>
        {data.refusal ? (
          <div className="alert alert-warning" role="status">
            <strong>Non è possibile inviare inviti.</strong> {data.refusal}
          </div>
        ) : (
          <>
            <ErrorSummary ref={summaryRef} errors={errorList} formError={actionData?.formError} subject="La scelta dei destinatari" failureTitle="Inviti non inviati" />
            <RecipientsChooser
              action={pageUrl}
              provinces={data.provinces}
              values={actionData?.values ?? EMPTY_CHOICE}
              errors={serverErrors}
              onChange={() => setChoiceChanged(true)}
            />
            {actionData?.preview ? <Preview action={pageUrl} preview={actionData.preview} busy={busy} outdated={choiceChanged} /> : null}
          </>
        )}
      </section>

      <section aria-labelledby="risposte-title">
        <h2 id="risposte-title" className="h3">
          Risposte
        </h2>
        <nav aria-label="Filtra le risposte" className="mb-3">
          <ul className="list-inline mb-0">
            <li className="list-inline-item me-3">
              <Link to={listUrl(null)} aria-current={data.answerFilter === null ? "true" : undefined}>
                Tutti gli invitati <span className="badge bg-secondary">{counts.total}</span>
              </Link>
            </li>
            {(["yes", "no", "pending"] as const).map((a) => (
              <li className="list-inline-item me-3" key={a}>
                <Link to={listUrl(a)} aria-current={data.answerFilter === a ? "true" : undefined}>
                  {ANSWER_LABELS[a]} <span className="badge bg-primary">{counts[a]}</span>
                </Link>
              </li>
            ))}
            {counts.withdrawn > 0 ? (
              <li className="list-inline-item me-3">
                <Link to={listUrl("withdrawn")} aria-current={data.answerFilter === "withdrawn" ? "true" : undefined}>
                  Inviti ritirati <span className="badge bg-secondary">{counts.withdrawn}</span>
                </Link>
              </li>
            ) : null}
            <li className="list-inline-item">
              Presenti: <strong>{counts.attended}</strong>
            </li>
          </ul>
        </nav>
        {data.answerFilter === "withdrawn" ? (
          <p>
            Inviti a referenti che hanno lasciato l'incarico prima dell'incontro (sostituiti, revocati o con i dati cancellati): non
            contano tra gli invitati e le risposte. Chi è subentrato ha ricevuto un invito proprio.
          </p>
        ) : null}
        {counts.total > 0 ? (
          <p>
            <Link to={`/admin/posta?tavolo=${rt.id}`}>Vedi le email di questo tavolo nella posta in uscita</Link>
          </p>
        ) : null}
        {counts.total + counts.withdrawn > 0 ? (
          <p className="d-flex flex-wrap gap-3">
            <a className="btn btn-outline-primary btn-sm" href={`${pageUrl}/export.xlsx`}>
              Esporta Excel
            </a>
            <a className="btn btn-outline-primary btn-sm" href={`${pageUrl}/export.csv`}>
              Esporta CSV
            </a>
            <span className="align-self-center text-muted">
              Le esportazioni contengono tutti gli invitati con la risposta e la presenza, e in fondo gli inviti ritirati.
            </span>
          </p>
        ) : null}
        <ResultsStatus>{data.invitations.length === 0 ? emptyText : `Risposte all'invito: ${resultsText}`}</ResultsStatus>
        {data.invitations.length === 0 ? (
          <p className="alert alert-info">{emptyText}</p>
        ) : (
          <AttendanceForm enabled={rt.started} action={listUrl(data.answerFilter, data.page)}>
            <TableScroll>
              <table className="table table-sm align-middle">
                <TableCaption>Risposte all'invito ({resultsText})</TableCaption>
                <thead>
                  <tr>
                    <th scope="col">Referente</th>
                    <th scope="col">Ente</th>
                    <th scope="col">Email</th>
                    <th scope="col">Risposta</th>
                    <th scope="col">Data risposta</th>
                    <th scope="col">Stato email</th>
                    {rt.started ? <th scope="col">Presente</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {data.invitations.map((i) => (
                    <tr key={i.id}>
                      <th scope="row">
                        {i.referentName ??
                          (i.typedName ? (
                            <>
                              {i.typedName} <span className="text-muted">(indirizzo aggiuntivo)</span>
                            </>
                          ) : (
                            <span className="text-muted">Indirizzo aggiuntivo</span>
                          ))}
                      </th>
                      <td>{i.bodyName ?? "—"}</td>
                      <td className="text-break">{i.email}</td>
                      <td>
                        {ANSWER_LABELS[i.answer]}
                        {data.answerFilter === "withdrawn" ? <span className="text-muted"> (invito ritirato)</span> : null}
                      </td>
                      <td>{i.answeredAt ?? "—"}</td>
                      <td>
                        {i.delivery ? (
                          <>
                            <span className={i.delivery.status === "failed" ? "text-danger fw-semibold" : undefined}>{i.delivery.label}</span>
                            {i.delivery.kind ? <span className="text-muted"> ({i.delivery.kind})</span> : null}
                            {i.delivery.status === "failed" && i.delivery.lastError ? (
                              <div className="small text-break">{i.delivery.lastError}</div>
                            ) : null}
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                      {rt.started ? (
                        <td>
                          <input type="hidden" name="mostrati" value={i.id} />
                          <input
                            type="checkbox"
                            id={`presente-${i.id}`}
                            name="presenti"
                            value={i.id}
                            defaultChecked={i.attended === true}
                          />
                          <label htmlFor={`presente-${i.id}`} className="visually-hidden">
                            Presente: {i.referentName ?? i.typedName ?? i.email}
                          </label>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {rt.started ? (
              <button type="submit" className="btn btn-outline-primary" disabled={busy}>
                Salva presenze
              </button>
            ) : (
              <p className="text-muted">Le presenze si registrano qui dall'inizio dell'incontro.</p>
            )}
          </AttendanceForm>
        )}
        {data.pageCount > 1 ? (
          <nav aria-label="Pagine degli invitati" className="mt-3">
            <ul className="pagination">
              {data.page > 1 ? (
                <li className="page-item">
                  <Link className="page-link" to={listUrl(data.answerFilter, data.page - 1)}>
                    Pagina precedente
                  </Link>
                </li>
              ) : null}
              <li className="page-item">
                <span className="page-link" aria-current="page">
                  {data.page} / {data.pageCount}
                </span>
              </li>
              {data.page < data.pageCount ? (
                <li className="page-item">
                  <Link className="page-link" to={listUrl(data.answerFilter, data.page + 1)}>
                    Pagina successiva
                  </Link>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </section>
    </>
  );
}

function RecipientsChooser({
  action,
  provinces,
  values,
  errors,
  onChange,
}: {
  /** The page without its query string: the answers' filters do not follow the preview. */
  action: string;
  provinces: { code: string; sigla: string; name: string }[];
  values: ChooserValues;
  errors: Record<string, string>;
  onChange: () => void;
}) {
  const extraId = fieldId("indirizzi");
  const extraError = errors.indirizzi;
  return (
    <Form method="post" action={action} className="mb-4" aria-label="Scegli i destinatari" onChange={onChange}>
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="anteprima" />
      <fieldset className="mb-4">
        <legend className="h5">Destinatari</legend>
        <div className="form-check">
          <input
            type="radio"
            name="destinatari"
            id="destinatari-referenti"
            value="referenti"
            defaultChecked={values.destinatari !== "indirizzi"}
          />
          <label htmlFor="destinatari-referenti" style={{ fontWeight: 400 }}>
            I referenti attivi (tutti, oppure solo quelli delle province e tipologie scelte) e gli indirizzi aggiuntivi
          </label>
        </div>
        <div className="form-check">
          <input
            type="radio"
            name="destinatari"
            id="destinatari-indirizzi"
            value="indirizzi"
            defaultChecked={values.destinatari === "indirizzi"}
          />
          <label htmlFor="destinatari-indirizzi" style={{ fontWeight: 400 }}>
            Solo gli indirizzi aggiuntivi
          </label>
        </div>
      </fieldset>
      <SegmentFields provinces={provinces} values={values} />
      <div className="form-field mb-4">
        <label htmlFor={extraId}>Indirizzi aggiuntivi</label>
        <textarea
          id={extraId}
          name="indirizzi"
          rows={4}
          className={`form-control ${extraError ? "is-invalid" : ""}`}
          defaultValue={values.indirizzi}
          aria-invalid={extraError ? true : undefined}
          aria-describedby={`${extraId}-hint${extraError ? ` ${extraId}-error` : ""}`}
        />
        <small id={`${extraId}-hint`} className="form-text">
          Un indirizzo email per riga (per esempio relatori o ospiti); si possono incollare anche i destinatari copiati da un
          programma di posta. Chi è già stato invitato non riceve un secondo invito.
        </small>
        {extraError ? (
          <span id={`${extraId}-error`} className="field-error">
            <span className="visually-hidden">Errore: </span>
            {extraError}
          </span>
        ) : null}
      </div>
      <button type="submit" className="btn btn-outline-primary">
        Anteprima
      </button>
    </Form>
  );
}

/** "Riceveranno l'invito 11 referenti", or "12 destinatari (compreso 1 indirizzo aggiuntivo)" when addresses were added by hand. */
function inviteeCountText({ count, extraCount }: { count: number; extraCount: number }) {
  if (extraCount === 0) return count === 1 ? "Riceverà l'invito 1 referente" : `Riceveranno l'invito ${plural(count, "referente", "referenti")}`;
  const extra = extraCount === 1 ? "compreso 1 indirizzo aggiuntivo" : `compresi ${plural(extraCount, "indirizzo aggiuntivo", "indirizzi aggiuntivi")}`;
  return `${count === 1 ? "Riceverà l'invito 1 destinatario" : `Riceveranno l'invito ${plural(count, "destinatario", "destinatari")}`} (${extra})`;
}

/** The list of invitees is the "Salva presenze" form once the meeting has started; before, only a list. */
function AttendanceForm({ enabled, action, children }: { enabled: boolean; action: string; children: ReactNode }) {
  if (!enabled) return <>{children}</>;
  return (
    <Form method="post" action={action}>
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="presenze" />
      {children}
    </Form>
  );
}

function Preview({ action, preview, busy, outdated }: { action: string; preview: InvitationPreview; busy: boolean; outdated: boolean }) {
  const hydrated = useHydrated();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // The page answering "Anteprima" opens on the preview: without JavaScript through autofocus, with
  // it here (the preview sits below a long form).
  useEffect(() => {
    if (preview) headingRef.current?.focus();
  }, [preview]);
  return (
    <section aria-labelledby="anteprima-title" className="border rounded p-3 mb-4">
      <h3 id="anteprima-title" className="h4" tabIndex={-1} ref={headingRef} autoFocus={!hydrated}>
        Anteprima
      </h3>
      {outdated ? (
        <p className="alert alert-warning" role="status">
          Hai cambiato i destinatari dopo l'anteprima: premi di nuovo «Anteprima» per vedere chi riceverà l'invito prima di inviarlo.
        </p>
      ) : preview.count === 0 ? (
        <p className="alert alert-info" role="status">
          Nessun destinatario da invitare: chi corrisponde alla scelta è già stato invitato, oppure nessun referente attivo corrisponde ai filtri.
        </p>
      ) : (
        <>
          <p className="lead" role="status">
            {inviteeCountText(preview)}.
          </p>
          <p className="mb-1">{preview.count > preview.sample.length ? `I primi ${preview.sample.length}:` : "Destinatari:"}</p>
          <ul>
            {preview.sample.map((r) => (
              <li key={r.email}>
                {r.name ? `${r.name}${r.bodyName ? ` (${r.bodyName})` : ""} - ` : ""}
                {r.email}
              </li>
            ))}
          </ul>
          <Form method="post" action={action} className="mb-3">
            <AuthenticityTokenInput name="csrf" />
            <input type="hidden" name="intent" value="invia" />
            {preview.fields.map(([name, value], i) => (
              <input type="hidden" name={name} value={value} key={`${name}-${i}`} />
            ))}
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Invia inviti
            </button>
          </Form>
        </>
      )}
      <p className="mb-1">
        Oggetto: <strong>{preview.subject}</strong>
      </p>
      <iframe
        title="Anteprima dell'email di invito"
        sandbox=""
        srcDoc={preview.html}
        style={{ width: "100%", height: "36rem", border: "1px solid #c5c7c9" }}
      />
    </section>
  );
}
