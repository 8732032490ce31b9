import { Form, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import type { UseFormRegisterReturn } from "react-hook-form";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { PASSWORD_MIN_LENGTH, setPasswordSchema, type SetPasswordInput } from "~/validation/set-password";
import { ErrorSummary, TextField } from "./form-fields";
import { useValidatedForm } from "./use-validated-form";

type NewPasswordName = "password" | "confirmPassword";

type Props = {
  /** The account's address, for password managers to store the new password under. */
  email: string;
  errorFor: (name: NewPasswordName) => string | undefined;
  register: (name: NewPasswordName) => UseFormRegisterReturn;
  /** The two labels; a first password (the invitation) is not a new one. */
  labels?: [string, string];
};

/** The password to choose and its confirmation: the invitation, the reset link's page and "Il mio account". */
export function NewPasswordFields({ email, errorFor, register, labels = ["Nuova password", "Conferma la nuova password"] }: Props) {
  return (
    <>
      {/* Lets password managers store the new password under the right account. */}
      <input type="text" name="username" value={email} autoComplete="username" readOnly hidden aria-hidden="true" />
      <TextField
        label={labels[0]}
        type="password"
        autoComplete="new-password"
        hint={`Almeno ${PASSWORD_MIN_LENGTH} caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.`}
        error={errorFor("password")}
        {...register("password")}
      />
      <TextField
        label={labels[1]}
        type="password"
        autoComplete="new-password"
        error={errorFor("confirmPassword")}
        {...register("confirmPassword")}
      />
    </>
  );
}

type SetPasswordFormProps = {
  email: string;
  serverErrors?: Record<string, string>;
  formError?: string;
  failureTitle: string;
  submitLabel: string;
  labels?: Props["labels"];
};

/** The form of the pages opened from a one-time link (invitation, reset): the password twice. */
export function SetPasswordForm({ email, serverErrors, formError, failureTitle, submitLabel, labels }: SetPasswordFormProps) {
  const navigation = useNavigation();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<SetPasswordInput>({
    schema: setPasswordSchema,
    defaultValues: { password: "", confirmPassword: "" },
    serverErrors,
    formError,
  });
  return (
    <Form method="post" noValidate onSubmit={onSubmit}>
      <AuthenticityTokenInput name="csrf" />
      {showSummary ? (
        <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} subject="Il modulo" failureTitle={failureTitle} />
      ) : null}
      <NewPasswordFields email={email} errorFor={errorFor} register={form.register} labels={labels} />
      <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
        {submitLabel}
      </button>
    </Form>
  );
}
