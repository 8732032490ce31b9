import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AdminProjectErrorBoundary, REQUEST_NOT_FOUND_MESSAGE } from "~/components/admin-project-error";
import { Breadcrumb, membershipRequestParents } from "~/components/breadcrumb";
import { ReferentProjectForm } from "~/components/referent-project-form";
import { parseRequestId } from "~/models/membership-detail.server";
import { addProjectAsCoordinator, getRequestBody, PROJECT_FIELDS } from "~/models/sai-project.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { emptyProject } from "~/validation/registration";
import { coordinatorPageTitle } from "~/utils/page-title";

// "Aggiungi progetto" for a coordinator: a SAI project of the ente of one membership request, with
// the referent area's form and rules; the addition is audited (sai_project.added).
// (The trailing underscore in "$id_" keeps this page out of the detail page's layout.)

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`Aggiungi progetto - ${data.bodyName}`) : coordinatorPageTitle("Richiesta non trovata") },
];

const requestNotFound = () => json({ message: REQUEST_NOT_FOUND_MESSAGE }, { status: 404 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const requestId = parseRequestId(params.id);
  const body = requestId ? getRequestBody(getDb(), { requestId }) : null;
  if (!body) throw requestNotFound();
  return json({ requestId: body.requestId, bodyName: body.bodyName });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const requestId = parseRequestId(params.id);
  const db = getDb();
  if (!requestId || !getRequestBody(db, { requestId })) throw requestNotFound();
  const values = Object.fromEntries(PROJECT_FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ProjectFormValues;
  const parsed = referentProjectSchema.safeParse(values);
  if (!parsed.success) return json({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  const result = addProjectAsCoordinator(db, { requestId, coordinatorId: coordinator.id, project: parsed.data });
  if (!result.ok) throw requestNotFound();
  return redirect(`/admin/adesioni/${requestId}?esito=progetto-aggiunto`);
}

export default function NewProjectPage() {
  const { requestId, bodyName } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="row">
      <div className="col-lg-9">
        <Breadcrumb
          parents={membershipRequestParents(requestId)}
          current="Aggiungi progetto"
        />
        <h1>Aggiungi progetto: {bodyName}</h1>
        <p>
          Un nuovo progetto SAI dell'ente. Tutti i campi sono obbligatori, tranne quelli indicati come facoltativi. L'aggiunta resta
          nel registro delle attività.
        </p>
        <ReferentProjectForm
          values={actionData?.values ?? { ...emptyProject }}
          serverErrors={actionData?.errors}
          submitLabel="Aggiungi progetto"
          cancelTo={`/admin/adesioni/${requestId}`}
        />
      </div>
    </div>
  );
}

export const ErrorBoundary = AdminProjectErrorBoundary;
