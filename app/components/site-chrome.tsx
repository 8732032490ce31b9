import { NavLink } from "@remix-run/react";

const NAV = [
  { to: "/", label: "Il Coordinamento", end: true },
  { to: "/tavoli-tecnici", label: "Tavoli tecnici" },
  { to: "/adesione", label: "Aderisci" },
  { to: "/area-referente", label: "Area referente" },
];

export function SiteHeader() {
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
                    <NavLink to={item.to} end={item.end} className="nav-link">
                      <span>{item.label}</span>
                    </NavLink>
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

export function SiteFooter() {
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
