import { eq } from "drizzle-orm";
import { referents } from "#db/schema";
import type { Db } from "~/utils/db.server";
import { recordAudit } from "./audit.server";

/** Opts every referente with this address in or out of non-essential emails (comunicazioni). */
export function setCommunicationsPreference(db: Db, { email, receives }: { email: string; receives: boolean }) {
  return db.transaction((tx) => {
    const changed = tx
      .update(referents)
      .set({ receivesCommunications: receives })
      .where(eq(referents.email, email.toLowerCase()))
      .returning({ id: referents.id })
      .all();
    for (const { id } of changed) {
      recordAudit(tx, {
        actorType: "referent",
        actorId: id,
        action: receives ? "referent.communications_resumed" : "referent.unsubscribed",
        entityType: "referent",
        entityId: id,
      });
    }
    return changed.length;
  });
}
