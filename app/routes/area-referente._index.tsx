import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { OutcomeMessage, ReferentAreaFrame, headerData } from "~/components/referent-area";
import { withdrawProposal } from "~/models/handover.server";
import { findOtherEnte, getReferentOverview, listOtherEnti } from "~/models/referent-area.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt, formatIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { requireReferent, startReferentSession } from "~/utils/referent-auth.server";
import { areaPageHandle } from "~/utils/skip-link";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { StackedCell, TableCaption, TableScroll } from "~/components/table-scroll";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("Il mio ente") },
  { name: "robots", content: "noindex" },
];

// Messages after a change elsewhere in the area (post/redirect/get).
const OUTCOMES: Record<string, string> = {
  dati: "I tuoi dati sono stati aggiornati.",
  "dati-invariati": "Nessun dato è cambiato: non è stato salvato nulla.",
  "progetto-aggiunto": "Il progetto è stato aggiunto.",
  "progetto-modificato": "Il progetto è stato aggiornato.",
  "progetto-chiuso": "Il progetto è stato chiuso: resta nello storico dell'ente.",
  "email-confermata": "Il nuovo indirizzo email è stato confermato.",
  "subentro-proposto": "La proposta è stata inviata: il successore riceverà un'email per confermare.",
  "proposta-ritirata": "La proposta di subentro è stata ritirata.",
  "ente-cambiato": "Ora operi per questo ente: le pagine dell'area mostrano i suoi dati.",
};

const ACCESS_STATUS_LABELS = { active: "referente in carica", pending: "richiesta in attesa di approvazione" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  const overview = getReferentOverview(getDb(), { access });
  if (!overview) throw redirect("/area-referente/accedi");
  const outcome = new URL(request.url).searchParams.get("esito");
  return json({
    header: headerData(access),
    otherEnti: listOtherEnti(getDb(), { access }).map((e) => ({ ...e, statusLabel: ACCESS_STATUS_LABELS[e.status] })),
    outcome: outcome ? OUTCOMES[outcome] ?? null : null,
    contactEmail: getEnv().contactEmail,
    overview: {
      ...overview,
      pendingEmail: overview.pendingEmail ? { email: overview.pendingEmail.email, until: formatDateIt(overview.pendingEmail.expiresAt) } : null,
      projects: overview.projects.map((p) => ({
        ...p,
        period: `dal ${formatIsoDay(p.startDate)} al ${formatIsoDay(p.endDate)}`,
        closedOn: p.closedAt ? formatDateIt(p.closedAt) : null,
      })),
    },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const intent = String(formData.get("intent") ?? "");
  if (intent === "switch-body") {
    const target = findOtherEnte(getDb(), { access, referentId: Number(formData.get("referentId")) });
    if (!target) throw new Response("Non sei referente di questo ente, o non lo sei più.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    const cookie = await startReferentSession(request, target, { ip: context.clientIp, method: "switch" });
    return redirect("/area-referente?esito=ente-cambiato", { headers: { "Set-Cookie": cookie } });
  }
  if (intent === "withdraw-handover") {
    const result = withdrawProposal(getDb(), { access });
    if (!result.ok) throw new Response("Nessuna proposta di subentro da ritirare.", { status: 409 });
    return redirect("/area-referente?esito=proposta-ritirata");
  }
  throw new Response("Richiesta non valida.", { status: 400 });
}

export default function MyBodyPage() {
  const formAction = useIndexFormAction();
  const { header, otherEnti, outcome, overview, contactEmail } = useLoaderData<typeof loader>();
  const { referent, body, projects } = overview;
  const openProjects = projects.filter((p) => !p.closedAt);
  const closedProjects = projects.filter((p) => p.closedAt);
  const pastEndCount = openProjects.filter((p) => p.pastEnd).length;
  return (
    <ReferentAreaFrame referent={header}>
      <h1>Il mio ente</h1>
      <OutcomeMessage message={outcome} />

      <section className="mb-5" aria-labelledby="stato">
        <h2 id="stato" className="h3">
          Stato dell'adesione
        </h2>
        <div className={`alert ${overview.status === "active" ? "alert-success" : "alert-warning"}`}>
          <p className="fw-bold mb-1">{overview.statusTitle}</p>
          <p className="mb-0">{overview.statusText}</p>
        </div>
      </section>

      <section className="mb-5" aria-labelledby="ente">
        <h2 id="ente" className="h3">
          {body.name}
        </h2>
        <dl className="row">
          <dt className="col-sm-4">Tipo di ente</dt>
          <dd className="col-sm-8">{body.kindLabel}</dd>
          <dt className="col-sm-4">Provincia</dt>
          <dd className="col-sm-8">{body.provinceName ?? "non indicata"}</dd>
          <dt className="col-sm-4">PEC dell'ente</dt>
          <dd className="col-sm-8">{body.pec}</dd>
          <dt className="col-sm-4">Codice fiscale dell'ente</dt>
          <dd className="col-sm-8">{body.fiscalCode}</dd>
        </dl>
        <p className="text-muted">
          Per correggere i dati dell'ente scrivi ai coordinatori di ANCI Sicilia
          {contactEmail ? (
            <>
              {" "}
              all'indirizzo <a href={`mailto:${contactEmail}`}>{contactEmail}</a>
            </>
          ) : null}
          .
        </p>
      </section>

      {otherEnti.length > 0 ? (
        <section className="mb-5" aria-labelledby="altri-enti">
          <h2 id="altri-enti" className="h3">
            Altri enti
          </h2>
          <p>Con il tuo indirizzo email sei referente anche di altri enti. Puoi passare a uno di loro senza accedere di nuovo.</p>
          <ul className="list-unstyled">
            {otherEnti.map((e) => (
              <li key={e.referentId} className="d-flex flex-wrap align-items-center gap-3 mb-2">
                <span>
                  <strong>{e.bodyName}</strong> ({e.statusLabel})
                </span>
                <Form method="post" action={formAction}>
                  <AuthenticityTokenInput name="csrf" />
                  <input type="hidden" name="referentId" value={e.referentId} />
                  <button type="submit" name="intent" value="switch-body" className="btn btn-outline-primary btn-sm">
                    Passa a {e.bodyName}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="mb-5" aria-labelledby="referente">
        <h2 id="referente" className="h3">
          I tuoi dati
        </h2>
        <dl className="row">
          <dt className="col-sm-4">Nome e cognome</dt>
          <dd className="col-sm-8">
            {referent.firstName} {referent.lastName}
          </dd>
          <dt className="col-sm-4">Ruolo</dt>
          <dd className="col-sm-8">{referent.roleLabel}</dd>
          <dt className="col-sm-4">Ufficio o settore</dt>
          <dd className="col-sm-8">{referent.office}</dd>
          <dt className="col-sm-4">Email</dt>
          <dd className="col-sm-8">{referent.email}</dd>
          <dt className="col-sm-4">Telefono</dt>
          <dd className="col-sm-8" data-testid="referent-phone">
            {referent.phone}
          </dd>
          <dt className="col-sm-4">Cellulare</dt>
          <dd className="col-sm-8">{referent.mobile ?? "—"}</dd>
        </dl>
        {overview.pendingEmail ? (
          <div className="alert alert-info">
            Hai chiesto di usare <strong>{overview.pendingEmail.email}</strong> come nuovo indirizzo: apri il collegamento che
            ti abbiamo inviato a quell'indirizzo per confermarlo (entro il {overview.pendingEmail.until}). Fino ad allora resta
            valido l'indirizzo attuale.
          </div>
        ) : null}
        <p className="d-flex flex-wrap gap-3">
          <Link to="/area-referente/dati" className="btn btn-primary">
            Modifica i tuoi dati
          </Link>
          <Link to="/area-referente/email" className="btn btn-outline-primary">
            Cambia indirizzo email
          </Link>
        </p>
      </section>

      <section className="mb-5" aria-labelledby="progetti">
        <h2 id="progetti" className="h3">
          Progetti SAI dell'ente
        </h2>
        {overview.canEditProjects && pastEndCount > 0 ? (
          <div className="alert alert-warning" data-testid="past-end-notice">
            {pastEndCount === 1
              ? "Un progetto ha superato la data di fine e risulta ancora attivo. Se è stato prorogato aggiorna la data di fine, altrimenti chiudilo"
              : `${pastEndCount} progetti hanno superato la data di fine e risultano ancora attivi. Se sono stati prorogati aggiorna la data di fine, altrimenti chiudili`}
            : scegli «Modifica o chiudi» {pastEndCount === 1 ? "del progetto" : "di ciascun progetto"} segnato «Data di fine passata».
          </div>
        ) : null}
        {openProjects.length === 0 ? <p>L'ente non ha progetti SAI attivi registrati.</p> : <ProjectTable caption="Progetti SAI attivi" projects={openProjects} editable={overview.canEditProjects} />}
        {overview.canEditProjects ? (
          <p>
            <Link to="/area-referente/progetti/nuovo" className="btn btn-outline-primary">
              Aggiungi progetto
            </Link>
          </p>
        ) : (
          <p className="text-muted">I progetti dell'ente potranno essere aggiornati dopo l'approvazione della richiesta.</p>
        )}
        {closedProjects.length > 0 ? <ProjectTable caption="Progetti SAI chiusi" projects={closedProjects} editable={false} closed /> : null}
      </section>

      {overview.status === "active" ? (
        <section className="mb-5" aria-labelledby="subentro">
          <h2 id="subentro" className="h3">
            Cambio di referente
          </h2>
          {overview.handover ? (
            <>
              <p>
                {overview.handover.proposedByMe ? "Hai proposto" : "È stata chiesta"} la sostituzione del referente con{" "}
                <strong>{overview.handover.name}</strong>
                {overview.handover.proposedByMe ? ` (${overview.handover.email})` : ""}:{" "}
                {overview.handover.status === "pending"
                  ? "la richiesta è confermata e attende l'approvazione dei coordinatori."
                  : "la persona indicata non ha ancora confermato."}
              </p>
              {overview.handover.proposedByMe ? (
                <Form method="post" action={formAction}>
                  <AuthenticityTokenInput name="csrf" />
                  <button type="submit" name="intent" value="withdraw-handover" className="btn btn-outline-danger">
                    Ritira la proposta
                  </button>
                </Form>
              ) : null}
            </>
          ) : (
            <>
              <p>
                Se lasci l'incarico, indica chi ti sostituisce: riceverà un'email per confermare e, dopo l'approvazione dei
                coordinatori, diventerà il referente dell'ente. Da quel momento non avrai più accesso a quest'area.
              </p>
              <p>
                <Link to="/area-referente/subentro" className="btn btn-outline-primary">
                  Proponi un successore
                </Link>
              </p>
            </>
          )}
        </section>
      ) : null}
    </ReferentAreaFrame>
  );
}

type ProjectRow = {
  id: number;
  categoryLabel: string;
  name: string;
  fundedPlaces: number;
  projectCode: string | null;
  managingOrganization: string;
  period: string;
  closedOn: string | null;
  pastEnd: boolean;
};

function ProjectTable({ caption, projects, editable, closed = false }: { caption: string; projects: ProjectRow[]; editable: boolean; closed?: boolean }) {
  // On a phone each project is a block (`.table-stack`): its action under its data, not off-screen
  // at the end of a table scrolled sideways. The roles keep it a table for screen readers there.
  return (
    <TableScroll className="mb-3">
      <table className="table table-stack" role="table">
        <TableCaption>{caption}</TableCaption>
        <thead role="rowgroup">
          <tr role="row">
            {["Tipologia", "Posti finanziati", "Codice progetto", "Ente attuatore", "Periodo", ...(editable ? ["Azioni"] : []), ...(closed ? ["Chiuso il"] : [])].map(
              (label) => (
                <th scope="col" role="columnheader" key={label}>
                  {label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {projects.map((p) => (
            <tr key={p.id} role="row">
              <th scope="row" role="rowheader">
                {p.categoryLabel}
              </th>
              <StackedCell label="Posti finanziati">{p.fundedPlaces}</StackedCell>
              <StackedCell label="Codice progetto">{p.projectCode ?? "—"}</StackedCell>
              <StackedCell label="Ente attuatore">{p.managingOrganization}</StackedCell>
              <StackedCell label="Periodo">
                {p.period}
                {p.pastEnd ? <strong className="d-block text-danger">Data di fine passata</strong> : null}
              </StackedCell>
              {editable ? (
                <td role="cell">
                  <Link to={`/area-referente/progetti/${p.id}`}>
                    Modifica o chiudi<span className="visually-hidden"> il progetto {p.name}</span>
                  </Link>
                </td>
              ) : null}
              {closed ? <StackedCell label="Chiuso il">{p.closedOn ?? "—"}</StackedCell> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
