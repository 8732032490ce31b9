import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ErrorPage } from "~/components/error-page";
import { SITE_LINKS, SiteFrame } from "~/components/site-chrome";
import { PRIVATE_CACHE_CONTROL } from "./private-pages.server";
import { MAIN_CONTENT_ID } from "./skip-link";
import { areaPageTitle, type PortalArea } from "~/utils/page-title";

/**
 * A whole page of the portal answered by a resource route (a download that cannot be served): Remix
 * sends whatever such a route throws as it is, drawing no error boundary, so the page is drawn here
 * with the same frame, style sheets and title as every other one. It carries no script: nothing on
 * it needs one. It may depend on who is signed in, so no cache keeps it.
 */
export function standalonePage({ status, title, area, children }: { status: number; title: string; area?: PortalArea; children: ReactNode }) {
  return new Response(standalonePageHtml({ title, area, children }), {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": PRIVATE_CACHE_CONTROL },
  });
}

/** The document of a standalone page, doctype included. */
export function standalonePageHtml({ title, area, children }: { title: string; area?: PortalArea; children: ReactNode }) {
  const html = renderToStaticMarkup(
    <html lang="it">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{areaPageTitle(area, title)}</title>
        {SITE_LINKS.map((link) => (
          <link key={link.href} {...link} />
        ))}
      </head>
      <body>
        <SiteFrame skipTo={MAIN_CONTENT_ID}>{children}</SiteFrame>
      </body>
    </html>,
  );
  return `<!DOCTYPE html>${html}`;
}

const REFUSALS: Record<400 | 403 | 405 | 500, [title: string, message: string]> = {
  400: ["Richiesta non valida", "La richiesta non è stata accettata. Controlla l'indirizzo e riprova."],
  403: ["Accesso non consentito", "La richiesta non è stata accettata: ricarica la pagina del portale e riprova."],
  405: ["Operazione non consentita", "Questo indirizzo non accetta questo tipo di richiesta."],
  500: ["Si è verificato un errore", "Non è stato possibile completare la richiesta. Riprova tra qualche minuto."],
};

type WayBack = { href: string; label: string };

/** What an error page says: what happened, and where to go from there. */
function errorPageBody({ title, message, back }: { title: string; message: string; back: WayBack }) {
  return (
    <ErrorPage title={title} message={message}>
      <p>
        <a href={back.href}>{back.label}</a>
      </p>
    </ErrorPage>
  );
}

/**
 * The page of a request that server.js refuses before Remix (a method the portal does not use, a
 * POST from another site, a path that does not decode): the portal's own error page, without details.
 */
export function refusalPageHtml(status: number) {
  const [title, message] = status in REFUSALS ? REFUSALS[status as keyof typeof REFUSALS] : status < 500 ? REFUSALS[400] : REFUSALS[500];
  return standalonePageHtml({ title, children: errorPageBody({ title, message, back: { href: "/", label: "Torna alla pagina iniziale" } }) });
}

/** `area`: the area whose download it is, named in the title as its pages are. */
type UnservedDownload = { title: string; message: string; back: WayBack; area?: PortalArea };

/** A download that cannot be served (an unknown Tavolo, a removed attachment): a 404 page of the portal, with the way back. */
export function notFoundPage(page: UnservedDownload) {
  return standalonePage({ status: 404, title: page.title, area: page.area, children: errorPageBody(page) });
}

/** A download whose content was deleted for good (the data of an erased person): a 410 page of the portal, with the way back. */
export function gonePage(page: UnservedDownload) {
  return standalonePage({ status: 410, title: page.title, area: page.area, children: errorPageBody(page) });
}
