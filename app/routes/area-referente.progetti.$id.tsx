import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmForm } from "~/components/confirm-form";
import { FormRefusal } from "~/components/form-fields";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { ReferentProjectForm } from "~/components/referent-project-form";
import {
  canEditProjects,
  closedByReferent,
  closeProject,
  getOwnProject,
  projectFormValues,
  projectName,
  projectVersionOf,
  updateProject,
} from "~/models/referent-area.server";
import { PROJECT_CONFLICT_ERROR, PROJECT_FIELD_LABELS, PROJECT_FIELDS } from "~/models/sai-project.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt, formatIsoDay } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { FORM_VERSION_FIELD, postedVersion } from "~/utils/form-version";
import { issuesToFieldErrors } from "~/utils/form-data";
import { requireReferent } from "~/utils/referent-auth.server";
import { isConfirmed } from "~/validation/confirmation";
import { CLOSE_PROJECT_UNCONFIRMED, closeProjectSchema, referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { areaPageHandle } from "~/utils/skip-link";
import { parseRecordId } from "~/utils/record-id";
import { referentPageTitle } from "~/utils/page-title";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";

export const handle = areaPageHandle;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: referentPageTitle(data ? data.heading : "Progetto non trovato") },
  { name: "robots", content: "noindex" },
];

const FIELDS = ["category", "fundedPlaces", "projectCode", "managingOrganization", "startDate", "endDate"] as const;

// A project of another ente answers exactly like one that does not exist.
const notFound = () =>
  new Response("Progetto non trovato.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
const forbidden = (message: string) => new Response(message, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  const id = parseRecordId(params.id);
  const db = getDb();
  const project = id ? getOwnProject(db, { access, projectId: id }) : undefined;
  if (!project) throw notFound();
  if (!canEditProjects(db, access)) throw forbidden("I progetti dell'ente potranno essere aggiornati dopo l'approvazione della richiesta.");
  return json({
    header: headerData(access),
    heading: `${project.closedAt ? "Progetto" : "Modifica progetto"} ${projectName(project)}`,
    values: projectFormValues(project),
    /** What the page's forms were loaded with: a change made after a coordinator changed the project is refused. */
    version: projectVersionOf(project),
    // A closed project is shown, not edited: also the answer to a save sent from a page loaded before it was closed.
    closed: project.closedAt
      ? {
          on: formatDateIt(project.closedAt),
          byReferent: closedByReferent(db, { project }),
          contactEmail: getEnv().contactEmail,
          // The labels come from the server module: the component cannot import them in the browser.
          fields: PROJECT_FIELDS.map((key) => ({ key, label: PROJECT_FIELD_LABELS[key] })),
        }
      : null,
  });
}

type Values = ReturnType<typeof projectFormValues>;

/** Sent from a page loaded before the project was closed: nothing saved, what was typed given back to be shown (409). */
const closedMeanwhile = (typed: Values | null) => json({ closedMeanwhile: true as const, typed }, { status: 409 });

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const id = parseRecordId(params.id);
  if (!id) throw notFound();
  const db = getDb();
  // Kept through a refusal (as in the coordinators' forms): sent again, it stays refused until the page is reloaded.
  const version = postedVersion(formData);
  if (formData.get("intent") === "close") {
    const confirmed = isConfirmed(formData);
    const result = closeProject(db, { access, projectId: id, confirmed, version });
    if (!result.ok) {
      if (result.reason === "unconfirmed") return json({ intent: "close" as const, version, errors: { confirm: CLOSE_PROJECT_UNCONFIRMED } }, { status: 400 });
      if (result.reason === "conflict") return json({ intent: "close" as const, version, errors: {}, formError: PROJECT_CONFLICT_ERROR }, { status: 409 });
      if (result.reason === "closed") return closedMeanwhile(null);
      throw result.reason === "not_found" ? notFound() : forbidden("Il progetto non si può chiudere.");
    }
    return redirect("/area-referente?esito=progetto-chiuso");
  }
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ProjectFormValues;
  const parsed = referentProjectSchema.safeParse(values);
  if (!parsed.success) {
    const current = getOwnProject(db, { access, projectId: id });
    if (!current) throw notFound();
    // Its page no longer holds the form: the values are shown as typed, errors and all.
    if (current.closedAt) return closedMeanwhile(values);
    return json({ errors: issuesToFieldErrors(parsed.error.issues), values, version }, { status: 400 });
  }
  const result = updateProject(db, { access, projectId: id, project: parsed.data, version });
  if (!result.ok) {
    if (result.reason === "conflict") return json({ errors: {}, values, version, formError: PROJECT_CONFLICT_ERROR }, { status: 409 });
    if (result.reason === "closed") return closedMeanwhile(values);
    throw result.reason === "not_found" ? notFound() : forbidden("Il progetto non si può modificare.");
  }
  return redirect("/area-referente?esito=progetto-modificato");
}

export default function EditProjectPage() {
  const { header, heading, values, version, closed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saved = actionData && "values" in actionData ? actionData : undefined;
  const closing = actionData && "intent" in actionData ? actionData : undefined;
  if (closed) {
    const meanwhile = actionData && "closedMeanwhile" in actionData ? actionData : undefined;
    return (
      <ReferentAreaFrame referent={header}>
        <h1>{heading}</h1>
        <ClosedProject closed={closed} recorded={values} meanwhile={meanwhile} />
      </ReferentAreaFrame>
    );
  }
  return (
    <ReferentAreaFrame referent={header}>
      <h1>{heading}</h1>
      <FormRefusal message={closing && "formError" in closing ? closing.formError : null} />
      <ReferentProjectForm
        values={saved?.values ?? values}
        serverErrors={saved?.errors}
        formError={saved && "formError" in saved ? saved.formError : undefined}
        version={saved?.version ?? version}
        submitLabel="Salva il progetto"
      />
      <section className="mt-5" aria-labelledby="chiudi">
        <ConfirmForm
          heading={
            <h2 id="chiudi" className="h4">
              Il progetto è terminato?
            </h2>
          }
          labelledBy="chiudi"
          summarySubject="Il modulo di chiusura"
          confirmLabel="Confermo che il progetto è terminato e va chiuso"
          submitLabel="Chiudi progetto"
          schema={closeProjectSchema}
          hidden={{ intent: "close", [FORM_VERSION_FIELD]: closing?.version ?? version }}
          serverErrors={closing?.errors}
        >
          <p>Chiudendolo resta nello storico dell'ente ma non conta più tra i progetti attivi. Non si può riaprire da qui.</p>
        </ConfirmForm>
      </section>
    </ReferentAreaFrame>
  );
}

/** A value as the page words it: the category's name, dates as Italians write them (anything typed otherwise as it is). */
function shownValue(key: keyof Values, value: string) {
  if (!value.trim()) return "—";
  if (key === "category") return SAI_CATEGORY_LABELS[value as keyof typeof SAI_CATEGORY_LABELS] ?? value;
  return key === "startDate" || key === "endDate" ? formatIsoDay(value) : value;
}

/**
 * A closed project's page: its data, read-only. After a save (or a closure) sent from a page loaded
 * before it was closed, it says that nothing was saved and shows what was typed beside what is
 * recorded, so that the referente can send it to the coordinators.
 */
function ClosedProject({
  closed,
  recorded,
  meanwhile,
}: {
  closed: { on: string; byReferent: boolean; contactEmail: string | null; fields: { key: keyof Values; label: string }[] };
  recorded: Values;
  meanwhile?: { typed: Values | null };
}) {
  const who = closed.byReferent ? "dall'area referente, forse da te in un'altra finestra" : "dai coordinatori di ANCI Sicilia";
  const typed = meanwhile?.typed ?? null;
  return (
    <>
      {meanwhile && typed ? (
        <FormRefusal
          message={`Nel frattempo il progetto è stato chiuso ${who}: le modifiche che hai scritto non sono state salvate. Le trovi qui sotto, accanto ai dati registrati, così non vanno perse.`}
        />
      ) : null}
      {meanwhile && !typed ? (
        <div className="alert alert-info" role="status">
          Il progetto era già stato chiuso {who}: non è stato necessario chiuderlo di nuovo.
        </div>
      ) : null}
      <p>
        Il progetto è chiuso dal {closed.on}: resta nello storico dell'ente ma non si può più modificare.
      </p>
      <TableScroll>
        <table className="table">
          <TableCaption className={typed ? "caption-top" : "visually-hidden"}>
            {typed ? "Le modifiche che avevi scritto (non salvate)" : "Dati del progetto"}
          </TableCaption>
          <thead>
            <tr>
              <th scope="col">Dato</th>
              {typed ? <th scope="col">Avevi scritto</th> : null}
              <th scope="col">{typed ? "Registrato nel progetto" : "Valore"}</th>
            </tr>
          </thead>
          <tbody>
            {closed.fields.map(({ key, label }) => (
              <tr key={key}>
                <th scope="row">{label}</th>
                {typed ? (
                  <td>
                    {typed[key] === recorded[key] ? (
                      shownValue(key, typed[key])
                    ) : (
                      <strong>
                        {shownValue(key, typed[key])}
                        <span className="visually-hidden"> (modificato)</span>
                      </strong>
                    )}
                  </td>
                ) : null}
                <td>{shownValue(key, recorded[key])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p>
        Se il progetto deve restare aperto, scrivi ai coordinatori di ANCI Sicilia
        {closed.contactEmail ? (
          <>
            {" "}
            all'indirizzo <a href={`mailto:${closed.contactEmail}`}>{closed.contactEmail}</a>
          </>
        ) : null}
        {typed ? ", indicando le modifiche che avevi scritto" : ""}: possono riaprirlo e aggiornarlo.
      </p>
      <p>
        <Link to="/area-referente">Torna al mio ente</Link>
      </p>
    </>
  );
}
