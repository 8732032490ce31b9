import { NavLink } from "@remix-run/react";

export type SectionLink = { to: string; label: string; end?: boolean };

/** An area's tabs (coordinators, referente); `end` keeps the area's home tab from matching every page below it. */
export function SectionNav({ label, links }: { label: string; links: readonly SectionLink[] }) {
  return (
    <nav aria-label={label} className="section-nav">
      <ul className="nav nav-tabs">
        {links.map((l) => (
          <li className="nav-item" key={l.to}>
            <NavLink to={l.to} end={l.end} className="nav-link">
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
