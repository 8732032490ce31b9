import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { DownloadOffer } from "~/components/download-offer";
import { MaterialList, SpeakerList, type PublicMaterial } from "~/components/round-table-public";
import { referentInvitationTo } from "~/models/referent-tavoli.server";
import { publicRoundTable } from "~/models/round-table-public.server";
import { getPublicRoundTable, parseRoundTableId } from "~/models/round-table.server";
import { getCoordinator } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getReferent, materialOfferedAfterSignIn } from "~/utils/referent-auth.server";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: pageTitle(`${data.rt.heading}: ${data.rt.title}`, "Tavoli tecnici") },
        { name: "description", content: `${data.rt.heading} del Coordinamento SAI: ${data.rt.title}, ${data.rt.when}.` },
      ]
    : [{ title: pageTitle("Pagina non trovata") }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = parseRoundTableId(params.id);
  const [coordinator, referent] = await Promise.all([getCoordinator(request), getReferent(request)]);
  const members = !!coordinator || referent?.status === "active";
  const rt = id ? getPublicRoundTable(getDb(), { id, members }) : null;
  if (!rt) throw new Response("Tavolo tecnico non trovato", { status: 404, statusText: "Not Found" });
  const page = publicRoundTable(rt);
  // After signing in to download one of its materials: offered only among those this visitor sees,
  // so the address names no reserved material to anyone else.
  const offer = materialOfferedAfterSignIn(request);
  const offeredMaterial = offer ? page.materials.find((m) => m.id === offer.id) : undefined;
  const now = new Date();
  // A referente invited to it is sent to «I miei Tavoli», where they answer and find the link.
  const invitation = referent && !page.cancelled ? referentInvitationTo(getDb(), { access: referent, roundTableId: rt.id, now }) : null;
  return json(
    {
      rt: { ...page, description: rt.description, ended: rt.endsAt.getTime() <= now.getTime() },
      invitation: invitation && { id: invitation.invitationId, answer: invitation.answer, canAnswer: invitation.canAnswer },
      reservedMaterials: rt.reservedMaterials,
      downloadOffer: offer && offeredMaterial ? { material: offeredMaterial, signedInNow: offer.signedInNow } : null,
    },
    // What a signed-in referente sees must not be kept by a shared cache.
    { headers: { "Cache-Control": "private, no-store", Vary: "Cookie" } },
  );
}

export default function RoundTablePage() {
  const { rt, invitation, reservedMaterials, downloadOffer } = useLoaderData<typeof loader>();
  return (
    <div className="container my-5">
      <Breadcrumb parents={[{ to: "/tavoli-tecnici", label: "Tavoli tecnici" }]} current={rt.heading} />
      <p className="text-uppercase fw-semibold mb-1">{rt.heading}</p>
      <h1>{rt.title}</h1>
      {downloadOffer ? <MaterialOffer {...downloadOffer} /> : null}
      {rt.cancelled ? (
        <div className="alert alert-danger" role="status">
          <strong>Annullato.</strong> Questo incontro è stato annullato.
        </div>
      ) : null}
      <section aria-labelledby="quando" className="mb-4">
        <h2 id="quando" className="h3">
          Quando e dove
        </h2>
        <dl>
          <dt>Data e orario (ora italiana)</dt>
          <dd>{rt.when}</dd>
          <dt>Modalità</dt>
          <dd>
            {rt.mode}
            {rt.online && !rt.ended && !rt.cancelled && !invitation ? ". Il collegamento è inviato agli enti invitati." : ""}
          </dd>
          {rt.place ? (
            <>
              <dt>Luogo</dt>
              <dd>{rt.place}</dd>
            </>
          ) : null}
        </dl>
        {invitation ? <YourInvitation invitation={invitation} online={rt.online} /> : null}
        {!rt.cancelled ? (
          <a
            href={`/tavoli-tecnici/${rt.id}/evento.ics`}
            className="btn btn-outline-primary"
            download
            aria-describedby={rt.online && !rt.ended ? "calendario-invitati" : undefined}
          >
            Aggiungi al calendario (file .ics)
          </a>
        ) : null}
        {rt.online && !rt.ended && !rt.cancelled ? (
          // This file is everyone's and has no meeting link; the invitee's own (/invito/:token/evento.ics) has it.
          <p id="calendario-invitati" className="form-text">
            Questo file non contiene il collegamento per partecipare online. Se hai ricevuto l'invito, usa invece il file allegato
            all'email di invito (lo trovi anche nella pagina dell'invito): contiene anche il collegamento.
          </p>
        ) : null}
      </section>
      {rt.description ? (
        <section aria-labelledby="programma" className="mb-4">
          <h2 id="programma" className="h3">
            Programma
          </h2>
          <p style={{ whiteSpace: "pre-wrap" }}>{rt.description}</p>
        </section>
      ) : null}
      {rt.speakers.length > 0 ? (
        <section aria-labelledby="interventi" className="mb-4">
          <h2 id="interventi" className="h3">
            Interventi
          </h2>
          <SpeakerList speakers={rt.speakers} />
        </section>
      ) : null}
      <section aria-labelledby="materiali" className="mb-4">
        <h2 id="materiali" className="h3">
          Materiali
        </h2>
        {rt.materials.length === 0 && reservedMaterials === 0 ? <p>Nessun materiale pubblicato.</p> : <MaterialList materials={rt.materials} />}
        {reservedMaterials > 0 ? (
          <p>
            {reservedMaterialsText(reservedMaterials, { others: rt.materials.length > 0 })} ai referenti
            degli enti aderenti: <Link to={`/area-referente/accedi?redirectTo=${encodeURIComponent(`/tavoli-tecnici/${rt.id}`)}`}>accedi all'area referente</Link> per {reservedMaterials === 1 ? "vederlo" : "vederli"}.
          </p>
        ) : null}
      </section>
      <p>
        <Link to="/tavoli-tecnici">Torna al calendario dei Tavoli tecnici</Link>
      </p>
    </div>
  );
}

/**
 * To a signed-in referente invited to this Tavolo: their answer, and «I miei Tavoli», where they
 * answer and, for a meeting online, find the link (shown there unless they declined).
 */
function YourInvitation({ invitation, online }: { invitation: { id: number; answer: "yes" | "no" | "pending"; canAnswer: boolean }; online: boolean }) {
  const { answer, canAnswer } = invitation;
  const answerSaid = {
    yes: "La tua risposta: «Partecipo».",
    no: "La tua risposta: «Non partecipo».",
    pending: canAnswer ? "Non hai ancora risposto." : "Non hai risposto all'invito.",
  }[answer];
  const where = (
    <>
      in «<Link to={`/area-referente/tavoli#invito-${invitation.id}`}>I miei Tavoli</Link>» dell'area referente
    </>
  );
  const link = online ? "il collegamento per partecipare online" : null;
  let next: JSX.Element | null = null;
  if (canAnswer && answer === "pending") next = <>Rispondi all'invito {where}{link ? `: lì trovi anche ${link}` : ""}.</>;
  else if (canAnswer && answer === "no") next = <>Se ora puoi partecipare, cambia la risposta {where}{link ? `: lì trovi poi ${link}` : ""}.</>;
  // «I miei Tavoli» shows the link to whoever has not declined.
  else if (link && answer !== "no") next = <>Trovi {link} {where}{canAnswer ? ", dove puoi anche cambiare la risposta" : ""}.</>;
  else if (canAnswer) next = <>Puoi cambiare la risposta {where}.</>;
  return (
    <p className="alert alert-info">
      <strong>Il tuo ente è invitato a questo Tavolo tecnico.</strong> {answerSaid} {next}
    </p>
  );
}

/** After signing in to download a material: the sign-in brings the person here rather than to the download. */
function MaterialOffer({ material, signedInNow }: { material: PublicMaterial; signedInNow: boolean }) {
  const verb = material.external ? "aprire" : "scaricare";
  return (
    <DownloadOffer signedInNow={signedInNow}>
      Ora puoi {verb} «{material.title}»:{" "}
      <a href={material.href} {...(material.external ? { rel: "noopener noreferrer" } : {})}>
        {material.external ? "apri" : "scarica"} «{material.title}»
      </a>
      {material.fileInfo ? ` (${material.fileInfo})` : material.external ? " (link esterno)" : ""}.
    </DownloadOffer>
  );
}

/** «Un altro materiale è riservato», or «Un materiale…» when none is public: nothing else is listed. */
function reservedMaterialsText(count: number, { others }: { others: boolean }) {
  if (count === 1) return others ? "Un altro materiale è riservato" : "Un materiale è riservato";
  return others ? `Altri ${count} materiali sono riservati` : `${count} materiali sono riservati`;
}
