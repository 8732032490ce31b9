// How much a request may send (form-body.server.ts). Not server-only: the error page of a 413
// (root.tsx) says the same words.

/**
 * A form without files: the longest scheda is a few kilobytes, a list of extra addresses for an
 * invitation a few dozen. Every action reads its whole body into memory, so without a bound one
 * anonymous post of 60 MB to /adesione took 500 MB of memory and blocked the server for seconds.
 */
export const FORM_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The most a form with a file may send: past a file's own limit the rest is read and thrown away so
 * the browser gets the form back with its message (material-upload.server.ts); beyond this the
 * request is refused (413). Routes that receive files declare it as `handle.maxBodyBytes`.
 */
export const UPLOAD_BODY_LIMIT_BYTES = 200 * 1024 * 1024;

export const uploadRouteHandle = { maxBodyBytes: UPLOAD_BODY_LIMIT_BYTES };

export const BODY_TOO_LARGE_MESSAGE =
  "I dati inviati superano la dimensione consentita per questo modulo. Torna indietro, riduci il testo o i file e riprova.";
