import { useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { ERROR_SUMMARY_ATTRIBUTE } from "~/utils/error-title";

/**
 * The messages that say how an action went, after a redirect (post/redirect/get) or on the page that
 * answered the form: announced by taking the focus.
 */
const OUTCOME_SELECTOR = ".alert-success[role=status], [data-outcome]";

function focusable(element: HTMLElement) {
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  return element;
}

/** The element of the page drawn again that stands where `gone` stood: same id, or same kind, name and text. */
function twinOf(gone: Element, main: HTMLElement): HTMLElement | null {
  if (gone.isConnected) return null;
  if (gone.id) return document.getElementById(gone.id);
  const name = gone.getAttribute("name");
  const candidates = [...main.querySelectorAll<HTMLElement>(gone.tagName)].filter(
    (el) => el.getAttribute("name") === name && el.getAttribute("type") === gone.getAttribute("type") && el.textContent === gone.textContent,
  );
  return candidates.length === 1 ? candidates[0] : null;
}

/**
 * After a navigation inside the app, where a full page load would have started the screen reader at
 * the top, the focus goes where the user should continue (WCAG 2.4.3, 4.1.3): to the message saying
 * how an action went, or on a new page to its h1, unless the new page has put it on one of its
 * fields (autoFocus: the code step of the referent's sign-in, where the person goes on typing). A
 * form showing its errors keeps the focus on its summary (useValidatedForm); on the same page (a
 * filter, a sort) the focus stays put, or goes to the twin of the element that had it in a form drawn
 * again, unless that element is gone for good (then the h1), or a form posted there
 * was answered with an outcome: its button keeps the focus, and a status message inserted with its
 * text is not reliably read out.
 */
export function useFocusAfterNavigation() {
  const location = useLocation();
  const navigation = useNavigation();
  const previous = useRef<{ pathname: string; search: string } | null>(null);
  // Only a POST, PUT… goes through "submitting" (a GET form, such as a filter, only loads).
  const posted = useRef(false);
  if (navigation.state === "submitting") posted.current = true;
  // What had the focus while the navigation was under way: a field of the old page that the new one
  // kept is not a field the new page chose.
  const focusedBefore = useRef<Element | null>(null);
  if (navigation.state !== "idle" && typeof document !== "undefined") focusedBefore.current = document.activeElement;
  useEffect(() => {
    const before = previous.current;
    const answered = posted.current;
    previous.current = { pathname: location.pathname, search: location.search };
    posted.current = false;
    const hadFocus = focusedBefore.current;
    focusedBefore.current = null;
    if (!before) return; // the first page load: the browser's own focus, skip link and autofocus
    const main = document.getElementById("contenuto");
    const active = document.activeElement;
    // A form answered with errors has put the focus on its summary: it stays there. Another form's
    // summary left on the page from an earlier attempt does not keep this form's outcome unread.
    if (!main || active?.closest(`[${ERROR_SUMMARY_ATTRIBUTE}]`)) return;
    const focusLost = !active || active === document.body || !active.isConnected;
    const newPage = before.pathname !== location.pathname;
    const fieldChosenByPage = !!active && !focusLost && active !== hadFocus && main.contains(active) && active.matches("input, select, textarea");
    if (newPage && fieldChosenByPage) return;
    // Same address but for the fragment (a skip link, a link to a field): the browser moved the focus.
    if (!newPage && before.search === location.search && !focusLost && !answered) return;
    const outcome = main.querySelector<HTMLElement>(OUTCOME_SELECTOR);
    // A form drawn again with the new filters (keyed by the address) replaced the button pressed: its
    // twin takes the focus, where the user left it; the list's live region says the new count.
    const twin = !newPage && focusLost && !answered && hadFocus ? twinOf(hadFocus, main) : null;
    const target = outcome ?? twin ?? (newPage || focusLost ? main.querySelector<HTMLElement>("h1") : null);
    if (target) focusable(target).focus();
  }, [location.key, location.pathname, location.search]);
}
