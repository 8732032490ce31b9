import { zodResolver } from "@hookform/resolvers/zod";
import { useSubmit } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useForm, type DefaultValues, type FieldValues, type Resolver } from "react-hook-form";
import { useHydrated } from "remix-utils/use-hydrated";
import type { z } from "zod";
import { fieldId, type FormErrors } from "~/utils/form-data";

export type FieldError = { name: string; message: string };

/** react-hook-form's nested errors as a flat list of { name: "projects.0.endDate", message }. */
export function flattenErrors(errors: unknown, prefix = ""): FieldError[] {
  if (!errors || typeof errors !== "object") return [];
  const node = errors as Record<string, unknown>;
  const result: FieldError[] = [];
  if (prefix && typeof node.message === "string" && typeof node.type === "string") {
    result.push({ name: prefix, message: node.message });
  }
  for (const [key, value] of Object.entries(node)) {
    if (["message", "type", "ref", "types"].includes(key)) continue;
    if (key === "root") {
      const message = (value as { message?: string } | undefined)?.message;
      if (message) result.push({ name: prefix, message });
      continue;
    }
    result.push(...flattenErrors(value, prefix ? `${prefix}.${key}` : key));
  }
  return result;
}

/**
 * The errors in the order of their fields on the page: react-hook-form lists them in the order the
 * fields registered, so the projects (a field array) came after the privacy consent below them.
 * Only in the browser (the server's order already follows the schema, which follows the form).
 */
function inPageOrder(errors: FieldError[]) {
  if (typeof document === "undefined") return errors;
  const placed = errors.map((error) => ({ error, element: document.getElementById(fieldId(error.name)) }));
  const onPage = placed
    .filter((p): p is { error: FieldError; element: HTMLElement } => p.element !== null)
    .sort((a, b) => (a.element.compareDocumentPosition(b.element) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  return [...onPage, ...placed.filter((p) => p.element === null)].map((p) => p.error);
}

/**
 * The server's errors in the order of the form's values (the form's own order), for the page
 * drawn before hydration: schema checks that look at several fields report after the others.
 */
function inFieldOrder(errors: FieldError[], values: object) {
  const order = Object.keys(values);
  const rank = (e: FieldError) => {
    const i = order.indexOf(e.name.split(".")[0]);
    return i === -1 ? order.length : i;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b));
}

/** The names of a form's fields, in order: what changes when fields are added, removed or shown. */
const fieldNamesOf = (form: HTMLFormElement) =>
  Array.from(form.elements)
    .map((element) => (element as HTMLInputElement).name)
    .filter(Boolean)
    .join("\n");

const NO_SERVER_ERRORS: Record<string, string> = {};

type Options<T extends FieldValues> = {
  schema: z.ZodTypeAny;
  defaultValues: DefaultValues<T>;
  serverErrors?: Record<string, string>;
  formError?: string;
  /**
   * Fields added since the form was last sent (a new project): their errors wait until the person
   * changes them, as before the first sending. Called when the messages are drawn.
   */
  addedSinceSent?: (name: string) => boolean;
};

/**
 * One zod schema on both sides: before hydration (or without JavaScript) the server's errors are
 * shown; once hydrated, react-hook-form validates as you type and submits through Remix only
 * when the schema passes. Errors are listed in a summary that receives focus.
 *
 * The summary is an alert, which a screen reader reads whole at each change: it lists the errors
 * of the last time the form was sent (by the browser's check or by the server), so it speaks when
 * the form is sent and not at every keystroke. The messages by the fields follow the typing.
 */
export function useValidatedForm<T extends FieldValues>({ schema, defaultValues, serverErrors = NO_SERVER_ERRORS, formError, addedSinceSent }: Options<T>) {
  const hydrated = useHydrated();
  const submit = useSubmit();
  const summaryRef = useRef<HTMLDivElement>(null);
  const form = useForm<T>({
    resolver: zodResolver(schema as unknown as z.ZodType<T>) as unknown as Resolver<T>,
    mode: "onChange",
    defaultValues,
    shouldFocusError: false,
  });

  // The server's errors reach the summary a render after they are set: the focus follows then.
  const summaryAwaitsFocus = useRef(false);
  // The form's fields when the summary's list was taken (null: not yet looked at).
  const fieldsWhenListed = useRef<string | null>(null);
  // null: the summary shows the server's answer; a list: the browser's check at the last sending.
  const [checkedErrors, setCheckedErrors] = useState<FieldError[] | null>(null);
  useEffect(() => {
    for (const [name, message] of Object.entries(serverErrors)) form.setError(name as never, { type: "server", message });
    if (Object.keys(serverErrors).length > 0 || formError) {
      summaryAwaitsFocus.current = true;
      fieldsWhenListed.current = null;
      setCheckedErrors(null);
    }
  }, [serverErrors, formError, form]);
  useEffect(() => {
    if (!summaryAwaitsFocus.current || !summaryRef.current) return;
    summaryAwaitsFocus.current = false;
    summaryRef.current.focus();
  });

  // The fields the person has changed. Adding or removing a project validates the whole list, and
  // react-hook-form then marks every field nobody has filled in yet: a field's message waits until
  // the person has changed it, the form has been sent, or the server has spoken about it.
  const [changed, setChanged] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    const subscription = form.watch((_, { name, type }) => {
      if (type === "change" && name) setChanged((names) => (names.has(name) ? names : new Set(names).add(name)));
    });
    return () => subscription.unsubscribe();
  }, [form]);
  const submitted = form.formState.submitCount > 0;
  // Taken when first drawn, once per render (addedSinceSent may read state the caller sets up after this hook).
  let shown: FieldError[] | undefined;
  const shownFieldErrors = () =>
    (shown ??= hydrated
      ? inPageOrder(flattenErrors(form.formState.errors)).filter(
          (e) => (submitted && !addedSinceSent?.(e.name)) || changed.has(e.name) || e.name in serverErrors,
        )
      : []);
  const serverErrorList = Object.entries(serverErrors).map(([name, message]) => ({ name, message }));
  const errorFor = (name: string) => (hydrated ? shownFieldErrors() : serverErrorList).find((e) => e.name === name)?.message;
  const summaryErrors = checkedErrors ?? (hydrated ? inPageOrder(serverErrorList) : inFieldOrder(serverErrorList, defaultValues));
  const showSummary = !hydrated || checkedErrors !== null || serverErrorList.length > 0 || !!formError;

  // Adding or removing a project, or a choice that shows other fields, leaves the summary's list
  // naming fields gone or renumbered: it is taken again from the messages by the fields, as the
  // person's own action changed the form.
  useEffect(() => {
    const formElement = summaryRef.current?.closest("form");
    if (!hydrated || (checkedErrors === null && serverErrorList.length === 0)) {
      fieldsWhenListed.current = null;
      return;
    }
    const fields = formElement ? fieldNamesOf(formElement) : "";
    if (fieldsWhenListed.current === null) fieldsWhenListed.current = fields;
    else if (fields !== fieldsWhenListed.current) {
      fieldsWhenListed.current = fields;
      setCheckedErrors(shownFieldErrors());
    }
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const formElement = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    void form.handleSubmit(
      () => {
        fieldsWhenListed.current = null;
        setCheckedErrors([]);
        submit(submitter ?? formElement, { method: "post", action: formElement.getAttribute("action") ?? undefined });
      },
      (errors) => {
        fieldsWhenListed.current = null;
        setCheckedErrors(inPageOrder(flattenErrors(errors)));
        setTimeout(() => summaryRef.current?.focus(), 0);
      },
    )(event);
  };

  /**
   * The form emptied to `values`, without the errors of the last sending: a fresh start on the same
   * page (the sign-in's code step after a new code). The server's errors go with the answer that
   * brought them (a new navigation drops it). Not form.reset(), which forgets the fields until they
   * are drawn again, so that the page can focus one at once.
   */
  const clear = useCallback(
    (values: Partial<T>) => {
      for (const [name, value] of Object.entries(values)) form.setValue(name as never, value as never);
      form.clearErrors();
      fieldsWhenListed.current = null;
      setCheckedErrors(null);
      setChanged(new Set());
    },
    [form],
  );

  return { form, hydrated, summaryRef, summaryErrors, errorFor, showSummary, onSubmit, clear };
}

/**
 * The error summary's ref for a form only the server checks: focused each time an answer brings
 * errors. The summary's autoFocus covers its first appearance (and a page sent without JavaScript);
 * a second failed attempt with JavaScript re-renders the summary already there, which autoFocus skips.
 */
export function useServerErrorSummaryFocus(result: FormErrors | undefined) {
  const summaryRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result && (Object.keys(result.errors).length > 0 || result.formError)) summaryRef.current?.focus();
  }, [result]);
  return summaryRef;
}
