import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

type PaginationProps = {
  page: number;
  pageCount: number;
  href: (page: number) => string;
  /** Names the navigation landmark, so two paginated lists are told apart. */
  label: string;
};

/** Previous, "Pagina n di m", next. */
export function Pagination({ page, pageCount, href, label }: PaginationProps) {
  return (
    <nav className="pagination-wrapper" aria-label={label}>
      <ul className="pagination">
        <PageStep to={page > 1 ? href(page - 1) : null} rel="prev">
          Pagina precedente
        </PageStep>
        <CurrentPage page={page} pageCount={pageCount} />
        <PageStep to={page < pageCount ? href(page + 1) : null} rel="next">
          Pagina successiva
        </PageStep>
      </ul>
    </nav>
  );
}

/** A previous or next step; at the first or last page it stays in place, disabled, so the other controls do not move. */
export function PageStep({ to, rel, children }: { to: string | null; rel?: "prev" | "next"; children: ReactNode }) {
  return (
    <li className={`page-item ${to ? "" : "disabled"}`}>
      {to ? (
        <Link className="page-link" to={to} rel={rel}>
          {children}
        </Link>
      ) : (
        <span className="page-link" aria-disabled="true">
          {children}
        </span>
      )}
    </li>
  );
}

export function CurrentPage({ page, pageCount, className = "page-item" }: { page: number; pageCount: number; className?: string }) {
  return (
    <li className={className}>
      <span className="page-link" aria-current="page">
        Pagina {page} di {pageCount}
      </span>
    </li>
  );
}
