import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { AdminProjectErrorBoundary, PROJECT_NOT_FOUND_MESSAGE } from "~/components/admin-project-error";
import { Breadcrumb, membershipRequestParents } from "~/components/breadcrumb";
import { ErrorSummary, FormRefusal, TextField } from "~/components/form-fields";
import { ReferentProjectForm } from "~/components/referent-project-form";
import { useValidatedForm } from "~/components/use-validated-form";
import { parseRequestId } from "~/models/membership-detail.server";
import {
  closeProjectAsCoordinator,
  getRequestProject,
  PROJECT_FIELDS,
  projectFormValues,
  projectName,
  projectVersionOf,
  reopenProjectAsCoordinator,
  updateProjectAsCoordinator,
} from "~/models/sai-project.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt } from "~/utils/dates";
import { FORM_VERSION_FIELD, postedVersion } from "~/utils/form-version";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { projectClosureSchema, todayInItaly, type ProjectClosureInput } from "~/validation/project-closure";
import { referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { coordinatorPageTitle } from "~/utils/page-title";

// A coordinator corrects one SAI project of the ente of a membership request (issue 3, point 5):
// the referent area's form and rules, plus "Chiudi il progetto" on a given day and "Riapri il
// progetto". Each change is audited with the values before and after. A project of another ente
// answers 404, as one that does not exist.
// (The trailing underscore in "$id_" keeps this page out of the detail page's layout.)

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(data.heading) : coordinatorPageTitle("Progetto non trovato") },
];

const notFound = () => json({ message: PROJECT_NOT_FOUND_MESSAGE }, { status: 404 });

function idsOf(params: LoaderFunctionArgs["params"]) {
  const requestId = parseRequestId(params.id);
  const projectId = parseRequestId(params.projectId);
  return requestId && projectId ? { requestId, projectId } : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const ids = idsOf(params);
  const found = ids ? getRequestProject(getDb(), ids) : null;
  if (!found) throw notFound();
  const { project } = found;
  return json({
    requestId: found.requestId,
    heading: `Modifica progetto ${projectName(project)}: ${found.bodyName}`,
    closedOn: project.closedAt ? formatDateIt(project.closedAt) : null,
    alreadyRegistered: project.alreadyRegistered,
    values: projectFormValues(project),
    /** What each form of the page was loaded with: a change made after the project changed is refused. */
    version: projectVersionOf(project),
    today: todayInItaly(),
  });
}

// `version`: the one the form was sent with, kept through a refusal (as in «Modifica dati»), so that
// sending it again after a change made meanwhile stays refused until the page is reloaded.
type ActionData =
  | { intent: "save"; errors: Record<string, string>; values: ProjectFormValues; version?: string; formError?: string }
  | { intent: "close"; errors: Record<string, string>; values: ProjectClosureInput; version?: string; formError?: string }
  | { intent: "reopen"; errors: Record<string, string>; version?: string; formError: string }
  | { intent: null; errors: Record<string, string>; formError: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const ids = idsOf(params);
  const db = getDb();
  // Checked before any validation, so another ente's project gives no hint through the messages.
  if (!ids || !getRequestProject(db, ids)) throw notFound();
  const done = (outcome: string) => redirect(`/admin/adesioni/${ids.requestId}?esito=${outcome}`);
  const intent = formData.get("intent") ?? "save";
  const version = postedVersion(formData);

  if (intent === "close") {
    const values = { closedOn: String(formData.get("closedOn") ?? "") };
    const parsed = projectClosureSchema.safeParse(values);
    if (!parsed.success) return json<ActionData>({ intent, errors: issuesToFieldErrors(parsed.error.issues), values, version }, { status: 400 });
    const result = closeProjectAsCoordinator(db, { ...ids, coordinatorId: coordinator.id, closedOn: parsed.data.closedOn, version });
    if (result.ok) return done("progetto-chiuso");
    if (result.reason === "not_found") throw notFound();
    if (result.reason === "invalid") return json<ActionData>({ intent, errors: result.fieldErrors, values, version }, { status: 400 });
    return json<ActionData>({ intent, errors: {}, values, version, formError: result.error }, { status: 409 });
  }
  if (intent === "reopen") {
    const result = reopenProjectAsCoordinator(db, { ...ids, coordinatorId: coordinator.id, version });
    if (result.ok) return done("progetto-riaperto");
    if (result.reason === "not_found") throw notFound();
    return json<ActionData>({ intent, errors: {}, version, formError: "error" in result ? result.error : "Il progetto non si può riaprire." }, { status: 409 });
  }
  if (intent !== "save") {
    return json<ActionData>({ intent: null, errors: {}, formError: "Azione non riconosciuta: ricarica la pagina e riprova." }, { status: 400 });
  }

  const values = Object.fromEntries(PROJECT_FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ProjectFormValues;
  const parsed = referentProjectSchema.safeParse(values);
  if (!parsed.success) return json<ActionData>({ intent, errors: issuesToFieldErrors(parsed.error.issues), values, version }, { status: 400 });
  const result = updateProjectAsCoordinator(db, { ...ids, coordinatorId: coordinator.id, project: parsed.data, version });
  if (!result.ok) {
    if (result.reason === "not_found") throw notFound();
    return json<ActionData>({ intent, errors: {}, values, version, formError: result.error }, { status: 409 });
  }
  return done(result.changed.length > 0 ? "progetto-modificato" : "progetto-invariato");
}

export default function CoordinatorProjectPage() {
  const { requestId, heading, closedOn, alreadyRegistered, values, version } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saved = actionData?.intent === "save" ? actionData : undefined;
  // An error of "Riapri il progetto" (or of an unknown action) has no form of its own; nor has one of
  // "Chiudi il progetto" once the page shows the project closed (closed meanwhile, in another tab).
  const otherError =
    actionData && actionData.intent !== "save" && (actionData.intent !== "close" || closedOn) ? actionData.formError ?? null : null;
  return (
    <div className="row">
      <div className="col-lg-9">
        <Breadcrumb
          parents={membershipRequestParents(requestId)}
          current="Modifica progetto"
        />
        <h1>{heading}</h1>
        <p>
          Correggi i dati del progetto SAI dell'ente. Ogni modifica resta nel registro delle attività con il valore precedente e
          quello nuovo.
        </p>
        {alreadyRegistered ? (
          <p className="alert alert-info">
            Il progetto, dichiarato nella scheda, era già registrato per l'ente: all'approvazione del cambio di referente non è stato
            aggiunto di nuovo e non conta tra i progetti dell'ente. Riaprilo solo se l'ente ha davvero due progetti uguali.
          </p>
        ) : closedOn ? (
          <p className="alert alert-info">Il progetto è chiuso dal {closedOn}: non conta tra i progetti attivi della rete.</p>
        ) : null}
        <FormRefusal message={otherError} />
        <ReferentProjectForm
          values={saved?.values ?? values}
          serverErrors={saved?.errors}
          formError={saved?.formError}
          version={saved?.version ?? version}
          submitLabel="Salva il progetto"
          cancelTo={`/admin/adesioni/${requestId}`}
        />
        <section className="mt-5" aria-labelledby="chiusura">
          {closedOn ? <Reopen closedOn={closedOn} /> : <Closure />}
        </section>
      </div>
    </div>
  );
}

function Closure() {
  const { today, version } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const closing = actionData?.intent === "close" ? actionData : undefined;
  // What was typed comes back from the action (the field's only source without JavaScript).
  const typed = closing?.values.closedOn ?? today;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ProjectClosureInput>({
    schema: projectClosureSchema,
    defaultValues: { closedOn: typed },
    serverErrors: closing?.errors,
    formError: closing?.formError,
  });
  return (
    <>
      <h2 id="chiusura" className="h4">
        Il progetto è terminato?
      </h2>
      <p>Chiudendolo resta nello storico dell'ente ma non conta più tra i progetti attivi della rete.</p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name={FORM_VERSION_FIELD} value={closing?.version ?? version} />
        {showSummary ? (
          <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={closing?.formError} subject="Il modulo di chiusura" failureTitle="Chiusura non riuscita" titleId="closure-error-summary-title" />
        ) : null}
        <TextField
          label="Data di chiusura"
          type="date"
          max={today}
          hint="Il giorno in cui il progetto è terminato: non può precedere la data di inizio né essere successivo a oggi."
          defaultValue={typed}
          error={errorFor("closedOn")}
          {...form.register("closedOn")}
        />
        <button type="submit" name="intent" value="close" className="btn btn-outline-danger" disabled={submissionUnderWay(navigation)}>
          Chiudi il progetto
        </button>
      </Form>
    </>
  );
}

function Reopen({ closedOn }: { closedOn: string }) {
  const { version } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <>
      <h2 id="chiusura" className="h4">
        Progetto chiuso
      </h2>
      <p>Il progetto è stato chiuso il {closedOn}. Se è stato chiuso per errore puoi riaprirlo: tornerà tra i progetti attivi.</p>
      <Form method="post">
        <AuthenticityTokenInput name="csrf" />
        <input type="hidden" name={FORM_VERSION_FIELD} value={(actionData?.intent === "reopen" ? actionData.version : undefined) ?? version} />
        <button type="submit" name="intent" value="reopen" className="btn btn-outline-primary" disabled={submissionUnderWay(navigation)}>
          Riapri il progetto
        </button>
      </Form>
    </>
  );
}

export const ErrorBoundary = AdminProjectErrorBoundary;
