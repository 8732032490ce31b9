import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { REFERENT_ROLES } from "#db/enums";
import { ErrorSummary, SelectField, TextField } from "~/components/form-fields";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { PhoneFields } from "~/components/phone-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { getContactValues, updateReferentContact } from "~/models/referent-area.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { requireReferent } from "~/utils/referent-auth.server";
import { REFERENT_ROLE_LABELS } from "~/validation/labels";
import { contactSchema, type ContactInput } from "~/validation/referent-area";
import { areaPageHandle } from "~/utils/skip-link";
import { FormActions } from "~/components/form-actions";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("I tuoi dati") },
  { name: "robots", content: "noindex" },
];

const roleOptions = REFERENT_ROLES.map((value) => ({ value, label: REFERENT_ROLE_LABELS[value] }));
const FIELDS = ["firstName", "lastName", "role", "office", "phone", "mobile"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  const values = getContactValues(getDb(), { access });
  if (!values) throw redirect("/area-referente/accedi");
  return json({ header: headerData(access), values, email: access.email });
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as ContactInput;
  const parsed = contactSchema.safeParse(values);
  if (!parsed.success) {
    return json<FormErrors & { values: ContactInput }>({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  }
  const result = updateReferentContact(getDb(), { access, changes: parsed.data });
  if (!result.ok) throw redirect("/area-referente/accedi");
  return redirect(`/area-referente?esito=${result.changed.length ? "dati" : "dati-invariati"}`);
}

export default function ContactDataPage() {
  const { header, values: saved, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const values = actionData?.values ?? saved;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ContactInput>({
    schema: contactSchema,
    defaultValues: values,
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  return (
    <ReferentAreaFrame referent={header}>
      <h1>I tuoi dati</h1>
      <p>
        Aggiorna i tuoi recapiti di referente. I coordinatori di ANCI Sicilia vedono ogni modifica. Per cambiare
        l'indirizzo email ({email}) usa <Link to="/area-referente/email">Cambia indirizzo email</Link>.
      </p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Salvataggio non riuscito" /> : null}
        <div className="row">
          <div className="col-md-6">
            <TextField label="Nome" autoComplete="given-name" defaultValue={values.firstName} error={errorFor("firstName")} {...form.register("firstName")} />
          </div>
          <div className="col-md-6">
            <TextField label="Cognome" autoComplete="family-name" defaultValue={values.lastName} error={errorFor("lastName")} {...form.register("lastName")} />
          </div>
        </div>
        <SelectField label="Ruolo" options={roleOptions} defaultValue={values.role} error={errorFor("role")} {...form.register("role")} />
        <TextField
          label="Ufficio o settore"
          hint="Ad esempio: Settore Servizi Sociali"
          defaultValue={values.office}
          error={errorFor("office")}
          {...form.register("office")}
        />
        <PhoneFields values={values} errorFor={errorFor} register={form.register} ownNumbers />
        <FormActions submitLabel="Salva i dati" cancelTo="/area-referente" />
      </Form>
    </ReferentAreaFrame>
  );
}
