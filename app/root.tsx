import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { json } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { HoneypotProvider } from "remix-utils/honeypot/react";
import { ErrorPage } from "./components/error-page";
import { useFocusAfterNavigation } from "./components/focus-after-navigation";
import { SITE_LINKS, SiteFrame } from "./components/site-chrome";
import { BODY_TOO_LARGE_MESSAGE } from "./utils/body-limits";
import { commitCsrfToken } from "./utils/csrf.server";
import { getHoneypotInputProps } from "./utils/honeypot.server";
import { useNonce } from "./utils/nonce";
import { MAIN_CONTENT_ID, skipLinkTarget } from "./utils/skip-link";
import { areaOfPath, areaPageTitle } from "~/utils/page-title";

export const links: LinksFunction = () => SITE_LINKS;

export const meta: MetaFunction = ({ error, location }) => {
  if (!error) return [{ title: "Coordinamento SAI - ANCI Sicilia" }];
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return [{ title: areaPageTitle(areaOfPath(location.pathname), describeError(status).title) }];
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  // A page for the public page cache is shared by every visitor: no token, no cookie (see below).
  if (context.publicPageCache) return json({ csrfToken: "", honeypotInputProps: null });
  const [csrfToken, csrfCookie] = await commitCsrfToken(request);
  return json(
    { csrfToken, honeypotInputProps: getHoneypotInputProps() },
    { headers: csrfCookie ? { "Set-Cookie": csrfCookie } : {} },
  );
}

// Whether the page in the browser has its form tokens: a page served from the public page cache
// has none, so the root loader runs again at the next navigation, before any form can be shown.
let hasFormTokens = true;

export const shouldRevalidate: ShouldRevalidateFunction = ({ defaultShouldRevalidate }) =>
  defaultShouldRevalidate || !hasFormTokens;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  useFocusAfterNavigation();
  // When the root's error page replaces everything, no area frame is drawn to skip past.
  const rootError = useRouteError();
  const matches = useMatches();
  const skipTo = rootError ? MAIN_CONTENT_ID : skipLinkTarget(matches);
  if (typeof document !== "undefined") hasFormTokens = Boolean(data?.csrfToken);
  return (
    <html lang="it">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <SiteFrame skipTo={skipTo}>
          <AuthenticityTokenProvider token={data?.csrfToken ?? ""}>
            <HoneypotProvider {...(data?.honeypotInputProps ?? {})}>{children}</HoneypotProvider>
          </AuthenticityTokenProvider>
        </SiteFrame>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { pathname } = useLocation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const { title, message } = describeError(status);
  const back = BACK_LINKS.find((b) => b.path.test(pathname)) ?? BACK_LINKS[BACK_LINKS.length - 1];
  return (
    <ErrorPage title={title} message={ownMessage(error, title) ?? message}>
      <p>
        <a href={back.href}>{back.label}</a>
      </p>
    </ErrorPage>
  );
}

/** Back to the area the person was in: a coordinator refused a page stays among the coordinators' pages. */
const BACK_LINKS = [
  // Inside a section (a Tavolo, a request, a message…), back to its list rather than to the area's start.
  { path: /^\/admin\/tavoli\//, href: "/admin/tavoli", label: "Torna ai Tavoli tecnici" },
  { path: /^\/admin\/adesioni\//, href: "/admin/adesioni", label: "Torna alle adesioni" },
  { path: /^\/admin\/comunicazioni\//, href: "/admin/comunicazioni", label: "Torna alle comunicazioni" },
  { path: /^\/admin\/posta\//, href: "/admin/posta", label: "Torna alla posta in uscita" },
  { path: /^\/admin\/importa\//, href: "/admin/importa", label: "Torna all'importazione" },
  { path: /^\/admin(\/|$)/, href: "/admin", label: "Torna all'area coordinatori" },
  { path: /^\/area-referente(\/|$)/, href: "/area-referente", label: "Torna all'area referente" },
  { path: /^/, href: "/", label: "Torna alla pagina iniziale" },
];

/**
 * The reason a route gave when it refused ("Il progetto non si può chiudere."): the
 * portal's routes throw their own Italian text, which says more than the status. Remix's own
 * answers (an unknown address, a method without an action) start with "Error:" and are not shown.
 */
function ownMessage(error: unknown, title: string) {
  if (!isRouteErrorResponse(error) || typeof error.data !== "string") return null;
  const text = error.data.trim();
  const sameAsTitle = text.replace(/[.\s]+$/, "").toLowerCase() === title.toLowerCase();
  return text && text.length <= 300 && !text.startsWith("Error") && !sameAsTitle ? text : null;
}

function describeError(status: number) {
  switch (status) {
    case 404:
      return { title: "Pagina non trovata", message: "L'indirizzo che hai seguito non corrisponde a nessuna pagina del portale." };
    case 403:
      return { title: "Accesso non consentito", message: "Non hai i permessi per questa pagina." };
    case 405:
      return { title: "Operazione non consentita", message: "Questo indirizzo non accetta questo tipo di richiesta." };
    case 413:
      return { title: "Dati troppo grandi", message: BODY_TOO_LARGE_MESSAGE };
    case 429:
      return { title: "Troppe richieste", message: "Hai fatto troppe richieste in poco tempo. Attendi qualche minuto e riprova." };
    case 400:
      return { title: "Richiesta non valida", message: "La richiesta non è stata accettata. Ricarica la pagina e riprova." };
    default:
      return {
        title: "Si è verificato un errore",
        message: "Non è stato possibile completare la richiesta. Riprova tra qualche minuto; se il problema continua scrivi al Coordinamento.",
      };
  }
}
