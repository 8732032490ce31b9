import { Link, isRouteErrorResponse, useParams, useRouteError } from "@remix-run/react";

// What the coordinators' project pages (/admin/adesioni/:id/progetti/...) show when they fail: a
// request or project that does not exist (or a project of another ente), a refused form, an error.

export const PROJECT_NOT_FOUND_MESSAGE =
  "Il progetto che cerchi non esiste o non appartiene all'ente di questa richiesta: torna alla richiesta di adesione.";
export const REQUEST_NOT_FOUND_MESSAGE = "La richiesta di adesione che cerchi non esiste: controlla il numero o torna all'elenco delle adesioni.";

export function AdminProjectErrorBoundary() {
  const error = useRouteError();
  const { id } = useParams();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  // A 404 says what was not found (the route's message), the request or the project.
  const data: unknown = isRouteErrorResponse(error) ? error.data : null;
  const notFound = data && typeof data === "object" && typeof (data as { message?: unknown }).message === "string" ? (data as { message: string }).message : PROJECT_NOT_FOUND_MESSAGE;
  const [title, message] =
    status === 404
      ? [notFound === REQUEST_NOT_FOUND_MESSAGE ? "Richiesta non trovata" : "Progetto non trovato", notFound]
      : status === 403
        ? ["Richiesta non valida", "L'operazione non è stata accettata: ricarica la pagina e riprova."]
        : ["Si è verificato un errore", "Non è stato possibile completare l'operazione. Riprova tra qualche minuto; se il problema continua avvisa l'amministratore."];
  const back = id && /^\d{1,15}$/.test(id) ? `/admin/adesioni/${id}` : "/admin/adesioni";
  return (
    <div>
      <h1>{title}</h1>
      <p className="lead">{message}</p>
      <p>
        <Link to={back}>{back === "/admin/adesioni" ? "Torna all'elenco delle adesioni" : "Torna alla richiesta di adesione"}</Link>
      </p>
    </div>
  );
}
