import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, or } from "drizzle-orm";
import yauzl from "yauzl";
import { materials, roundTables } from "#db/schema";
import type { InvitationNoteLink } from "#emails/components/round-table-details";
import type { MaterialNotice } from "#emails/materials-available";
import type { Db, Tx } from "~/utils/db.server";
import { roundTableEmailData, roundTablePageUrl } from "~/utils/round-table-calendar";
import { formatFileSize } from "~/utils/text";
import { issuesToFieldErrors } from "~/utils/form-data";
import {
  ACCEPTED_TYPES_TEXT,
  CANCELLED_MATERIALS_NOT_EDITABLE,
  editMaterialSchema,
  MATERIAL_KIND_LABELS,
  type LinkMaterialInput,
  type MaterialDetailsInput,
  type MaterialSource,
  type MaterialVisibility,
  type UploadMaterialInput,
} from "~/validation/material";
import { recordAudit } from "./audit.server";
import { messageDomainOf, queueEmail } from "./outbox.server";
import { roundTableInvitees } from "./round-table.server";

// Materials of the Tavoli tecnici: uploaded files (type checked by content, stored under random
// names outside public/) and links. Slides and videos are announced once to the invitees of a
// round table ("materiali disponibili"), by the scheduled job `announceEndedRoundTableMaterials`:
// once it ends when added beforehand, MATERIALS_ANNOUNCEMENT_DELAY_MINUTES after the last addition
// when added after the end, so that materials added together go in one email (decision 024).

export type Material = typeof materials.$inferSelect;

// ---------------------------------------------------------------------------------------------
// File types, recognised by their content.

export const DOCUMENT_TYPES = {
  pdf: { mimeType: "application/pdf", extension: "pdf", label: "PDF" },
  docx: {
    mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extension: "docx",
    label: "Word",
  },
  pptx: {
    mimeType: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    extension: "pptx",
    label: "PowerPoint",
  },
  odt: { mimeType: "application/vnd.oasis.opendocument.text", extension: "odt", label: "OpenDocument testo" },
  odp: { mimeType: "application/vnd.oasis.opendocument.presentation", extension: "odp", label: "OpenDocument presentazione" },
} as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[keyof typeof DOCUMENT_TYPES];

const EXTENSION_LABELS = new Map<string, string>(Object.values(DOCUMENT_TYPES).map((t) => [t.mimeType, t.extension.toUpperCase()]));

/** "PDF, 1 kB": beside a link to a stored document, so that its format and size are known before opening it. */
export function documentFileInfo({ mimeType, sizeBytes }: { mimeType: string | null; sizeBytes: number | null }) {
  return `${EXTENSION_LABELS.get(mimeType ?? "") ?? "File"}, ${formatFileSize(sizeBytes ?? 0)}`;
}

const MAX_ZIP_ENTRIES = 20_000;

function readHead(filePath: string, length: number) {
  const fd = fs.openSync(filePath, "r");
  try {
    const buffer = Buffer.alloc(length);
    const read = fs.readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** Names of the entries of a zip file (its central directory) and the text of its `mimetype` entry, if any. */
function readZipDirectory(filePath: string): Promise<{ names: string[]; mimetype: string | null }> {
  return new Promise((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: true, strictFileNames: false }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error("zip not readable"));
      const names: string[] = [];
      let mimetype: string | null = null;
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        zip.close();
        if (error) reject(error);
        else resolve({ names, mimetype });
      };
      zip.on("error", (error: Error) => finish(error));
      zip.on("end", () => finish());
      zip.on("entry", (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (names.length > MAX_ZIP_ENTRIES) return finish(new Error("too many zip entries"));
        if (entry.fileName === "mimetype" && names.length === 1 && entry.uncompressedSize <= 200) {
          zip.openReadStream(entry, (streamError, stream) => {
            if (streamError || !stream) return finish(streamError ?? new Error("zip entry not readable"));
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("error", (error: Error) => finish(error));
            stream.on("end", () => {
              mimetype = Buffer.concat(chunks).toString("ascii").trim();
              zip.readEntry();
            });
          });
        } else {
          zip.readEntry();
        }
      });
      zip.readEntry();
    });
  });
}

/**
 * The kind of document a file holds, judged by its bytes and never by its name: PDF (`%PDF-`),
 * OOXML Word/PowerPoint (a zip with `word/` or `ppt/` parts), OpenDocument text/presentation (a zip
 * whose first entry `mimetype` names the type). Anything else, including a renamed program or
 * web page, gives null.
 */
export async function detectDocumentType(filePath: string): Promise<DocumentType | null> {
  const head = readHead(filePath, 8);
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return DOCUMENT_TYPES.pdf;
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) return null;
  let directory: { names: string[]; mimetype: string | null };
  try {
    directory = await readZipDirectory(filePath);
  } catch {
    return null;
  }
  if (directory.mimetype === DOCUMENT_TYPES.odt.mimeType && directory.names.includes("content.xml")) return DOCUMENT_TYPES.odt;
  if (directory.mimetype === DOCUMENT_TYPES.odp.mimeType && directory.names.includes("content.xml")) return DOCUMENT_TYPES.odp;
  if (directory.mimetype !== null) return null;
  if (!directory.names.includes("[Content_Types].xml")) return null;
  const hasWord = directory.names.some((n) => n.startsWith("word/"));
  const hasPpt = directory.names.some((n) => n.startsWith("ppt/"));
  if (hasWord && !hasPpt) return DOCUMENT_TYPES.docx;
  if (hasPpt && !hasWord) return DOCUMENT_TYPES.pptx;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Names.

// Extensions dropped from the sent name before the detected type's own is added.
const REPLACED_EXTENSIONS =
  /\.(pdf|docx?|pptx?|odt|odp|ods|xlsx?|rtf|txt|html?|xhtml|svg|js|exe|com|bat|cmd|scr|msi|sh|zip|bin|dat|tmp)$/i;

/**
 * The name offered when downloading: the last part of what the browser sent (no folders), without
 * control characters or characters that file systems refuse, accents kept, with the extension of
 * the detected type.
 */
export function sanitizeDownloadName(original: string, extension: string) {
  const base = original.split(/[/\\]/).pop() ?? "";
  let name = base
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, " ")
    .replace(/[<>:"|?*]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  name = name.replace(REPLACED_EXTENSIONS, "").replace(/[.\s]+$/, "");
  if (!name) name = "materiale";
  if (name.length > 120) name = name.slice(0, 120).trim();
  return `${name}.${extension}`;
}

const RFC5987_EXTRA = /['()*]/g;

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987). */
export function contentDisposition(downloadName: string) {
  const ascii =
    downloadName
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7e]/g, "_")
      .replace(/["\\]/g, "_")
      .trim() || "materiale";
  const encoded = encodeURIComponent(downloadName).replace(RFC5987_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const STORED_NAME = /^[a-f0-9]{32}$/;

/** Where a stored file lives; null for a name that is not one of ours. */
export function materialFilePath(uploadsDir: string, storedFileName: string | null) {
  if (!storedFileName || !STORED_NAME.test(storedFileName)) return null;
  return path.join(uploadsDir, storedFileName);
}

/**
 * Checks an uploaded file (on disk, size already limited) by its content and moves it under a random
 * name to the uploads folder; null, leaving the file where it was, when it is not an accepted document.
 */
export async function storeUploadedDocument(upload: { tempPath: string; originalName: string }, uploadsDir: string) {
  const type = await detectDocumentType(upload.tempPath);
  if (!type) return null;
  const storedFileName = crypto.randomBytes(16).toString("hex");
  fs.mkdirSync(uploadsDir, { recursive: true });
  const storedPath = path.join(uploadsDir, storedFileName);
  fs.renameSync(upload.tempPath, storedPath);
  return { storedFileName, storedPath, downloadName: sanitizeDownloadName(upload.originalName, type.extension), type };
}

// ---------------------------------------------------------------------------------------------
// Who may download.

export type MaterialAccess = { visibility: MaterialVisibility; roundTableStatus: "draft" | "published" | "cancelled" };

/**
 * Whether someone may download a material. Coordinators always may. Nobody else sees the
 * materials of a draft. Public materials are for everyone; members-only ones for coordinators and,
 * once the referent area exists, for the referente of an active member ente: that area passes its
 * signed-in referente here as `{ active: true }` (an ente that is a member and a referente in charge).
 */
export function canDownloadMaterial({
  material,
  coordinator,
  referent,
}: {
  material: MaterialAccess;
  coordinator: { id: number } | null | undefined;
  referent: { id: number; active: boolean } | null | undefined;
}) {
  if (coordinator) return true;
  if (material.roundTableStatus === "draft") return false;
  if (material.visibility === "public") return true;
  return referent?.active === true;
}

/**
 * Whether an invitee is offered a material of their Tavolo by email: a public one anybody, a
 * members-only one a referente, who signs in to the area referente for it. An extra address (no
 * referente's) could not open it, and a notice would only bring requests by hand: it is not told.
 * The Coordinamento, who invited it, can send the file itself.
 */
export const offeredToInvitee = (material: Pick<Material, "visibility">, invitee: { referentId: number | null }) =>
  material.visibility === "public" || invitee.referentId !== null;

/**
 * The sign-in of the area referente that leads to a material: once signed in, the person lands on
 * its Tavolo tecnico with the download one click away (redirectAfterSignIn). Relative when appUrl is "".
 */
export const materialSignInUrl = (materialId: number, appUrl: string) =>
  `${appUrl}/area-referente/accedi?redirectTo=${encodeURIComponent(`/materiali/${materialId}`)}`;

// ---------------------------------------------------------------------------------------------
// Reading.

export function listMaterials(db: Db | Tx, { roundTableIds, visibility }: { roundTableIds: number[]; visibility?: MaterialVisibility }) {
  if (roundTableIds.length === 0) return [];
  const conditions = [inArray(materials.roundTableId, roundTableIds)];
  if (visibility) conditions.push(eq(materials.visibility, visibility));
  return db
    .select()
    .from(materials)
    .where(and(...conditions))
    .orderBy(asc(materials.createdAt), asc(materials.id))
    .all();
}

/** The notes of invitation (kind nota_invito) of a round table, oldest first. */
export function listInvitationNotes(db: Db | Tx, { roundTableId }: { roundTableId: number }) {
  return db
    .select()
    .from(materials)
    .where(and(eq(materials.roundTableId, roundTableId), eq(materials.kind, "nota_invito")))
    .orderBy(asc(materials.createdAt), asc(materials.id))
    .all();
}

/**
 * What the invitation and reminder emails link of a round table's notes of invitation: for each
 * email, those its recipient is offered (offeredToInvitee); a public one by its download, a
 * members-only one by the sign-in that leads to it. The notes are read once per round table of a
 * batch (sendInvitations writes thousands of emails in one transaction).
 */
export function invitationNoteLinks(db: Db | Tx, { appUrl }: { appUrl: string }) {
  const notesOf = new Map<number, Material[]>();
  return (roundTableId: number, invitee: { referentId: number | null }): InvitationNoteLink[] => {
    let notes = notesOf.get(roundTableId);
    if (!notes) notesOf.set(roundTableId, (notes = listInvitationNotes(db, { roundTableId })));
    return notes
      .filter((m) => offeredToInvitee(m, invitee))
      .map((m) => ({
        title: m.title,
        url: m.visibility === "public" ? materialUrl(m, appUrl) : materialSignInUrl(m.id, appUrl),
        membersOnly: m.visibility === "members",
      }));
  };
}

/** A material of this round table (null for another's or an unknown id). */
export function getRoundTableMaterial(db: Db | Tx, { id, roundTableId }: { id: number; roundTableId: number }) {
  return db
    .select()
    .from(materials)
    .where(and(eq(materials.id, id), eq(materials.roundTableId, roundTableId)))
    .get() ?? null;
}

/** A material with the status of its round table, for the download route. */
export function getMaterialForDownload(db: Db, { id }: { id: number }) {
  const row = db
    .select({ material: materials, roundTableStatus: roundTables.status })
    .from(materials)
    .innerJoin(roundTables, eq(roundTables.id, materials.roundTableId))
    .where(eq(materials.id, id))
    .get();
  return row ? { ...row.material, roundTableStatus: row.roundTableStatus } : null;
}

/**
 * The round table of a material that this referente may download, or null when there is no such
 * material or they may not download it (a reserved one for a referente not in charge, one of a
 * draft): where the person lands after signing in to download it. `referent`: as for
 * canDownloadMaterial, null for a former referente.
 */
export function downloadableMaterialRoundTableId(
  db: Db,
  { id, referent }: { id: number; referent: { id: number; active: boolean } | null },
): number | null {
  const material = getMaterialForDownload(db, { id });
  if (!material || !canDownloadMaterial({ material, coordinator: null, referent })) return null;
  return material.roundTableId;
}

// ---------------------------------------------------------------------------------------------
// Changes.

/**
 * not_a_document: the uploaded file's fault; the others concern the round table (unknown, or cancelled).
 * toAnnounce: the invitees the "materiali disponibili" email will tell of it, in a few minutes.
 */
export type MaterialResult =
  | { ok: true; id: number; toAnnounce: number }
  | { ok: false; reason: "not_found" | "cancelled" | "not_a_document"; error: string };

/**
 * Why the materials of this round table cannot change now, null when they can. A cancelled one is a
 * record that no longer changes, its materials with its details (updateRoundTable) and its
 * invitations (invitationRefusal): they stay what the meeting had when it was called off.
 */
function materialChangeRefusal(tx: Tx, roundTableId: number): { reason: "not_found" | "cancelled"; error: string } | null {
  const rt = tx.select({ status: roundTables.status }).from(roundTables).where(eq(roundTables.id, roundTableId)).get();
  if (!rt) return { reason: "not_found", error: "Tavolo tecnico non trovato." };
  if (rt.status === "cancelled") return { reason: "cancelled", error: CANCELLED_MATERIALS_NOT_EDITABLE };
  return null;
}


/** Public URL of a material: its download route for a file, the link itself otherwise. */
export function materialUrl(material: Pick<Material, "id" | "url">, appUrl: string) {
  return material.url ?? `${appUrl}/materiali/${material.id}`;
}

/** What the "materiali disponibili" email says of one material. */
function materialNotice(material: Material, appUrl: string): MaterialNotice {
  return {
    title: material.title,
    kindLabel: MATERIAL_KIND_LABELS[material.kind],
    curatedBy: material.curatedBy,
    visibility: material.visibility,
    // A members-only one through the sign-in, which then opens it (a signed-in referente goes straight on).
    url: material.visibility === "public" ? materialUrl(material, appUrl) : materialSignInUrl(material.id, appUrl),
  };
}

/**
 * After a round table has ended, its slides and videos are announced to the invitees who have not
 * declined (by the scheduled job, announceEndedRoundTableMaterials): one email per invitee, listing
 * those they may open (members-only ones go to the referenti among them, who can sign in for them).
 * Each material is announced once (announcedAt, claimed by an UPDATE that re-checks
 * `announced_at IS NULL`, in the caller's transaction).
 * Returns the emails queued and the materials claimed; nothing, leaving the materials
 * unannounced, when nothing is due yet (before the end, a draft or cancelled round table, nobody
 * to tell).
 */
function announceIfDue(tx: Tx, { roundTableId, candidates, appUrl, now }: { roundTableId: number; candidates: Material[]; appUrl: string; now: Date }) {
  const nothing = { emails: 0, materialIds: [] as number[] };
  const due = candidates.filter((m) => (m.kind === "slides" || m.kind === "video") && !m.announcedAt);
  if (due.length === 0) return nothing;
  const rt = tx.select().from(roundTables).where(eq(roundTables.id, roundTableId)).get();
  if (!rt || rt.status !== "published" || rt.endsAt.getTime() > now.getTime()) return nothing;
  const invitees = roundTableInvitees(tx, { roundTableId: rt.id, includeDeclined: false });
  const opensFor = (invitee: (typeof invitees)[number]) => (m: Material) => offeredToInvitee(m, invitee);
  const told = due.filter((m) => invitees.some((invitee) => opensFor(invitee)(m)));
  if (told.length === 0) return nothing;
  const claimed = new Set(
    tx
      .update(materials)
      .set({ announcedAt: now })
      .where(and(inArray(materials.id, told.map((m) => m.id)), isNull(materials.announcedAt)))
      .returning({ id: materials.id })
      .all()
      .map((row) => row.id),
  );
  if (claimed.size === 0) return nothing;
  const roundTable = roundTableEmailData(rt);
  let emails = 0;
  for (const invitee of invitees) {
    const theirs = told.filter((m) => claimed.has(m.id) && opensFor(invitee)(m));
    if (theirs.length === 0) continue;
    queueEmail(tx, {
      to: invitee.email,
      template: "materials-available",
      props: {
        recipientName: invitee.name,
        recipientEmail: invitee.email,
        roundTable,
        materials: theirs.map((m) => materialNotice(m, appUrl)),
        pageUrl: roundTablePageUrl(rt.id, appUrl),
        appUrl,
      },
      roundTableId: rt.id,
      memberBodyId: invitee.memberBodyId ?? undefined,
      domain: messageDomainOf(appUrl),
    });
    emails += 1;
  }
  return { emails, materialIds: told.filter((m) => claimed.has(m.id)).map((m) => m.id) };
}

/**
 * How far back `announceEndedRoundTableMaterials` looks for materials added before the end: only
 * round tables that ended within the last 7 days. The job started after this feature was deployed:
 * without a limit its first run would announce every slide and video of the Tavoli held long ago
 * (the imported history of db/seed-demo.ts, or materials uploaded before the end of any past
 * Tavolo), months after the event, a flood of emails about meetings nobody expects news of. A week
 * covers the job being stopped for a few days, e.g. during maintenance; a material added before the
 * end of a round table that ended before the window is never announced. Materials added after the
 * end are marked to be announced (`announce_after`) and are announced whenever the job runs next.
 */
export const MATERIALS_ANNOUNCEMENT_WINDOW_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Slides or a video added to a Tavolo already held are announced this long after the last one
 * added: coordinators upload several files one after the other, and each invitee gets one email
 * listing them all instead of one email per file.
 */
export const MATERIALS_ANNOUNCEMENT_DELAY_MINUTES = 10;
const MINUTE_MS = 60_000;

/**
 * A material just added, in the caller's transaction: slides or a video of a published Tavolo that
 * has ended are marked to be announced MATERIALS_ANNOUNCEMENT_DELAY_MINUTES from now, by the job,
 * together with what the Tavolo gets meanwhile. Returns the invitees the email will tell of it (0
 * for another kind, or before the end: the job announces it once the Tavolo ends).
 */
function scheduleAnnouncement(tx: Tx, { material, now }: { material: Material; now: Date }) {
  if (material.kind !== "slides" && material.kind !== "video") return 0;
  const rt = tx.select({ status: roundTables.status, endsAt: roundTables.endsAt }).from(roundTables).where(eq(roundTables.id, material.roundTableId)).get();
  if (!rt || rt.status !== "published" || rt.endsAt.getTime() > now.getTime()) return 0;
  tx.update(materials)
    .set({ announceAfter: new Date(now.getTime() + MATERIALS_ANNOUNCEMENT_DELAY_MINUTES * MINUTE_MS) })
    .where(eq(materials.id, material.id))
    .run();
  return roundTableInvitees(tx, { roundTableId: material.roundTableId, includeDeclined: false }).filter((invitee) => offeredToInvitee(material, invitee)).length;
}

/**
 * "Materiali disponibili", run every few minutes: the slides and videos of each published round
 * table that has ended and that are not yet announced go together, one email per invitee
 * (`announceIfDue`: the same recipients and once-only marking whenever they were added):
 * - those added before the end (speakers often send them beforehand) once it has ended, for the
 *   round tables that ended within the last MATERIALS_ANNOUNCEMENT_WINDOW_DAYS;
 * - those added after the end once their `announce_after` has come. A round table waits while any
 *   of its materials is not yet due, so what is added within the delay joins the same email, and
 *   what is deleted meanwhile is not listed (the job reads the materials as they are when it runs).
 *   One that nobody could be told of then (members-only, no referente among the invitees) is not
 *   looked at again, as an addition decided once.
 *
 * One immediate transaction; each material is claimed by an UPDATE that re-checks
 * `announced_at IS NULL`, so a second or concurrent run sends nothing twice. One audit entry per
 * round table announced.
 */
export function announceEndedRoundTableMaterials(db: Db, { now = new Date(), appUrl }: { now?: Date; appUrl: string }) {
  const since = new Date(now.getTime() - MATERIALS_ANNOUNCEMENT_WINDOW_DAYS * DAY_MS);
  return db.transaction(
    (tx) => {
      const pending = tx
        .select({ material: materials })
        .from(materials)
        .innerJoin(roundTables, eq(roundTables.id, materials.roundTableId))
        .where(
          and(
            eq(roundTables.status, "published"),
            lte(roundTables.endsAt, now),
            inArray(materials.kind, ["slides", "video"]),
            isNull(materials.announcedAt),
            or(and(lt(materials.createdAt, roundTables.endsAt), gt(roundTables.endsAt, since)), isNotNull(materials.announceAfter)),
          ),
        )
        .orderBy(asc(roundTables.endsAt), asc(roundTables.id), asc(materials.createdAt), asc(materials.id))
        .all();
      const pendingByRoundTable = new Map<number, Material[]>();
      for (const { material } of pending) {
        pendingByRoundTable.set(material.roundTableId, [...(pendingByRoundTable.get(material.roundTableId) ?? []), material]);
      }
      const announced = new Map<number, { materialIds: number[]; emails: number }>();
      const decided: number[] = [];
      for (const [roundTableId, candidates] of pendingByRoundTable) {
        // Another file may still be coming: the email waits for the last one added.
        if (candidates.some((m) => m.announceAfter && m.announceAfter.getTime() > now.getTime())) continue;
        const result = announceIfDue(tx, { roundTableId, candidates, appUrl, now });
        if (result.emails > 0) announced.set(roundTableId, result);
        decided.push(...candidates.filter((m) => m.announceAfter && !result.materialIds.includes(m.id)).map((m) => m.id));
      }
      // Added after the end with nobody to tell: not announced, and not looked at again.
      if (decided.length > 0) tx.update(materials).set({ announceAfter: null }).where(inArray(materials.id, decided)).run();
      let materialCount = 0;
      let emailCount = 0;
      for (const [roundTableId, { materialIds, emails }] of announced) {
        recordAudit(tx, {
          actorType: "system",
          action: "round_table.materials_announced",
          entityType: "round_table",
          entityId: roundTableId,
          details: { materialIds, emails },
        });
        materialCount += materialIds.length;
        emailCount += emails;
      }
      return { roundTables: announced.size, materials: materialCount, emails: emailCount };
    },
    { behavior: "immediate" },
  );
}

/** Adds a link (a video or a document published elsewhere). */
export function addLinkMaterial(
  db: Db,
  {
    roundTableId,
    input,
    coordinatorId,
    now = new Date(),
  }: { roundTableId: number; input: LinkMaterialInput; coordinatorId: number; now?: Date },
): MaterialResult {
  return db.transaction((tx): MaterialResult => {
    const refusal = materialChangeRefusal(tx, roundTableId);
    if (refusal) return { ok: false, ...refusal };
    const material = tx
      .insert(materials)
      .values({
        roundTableId,
        kind: input.kind,
        title: input.title,
        curatedBy: input.curatedBy,
        url: input.url,
        visibility: input.visibility,
        createdAt: now,
      })
      .returning()
      .get();
    const toAnnounce = scheduleAnnouncement(tx, { material, now });
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "material.added",
      entityType: "material",
      entityId: material.id,
      details: { roundTableId, kind: material.kind, title: material.title, url: material.url, visibility: material.visibility },
    });
    return { ok: true, id: material.id, toAnnounce };
  });
}

/**
 * Keeps an uploaded file (already on disk, at most 25 MB): checks its type by content, moves it
 * under a random name to the uploads folder and records it. A refused file is deleted.
 */
export async function addFileMaterial(
  db: Db,
  {
    roundTableId,
    input,
    upload,
    coordinatorId,
    uploadsDir,
    now = new Date(),
  }: {
    roundTableId: number;
    input: UploadMaterialInput;
    upload: { tempPath: string; originalName: string; size: number };
    coordinatorId: number;
    uploadsDir: string;
    now?: Date;
  },
): Promise<MaterialResult> {
  let storedPath: string | null = null;
  try {
    const stored = await storeUploadedDocument(upload, uploadsDir);
    if (!stored) {
      return {
        ok: false,
        reason: "not_a_document",
        error: `Il file non è un documento accettato: si possono caricare solo file ${ACCEPTED_TYPES_TEXT}. Il tipo è controllato dal contenuto, non dal nome.`,
      };
    }
    storedPath = stored.storedPath;
    const { storedFileName, downloadName, type } = stored;
    const result = db.transaction((tx): MaterialResult => {
      const refusal = materialChangeRefusal(tx, roundTableId);
      if (refusal) return { ok: false, ...refusal };
      const material = tx
        .insert(materials)
        .values({
          roundTableId,
          kind: input.kind,
          title: input.title,
          curatedBy: input.curatedBy,
          storedFileName,
          downloadName,
          mimeType: type.mimeType,
          sizeBytes: upload.size,
          visibility: input.visibility,
          createdAt: now,
        })
        .returning()
        .get();
      const toAnnounce = scheduleAnnouncement(tx, { material, now });
      recordAudit(tx, {
        actorType: "coordinator",
        actorId: coordinatorId,
        action: "material.added",
        entityType: "material",
        entityId: material.id,
        details: {
          roundTableId,
          kind: material.kind,
          title: material.title,
          downloadName,
          mimeType: type.mimeType,
          sizeBytes: upload.size,
          visibility: material.visibility,
        },
      });
      return { ok: true, id: material.id, toAnnounce };
    });
    if (result.ok) storedPath = null; // kept
    return result;
  } finally {
    fs.rmSync(upload.tempPath, { force: true });
    if (storedPath) fs.rmSync(storedPath, { force: true });
  }
}

export type DeleteMaterialResult = { ok: true } | { ok: false; reason: "not_found" | "unconfirmed" };

/**
 * Removes a material of a round table and its file. It cannot be undone and the links already
 * emailed (invitation, «materiali disponibili») stop working: the coordinator ticks a confirmation.
 * Allowed for a cancelled round table too, unlike additions and corrections: a file uploaded by
 * mistake (one with personal data, say) must always be removable.
 */
export function deleteMaterial(
  db: Db,
  {
    id,
    roundTableId,
    coordinatorId,
    uploadsDir,
    confirmed,
  }: { id: number; roundTableId: number; coordinatorId: number; uploadsDir: string; confirmed: boolean },
): DeleteMaterialResult {
  const removed = db.transaction((tx): Material | "not_found" | "unconfirmed" => {
    const material = getRoundTableMaterial(tx, { id, roundTableId });
    if (!material) return "not_found";
    if (!confirmed) return "unconfirmed";
    tx.delete(materials).where(eq(materials.id, id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "material.deleted",
      entityType: "material",
      entityId: id,
      details: { roundTableId, kind: material.kind, title: material.title, downloadName: material.downloadName, url: material.url },
    });
    return material;
  });
  if (typeof removed === "string") return { ok: false, reason: removed };
  const file = materialFilePath(uploadsDir, removed.storedFileName);
  if (file) fs.rmSync(file, { force: true });
  return { ok: true };
}

/** What a material is: a link, or a stored file (which the kinds it may have depend on). */
export const materialSource = (material: Pick<Material, "url">): MaterialSource => (material.url ? "link" : "file");

export const MATERIAL_NOT_FOUND_MESSAGE = "Materiale non trovato: forse è stato eliminato oppure appartiene a un altro Tavolo tecnico.";

export type UpdateMaterialResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: "not_found" | "cancelled"; error: string }
  | { ok: false; reason: "invalid"; errors: Record<string, string> };

const EDITABLE_FIELDS = ["kind", "title", "curatedBy", "visibility"] as const;

/**
 * Corrects the details of a material of this round table: kind, title, "a cura di", visibility.
 * The file or the link stays, and so does the id: the links already emailed keep working, and
 * each download reads the visibility again (a material made reserved is no longer public). The kind
 * must suit what it is (checked against the form's schema: a file cannot become a video). Writes
 * only what changes, audited with the values before and after (`material.updated`); nothing changed,
 * nothing written. Queues no email: an edit announces nothing (slides or a video added before the
 * end and not yet announced are still announced at the end, under the kind they have then).
 * Refused for a cancelled round table (materialChangeRefusal).
 */
export function updateMaterial(
  db: Db,
  { id, roundTableId, coordinatorId, ...details }: { id: number; roundTableId: number; coordinatorId: number } & MaterialDetailsInput,
): UpdateMaterialResult {
  return db.transaction((tx): UpdateMaterialResult => {
    const current = getRoundTableMaterial(tx, { id, roundTableId });
    if (!current) return { ok: false, reason: "not_found", error: MATERIAL_NOT_FOUND_MESSAGE };
    const refusal = materialChangeRefusal(tx, roundTableId);
    if (refusal) return { ok: false, ...refusal };
    const parsed = editMaterialSchema(materialSource(current)).safeParse(details);
    if (!parsed.success) return { ok: false, reason: "invalid", errors: issuesToFieldErrors(parsed.error.issues) };
    const wanted = parsed.data;
    const changed = EDITABLE_FIELDS.filter((field) => current[field] !== wanted[field]);
    if (changed.length === 0) return { ok: true, changed: false };
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of changed) {
      before[field] = current[field];
      after[field] = wanted[field];
    }
    tx.update(materials).set(wanted).where(eq(materials.id, id)).run();
    recordAudit(tx, {
      actorType: "coordinator",
      actorId: coordinatorId,
      action: "material.updated",
      entityType: "material",
      entityId: id,
      details: { roundTableId, before, after },
    });
    return { ok: true, changed: true };
  });
}
