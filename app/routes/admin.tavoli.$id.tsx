import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FormRefusal } from "~/components/form-fields";
import { Breadcrumb } from "~/components/breadcrumb";
import { ConfirmForm } from "~/components/confirm-form";
import { RoundTableForm } from "~/components/round-table-form";
import { documentFileInfo, listMaterials } from "~/models/material.server";
import {
  cancelRoundTable,
  getRoundTable,
  parseRoundTableId,
  publishRoundTable,
  roundTableFormValues,
  roundTableInvitees,
  updateRoundTable,
} from "~/models/round-table.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableWhen } from "~/utils/round-table-format";
import { CANCELLED_MATERIALS_NOT_EDITABLE, MATERIAL_KIND_LABELS, MATERIAL_VISIBILITY_LABELS } from "~/validation/material";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import {
  cancelRoundTableSchema,
  ROUND_TABLE_STATUS_BADGES,
  ROUND_TABLE_STATUS_LABELS,
  roundTableFormValuesOf,
  roundTableSchema,
  type RoundTableFormValues,
} from "~/validation/round-table";
import { coordinatorPageTitle } from "~/utils/page-title";
import { formatCount } from "~/utils/numbers";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? coordinatorPageTitle(`${data.heading}: ${data.roundTable.title}`) : coordinatorPageTitle("Tavolo tecnico non trovato") },
];

const notFound = () => new Response("Tavolo tecnico non trovato", { status: 404, statusText: "Not Found" });

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many.replace("{n}", String(n)));

function outcomeMessage(params: URLSearchParams) {
  const n = Number(params.get("n") ?? "0");
  switch (params.get("esito")) {
    case "creato":
      return "Il Tavolo tecnico è stato creato in bozza. Quando è pronto, pubblicalo.";
    case "salvato":
      return "Le modifiche sono state salvate.";
    case "aggiornato":
      return n > 0
        ? `Le modifiche sono state salvate. ${plural(n, "Un invitato riceverà", "{n} invitati riceveranno")} l'aggiornamento con l'evento per il calendario.`
        : "Le modifiche sono state salvate. Non ci sono invitati da avvisare.";
    case "invariato":
      return "Nessun dato è cambiato: non è stato salvato nulla.";
    case "pubblicato":
      return "Il Tavolo tecnico è pubblicato: ora compare nel calendario pubblico e nel feed.";
    case "annullato":
      return n > 0
        ? `Il Tavolo tecnico è stato annullato. ${plural(n, "Un invitato riceverà", "{n} invitati riceveranno")} l'avviso di annullamento.`
        : "Il Tavolo tecnico è stato annullato.";
    case "materiale-aggiunto":
      return n > 0
        ? `Il materiale è stato aggiunto. Tra una decina di minuti ${plural(n, "un invitato riceverà", "{n} invitati riceveranno")} l'avviso «materiali disponibili», insieme agli altri materiali aggiunti nel frattempo.`
        : "Il materiale è stato aggiunto.";
    case "materiale-eliminato":
      return "Il materiale è stato eliminato.";
    case "materiale-aggiornato":
      return "Il materiale è stato aggiornato.";
    case "materiale-invariato":
      return "Nessun dato del materiale è cambiato: non è stato salvato nulla.";
    default:
      return null;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const id = parseRoundTableId(params.id);
  const db = getDb();
  const rt = id ? getRoundTable(db, { id }) : null;
  if (!rt) throw notFound();
  const now = new Date();
  const invitees = roundTableInvitees(db, { roundTableId: rt.id, includeDeclined: true });
  return json({
    roundTable: {
      id: rt.id,
      title: rt.title,
      status: rt.status,
      statusLabel: ROUND_TABLE_STATUS_LABELS[rt.status],
      sequence: rt.sequence,
      reminderDays: rt.reminderDays,
      ended: rt.endsAt.getTime() <= now.getTime(),
      when: roundTableWhen(rt),
    },
    heading: roundTableHeading(rt),
    values: roundTableFormValues(rt),
    invitees: { total: invitees.length },
    materials: listMaterials(db, { roundTableIds: [rt.id] }).map((m) => ({
      id: m.id,
      kind: MATERIAL_KIND_LABELS[m.kind],
      title: m.title,
      curatedBy: m.curatedBy,
      visibility: MATERIAL_VISIBILITY_LABELS[m.visibility],
      url: m.url,
      downloadName: m.downloadName,
      fileInfo: m.url ? null : documentFileInfo(m),
      announcedAt: m.announcedAt ? formatDateTimeIt(m.announcedAt) : null,
    })),
    outcome: outcomeMessage(new URL(request.url).searchParams),
    // A material's outcome is shown in the materials' section, where its redirect opens the page.
    outcomeOfMaterial: new URL(request.url).searchParams.get("esito")?.startsWith("materiale-") ?? false,
  });
}

type Intent = "save" | "publish" | "cancel";
type ActionData = { intent: Intent | null; errors: Record<string, string>; formError?: string; values?: RoundTableFormValues };

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const id = parseRoundTableId(params.id);
  const db = getDb();
  if (!id || !getRoundTable(db, { id })) throw notFound();
  const intent = String(formData.get("intent") ?? "");
  const appUrl = getEnv().appUrl;

  if (intent === "save") {
    const values = roundTableFormValuesOf(formData);
    const parsed = roundTableSchema.safeParse(values);
    if (!parsed.success) {
      return json<ActionData>({ intent, errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
    }
    const result = updateRoundTable(db, { id, input: parsed.data, coordinatorId: coordinator.id, appUrl });
    if (!result.ok) return json<ActionData>({ intent, errors: result.errors, formError: result.formError, values }, { status: 400 });
    if (result.notified > 0) wakeOutboxWorker();
    const outcome = !result.changed ? "invariato" : result.notified > 0 ? `aggiornato&n=${result.notified}` : "salvato";
    return redirect(`/admin/tavoli/${id}?esito=${outcome}`);
  }
  if (intent === "publish") {
    const result = publishRoundTable(db, { id, coordinatorId: coordinator.id });
    if (!result.ok) return json<ActionData>({ intent, errors: {}, formError: result.error }, { status: 409 });
    return redirect(`/admin/tavoli/${id}?esito=pubblicato`);
  }
  if (intent === "cancel") {
    const parsed = cancelRoundTableSchema.safeParse({ confirm: formData.get("confirm") ?? "" });
    if (!parsed.success) return json<ActionData>({ intent, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
    const result = cancelRoundTable(db, { id, coordinatorId: coordinator.id, appUrl });
    if (!result.ok) return json<ActionData>({ intent, errors: {}, formError: result.error }, { status: 409 });
    wakeOutboxWorker();
    return redirect(`/admin/tavoli/${id}?esito=annullato&n=${result.notified}`);
  }
  return json<ActionData>({ intent: null, errors: {}, formError: "Azione non riconosciuta: ricarica la pagina e riprova." }, { status: 400 });
}

/** What cancelling does, for `invitees` invitations (cancelRoundTable writes to all, declined ones too). */
function cancellationText(invitees: number) {
  const calendar = "Il tavolo resterà nel calendario pubblico con la dicitura «Annullato»";
  if (invitees === 0) return `${calendar}. Non ci sono invitati da avvisare.`;
  const who = invitees === 1 ? "l'unico invitato riceverà" : `tutti gli invitati (${formatCount(invitees)}) riceveranno`;
  return `${calendar} e ${who} un'email di annullamento con il file che rimuove l'evento dal calendario.`;
}

function reminderText(days: number) {
  if (days === 0) return "Promemoria automatico: nessuno.";
  // The rule of sendDueReminders, in the organiser's words.
  return (
    `Promemoria automatico: ${plural(days, "un giorno", "{n} giorni")} prima dell'inizio, a chi ha confermato o non ha ancora risposto, ` +
    `una sola volta anche se il tavolo viene spostato. Non lo riceve chi è stato invitato quando all'inizio ` +
    `${plural(days, "mancava un giorno o meno", "mancavano {n} giorni o meno")}.`
  );
}

export default function AdminRoundTablePage() {
  const { roundTable: rt, heading, values, invitees, materials, outcome, outcomeOfMaterial } = useLoaderData<typeof loader>();
  const outcomeAlert = outcome ? (
    <div className="alert alert-success" role="status">
      {outcome}
    </div>
  ) : null;
  const actionData = useActionData<typeof action>();
  const statusError = actionData && actionData.intent !== "save" && actionData.formError ? actionData.formError : null;
  const saveData = actionData?.intent === "save" ? actionData : undefined;
  // A cancelled Tavolo's materials are no longer added or corrected (materialChangeRefusal), only deleted.
  const materialsEditable = rt.status !== "cancelled";

  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/tavoli", label: "Tavoli tecnici" }]} current={heading} />
      <h1>
        {heading}: {rt.title}
      </h1>
      <p className="lead">
        {rt.when} ·{" "}
        <span className={`badge ${ROUND_TABLE_STATUS_BADGES[rt.status]}`}>
          {rt.statusLabel}
        </span>
      </p>
      {outcomeOfMaterial ? null : outcomeAlert}
      <FormRefusal message={statusError} />

      <div className="d-flex flex-wrap gap-2 mb-4">
        <Link to={`/admin/tavoli/${rt.id}/inviti`} className="btn btn-outline-primary">
          Inviti e risposte
        </Link>
        <Link to={`/admin/tavoli/nuovo?da=${rt.id}`} className="btn btn-outline-secondary">
          Duplica
        </Link>
        {rt.status !== "draft" ? (
          <a href={`/tavoli-tecnici/${rt.id}`} className="btn btn-outline-secondary">
            Pagina pubblica
          </a>
        ) : null}
      </div>

      <section aria-labelledby="stato" className="mb-5">
        <h2 id="stato" className="h3">
          Stato
        </h2>
        {rt.status === "draft" ? (
          <>
            <p>Il tavolo è in bozza: non compare nel calendario pubblico né nel feed.</p>
            <Form method="post">
              <AuthenticityTokenInput name="csrf" />
              <input type="hidden" name="intent" value="publish" />
              <button type="submit" className="btn btn-success">
                Pubblica
              </button>
            </Form>
          </>
        ) : null}
        {rt.status === "published" ? (
          <>
            <p>Il tavolo è pubblicato: compare nel calendario pubblico e nel feed.</p>
            {!rt.ended ? (
              <ConfirmForm
                heading={
                  <h3 id="annulla-titolo" className="h5">
                    Annulla il tavolo
                  </h3>
                }
                labelledBy="annulla-titolo"
                summarySubject="Il modulo di annullamento"
                confirmLabel={`Confermo: voglio annullare questo Tavolo tecnico${
                  invitees.total === 0 ? "" : invitees.total === 1 ? " e avvisare l'invitato" : " e avvisare gli invitati"
                }`}
                submitLabel="Annulla il tavolo"
                schema={cancelRoundTableSchema}
                hidden={{ intent: "cancel" }}
                serverErrors={actionData?.intent === "cancel" ? actionData.errors : undefined}
              >
                <p>L'annullamento non si può revocare. {cancellationText(invitees.total)}</p>
              </ConfirmForm>
            ) : (
              <p>Il tavolo si è già svolto.</p>
            )}
          </>
        ) : null}
        {rt.status === "cancelled" ? <p>Il tavolo è stato annullato: resta nel calendario pubblico con la dicitura «Annullato».</p> : null}
        {rt.status !== "cancelled" && !rt.ended ? <p id="promemoria">{reminderText(rt.reminderDays)}</p> : null}
      </section>

      <section aria-labelledby="dati" className="mb-5">
        <h2 id="dati" className="h3">
          Dati del tavolo
        </h2>
        {rt.status === "cancelled" ? (
          <p className={saveData?.formError ? "alert alert-danger" : undefined} role={saveData?.formError ? "alert" : undefined}>
            Il tavolo è stato annullato: i suoi dati non si modificano più. Per riproporre l'incontro,{" "}
            <Link to={`/admin/tavoli/nuovo?da=${rt.id}`}>duplicalo</Link>.
          </p>
        ) : (
          <RoundTableForm
            values={saveData?.values ?? values}
            serverErrors={saveData?.errors}
            formError={saveData?.formError}
            submitLabel="Salva le modifiche"
            hidden={{ intent: "save" }}
            numberHint="Lascialo vuoto per un incontro senza numero."
            notice={
              // The rule of updateRoundTable: no update emails once the meeting has ended.
              rt.status === "published" && rt.ended ? (
                <div className="alert alert-info">
                  Il tavolo si è già svolto: le modifiche correggono la scheda e il calendario pubblico, senza email agli invitati.
                </div>
              ) : rt.status === "published" && invitees.total > 0 ? (
                <div className="alert alert-info">
                  Il tavolo è pubblicato: se cambi data, orario, modalità, luogo o link,{" "}
                  {invitees.total === 1
                    ? "l'invitato riceverà un'email di aggiornamento (con l'evento per il calendario, se non ha declinato l'invito)."
                    : `gli invitati (${formatCount(invitees.total)}) riceveranno un'email di aggiornamento, con l'evento per il calendario per chi non ha declinato l'invito.`}
                </div>
              ) : null
            }
          />
        )}
      </section>

      <section aria-labelledby="materiali" id="materiali-sezione">
        <h2 id="materiali" className="h3">
          Materiali
        </h2>
        {outcomeOfMaterial ? outcomeAlert : null}
        {materials.length === 0 ? (
          <p>Nessun materiale.</p>
        ) : (
          <TableScroll>
            <table className="table align-middle caption-top">
              <TableCaption>Materiali del tavolo</TableCaption>
              <thead>
                <tr>
                  <th scope="col">Titolo</th>
                  <th scope="col">Tipo</th>
                  <th scope="col">A cura di</th>
                  <th scope="col">Visibilità</th>
                  <th scope="col">File o link</th>
                  <th scope="col">Azioni</th>
                </tr>
              </thead>
              <tbody>
                {materials.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.title}</th>
                    <td>
                      {m.kind}
                      {m.announcedAt ? <div className="small text-muted">Annunciato agli invitati il {m.announcedAt}</div> : null}
                    </td>
                    <td>{m.curatedBy ?? "—"}</td>
                    <td>{m.visibility}</td>
                    <td>
                      {m.url ? (
                        <a href={m.url} rel="noopener noreferrer">
                          Apri il link<span className="visually-hidden"> di {m.title}</span>
                        </a>
                      ) : (
                        <>
                          <a href={`/materiali/${m.id}`}>{m.downloadName}</a> ({m.fileInfo})
                        </>
                      )}
                    </td>
                    <td>
                      <div className="d-flex flex-wrap gap-2">
                        {materialsEditable ? (
                          <Link to={`/admin/tavoli/${rt.id}/materiali/${m.id}`} className="btn btn-outline-primary btn-xs">
                            Modifica<span className="visually-hidden"> {m.title}</span>
                          </Link>
                        ) : null}
                        {/* A link: the deletion is confirmed on the next page, with a tick. */}
                        <Link to={`/admin/tavoli/${rt.id}/materiali?elimina=${m.id}`} className="btn btn-outline-danger btn-xs">
                          Elimina<span className="visually-hidden"> {m.title}</span>
                        </Link>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        {materialsEditable ? (
          <Link to={`/admin/tavoli/${rt.id}/materiali`} className="btn btn-primary">
            Aggiungi materiali
          </Link>
        ) : (
          <p>{CANCELLED_MATERIALS_NOT_EDITABLE}</p>
        )}
      </section>
    </>
  );
}
