import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { HoneypotProvider } from "remix-utils/honeypot/react";
import bootstrapItaliaHref from "bootstrap-italia/dist/css/bootstrap-italia.min.css";
import { SiteFooter, SiteHeader } from "./components/site-chrome";
import appStylesHref from "./styles/app.css";
import { commitCsrfToken } from "./utils/csrf.server";
import { getHoneypotInputProps } from "./utils/honeypot.server";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "stylesheet", href: bootstrapItaliaHref },
  { rel: "stylesheet", href: appStylesHref },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const [csrfToken, csrfCookie] = await commitCsrfToken(request);
  return json(
    { csrfToken, honeypotInputProps: getHoneypotInputProps() },
    { headers: csrfCookie ? { "Set-Cookie": csrfCookie } : {} },
  );
}

function Document({ children, title }: { children: ReactNode; title?: string }) {
  const nonce = useNonce();
  return (
    <html lang="it">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {title ? <title>{title}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#contenuto">
          Vai al contenuto principale
        </a>
        <SiteHeader />
        <main id="contenuto" tabIndex={-1}>
          {children}
        </main>
        <SiteFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  return (
    <AuthenticityTokenProvider token={data.csrfToken}>
      <HoneypotProvider {...data.honeypotInputProps}>
        <Document>
          <Outlet />
        </Document>
      </HoneypotProvider>
    </AuthenticityTokenProvider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const title = notFound ? "Pagina non trovata" : "Si è verificato un errore";
  return (
    <Document title={`${title} - Coordinamento SAI`}>
      <div className="container my-5">
        <h1>{title}</h1>
        <p className="lead">
          {notFound
            ? "L'indirizzo che hai seguito non corrisponde a nessuna pagina del portale."
            : "Non è stato possibile completare la richiesta. Riprova tra qualche minuto; se il problema continua scrivi al Coordinamento."}
        </p>
        <p>
          <a href="/">Torna alla pagina iniziale</a>
        </p>
      </div>
    </Document>
  );
}
