import type { ReactNode } from "react";
import { SectionNav, type SectionLink } from "~/components/section-nav";
import { SignOutForm } from "~/components/sign-out-form";
import { PAGE_CONTENT_ID } from "~/utils/skip-link";

// The frame of the referent area's pages (issue 6): who is signed in, the area's tabs and "Esci".
// Each page renders its own <h1> inside it, and exports `handle = areaPageHandle` so that the skip
// link leads past the frame.

export type ReferentHeaderData = { firstName: string; lastName: string; bodyName: string };

const LINKS: SectionLink[] = [
  { to: "/area-referente", label: "Il mio ente", end: true },
  { to: "/area-referente/tavoli", label: "I miei Tavoli" },
  { to: "/area-referente/privacy", label: "Privacy e dati personali" },
];

export function ReferentAreaFrame({ referent, children }: { referent: ReferentHeaderData; children: ReactNode }) {
  return (
    <div className="container my-4">
      <div className="d-flex flex-wrap justify-content-between align-items-center mb-4 gap-2">
        <SectionNav label="Area referente" links={LINKS} />
        <div className="d-flex align-items-center gap-3">
          <span>
            {referent.firstName} {referent.lastName} <span className="text-muted">({referent.bodyName})</span>
          </span>
          <SignOutForm action="/area-referente/esci" buttonClassName="btn btn-outline-primary btn-sm" />
        </div>
      </div>
      <div id={PAGE_CONTENT_ID} tabIndex={-1}>
        {children}
      </div>
    </div>
  );
}

/** The message after a change (post/redirect/get), announced politely. */
export function OutcomeMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert alert-success" role="status">
      {message}
    </div>
  );
}

/** The referente's header data, as loaders pass it to the page (no ids). */
export const headerData = (r: ReferentHeaderData): ReferentHeaderData => ({ firstName: r.firstName, lastName: r.lastName, bodyName: r.bodyName });
