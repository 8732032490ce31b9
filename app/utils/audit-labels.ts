import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { formatIsoDay } from "./dates";
import { ROUND_TABLE_MODE_LABELS } from "./round-table-calendar";
import { foldForSearch, formatFileSize } from "./text";
import { COORDINATOR_ROLE_LABELS } from "~/validation/coordinator";
import { ANSWER_LABELS } from "~/validation/invitations";
import {
  MEMBER_BODY_KIND_LABELS,
  MEMBER_BODY_STATUS_LABELS,
  MEMBERSHIP_KIND_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  REFERENT_ROLE_LABELS,
  SAI_CATEGORY_LABELS,
} from "~/validation/labels";
import { MATERIAL_KIND_LABELS, MATERIAL_VISIBILITY_LABELS } from "~/validation/material";
import { ROUND_TABLE_STATUS_LABELS } from "~/validation/round-table";
import { formatCount } from "./numbers";

// Italian wording of the audit log, shared by the overview (/admin) and the log (/admin/registro).
// Labels are verb phrases that follow the actor's name: "Maria Rossi ha approvato l'adesione".

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "auth.login_succeeded": "ha effettuato l'accesso",
  "auth.login_failed": "ha tentato l'accesso senza riuscirci",
  "auth.login_blocked": "ha tentato l'accesso durante un blocco per troppi tentativi falliti",
  "auth.logout": "ha chiuso la sessione",
  "membership.submitted": "ha inviato la scheda referente",
  "membership.resubmitted": "ha inviato di nuovo la scheda referente",
  "membership.email_confirmed": "ha confermato l'indirizzo email della scheda",
  "membership.confirmation_resent": "ha chiesto un nuovo collegamento di conferma della scheda",
  "membership.approved": "ha approvato l'adesione",
  "membership.handover_approved": "ha approvato il subentro del referente",
  "membership.rejected": "ha respinto l'adesione",
  "membership.revoked": "ha revocato l'adesione",
  "membership.welcome_sent": "ha inviato l'email di benvenuto al referente importato",
  "coordinator.created": "ha creato il coordinatore",
  "coordinator.invited": "ha invitato un coordinatore",
  "coordinator.reinvited": "ha inviato di nuovo l'invito a un coordinatore",
  "coordinator.role_changed": "ha cambiato il ruolo di un coordinatore",
  "coordinator.renamed": "ha cambiato il proprio nome",
  "coordinator.email_changed": "ha cambiato l'indirizzo email di un coordinatore",
  "coordinator.disabled": "ha disattivato un coordinatore",
  "coordinator.enabled": "ha riattivato un coordinatore",
  "coordinator.password_set": "ha impostato la password e attivato l'account",
  "coordinator.password_changed": "ha cambiato la propria password",
  "coordinator.password_change_failed": "ha sbagliato la password attuale cercando di cambiarla",
  "coordinator.password_reset_requested": "ha chiesto il collegamento per reimpostare la password di un coordinatore",
  "coordinator.password_reset_sent": "ha inviato a un coordinatore il collegamento per reimpostare la password",
  "coordinator.password_reset": "ha reimpostato la propria password con il collegamento ricevuto per email",
  "coordinator.login_unblocked": "ha riattivato l'accesso di un coordinatore sospeso per troppi tentativi non riusciti",
  "coordinator.password_set_from_console": "ha impostato una nuova password per un coordinatore dalla riga di comando del server",
  "auth.login_code_sent": "ha chiesto un codice di accesso all'area referente",
  "membership.edited": "ha modificato i dati dell'adesione",
  "membership.exported": "ha esportato l'elenco delle adesioni",
  "membership.scheda_downloaded": "ha scaricato la scheda referente in PDF",
  "email.downloaded": "ha scaricato un'email della posta in uscita (.eml)",
  "membership.handover_proposed": "ha proposto un successore come referente",
  "membership.handover_withdrawn": "ha ritirato la proposta di subentro",
  "membership.purged": "ha cancellato una richiesta scaduta (conservazione dei dati)",
  "member_body.purged": "ha cancellato un ente senza richieste (conservazione dei dati)",
  "members.imported": "ha importato l'elenco degli enti",
  "referent.updated": "ha aggiornato i dati del referente",
  "referent.email_change_requested": "ha chiesto di cambiare l'indirizzo email",
  "referent.email_changed": "ha confermato il nuovo indirizzo email",
  "referent.unsubscribed": "ha scelto di non ricevere le comunicazioni",
  "referent.communications_resumed": "ha scelto di ricevere di nuovo le comunicazioni",
  "referent.erasure_requested": "ha chiesto la cancellazione dei propri dati",
  "referent.erasure_withdrawn": "ha ritirato la richiesta di cancellazione dei propri dati",
  "referent.erased": "ha cancellato i dati personali di un referente",
  "round_table.duplicated": "ha duplicato un Tavolo tecnico",
  "round_table.invitations_sent": "ha inviato gli inviti a un Tavolo tecnico",
  "round_table.invitations_exported": "ha esportato gli inviti e le presenze di un Tavolo tecnico",
  "round_table.reminders_sent": "ha inviato i promemoria di un Tavolo tecnico",
  "round_table.materials_announced": "ha annunciato i materiali disponibili di un Tavolo tecnico",
  "invitation.answered": "ha risposto a un invito",
  "invitation.attendance_set": "ha registrato una presenza",
  "sai_project.closed": "ha chiuso un progetto SAI",
  "sai_project.reopened": "ha riaperto un progetto SAI",
  "membership.created": "ha creato un'adesione importata",
  "communication.draft_saved": "ha salvato la bozza di una comunicazione",
  "communication.draft_deleted": "ha eliminato la bozza di una comunicazione",
  "communication.sent": "ha inviato una comunicazione",
  "communication.retried": "ha ritentato l'invio delle email non consegnate di una comunicazione",
  "email.retried": "ha ritentato l'invio di un'email non consegnata",
};

// For codes written by parts of the portal that have no entry above: "<entity>.<verb>" is worded
// from these two maps, so the log never shows a bare code when both parts are known.
const ENTITY_OBJECTS: Record<string, string> = {
  membership: "un'adesione",
  membership_request: "una richiesta di adesione",
  coordinator: "un coordinatore",
  member_body: "un ente",
  referent: "un referente",
  project: "un progetto SAI",
  sai_project: "un progetto SAI",
  round_table: "un Tavolo tecnico",
  roundtable: "un Tavolo tecnico",
  material: "un materiale",
  invitation: "un invito",
  invitations: "gli inviti",
  communication: "una comunicazione",
  email: "un'email",
  outbox: "un'email",
};

const VERBS: Record<string, string> = {
  created: "ha creato",
  updated: "ha modificato",
  edited: "ha modificato",
  deleted: "ha eliminato",
  removed: "ha rimosso",
  added: "ha aggiunto",
  published: "ha pubblicato",
  cancelled: "ha annullato",
  sent: "ha inviato",
  retried: "ha ritentato l'invio di",
  exported: "ha esportato",
  uploaded: "ha caricato",
  duplicated: "ha duplicato",
};

/** A referente as the log names who acted: "Maria Rossi (referente)". */
export const referentActorLabel = (firstName: string, lastName: string) => `${firstName} ${lastName} (referente)`;

export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  const [entity, verb] = action.split(".", 2);
  if (entity && verb && ENTITY_OBJECTS[entity] && VERBS[verb]) return `${VERBS[verb]} ${ENTITY_OBJECTS[entity]}`;
  return `ha eseguito l'azione «${action}»`;
}

/** The label as a table cell or option shows it: "Ha approvato l'adesione". */
export function auditActionTitle(action: string): string {
  const label = auditActionLabel(action);
  return label.charAt(0).toUpperCase() + label.slice(1);
}

export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  membership_request: "Richiesta di adesione",
  coordinator: "Coordinatore",
  member_body: "Ente",
  referent: "Referente",
  sai_project: "Progetto SAI",
  round_table: "Tavolo tecnico",
  material: "Materiale",
  invitation: "Invito",
  outbox: "Email",
  communication: "Comunicazione",
  import: "Importazione",
};

export function auditEntityLabel(entityType: string): string {
  return AUDIT_ENTITY_LABELS[entityType] ?? entityType;
}

/** Where a record of the log can be opened, when it has a page. */
export function auditEntityHref(entityType: string | null, entityId: string | null): string | null {
  if (!entityType || !entityId) return null;
  if (entityType === "membership_request" && /^\d+$/.test(entityId)) return `/admin/adesioni/${entityId}`;
  if (entityType === "communication" && /^\d+$/.test(entityId)) return `/admin/comunicazioni/${entityId}`;
  if (entityType === "round_table" && /^\d+$/.test(entityId)) return `/admin/tavoli/${entityId}`;
  return null;
}

// The details of an entry are the JSON each part of the portal recorded: English keys and stored
// values. They are shown with Italian names, the labels the rest of the portal uses for stored
// values, and dates in Italian time; an unknown key is still shown, as it is.
const DETAIL_KEYS: Record<string, string> = {
  before: "prima",
  after: "dopo",
  filters: "filtri",
  sort: "ordinamento",
  // people and enti
  email: "email",
  name: "nome",
  firstName: "nome",
  lastName: "cognome",
  role: "ruolo",
  office: "ufficio",
  phone: "telefono",
  mobile: "cellulare",
  pec: "PEC",
  fiscalCode: "codice fiscale",
  bodyName: "denominazione",
  bodyKind: "tipo di ente",
  municipalityCode: "comune (codice ISTAT)",
  provinceCode: "provincia",
  provinceCodes: "province",
  disabled: "disattivato",
  reason: "motivo",
  ip: "indirizzo IP",
  area: "area",
  method: "modalità di accesso",
  retryAfterSeconds: "secondi di attesa",
  suspendedUntil: "accesso sospeso fino a",
  kind: "tipo",
  status: "stato",
  memberBodyId: "ente",
  referentId: "referente",
  previousReferentId: "referente precedente",
  transferredInvitations: "inviti passati al nuovo referente",
  closedProjects: "progetti dell'ente chiusi (sostituiti)",
  alreadyRegisteredProjects: "progetti dichiarati già registrati, non aggiunti",
  updatedProjects: "progetti già registrati aggiornati con i dati della scheda",
  declaredNotApplied: "dati della scheda non applicati (corretti da un coordinatore)",
  handoverProposal: "proposta di subentro",
  privacyNoticeVersion: "versione dell'informativa",
  // erasures
  termEnded: "incarico terminato",
  requestsWithdrawn: "richieste di adesione ritirate",
  changes: "modifiche",
  // projects
  projectId: "progetto",
  category: "tipologia",
  categories: "tipologie",
  fundedPlaces: "posti finanziati",
  projectCode: "codice progetto",
  managingOrganization: "ente attuatore",
  startDate: "data di inizio",
  endDate: "data di fine",
  closedAt: "chiuso il",
  // Tavoli tecnici, invitations and materials
  roundTableId: "tavolo tecnico",
  number: "numero",
  title: "titolo",
  description: "programma",
  startsAt: "inizio",
  endsAt: "fine",
  mode: "modalità",
  place: "luogo",
  onlineUrl: "collegamento online",
  speakers: "interventi a cura di",
  reminderDays: "promemoria (giorni prima)",
  sequence: "versione dell'evento in calendario",
  notified: "invitati avvisati",
  answer: "risposta",
  previous: "risposta precedente",
  attended: "presente",
  includeReferents: "referenti inclusi",
  extraEmails: "indirizzi aggiuntivi",
  materialIds: "materiali",
  url: "collegamento",
  visibility: "visibilità",
  curatedBy: "a cura di",
  downloadName: "nome del file",
  mimeType: "tipo di file",
  sizeBytes: "dimensione",
  announced: "email di annuncio",
  // emails, exports and imports
  subject: "oggetto",
  recipientEmail: "destinatario",
  lastError: "errore",
  attempts: "tentativi",
  attachment: "allegato",
  count: "destinatari",
  emails: "email",
  format: "formato",
  rowCount: "righe esportate",
  key: "colonna",
  direction: "verso",
  q: "ricerca",
  fileName: "file",
  sheet: "foglio",
  line: "riga del file",
  rows: "righe",
  created: "nuovi enti",
  updated: "enti aggiornati",
  duplicates: "duplicati",
  errors: "righe con errori",
  sendEmails: "email ai referenti",
  source: "origine",
};

const merge = (...maps: Record<string, string>[]): Record<string, string> => Object.assign({}, ...maps);

/** Stored values worded as the rest of the portal words them, by the key they are recorded under. */
const VALUE_LABELS: Record<string, Record<string, string>> = {
  status: merge(MEMBERSHIP_STATUS_LABELS, MEMBER_BODY_STATUS_LABELS, ROUND_TABLE_STATUS_LABELS),
  kind: merge(MEMBERSHIP_KIND_LABELS, MATERIAL_KIND_LABELS, MEMBER_BODY_KIND_LABELS),
  bodyKind: MEMBER_BODY_KIND_LABELS,
  role: merge(COORDINATOR_ROLE_LABELS, REFERENT_ROLE_LABELS),
  answer: ANSWER_LABELS,
  previous: ANSWER_LABELS,
  mode: ROUND_TABLE_MODE_LABELS,
  category: SAI_CATEGORY_LABELS,
  categories: SAI_CATEGORY_LABELS,
  visibility: MATERIAL_VISIBILITY_LABELS,
  format: { csv: "CSV", xlsx: "Excel" },
  method: { code: "codice ricevuto per email", link: "collegamento ricevuto per email", switch: "passaggio da un altro ente" },
  area: { referente: "area referente" },
  direction: { asc: "crescente", desc: "decrescente" },
  key: { created: "data della richiesta", ente: "ente", status: "stato", province: "provincia" },
  reason: { retention: "termine di conservazione scaduto", "first start": "primo avvio del portale" },
  source: { "seed:demo": "dati dimostrativi", importazione: "importazione" },
};

/**
 * The stored values whose wording on the page contains `text` (folded), as the log's search text
 * holds them: "partecipa" gives `"answer":"yes"`, `"answer":"no"`, `"previous":"yes"`… The search
 * looks for these too, so an entry is found by the words it shows and not only by its codes.
 */
export function auditValuesWorded(text: string): string[] {
  const wanted = foldForSearch(text.trim());
  if (!wanted) return [];
  const found = new Set<string>();
  for (const [key, labels] of Object.entries(VALUE_LABELS)) {
    for (const [value, label] of Object.entries(labels)) {
      // The pair as JSON.stringify writes it inside the details, folded as the search text is.
      if (foldForSearch(label).includes(wanted)) found.add(foldForSearch(JSON.stringify({ [key]: value }).slice(1, -1)));
    }
  }
  return [...found];
}

/** Keys of the details whose values are record ids, and the kind of record: named when known, else "n. 7". */
export const RECORD_DETAIL_TYPES: Record<string, string> = {
  memberBodyId: "member_body",
  referentId: "referent",
  previousReferentId: "referent",
  projectId: "sai_project",
  roundTableId: "round_table",
  materialIds: "material",
};

/** Records by name, keyed by `recordNameKey(kind, id)` (see auditRecordNames). */
export type RecordNames = Record<string, string>;
export const recordNameKey = (kind: string, id: number | string) => `${kind}:${id}`;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

export type AuditDetailContext = {
  /** Province names by ISTAT code, for the provinces of invitations, comunicazioni and enti. */
  provinceNames?: Record<string, string>;
  /** The records an entry touches, by name ("Comune di Cefalù", "7° Tavolo tecnico - …"): ids mean nothing to people. */
  recordNames?: RecordNames;
};

function detailValue(key: string, value: unknown, context: AuditDetailContext): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "sì" : "no";
  if (Array.isArray(value)) {
    if (value.length === 0) return key === "categories" || key === "provinceCodes" ? "tutte" : "nessuno";
    return value.map((v) => detailValue(key, v, context)).join(", ");
  }
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    // A speaker of a Tavolo tecnico, in a list: { name, affiliation? }.
    if (typeof o.name === "string") return typeof o.affiliation === "string" && o.affiliation ? `${o.name} (${o.affiliation})` : o.name;
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (key === "sizeBytes") return formatFileSize(value);
    const kind = RECORD_DETAIL_TYPES[key];
    if (kind) return context.recordNames?.[recordNameKey(kind, value)] ?? `n. ${value}`;
    if (key === "count" || key === "rowCount" || key === "rows") return formatCount(value);
    return value.toLocaleString("it-IT", { useGrouping: false });
  }
  const text = String(value);
  const label = VALUE_LABELS[key]?.[text];
  if (label) return label;
  if ((key === "provinceCode" || key === "provinceCodes") && context.provinceNames?.[text]) return context.provinceNames[text];
  if (ISO_INSTANT.test(text)) return formatAuditTime(text).slice(0, 16);
  return formatIsoDay(text);
}

/**
 * The details of an entry as a flat list of key/value strings ("prima ruolo: Amministratore");
 * nested objects one level deep are flattened. The strings are rendered as text, so React escapes them.
 */
export function auditDetailPairs(details: unknown, context: AuditDetailContext = {}): { key: string; value: string }[] {
  if (!details || typeof details !== "object" || Array.isArray(details)) return details == null ? [] : [{ key: "valore", value: detailValue("", details, context) }];
  const pairs: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    const label = DETAIL_KEYS[key] ?? key;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        pairs.push({ key: `${label} ${DETAIL_KEYS[inner] ?? inner}`, value: detailValue(inner, innerValue, context) });
      }
    } else {
      pairs.push({ key: label, value: detailValue(key, value, context) });
    }
  }
  return pairs;
}

/** What the log names an entry's record by: its name when known, else its kind and number ("Ente n. 7"). */
export function auditRecordLabel(entityType: string | null, entityId: string | null, context: AuditDetailContext = {}) {
  if (!entityType) return "—";
  const name = entityId ? context.recordNames?.[recordNameKey(entityType, entityId)] : undefined;
  if (name) return name;
  return `${auditEntityLabel(entityType)}${entityId ? ` n. ${entityId}` : ""}`;
}

/** "07/03/2026 14:05:09" in Italian time: a log needs the seconds and a sortable look. */
export function formatAuditTime(date: Date | string): string {
  return format(new TZDate(new Date(date), "Europe/Rome"), "dd/MM/yyyy HH:mm:ss");
}
