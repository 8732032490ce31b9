import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FormRefusal } from "~/components/form-fields";
import { OutcomeMessage, ReferentAreaFrame, headerData } from "~/components/referent-area";
import { answerOwnInvitation, listReferentTavoli } from "~/models/referent-tavoli.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { requireReferent } from "~/utils/referent-auth.server";
import { ROUND_TABLE_MODE_LABELS } from "~/utils/round-table-calendar";
import { CALENDAR_RESENT_MESSAGE, roundTableName, roundTableWhen } from "~/utils/round-table-format";
import { areaPageHandle } from "~/utils/skip-link";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("I miei Tavoli") },
  { name: "robots", content: "noindex" },
];

const ANSWER_WORDS = { yes: "Partecipo", no: "Non partecipo", pending: "Non hai ancora risposto" } as const;
const OUTCOMES: Record<string, string> = {
  si: "Risposta registrata: partecipi al Tavolo tecnico.",
  "si-aggiornato": `Risposta registrata: partecipi al Tavolo tecnico. ${CALENDAR_RESENT_MESSAGE}`,
  no: "Risposta registrata: non partecipi al Tavolo tecnico.",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  const { upcoming, past } = listReferentTavoli(getDb(), { access });
  const outcome = new URL(request.url).searchParams.get("esito");
  const view = <T extends { roundTable: { startsAt: Date; endsAt: Date; number: number | null; title: string; mode: keyof typeof ROUND_TABLE_MODE_LABELS } }>(r: T) => ({
    ...r,
    name: roundTableName(r.roundTable),
    when: roundTableWhen(r.roundTable),
    modeLabel: ROUND_TABLE_MODE_LABELS[r.roundTable.mode],
  });
  return json({
    header: headerData(access),
    outcome: outcome ? OUTCOMES[outcome] ?? null : null,
    upcoming: upcoming.map((u) => ({ ...view(u), answeredAt: u.answeredAt ? formatDateTimeIt(u.answeredAt) : null })),
    past: past.map(view),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const invitationId = Number(formData.get("invitationId"));
  const answer = formData.get("risposta");
  if (!Number.isSafeInteger(invitationId) || invitationId < 1 || (answer !== "si" && answer !== "no")) {
    return json({ error: "Scegli una risposta.", invitationId: null }, { status: 400 });
  }
  const result = answerOwnInvitation(getDb(), { access, invitationId, answer: answer === "si" ? "yes" : "no", appUrl: getEnv().appUrl });
  if (result.ok) return redirect(`/area-referente/tavoli?esito=${result.calendarSent ? "si-aggiornato" : answer}`);
  if (result.reason === "not_yours" || result.reason === "not_found") {
    throw new Response("Invito non trovato.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  return json({ error: result.error, invitationId }, { status: 409 });
}

export default function MyRoundTablesPage() {
  const { header, outcome, upcoming, past } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <ReferentAreaFrame referent={header}>
      <h1>I miei Tavoli</h1>
      <OutcomeMessage message={outcome} />
      <FormRefusal message={actionData?.error} />

      <section className="mb-5" aria-labelledby="prossimi">
        <h2 id="prossimi" className="h3">
          Prossimi Tavoli tecnici
        </h2>
        {upcoming.length === 0 ? (
          <p>Non hai inviti a Tavoli tecnici in programma.</p>
        ) : (
          <ul className="list-unstyled">
            {upcoming.map((u) => (
              // The target of the Tavolo's public page («I miei Tavoli» dell'area referente).
              <li key={u.invitationId} id={`invito-${u.invitationId}`} className="card card-bg mb-4">
                <div className="card-body">
                  <h3 className="h5 card-title">
                    <a href={`/tavoli-tecnici/${u.roundTable.id}`}>{u.name}</a>
                  </h3>
                  <p className="mb-1">
                    {u.inProgress ? <span className="badge bg-success me-2">In corso</span> : null}
                    {u.when} · {u.modeLabel}
                    {u.roundTable.place ? ` · ${u.roundTable.place}` : ""}
                  </p>
                  {u.roundTable.status === "cancelled" ? (
                    <p className="fw-bold text-danger mb-0">Il Tavolo tecnico è stato annullato.</p>
                  ) : (
                    <>
                      {u.roundTable.onlineUrl && u.roundTable.mode !== "in_presenza" && u.answer !== "no" && u.roundTable.status === "published" ? (
                        <p className="mb-1">
                          Per partecipare online: <a href={u.roundTable.onlineUrl} className="text-break">{u.roundTable.onlineUrl}</a>
                        </p>
                      ) : null}
                      <p className="mb-2">
                        La tua risposta: <strong>{ANSWER_WORDS[u.answer]}</strong>
                        {u.answeredAt ? ` (${u.answeredAt})` : ""}
                      </p>
                      {u.canAnswer ? (
                        <Form method="post" className="d-flex flex-wrap gap-2" aria-label={`Risposta all'invito: ${u.name}`}>
                          <AuthenticityTokenInput name="csrf" />
                          <input type="hidden" name="invitationId" value={u.invitationId} />
                          {/* The answer given is the filled button. */}
                          <button type="submit" name="risposta" value="si" className={`btn btn-sm ${u.answer === "yes" ? "btn-primary" : "btn-outline-primary"}`} aria-pressed={u.answer === "yes"}>
                            Partecipo
                          </button>
                          <button type="submit" name="risposta" value="no" className={`btn btn-sm ${u.answer === "no" ? "btn-primary" : "btn-outline-primary"}`} aria-pressed={u.answer === "no"}>
                            Non partecipo
                          </button>
                        </Form>
                      ) : null}
                    </>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="mb-5" aria-labelledby="passati">
        <h2 id="passati" className="h3">
          Tavoli tecnici passati
        </h2>
        {past.length === 0 ? (
          <p>Nessun Tavolo tecnico passato tra i tuoi inviti.</p>
        ) : (
          <ul className="list-unstyled">
            {past.map((p) => (
              <li key={p.invitationId} className="mb-4">
                <h3 className="h5">
                  <a href={`/tavoli-tecnici/${p.roundTable.id}`}>{p.name}</a>
                </h3>
                <p className="mb-1">{p.when}</p>
                {p.materials.length === 0 ? (
                  <p className="text-muted">Nessun materiale disponibile.</p>
                ) : (
                  <ul>
                    {p.materials.map((m) => (
                      <li key={m.id}>
                        <a href={m.href} {...(m.isLink ? { rel: "noopener noreferrer" } : {})}>
                          {m.kindLabel}: {m.title}
                        </a>
                        {m.curatedBy ? ` (a cura di ${m.curatedBy})` : ""}
                        {m.visibility === "members" ? <span className="badge bg-secondary ms-2">Riservato agli enti aderenti</span> : null}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </ReferentAreaFrame>
  );
}
