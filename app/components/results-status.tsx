import type { ReactNode } from "react";

/**
 * How many results a list shows, said again by screen readers when a filter, a sort or a page changes
 * it (WCAG 4.1.3, status messages): a live region present from the first render whose text changes.
 * A region inserted with its text, like a caption redrawn, is not reliably read out. Hidden from view
 * where the page already shows the count (a table's caption).
 */
export function ResultsStatus({ children, visible = false }: { children: ReactNode; visible?: boolean }) {
  return (
    <p role="status" className={visible ? undefined : "visually-hidden"}>
      {children}
    </p>
  );
}
