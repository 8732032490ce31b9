import { and, desc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { memberBodies, membershipRequests, outbox, referents, saiProjects } from "#db/schema";
import type { Registration } from "~/validation/registration";
import type { Db, Tx } from "~/utils/db.server";
import { createToken, hashToken } from "~/utils/tokens.server";
import { formatDateTimeIt } from "~/utils/dates";
import { recordAudit } from "./audit.server";
import { listActiveCoordinators } from "./coordinator.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { projectValues } from "./sai-project.server";
import { findMunicipality, isKnownProvince } from "./territory.server";
import { forBody } from "~/utils/text";

export const CONFIRMATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const PRIVACY_NOTICE_VERSION = "2026-11-26";

export type FieldErrors = Record<string, string>;

type SubmitResult =
  | { ok: true; outcome: "created" | "resent"; kind: "new" | "handover"; requestId: number; email: string }
  /** The same scheda again, moments after: nothing sent; the link emailed at `emailQueuedAt` stays valid. */
  | { ok: true; outcome: "repeated"; kind: "new" | "handover"; requestId: number; email: string; emailQueuedAt: Date }
  /** `alreadyReferent`: the address is the ente's referente in office, whose place is the referent area. */
  | { ok: false; fieldErrors: FieldErrors; formError?: string; alreadyReferent?: true };

type SubmitInput = { registration: Registration; appUrl: string; now?: Date };

/**
 * Records a scheda referente: the ente (found or created), the referente, the projects, the request
 * awaiting email confirmation and the confirmation email, all in one transaction.
 */
export function submitRegistration(db: Db, { registration: r, appUrl, now = new Date() }: SubmitInput): SubmitResult {
  let bodyName = r.bodyName ?? "";
  let provinceCode: string;
  if (r.bodyKind === "comune") {
    const municipality = findMunicipality(db, r.municipalityCode ?? "");
    if (!municipality) {
      return { ok: false, fieldErrors: { municipalityCode: "Comune non riconosciuto: sceglilo dall'elenco" } };
    }
    bodyName = `Comune di ${municipality.name}`;
    provinceCode = municipality.provinceCode;
  } else {
    if (!isKnownProvince(db, r.provinceCode)) {
      return { ok: false, fieldErrors: { provinceCode: "Provincia non riconosciuta: sceglila dall'elenco" } };
    }
    provinceCode = r.provinceCode;
  }

  return db.transaction((tx): SubmitResult => {
    const byFiscalCode = tx.select().from(memberBodies).where(eq(memberBodies.fiscalCode, r.fiscalCode)).get();
    // A Comune is found by its comune, any other ente by its codice fiscale. An Unione (or any other
    // kind) given the codice fiscale of a Comune is not that Comune's new scheda, as in the import.
    // Between the other kinds the ente found keeps the kind recorded (a coordinator can correct it).
    if (r.bodyKind !== "comune" && byFiscalCode?.kind === "comune") {
      return {
        ok: false as const,
        fieldErrors: { fiscalCode: `Questo codice fiscale è registrato per il ${byFiscalCode.name}: controlla il tipo di ente o il codice fiscale` },
      };
    }
    const existing =
      r.bodyKind === "comune"
        ? tx
            .select()
            .from(memberBodies)
            .where(and(eq(memberBodies.kind, "comune"), eq(memberBodies.municipalityCode, r.municipalityCode!)))
            .get()
        : byFiscalCode;
    if (byFiscalCode && existing && byFiscalCode.id !== existing.id) {
      return {
        ok: false as const,
        fieldErrors: { fiscalCode: "Questo codice fiscale appartiene a un altro ente già registrato: controllalo" },
      };
    }
    if (r.bodyKind === "comune" && byFiscalCode && !existing) {
      return {
        ok: false as const,
        fieldErrors: { fiscalCode: `Questo codice fiscale è già registrato ${forBody(byFiscalCode.name)}: controllalo` },
      };
    }

    // An ente already recorded keeps its data until a coordinator approves a scheda: anyone can send
    // one, unconfirmed, and the scheda's own values stay in its submission (applied at approval).
    const body = existing ?? insertBody(tx, { registration: r, name: bodyName, provinceCode, now });

    const openRequests = tx
      .select({ request: membershipRequests, email: referents.email })
      .from(membershipRequests)
      .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
      .where(and(eq(membershipRequests.memberBodyId, body.id), inArray(membershipRequests.status, ["email_unverified", "pending"])))
      .orderBy(desc(membershipRequests.id))
      .all();
    const sameEmail = openRequests.find((o) => o.email === r.email);
    if (sameEmail?.request.status === "pending") {
      return {
        ok: false as const,
        fieldErrors: {},
        formError:
          "Per questo ente e questo indirizzo email c'è già una scheda confermata in attesa di approvazione: non serve inviarla di nuovo.",
      };
    }

    const inOffice = activeReferent(tx, body.id);
    // The referente in office filling in the scheda again (to update it) would be approved as their
    // own successor: their data and projects are kept up to date in the referent area.
    if (inOffice?.email === r.email) {
      return {
        ok: false as const,
        fieldErrors: {},
        formError: `Questo indirizzo email è già quello del referente in carica ${forBody(body.name)}: non serve inviare una nuova scheda. I tuoi dati, quelli dell'ente e i progetti SAI si aggiornano dall'area referente.`,
        alreadyReferent: true as const,
      };
    }
    const kind = inOffice ? ("handover" as const) : ("new" as const);
    if (sameEmail) {
      const repeated = repeatedScheda(tx, { request: sameEmail.request, registration: r, memberBodyId: body.id, now });
      if (repeated) return repeated;
    }
    const { token, hash } = createToken();
    const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
    const referentValues = {
      memberBodyId: body.id,
      firstName: r.firstName,
      lastName: r.lastName,
      role: r.role,
      office: r.office,
      email: r.email,
      phone: r.phone,
      mobile: r.mobile ?? null,
      privacyConsentAt: now,
      privacyNoticeVersion: PRIVACY_NOTICE_VERSION,
    };

    let requestId: number;
    let outcome: "created" | "resent";
    if (sameEmail) {
      // Same ente, same address, still unconfirmed: refresh the data and send a new link.
      requestId = sameEmail.request.id;
      outcome = "resent";
      tx.update(referents).set(referentValues).where(eq(referents.id, sameEmail.request.referentId)).run();
      tx.update(membershipRequests)
        .set({
          kind,
          noActiveProjects: r.noActiveProjects,
          submission: r,
          confirmationTokenHash: hash,
          confirmationExpiresAt: expiresAt,
          updatedAt: now,
        })
        .where(eq(membershipRequests.id, requestId))
        .run();
      tx.delete(saiProjects).where(eq(saiProjects.requestId, requestId)).run();
    } else {
      outcome = "created";
      const referent = tx.insert(referents).values(referentValues).returning({ id: referents.id }).get();
      requestId = tx
        .insert(membershipRequests)
        .values({
          memberBodyId: body.id,
          referentId: referent.id,
          kind,
          status: "email_unverified",
          noActiveProjects: r.noActiveProjects,
          submission: r,
          confirmationTokenHash: hash,
          confirmationExpiresAt: expiresAt,
        })
        .returning({ id: membershipRequests.id })
        .get().id;
    }

    for (const p of r.projects) {
      tx.insert(saiProjects).values({ memberBodyId: body.id, requestId, ...projectValues(p) }).run();
    }

    queueConfirmationEmail(tx, {
      referent: r,
      bodyName: body.kind === "comune" ? body.name : bodyName,
      memberBodyId: body.id,
      token,
      expiresAt,
      isHandover: kind === "handover",
      appUrl,
    });
    recordAudit(tx, {
      actorType: "public",
      action: outcome === "created" ? "membership.submitted" : "membership.resubmitted",
      entityType: "membership_request",
      entityId: requestId,
      details: { memberBodyId: body.id, kind },
    });
    return { ok: true as const, outcome, kind, requestId, email: r.email };
  });
}

/** For this long after its email, the same scheda sent again keeps the link already sent. */
const REPEAT_KEEPS_LINK_MS = 15 * 60 * 1000;

/**
 * The same scheda sent again, unchanged, moments after (a double click, Back and «Invia» again):
 * nothing changes and no new link is sent, so the link just emailed stays the one to use and no
 * email in the person's inbox leads to «Collegamento non valido». Later, or changed, or after an
 * email that failed, the scheda is sent again as usual, with a new link. Null then.
 */
function repeatedScheda(
  tx: Tx,
  { request, registration: r, memberBodyId, now }: { request: typeof membershipRequests.$inferSelect; registration: Registration; memberBodyId: number; now: Date },
): SubmitResult | null {
  const stillValid = request.confirmationExpiresAt !== null && request.confirmationExpiresAt.getTime() > now.getTime();
  if (!stillValid || JSON.stringify(request.submission) !== JSON.stringify(r)) return null;
  const last = tx
    .select({ status: outbox.status, createdAt: outbox.createdAt })
    .from(outbox)
    .where(and(eq(outbox.template, "confirm-registration"), eq(outbox.recipient, r.email), eq(outbox.memberBodyId, memberBodyId)))
    .orderBy(desc(outbox.id))
    .get();
  if (!last || last.status === "failed" || now.getTime() - last.createdAt.getTime() >= REPEAT_KEEPS_LINK_MS) return null;
  return { ok: true, outcome: "repeated", kind: request.kind, requestId: request.id, email: r.email, emailQueuedAt: last.createdAt };
}

function insertBody(tx: Tx, { registration: r, name, provinceCode, now }: { registration: Registration; name: string; provinceCode: string; now: Date }) {
  return tx
    .insert(memberBodies)
    .values({
      kind: r.bodyKind,
      municipalityCode: r.bodyKind === "comune" ? r.municipalityCode : null,
      provinceCode,
      name,
      pec: r.pec,
      fiscalCode: r.fiscalCode,
      updatedAt: now,
    })
    .returning()
    .get();
}

export type ConfirmationLookup =
  | { state: "valid"; bodyName: string; email: string; kind: "new" | "handover" }
  | { state: "used"; bodyName: string }
  | { state: "expired" }
  | { state: "resent"; expiresOn: string }
  | { state: "invalid" };

/** The email with the link that confirms a scheda's address (sent, sent again, or imported «in attesa»). */
export function queueConfirmationEmail(
  tx: Db | Tx,
  {
    referent,
    bodyName,
    memberBodyId,
    token,
    expiresAt,
    isHandover,
    imported = false,
    appUrl,
  }: {
    referent: { email: string; firstName: string; lastName: string };
    bodyName: string;
    memberBodyId: number;
    token: string;
    expiresAt: Date;
    isHandover: boolean;
    imported?: boolean;
    appUrl: string;
  },
) {
  queueEmail(tx, {
    to: referent.email,
    template: "confirm-registration",
    props: {
      firstName: referent.firstName,
      lastName: referent.lastName,
      bodyName,
      confirmUrl: `${appUrl}/adesione/conferma/${token}`,
      expiresOn: formatDateTimeIt(expiresAt),
      isHandover,
      ...(imported ? { imported: true, privacyUrl: `${appUrl}/privacy` } : {}),
    },
    memberBodyId,
    domain: messageDomainOf(appUrl),
  });
}

/**
 * «Inviami un nuovo collegamento» on an expired link: a scheda never confirmed gets a new link, for
 * 7 days, at the address it gives (never another), so that nobody retypes it on a phone. The old link
 * stops working. Any other state is answered as the link's page answers it.
 */
export function resendConfirmation(db: Db, { token, appUrl, now = new Date() }: { token: string; appUrl: string; now?: Date }): ConfirmationLookup {
  return db.transaction((tx): ConfirmationLookup => {
    const found = findByToken(tx, token);
    if (!found) return { state: "invalid" };
    const { request } = found;
    if (request.confirmedAt || request.status !== "email_unverified") return { state: "used", bodyName: found.bodyName };
    if (request.confirmationExpiresAt && request.confirmationExpiresAt >= now) return lookupConfirmation(db, { token, now });
    const referent = tx.select().from(referents).where(eq(referents.id, request.referentId)).get()!;
    const fresh = createToken();
    const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
    tx.update(membershipRequests).set({ confirmationTokenHash: fresh.hash, confirmationExpiresAt: expiresAt, updatedAt: now }).where(eq(membershipRequests.id, request.id)).run();
    const submission = request.submission as { importedFrom?: unknown } | null;
    queueConfirmationEmail(tx, {
      referent,
      bodyName: found.bodyName,
      memberBodyId: request.memberBodyId,
      token: fresh.token,
      expiresAt,
      isHandover: request.kind === "handover",
      imported: !!submission?.importedFrom,
      appUrl,
    });
    recordAudit(tx, { actorType: "public", action: "membership.confirmation_resent", entityType: "membership_request", entityId: request.id });
    return { state: "resent", expiresOn: formatDateTimeIt(expiresAt) };
  });
}

function findByToken(db: Db | Tx, token: string) {
  return db
    .select({ request: membershipRequests, bodyName: memberBodies.name, email: referents.email })
    .from(membershipRequests)
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(eq(membershipRequests.confirmationTokenHash, hashToken(token)))
    .get();
}

export function lookupConfirmation(db: Db, { token, now = new Date() }: { token: string; now?: Date }): ConfirmationLookup {
  const found = findByToken(db, token);
  if (!found) return { state: "invalid" };
  if (found.request.confirmedAt) return { state: "used", bodyName: found.bodyName };
  if (!found.request.confirmationExpiresAt || found.request.confirmationExpiresAt < now) return { state: "expired" };
  return { state: "valid", bodyName: found.bodyName, email: found.email, kind: found.request.kind };
}

/** Moves the request to `pending` (once) and tells every active coordinator. */
export function confirmRegistration(
  db: Db,
  { token, appUrl, now = new Date() }: { token: string; appUrl: string; now?: Date },
): ConfirmationLookup {
  return db.transaction((tx) => {
    const found = findByToken(tx, token);
    if (!found) return { state: "invalid" as const };
    const { request } = found;
    if (request.confirmedAt) return { state: "used" as const, bodyName: found.bodyName };
    if (!request.confirmationExpiresAt || request.confirmationExpiresAt < now) return { state: "expired" as const };
    // The status guard makes a concurrent second POST a no-op. The kind is judged again: another
    // scheda for the same ente may have been approved since this one was sent.
    const kind = hasActiveReferent(tx, request.memberBodyId) ? ("handover" as const) : ("new" as const);
    const updated = tx
      .update(membershipRequests)
      .set({ status: "pending", kind, confirmedAt: now, updatedAt: now })
      .where(and(eq(membershipRequests.id, request.id), eq(membershipRequests.status, "email_unverified")))
      .returning({ id: membershipRequests.id })
      .get();
    if (!updated) return { state: "used" as const, bodyName: found.bodyName };
    tx.update(referents).set({ emailVerifiedAt: now }).where(eq(referents.id, request.referentId)).run();
    const referent = tx.select().from(referents).where(eq(referents.id, request.referentId)).get()!;
    notifyCoordinatorsOfPendingRequest(tx, {
      request: { ...request, kind },
      bodyName: found.bodyName,
      referentName: `${referent.firstName} ${referent.lastName}`,
      appUrl,
    });
    recordAudit(tx, {
      actorType: "public",
      action: "membership.email_confirmed",
      entityType: "membership_request",
      entityId: request.id,
    });
    return { state: "valid" as const, bodyName: found.bodyName, email: found.email, kind };
  });
}

/** The ente's approved referente in office, if any. */
function activeReferent(tx: Db | Tx, memberBodyId: number) {
  return tx
    .select({ id: referents.id, email: referents.email })
    .from(referents)
    .where(and(eq(referents.memberBodyId, memberBodyId), isNotNull(referents.validFrom), isNull(referents.validTo)))
    .get();
}

/** Whether the ente has an approved referente in office. */
export function hasActiveReferent(tx: Db | Tx, memberBodyId: number) {
  return !!activeReferent(tx, memberBodyId);
}

/** Every active coordinator is told that a confirmed request waits for approval (new ente or handover). */
export function notifyCoordinatorsOfPendingRequest(
  tx: Tx,
  {
    request,
    bodyName,
    referentName,
    appUrl,
  }: { request: { id: number; kind: "new" | "handover"; memberBodyId: number }; bodyName: string; referentName: string; appUrl: string },
) {
  for (const coordinator of listActiveCoordinators(tx)) {
    queueEmail(tx, {
      to: coordinator.email,
      template: "registration-awaiting-approval",
      props: {
        coordinatorName: coordinator.name,
        bodyName,
        referentName,
        isHandover: request.kind === "handover",
        requestUrl: `${appUrl}/admin/adesioni/${request.id}`,
      },
      memberBodyId: request.memberBodyId,
      domain: messageDomainOf(appUrl),
    });
  }
}

/** Comuni that already have an active referente: a new scheda for them is a handover request. */
export function listMunicipalitiesWithActiveReferent(db: Db): string[] {
  return db
    .selectDistinct({ code: memberBodies.municipalityCode })
    .from(memberBodies)
    .innerJoin(referents, eq(referents.memberBodyId, memberBodies.id))
    .where(and(eq(memberBodies.kind, "comune"), isNotNull(referents.validFrom), isNull(referents.validTo)))
    .all()
    .map((r) => r.code!)
    .filter(Boolean);
}
