import type { ReactNode } from "react";
import { SectionNav, type SectionLink } from "~/components/section-nav";
import { SignOutForm } from "~/components/sign-out-form";
import { formatDateIt } from "~/utils/dates";
import { PAGE_CONTENT_ID } from "~/utils/skip-link";
import { forBody } from "~/utils/text";

// The frame of the referent area's pages (issue 6): who is signed in, the area's tabs and "Esci".
// Each page renders its own <h1> inside it, and exports `handle = areaPageHandle` so that the skip
// link leads past the frame. A former referente (termEndedOn set) sees only the privacy tab, with a
// word on why.

export type ReferentHeaderData = { firstName: string; lastName: string; bodyName: string; termEndedOn: string | null };

const PRIVACY_LINK: SectionLink = { to: "/area-referente/privacy", label: "Privacy e dati personali" };
const LINKS: SectionLink[] = [
  {
    to: "/area-referente",
    label: "Il mio ente",
    end: true,
    // Reached from "Il mio ente": the referente's data, email, the ente's projects, the handover.
    also: ["/area-referente/dati", "/area-referente/email", "/area-referente/progetti", "/area-referente/subentro"],
  },
  { to: "/area-referente/tavoli", label: "I miei Tavoli" },
  PRIVACY_LINK,
];

export function ReferentAreaFrame({ referent, children }: { referent: ReferentHeaderData; children: ReactNode }) {
  return (
    <div className="container my-4">
      <div className="d-flex flex-wrap justify-content-between align-items-center mb-4 gap-2">
        <SectionNav label="Area referente" links={referent.termEndedOn ? [PRIVACY_LINK] : LINKS} />
        <div className="d-flex align-items-center gap-3">
          <span>
            {referent.firstName} {referent.lastName} <span className="text-muted">({referent.bodyName})</span>
          </span>
          <SignOutForm action="/area-referente/esci" buttonClassName="btn btn-outline-primary btn-sm" />
        </div>
      </div>
      <div id={PAGE_CONTENT_ID} tabIndex={-1}>
        {referent.termEndedOn ? (
          <p className="alert alert-info" data-testid="former-referent-notice">
            Il tuo incarico di referente {forBody(referent.bodyName)} è terminato il {referent.termEndedOn}: da qui puoi
            scaricare i tuoi dati o chiederne la cancellazione.
          </p>
        ) : null}
        {children}
      </div>
    </div>
  );
}

/** The narrow column of the sign-in's pages (the address, then the code). */
export function ReferentSignInFrame({ children }: { children: ReactNode }) {
  return (
    <div className="container my-5">
      <div className="row justify-content-center">
        <div className="col-md-9 col-lg-7">{children}</div>
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

type SignedIn = { firstName: string; lastName: string; bodyName: string } & (
  | { status: "active" | "pending" }
  | { status: "former"; termEndedAt: Date }
);

/** The referente's header data, as loaders pass it to the page (no ids). */
export const headerData = (r: SignedIn): ReferentHeaderData => ({
  firstName: r.firstName,
  lastName: r.lastName,
  bodyName: r.bodyName,
  termEndedOn: r.status === "former" ? formatDateIt(r.termEndedAt) : null,
});
