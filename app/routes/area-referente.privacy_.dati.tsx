import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useHydrated } from "remix-utils/use-hydrated";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { exportReferentData } from "~/models/privacy-export.server";
import { ownActivityRecordNames } from "~/models/audit-record-names.server";
import { provinceNamesByCode } from "~/models/territory.server";
import { auditActionTitle, auditDetailPairs } from "~/utils/audit-labels";
import { formatDateIt, formatDateTimeIt, formatIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { displayPhone } from "~/utils/phone-display.server";
import { requireReferentForPrivacy } from "~/utils/referent-auth.server";
import { MEMBER_BODY_KIND_LABELS, OUTBOX_STATUS_LABELS, REFERENT_ROLE_LABELS, SAI_CATEGORY_LABELS } from "~/validation/labels";
import { roundTableName } from "~/utils/round-table-format";
import { MEMBER_BODY_STATUS_LABELS, MEMBERSHIP_KIND_LABELS, MEMBERSHIP_STATUS_LABELS } from "~/validation/labels";
import { attendanceLabel } from "~/validation/invitations";
import { areaPageHandle } from "~/utils/skip-link";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { referentPageTitle } from "~/utils/page-title";
import { consentDescription } from "~/utils/privacy-consent";

// The readable (and printable) version of "Scarica i miei dati": the same export as the JSON file.

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [{ title: referentPageTitle("I miei dati") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferentForPrivacy(request);
  const data = exportReferentData(getDb(), { referentId: access.referentId });
  if (!data) throw new Response("Referente non trovato.", { status: 404 });
  const phones = [
    ...data.referents.flatMap((r) => [r.phone, r.mobile]),
    ...data.membershipRequests.flatMap((m) => {
      const submission = (m.submission ?? {}) as Record<string, unknown>;
      return [submission.phone, submission.mobile];
    }),
  ].filter((v): v is string => typeof v === "string" && v !== "");
  return json(
    {
      header: headerData(access),
      data,
      provinceNames: provinceNamesByCode(getDb()),
      recordNames: ownActivityRecordNames(getDb(), { entries: data.activity, ownReferentIds: data.referents.map((r) => r.id) }),
      phoneDisplay: Object.fromEntries(phones.map((p) => [p, displayPhone(p) ?? p])),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const ANSWER_LABELS: Record<string, string> = { yes: "Partecipo", no: "Non partecipo", pending: "In attesa di risposta" };
const ACTOR_LABELS: Record<string, string> = { coordinator: "Coordinatore", referent: "Tu (referente)", public: "Modulo pubblico", system: "Sistema" };

const SUBMISSION_LABELS: Record<string, string> = {
  bodyKind: "Tipo di ente",
  municipalityCode: "Comune (codice ISTAT)",
  provinceCode: "Provincia",
  bodyName: "Denominazione ente",
  pec: "PEC dell'ente",
  fiscalCode: "Codice fiscale dell'ente",
  firstName: "Nome",
  lastName: "Cognome",
  role: "Ruolo",
  office: "Ufficio o settore",
  email: "Email",
  phone: "Telefono",
  mobile: "Cellulare",
  noActiveProjects: "Progetti SAI attivi",
  privacyConsent: "Informativa letta",
  projects: "Progetti",
};

const when = (value: string | null | undefined) => (value ? formatDateTimeIt(new Date(value)) : "—");
const day = (value: string | null | undefined) => (value ? formatDateIt(new Date(value)) : "—");
const text = (value: unknown): string => {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Sì" : "No";
  if (typeof value === "string" || typeof value === "number") return String(value);
  return JSON.stringify(value);
};

/** A value of the scheda as the rest of the portal shows it: labels, province names, phones as dialled. */
function submissionValue(
  key: string,
  value: unknown,
  { provinceNames, phoneDisplay }: { provinceNames: Record<string, string>; phoneDisplay: Record<string, string> },
) {
  if (key === "projects" && Array.isArray(value)) return `${value.length} ${value.length === 1 ? "progetto" : "progetti"} (vedi sotto)`;
  // The scheda's box «L'ente non ha progetti SAI attivi», said without a double negative.
  if (key === "noActiveProjects" && typeof value === "boolean") return value ? "Nessuno: l'ente non ha progetti SAI attivi" : "Sì, indicati nella scheda";
  if (value === "") return "—";
  if (typeof value === "string") {
    if (key === "bodyKind") return MEMBER_BODY_KIND_LABELS[value as keyof typeof MEMBER_BODY_KIND_LABELS] ?? value;
    if (key === "role") return REFERENT_ROLE_LABELS[value as keyof typeof REFERENT_ROLE_LABELS] ?? value;
    if (key === "provinceCode") return provinceNames[value] ?? value;
    if (key === "phone" || key === "mobile") return phoneDisplay[value] ?? value;
  }
  return text(value);
}

export default function MyDataPage() {
  const { header, data, provinceNames, recordNames, phoneDisplay } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const bodyName = (id: number) => data.memberBodies.find((b) => b.id === id)?.name ?? `Ente n. ${id}`;

  return (
    <ReferentAreaFrame referent={header}>
      <p className="mb-2 d-print-none">
        <Link to="/area-referente/privacy">Torna a Privacy e dati personali</Link>
      </p>
      <h1>I miei dati</h1>
      <p className="lead">
        I dati personali che il Portale del Coordinamento SAI conserva su di te, aggiornati al {when(data.generatedAt)}.
        Titolare del trattamento: {data.controller}.
      </p>
      <p className="d-print-none">
        Puoi stampare questa pagina o salvarla in PDF con la funzione di stampa del browser.{" "}
        {hydrated ? (
          <button type="button" className="btn btn-outline-primary btn-sm ms-2" onClick={() => window.print()}>
            Stampa
          </button>
        ) : null}{" "}
        <a href="/area-referente/privacy/dati.json" download>
          Scarica gli stessi dati in formato JSON
        </a>
      </p>

      <section aria-labelledby="referente-title" className="mb-5">
        <h2 id="referente-title">Dati di referente</h2>
        {data.referents.map((r) => (
          <div key={r.id} className="mb-4">
            <h3 className="h5">
              Scheda n. {r.id} - {r.memberBodyName ?? bodyName(r.memberBodyId)}
            </h3>
            <dl className="row">
              {(
                [
                  ["Nome", r.firstName],
                  ["Cognome", r.lastName],
                  ["Ruolo", REFERENT_ROLE_LABELS[r.role] ?? r.role],
                  ["Ufficio o settore", r.office],
                  ["Email", r.email],
                  ["Telefono", phoneDisplay[r.phone] ?? r.phone],
                  ["Cellulare", r.mobile ? (phoneDisplay[r.mobile] ?? r.mobile) : r.mobile],
                  ["Email confermata il", when(r.emailVerifiedAt)],
                  ["Consenso all'informativa privacy", consentDescription(r.privacyNoticeVersion, when(r.privacyConsentAt))],
                  ["Comunicazioni del Coordinamento", r.receivesCommunications ? "Le ricevi" : "Non le ricevi (disiscrizione)"],
                  ["Referente dal", day(r.validFrom)],
                  ["Referente fino al", day(r.validTo)],
                  ["Registrato il", when(r.createdAt)],
                ] as const
              ).map(([label, value]) => (
                <div key={label} className="col-md-6 d-flex gap-2">
                  <dt>{label}:</dt>
                  <dd className="mb-1">{text(value)}</dd>
                </div>
              ))}
            </dl>
          </div>
        ))}
        {data.pendingEmailChanges.length > 0 ? (
          <p>
            Cambi di indirizzo in attesa di conferma:{" "}
            {data.pendingEmailChanges.map((c) => `${c.newEmail} (scade il ${when(c.expiresAt)})`).join("; ")}.
          </p>
        ) : null}
      </section>

      <section aria-labelledby="richieste-title" className="mb-5">
        <h2 id="richieste-title">Schede e richieste di adesione</h2>
        {data.membershipRequests.length === 0 ? <p>Nessuna richiesta.</p> : null}
        {data.membershipRequests.map((m) => (
          <div key={m.id} className="mb-4">
            <h3 className="h5">
              Richiesta n. {m.id} - {bodyName(m.memberBodyId)}
            </h3>
            <p className="mb-1">
              {MEMBERSHIP_KIND_LABELS[m.kind]} · stato: {MEMBERSHIP_STATUS_LABELS[m.status]} · inviata il {when(m.createdAt)} ·
              confermata il {when(m.confirmedAt)} · decisa il {when(m.decidedAt)}
              {m.decisionReason ? ` · motivo: ${m.decisionReason}` : ""}
            </p>
            <TableScroll>
              <table className="table table-sm">
                <TableCaption>Dati inviati con la richiesta n. {m.id}</TableCaption>
                <tbody>
                  {Object.entries((m.submission ?? {}) as Record<string, unknown>).map(([key, value]) => (
                    <tr key={key}>
                      <th scope="row" className="w-25">
                        {SUBMISSION_LABELS[key] ?? key}
                      </th>
                      <td className="text-break">
                        {submissionValue(key, value, { provinceNames, phoneDisplay })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        ))}
      </section>

      <section aria-labelledby="enti-title" className="mb-5">
        <h2 id="enti-title">Enti</h2>
        <TableScroll>
          <table className="table">
            <TableCaption className="visually-hidden">Enti per cui hai inviato una scheda</TableCaption>
            <thead>
              <tr>
                <th scope="col">Ente</th>
                <th scope="col">Tipo</th>
                <th scope="col">PEC</th>
                <th scope="col">Codice fiscale</th>
                <th scope="col">Stato</th>
              </tr>
            </thead>
            <tbody>
              {data.memberBodies.map((b) => (
                <tr key={b.id}>
                  <th scope="row">{b.name}</th>
                  <td>{MEMBER_BODY_KIND_LABELS[b.kind]}</td>
                  <td className="text-break">{b.pec}</td>
                  <td>{b.fiscalCode}</td>
                  <td>{MEMBER_BODY_STATUS_LABELS[b.status as keyof typeof MEMBER_BODY_STATUS_LABELS] ?? b.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>

      <section aria-labelledby="progetti-title" className="mb-5">
        <h2 id="progetti-title">Progetti SAI</h2>
        {data.projects.length === 0 ? (
          <p>Nessun progetto.</p>
        ) : (
          <TableScroll>
            <table className="table">
              <TableCaption className="visually-hidden">Progetti SAI che hai dichiarato o che gestisci come referente</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Ente</th>
                  <th scope="col">Tipologia</th>
                  <th scope="col">Posti finanziati</th>
                  <th scope="col">Codice progetto</th>
                  <th scope="col">Ente attuatore</th>
                  <th scope="col">Periodo</th>
                  <th scope="col">Chiuso il</th>
                </tr>
              </thead>
              <tbody>
                {data.projects.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{bodyName(p.memberBodyId)}</th>
                    <td>{SAI_CATEGORY_LABELS[p.category]}</td>
                    <td>{p.fundedPlaces}</td>
                    <td>{text(p.projectCode)}</td>
                    <td>{p.managingOrganization}</td>
                    <td>
                      dal {formatIsoDay(p.startDate)} al {formatIsoDay(p.endDate)}
                    </td>
                    {/* Declared again in a scheda, the ente having it already: not added at the approval (decision 021). */}
                    <td>{p.alreadyRegistered ? "Non aggiunto: già registrato per l'ente" : day(p.closedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section aria-labelledby="inviti-title" className="mb-5">
        <h2 id="inviti-title">Inviti ai Tavoli tecnici</h2>
        {data.invitations.length === 0 ? (
          <p>Nessun invito.</p>
        ) : (
          <TableScroll>
            <table className="table">
              <TableCaption className="visually-hidden">I tuoi inviti ai Tavoli tecnici e le tue risposte</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Tavolo tecnico</th>
                  <th scope="col">Data</th>
                  <th scope="col">Invitato all'indirizzo</th>
                  <th scope="col">Risposta</th>
                  <th scope="col">Risposto il</th>
                  <th scope="col">Presenza</th>
                </tr>
              </thead>
              <tbody>
                {data.invitations.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">
                      {roundTableName(i.roundTable)}
                    </th>
                    <td>{when(i.roundTable.startsAt)}</td>
                    <td className="text-break">{i.email}</td>
                    <td>{ANSWER_LABELS[i.answer] ?? i.answer}</td>
                    <td>{when(i.answeredAt)}</td>
                    <td>{attendanceLabel(i.attended)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section aria-labelledby="email-title" className="mb-5">
        <h2 id="email-title">Email inviate al tuo indirizzo</h2>
        {data.emailsSent.length === 0 ? (
          <p>Nessuna email.</p>
        ) : (
          <TableScroll>
            <table className="table">
              <TableCaption className="visually-hidden">Email che il portale ti ha inviato</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Oggetto</th>
                  <th scope="col">Destinatario</th>
                  <th scope="col">Stato</th>
                  <th scope="col">Creata il</th>
                  <th scope="col">Inviata il</th>
                </tr>
              </thead>
              <tbody>
                {data.emailsSent.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">{e.subject ?? `Messaggio «${e.template}»`}</th>
                    <td className="text-break">{e.recipient}</td>
                    <td>{OUTBOX_STATUS_LABELS[e.status]}</td>
                    <td>{when(e.createdAt)}</td>
                    <td>{when(e.sentAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section aria-labelledby="attivita-title" className="mb-5">
        <h2 id="attivita-title">Attività registrate che ti riguardano</h2>
        {data.activity.length === 0 ? (
          <p>Nessuna attività.</p>
        ) : (
          <TableScroll>
            <table className="table table-sm">
              <TableCaption className="visually-hidden">Registro delle attività che ti riguardano</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Quando</th>
                  <th scope="col">Chi</th>
                  <th scope="col">Che cosa</th>
                  <th scope="col">Dettagli</th>
                </tr>
              </thead>
              <tbody>
                {data.activity.map((a) => (
                  <tr key={a.id}>
                    <th scope="row" className="text-nowrap">
                      {when(a.createdAt)}
                    </th>
                    <td>{ACTOR_LABELS[a.actorType] ?? a.actorType}</td>
                    <td>{auditActionTitle(a.action)}</td>
                    <td className="text-break small">
                      {auditDetailPairs(a.details, { provinceNames, recordNames })
                        .map((p) => `${p.key}: ${p.value}`)
                        .join(" · ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </ReferentAreaFrame>
  );
}
