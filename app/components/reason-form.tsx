import { Form } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { z } from "zod";
import { describedBy, ErrorSummary } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { fieldId } from "~/utils/form-data";
import { DECISION_REASON_MAX, type DecisionReasonInput } from "~/validation/membership-decision";

// A decision that needs a written reason (rejecting a request, revoking a membership): one form
// posting `intent` and `reason` to the page's own action.

type ReasonFormProps = {
  intent: string;
  title: string;
  /** How the error summary names this form ("Il modulo di rifiuto"). */
  summarySubject: string;
  label: string;
  hint: string;
  submitLabel: string;
  schema: z.ZodTypeAny;
  /** What was typed, back from the action: without JavaScript it is the textarea's only source. */
  typedReason: string;
  serverErrors?: Record<string, string>;
  busy: boolean;
};

export function ReasonForm({ intent, title, summarySubject, label, hint, submitLabel, schema, typedReason, serverErrors, busy }: ReasonFormProps) {
  const { form, summaryRef, errorList, errorFor, showSummary, onSubmit } = useValidatedForm<DecisionReasonInput>({
    schema,
    defaultValues: { reason: typedReason },
    serverErrors,
  });
  const registration = form.register("reason");
  const name = registration.name;
  const error = errorFor(name);
  return (
    <Form method="post" noValidate onSubmit={onSubmit} className="mb-4">
      <AuthenticityTokenInput name="csrf" />
      <h3 className="h5">{title}</h3>
      {showSummary ? <ErrorSummary ref={summaryRef} errors={errorList} subject={summarySubject} /> : null}
      <div className="form-field mb-3">
        <label htmlFor={fieldId(name)}>{label}</label>
        <textarea
          id={fieldId(name)}
          className={`form-control ${error ? "is-invalid" : ""}`}
          rows={4}
          maxLength={DECISION_REASON_MAX}
          defaultValue={typedReason}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(name, { hint, error })}
          {...registration}
        />
        <small id={`${fieldId(name)}-hint`} className="form-text">
          {hint}
        </small>
        {error ? (
          <span id={`${fieldId(name)}-error`} className="field-error">
            <span className="visually-hidden">Errore: </span>
            {error}
          </span>
        ) : null}
      </div>
      <button type="submit" name="intent" value={intent} className="btn btn-danger" disabled={busy}>
        {submitLabel}
      </button>
    </Form>
  );
}
