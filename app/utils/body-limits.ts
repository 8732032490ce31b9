/**
 * The most a form with a file may send: past a file's own limit the rest is read and thrown away so
 * the browser gets the form back with its message (material-upload.server.ts); beyond this the
 * request is refused (413). Routes that receive files declare it as `handle.maxBodyBytes`
 * (form-body.server.ts); other forms are bounded at 1 MB.
 */
export const UPLOAD_BODY_LIMIT_BYTES = 200 * 1024 * 1024;

export const uploadRouteHandle = { maxBodyBytes: UPLOAD_BODY_LIMIT_BYTES };
