import type { ReactNode } from "react";

/**
 * What every error page shows, whether drawn by the root's error boundary or by a download route
 * that answers with a page of its own (standalonePage): the same look wherever the refusal comes from.
 */
export function ErrorPage({ title, message, children }: { title: string; message: ReactNode; children?: ReactNode }) {
  return (
    <div className="container my-5">
      <h1>{title}</h1>
      <p className="lead">{message}</p>
      {children}
    </div>
  );
}
