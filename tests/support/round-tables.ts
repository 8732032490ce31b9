import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { invitations, outbox, roundTables } from "#db/schema";
import { createRoundTable, publishRoundTable } from "~/models/round-table.server";
import { getDb } from "~/utils/db.server";
import { roundTableSchema, type RoundTableFormValues } from "~/validation/round-table";

let counter = 0;

/** Valid form values of a round table (a future online webinar); numbers are left blank unless given. */
export function roundTableFields(overrides: Partial<RoundTableFormValues> = {}): RoundTableFormValues {
  counter++;
  return {
    number: "",
    title: `Tavolo di prova ${counter} ${crypto.randomUUID().slice(0, 6)}`,
    description: "15:00 Saluti\n15:15 Interventi",
    startsAt: "2030-12-03T15:00",
    endsAt: "2030-12-03T17:00",
    mode: "online",
    place: "",
    onlineUrl: "https://meet.example.org/tavolo",
    speakers: "S. Bottari — Modello SAI Torino",
    reminderDays: "2",
    ...overrides,
  };
}

export function roundTableInput(overrides: Partial<RoundTableFormValues> = {}) {
  return roundTableSchema.parse(roundTableFields(overrides));
}

/** A round table created through the model, published unless told otherwise. */
export function createTestRoundTable(coordinatorId: number, overrides: Partial<RoundTableFormValues> = {}, { publish = true } = {}) {
  const db = getDb();
  const created = createRoundTable(db, { input: roundTableInput(overrides), coordinatorId });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  if (publish) {
    const published = publishRoundTable(db, { id: created.id, coordinatorId });
    if (!published.ok) throw new Error(published.error);
  }
  return db.select().from(roundTables).where(eq(roundTables.id, created.id)).get()!;
}

/** An invitation row written directly (the invitations feature is tested on its own); of a referente when referentId is given. */
export function addInvitation(roundTableId: number, email: string, answer: "pending" | "yes" | "no" = "pending", referentId: number | null = null) {
  return getDb()
    .insert(invitations)
    .values({ roundTableId, referentId, email, answer, tokenHash: crypto.randomBytes(32).toString("hex"), answeredAt: answer === "pending" ? null : new Date() })
    .returning()
    .get();
}

export function outboxForRoundTable(roundTableId: number, template?: string) {
  return getDb()
    .select()
    .from(outbox)
    .where(eq(outbox.roundTableId, roundTableId))
    .all()
    .filter((r) => !template || r.template === template);
}
