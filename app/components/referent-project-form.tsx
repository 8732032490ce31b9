import { Form } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { SAI_CATEGORIES } from "#db/enums";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";
import { referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { ErrorSummary, SelectField, TextField } from "./form-fields";
import { useValidatedForm } from "./use-validated-form";
import { FormActions } from "~/components/form-actions";
import { FORM_VERSION_FIELD } from "~/utils/form-version";

// One SAI project (add or change), with the labels of the scheda (SPEC §5): in the referent area,
// and in the coordinators' area when they correct an ente's projects.

const categoryOptions = SAI_CATEGORIES.map((value) => ({ value, label: SAI_CATEGORY_LABELS[value] }));

export function ReferentProjectForm({
  values,
  serverErrors,
  formError,
  version,
  submitLabel,
  cancelTo = "/area-referente",
}: {
  values: ProjectFormValues;
  serverErrors?: Record<string, string>;
  formError?: string;
  /** The fingerprint of the project the page showed (a change): the save is refused if it changed meanwhile. */
  version?: string;
  submitLabel: string;
  /** Where "Annulla" leads. */
  cancelTo?: string;
}) {
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ProjectFormValues>({
    schema: referentProjectSchema,
    defaultValues: values,
    serverErrors,
    formError,
  });
  return (
    <Form method="post" noValidate onSubmit={onSubmit}>
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="save" />
      {version !== undefined ? <input type="hidden" name={FORM_VERSION_FIELD} value={version} /> : null}
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} subject="Il progetto" failureTitle="Salvataggio non riuscito" /> : null}
      <div className="row">
        <div className="col-md-6">
          <SelectField label="Tipologia" options={categoryOptions} defaultValue={values.category} error={errorFor("category")} {...form.register("category")} />
        </div>
        <div className="col-md-6">
          <TextField
            label="Posti finanziati"
            // Text, not a number field: a browser takes «2.000» for 2, and a scroll of the wheel changes it.
            inputMode="numeric"
            defaultValue={values.fundedPlaces}
            error={errorFor("fundedPlaces")}
            {...form.register("fundedPlaces")}
          />
        </div>
      </div>
      <TextField
        label="Codice progetto (facoltativo)"
        hint="Ad esempio PROG-1776-PR-3"
        defaultValue={values.projectCode}
        error={errorFor("projectCode")}
        {...form.register("projectCode")}
      />
      <TextField
        label="Ente attuatore"
        hint="L'organizzazione che gestisce il progetto"
        defaultValue={values.managingOrganization}
        error={errorFor("managingOrganization")}
        {...form.register("managingOrganization")}
      />
      <div className="row">
        <div className="col-md-6">
          <TextField label="Data di inizio" type="date" defaultValue={values.startDate} error={errorFor("startDate")} {...form.register("startDate")} />
        </div>
        <div className="col-md-6">
          <TextField label="Data di fine" type="date" defaultValue={values.endDate} error={errorFor("endDate")} {...form.register("endDate")} />
        </div>
      </div>
      <FormActions submitLabel={submitLabel} cancelTo={cancelTo} />
    </Form>
  );
}
