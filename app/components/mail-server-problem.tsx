import type { MailServerProblem } from "~/utils/mailer.server";

/**
 * The notice of /admin and /admin/posta while no email can leave: the mail server refuses the portal's
 * configuration (SMTP_URL) or cannot be reached. It is no fault of the messages nor of their recipients.
 */
export function MailServerProblemNotice({ problem }: { problem: MailServerProblem | null }) {
  if (!problem) return null;
  if (problem === "unreachable") {
    return (
      <div className="alert alert-warning my-4" data-mail-server-problem>
        <h2 className="h5">Le email non partono: il server di posta non è raggiungibile</h2>
        <p className="mb-0">
          Il portale non riesce a collegarsi al server di posta indicato nell'impostazione SMTP_URL. Le email restano in
          coda e partiranno da sole quando il server tornerà raggiungibile. Se il problema dura, chi gestisce il server del
          portale controlli l'indirizzo in SMTP_URL e la rete.
        </p>
      </div>
    );
  }
  return (
    <div className="alert alert-danger my-4" data-mail-server-problem>
      <h2 className="h5">Le email non partono: il server di posta rifiuta il portale</h2>
      <p className="mb-0">
        {problem === "credentials"
          ? "Il server di posta rifiuta le credenziali del portale (utente e password indicati nell'impostazione SMTP_URL)."
          : "Il server di posta non accetta la connessione protetta (TLS) del portale impostata in SMTP_URL."}{" "}
        Le email restano in coda e partiranno da sole: chi gestisce il server del portale deve correggere SMTP_URL e
        riavviare il portale.
      </p>
    </div>
  );
}
