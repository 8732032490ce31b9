import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Breadcrumb, membershipRequestParents } from "~/components/breadcrumb";
import { ErrorSummary, SelectField, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { getMembershipEditValues, parseRequestId, updateMembershipFields } from "~/models/membership-detail.server";
import { listProvinceSelectOptions } from "~/models/territory.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { formDataToObject, issuesToFieldErrors } from "~/utils/form-data";
import { REFERENT_ROLE_LABELS } from "~/validation/labels";
import { membershipEditSchema, type MembershipEditInput } from "~/validation/membership-edit";
import { FormActions } from "~/components/form-actions";
import { coordinatorPageTitle } from "~/utils/page-title";

// "Modifica dati" of a membership request: a coordinator corrects the ente and its referente.
// (The trailing underscore in the file name keeps this page out of the detail page's layout.)

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`Modifica dati - ${data.values.bodyName}`) : coordinatorPageTitle("Richiesta non trovata") },
];

const notFound = () =>
  json({ message: "La richiesta di adesione che cerchi non esiste: controlla il numero o torna all'elenco delle adesioni." }, { status: 404 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const id = parseRequestId(params.id);
  const found = id ? getMembershipEditValues(getDb(), { id }) : null;
  if (!found) throw notFound();
  return json({ ...found, provinces: listProvinceSelectOptions(getDb()) });
}

type Values = Record<string, string>;
type ActionData = { values: Values; version: string; errors: Record<string, string>; formError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const id = parseRequestId(params.id);
  const db = getDb();
  const current = id ? getMembershipEditValues(db, { id }) : null;
  if (!id || !current) throw notFound();

  const posted = formDataToObject(formData, { skip: ["csrf"] });
  const values: Values = { ...current.values };
  for (const key of Object.keys(current.values)) {
    if (typeof posted[key] === "string") values[key] = posted[key] as string;
  }
  // What the form was loaded with: kept through a refusal, so that a save after a change made meanwhile stays refused.
  const version = typeof posted.version === "string" ? posted.version : "";
  // The kind decides the rules and is never taken from the browser; a Comune's name is not edited by hand.
  values.bodyKind = current.bodyKind;
  if (current.bodyKind === "comune") values.bodyName = current.values.bodyName;

  const parsed = membershipEditSchema.safeParse(values);
  if (!parsed.success) {
    return json<ActionData>({ values, version, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  }
  const result = updateMembershipFields(db, { id, coordinatorId: coordinator.id, changes: parsed.data, version, appUrl: getEnv().appUrl });
  if (!result.ok) {
    if (result.notFound) throw notFound();
    if ("conflict" in result) return json<ActionData>({ values, version, errors: {}, formError: result.formError }, { status: 409 });
    return json<ActionData>({ values, version, errors: result.fieldErrors as Record<string, string> }, { status: 400 });
  }
  const outcome = result.changed.length === 0 ? "invariata" : result.failedEmailsReaddressed ? "modificata-email-da-riprovare" : "modificata";
  return redirect(`/admin/adesioni/${id}?esito=${outcome}`);
}

const ROLE_OPTIONS = Object.entries(REFERENT_ROLE_LABELS).map(([value, label]) => ({ value, label }));

export default function EditMembershipPage() {
  const { requestId, bodyKind, bodyKindLabel, values, version, provinces } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<MembershipEditInput>({
    schema: membershipEditSchema,
    defaultValues: (actionData?.values ?? values) as MembershipEditInput,
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  const isComune = bodyKind === "comune";
  // Without JavaScript the fields are filled by the server: defaultValue attributes, with what was
  // typed when the action sends the form back.
  const initial: Record<string, string> = actionData?.values ?? values;

  return (
    <div className="row">
      <div className="col-lg-9">
        <Breadcrumb parents={membershipRequestParents(requestId)} current="Modifica dati" />
        <h1>Modifica dati: {values.bodyName}</h1>
        <p>
          Correggi i dati dell'ente e del referente indicati nella richiesta n. {requestId}. Ogni modifica resta nel registro
          delle attività con il valore precedente e quello nuovo.
        </p>
        <Form method="post" noValidate onSubmit={onSubmit}>
          <AuthenticityTokenInput name="csrf" />
          <input type="hidden" defaultValue={initial.bodyKind} {...form.register("bodyKind")} />
          <input type="hidden" name="version" value={actionData?.version ?? version} />
          {showSummary ? (
            <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Modifica non salvata" />
          ) : null}
          <fieldset className="mb-4">
            <legend className="h4">Ente</legend>
            <p>
              Tipo di ente: <strong>{bodyKindLabel}</strong>
            </p>
            {isComune ? (
              <p>
                Denominazione ente: <strong>{values.bodyName}</strong> (dal nome del Comune, non modificabile)
              </p>
            ) : (
              <>
                <TextField label="Denominazione ente" defaultValue={initial.bodyName} error={errorFor("bodyName")} {...form.register("bodyName")} />
                <SelectField
                  label="Provincia"
                  hint="La provincia in cui ha sede l'ente: decide in quali filtri, inviti e comunicazioni per provincia rientra."
                  options={provinces}
                  placeholder="Scegli la provincia"
                  defaultValue={initial.provinceCode}
                  error={errorFor("provinceCode")}
                  {...form.register("provinceCode")}
                />
              </>
            )}
            <TextField label="PEC dell'ente" type="email" defaultValue={initial.pec} error={errorFor("pec")} {...form.register("pec")} />
            <TextField
              label="Codice fiscale dell'ente"
              inputMode="numeric"
              hint="11 cifre"
              defaultValue={initial.fiscalCode}
              error={errorFor("fiscalCode")}
              {...form.register("fiscalCode")}
            />
          </fieldset>
          <fieldset className="mb-4">
            <legend className="h4">Referente</legend>
            <TextField label="Nome" autoComplete="off" defaultValue={initial.firstName} error={errorFor("firstName")} {...form.register("firstName")} />
            <TextField label="Cognome" autoComplete="off" defaultValue={initial.lastName} error={errorFor("lastName")} {...form.register("lastName")} />
            <SelectField label="Ruolo" options={ROLE_OPTIONS} defaultValue={initial.role} error={errorFor("role")} {...form.register("role")} />
            <TextField label="Ufficio o settore" defaultValue={initial.office} error={errorFor("office")} {...form.register("office")} />
            <TextField label="Email" type="email" autoComplete="off" defaultValue={initial.email} error={errorFor("email")} {...form.register("email")} />
            <TextField label="Telefono" type="tel" autoComplete="off" defaultValue={initial.phone} error={errorFor("phone")} {...form.register("phone")} />
            <TextField
              label="Cellulare"
              type="tel"
              autoComplete="off"
              hint="Facoltativo"
              defaultValue={initial.mobile}
              error={errorFor("mobile")}
              {...form.register("mobile")}
            />
          </fieldset>
          <FormActions submitLabel="Salva le modifiche" cancelTo={`/admin/adesioni/${requestId}`} />
        </Form>
      </div>
    </div>
  );
}
