import { useCombobox } from "downshift";
import { useMemo, useState } from "react";
import { useHydrated } from "remix-utils/use-hydrated";
import { searchKey } from "~/utils/text";
import { describedBy } from "./form-fields";

export type ProvinceOption = { sigla: string; name: string; comuni: { istatCode: string; name: string }[] };
type Item = { istatCode: string; label: string; key: string };

type Props = {
  name: string;
  label: string;
  hint: string;
  error?: string;
  provinces: ProvinceOption[];
  value: string;
  onChange: (istatCode: string) => void;
  onBlur: () => void;
};

const MAX_SUGGESTIONS = 50;

/**
 * Without JavaScript a plain <select> grouped by province; once hydrated an ARIA combobox
 * (downshift) that filters the comuni as you type, ignoring case, accents and apostrophes.
 */
export function ComunePicker(props: Props) {
  const hydrated = useHydrated();
  const { name, label, hint, error, provinces, value } = props;
  const id = name;
  const aria = { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy(name, { hint, error }) };

  if (!hydrated) {
    return (
      <div className="form-field mb-4">
        <label htmlFor={id}>{label}</label>
        <select id={id} name={name} defaultValue={value} className={`form-select ${error ? "is-invalid" : ""}`} {...aria}>
          <option value="">Scegli il Comune…</option>
          {provinces.map((p) => (
            <optgroup key={p.sigla} label={p.name}>
              {p.comuni.map((c) => (
                <option key={c.istatCode} value={c.istatCode}>
                  {c.name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
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

function ComuneCombobox({ name, label, hint, error, provinces, value, onChange, onBlur }: Props) {
  const allItems = useMemo<Item[]>(
    () =>
      provinces.flatMap((p) =>
        p.comuni.map((c) => ({ istatCode: c.istatCode, label: `${c.name} (${p.sigla})`, key: searchKey(c.name) })),
      ),
    [provinces],
  );
  const selected = allItems.find((i) => i.istatCode === value) ?? null;
  const [query, setQuery] = useState(selected?.label ?? "");
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
      <Hint id={name} hint={hint} error={error} />
    </div>
  );
}
