import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listCommunications } from "~/models/communication.server";
import { requireCoordinator } from "~/utils/auth.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { deliveredText, failedText, waitingText } from "~/utils/delivery-summary";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Comunicazioni") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const deleted = new URL(request.url).searchParams.get("eliminata") === "1";
  return json({
    deleted,
    communications: listCommunications(getDb()).map((c) => ({
      id: c.id,
      subject: c.subject,
      status: c.status,
      when: formatDateTimeIt(c.sentAt ?? c.updatedAt ?? c.createdAt),
      authorName: c.authorName,
      recipientCount: c.recipientCount,
      attachmentName: c.attachmentName,
      delivered: c.delivery.sent,
      waiting: c.delivery.queued + c.delivery.sending,
      failed: c.delivery.failed,
    })),
  });
}

const n = (value: number) => formatCount(value);

export default function CommunicationsPage() {
  const { communications, deleted } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h1 className="mb-0">Comunicazioni</h1>
        <Link to="/admin/comunicazioni/nuova" className="btn btn-primary">
          Nuova comunicazione
        </Link>
      </div>
      <p className="lead">
        Messaggi ai referenti degli enti aderenti: a tutti, per provincia o per tipologia di progetto, con un allegato se serve.
        Ogni email riporta il link per non riceverne più.
      </p>
      {deleted ? (
        <div className="alert alert-success" role="status">
          Bozza eliminata.
        </div>
      ) : null}
      {communications.length === 0 ? (
        <p className="alert alert-info" role="status">
          Non è stata ancora scritta nessuna comunicazione.
        </p>
      ) : (
        <TableScroll>
          <table className="table align-middle">
            <TableCaption>Comunicazioni, dalla più recente</TableCaption>
            <thead>
              <tr>
                <th scope="col">Oggetto</th>
                <th scope="col">Stato</th>
                <th scope="col">Data</th>
                <th scope="col">Da</th>
                <th scope="col">Destinatari</th>
                <th scope="col">Consegna</th>
              </tr>
            </thead>
            <tbody>
              {communications.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`/admin/comunicazioni/${c.id}`}>{c.subject}</Link>
                    {c.attachmentName ? <div className="small text-muted">Allegato: {c.attachmentName}</div> : null}
                  </th>
                  <td>{c.status === "draft" ? <span className="badge bg-secondary">Bozza</span> : <span className="badge bg-success">Inviata</span>}</td>
                  <td>{c.when}</td>
                  <td>{c.authorName}</td>
                  <td>{c.recipientCount === null ? "—" : n(c.recipientCount)}</td>
                  <td>
                    {c.status === "draft" ? (
                      "—"
                    ) : (
                      <>
                        {deliveredText(c.delivered)}
                        {c.waiting > 0 ? `, ${waitingText(c.waiting)}` : ""}
                        {c.failed > 0 ? <span className="text-danger fw-semibold">, {failedText(c.failed)}</span> : null}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
