import { useCombobox } from "downshift";
import { createContext, useContext, useEffect, useMemo, useState } from "react";
import { useHydrated } from "remix-utils/use-hydrated";
import type { ComunePickerList } from "~/models/comune-picker.server";
import { searchKey } from "~/utils/text";
import { describedBy } from "./form-fields";

export type ProvinceOption = ComunePickerList["provinces"][number];
type Item = { istatCode: string; label: string; key: string };

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
 * Without JavaScript a plain <select> grouped by province; once hydrated an ARIA combobox
 * (downshift) that filters the comuni as you type, ignoring case, accents and apostrophes.
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
        <Hint id={id} hint={hint} error={error} />
      </div>
    );
  }
  return <ComuneCombobox {...props} />;
}

function Hint({ id, hint, error }: { id: string; hint: string; error?: string }) {
  return (
    <>
      <small id={`${id}-hint`} className="form-text">
        {hint}
      </small>
      {error ? (
        <span id={`${id}-error`} className="field-error">
          <span className="visually-hidden">Errore: </span>
          {error}
        </span>
      ) : null}
    </>
  );
}

function ComuneCombobox({ name, label, hint, error, provinces, loadFailed, value, onChange, onBlur }: Props) {
  const allItems = useMemo<Item[]>(
    () =>
      (provinces ?? []).flatMap((p) =>
        p.comuni.map(([istatCode, comune]) => ({ istatCode, label: `${comune} (${p.sigla})`, key: searchKey(comune) })),
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
  const items = useMemo(() => {
    const q = searchKey(query.replace(/\([A-Z]{2}\)\s*$/, ""));
    if (!q) return allItems.slice(0, MAX_SUGGESTIONS);
    const starts = allItems.filter((i) => i.key.startsWith(q));
    const contains = allItems.filter((i) => !i.key.startsWith(q) && i.key.includes(q));
    return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
  }, [allItems, query]);

  const { isOpen, getLabelProps, getInputProps, getMenuProps, getItemProps, highlightedIndex } = useCombobox<Item>({
    id: `${name}-combobox`,
    inputId: name,
    labelId: `${name}-label`,
    menuId: `${name}-listbox`,
    items,
    itemToString: (item) => item?.label ?? "",
    selectedItem: selected,
    inputValue: query,
    // Typing is handled in the input's own onChange (below): downshift reports changes a render
    // later, and a controlled input updated that late loses keystrokes typed quickly (or text that
    // assistive technology inserts key by key). A selection cleared by typing must not wipe the text.
    onInputValueChange: ({ inputValue, type }) => {
      if (type === useCombobox.stateChangeTypes.InputChange || type === useCombobox.stateChangeTypes.ControlledPropUpdatedSelectedItem) return;
      setQuery(inputValue ?? "");
    },
    onSelectedItemChange: ({ selectedItem }) => {
      onChange(selectedItem?.istatCode ?? "");
      setQuery(selectedItem?.label ?? "");
    },
  });

  return (
    <div className="form-field mb-4">
      <label {...getLabelProps()}>{label}</label>
      <div className="combobox-wrapper">
        <input
          {...getInputProps({
            onBlur,
            onChange: (event) => {
              const typed = (event.target as HTMLInputElement).value;
              setQuery(typed);
              if (selected && typed !== selected.label) onChange("");
            },
          })}
          className={`form-control ${error ? "is-invalid" : ""}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(name, { hint, error })}
          autoComplete="off"
        />
        <input type="hidden" name={name} value={value} />
        <ul
          {...getMenuProps({ "aria-labelledby": undefined, "aria-label": "Comuni corrispondenti" })}
          className="combobox-list" hidden={!(isOpen && items.length > 0)}>
          {isOpen
            ? items.map((item, index) => (
                <li key={item.istatCode} {...getItemProps({ item, index })}>
                  {item.label}
                </li>
              ))
            : null}
        </ul>
      </div>
      {loadFailed ? (
        <p className="field-error" role="alert">
          Non è stato possibile caricare l'elenco dei Comuni: ricarica la pagina.
        </p>
      ) : null}
      <Hint id={name} hint={hint} error={error} />
    </div>
  );
}
