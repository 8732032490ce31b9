import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { SITE_LINKS, SiteFrame } from "~/components/site-chrome";
import { PRIVATE_CACHE_CONTROL } from "./private-pages.server";
import { MAIN_CONTENT_ID } from "./skip-link";

/**
 * A whole page of the portal answered by a resource route (a download that cannot be served): Remix
 * sends whatever such a route throws as it is, drawing no error boundary, so the page is drawn here
 * with the same frame, style sheets and title as every other one. It carries no script: nothing on
 * it needs one. It may depend on who is signed in, so no cache keeps it.
 */
export function standalonePage({ status, title, children }: { status: number; title: string; children: ReactNode }) {
  const html = renderToStaticMarkup(
    <html lang="it">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} - Coordinamento SAI`}</title>
        {SITE_LINKS.map((link) => (
          <link key={link.href} {...link} />
        ))}
      </head>
      <body>
        <SiteFrame skipTo={MAIN_CONTENT_ID}>{children}</SiteFrame>
      </body>
    </html>,
  );
  return new Response(`<!DOCTYPE html>${html}`, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": PRIVATE_CACHE_CONTROL },
  });
}
