import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import {
  MEMBER_BODY_KINDS,
  MEMBERSHIP_KINDS,
  OUTBOX_STATUSES,
  MEMBERSHIP_STATUSES,
  REFERENT_ROLES,
  SAI_CATEGORIES,
} from "./enums";

export * from "./enums";

// The whole data model of SPEC.md §3. Times are stored as epoch milliseconds (UTC);
// calendar dates without a time (project start/end) as ISO `YYYY-MM-DD` text.

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const PROVINCE_KINDS = ["libero_consorzio", "citta_metropolitana", "provincia"] as const;

export const provinces = sqliteTable("provinces", {
  code: text("code").primaryKey(), // ISTAT, e.g. "082"
  sigla: text("sigla").notNull().unique(),
  name: text("name").notNull(),
  kind: text("kind", { enum: PROVINCE_KINDS }).notNull(),
  region: text("region").notNull(),
});

export const municipalities = sqliteTable(
  "municipalities",
  {
    istatCode: text("istat_code").primaryKey(), // 6 digits
    name: text("name").notNull(),
    searchKey: text("search_key").notNull(), // lower case, no accents or apostrophes
    provinceCode: text("province_code")
      .notNull()
      .references(() => provinces.code),
  },
  (t) => [index("municipalities_province_idx").on(t.provinceCode)],
);

export const MEMBER_BODY_STATUSES = ["candidate", "member", "revoked"] as const;

export const memberBodies = sqliteTable(
  "member_bodies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: MEMBER_BODY_KINDS }).notNull(),
    municipalityCode: text("municipality_code").references(() => municipalities.istatCode),
    // The province of the ente's seat: its comune's for a Comune, chosen in the scheda for the
    // others (a Libero Consorzio or a Città Metropolitana is one). Null only for enti recorded
    // before it was asked and not yet completed by a coordinator.
    provinceCode: text("province_code").references(() => provinces.code),
    name: text("name").notNull(),
    pec: text("pec").notNull(),
    fiscalCode: text("fiscal_code").notNull(),
    status: text("status", { enum: MEMBER_BODY_STATUSES }).notNull().default("candidate"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    // The name in lower case without accents, for the member list's search and sort. Written by
    // triggers at every insert and change of the name (migration 0008, decision 015): never set it.
    searchName: text("search_name"),
  },
  (t) => [
    uniqueIndex("member_bodies_fiscal_code_uq").on(t.fiscalCode),
    uniqueIndex("member_bodies_comune_uq")
      .on(t.municipalityCode)
      .where(sql`kind = 'comune'`),
    index("member_bodies_province_idx").on(t.provinceCode),
  ],
);


export const referents = sqliteTable(
  "referents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberBodyId: integer("member_body_id")
      .notNull()
      .references(() => memberBodies.id),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    role: text("role", { enum: REFERENT_ROLES }).notNull(),
    office: text("office").notNull(),
    email: text("email").notNull(),
    phone: text("phone").notNull(), // E.164
    mobile: text("mobile"), // E.164
    privacyConsentAt: integer("privacy_consent_at", { mode: "timestamp_ms" }).notNull(),
    privacyNoticeVersion: text("privacy_notice_version").notNull(),
    emailVerifiedAt: integer("email_verified_at", { mode: "timestamp_ms" }),
    receivesCommunications: integer("receives_communications", { mode: "boolean" })
      .notNull()
      .default(true),
    // validFrom is set when a coordinator approves; validTo when a successor takes over.
    validFrom: integer("valid_from", { mode: "timestamp_ms" }),
    validTo: integer("valid_to", { mode: "timestamp_ms" }),
    erasedAt: integer("erased_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    // First name, last name and email in lower case without accents, for the member list's search.
    // Written by triggers at every insert and change of those (migration 0008, decision 015).
    searchText: text("search_text"),
  },
  (t) => [
    index("referents_email_idx").on(t.email),
    uniqueIndex("referents_one_active_per_body_uq")
      .on(t.memberBodyId)
      .where(sql`valid_from IS NOT NULL AND valid_to IS NULL`),
  ],
);


export const membershipRequests = sqliteTable(
  "membership_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberBodyId: integer("member_body_id")
      .notNull()
      .references(() => memberBodies.id),
    referentId: integer("referent_id")
      .notNull()
      .references(() => referents.id),
    kind: text("kind", { enum: MEMBERSHIP_KINDS }).notNull(),
    status: text("status", { enum: MEMBERSHIP_STATUSES }).notNull().default("email_unverified"),
    noActiveProjects: integer("no_active_projects", { mode: "boolean" }).notNull().default(false),
    // The form as submitted (ente data included), kept for the printable scheda and audits.
    submission: text("submission", { mode: "json" }).notNull(),
    confirmationTokenHash: text("confirmation_token_hash"),
    confirmationExpiresAt: integer("confirmation_expires_at", { mode: "timestamp_ms" }),
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
    decidedById: integer("decided_by_id").references(() => coordinators.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decisionReason: text("decision_reason"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("membership_requests_status_idx").on(t.status),
    index("membership_requests_body_idx").on(t.memberBodyId),
    uniqueIndex("membership_requests_token_uq").on(t.confirmationTokenHash),
    uniqueIndex("membership_requests_one_approved_uq")
      .on(t.memberBodyId)
      .where(sql`status = 'approved'`),
  ],
);


export const saiProjects = sqliteTable(
  "sai_projects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberBodyId: integer("member_body_id")
      .notNull()
      .references(() => memberBodies.id),
    // The request that declared the project; null once edited from the referent area.
    requestId: integer("request_id").references(() => membershipRequests.id),
    category: text("category", { enum: SAI_CATEGORIES }).notNull(),
    fundedPlaces: integer("funded_places").notNull(),
    projectCode: text("project_code"),
    managingOrganization: text("managing_organization").notNull(),
    startDate: text("start_date").notNull(),
    endDate: text("end_date").notNull(),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    // Declared by a handover scheda although the ente already had it open: closed at the approval
    // that kept the ente's projects instead of being added a second time (decision 021). It stays
    // with its request, as the scheda declared it, but is none of the ente's projects, open or closed.
    alreadyRegistered: integer("already_registered", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("sai_projects_body_idx").on(t.memberBodyId)],
);

export const projectHostMunicipalities = sqliteTable(
  "project_host_municipalities",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => saiProjects.id, { onDelete: "cascade" }),
    municipalityCode: text("municipality_code")
      .notNull()
      .references(() => municipalities.istatCode),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.municipalityCode] })],
);

export const COORDINATOR_ROLES = ["admin", "coordinator"] as const;

export const coordinators = sqliteTable("coordinators", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: text("role", { enum: COORDINATOR_ROLES }).notNull().default("coordinator"),
  passwordHash: text("password_hash"),
  inviteTokenHash: text("invite_token_hash"),
  inviteExpiresAt: integer("invite_expires_at", { mode: "timestamp_ms" }),
  disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
  createdAt: createdAt(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(), // random, 32 bytes base64url
    coordinatorId: integer("coordinator_id").references(() => coordinators.id),
    referentId: integer("referent_id").references(() => referents.id),
    data: text("data", { mode: "json" }).notNull().default(sql`'{}'`),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("sessions_coordinator_idx").on(t.coordinatorId),
    index("sessions_referent_idx").on(t.referentId),
  ],
);

// Referent area (issue 6). A one-time sign-in code and its magic link: only hashes are stored, and
// the address itself only as a keyed hash, so the table holds no personal data in clear.
export const referentLoginCodes = sqliteTable(
  "referent_login_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // The referente the code signs in (the address may belong to more than one; the current one first).
    referentId: integer("referent_id")
      .notNull()
      .references(() => referents.id, { onDelete: "cascade" }),
    emailHash: text("email_hash").notNull(),
    codeHash: text("code_hash").notNull(),
    linkTokenHash: text("link_token_hash").notNull(),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    // Set when the code or its link is used, replaced by a newer code, or killed by wrong tries.
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    // The page of the portal that sent the person to sign in (a path, checked by safeRedirectPath),
    // opened once the code or the link works. Kept here rather than in the emailed link, whose query
    // anyone could rewrite.
    returnTo: text("return_to"),
    createdAt: createdAt(),
  },
  (t) => [
    index("referent_login_codes_email_idx").on(t.emailHash),
    uniqueIndex("referent_login_codes_link_uq").on(t.linkTokenHash),
  ],
);

// A referente's new address, waiting for the confirmation sent to it; the old one works until then.
export const referentEmailChanges = sqliteTable(
  "referent_email_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    referentId: integer("referent_id")
      .notNull()
      .references(() => referents.id, { onDelete: "cascade" }),
    newEmail: text("new_email").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("referent_email_changes_referent_idx").on(t.referentId),
    uniqueIndex("referent_email_changes_token_uq").on(t.tokenHash),
  ],
);

export const ROUND_TABLE_MODES = ["online", "in_presenza", "ibrido"] as const;
export const ROUND_TABLE_STATUSES = ["draft", "published", "cancelled"] as const;

export type Speaker = { name: string; affiliation?: string };

export const roundTables = sqliteTable(
  "round_tables",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    number: integer("number"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }).notNull(),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }).notNull(),
    mode: text("mode", { enum: ROUND_TABLE_MODES }).notNull(),
    place: text("place"),
    onlineUrl: text("online_url"),
    speakers: text("speakers", { mode: "json" }).$type<Speaker[]>().notNull().default(sql`'[]'`),
    status: text("status", { enum: ROUND_TABLE_STATUSES }).notNull().default("draft"),
    // iCalendar SEQUENCE: bumped whenever date, place or status change.
    sequence: integer("sequence").notNull().default(0),
    // Reminders go to invitees who said yes or have not answered, this many days before the start
    // (0: none); each invitation records its own in invitations.reminded_at.
    reminderDays: integer("reminder_days").notNull().default(2),
    // When it was cancelled (cancelRoundTable); NULL for the others. A cancelled Tavolo's invitees
    // are counted as they stood then: a term ended afterwards does not withdraw an invitation
    // (invitationWithdrawn, decision 018). Rows cancelled before the column: migration 0012.
    cancelledAt: integer("cancelled_at", { mode: "timestamp_ms" }),
    createdById: integer("created_by_id").references(() => coordinators.id),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // A cancelled Tavolo gives its number back: the meeting it announced can be proposed again
    // under the same number (numberTaken applies the same rule). Cancelling cannot be undone, so
    // a number is never held by two Tavoli that can still take place.
    uniqueIndex("round_tables_number_uq").on(t.number).where(sql`status <> 'cancelled'`),
    index("round_tables_starts_idx").on(t.startsAt),
  ],
);

export const MATERIAL_KINDS = ["nota_invito", "slides", "video", "documento"] as const;
export const MATERIAL_VISIBILITIES = ["public", "members"] as const;

export const materials = sqliteTable(
  "materials",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roundTableId: integer("round_table_id")
      .notNull()
      .references(() => roundTables.id),
    kind: text("kind", { enum: MATERIAL_KINDS }).notNull(),
    title: text("title").notNull(),
    curatedBy: text("curated_by"), // "a cura di"
    storedFileName: text("stored_file_name"), // random name under data/uploads
    downloadName: text("download_name"),
    mimeType: text("mime_type"),
    sizeBytes: integer("size_bytes"),
    url: text("url"),
    visibility: text("visibility", { enum: MATERIAL_VISIBILITIES }).notNull().default("public"),
    // When the "materiali disponibili" email went to the invitees (slides and video after the event).
    announcedAt: integer("announced_at", { mode: "timestamp_ms" }),
    // Slides or a video added after the Tavolo ended: when its "materiali disponibili" email may leave
    // (the addition plus a short delay, so that materials added together go in one email). Null for
    // materials added before the end (announced once it ends) and for the other kinds (decision 022).
    announceAfter: integer("announce_after", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("materials_round_table_idx").on(t.roundTableId)],
);

export const INVITATION_ANSWERS = ["pending", "yes", "no"] as const;

export const invitations = sqliteTable(
  "invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roundTableId: integer("round_table_id")
      .notNull()
      .references(() => roundTables.id),
    referentId: integer("referent_id").references(() => referents.id),
    email: text("email").notNull(),
    // An address that is no referente's, typed with its name («Mario Rossi <mario@x.it>»): how the
    // emails greet them and the lists name them. Null for a referente (their record names them).
    name: text("name"),
    tokenHash: text("token_hash").notNull(),
    answer: text("answer", { enum: INVITATION_ANSWERS }).notNull().default("pending"),
    answeredAt: integer("answered_at", { mode: "timestamp_ms" }),
    attended: integer("attended", { mode: "boolean" }),
    // The round table's SEQUENCE the invitee last received (invitation, update or cancellation).
    notifiedSequence: integer("notified_sequence").notNull().default(0),
    // When the reminder went out (sendDueReminders): at most one per invitation, ever.
    remindedAt: integer("reminded_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitations_token_uq").on(t.tokenHash),
    uniqueIndex("invitations_table_email_uq").on(t.roundTableId, t.email),
    index("invitations_referent_idx").on(t.referentId),
    // Everything the counts of answers per round table read, so they never read the invitations
    // themselves (150,000 at national scale: /admin/tavoli, issue 7).
    index("invitations_counts_idx").on(t.roundTableId, t.answer, t.attended, t.referentId),
  ],
);

// The answer links an invitation had before it followed its referente to a new address
// (moveInvitations gives it a new one): only their hashes, as for the current link. The old link
// then says that the invitation went to the new address, instead of «Invito non trovato».
export const invitationMovedTokens = sqliteTable(
  "invitation_moved_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    invitationId: integer("invitation_id")
      .notNull()
      .references(() => invitations.id, { onDelete: "cascade" }),
    movedAt: integer("moved_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("invitation_moved_tokens_invitation_idx").on(t.invitationId)],
);

export const COMMUNICATION_STATUSES = ["draft", "sent"] as const;

// A comunicazione (/admin/comunicazioni): a free message to a segment of the active referenti. It
// is a draft until sent; its emails are outbox rows that point back to it (outbox.communication_id),
// which is the record of what went to whom.
export const communications = sqliteTable("communications", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  // The segment: ISTAT province codes and SAI tipologie; empty lists mean all.
  provinceCodes: text("province_codes", { mode: "json" }).$type<string[]>().notNull(),
  categories: text("categories", { mode: "json" }).$type<string[]>().notNull(),
  attachmentStoredName: text("attachment_stored_name"), // random name under data/uploads
  attachmentDownloadName: text("attachment_download_name"),
  attachmentMimeType: text("attachment_mime_type"),
  attachmentSizeBytes: integer("attachment_size_bytes"),
  status: text("status", { enum: COMMUNICATION_STATUSES }).notNull().default("draft"),
  recipientCount: integer("recipient_count"),
  createdBy: integer("created_by")
    .notNull()
    .references(() => coordinators.id),
  sentBy: integer("sent_by").references(() => coordinators.id),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  sentAt: integer("sent_at", { mode: "timestamp_ms" }),
});

export const EMAIL_CATEGORIES = ["service", "communication"] as const;

export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    recipient: text("recipient").notNull(),
    template: text("template").notNull(),
    props: text("props", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    category: text("category", { enum: EMAIL_CATEGORIES }).notNull().default("service"),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    lastError: text("last_error"),
    // Fixed when queued, so a retry after a crash is recognisable as the same message.
    messageId: text("message_id").notNull(),
    subject: text("subject"),
    memberBodyId: integer("member_body_id").references(() => memberBodies.id),
    roundTableId: integer("round_table_id").references(() => roundTables.id),
    communicationId: integer("communication_id").references(() => communications.id),
    createdAt: createdAt(),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_recipient_idx").on(t.recipient),
    index("outbox_member_body_idx").on(t.memberBodyId),
    index("outbox_round_table_idx").on(t.roundTableId),
    index("outbox_communication_idx").on(t.communicationId),
    // The outbox page's template filter lists the templates present: with this index SQLite reads
    // one entry per template instead of every email (0.13 s at 300,000 emails, issue 7). A query
    // that also names a recipient or a round table writes `+template`: without statistics SQLite
    // would otherwise start from every email of the template (reminders went from 0.2 to 5 s).
    index("outbox_template_idx").on(t.template),
  ],
);

export const AUDIT_ACTOR_TYPES = ["coordinator", "referent", "public", "system"] as const;

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    actorType: text("actor_type", { enum: AUDIT_ACTOR_TYPES }).notNull(),
    actorId: integer("actor_id"),
    action: text("action").notNull(),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    // The details as the log's search reads them: lower case, without accents or apostrophes
    // (auditSearchText). Written with the details; NULL only on rows older than the column until
    // migrateDatabase fills them (decision 013).
    searchText: text("search_text"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    index("audit_log_created_idx").on(t.createdAt),
    // Only the rows still to fold: empty once filled, so finding them at start-up reads no table.
    index("audit_log_unfolded_idx").on(t.id).where(sql`search_text IS NULL`),
  ],
);

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
