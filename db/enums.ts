// Enumerations shared by the database schema and the browser-side validation (no drizzle import here).

export const MEMBER_BODY_KINDS = ["comune", "unione_comuni", "libero_consorzio", "citta_metropolitana", "altro"] as const;
export type MemberBodyKind = (typeof MEMBER_BODY_KINDS)[number];

export const REFERENT_ROLES = ["sindaco", "assessore", "dirigente", "funzionario", "responsabile_sai", "altro"] as const;
export type ReferentRole = (typeof REFERENT_ROLES)[number];

export const SAI_CATEGORIES = ["ordinari", "MSNA", "DM/DS"] as const;
export type SaiCategory = (typeof SAI_CATEGORIES)[number];

// "superseded": an approved membership whose referente was replaced by an approved handover.
export const MEMBERSHIP_STATUSES = ["email_unverified", "pending", "approved", "rejected", "revoked", "superseded"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const MEMBERSHIP_KINDS = ["new", "handover"] as const;

export const OUTBOX_STATUSES = ["queued", "sending", "sent", "failed"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
