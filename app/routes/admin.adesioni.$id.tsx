import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import type { ReactNode } from "react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FormRefusal } from "~/components/form-fields";
import { Breadcrumb } from "~/components/breadcrumb";
import { ReasonForm } from "~/components/reason-form";
import { importWelcomeOwed, sendImportWelcome } from "~/models/member-import-welcome.server";
import { getMembershipRequestDetail, membershipRequestExists, parseRequestId } from "~/models/membership-detail.server";
import { approveMembership, rejectMembership, requestVersion, revokeMembership, type DecisionResult } from "~/models/membership-review.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt, formatDateTimeIt, formatIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { postedVersion } from "~/utils/form-version";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { roundTableName } from "~/utils/round-table-format";
import { consentDescription } from "~/utils/privacy-consent";
import { arrivalFacts, importSourceText, type ImportSource } from "~/utils/request-arrival";
import { plural } from "~/utils/text";
import { ANSWER_LABELS, attendanceLabel } from "~/validation/invitations";
import { ROUND_TABLE_STATUS_LABELS } from "~/validation/round-table";
import { parseShownReferent, rejectionSchema, revocationSchema, SHOWN_REFERENT_FIELD, shownReferentValue } from "~/validation/membership-decision";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`${data.detail.body.name} - Richiesta n. ${data.detail.request.id}`) : coordinatorPageTitle("Richiesta non trovata") },
];

const NOT_FOUND_MESSAGE = "La richiesta di adesione che cerchi non esiste: controlla il numero o torna all'elenco delle adesioni.";

const notFound = () => json({ message: NOT_FOUND_MESSAGE }, { status: 404 });

// Messages shown after a successful action (post/redirect/get).
const OUTCOMES: Record<string, string> = {
  approvata: "La richiesta è stata approvata. Il referente riceverà un'email di conferma.",
  respinta: "La richiesta è stata respinta. Il referente riceverà un'email con il motivo.",
  "respinta-senza-email":
    "La richiesta è stata respinta. Il referente non aveva confermato il suo indirizzo email: non gli è stata inviata alcuna email.",
  revocata: "L'adesione è stata revocata.",
  "benvenuto-inviata": "L'email di benvenuto è stata messa in coda: il referente la riceverà a breve.",
  modificata: "I dati sono stati aggiornati.",
  "modificata-email-da-riprovare":
    "I dati sono stati aggiornati. Le email non consegnate al vecchio indirizzo ora sono indirizzate al nuovo: riprovane l'invio da Posta in uscita (stato «Non recapitata»).",
  invariata: "Nessun dato è cambiato: non è stato salvato nulla.",
  "progetto-aggiunto": "Il progetto è stato aggiunto.",
  "progetto-modificato": "Il progetto è stato aggiornato.",
  "progetto-invariato": "Nessun dato del progetto è cambiato: non è stato salvato nulla.",
  "progetto-chiuso": "Il progetto è stato chiuso: non conta più tra i progetti attivi.",
  "progetto-riaperto": "Il progetto è stato riaperto.",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const id = parseRequestId(params.id);
  const detail = id ? getMembershipRequestDetail(getDb(), { id, appUrl: getEnv().appUrl }) : null;
  if (!detail) throw notFound();
  const outcome = new URL(request.url).searchParams.get("esito");
  return json({
    detail,
    outcome: outcome ? OUTCOMES[outcome] ?? null : null,
    // What the rejection or revocation is decided on: refused if the request changes before it is sent.
    decisionVersion: requestVersion(getDb(), { id: detail.request.id }),
    // Imported as approved without emails: the welcome email can still be sent.
    welcomeOwed: importWelcomeOwed(getDb(), { id: detail.request.id }),
  });
}

type Intent = "approve" | "reject" | "revoke" | "welcome";
type ActionData = { intent: Intent | null; errors: Record<string, string>; formError?: string; values?: { reason: string } };

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const id = parseRequestId(params.id);
  const db = getDb();
  if (!id || !membershipRequestExists(db, { id })) throw notFound();

  const intent = String(formData.get("intent") ?? "");
  const appUrl = getEnv().appUrl;
  let result: DecisionResult;
  let outcome: string;
  if (intent === "approve") {
    result = approveMembership(db, {
      id,
      coordinatorId: coordinator.id,
      appUrl,
      replaceProjects: formData.get("progetti") === "sostituisci",
      shownReferentId: parseShownReferent(formData.get(SHOWN_REFERENT_FIELD)),
    });
    outcome = "approvata";
  } else if (intent === "welcome") {
    result = sendImportWelcome(db, { id, coordinatorId: coordinator.id, appUrl });
    outcome = "benvenuto-inviata";
  } else if (intent === "reject" || intent === "revoke") {
    const values = { reason: String(formData.get("reason") ?? "") };
    const parsed = (intent === "reject" ? rejectionSchema : revocationSchema).safeParse(values);
    if (!parsed.success) {
      return json<ActionData>({ intent, errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
    }
    const decision = { id, coordinatorId: coordinator.id, appUrl, reason: parsed.data.reason, version: postedVersion(formData) };
    result = intent === "reject" ? rejectMembership(db, decision) : revokeMembership(db, decision);
    outcome = intent === "revoke" ? "revocata" : result.ok && result.notEmailed ? "respinta-senza-email" : "respinta";
    if (!result.ok) return json<ActionData>({ intent, errors: {}, formError: result.error, values }, { status: 409 });
  } else {
    return json<ActionData>({ intent: null, errors: {}, formError: "Azione non riconosciuta: ricarica la pagina e riprova." }, { status: 400 });
  }
  if (!result.ok) return json<ActionData>({ intent, errors: {}, formError: result.error }, { status: 409 });
  wakeOutboxWorker();
  return redirect(`/admin/adesioni/${id}?esito=${outcome}`);
}

const when = (iso: string | null | undefined) => (iso ? formatDateTimeIt(new Date(iso)) : "—");
const day = (iso: string | null | undefined) => (iso ? formatDateIt(new Date(iso)) : "—");
/** A calendar date "2024-01-31" as "31/01/2024". */

const STATUS_BADGES: Record<string, string> = {
  email_unverified: "bg-secondary",
  pending: "bg-warning text-dark",
  approved: "bg-success",
  rejected: "bg-danger",
  revoked: "bg-dark",
  superseded: "bg-secondary",
};

// A superseded request was approved; its decision is the approval.
const DECISION_VERBS: Record<string, string> = {
  approved: "Approvata",
  superseded: "Approvata",
  rejected: "Respinta",
  revoked: "Revocata",
};

const EMAIL_BADGES: Record<string, string> = {
  queued: "bg-secondary",
  sending: "bg-info text-dark",
  sent: "bg-success",
  failed: "bg-danger",
};

function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="row mb-0">
      {items.map(([term, value]) => (
        <div className="col-12 d-sm-flex border-bottom py-2" key={term}>
          <dt className="col-sm-4 fw-semibold">{term}</dt>
          <dd className="col-sm-8 mb-0">{value === null || value === undefined || value === "" ? "—" : value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mb-5">
      <h2 id={id} className="h3">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default function MembershipRequestPage() {
  const { detail, outcome } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { request, body, referent } = detail;
  const decisionError = actionData?.formError && Object.keys(actionData.errors).length === 0 ? actionData.formError : null;
  const comune = body.municipalityName ? `${body.municipalityName}${body.provinceSigla ? ` (${body.provinceSigla})` : ""}` : null;
  const term = referent.validFrom
    ? referent.validTo
      ? `Dal ${day(referent.validFrom)} al ${day(referent.validTo)}`
      : `In carica dal ${day(referent.validFrom)}`
    : "Non ancora in carica";

  return (
    <div>
      <Breadcrumb parents={[{ to: "/admin/adesioni", label: "Adesioni" }]} current={`Richiesta n. ${request.id}`} />
      <h1>{body.name}</h1>
      <p className="lead">
        Richiesta n. {request.id} · {request.kindLabel} ·{" "}
        <span className={`badge ${STATUS_BADGES[request.status] ?? "bg-secondary"}`}>{request.statusLabel}</span>
      </p>

      {outcome ? (
        <div className="alert alert-success" role="status">
          {outcome}
        </div>
      ) : null}
      <FormRefusal message={decisionError} />

      <Actions />

      <Section id="richiesta" title="Richiesta">
        <Facts
          items={[
            ["Numero", String(request.id)],
            ["Tipo di richiesta", request.kindLabel],
            ["Stato", request.statusLabel],
            ...arrivalFacts({
              importedFrom: request.importedFrom,
              status: request.status,
              createdAt: when(request.createdAt),
              confirmedAt: request.confirmedAt ? when(request.confirmedAt) : null,
            }),
            ["Ultimo aggiornamento", when(request.updatedAt)],
            [
              "Decisione",
              request.decidedAt
                ? `${DECISION_VERBS[request.status] ?? request.statusLabel} il ${when(request.decidedAt)}${request.decidedByName ? ` da ${request.decidedByName}` : ""}`
                : "Non ancora decisa",
            ],
            ...(request.decisionReason ? ([["Motivo", <span style={{ whiteSpace: "pre-wrap" }}>{request.decisionReason}</span>]] as [string, ReactNode][]) : []),
          ]}
        />
      </Section>

      <Section id="ente" title="Ente">
        <Facts
          items={[
            ["Tipo di ente", body.kindLabel],
            ["Denominazione ente", body.name],
            ...(comune ? ([["Comune", comune]] as [string, ReactNode][]) : []),
            [
              "Provincia",
              body.provinceName ?? (
                <>
                  non indicata: <Link to={`/admin/adesioni/${request.id}/modifica`}>indicala in «Modifica dati»</Link>, così l'ente
                  rientra nei filtri per provincia
                </>
              ),
            ],
            ["PEC dell'ente", <a href={`mailto:${body.pec}`}>{body.pec}</a>],
            ["Codice fiscale dell'ente", body.fiscalCode],
            ["Stato dell'ente", body.statusLabel],
          ]}
        />
        <h3 className="h5 mt-4">Altre richieste dell'ente</h3>
        {detail.otherRequests.length === 0 ? (
          <p>Non ci sono altre richieste per questo ente.</p>
        ) : (
          <TableScroll>
            <table className="table table-sm">
              <TableCaption className="visually-hidden">Altre richieste di adesione dello stesso ente</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Richiesta</th>
                  <th scope="col">Tipo</th>
                  <th scope="col">Referente</th>
                  <th scope="col">Inviata il</th>
                  <th scope="col">Stato</th>
                </tr>
              </thead>
              <tbody>
                {detail.otherRequests.map((o) => (
                  <tr key={o.id}>
                    <th scope="row">
                      <Link to={`/admin/adesioni/${o.id}`}>Richiesta n. {o.id}</Link>
                    </th>
                    <td>{o.kindLabel}</td>
                    <td>{o.referentName}</td>
                    <td>{when(o.createdAt)}</td>
                    <td>{o.statusLabel}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>

      <Section id="referente" title="Referente">
        <Facts
          items={[
            ["Nome", referent.firstName],
            ["Cognome", referent.lastName],
            ["Ruolo", referent.roleLabel],
            ["Ufficio o settore", referent.office],
            ["Email", <a href={`mailto:${referent.email}`}>{referent.email}</a>],
            ["Email verificata il", referent.emailVerifiedAt ? when(referent.emailVerifiedAt) : "Non ancora verificata"],
            ["Telefono", referent.phoneDisplay],
            ["Cellulare", referent.mobileDisplay],
            [
              "Consenso all'informativa",
              consentDescription(referent.privacyNoticeVersion, when(referent.privacyConsentAt)),
            ],
            ["Incarico", term],
          ]}
        />
        <h3 className="h5 mt-4">Storico dei referenti</h3>
        <TableScroll>
          <table className="table table-sm">
            <TableCaption className="visually-hidden">Storico dei referenti dell'ente, dal più recente</TableCaption>
            <thead>
              <tr>
                <th scope="col">Referente</th>
                <th scope="col">Ruolo</th>
                <th scope="col">Email</th>
                <th scope="col">Dal</th>
                <th scope="col">Al</th>
                <th scope="col">Richiesta</th>
              </tr>
            </thead>
            <tbody>
              {detail.referentHistory.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    {r.firstName} {r.lastName}
                    {r.isCurrent ? <span className="badge bg-success ms-2">In carica</span> : null}
                  </th>
                  <td>{r.roleLabel}</td>
                  <td>{r.email}</td>
                  <td>{r.validFrom ? day(r.validFrom) : "Mai in carica"}</td>
                  <td>{r.validTo ? day(r.validTo) : r.isCurrent ? "In carica" : "—"}</td>
                  <td>
                    {r.requestId ? (
                      r.isThisRequest ? (
                        <>Questa richiesta ({r.requestStatusLabel})</>
                      ) : (
                        <Link to={`/admin/adesioni/${r.requestId}`}>
                          Richiesta n. {r.requestId} ({r.requestStatusLabel})
                        </Link>
                      )
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </Section>

      <Section id="progetti" title="Progetti SAI">
        <p>
          <Link to={`/admin/adesioni/${request.id}/progetti/nuovo`} className="btn btn-outline-primary">
            Aggiungi progetto
          </Link>
        </p>
        {detail.projects.length === 0 ? (
          <p>
            {request.noActiveProjects
              ? "L'ente ha dichiarato di non avere progetti SAI attivi."
              : "Non ci sono progetti SAI registrati per questo ente."}
          </p>
        ) : (
          <TableScroll>
            <table className="table table-sm">
              <TableCaption className="visually-hidden">Progetti SAI dell'ente, aperti e chiusi</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Tipologia</th>
                  <th scope="col" className="text-end">
                    Posti finanziati
                  </th>
                  <th scope="col">Codice progetto</th>
                  <th scope="col">Ente attuatore</th>
                  <th scope="col">Data di inizio</th>
                  <th scope="col">Data di fine</th>
                  <th scope="col">Stato</th>
                  <th scope="col">Dichiarato con</th>
                  <th scope="col">
                    <span className="visually-hidden">Azioni</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.projects.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{p.categoryLabel}</th>
                    <td className="text-end">{p.fundedPlaces}</td>
                    <td>{p.projectCode ?? "—"}</td>
                    <td>{p.managingOrganization}</td>
                    <td>{formatIsoDay(p.startDate)}</td>
                    <td>{formatIsoDay(p.endDate)}</td>
                    <td>
                      {p.alreadyRegistered ? (
                        p.alreadyRegistered
                      ) : p.closedAt ? (
                        `Chiuso il ${day(p.closedAt)}`
                      ) : p.notYetOfBody ? (
                        p.notYetOfBody
                      ) : p.pastEnd ? (
                        <strong className="text-danger">Aperto, data di fine passata</strong>
                      ) : (
                        "Aperto"
                      )}
                    </td>
                    <td>
                      {p.requestId === null ? (
                        "Aggiornato dopo la scheda"
                      ) : p.requestId === request.id ? (
                        "Questa richiesta"
                      ) : (
                        <Link to={`/admin/adesioni/${p.requestId}`}>Richiesta n. {p.requestId}</Link>
                      )}
                    </td>
                    <td>
                      <Link to={`/admin/adesioni/${request.id}/progetti/${p.id}`}>
                        Modifica<span className="visually-hidden"> il progetto {p.name}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>

      <Section id="partecipazione" title="Partecipazione ai Tavoli tecnici">
        <Participation />
      </Section>

      <Section id="email" title="Email inviate">
        {detail.emails.length === 0 ? (
          <p>Nessuna email riguarda questo ente.</p>
        ) : (
          <TableScroll>
            <table className="table table-sm">
              <TableCaption className="visually-hidden">Email che riguardano l'ente, dalla più recente, con lo stato di recapito</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Creata il</th>
                  <th scope="col">Destinatario</th>
                  <th scope="col">Oggetto</th>
                  <th scope="col">Stato</th>
                  <th scope="col" className="text-end">
                    Tentativi
                  </th>
                  <th scope="col">Ultimo errore</th>
                  <th scope="col">Inviata il</th>
                </tr>
              </thead>
              <tbody>
                {detail.emails.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">{when(e.createdAt)}</th>
                    <td>{e.recipient}</td>
                    <td>{e.subject}</td>
                    <td>
                      <span className={`badge ${EMAIL_BADGES[e.status] ?? "bg-secondary"}`}>{e.statusLabel}</span>
                    </td>
                    <td className="text-end">{e.attempts}</td>
                    <td>{e.lastError ?? "—"}</td>
                    <td>{e.sentAt ? when(e.sentAt) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>

      <Section id="registro" title="Registro">
        {detail.audit.length === 0 ? (
          <p>Nessuna attività registrata.</p>
        ) : (
          <TableScroll>
            <table className="table table-sm">
              <TableCaption className="visually-hidden">Registro delle attività sulla richiesta e sull'ente, dalla più recente</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Data</th>
                  <th scope="col">Chi</th>
                  <th scope="col">Azione</th>
                  <th scope="col">Dettagli</th>
                </tr>
              </thead>
              <tbody>
                {detail.audit.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{when(a.createdAt)}</th>
                    <td>{a.actorLabel}</td>
                    <td>{a.actionLabel}</td>
                    <td>
                      <AuditDetails entry={a} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>
    </div>
  );
}

function Participation() {
  const p = useLoaderData<typeof loader>().detail.participation;
  if (p.invited === 0) return <p>Nessun invito ai Tavoli tecnici.</p>;
  return (
    <>
      <p>
        Invitato a {plural(p.invited, "tavolo", "tavoli")} · ha risposto a {p.answered} · presente a {p.attended}
      </p>
      <TableScroll>
        <table className="table table-sm">
          <TableCaption className="visually-hidden">Tavoli tecnici a cui l'ente è stato invitato, dal più recente, con la risposta e la presenza</TableCaption>
          <thead>
            <tr>
              <th scope="col">Tavolo</th>
              <th scope="col">Data</th>
              <th scope="col">Risposta</th>
              <th scope="col">Presenza</th>
            </tr>
          </thead>
          <tbody>
            {p.roundTables.map((rt) => (
              <tr key={rt.id}>
                <th scope="row">
                  <Link to={`/admin/tavoli/${rt.id}`}>{roundTableName(rt)}</Link>
                  {rt.status === "cancelled" ? <span className="badge bg-secondary ms-2">{ROUND_TABLE_STATUS_LABELS.cancelled}</span> : null}
                </th>
                <td>{day(rt.startsAt)}</td>
                <td>{ANSWER_LABELS[rt.answer]}</td>
                <td>{attendanceLabel(rt.attended)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

type AuditEntryDetails = {
  changes: { field: string; label: string; before: string | null; after: string | null }[];
  reason: string | null;
  project: string | null;
  importedFrom: ImportSource | null;
};

function AuditDetails({ entry }: { entry: AuditEntryDetails }) {
  if (entry.changes.length > 0 || entry.project || entry.importedFrom) {
    return (
      <ul className="list-unstyled mb-0">
        {entry.importedFrom ? <li>Dal file {importSourceText(entry.importedFrom)}</li> : null}
        {entry.project ? <li>Progetto: {entry.project}</li> : null}
        {entry.changes.map((c) => (
          <li key={c.field}>
            {c.label}: {c.before ?? "(vuoto)"} → {c.after ?? "(vuoto)"}
          </li>
        ))}
      </ul>
    );
  }
  if (entry.reason) return <span style={{ whiteSpace: "pre-wrap" }}>Motivo: {entry.reason}</span>;
  return <>—</>;
}

const REASON_FORMS = {
  reject: {
    title: "Rifiuto",
    summarySubject: "Il modulo di rifiuto",
    label: "Motivo del rifiuto",
    hint: "Sarà riportato nell'email al referente. Almeno 10 caratteri.",
    submitLabel: "Respingi",
    schema: rejectionSchema,
  },
  revoke: {
    title: "Revoca",
    summarySubject: "Il modulo di revoca",
    label: "Motivo della revoca",
    hint: "Sarà riportato nell'email al referente. Almeno 10 caratteri.",
    submitLabel: "Revoca adesione",
    schema: revocationSchema,
  },
};

// rejectMembership writes to no address that was never confirmed.
const UNCONFIRMED_REJECTION_HINT =
  "Il referente non ha confermato il suo indirizzo email: il motivo resta nella scheda e non gli sarà inviato. Almeno 10 caratteri.";

function Actions() {
  const { detail, decisionVersion, welcomeOwed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);
  const { request, currentReferent } = detail;
  const canApprove = request.status === "pending";
  // A request is rejected before approval and revoked after it, so at most one of the two applies.
  const reasonDecision = request.status === "pending" || request.status === "email_unverified" ? "reject" : request.status === "approved" ? "revoke" : null;
  // Whatever the kind recorded when the scheda was sent: another scheda may have been approved since.
  const replaced = currentReferent && currentReferent.id !== detail.referent.id ? currentReferent : null;
  const { applied: declaredApplied, kept: declaredKept } = detail.declaredBodyChanges;
  const declaredCount = request.declaredProjects.length;
  const repeated = detail.alreadyRegisteredProjects;

  const serverErrorsFor = (intent: string) => (actionData?.intent === intent ? actionData.errors : undefined);
  // What was typed comes back from the action (as a defaultValue attribute without JavaScript).
  const typedFor = (intent: string) => (actionData?.intent === intent ? actionData.values?.reason ?? "" : "");

  return (
    <section aria-labelledby="azioni" className="mb-5">
      <h2 id="azioni" className="h3">
        Azioni
      </h2>
      <div className="d-flex flex-wrap gap-3 mb-4">
        <Link to={`/admin/adesioni/${request.id}/modifica`} className="btn btn-outline-primary">
          Modifica dati
        </Link>
        <a href={`/admin/adesioni/${request.id}/scheda.pdf`} className="btn btn-outline-primary">
          Scarica la scheda (PDF)
        </a>
      </div>

      {welcomeOwed ? (
        <Form method="post" className="mb-4">
          <AuthenticityTokenInput name="csrf" />
          <h3 className="h5">Email di benvenuto</h3>
          <p id="welcome-note">
            Il referente è stato importato senza ricevere l'email di benvenuto, che gli presenta il portale e l'area referente: inviala
            prima che riceva il primo invito a un Tavolo tecnico.
          </p>
          <button type="submit" name="intent" value="welcome" className="btn btn-primary" disabled={busy} aria-describedby="welcome-note">
            Invia l'email di benvenuto
          </button>
        </Form>
      ) : null}

      {canApprove ? (
        <Form method="post" className="mb-4">
          <AuthenticityTokenInput name="csrf" />
          {/* Refused if, meanwhile, another referente has taken office (another scheda approved in another tab). */}
          <input type="hidden" name={SHOWN_REFERENT_FIELD} value={shownReferentValue(currentReferent?.id ?? null)} />
          <h3 className="h5">Approvazione</h3>
          {replaced ? (
            <p id="approve-note" className="alert alert-warning">
              Questa è una richiesta di cambio di referente. Il referente attuale {replaced.firstName} {replaced.lastName} terminerà
              il suo incarico e riceverà una comunicazione.
            </p>
          ) : (
            <p id="approve-note">Approvando, il referente entra in carica e riceve un'email di conferma.</p>
          )}
          {declaredApplied.length > 0 || declaredKept.length > 0 ? (
            <div className="alert alert-info">
              {declaredApplied.length > 0 ? (
                <>
                  <p className="mb-1">Approvando, l'ente prende i dati indicati in questa scheda:</p>
                  <ul className={declaredKept.length > 0 ? undefined : "mb-0"}>
                    {declaredApplied.map((c) => (
                      <li key={c.label}>
                        {c.label}: «{c.declared}» (ora «{c.recorded}»)
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
              {declaredKept.length > 0 ? (
                <>
                  <p className="mb-1">
                    {declaredApplied.length > 0 ? "Restano invece" : "Approvando, restano"} i dati dell'ente corretti con «Modifica dati» dopo
                    l'invio della scheda:
                  </p>
                  <ul className="mb-0">
                    {declaredKept.map((c) => (
                      <li key={c.label}>
                        {c.label}: «{c.recorded}» (nella scheda «{c.declared}»)
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </div>
          ) : null}
          {replaced && detail.replaceableProjects > 0 ? (
            <fieldset className="mb-3">
              <legend className="h6">Progetti SAI dell'ente</legend>
              <p className="mb-2">
                L'ente ha {plural(detail.replaceableProjects, "progetto aperto", "progetti aperti")}; questa scheda{" "}
                {declaredCount === 0 ? "non ne dichiara nessuno" : declaredCount === 1 ? "ne dichiara uno" : `ne dichiara ${declaredCount}`}.
                {repeated === 0
                  ? null
                  : repeated === 1
                    ? " Un progetto dichiarato è già registrato per l'ente: mantenendo i progetti dell'ente non sarà aggiunto di nuovo."
                    : ` ${repeated} progetti dichiarati sono già registrati per l'ente: mantenendo i progetti dell'ente non saranno aggiunti di nuovo.`}
              </p>
              <div className="form-check">
                <input className="form-check-input" type="radio" name="progetti" id="progetti-mantieni" value="mantieni" defaultChecked />
                <label className="form-check-label" htmlFor="progetti-mantieni">
                  Mantieni i progetti aperti dell'ente
                  {declaredCount > repeated ? ` e aggiungi quelli dichiarati nella scheda${repeated > 0 ? " non ancora registrati" : ""}` : ""}
                </label>
              </div>
              <div className="form-check">
                <input className="form-check-input" type="radio" name="progetti" id="progetti-sostituisci" value="sostituisci" />
                <label className="form-check-label" htmlFor="progetti-sostituisci">
                  Sostituisci: i progetti aperti dell'ente risulteranno chiusi oggi
                  {declaredCount > 0 ? " e resteranno quelli dichiarati nella scheda" : " (la scheda dichiara che l'ente non ha progetti attivi)"}
                </label>
              </div>
            </fieldset>
          ) : null}
          <button type="submit" name="intent" value="approve" className="btn btn-success" disabled={busy} aria-describedby="approve-note">
            Approva
          </button>
        </Form>
      ) : null}

      {reasonDecision ? (
        <ReasonForm
          // Approving turns the rejection form into the revocation form: start that one afresh.
          key={reasonDecision}
          intent={reasonDecision}
          {...REASON_FORMS[reasonDecision]}
          {...(request.status === "email_unverified" ? { hint: UNCONFIRMED_REJECTION_HINT } : {})}
          typedReason={typedFor(reasonDecision)}
          serverErrors={serverErrorsFor(reasonDecision)}
          // The page's current version: after a refusal the page shows the request as it is now.
          version={decisionVersion ?? undefined}
          busy={busy}
        />
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [title, message] =
    status === 404
      ? ["Richiesta non trovata", NOT_FOUND_MESSAGE]
      : status === 403
        ? ["Richiesta non valida", "L'operazione non è stata accettata: ricarica la pagina e riprova."]
        : ["Si è verificato un errore", "Non è stato possibile completare l'operazione. Riprova tra qualche minuto; se il problema continua avvisa l'amministratore."];
  return (
    <div>
      <h1>{title}</h1>
      <p className="lead">{message}</p>
      <p>
        <Link to="/admin/adesioni">Torna all'elenco delle adesioni</Link>
      </p>
    </div>
  );
}
