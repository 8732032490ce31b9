import { NavLink, useInRouterContext } from "@remix-run/react";
import type { ReactNode } from "react";
import bootstrapItaliaHref from "bootstrap-italia/dist/css/bootstrap-italia.min.css";
import appStylesHref from "../styles/app.css";
import { MAIN_CONTENT_ID } from "../utils/skip-link";

/** The icon and the style sheets of every page. */
export const SITE_LINKS = [
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "stylesheet", href: bootstrapItaliaHref },
  { rel: "stylesheet", href: appStylesHref },
];

/**
 * The frame around every page's content: skip link, header, main landmark, footer. Drawn by the
 * root's layout and by standalonePage (a page answered by a resource route, outside Remix's rendering).
 */
export function SiteFrame({ skipTo, children }: { skipTo: string; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href={`#${skipTo}`}>
        Vai al contenuto principale
      </a>
      <SiteHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1}>
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

const NAV = [
  { to: "/", label: "Il Coordinamento", end: true },
  { to: "/tavoli-tecnici", label: "Tavoli tecnici" },
  { to: "/adesione", label: "Aderisci" },
  { to: "/area-referente", label: "Area referente" },
];

function SiteHeader() {
  // A page drawn outside Remix's rendering has no router, and nothing to navigate to in the browser.
  const inRouter = useInRouterContext();
  return (
    <header className="it-header-wrapper">
      <div className="it-header-slim-wrapper">
        <div className="container">
          <div className="it-header-slim-wrapper-content">
            <a className="d-lg-block navbar-brand" href="https://www.anci.sicilia.it/">
              ANCI Sicilia
            </a>
            <div className="it-header-slim-right-zone">
              <a className="btn btn-primary btn-sm" href="/admin">
                Area coordinatori
              </a>
            </div>
          </div>
        </div>
      </div>
      <div className="it-header-center-wrapper">
        <div className="container">
          <div className="it-header-center-content-wrapper">
            <div className="it-brand-wrapper">
              <a href="/">
                <div className="it-brand-text">
                  <div className="it-brand-title">Coordinamento SAI</div>
                  <div className="it-brand-tagline d-none d-md-block">
                    Comuni siciliani aderenti alla Rete SAI - ANCI Sicilia
                  </div>
                </div>
              </a>
            </div>
          </div>
        </div>
      </div>
      <div className="it-header-navbar-wrapper">
        <div className="container">
          <nav className="navbar navbar-expand-lg has-megamenu" aria-label="Menu principale">
            <div className="navbar-collapsable d-block position-static" style={{ display: "block" }}>
              <ul className="navbar-nav flex-row flex-wrap">
                {NAV.map((item) => (
                  <li className="nav-item" key={item.to}>
                    {inRouter ? (
                      <NavLink to={item.to} end={item.end} className="nav-link">
                        <span>{item.label}</span>
                      </NavLink>
                    ) : (
                      <a href={item.to} className="nav-link">
                        <span>{item.label}</span>
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          </nav>
        </div>
      </div>
    </header>
  );
}

function SiteFooter() {
  return (
    <footer className="it-footer">
      <div className="it-footer-main">
        <div className="container py-4">
          <div className="row">
            <div className="col-lg-8">
              <p className="h5 text-white">Coordinamento dei Comuni siciliani aderenti alla Rete SAI</p>
              <p className="text-white">
                ANCI Sicilia, nell'ambito del progetto COOPERA (FAMI 2014-2020, PROG 3031), con il Comune di Palermo
                capofila e i partner di progetto.
              </p>
            </div>
            <div className="col-lg-4">
              <ul className="list-unstyled">
                <li>
                  <a className="text-white" href="/privacy">
                    Informativa privacy
                  </a>
                </li>
                <li>
                  <a className="text-white" href="/accessibilita">
                    Dichiarazione di accessibilità
                  </a>
                </li>
              </ul>
            </div>
          </div>
        </div>
      </div>
    </footer>
  );
}
