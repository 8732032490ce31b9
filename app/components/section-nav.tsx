import { Link, useLocation } from "@remix-run/react";

/** `also`: pages outside the tab's path that belong to it (the referente's data, under "Il mio ente"). */
export type SectionLink = { to: string; label: string; end?: boolean; also?: readonly string[] };

const within = (pathname: string, path: string) => pathname === path || pathname.startsWith(`${path}/`);

const isCurrent = (link: SectionLink, pathname: string) =>
  pathname === link.to || (!link.end && within(pathname, link.to)) || (link.also ?? []).some((path) => within(pathname, path));

/**
 * An area's tabs (coordinators, referente); `end` keeps the area's home tab from matching every page
 * below it. On a phone the tabs of the coordinators' area took four rows above the page, so below the
 * tablet breakpoint they fold into a disclosure naming the current section (a native <details>:
 * it works without JavaScript); only one of the two is displayed, so only one is announced.
 */
export function SectionNav({ label, links }: { label: string; links: readonly SectionLink[] }) {
  const { pathname } = useLocation();
  const current = links.find((l) => isCurrent(l, pathname));
  // Plain links marked from the one location read here: a NavLink per tab, drawn twice, cost every
  // page of the area 3-4% of its time (issue 7).
  const items = links.map((l) => (
    <li className="nav-item" key={l.to}>
      <Link to={l.to} className={l === current ? "nav-link active" : "nav-link"} aria-current={l === current ? "page" : undefined}>
        {l.label}
      </Link>
    </li>
  ));
  return (
    <>
      <nav aria-label={label} className="section-nav section-nav-tabs">
        <ul className="nav nav-tabs">{items}</ul>
      </nav>
      {/* Keyed by the address so that a navigation inside the app closes it, as a page load would. */}
      <details className="section-nav section-nav-menu" key={pathname}>
        <summary>
          {label}
          {current ? <span className="section-nav-current">: {current.label}</span> : null}
        </summary>
        <nav aria-label={label}>
          <ul className="nav flex-column">{items}</ul>
        </nav>
      </details>
    </>
  );
}
