import { Form, useActionData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { z } from "zod";
import { useDraftAcrossSignIn } from "~/components/draft-across-sign-in";
import { ErrorSummary, TextareaField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { FORM_VERSION_FIELD } from "~/utils/form-version";
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
  /** The fingerprint of what the page showed, when the decision is refused if that changed meanwhile. */
  version?: string;
  busy: boolean;
};

export function ReasonForm({ intent, title, summarySubject, label, hint, submitLabel, schema, typedReason, serverErrors, version, busy }: ReasonFormProps) {
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<DecisionReasonInput>({
    schema,
    defaultValues: { reason: typedReason },
    serverErrors,
  });
  const registration = form.register("reason");
  // Sent once the session had expired, the reason is given back after signing in again.
  const draft = useDraftAcrossSignIn<string>({ form: intent, answered: useActionData(), restore: (reason) => form.setValue("reason", reason) });
  return (
    <Form
      method="post"
      noValidate
      onSubmit={(event) => {
        draft.save(form.getValues("reason"));
        onSubmit(event);
      }}
      className="mb-4"
    >
      <AuthenticityTokenInput name="csrf" />
      {version !== undefined ? <input type="hidden" name={FORM_VERSION_FIELD} value={version} /> : null}
      <h3 className="h5">{title}</h3>
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} subject={summarySubject} /> : null}
      {draft.restored ? (
        <p className="alert alert-info" role="status">
          Il motivo che avevi scritto è ancora qui sotto, ma non è stato inviato: controllalo e premi di nuovo «{submitLabel}».
        </p>
      ) : null}
      <TextareaField
        label={label}
        hint={hint}
        error={errorFor(registration.name)}
        rows={4}
        maxLength={DECISION_REASON_MAX}
        defaultValue={typedReason}
        {...registration}
      />
      <button type="submit" name="intent" value={intent} className="btn btn-danger" disabled={busy}>
        {submitLabel}
      </button>
    </Form>
  );
}
