import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { REFERENT_ROLES } from "#db/enums";
import { ErrorSummary, SelectField, TextField } from "~/components/form-fields";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { PhoneFields } from "~/components/phone-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { proposeSuccessor } from "~/models/handover.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { requireActiveReferent } from "~/utils/referent-auth.server";
import { REFERENT_ROLE_LABELS } from "~/validation/labels";
import { successorSchema, type SuccessorInput } from "~/validation/referent-area";
import { ofBody } from "~/utils/text";
import { areaPageHandle } from "~/utils/skip-link";
import { FormActions } from "~/components/form-actions";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("Proponi un successore") },
  { name: "robots", content: "noindex" },
];

const roleOptions = REFERENT_ROLES.map((value) => ({ value, label: REFERENT_ROLE_LABELS[value] }));
const FIELDS = ["firstName", "lastName", "role", "office", "email", "phone", "mobile"] as const;
const EMPTY: SuccessorInput = { firstName: "", lastName: "", role: "", office: "", email: "", phone: "", mobile: "" };

type ActionData = { errors: Record<string, string>; formError?: string; values: SuccessorInput };

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireActiveReferent(request);
  return json({ header: headerData(access) });
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireActiveReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(formData.get(f) ?? "")])) as SuccessorInput;
  const parsed = successorSchema.safeParse(values);
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  const result = proposeSuccessor(getDb(), { access, successor: parsed.data, appUrl: getEnv().appUrl });
  if (!result.ok) {
    return json<ActionData>({ errors: result.fieldErrors, formError: result.formError, values }, { status: result.formError ? 409 : 400 });
  }
  wakeOutboxWorker();
  return redirect("/area-referente?esito=subentro-proposto");
}

export default function ProposeSuccessorPage() {
  const { header } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const values = actionData?.values ?? EMPTY;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<SuccessorInput>({
    schema: successorSchema,
    defaultValues: values,
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  return (
    <ReferentAreaFrame referent={header}>
      <h1>Proponi un successore</h1>
      <p>
        Indica la persona che ti sostituirà come referente {ofBody(header.bodyName)}. Riceverà un'email con un collegamento per
        controllare i dati, leggere l'informativa privacy e confermare; poi i coordinatori di ANCI Sicilia approveranno il
        cambio. Dopo l'approvazione non avrai più accesso all'area referente. Tutti i campi sono obbligatori, tranne quelli
        indicati come facoltativi.
      </p>
      <Form method="post" noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? (
          <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Proposta non inviata" />
        ) : null}
        <div className="row">
          <div className="col-md-6">
            <TextField label="Nome" defaultValue={values.firstName} error={errorFor("firstName")} {...form.register("firstName")} />
          </div>
          <div className="col-md-6">
            <TextField label="Cognome" defaultValue={values.lastName} error={errorFor("lastName")} {...form.register("lastName")} />
          </div>
        </div>
        <SelectField label="Ruolo" options={roleOptions} defaultValue={values.role} error={errorFor("role")} {...form.register("role")} />
        <TextField label="Ufficio o settore" defaultValue={values.office} error={errorFor("office")} {...form.register("office")} />
        <TextField
          label="Email"
          type="email"
          hint="Riceverà il collegamento per confermare."
          defaultValue={values.email}
          error={errorFor("email")}
          {...form.register("email")}
        />
        <PhoneFields values={values} errorFor={errorFor} register={form.register} />
        <FormActions submitLabel="Invia la proposta" cancelTo="/area-referente" />
      </Form>
    </ReferentAreaFrame>
  );
}
