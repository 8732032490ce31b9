/**
 * The notice of /admin and /admin/posta while the mail server refuses the portal's configuration
 * (SMTP_URL): no email can leave, and it is no fault of the messages nor of their recipients.
 */
export function MailServerProblemNotice({ problem }: { problem: "credentials" | "tls" | null }) {
  if (!problem) return null;
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
