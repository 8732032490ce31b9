import { eq, sql } from "drizzle-orm";
import { auditLog, memberBodies, membershipRequests, referents, saiProjects } from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { IMPORT_PRIVACY_NOTICE_VERSION } from "~/utils/privacy-consent";
import { createToken } from "~/utils/tokens.server";
import { IMPORT_STATUS_LABELS, PENDING_WITHOUT_EMAILS_MESSAGE, type ImportStatus } from "~/validation/member-import";
import { auditDetailsColumns, recordAudit } from "./audit.server";
import { CONFIRMATION_TTL_MS, queueConfirmationEmail } from "./membership.server";
import { queueWelcomeEmail } from "./membership-review.server";
import { projectValues } from "./sai-project.server";
import type { ImportRow } from "./member-import-file.server";
import {
  classifyRows,
  countRows,
  digestOf,
  loadReference,
  toPreviewRow,
  type PreviewRow,
  type ProjectValues,
  type RowPlan,
} from "./member-import-preview.server";

// The import itself (issue 9): every valid row of a previewed file written in one transaction.

/** Stored as the referente's privacy notice version: the portal collected no consent (see privacy-consent.ts). */
export { IMPORT_PRIVACY_NOTICE_VERSION };

export type ImportSummary = {
  fileName: string;
  /** null when the file created no adesione, so no status was asked. */
  status: ImportStatus | null;
  sendEmails: boolean;
  total: number;
  /** Rows that created a new ente with its membership ("Nuovo" in the preview). */
  created: number;
  /** Rows that updated a registered ente: its data, its referente's, its projects, or a new membership for it. */
  updated: number;
  duplicates: number;
  errors: number;
  emails: number;
};

export type RunImportResult =
  | {
      ok: true;
      summary: ImportSummary;
      errorRows: PreviewRow[];
      /** The adesioni created approved without their welcome email, which the summary page can send later. */
      unwelcomedRequestIds: number[];
    }
  | { ok: false; reason: "changed" | "failed" | "invalid"; error: string };

type RunImportInput = {
  rows: ImportRow[];
  labels?: Record<string, string>;
  /** The status of the adesioni the file creates; null only when the preview showed none. */
  status: ImportStatus | null;
  sendEmails: boolean;
  coordinatorId: number;
  fileName: string;
  appUrl: string;
  /** The preview's digest: when given, the import runs only if every row still does what was shown. */
  expectedDigest?: string;
  now?: Date;
};

class PreviewChangedError extends Error {}

const ph = (name: string) => sql.placeholder(name);

/**
 * The inserts an import repeats for every row, prepared once: drizzle would otherwise build the SQL
 * and better-sqlite3 prepare the statement again for each of the thousands of rows. (The audit
 * insert is recordAudit's, with the coordinator as actor.)
 */
function prepareWriters(tx: Tx, { approved }: { approved: boolean }) {
  // drizzle cannot encode a null placeholder of a timestamp column: those are fixed per import.
  return {
    body: tx
      .insert(memberBodies)
      .values({
        kind: ph("kind"),
        municipalityCode: ph("municipalityCode"),
        provinceCode: ph("provinceCode"),
        name: ph("name"),
        pec: ph("pec"),
        fiscalCode: ph("fiscalCode"),
        status: ph("status"),
        updatedAt: ph("updatedAt"),
      })
      .returning({ id: memberBodies.id })
      .prepare(),
    referent: tx
      .insert(referents)
      .values({
        memberBodyId: ph("memberBodyId"),
        firstName: ph("firstName"),
        lastName: ph("lastName"),
        role: ph("role"),
        office: ph("office"),
        email: ph("email"),
        phone: ph("phone"),
        mobile: ph("mobile"),
        privacyConsentAt: ph("privacyConsentAt"),
        privacyNoticeVersion: ph("privacyNoticeVersion"),
        validFrom: approved ? ph("now") : null,
      })
      .returning({ id: referents.id })
      .prepare(),
    request: tx
      .insert(membershipRequests)
      .values({
        memberBodyId: ph("memberBodyId"),
        referentId: ph("referentId"),
        kind: "new",
        status: ph("status"),
        noActiveProjects: ph("noActiveProjects"),
        submission: ph("submission"),
        confirmationTokenHash: ph("confirmationTokenHash"),
        confirmationExpiresAt: approved ? null : ph("confirmationExpiresAt"),
        decidedById: ph("decidedById"),
        decidedAt: approved ? ph("now") : null,
        updatedAt: ph("updatedAt"),
      })
      .returning({ id: membershipRequests.id })
      .prepare(),
    project: tx
      .insert(saiProjects)
      .values({
        memberBodyId: ph("memberBodyId"),
        requestId: ph("requestId"),
        category: ph("category"),
        fundedPlaces: ph("fundedPlaces"),
        projectCode: ph("projectCode"),
        managingOrganization: ph("managingOrganization"),
        startDate: ph("startDate"),
        endDate: ph("endDate"),
      })
      .prepare(),
    audit: tx
      .insert(auditLog)
      .values({
        actorType: "coordinator",
        actorId: ph("actorId"),
        action: ph("action"),
        entityType: ph("entityType"),
        entityId: ph("entityId"),
        details: ph("details"),
        searchText: ph("searchText"),
      })
      .prepare(),
  };
}

/**
 * Writes every valid row in ONE transaction: new enti with their referente, request and projects,
 * updates of known ones; rows with errors are skipped and returned for the error report. If any
 * write fails, nothing at all is written. Emails are queued only when asked: the approval notice
 * ("membership-approved") or the email confirmation ("confirm-registration") of the scheda.
 */
export function runImport(
  db: Db,
  { rows, labels, status, sendEmails, coordinatorId, fileName, appUrl, expectedDigest, now = new Date() }: RunImportInput,
): RunImportResult {
  const approved = status === "approved";
  // Awaiting a confirmation email that is never sent, the requests could never be approved.
  if (status === "pending" && !sendEmails) return { ok: false, reason: "invalid", error: PENDING_WITHOUT_EMAILS_MESSAGE };
  const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
  let currentRow: string | null = null;
  try {
    return db.transaction((tx): RunImportResult => {
      const plans = classifyRows(loadReference(tx), rows, labels);
      const previewRows = plans.map(toPreviewRow);
      if (expectedDigest && digestOf(previewRows) !== expectedDigest) throw new PreviewChangedError();

      let created = 0;
      let updated = 0;
      let emails = 0;
      const unwelcomedRequestIds: number[] = [];
      const write = prepareWriters(tx, { approved });
      const audit = (action: string, entityType: string, entityId: number, details: Record<string, unknown>) =>
        write.audit.run({ actorId: coordinatorId, action, entityType, entityId: String(entityId), ...auditDetailsColumns(details) });
      const insertProjects = (memberBodyId: number, requestId: number | null, projects: ProjectValues[]) => {
        for (const p of projects) {
          write.project.run({ memberBodyId, requestId, ...projectValues(p) });
        }
      };

      for (const plan of plans) {
        if (plan.status !== "new" && plan.status !== "update") continue;
        currentRow = plan.sheet ? `riga ${plan.line} del foglio «${plan.sheet}»` : `riga ${plan.line}`;
        const r = plan.registration!;

        let bodyId = plan.existingBodyId;
        if (bodyId === undefined) {
          bodyId = write.body.get({
            kind: r.bodyKind,
            municipalityCode: r.bodyKind === "comune" ? r.municipalityCode! : null,
            provinceCode: plan.provinceCode!,
            name: plan.bodyName!,
            pec: r.pec,
            fiscalCode: r.fiscalCode,
            status: approved ? "member" : "candidate",
            updatedAt: now,
          })!.id;
        } else {
          const statusChange = !plan.referentMatch && approved ? { status: "member" as const } : {};
          if (Object.keys(plan.bodyChanges ?? {}).length || Object.keys(statusChange).length) {
            tx.update(memberBodies)
              .set({ ...plan.bodyChanges, ...statusChange, updatedAt: now })
              .where(eq(memberBodies.id, bodyId))
              .run();
          }
        }

        for (const u of plan.projectUpdates ?? []) {
          tx.update(saiProjects).set(u.values).where(eq(saiProjects.id, u.id)).run();
        }

        if (plan.referentMatch) {
          // A known ente and referente: their data are brought up to date, nothing else changes.
          const { referentId, requestId, changes } = plan.referentMatch;
          if (Object.keys(changes).length) tx.update(referents).set(changes).where(eq(referents.id, referentId)).run();
          insertProjects(bodyId, requestId, plan.projectAdds ?? []);
          if (requestId !== null) tx.update(membershipRequests).set({ updatedAt: now }).where(eq(membershipRequests.id, requestId)).run();
          audit("member_body.updated", "member_body", bodyId, {
            source: "importazione",
            fileName,
            ...sheetOf(plan),
            line: plan.line,
            changes: plan.changes,
            referentId,
            ...beforeAndAfter(plan),
          });
          updated++;
          continue;
        }
        // Without a status the preview showed no new adesione: this row now creates one.
        if (status === null) throw new PreviewChangedError();

        // A new membership: referente, request (approved, or awaiting the email confirmation), projects.
        const referentId = write.referent.get({
          memberBodyId: bodyId,
          firstName: r.firstName,
          lastName: r.lastName,
          role: r.role,
          office: r.office,
          email: r.email,
          phone: r.phone,
          mobile: r.mobile ?? null,
          privacyConsentAt: now,
          privacyNoticeVersion: IMPORT_PRIVACY_NOTICE_VERSION,
          now,
        })!.id;
        const token = approved ? null : createToken();
        const requestId = write.request.get({
          memberBodyId: bodyId,
          referentId,
          status: approved ? "approved" : "email_unverified",
          noActiveProjects: r.noActiveProjects,
          submission: { ...r, importedFrom: { fileName, ...sheetOf(plan), line: plan.line } },
          confirmationTokenHash: token?.hash ?? null,
          confirmationExpiresAt: expiresAt,
          decidedById: approved ? coordinatorId : null,
          now,
          updatedAt: now,
        })!.id;
        insertProjects(bodyId, requestId, plan.projectAdds ?? r.projects);

        if (sendEmails) {
          if (approved) {
            queueWelcomeEmail(tx, { referent: r, bodyName: plan.bodyName!, memberBodyId: bodyId, imported: true, appUrl });
          } else {
            queueConfirmationEmail(tx, {
              referent: r,
              bodyName: plan.bodyName!,
              memberBodyId: bodyId,
              token: token!.token,
              expiresAt,
              isHandover: false,
              imported: true,
              appUrl,
            });
          }
          emails++;
        } else if (approved) {
          unwelcomedRequestIds.push(requestId);
        }
        audit("membership.created", "membership_request", requestId, {
          source: "importazione",
          fileName,
          ...sheetOf(plan),
          line: plan.line,
          memberBodyId: bodyId,
          referentId,
          status: approved ? "approved" : "email_unverified",
          ...(plan.status === "update" ? { changes: plan.changes } : {}),
          ...beforeAndAfter(plan),
        });
        if (plan.status === "new") created++;
        else updated++;
      }
      currentRow = null;

      const counts = countRows(previewRows);
      const summary: ImportSummary = {
        fileName,
        status,
        sendEmails,
        total: counts.total,
        created,
        updated,
        duplicates: counts.duplicate,
        errors: counts.error,
        emails,
      };
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "members.imported",
        entityType: "import",
        details: {
          fileName,
          status: status ? IMPORT_STATUS_LABELS[status] : null,
          sendEmails,
          rows: counts.total,
          created,
          updated,
          duplicates: counts.duplicate,
          errors: counts.error,
          emails,
        },
      });
      return { ok: true, summary, errorRows: previewRows.filter((p) => p.status === "error"), unwelcomedRequestIds };
    });
  } catch (error) {
    if (error instanceof PreviewChangedError) {
      return {
        ok: false,
        reason: "changed",
        error: "Dall'anteprima qualcosa è cambiato nei dati del portale: controlla di nuovo l'anteprima aggiornata e ripeti l'importazione. Nessun dato è stato scritto.",
      };
    }
    const where = currentRow !== null ? ` alla ${currentRow}` : "";
    console.error(`Member import of "${fileName}" failed${where}:`, error instanceof Error ? error.message : error);
    return {
      ok: false,
      reason: "failed",
      error: `L'importazione si è interrotta per un errore${where} (${describeDbError(error)}). Nessun dato è stato scritto: correggi la riga e riprova.`,
    };
  }
}

/** The sheet of a row, for the log and the request's page, when the workbook has several. */
const sheetOf = (plan: RowPlan) => (plan.sheet ? { sheet: plan.sheet } : {});

/** The stored values a row overwrote and the new ones, as «Modifica dati» records them; nothing when none. */
function beforeAndAfter(plan: RowPlan) {
  return plan.before && Object.keys(plan.before).length ? { before: plan.before, after: plan.after } : {};
}

function describeDbError(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (/UNIQUE constraint failed: member_bodies\.fiscal_code/.test(message)) return "codice fiscale già usato da un altro ente";
  if (/UNIQUE constraint failed: member_bodies\.municipality_code/.test(message)) return "Comune già registrato";
  if (/UNIQUE constraint failed/.test(message)) return "dato già presente";
  if (/FOREIGN KEY constraint failed/.test(message)) return "riferimento a un dato inesistente";
  return message.slice(0, 200);
}

