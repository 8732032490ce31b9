import { createContext, useContext, useId, type ComponentPropsWithoutRef, type ReactNode } from "react";

/** The id TableCaption gives its caption, for the scroll box around it to be named after it. */
const CaptionId = createContext<string | undefined>(undefined);

type TableScrollProps = {
  children: ReactNode;
  /** Classes added to Bootstrap's `table-responsive` (spacing, e.g. "mt-3"). */
  className?: string;
  /** The box's accessible name when the table has no TableCaption to name it. */
  label?: string;
};

/**
 * The box a wide table scrolls sideways in on a phone (Bootstrap's `.table-responsive`). A table that
 * holds nothing focusable could not be scrolled with the keyboard (axe: scrollable-region-focusable,
 * WCAG 2.1.1), so the box is a tab stop, announced as a region named after the table's caption: write
 * the caption as <TableCaption> (or give `label`). The box is a tab stop also where nothing overflows:
 * the server cannot know the screen's width, and a named region is the usual pattern (GOV.UK, Bootstrap
 * Italia).
 */
export function TableScroll({ children, className, label }: TableScrollProps) {
  const captionId = useId();
  const name = label ? { "aria-label": label } : { "aria-labelledby": captionId };
  return (
    <div className={className ? `table-responsive ${className}` : "table-responsive"} tabIndex={0} role="region" {...name}>
      <CaptionId.Provider value={label ? undefined : captionId}>{children}</CaptionId.Provider>
    </div>
  );
}

/** A table's <caption>, which names the TableScroll box around it. */
export function TableCaption(props: ComponentPropsWithoutRef<"caption">) {
  const id = useContext(CaptionId);
  return <caption {...props} id={id} />;
}

/**
 * A cell of a `.table-stack` table, whose rows become stacked blocks on a phone so that nothing, a
 * row's action least of all, is off-screen at the end of a row scrolled sideways. There the column
 * headers are hidden from view and each cell shows its column's label above it, for the eyes only:
 * screen readers announce the column header, as in any table. Such a table writes the roles of its
 * elements (table, rowgroup, row, columnheader, rowheader, cell): some browsers drop a table's
 * semantics when its elements are displayed as blocks.
 */
export function StackedCell({ label, children }: { label: string; children: ReactNode }) {
  return (
    <td role="cell">
      <span className="table-stack-label" aria-hidden="true">
        {label}
      </span>
      {children}
    </td>
  );
}
