import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { eraseReferent, listPendingErasures } from "~/models/privacy.server";
import { requireAdmin } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { erasureExecutionSchema } from "~/validation/privacy";
import { getEnv } from "~/utils/env.server";
import { deleteLocalEmlFiles } from "~/utils/mailer.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { FormRefusal } from "~/components/form-fields";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Cancellazioni") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return json({ pending: listPendingErasures(getDb()) });
}

type ActionData =
  | { ok: true; message: string }
  | { ok: false; referentId: number | null; errors: Record<string, string>; formError: string };

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const admin = await requireAdmin(request);
  const fields = Object.fromEntries(formData);
  const parsed = erasureExecutionSchema.safeParse(fields);
  if (!parsed.success) {
    const errors = issuesToFieldErrors(parsed.error.issues);
    const referentId = Number(fields.referentId);
    return json<ActionData>(
      { ok: false, referentId: Number.isInteger(referentId) ? referentId : null, errors, formError: Object.values(errors)[0] },
      { status: 400 },
    );
  }
  const env = getEnv();
  const result = eraseReferent(getDb(), { referentId: parsed.data.referentId, coordinatorId: admin.id, appUrl: env.appUrl });
  if (!result.ok) {
    return json<ActionData>({ ok: false, referentId: parsed.data.referentId, errors: {}, formError: result.error }, { status: 409 });
  }
  // The notice to the person that the erasure was carried out goes at once.
  wakeOutboxWorker();
  // Without SMTP_URL each email sent is also a file on the server: the person's go with their data.
  if (!env.SMTP_URL) await deleteLocalEmlFiles(env.mailDir, result.scrubbedMessageIds);
  return json<ActionData>({
    ok: true,
    message: `Cancellazione eseguita: i dati personali del referente n. ${parsed.data.referentId} sono stati resi anonimi${
      result.endedTerms > 0 ? " e il suo incarico di referente è terminato" : ""
    }.`,
  });
}

export default function ErasuresPage() {
  const { pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);

  return (
    <>
      <h1>Richieste di cancellazione</h1>
      <p>
        Le richieste di cancellazione dei dati personali (art. 17 GDPR) inviate dai referenti dall'area referente. Vanno
        eseguite senza ingiustificato ritardo e comunque entro un mese dalla richiesta.
      </p>
      <div className="callout callout-highlight mb-4" style={{ maxWidth: "50rem" }}>
        <p className="mb-1">
          <strong>Che cosa fa la cancellazione</strong> (non si può annullare):
        </p>
        <ul className="mb-0">
          <li>
            nome, cognome, ruolo, ufficio, email e telefoni del referente sono sostituiti da dati anonimi in tutto il
            portale: schede, inviti, posta in uscita e registro attività; le sue sessioni sono chiuse;
          </li>
          <li>
            se è il referente in carica, il suo incarico termina oggi: l'ente resta aderente, senza referente, finché non
            viene approvata una nuova scheda;
          </li>
          <li>le sue richieste non ancora decise sono ritirate;</li>
          <li>
            il referente riceve un'email che conferma la cancellazione, all'indirizzo da cui l'ha chiesta; dopo l'invio anche
            quell'indirizzo è cancellato dalla posta in uscita;
          </li>
          <li>l'ente, i progetti SAI, le risposte agli inviti e i dati aggregati restano invariati.</li>
        </ul>
      </div>

      {actionData?.ok ? (
        <div className="alert alert-success" role="status">
          {actionData.message}
        </div>
      ) : null}
      <FormRefusal message={actionData && !actionData.ok ? actionData.formError : null} />

      {pending.length === 0 ? (
        <p>Non ci sono richieste di cancellazione in attesa.</p>
      ) : (
        <TableScroll>
          <table className="table align-middle">
            <TableCaption className="visually-hidden">Richieste di cancellazione in attesa</TableCaption>
            <thead>
              <tr>
                <th scope="col">Richiesta del</th>
                <th scope="col">Referente</th>
                <th scope="col">Email</th>
                <th scope="col">Ente</th>
                <th scope="col">Incarico</th>
                <th scope="col">Azione</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((p) => {
                const error = actionData && !actionData.ok && actionData.referentId === p.referentId ? actionData.errors.confirm : undefined;
                const checkboxId = `confirm-${p.referentId}`;
                return (
                  <tr key={p.referentId}>
                    <td>{formatDateTimeIt(new Date(p.requestedAt))}</td>
                    <th scope="row">{p.name}</th>
                    <td className="text-break">{p.email}</td>
                    <td>{p.bodyName}</td>
                    <td>{p.isActiveReferent ? "Referente in carica" : "Non in carica"}</td>
                    <td>
                      <Form method="post" className="d-flex flex-column gap-2">
                        <AuthenticityTokenInput name="csrf" />
                        <input type="hidden" name="referentId" value={p.referentId} />
                        <div className="form-check">
                          <input
                            type="checkbox"
                            id={checkboxId}
                            name="confirm"
                            aria-invalid={error ? true : undefined}
                            aria-describedby={error ? `${checkboxId}-error` : undefined}
                          />
                          <label htmlFor={checkboxId} style={{ fontWeight: 400 }}>
                            Confermo la cancellazione definitiva dei dati di {p.name}
                          </label>
                          {error ? (
                            <span id={`${checkboxId}-error`} className="field-error d-block">
                              <span className="visually-hidden">Errore: </span>
                              {error}
                            </span>
                          ) : null}
                        </div>
                        <button type="submit" className="btn btn-danger btn-sm" disabled={busy}>
                          Esegui la cancellazione<span className="visually-hidden"> dei dati di {p.name}</span>
                        </button>
                      </Form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
