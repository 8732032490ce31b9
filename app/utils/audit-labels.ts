import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

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
  "membership.approved": "ha approvato l'adesione",
  "membership.handover_approved": "ha approvato il subentro del referente",
  "membership.rejected": "ha respinto l'adesione",
  "membership.revoked": "ha revocato l'adesione",
  "coordinator.created": "ha creato il coordinatore",
  "coordinator.invited": "ha invitato un coordinatore",
  "coordinator.reinvited": "ha inviato di nuovo l'invito a un coordinatore",
  "coordinator.role_changed": "ha cambiato il ruolo di un coordinatore",
  "coordinator.disabled": "ha disattivato un coordinatore",
  "coordinator.enabled": "ha riattivato un coordinatore",
  "coordinator.password_set": "ha impostato la password e attivato l'account",
  "auth.login_code_sent": "ha chiesto un codice di accesso all'area referente",
  "membership.edited": "ha modificato i dati dell'adesione",
  "membership.exported": "ha esportato l'elenco delle adesioni",
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
  "referent.erased": "ha cancellato i dati personali di un referente",
  "round_table.duplicated": "ha duplicato un tavolo tecnico",
  "round_table.invitations_sent": "ha inviato gli inviti a un tavolo tecnico",
  "round_table.reminders_sent": "ha inviato i promemoria di un tavolo tecnico",
  "round_table.materials_announced": "ha annunciato i materiali disponibili di un tavolo tecnico",
  "invitation.answered": "ha risposto a un invito",
  "invitation.attendance_set": "ha registrato una presenza",
  "sai_project.closed": "ha chiuso un progetto SAI",
  "sai_project.reopened": "ha riaperto un progetto SAI",
  "membership.created": "ha creato un'adesione importata",
  "communication.draft_saved": "ha salvato la bozza di una comunicazione",
  "communication.draft_deleted": "ha eliminato la bozza di una comunicazione",
  "communication.sent": "ha inviato una comunicazione",
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
  round_table: "un tavolo tecnico",
  roundtable: "un tavolo tecnico",
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
};

export function auditEntityLabel(entityType: string): string {
  return AUDIT_ENTITY_LABELS[entityType] ?? entityType;
}

/** Where a record of the log can be opened, when it has a page. */
export function auditEntityHref(entityType: string | null, entityId: string | null): string | null {
  if (!entityType || !entityId) return null;
  if (entityType === "membership_request" && /^\d+$/.test(entityId)) return `/admin/adesioni/${entityId}`;
  if (entityType === "communication" && /^\d+$/.test(entityId)) return `/admin/comunicazioni/${entityId}`;
  return null;
}

const DETAIL_KEYS: Record<string, string> = {
  before: "prima",
  after: "dopo",
  email: "email",
  name: "nome",
  role: "ruolo",
  disabled: "disattivato",
  reason: "motivo",
  ip: "IP",
  kind: "tipo",
  memberBodyId: "ente",
  referentId: "referente",
  previousReferentId: "referente precedente",
  subject: "oggetto",
};

function detailValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "sì" : "no";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return value.map(detailValue).join(", ");
  return JSON.stringify(value);
}

/**
 * The details of an entry as a flat list of key/value strings ("prima ruolo: admin"); nested objects
 * one level deep are flattened. The strings are rendered as text, so React escapes them.
 */
export function auditDetailPairs(details: unknown): { key: string; value: string }[] {
  if (!details || typeof details !== "object" || Array.isArray(details)) return details == null ? [] : [{ key: "valore", value: detailValue(details) }];
  const pairs: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    const label = DETAIL_KEYS[key] ?? key;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        pairs.push({ key: `${label} ${DETAIL_KEYS[inner] ?? inner}`, value: detailValue(innerValue) });
      }
    } else {
      pairs.push({ key: label, value: detailValue(value) });
    }
  }
  return pairs;
}

/** "07/03/2026 14:05:09" in Italian time: a log needs the seconds and a sortable look. */
export function formatAuditTime(date: Date | string): string {
  return format(new TZDate(new Date(date), "Europe/Rome"), "dd/MM/yyyy HH:mm:ss");
}
