import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmForm } from "~/components/confirm-form";
import { FormRefusal } from "~/components/form-fields";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { ReferentProjectForm } from "~/components/referent-project-form";
import { canEditProjects, closeProject, getOwnProject, projectFormValues, projectName, projectVersionOf, updateProject } from "~/models/referent-area.server";
import { PROJECT_CONFLICT_ERROR } from "~/models/sai-project.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { FORM_VERSION_FIELD, postedVersion } from "~/utils/form-version";
import { issuesToFieldErrors } from "~/utils/form-data";
import { requireReferent } from "~/utils/referent-auth.server";
import { isConfirmed } from "~/validation/confirmation";
import { CLOSE_PROJECT_UNCONFIRMED, closeProjectSchema, referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { areaPageHandle } from "~/utils/skip-link";
import { parseRecordId } from "~/utils/record-id";
import { referentPageTitle } from "~/utils/page-title";

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
  if (project.closedAt) throw forbidden("Il progetto è chiuso: non si può più modificare.");
  return json({
    header: headerData(access),
    heading: `Modifica progetto ${projectName(project)}`,
    values: projectFormValues(project),
    /** What the page's forms were loaded with: a change made after a coordinator changed the project is refused. */
    version: projectVersionOf(project),
  });
}

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
      throw result.reason === "not_found" ? notFound() : forbidden("Il progetto non si può chiudere.");
    }
    return redirect("/area-referente?esito=progetto-chiuso");
  }
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ProjectFormValues;
  const parsed = referentProjectSchema.safeParse(values);
  if (!parsed.success) {
    if (!getOwnProject(db, { access, projectId: id })) throw notFound();
    return json({ errors: issuesToFieldErrors(parsed.error.issues), values, version }, { status: 400 });
  }
  const result = updateProject(db, { access, projectId: id, project: parsed.data, version });
  if (!result.ok) {
    if (result.reason === "conflict") return json({ errors: {}, values, version, formError: PROJECT_CONFLICT_ERROR }, { status: 409 });
    throw result.reason === "not_found" ? notFound() : forbidden("Il progetto non si può modificare.");
  }
  return redirect("/area-referente?esito=progetto-modificato");
}

export default function EditProjectPage() {
  const { header, heading, values, version } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saved = actionData && "values" in actionData ? actionData : undefined;
  const closing = actionData && "intent" in actionData ? actionData : undefined;
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
