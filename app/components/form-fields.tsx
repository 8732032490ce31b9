import { forwardRef, useEffect, type InputHTMLAttributes, type MouseEvent, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { ERROR_SUMMARY_ATTRIBUTE, withErrorPrefix, withoutErrorPrefix } from "~/utils/error-title";
import { fieldId } from "~/utils/form-data";

type FieldShell = { name: string; label: ReactNode; hint?: ReactNode; error?: string; className?: string };

export function describedBy(name: string, { hint, error }: { hint?: unknown; error?: string }) {
  const id = fieldId(name);
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** The hint and the error of a field, with the ids its aria-describedby points to (describedBy). */
export function FieldMessages({ name, hint, error }: { name: string; hint?: ReactNode; error?: string }) {
  const id = fieldId(name);
  return (
    <>
      {hint ? (
        <small id={`${id}-hint`} className="form-text">
          {hint}
        </small>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          <span className="visually-hidden">Errore: </span>
          {error}
        </span>
      ) : null}
    </>
  );
}

type TextFieldProps = FieldShell & InputHTMLAttributes<HTMLInputElement>;

export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { name, label, hint, error, className, ...input },
  ref,
) {
  const id = fieldId(name);
  return (
    <div className={`form-field mb-4 ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={name}
        type="text"
        className={`form-control ${error ? "is-invalid" : ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, { hint, error })}
        {...input}
      />
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
});

type TextareaFieldProps = { name: string; label: ReactNode; hint?: ReactNode; error?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>;

/** A multi-line field with the same label, hint and error wiring as TextField. */
export const TextareaField = forwardRef<HTMLTextAreaElement, TextareaFieldProps>(function TextareaField(
  { name, label, hint, error, ...textarea },
  ref,
) {
  const id = fieldId(name);
  return (
    <div className="form-field mb-4">
      <label htmlFor={id} className="form-label d-block">
        {label}
      </label>
      <textarea
        ref={ref}
        id={id}
        name={name}
        className={`form-control ${error ? "is-invalid" : ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, { hint, error })}
        {...textarea}
      />
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
});

type FileFieldProps = FieldShell & InputHTMLAttributes<HTMLInputElement>;

/** A file input with its label, hint and error; the file travels in a multipart form. */
export function FileField({ name, label, hint, error, ...input }: FileFieldProps) {
  const id = fieldId(name);
  return (
    <div className="form-field mb-4">
      <label htmlFor={id} className="d-block">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type="file"
        className={`form-control ${error ? "is-invalid" : ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, { hint, error })}
        {...input}
      />
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}

type SelectFieldProps = FieldShell &
  SelectHTMLAttributes<HTMLSelectElement> & { options: readonly { value: string; label: string }[]; placeholder?: string };

export const SelectField = forwardRef<HTMLSelectElement, SelectFieldProps>(function SelectField(
  { name, label, hint, error, className, options, placeholder = "Scegli…", ...select },
  ref,
) {
  const id = fieldId(name);
  return (
    <div className={`form-field mb-4 ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <select
        ref={ref}
        id={id}
        name={name}
        className={`form-select ${error ? "is-invalid" : ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, { hint, error })}
        {...select}
      >
        <option value="">{placeholder}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
});

type CheckboxFieldProps = FieldShell & InputHTMLAttributes<HTMLInputElement>;

export const CheckboxField = forwardRef<HTMLInputElement, CheckboxFieldProps>(function CheckboxField(
  { name, label, hint, error, className, ...input },
  ref,
) {
  const id = fieldId(name);
  return (
    <div className={`form-field form-check mb-4 ${className ?? ""}`}>
      <input
        ref={ref}
        type="checkbox"
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, { hint, error })}
        {...input}
      />
      <label htmlFor={id} style={{ fontWeight: 400 }}>
        {label}
      </label>
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
});

/** The list of problems at the top of a form, each linking to its field. */
type ErrorSummaryProps = {
  errors: { name: string; message: string }[];
  formError?: string;
  /** Where to go instead, when the form error says the form is not the way (a plain link after it). */
  formErrorLink?: { href: string; text: string };
  subject?: string;
  failureTitle?: string;
  /** The title's id: only for a second form on the same page. */
  titleId?: string;
};

/** A project's field says which project it is: the same message may stand for several of them. */
function summaryMessage({ name, message }: { name: string; message: string }) {
  const project = /^projects\.(\d+)\./.exec(name);
  if (!project) return message;
  return `Progetto ${Number(project[1]) + 1}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

/**
 * A summary link, once hydrated: to the field by hand. Followed as a fragment, the browser's
 * popstate made Remix's <ScrollRestoration> put back the scroll position saved for the page, so
 * from the second link on the page jumped away from the field just focused.
 */
function goToField(event: MouseEvent<HTMLAnchorElement>) {
  const id = decodeURIComponent(event.currentTarget.hash.slice(1));
  const field = document.getElementById(id);
  if (!field) return;
  event.preventDefault();
  window.history.replaceState(window.history.state, "", `#${id}`);
  field.scrollIntoView({ block: "center" });
  field.focus({ preventScroll: true });
}

/** «Errore: » before the page's title while an error is shown, in the browser (the server adds it to a page answering a form sent without JavaScript). */
function useErrorTitle(shown: boolean) {
  useEffect(() => {
    if (!shown) return;
    document.title = withErrorPrefix(document.title);
    return () => {
      document.title = withoutErrorPrefix(document.title);
    };
  }, [shown]);
}

/**
 * An action refused as a whole, with no field to point at (a request already decided, a Tavolo
 * already cancelled: status 409): read out at once, and said by the page's title as an error
 * summary's is.
 */
export function FormRefusal({ message }: { message: string | null | undefined }) {
  useErrorTitle(!!message);
  if (!message) return null;
  const marker = { [ERROR_SUMMARY_ATTRIBUTE]: "" };
  return (
    <div className="alert alert-danger" role="alert" {...marker}>
      {message}
    </div>
  );
}

export const ErrorSummary = forwardRef<HTMLDivElement, ErrorSummaryProps>(
  function ErrorSummary({ errors, formError, formErrorLink, subject = "Il modulo", failureTitle = "Operazione non riuscita", titleId = "error-summary-title" }, ref) {
    const shown = errors.length > 0 || !!formError;
    useErrorTitle(shown);
    if (!shown) return null;
    // autoFocus: a page answering a form sent without JavaScript opens on its errors (with
    // JavaScript, useValidatedForm moves the focus here).
    const marker = { [ERROR_SUMMARY_ATTRIBUTE]: "" };
    return (
      <div ref={ref} className="alert alert-danger" role="alert" tabIndex={-1} aria-labelledby={titleId} autoFocus {...marker}>
        <h2 id={titleId} className="h4">
          {errors.length > 0
            ? `${subject} contiene ${errors.length === 1 ? "un errore" : `${errors.length} errori`}`
            : failureTitle}
        </h2>
        {formError ? <p>{formError}</p> : null}
        {formError && formErrorLink ? (
          <p>
            <a href={formErrorLink.href}>{formErrorLink.text}</a>
          </p>
        ) : null}
        {errors.length > 0 ? (
          <ul className="mb-0">
            {errors.map((e) => (
              <li key={e.name}>
                <a href={`#${fieldId(e.name)}`} onClick={goToField}>
                  {summaryMessage(e)}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  },
);
