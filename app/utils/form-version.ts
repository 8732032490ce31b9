// The hidden field in which a form carries the fingerprint of what its page showed (form-version.server.ts).

export const FORM_VERSION_FIELD = "version";

/**
 * The fingerprint a form sent; undefined when it sent none (a request not made by the page's form,
 * as the approval's `referenteInCarica`): then the change is not checked.
 */
export function postedVersion(formData: FormData) {
  const value = formData.get(FORM_VERSION_FIELD);
  return typeof value === "string" ? value : undefined;
}
