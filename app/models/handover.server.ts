import { and, eq, inArray, isNull } from "drizzle-orm";
import { memberBodies, membershipRequests, referents, saiProjects } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { formatDateTimeIt } from "~/utils/dates";
import { createToken, hashToken } from "~/utils/tokens.server";
import { REFERENT_ROLE_LABELS } from "~/validation/labels";
import type { Successor } from "~/validation/referent-area";
import { recordAudit } from "./audit.server";
import { CONFIRMATION_TTL_MS, notifyCoordinatorsOfPendingRequest, PRIVACY_NOTICE_VERSION } from "./membership.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { findOpenHandover, isProposal, REFERENT_PROPOSAL_SOURCE } from "./referent-area.server";
import { notAwaitingApproval, replaceableProjects } from "./sai-project.server";
import type { ReferentAccess } from "./referent-session.server";

// Handover proposed from the referent area (issue 6, point 3). The current referente names a
// successor; this creates a handover membership request (status email_unverified) with the
// successor as its referente, and emails them a link to /subentro/<token>. There the successor
// reads their data and the privacy notice and, ticking "Ho letto l'informativa…", confirms: the
// request becomes pending and the coordinators are told, as for a scheda. A coordinator then
// approves it with approveMembership, which ends the previous referente's term.
//
// The token is stored hashed with a "subentro:" prefix, so it cannot be used on
// /adesione/conferma/:token (which would skip the successor's consent).

const tokenHashOf = (token: string) => hashToken(`subentro:${token}`);

/** Until the successor consents, the referente row has no notice version (consent time is a placeholder). */
export const CONSENT_NOT_GIVEN = "";

export type ProposeResult =
  | { ok: true; requestId: number; successorEmail: string }
  | { ok: false; fieldErrors: Record<string, string>; formError?: string };

export function proposeSuccessor(
  db: Db,
  { access, successor: s, appUrl, now = new Date() }: { access: ReferentAccess; successor: Successor; appUrl: string; now?: Date },
): ProposeResult {
  return db.transaction((tx): ProposeResult => {
    const me = tx.select().from(referents).where(eq(referents.id, access.referentId)).get();
    const body = tx.select().from(memberBodies).where(eq(memberBodies.id, access.memberBodyId)).get();
    if (!me || !body || !me.validFrom || me.validTo || me.memberBodyId !== body.id) {
      return { ok: false, fieldErrors: {}, formError: "Solo il referente attuale dell'ente può proporre un successore." };
    }
    if (s.email === me.email.toLowerCase()) {
      return { ok: false, fieldErrors: { email: "Questo è il tuo indirizzo: indica quello della persona che ti succede" } };
    }
    const open = findOpenHandover(tx, { memberBodyId: body.id });
    if (open) {
      const name = `${open.referent.firstName} ${open.referent.lastName}`;
      return {
        ok: false,
        fieldErrors: {},
        formError: isProposal(open.request)
          ? `C'è già una richiesta di subentro in corso per l'ente (${name}): attendi l'esito o ritira la proposta.`
          : `${name} ha chiesto di diventare referente dell'ente con la scheda di adesione, e la richiesta è all'esame dei coordinatori: potrai proporre un successore dopo la loro decisione.`,
      };
    }

    // The ente's own: not those of someone else's scheda still waiting for its approval.
    const openProjects = tx
      .select()
      .from(saiProjects)
      .where(and(eq(saiProjects.memberBodyId, body.id), isNull(saiProjects.closedAt), notAwaitingApproval()))
      .all();
    const successor = tx
      .insert(referents)
      .values({
        memberBodyId: body.id,
        firstName: s.firstName,
        lastName: s.lastName,
        role: s.role,
        office: s.office,
        email: s.email,
        phone: s.phone,
        mobile: s.mobile ?? null,
        privacyConsentAt: now,
        privacyNoticeVersion: CONSENT_NOT_GIVEN,
      })
      .returning({ id: referents.id })
      .get();
    const { token } = createToken();
    const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
    const requestId = tx
      .insert(membershipRequests)
      .values({
        memberBodyId: body.id,
        referentId: successor.id,
        kind: "handover",
        status: "email_unverified",
        noActiveProjects: openProjects.length === 0,
        // Shaped like a scheda, so the coordinators' pages and the printable scheda read it alike.
        submission: {
          source: REFERENT_PROPOSAL_SOURCE,
          proposedByReferentId: me.id,
          bodyKind: body.kind,
          municipalityCode: body.municipalityCode ?? "",
          bodyName: body.name,
          pec: body.pec,
          fiscalCode: body.fiscalCode,
          firstName: s.firstName,
          lastName: s.lastName,
          role: s.role,
          office: s.office,
          email: s.email,
          phone: s.phone,
          mobile: s.mobile,
          noActiveProjects: openProjects.length === 0,
          projects: openProjects.map((p) => ({
            category: p.category,
            fundedPlaces: p.fundedPlaces,
            projectCode: p.projectCode ?? undefined,
            managingOrganization: p.managingOrganization,
            startDate: p.startDate,
            endDate: p.endDate,
          })),
          privacyConsent: false,
        },
        confirmationTokenHash: tokenHashOf(token),
        confirmationExpiresAt: expiresAt,
        createdAt: now,
      })
      .returning({ id: membershipRequests.id })
      .get().id;

    queueEmail(tx, {
      to: s.email,
      template: "handover-proposal",
      props: {
        firstName: s.firstName,
        lastName: s.lastName,
        bodyName: body.name,
        proposerName: `${me.firstName} ${me.lastName}`,
        confirmUrl: `${appUrl}/subentro/${token}`,
        expiresOn: formatDateTimeIt(expiresAt),
      },
      memberBodyId: body.id,
      domain: messageDomainOf(appUrl),
    });
    recordAudit(tx, {
      actorType: "referent",
      actorId: me.id,
      action: "membership.handover_proposed",
      entityType: "membership_request",
      entityId: requestId,
      details: { memberBodyId: body.id, referentId: successor.id, previousReferentId: me.id },
    });
    return { ok: true, requestId, successorEmail: s.email };
  });
}

/** The current referente withdraws their own proposal before a coordinator decides. */
export function withdrawProposal(db: Db, { access, now = new Date() }: { access: ReferentAccess; now?: Date }) {
  return db.transaction((tx) => {
    if (access.status !== "active") return { ok: false as const };
    const open = findOpenHandover(tx, { memberBodyId: access.memberBodyId });
    if (!open || !isProposal(open.request)) return { ok: false as const };
    tx.update(membershipRequests)
      .set({ status: "rejected", decisionReason: "Proposta ritirata dal referente.", decidedAt: now, updatedAt: now, confirmationTokenHash: null })
      .where(and(eq(membershipRequests.id, open.request.id), inArray(membershipRequests.status, ["email_unverified", "pending"])))
      .run();
    // Projects re-attached to the proposal when it was accepted go back to the ente.
    tx.update(saiProjects).set({ requestId: null }).where(eq(saiProjects.requestId, open.request.id)).run();
    recordAudit(tx, {
      actorType: "referent",
      actorId: access.referentId,
      action: "membership.handover_withdrawn",
      entityType: "membership_request",
      entityId: open.request.id,
      details: { memberBodyId: access.memberBodyId, referentId: open.referent.id },
    });
    return { ok: true as const };
  });
}

export type HandoverLookup =
  | {
      state: "valid";
      bodyName: string;
      proposerName: string | null;
      successor: { firstName: string; lastName: string; roleLabel: string; office: string; email: string; phone: string; mobile: string | null };
    }
  | { state: "used"; bodyName: string }
  | { state: "expired" }
  | { state: "invalid" };

function findByToken(db: Db | Tx, token: string) {
  if (!token || token.length > 200) return undefined;
  return db
    .select({ request: membershipRequests, referent: referents, bodyName: memberBodies.name })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .innerJoin(memberBodies, eq(memberBodies.id, membershipRequests.memberBodyId))
    .where(eq(membershipRequests.confirmationTokenHash, tokenHashOf(token)))
    .get();
}

function stateOf(db: Db | Tx, found: NonNullable<ReturnType<typeof findByToken>>, now: Date): HandoverLookup {
  const { request, referent } = found;
  if (request.confirmedAt || request.status !== "email_unverified") return { state: "used", bodyName: found.bodyName };
  if (!request.confirmationExpiresAt || request.confirmationExpiresAt < now) return { state: "expired" };
  const proposerId = (request.submission as { proposedByReferentId?: unknown }).proposedByReferentId;
  const proposer =
    typeof proposerId === "number"
      ? db.select({ firstName: referents.firstName, lastName: referents.lastName }).from(referents).where(eq(referents.id, proposerId)).get()
      : undefined;
  return {
    state: "valid",
    bodyName: found.bodyName,
    proposerName: proposer ? `${proposer.firstName} ${proposer.lastName}` : null,
    successor: {
      firstName: referent.firstName,
      lastName: referent.lastName,
      roleLabel: REFERENT_ROLE_LABELS[referent.role],
      office: referent.office,
      email: referent.email,
      phone: referent.phone,
      mobile: referent.mobile,
    },
  };
}

/** What /subentro/:token shows; reads only. */
export function lookupHandover(db: Db, { token, now = new Date() }: { token: string; now?: Date }): HandoverLookup {
  const found = findByToken(db, token);
  return found ? stateOf(db, found, now) : { state: "invalid" };
}

/**
 * The successor accepts (with consent to the privacy notice): consent time and version are
 * recorded, the address counts as verified, the request becomes pending, the ente's open projects
 * are attached to it (so that the approval keeps them), and every active coordinator is told.
 */
export function acceptHandover(
  db: Db,
  { token, appUrl, now = new Date() }: { token: string; appUrl: string; now?: Date },
): HandoverLookup {
  return db.transaction((tx): HandoverLookup => {
    const found = findByToken(tx, token);
    if (!found) return { state: "invalid" };
    const lookup = stateOf(tx, found, now);
    if (lookup.state !== "valid") return lookup;
    const { request, referent } = found;
    const updated = tx
      .update(membershipRequests)
      .set({ status: "pending", confirmedAt: now, updatedAt: now })
      .where(and(eq(membershipRequests.id, request.id), eq(membershipRequests.status, "email_unverified")))
      .returning({ id: membershipRequests.id })
      .get();
    if (!updated) return { state: "used", bodyName: found.bodyName };
    tx.update(referents)
      .set({ privacyConsentAt: now, privacyNoticeVersion: PRIVACY_NOTICE_VERSION, emailVerifiedAt: now })
      .where(eq(referents.id, referent.id))
      .run();
    // The proposal carries the ente's own projects; those of another scheda still waiting stay with
    // it (a proposal's projects count as the ente's at once, so they would have counted too).
    tx.update(saiProjects)
      .set({ requestId: request.id })
      .where(replaceableProjects({ memberBodyId: request.memberBodyId, requestId: request.id }))
      .run();
    notifyCoordinatorsOfPendingRequest(tx, {
      request,
      bodyName: found.bodyName,
      referentName: `${referent.firstName} ${referent.lastName}`,
      appUrl,
    });
    recordAudit(tx, {
      actorType: "public",
      action: "membership.email_confirmed",
      entityType: "membership_request",
      entityId: request.id,
      details: { handoverProposal: true, privacyNoticeVersion: PRIVACY_NOTICE_VERSION },
    });
    return lookup;
  });
}
