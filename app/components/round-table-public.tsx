import { Link } from "@remix-run/react";
import type { Speaker } from "~/validation/round-table";

// Pieces of the public calendar (/tavoli-tecnici and /tavoli-tecnici/:id).

export type PublicMaterial = {
  id: number;
  kindLabel: string;
  title: string;
  curatedBy: string | null;
  href: string;
  /** "PDF, 1,2 MB" for files; null for links. */
  fileInfo: string | null;
  external: boolean;
  /** Reserved to the referenti of member enti (shown only to them and to coordinators). */
  membersOnly?: boolean;
};

export type PublicRoundTable = {
  id: number;
  heading: string;
  title: string;
  when: string;
  date: string;
  mode: string;
  online: boolean;
  place: string | null;
  cancelled: boolean;
  speakers: Speaker[];
  materials: PublicMaterial[];
};

/** "Modello SAI Torino (a cura di S. Bottari)", or "A cura di S. Bottari" without a topic. */
export function speakerText(s: Speaker) {
  return s.affiliation ? `${s.affiliation} (a cura di ${s.name})` : `A cura di ${s.name}`;
}

export function SpeakerList({ speakers }: { speakers: Speaker[] }) {
  if (speakers.length === 0) return null;
  return (
    <ul className="mb-2">
      {speakers.map((s, i) => (
        <li key={i}>{speakerText(s)}</li>
      ))}
    </ul>
  );
}

export function MaterialList({ materials }: { materials: PublicMaterial[] }) {
  if (materials.length === 0) return null;
  return (
    <ul className="mb-2">
      {materials.map((m) => (
        <li key={m.id}>
          {m.kindLabel}:{" "}
          <a href={m.href} {...(m.external ? { rel: "noopener noreferrer" } : {})}>
            {m.title}
          </a>
          {m.fileInfo ? ` (${m.fileInfo})` : m.external ? " (link esterno)" : ""}
          {m.curatedBy ? `, a cura di ${m.curatedBy}` : ""}
          {m.membersOnly ? <span className="badge bg-secondary ms-2">Riservato agli enti aderenti</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** One round table in the list of the calendar. */
export function RoundTableCard({ rt, headingLevel = 3 }: { rt: PublicRoundTable; headingLevel?: 3 | 4 }) {
  const H = `h${headingLevel}` as "h3" | "h4";
  return (
    <article className="card-wrapper mb-4" aria-labelledby={`tavolo-${rt.id}`}>
      <div className={`card card-bg ${rt.cancelled ? "border-danger" : ""}`}>
        <div className="card-body">
          <H id={`tavolo-${rt.id}`} className="card-title h5">
            <Link to={`/tavoli-tecnici/${rt.id}`}>
              {rt.heading} - {rt.date}
            </Link>
            {rt.cancelled ? <span className="badge bg-danger ms-2">Annullato</span> : null}
          </H>
          <p className="fw-semibold mb-1">{rt.title}</p>
          <p className="mb-2">
            {rt.when} · {rt.mode}
            {rt.place ? ` · ${rt.place}` : ""}
          </p>
          <SpeakerList speakers={rt.speakers} />
          <MaterialList materials={rt.materials} />
        </div>
      </div>
    </article>
  );
}
