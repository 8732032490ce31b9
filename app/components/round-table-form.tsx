import { Form, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import type { ReactNode } from "react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ROUND_TABLE_MODE_LABELS } from "~/utils/round-table-calendar";
import { ROUND_TABLE_MODE_VALUES, roundTableSchema, type RoundTableFormValues } from "~/validation/round-table";
import { ErrorSummary, SelectField, TextareaField, TextField } from "./form-fields";
import { useValidatedForm } from "./use-validated-form";

// The browser's date and time field names no time zone: said with each field, not only above the form.
const TIME_ZONE_HINT = "Ora italiana.";

const MODE_OPTIONS = ROUND_TABLE_MODE_VALUES.map((value) => ({ value, label: ROUND_TABLE_MODE_LABELS[value] }));

type Props = {
  values: RoundTableFormValues;
  serverErrors?: Record<string, string>;
  formError?: string;
  submitLabel: string;
  /** Extra hidden inputs (intent, the duplicated round table). */
  hidden?: Record<string, string>;
  /** Shown above the submit button (e.g. who will be notified). */
  notice?: ReactNode;
  numberHint: ReactNode;
  timesHint?: ReactNode;
};

/** The form of a Tavolo tecnico, shared by /admin/tavoli/nuovo and /admin/tavoli/:id. */
export function RoundTableForm({ values, serverErrors, formError, submitLabel, hidden = {}, notice, numberHint, timesHint }: Props) {
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<RoundTableFormValues>({
    schema: roundTableSchema,
    defaultValues: values,
    serverErrors,
    formError,
  });
  const { register } = form;
  return (
    <Form method="post" noValidate onSubmit={onSubmit} aria-describedby="round-table-form-intro">
      <AuthenticityTokenInput name="csrf" />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {showSummary ? (
        <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} subject="Il modulo" failureTitle="Il tavolo non è stato salvato" />
      ) : null}
      <p id="round-table-form-intro">Tutti i campi sono obbligatori, tranne quelli indicati come facoltativi. Date e orari sono in ora italiana.</p>

      <div className="row">
        <div className="col-md-3">
          <TextField
            label="Numero (facoltativo)"
            inputMode="numeric"
            hint={numberHint}
            defaultValue={values.number}
            error={errorFor("number")}
            {...register("number")}
          />
        </div>
        <div className="col-md-9">
          <TextField label="Titolo" defaultValue={values.title} error={errorFor("title")} {...register("title")} />
        </div>
      </div>
      <TextareaField
        label="Programma (facoltativo)"
        rows={5}
        hint="Orari e interventi come appariranno nella pagina pubblica e nell'invito."
        defaultValue={values.description}
        error={errorFor("description")}
        {...register("description")}
      />
      <fieldset className="mb-2">
        <legend className="h5">Quando</legend>
        {timesHint ? <p className="text-muted">{timesHint}</p> : null}
        <div className="row">
          <div className="col-md-6">
            <TextField
              label="Inizio (data e ora)"
              type="datetime-local"
              hint={TIME_ZONE_HINT}
              defaultValue={values.startsAt}
              error={errorFor("startsAt")}
              {...register("startsAt")}
            />
          </div>
          <div className="col-md-6">
            <TextField
              label="Fine (data e ora)"
              type="datetime-local"
              hint={TIME_ZONE_HINT}
              defaultValue={values.endsAt}
              error={errorFor("endsAt")}
              {...register("endsAt")}
            />
          </div>
        </div>
        <div className="row">
          <div className="col-md-6">
            <TextField
              label="Promemoria (giorni prima)"
              inputMode="numeric"
              hint="0: nessun promemoria automatico."
              defaultValue={values.reminderDays}
              error={errorFor("reminderDays")}
              {...register("reminderDays")}
            />
          </div>
        </div>
      </fieldset>
      <fieldset className="mb-2">
        <legend className="h5">Dove</legend>
        <SelectField label="Modalità" options={MODE_OPTIONS} defaultValue={values.mode} error={errorFor("mode")} {...register("mode")} />
        <TextField
          label="Luogo"
          hint="Obbligatorio per gli incontri in presenza o ibridi, ad esempio: Palermo, sede di ANCI Sicilia, via Giuseppe La Farina 2."
          defaultValue={values.place}
          error={errorFor("place")}
          {...register("place")}
        />
        <TextField
          label="Link per partecipare online"
          type="url"
          hint="Obbligatorio per gli incontri online o ibridi ancora da svolgere: un indirizzo che inizia con https://. Lo ricevono solo gli invitati."
          defaultValue={values.onlineUrl}
          error={errorFor("onlineUrl")}
          {...register("onlineUrl")}
        />
      </fieldset>
      <TextareaField
        label="Interventi a cura di (facoltativo)"
        rows={4}
        hint={
          <>
            Un intervento per riga: chi lo cura, un trattino e il titolo o l'ente. Ad esempio: <em>S. Bottari — Modello SAI Torino</em>
          </>
        }
        defaultValue={values.speakers}
        error={errorFor("speakers")}
        {...register("speakers")}
      />
      {notice}
      <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
        {submitLabel}
      </button>
    </Form>
  );
}
