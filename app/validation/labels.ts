import type { MemberBodyKind, MembershipStatus, OutboxStatus, ReferentRole, SaiCategory } from "#db/enums";
import type { EmailTemplateName } from "#emails/index";

export const MEMBER_BODY_KIND_LABELS: Record<MemberBodyKind, string> = {
  comune: "Comune",
  unione_comuni: "Unione di Comuni",
  libero_consorzio: "Libero Consorzio comunale",
  citta_metropolitana: "Città Metropolitana",
  altro: "Altro ente",
};

export const REFERENT_ROLE_LABELS: Record<ReferentRole, string> = {
  sindaco: "Sindaco",
  assessore: "Assessore",
  dirigente: "Dirigente",
  funzionario: "Funzionario",
  responsabile_sai: "Responsabile progetto SAI",
  altro: "Altro",
};

export const SAI_CATEGORY_LABELS: Record<SaiCategory, string> = {
  ordinari: "Ordinari",
  MSNA: "MSNA (minori stranieri non accompagnati)",
  "DM/DS": "DM/DS (disagio mentale o disabilità)",
};

export const OUTBOX_STATUS_LABELS: Record<OutboxStatus, string> = {
  queued: "In coda",
  sending: "In invio",
  sent: "Inviata",
  failed: "Non recapitata",
};

/**
 * What each email of the portal is, in words, for the delivery log (/admin/posta) and the pages
 * that list emails. Typed over all templates: a new one does not compile until it is named here.
 */
export const EMAIL_TEMPLATE_LABELS: Record<EmailTemplateName, string> = {
  "confirm-registration": "Conferma dell'email di adesione",
  "registration-awaiting-approval": "Adesione da approvare (ai coordinatori)",
  "membership-approved": "Adesione approvata",
  "membership-rejected": "Scheda referente non approvata",
  "membership-revoked": "Adesione revocata",
  "referent-replaced": "Avviso di cambio di referente",
  "coordinator-invitation": "Invito all'area coordinatori",
  "coordinator-password-reset": "Collegamento per reimpostare la password (coordinatori)",
  "coordinator-password-changed": "Avviso di password cambiata (coordinatori)",
  "coordinator-email-changed": "Avviso di indirizzo email cambiato (coordinatori)",
  communication: "Comunicazione",
  "round-table-invitation": "Invito a un Tavolo tecnico",
  "round-table-reminder": "Promemoria di un Tavolo tecnico",
  "referent-login-code": "Codice di accesso all'area referente",
  "referent-email-change": "Conferma del nuovo indirizzo email del referente",
  "referent-email-changed": "Avviso di cambio dell'indirizzo email (al vecchio indirizzo)",
  "handover-proposal": "Proposta di subentro come referente",
  "round-table-updated": "Aggiornamento di un Tavolo tecnico",
  "round-table-rejoined": "Tavolo tecnico aggiornato, a chi ora partecipa",
  "round-table-cancelled": "Annullamento di un Tavolo tecnico",
  "materials-available": "Materiali disponibili di un Tavolo tecnico",
  "erasure-requested": "Richiesta di cancellazione dei dati (ai coordinatori)",
  "erasure-request-received": "Conferma di ricezione della richiesta di cancellazione (al referente)",
  "erasure-completed": "Avviso di cancellazione eseguita (al referente)",
};

/** The Italian name of a template stored in the outbox; an unknown name is shown as it is. */
export function emailTemplateLabel(template: string) {
  return Object.hasOwn(EMAIL_TEMPLATE_LABELS, template) ? EMAIL_TEMPLATE_LABELS[template as EmailTemplateName] : template;
}

export const MEMBERSHIP_STATUS_LABELS: Record<MembershipStatus, string> = {
  email_unverified: "Email da confermare",
  pending: "In attesa di approvazione",
  approved: "Approvata",
  rejected: "Respinta",
  revoked: "Revocata",
  superseded: "Sostituita da un cambio di referente",
};

export const MEMBERSHIP_KIND_LABELS = {
  new: "Nuova adesione",
  handover: "Cambio di referente",
} as const;

export const MEMBER_BODY_STATUS_LABELS = {
  // Never a member: its request is waiting, or was rejected or withdrawn.
  candidate: "Non ancora aderente",
  member: "Aderente",
  revoked: "Adesione revocata",
} as const;
