import type { ReactNode } from "react";

/**
 * The page a person lands on after signing in to download a file (redirectAfterSignIn), or after
 * following a sign-in link while already signed in: the download one click away, and «Accesso
 * effettuato» only when they have just signed in. It opens by a full page load, where
 * useFocusAfterNavigation leaves the focus alone: autoFocus gives it the focus then (and after a
 * client-side navigation the hook does the same).
 */
export function DownloadOffer({ signedInNow, children }: { signedInNow: boolean; children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status" tabIndex={-1} autoFocus>
      {signedInNow ? "Accesso effettuato. " : null}
      {children}
    </div>
  );
}
