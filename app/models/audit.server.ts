import { auditLog, AUDIT_ACTOR_TYPES } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";

export type AuditEntry = {
  actorType: (typeof AUDIT_ACTOR_TYPES)[number];
  actorId?: number | null;
  action: string;
  entityType?: string;
  entityId?: string | number;
  details?: Record<string, unknown>;
};

/** Written inside the caller's transaction so the record and the change stand or fall together. */
export function recordAudit(tx: Db | Tx, entry: AuditEntry) {
  tx.insert(auditLog)
    .values({
      actorType: entry.actorType,
      actorId: entry.actorId ?? null,
      action: entry.action,
      entityType: entry.entityType ?? null,
      entityId: entry.entityId === undefined ? null : String(entry.entityId),
      details: entry.details ?? null,
    })
    .run();
}
