import { Form, Link, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import type { ReactNode } from "react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { z } from "zod";
import { CheckboxField, ErrorSummary } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { CONFIRMATION_SHOWN_FIELD, type ConfirmationInput } from "~/validation/confirmation";

// An action that cannot be undone (cancelling a Tavolo tecnico, deleting a material, closing a
// project): what will happen, a confirmation tick the server checks too, and the button. Its error
// behaves like any other form's: a summary at the top linking to the tick, which takes the focus.

type ConfirmFormProps = {
  /** The heading that names the form, at its page's level, first in the form. */
  heading: ReactNode;
  /** Its id. */
  labelledBy: string;
  /** How the error summary names the form ("Il modulo di annullamento"). */
  summarySubject: string;
  confirmLabel: string;
  submitLabel: string;
  /** confirmationSchema(message): the same check as the server's. */
  schema: z.ZodTypeAny;
  /** Hidden inputs: the intent, the record concerned. */
  hidden: Record<string, string>;
  /** Where the form posts, when not to the page's own action. */
  action?: string;
  serverErrors?: Record<string, string>;
  /** What will happen, above the tick. */
  children: ReactNode;
};

export function ConfirmForm({ heading, labelledBy, summarySubject, confirmLabel, submitLabel, schema, hidden, action, serverErrors, children }: ConfirmFormProps) {
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<ConfirmationInput>({
    schema,
    defaultValues: { confirm: false },
    serverErrors,
  });
  return (
    <Form method="post" action={action} noValidate onSubmit={onSubmit} className="border border-danger rounded p-3" aria-labelledby={labelledBy}>
      <AuthenticityTokenInput name="csrf" />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {heading}
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} subject={summarySubject} titleId={`${labelledBy}-errori`} /> : null}
      {children}
      <CheckboxField label={confirmLabel} error={errorFor("confirm")} {...form.register("confirm")} />
      <button type="submit" className="btn btn-danger" disabled={submissionUnderWay(navigation)}>
        {submitLabel}
      </button>
    </Form>
  );
}

type AskedConfirmationProps = Omit<ConfirmFormProps, "heading" | "labelledBy" | "action"> & {
  /** The heading's id. */
  id: string;
  title: ReactNode;
  /** Where «Non …» leads, without acting, and what it says. */
  back: { to: string; label: string };
};

/**
 * The confirmation a button's first click answers with (confirmationStep on the server), above the
 * rest of the page. Its heading takes the focus: after a full page load, as without JavaScript, by
 * autoFocus; after a client-side one through useFocusAfterNavigation ([data-outcome]). Not when the
 * form comes back with its error: then the summary takes it.
 */
export function AskedConfirmation({ id, title, back, hidden, serverErrors, children, ...form }: AskedConfirmationProps) {
  const focus = !serverErrors || Object.keys(serverErrors).length === 0;
  return (
    <section className="mb-5" aria-labelledby={id}>
      <ConfirmForm
        {...form}
        heading={
          <h2 id={id} className="h4" tabIndex={focus ? -1 : undefined} autoFocus={focus} data-outcome={focus ? "" : undefined}>
            {title}
          </h2>
        }
        labelledBy={id}
        hidden={{ ...hidden, [CONFIRMATION_SHOWN_FIELD]: "1" }}
        serverErrors={serverErrors}
      >
        {children}
      </ConfirmForm>
      <p className="mt-3">
        <Link to={back.to}>{back.label}</Link>
      </p>
    </section>
  );
}
