import { Link } from "./link";

/**
 * «i coordinatori di ANCI Sicilia», with their address when CONTACT_EMAIL is set at delivery
 * (`contactEmail`, added by the worker, never stored): the way to warn them, said where it is asked.
 */
export function CoordinatorsContact({ contactEmail }: { contactEmail?: string }) {
  return (
    <>
      i coordinatori di ANCI Sicilia
      {contactEmail ? (
        <>
          {" "}
          all'indirizzo <Link href={`mailto:${contactEmail}`}>{contactEmail}</Link>
        </>
      ) : null}
    </>
  );
}
