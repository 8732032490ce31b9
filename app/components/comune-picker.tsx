import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { useHydrated } from "remix-utils/use-hydrated";
import type { ComunePickerList } from "~/models/comune-picker.server";
import { foldAccents, searchKey } from "~/utils/text";
import { describedBy, FieldMessages } from "./form-fields";

export type ProvinceOption = ComunePickerList["provinces"][number];
type Item = { istatCode: string; label: string; key: string; compact: string; words: string[] };

/** A name as the search compares it, spaces aside: "Sant'Agata" and "sant agata" both give "santagata". */
const compactKey = (value: string) => searchKey(value).replace(/ /g, "");

/** The words of a name or of what was typed, apostrophes and dots as spaces: "S.Agata" -> ["s", "agata"]. */
const wordsOf = (value: string) => foldAccents(value).split(/[^a-z0-9]+/).filter(Boolean);

/**
 * An abbreviated name: each typed word starts a word of the name, in order, words of the name
 * skipped ("Barcellona P.G." for Barcellona Pozzo di Gotto, "S. Agata Militello").
 */
function abbreviates(typedWords: string[], nameWords: string[]) {
  let next = 0;
  for (const typedWord of typedWords) {
    while (next < nameWords.length && !nameWords[next].startsWith(typedWord)) next++;
    if (next === nameWords.length) return false;
    next++;
  }
  return true;
}

/**
 * The comuni a typed text suggests: names starting with it first, then names containing it, then
 * names it abbreviates.
 */
export function suggestComuni<T extends Item>(items: T[], typed: string, max = MAX_SUGGESTIONS): T[] {
  const withoutSigla = typed.replace(/\([A-Z]{2}\)\s*$/, "");
  const q = searchKey(withoutSigla);
  if (!q) return items.slice(0, max);
  const compact = q.replace(/ /g, "");
  const starts = (i: Item) => i.key.startsWith(q) || i.compact.startsWith(compact);
  const contains = (i: Item) => i.key.includes(q) || i.compact.includes(compact);
  const found = [...items.filter(starts), ...items.filter((i) => !starts(i) && contains(i))];
  const typedWords = wordsOf(withoutSigla);
  if (found.length < max && typedWords.length > 1) {
    found.push(...items.filter((i) => !contains(i) && abbreviates(typedWords, i.words)));
  }
  return found.slice(0, max);
}

/** The search entry of a comune of the list. */
export const comuneItem = (istatCode: string, comune: string, sigla: string): Item => ({
  istatCode,
  label: `${comune} (${sigla})`,
  key: searchKey(comune),
  compact: compactKey(comune),
  words: wordsOf(comune),
});

type Props = {
  name: string;
  label: string;
  hint: string;
  error?: string;
  /** The comuni for the combobox; null while they load (see useComunePickerList). */
  provinces: ProvinceOption[] | null;
  /** The list could not be loaded: the combobox says so. */
  loadFailed?: boolean;
  value: string;
  onChange: (istatCode: string) => void;
  onBlur: () => void;
};

const MAX_SUGGESTIONS = 50;

/**
 * The <option>s of the no-JavaScript select as HTML, the chosen one selected: provided by
 * entry.server.tsx only. The 7,896 comuni of the country thus reach the page as HTML, never as
 * loader data in its JavaScript (issue 7). In the browser there is no provider: React leaves the
 * options the server wrote as they are until hydration replaces the select with the combobox.
 */
export const ComuniOptionsContext = createContext<((selected: string) => string) | null>(null);

const LIST_URL = "/adesione/comuni.json";
let listRequest: Promise<ComunePickerList> | undefined;

/** The comuni and the handover list for the combobox, fetched once per page once hydrated. */
export function useComunePickerList() {
  const hydrated = useHydrated();
  const [state, setState] = useState<{ list: ComunePickerList | null; failed: boolean }>({ list: null, failed: false });
  useEffect(() => {
    if (!hydrated) return;
    let live = true;
    listRequest ??= fetch(LIST_URL, { headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(`${LIST_URL}: ${r.status}`);
      return r.json() as Promise<ComunePickerList>;
    });
    listRequest.then(
      (list) => live && setState({ list, failed: false }),
      () => {
        listRequest = undefined;
        if (live) setState({ list: null, failed: true });
      },
    );
    return () => {
      live = false;
    };
  }, [hydrated]);
  return state;
}

/**
 * Without JavaScript a plain <select> grouped by province; once hydrated an ARIA combobox (WAI-ARIA
 * APG "combobox with listbox popup, list autocomplete") that filters the comuni as you type,
 * ignoring case, accents and apostrophes.
 */
export function ComunePicker(props: Props) {
  const hydrated = useHydrated();
  const optionsHtml = useContext(ComuniOptionsContext);
  const { name, label, hint, error, value } = props;
  const id = name;
  const aria = { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy(name, { hint, error }) };

  if (!hydrated) {
    return (
      <div className="form-field mb-4">
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          name={name}
          className={`form-select ${error ? "is-invalid" : ""}`}
          {...aria}
          dangerouslySetInnerHTML={{ __html: optionsHtml?.(value) ?? "" }}
          suppressHydrationWarning
        />
        <FieldMessages name={name} hint={hint} error={error} />
      </div>
    );
  }
  return <ComuneCombobox {...props} />;
}

/** The one comune whose name (or "name (sigla)") is exactly what was typed, accents and case aside. */
function exactMatch(items: Item[], typed: string) {
  const withProvince = items.filter((i) => compactKey(i.label) === compactKey(typed));
  if (withProvince.length === 1) return withProvince[0];
  const byName = items.filter((i) => i.compact === compactKey(typed));
  return byName.length === 1 ? byName[0] : null;
}

function ComuneCombobox({ name, label, hint, error, provinces, loadFailed, value, onChange, onBlur }: Props) {
  const allItems = useMemo<Item[]>(
    () =>
      (provinces ?? []).flatMap((p) =>
        p.comuni.map(([istatCode, comune]) => comuneItem(istatCode, comune, p.sigla)),
      ),
    [provinces],
  );
  const selected = allItems.find((i) => i.istatCode === value) ?? null;
  const [query, setQuery] = useState(selected?.label ?? "");
  // The list arrives after the first render: then show the comune already chosen (the value the
  // server kept after a failed submission), unless the person has typed something meanwhile.
  useEffect(() => {
    if (selected) setQuery((typed) => typed || selected.label);
  }, [selected]);
  // Every match is counted for the status below; the list shows the first MAX_SUGGESTIONS.
  const found = useMemo(() => suggestComuni(allItems, query, Infinity), [allItems, query]);
  const items = useMemo(() => found.slice(0, MAX_SUGGESTIONS), [found]);

  // `open` is what the person asked for; the list is only shown, and announced as expanded, while
  // there is something in it (no match, or the comuni still loading, shows nothing).
  const [open, setOpen] = useState(false);
  const [highlighted, setHighlighted] = useState(-1);
  const expanded = open && items.length > 0;
  const active = expanded && highlighted < items.length ? highlighted : -1;
  const listRef = useRef<HTMLUListElement>(null);
  // How many comuni the typed text finds, said politely (APG combobox) once the typing pauses, so
  // that a screen reader does not read out every keystroke's count.
  const n = found.length;
  const count =
    !open || !allItems.length || !searchKey(query)
      ? ""
      : n === 0
        ? "Nessun Comune trovato"
        : n === 1
          ? "1 Comune trovato"
          : `${n} Comuni trovati${n > MAX_SUGGESTIONS ? `, nell'elenco i primi ${MAX_SUGGESTIONS}` : ""}`;
  const noMatch = count !== "" && n === 0;
  const [status, setStatus] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setStatus(count), 500);
    return () => clearTimeout(timer);
  }, [count]);
  // Only a highlight moved by the keyboard scrolls the list: one under the mouse pointer is already
  // in view, and scrolling would slide another option under the pointer.
  const scrollToActive = useRef(false);
  // New results start from the top: the browser keeps the offset the list had when it was hidden.
  useEffect(() => {
    if (expanded && listRef.current) listRef.current.scrollTop = 0;
  }, [expanded, items]);
  // The list opens below the field, often below the screen's edge on a phone: the page scrolls so
  // the suggestions can be seen, the field still above them.
  useEffect(() => {
    // At once: a smooth scroll is cut short by the browser bringing the field being typed in into view.
    if (expanded) listRef.current?.scrollIntoView({ block: "nearest", behavior: "instant" });
  }, [expanded]);
  useEffect(() => {
    if (!scrollToActive.current) return;
    scrollToActive.current = false;
    if (active >= 0) listRef.current?.children[active]?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const listId = `${name}-listbox`;
  // The line saying that nothing matches describes the field while it is shown.
  const noMatchId = `${listId}-nessuno`;
  const optionId = (item: Item) => `${name}-option-${item.istatCode}`;
  // Items are filtered out of allItems, so the chosen comune is found by identity.
  const selectedIndex = selected ? items.indexOf(selected) : -1;

  const highlight = (index: number, { byPointer = false } = {}) => {
    scrollToActive.current = !byPointer;
    setHighlighted(index);
  };
  const show = (index: number) => {
    setOpen(true);
    highlight(index);
  };
  const close = () => {
    setOpen(false);
    highlight(-1);
  };
  const choose = (item: Item) => {
    setQuery(item.label);
    onChange(item.istatCode);
    close();
  };

  // The keys of the APG pattern, as downshift (which this replaces, to keep the page light) handled
  // them; Home and End are left to move the caret, as in any text field.
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const last = items.length - 1;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!expanded) show(selected ? selectedIndex : event.altKey ? -1 : 0);
        else highlight(active >= last ? 0 : active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!expanded) show(selected ? selectedIndex : last);
        else if (event.altKey) {
          if (active >= 0) choose(items[active]);
          else close();
        } else highlight(active <= 0 ? last : active - 1);
        break;
      case "PageDown":
        if (!expanded) return;
        event.preventDefault();
        highlight(Math.min(last, active + 10));
        break;
      case "PageUp":
        if (!expanded) return;
        event.preventDefault();
        highlight(active < 0 ? Math.max(0, last - 9) : Math.max(0, active - 10));
        break;
      case "Enter":
        // While the list is open Enter picks (or just closes it) and never sends the form; an IME
        // uses Enter to confirm its own composition.
        if (!open || event.nativeEvent.isComposing) return;
        event.preventDefault();
        if (active >= 0) choose(items[active]);
        else close();
        break;
      case "Escape":
        // First Escape closes the list, a second one empties the field.
        if (open) {
          event.preventDefault();
          close();
        } else if (query || value) {
          event.preventDefault();
          setQuery("");
          if (value) onChange("");
        }
        break;
      case "Tab":
        // Leaving the field with an option highlighted takes it, as downshift did.
        if (active >= 0) choose(items[active]);
        break;
    }
  };

  return (
    <div className="form-field mb-4">
      <label id={`${name}-label`} htmlFor={name}>
        {label}
      </label>
      <div className="combobox-wrapper">
        <input
          id={name}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={active >= 0 ? optionId(items[active]) : undefined}
          autoComplete="off"
          className={`form-control ${error ? "is-invalid" : ""}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={[describedBy(name, { hint, error }), noMatch ? noMatchId : null].filter(Boolean).join(" ") || undefined}
          value={query}
          onChange={(event) => {
            // Handled here, synchronously: a controlled input updated a render later loses
            // keystrokes typed quickly (or text that assistive technology inserts key by key).
            const typed = event.target.value;
            setQuery(typed);
            show(-1);
            if (selected && typed !== selected.label) onChange("");
          }}
          onKeyDown={onKeyDown}
          onClick={() => (open ? close() : show(selectedIndex))}
          onBlur={() => {
            // A comune typed out in full counts as chosen: "palermo", then Tab, is Palermo.
            const typed = exactMatch(allItems, query);
            if (!selected && typed) choose(typed);
            else close();
            onBlur();
          }}
        />
        <input type="hidden" name={name} value={value} />
        <ul
          ref={listRef}
          id={listId}
          role="listbox"
          aria-label="Comuni corrispondenti"
          className="combobox-list"
          hidden={!expanded}
          // Keeps the focus in the input while an option (or the scrollbar) is clicked.
          onMouseDown={(event) => event.preventDefault()}
          onMouseLeave={() => highlight(-1, { byPointer: true })}
        >
          {expanded
            ? items.map((item, index) => (
                <li
                  key={item.istatCode}
                  id={optionId(item)}
                  role="option"
                  aria-selected={index === active}
                  onMouseMove={() => index !== active && highlight(index, { byPointer: true })}
                  onClick={() => choose(item)}
                >
                  {item.label}
                </li>
              ))
            : null}
        </ul>
      </div>
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {noMatch ? <p className="form-text" id={noMatchId}>Nessun Comune corrisponde a «{query.trim()}»: controlla come l'hai scritto.</p> : null}
      {loadFailed ? (
        <p className="field-error" role="alert">
          Non è stato possibile caricare l'elenco dei Comuni: ricarica la pagina.
        </p>
      ) : null}
      <FieldMessages name={name} hint={hint} error={error} />
    </div>
  );
}
