import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ImportRow } from "~/models/member-import-file.server";
import type { ImportPreview } from "~/models/member-import-preview.server";
import type { FailedRow } from "~/models/member-import-templates.server";
import type { ImportSummary } from "~/models/member-import.server";
import { getEnv } from "./env.server";

// Uploaded member lists between the preview and the import. The server parses the file once and
// keeps the result under `${dataDir}/imports/<id>.json`, where <id> is a random server-side id tied
// to the coordinator who uploaded it: the browser only ever names the id, never sends the data
// again. After the import only the summary and the failing rows (for the error report) are kept;
// everything is deleted after IMPORT_TTL_MS.

export const IMPORT_TTL_MS = 24 * 60 * 60 * 1000;

export type StoredImport = {
  version: 1;
  id: string;
  coordinatorId: number;
  fileName: string;
  createdAt: number;
  format: "xlsx" | "csv";
  encoding: string | null;
  delimiter: string | null;
  headers: string[];
  labels: Record<string, string>;
  ignoredHeaders: string[];
  /** Sheets of the workbook without the header row, not read (absent in uploads stored before). */
  skippedSheets?: string[];
  /** The parsed rows, until the import runs. */
  rows: ImportRow[] | null;
  /** Set once imported. */
  result: {
    summary: ImportSummary;
    failed: FailedRow[];
    importedAt: number;
    /** The adesioni created approved without emails (absent in imports stored before). */
    unwelcomedRequestIds?: number[];
  } | null;
};

const ID_PATTERN = /^[a-f0-9]{32}$/;

const importsDir = () => path.join(getEnv().dataDir, "imports");
const fileOf = (id: string) => path.join(importsDir(), `${id}.json`);

function writeAtomically(file: string, data: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function saveImportUpload(input: Omit<StoredImport, "version" | "id" | "createdAt" | "result"> & { now?: Date }): StoredImport {
  const { now = new Date(), ...rest } = input;
  const stored: StoredImport = { version: 1, id: crypto.randomBytes(16).toString("hex"), createdAt: now.getTime(), result: null, ...rest };
  writeAtomically(fileOf(stored.id), JSON.stringify(stored));
  return stored;
}

/** The upload, if it exists, belongs to this coordinator and is younger than 24 hours. */
export function loadImportUpload({ id, coordinatorId, now = new Date() }: { id: string; coordinatorId: number; now?: Date }): StoredImport | null {
  if (!ID_PATTERN.test(id)) return null;
  let stored: StoredImport;
  try {
    stored = JSON.parse(fs.readFileSync(fileOf(id), "utf8")) as StoredImport;
  } catch {
    return null;
  }
  if (stored.version !== 1 || stored.id !== id || stored.coordinatorId !== coordinatorId) return null;
  if (now.getTime() - stored.createdAt > IMPORT_TTL_MS) {
    deleteImportUpload(id);
    return null;
  }
  return stored;
}

/** After the import: the rows are dropped; the summary and the failing rows stay for the report. */
export function saveImportResult(stored: StoredImport, result: NonNullable<StoredImport["result"]>) {
  // The data changed: every cached preview (of this or of another upload) may now be out of date.
  previewCache.clear();
  writeAtomically(fileOf(stored.id), JSON.stringify({ ...stored, rows: null, result } satisfies StoredImport));
}

export function deleteImportUpload(id: string) {
  if (!ID_PATTERN.test(id)) return;
  previewCache.delete(id);
  fs.rmSync(fileOf(id), { force: true });
}

/**
 * Deletes the files of the imports folder (uploads and stray temporary files) for which `shouldGo`
 * says so; a file that cannot be read (removed meanwhile) is skipped. Returns how many went.
 */
function removeStoredFiles(shouldGo: (file: string) => boolean) {
  let names: string[];
  try {
    names = fs.readdirSync(importsDir());
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(importsDir(), name);
    try {
      if (!shouldGo(file)) continue;
      fs.rmSync(file, { force: true });
      previewCache.delete(name.replace(/\.json$/, ""));
      removed++;
    } catch {
      // removed meanwhile
    }
  }
  return removed;
}

/**
 * Deletes every stored upload (a preview not yet imported, or the report of one imported) that
 * `mentions` a person: its whole text, and each row's «Nome Cognome» and cells read as one line, are
 * tested. Stray temporary files are tested on their text. Returns how many were deleted (an erasure).
 */
export function deleteImportUploadsMentioning(mentions: (text: string) => boolean) {
  return removeStoredFiles((file) => {
    const text = fs.readFileSync(file, "utf8");
    return mentions(text) || storedLines(text).some(mentions);
  });
}

/** The rows of a stored upload as lines of text: a name split over two cells is found as one. */
function storedLines(text: string): string[] {
  let stored: Partial<StoredImport>;
  try {
    stored = JSON.parse(text) as Partial<StoredImport>;
  } catch {
    return [];
  }
  const rows = (stored.rows ?? []).flatMap((r) => [`${r.values?.firstName ?? ""} ${r.values?.lastName ?? ""}`, (r.cells ?? []).join(" ")]);
  return [...rows, ...(stored.result?.failed ?? []).map((f) => f.cells.join(" "))];
}

/** Removes uploads older than 24 hours (and stray temporary files); called on every visit of the import pages. */
export function cleanupImportUploads(now = new Date()) {
  return removeStoredFiles((file) => now.getTime() - fs.statSync(file).mtimeMs > IMPORT_TTL_MS);
}

// The preview of a large file takes seconds: paging through it reuses the last one for a minute.
// The import re-checks every row anyway (and refuses if the preview shown is out of date).
const PREVIEW_CACHE_MS = 60 * 1000;
// The promise is kept, so that pages asked for while the preview is computed share it.
const previewCache = new Map<string, { at: number; preview: Promise<ImportPreview> }>();

export function cachedPreview(id: string, compute: () => Promise<ImportPreview>, now = Date.now()): Promise<ImportPreview> {
  const hit = previewCache.get(id);
  if (hit && now - hit.at < PREVIEW_CACHE_MS) return hit.preview;
  const preview = compute();
  previewCache.set(id, { at: now, preview });
  // A failed computation is not kept: the next page asks again.
  preview.catch(() => {
    if (previewCache.get(id)?.preview === preview) previewCache.delete(id);
  });
  while (previewCache.size > 4) previewCache.delete(previewCache.keys().next().value!);
  return preview;
}

export function forgetPreview(id: string) {
  previewCache.delete(id);
}
