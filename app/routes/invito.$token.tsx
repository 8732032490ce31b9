import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useParams } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { RoundTableEmailInfo } from "#emails/components/round-table-details";
import { MaterialList } from "~/components/round-table-public";
import { answerInvitation, lookupInvitation, type InvitationView } from "~/models/invitation.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { ROUND_TABLE_MODE_LABELS, roundTableHeadingAfter } from "~/utils/round-table-calendar";
import { CALENDAR_RESENT_MESSAGE, roundTableName, roundTableWhen } from "~/utils/round-table-format";
import { answerFromParam, answerSchema } from "~/validation/invitations";
import { pageTitle } from "~/utils/page-title";

// Named after its Tavolo, as the invitee's tab or bookmark should read: «Invito al 7° Tavolo tecnico: Titolo».
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: pageTitle(data?.view ? `Invito ${roundTableHeadingAfter("a", data.view.roundTable)}: ${data.view.roundTable.title}` : "Invito non trovato") },
  { name: "robots", content: "noindex" },
];

type PageView = Omit<InvitationView, "invitation"> & {
  invitation: Omit<InvitationView["invitation"], "answeredAt"> & { answeredAt: string | null };
};

function pageView(view: InvitationView): PageView {
  return {
    ...view,
    invitation: { ...view.invitation, answeredAt: view.invitation.answeredAt ? formatDateTimeIt(view.invitation.answeredAt) : null },
  };
}

// GET only shows the invitation (mail scanners and link previews follow links): ?risposta=si|no
// preselects a button, it never records. The answer is the POST below.
export function loader({ request, params }: LoaderFunctionArgs) {
  const view = lookupInvitation(getDb(), { token: params.token ?? "" });
  const preselected = answerFromParam(new URL(request.url).searchParams.get("risposta"));
  if (!view) return json({ view: null, preselected, recorded: null, error: null }, { status: 404 });
  return json({ view: pageView(view), preselected, recorded: null, error: null });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const db = getDb();
  const token = params.token ?? "";
  const parsed = answerSchema.safeParse({ risposta: formData.get("risposta") });
  if (!parsed.success) {
    const view = lookupInvitation(db, { token });
    return json(
      { view: view ? pageView(view) : null, preselected: null, recorded: null, error: parsed.error.issues[0].message },
      { status: view ? 400 : 404 },
    );
  }
  const result = answerInvitation(db, { token, answer: parsed.data.risposta === "si" ? "yes" : "no", appUrl: getEnv().appUrl });
  if (result.ok) {
    return json({ view: pageView(result.view), preselected: null, recorded: result.view.invitation.answer, calendarSent: result.calendarSent, error: null });
  }
  if (result.reason === "not_found") return json({ view: null, preselected: null, recorded: null, error: result.error }, { status: 404 });
  return json({ view: pageView(result.view), preselected: null, recorded: null, error: result.error }, { status: 410 });
}

export default function InvitationPage() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const data = acted ?? loaded;
  const { view, preselected, recorded, error } = data;
  const calendarSent = "calendarSent" in data && data.calendarSent;
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-9">{view ? <Invitation view={view} preselected={preselected} recorded={recorded} calendarSent={calendarSent} error={error} /> : <NotFound />}</div>
      </div>
    </div>
  );
}

function NotFound() {
  return (
    <>
      <h1>Invito non trovato</h1>
      <p className="lead">
        Il collegamento non corrisponde a nessun invito. Controlla di averlo copiato per intero dall'email, oppure consulta il{" "}
        <a href="/tavoli-tecnici">calendario dei Tavoli tecnici</a>.
      </p>
    </>
  );
}

const CURRENT_ANSWER = {
  yes: "Hai risposto che parteciperai.",
  no: "Hai risposto che non parteciperai.",
  pending: "Non hai ancora risposto.",
} as const;

function Invitation({
  view,
  preselected,
  recorded,
  calendarSent,
  error,
}: {
  view: PageView;
  preselected: "yes" | "no" | null;
  recorded: "pending" | "yes" | "no" | null;
  calendarSent: boolean;
  error: string | null;
}) {
  const { invitation, roundTable: rt, state } = view;
  const { token = "" } = useParams();
  const confirming = state === "open" && preselected !== null && preselected !== invitation.answer;
  return (
    <>
      <p className="text-uppercase fw-semibold text-primary mb-1">Invito</p>
      <h1>{roundTableName(rt)}</h1>
      {recorded ? (
        <div className="alert alert-success" role="status">
          {recorded === "yes" ? "Grazie, abbiamo registrato che parteciperai." : "Grazie, abbiamo registrato che non parteciperai."}
          {recorded === "yes" && view.reminderDue ? " Riceverai un promemoria per email." : null}{" "}
          Puoi cambiare la risposta da questa pagina fino all'inizio dell'incontro.
          {calendarSent ? <p className="mb-0 mt-2">{CALENDAR_RESENT_MESSAGE}</p> : null}
        </div>
      ) : null}
      {error ? (
        // An outcome of the answer just sent: it takes the focus (useFocusAfterNavigation), so it is read out.
        <div className="alert alert-danger" role="alert" data-outcome>
          {error}
        </div>
      ) : null}
      {!error && view.refusal ? (
        <div className={`alert ${state === "closed" || state === "unavailable" || state === "moved" ? "alert-info" : "alert-warning"}`} role="status">
          {view.refusal}
        </div>
      ) : null}

      {/* Come from an email's button, the answer is not recorded yet: its confirmation comes first, in view on a phone. */}
      {confirming ? <Answer view={view} preselected={preselected} confirming={confirming} /> : null}
      <Details rt={rt} />
      {view.calendar ? (
        // The invitation's own event, with the meeting link: not the public page's, which has none.
        <p>
          <a href={`/invito/${encodeURIComponent(token)}/evento.ics`} className="btn btn-outline-primary" download>
            Aggiungi al calendario (file .ics)
          </a>
        </p>
      ) : null}
      {confirming ? null : <Answer view={view} preselected={preselected} confirming={confirming} />}
      {view.materials.length > 0 ? (
        <>
          <h2 className="h4 mt-4">Materiali</h2>
          <MaterialList materials={view.materials} />
          {view.materials.some((m) => m.membersOnly) ? (
            <p className="form-text">I materiali riservati agli enti aderenti si scaricano dopo l'accesso all'area referente.</p>
          ) : null}
        </>
      ) : null}
      {/* A Tavolo back in draft has no public page until it is published again. */}
      {state === "unavailable" ? null : (
        <p>
          <a href={`/tavoli-tecnici/${rt.id}`}>Pagina del Tavolo tecnico e materiali</a>
        </p>
      )}
    </>
  );
}

/** The invitee's answer as it stands and, while it can change, the two buttons; `confirming` an answer chosen in the email. */
function Answer({ view: { invitation, state }, preselected, confirming }: { view: PageView; preselected: "yes" | "no" | null; confirming: boolean }) {
  const { token = "" } = useParams();
  const chosen = preselected === "yes" ? "«Partecipo»" : "«Non partecipo»";
  const highlighted = preselected ?? (invitation.answer === "pending" ? null : invitation.answer);
  const current = (
    <p>
      {invitation.name ? `${invitation.name} (${invitation.email})` : invitation.email}:{" "}
      <strong>{CURRENT_ANSWER[invitation.answer]}</strong>
      {invitation.answeredAt ? ` (risposta del ${invitation.answeredAt})` : null}
    </p>
  );
  return (
    <>
      <h2 className="h4 mt-4">La tua risposta</h2>
      {/* While confirming, the buttons come first and who was invited after them. */}
      {confirming ? null : current}
      {state === "open" ? (
        // Posted to the page without the email's ?risposta: once answered, a reload or a later visit
        // shows the answer recorded rather than offering the email's choice again.
        <Form method="post" action={`/invito/${encodeURIComponent(token)}`} className="mb-4">
          <AuthenticityTokenInput name="csrf" />
          {confirming ? (
            <p id="conferma-risposta">
              {invitation.answer === "pending" ? (
                <>
                  La risposta non è ancora registrata. Per confermare premi <strong>{chosen}</strong>.
                </>
              ) : (
                // An answer is recorded and the email's button chose the other one: a change, not a first answer.
                <>
                  {CURRENT_ANSWER[invitation.answer]} Vuoi cambiare la risposta in <strong>{chosen}</strong>? Per cambiarla premi{" "}
                  <strong>{chosen}</strong>; altrimenti non serve fare nulla.
                </>
              )}
            </p>
          ) : null}
          <fieldset>
            <legend className="visually-hidden">Parteciperai al Tavolo tecnico?</legend>
            <div className="d-flex flex-wrap gap-3">
              <button
                type="submit"
                name="risposta"
                value="si"
                className={`btn btn-lg ${highlighted === "yes" ? "btn-success" : "btn-outline-success"}`}
                aria-describedby={confirming && preselected === "yes" ? "conferma-risposta" : undefined}
              >
                Partecipo
              </button>
              <button
                type="submit"
                name="risposta"
                value="no"
                className={`btn btn-lg ${highlighted === "no" ? "btn-danger" : "btn-outline-danger"}`}
                aria-describedby={confirming && preselected === "no" ? "conferma-risposta" : undefined}
              >
                Non partecipo
              </button>
            </div>
          </fieldset>
          <p className="form-text mt-2">Puoi cambiare la risposta fino all'inizio dell'incontro.</p>
        </Form>
      ) : null}
      {confirming ? current : null}
    </>
  );
}

function Details({ rt }: { rt: RoundTableEmailInfo }) {
  return (
    <dl className="row">
      <dt className="col-sm-3">Quando</dt>
      <dd className="col-sm-9">{roundTableWhen(rt)} (ora italiana)</dd>
      <dt className="col-sm-3">Modalità</dt>
      <dd className="col-sm-9">{ROUND_TABLE_MODE_LABELS[rt.mode]}</dd>
      {rt.mode !== "online" && rt.place ? (
        <>
          <dt className="col-sm-3">Luogo</dt>
          <dd className="col-sm-9">{rt.place}</dd>
        </>
      ) : null}
      {rt.mode !== "in_presenza" && rt.onlineUrl ? (
        <>
          <dt className="col-sm-3">Collegamento online</dt>
          <dd className="col-sm-9 text-break">
            <a href={rt.onlineUrl} rel="noreferrer noopener">
              {rt.onlineUrl}
            </a>
          </dd>
        </>
      ) : null}
      {rt.speakers.length > 0 ? (
        <>
          <dt className="col-sm-3">Interventi a cura di</dt>
          <dd className="col-sm-9">
            <ul className="list-unstyled mb-0">
              {rt.speakers.map((s, i) => (
                <li key={i}>
                  {s.name}
                  {s.affiliation ? ` (${s.affiliation})` : ""}
                </li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
      {rt.description.trim() ? (
        <>
          <dt className="col-sm-3">Programma</dt>
          <dd className="col-sm-9" style={{ whiteSpace: "pre-wrap" }}>
            {rt.description.trim()}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
