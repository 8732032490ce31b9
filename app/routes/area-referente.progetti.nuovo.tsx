import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { ReferentProjectForm } from "~/components/referent-project-form";
import { addProject, canEditProjects } from "~/models/referent-area.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { requireReferent } from "~/utils/referent-auth.server";
import { referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { emptyProject } from "~/validation/registration";
import { areaPageHandle } from "~/utils/skip-link";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("Aggiungi progetto") },
  { name: "robots", content: "noindex" },
];

const FIELDS = ["category", "fundedPlaces", "projectCode", "managingOrganization", "startDate", "endDate"] as const;
const forbidden = () =>
  new Response("I progetti dell'ente potranno essere aggiornati dopo l'approvazione della richiesta.", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  if (!canEditProjects(getDb(), access)) throw forbidden();
  return json({ header: headerData(access) });
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ProjectFormValues;
  const parsed = referentProjectSchema.safeParse(values);
  if (!parsed.success) return json({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  const result = addProject(getDb(), { access, project: parsed.data });
  if (!result.ok) throw forbidden();
  return redirect("/area-referente?esito=progetto-aggiunto");
}

export default function NewProjectPage() {
  const { header } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <ReferentAreaFrame referent={header}>
      <h1>Aggiungi progetto</h1>
      <p>Un nuovo progetto SAI dell'ente. Tutti i campi sono obbligatori, tranne quelli indicati come facoltativi.</p>
      <ReferentProjectForm values={actionData?.values ?? { ...emptyProject }} serverErrors={actionData?.errors} submitLabel="Aggiungi progetto" />
    </ReferentAreaFrame>
  );
}
