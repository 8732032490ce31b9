import { useEffect, useState } from "react";

// What a coordinator typed in a form sent once their session had expired (the action sends them to
// sign in again, saying nothing was saved). With JavaScript the form keeps what it sends in this
// tab's sessionStorage, and the sign-in page reached that way marks the page to return to: back on
// it after signing in, the form gets its text back. Only for that sending: the draft must have been
// sent just before the sign-in page was shown, and is forgotten once given back or once the action
// answers. Nothing leaves the browser, and the tab's storage ends with the tab.

const DRAFT_PREFIX = "sai-bozza:";
const RETURN_KEY = "sai-ritorno-sessione-scaduta";
/** Between sending the form and the sign-in page that refused it: a redirect, so a few seconds. */
const REFUSAL_WINDOW_MS = 60_000;
/** How long the sign-in may take for the text to be given back. */
const SIGN_IN_WINDOW_MS = 30 * 60_000;

type Stamped<T> = { value: T; at: number };

function tabStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled: nothing is kept, the sign-in page's message still says so
  }
}

function read<T>(storage: Storage, key: string): Stamped<T> | null {
  try {
    const parsed = JSON.parse(storage.getItem(key) ?? "null") as Stamped<T> | null;
    return parsed && typeof parsed.at === "number" ? parsed : null;
  } catch {
    return null;
  }
}

const draftKey = (form: string) => `${DRAFT_PREFIX}${window.location.pathname}#${form}`;

/** On the sign-in page shown for an expired session: the page (`redirectTo`) whose form may get its text back. */
export function useReturnAfterExpiredSession(returnTo: string | null) {
  useEffect(() => {
    if (!returnTo) return;
    const path = new URL(returnTo, window.location.origin).pathname;
    tabStorage()?.setItem(RETURN_KEY, JSON.stringify({ value: path, at: Date.now() } satisfies Stamped<string>));
  }, [returnTo]);
}

/**
 * A form's text kept across a sign-in forced by an expired session: `save` when sending; `restore` is
 * called once, on the page it was sent from, after signing in again. `answered` is the action's
 * answer (any), after which the draft is no longer needed. `restored` says the text was given back.
 */
export function useDraftAcrossSignIn<T>({ form, answered, restore }: { form: string; answered: unknown; restore: (value: T) => void }) {
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    const storage = tabStorage();
    if (!storage) return;
    const key = draftKey(form);
    const back = read<string>(storage, RETURN_KEY);
    const draft = read<T>(storage, key);
    if (!back || !draft || back.value !== window.location.pathname) return;
    storage.removeItem(key);
    storage.removeItem(RETURN_KEY);
    const refusedThen = back.at >= draft.at && back.at - draft.at <= REFUSAL_WINDOW_MS;
    if (!refusedThen || Date.now() - back.at > SIGN_IN_WINDOW_MS) return;
    restore(draft.value);
    setRestored(true);
    // Once, when the form appears: restore is the caller's and need not be stable.
  }, [form]);
  useEffect(() => {
    if (answered) tabStorage()?.removeItem(draftKey(form));
  }, [answered, form]);
  return {
    restored,
    save: (value: T) => tabStorage()?.setItem(draftKey(form), JSON.stringify({ value, at: Date.now() } satisfies Stamped<T>)),
  };
}
