import type { MemberBodyKind, MembershipStatus, OutboxStatus, ReferentRole, SaiCategory } from "#db/enums";

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
  candidate: "In attesa di adesione",
  member: "Aderente",
  revoked: "Adesione revocata",
} as const;
