// The referente's consent to the privacy notice, as the coordinators' pages and the printable scheda
// tell it. A scheda given on the portal stores the notice's version and the moment of the consent.
// An imported scheda stores IMPORT_PRIVACY_NOTICE_VERSION and the moment of the import: the portal
// collected no consent then, so it must not be shown as one. A successor proposed from the referent
// area has none (an empty version) until they confirm the proposal.

/** Stored as the referente's privacy notice version by the import of the member list. */
export const IMPORT_PRIVACY_NOTICE_VERSION = "scheda-importata";

/**
 * What happened instead of a consent, for an imported scheda ("Scheda importata dai coordinatori il
 * 27 novembre 2026 alle 23:49: il consenso non è stato raccolto dal portale"); null for a consent
 * given on the portal. `when` is the stored moment, already formatted by the caller.
 */
export function importedConsentNote(version: string, when: string): string | null {
  return version === IMPORT_PRIVACY_NOTICE_VERSION ? `Scheda importata dai coordinatori il ${when}: il consenso non è stato raccolto dal portale` : null;
}

/**
 * The referente's consent as a page tells it: «Versione 2026-11-26, reso il …», the import's note, or
 * «Non ancora reso» for a proposed successor who has not confirmed yet. `when` as the caller formats it.
 */
export function consentDescription(version: string, when: string): string {
  if (version === "") return "Non ancora reso: il referente proposto lo rende confermando la proposta di subentro";
  return importedConsentNote(version, when) ?? `Versione ${version}, reso il ${when}`;
}
