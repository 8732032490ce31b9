import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

/** "Percorso": links to the pages above, then the current page (Bootstrap Italia breadcrumb). */
export function Breadcrumb({ parents, current }: { parents: { to: string; label: ReactNode }[]; current: ReactNode }) {
  return (
    <nav aria-label="Percorso" className="breadcrumb-container">
      <ol className="breadcrumb p-0">
        {parents.map((p) => (
          <li className="breadcrumb-item" key={p.to}>
            <Link to={p.to}>{p.label}</Link>
            <span className="separator" aria-hidden="true">
              /
            </span>
          </li>
        ))}
        <li className="breadcrumb-item active" aria-current="page">
          {current}
        </li>
      </ol>
    </nav>
  );
}

/** The pages above a membership request's own pages: the list, then the request. */
export const membershipRequestParents = (requestId: number) => [
  { to: "/admin/adesioni", label: "Adesioni" },
  { to: `/admin/adesioni/${requestId}`, label: `Richiesta n. ${requestId}` },
];
