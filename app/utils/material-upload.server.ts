import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { unstable_parseMultipartFormData, type UploadHandler, type UploadHandlerPart } from "@remix-run/node";
import { isMalformedFormError } from "./form-data";
import { FORM_BODY_LIMIT_BYTES, UPLOAD_BODY_LIMIT_BYTES } from "./body-limits";

// Streams the one file of a materials form to a temporary file, never more than `maxBytes`; the
// other fields are texts, kept in memory. What was received is read from the returned object, never
// from the form data (so a crafted text field cannot name a path).

export type ReceivedUpload = { tempPath: string; originalName: string; size: number; declaredType: string };

/**
 * The most one text field keeps. The longest text a form with a file asks for is a comunicazione's
 * (20,000 characters): at most 60 KB of UTF-8, as a character counted once by the schema takes at
 * most 3 bytes (one of 4 bytes counts twice) and a line break sent as CRLF 2. A quarter of a megabyte
 * leaves room for any schema's maximum, so each field's own limit (and message) decides; past it the
 * rest of the field is read and thrown away, the field is kept cut and named in `textTooLong`.
 */
const MAX_TEXT_FIELD_BYTES = 256 * 1024;
/** All the text fields together: as much as a whole form without files (the fields past it are cut too). */
const MAX_TEXT_BYTES = FORM_BODY_LIMIT_BYTES;

/** What a text field cut at MAX_TEXT_FIELD_BYTES says when its form's schema has nothing to say about it. */
export const TEXT_FIELD_TOO_LONG_MESSAGE = "Il testo inserito in questo campo è troppo lungo: accorcialo e riprova.";
// Past the limit the rest of the file is read and thrown away, so the browser gets the answer;
// beyond this much the connection is cut instead.
const MAX_DISCARD_BYTES = UPLOAD_BODY_LIMIT_BYTES;

export class UploadTooLargeError extends Error {}

export function createMaterialUploadHandler({ tempDir, maxBytes, fileField = "file" }: { tempDir: string; maxBytes: number; fileField?: string }) {
  const state: { file: ReceivedUpload | null; tooLarge: boolean; tempPaths: string[]; textBytes: number; textTooLong: string[] } = {
    file: null,
    tooLarge: false,
    tempPaths: [],
    textBytes: 0,
    textTooLong: [],
  };

  async function discard(data: AsyncIterable<Uint8Array>, already = 0) {
    let seen = already;
    for await (const chunk of data) {
      seen += chunk.byteLength;
      if (seen > MAX_DISCARD_BYTES) throw new UploadTooLargeError("upload far beyond the limit");
    }
  }

  async function receiveFile(part: UploadHandlerPart) {
    fs.mkdirSync(tempDir, { recursive: true });
    const tempPath = path.join(tempDir, `${crypto.randomBytes(16).toString("hex")}.part`);
    state.tempPaths.push(tempPath);
    const out = fs.openSync(tempPath, "wx", 0o600);
    let size = 0;
    let closed = false;
    const close = () => {
      if (!closed) fs.closeSync(out);
      closed = true;
    };
    try {
      const iterator = part.data[Symbol.asyncIterator]();
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          state.tooLarge = true;
          close();
          fs.rmSync(tempPath, { force: true });
          await discard({ [Symbol.asyncIterator]: () => iterator }, size);
          return;
        }
        fs.writeSync(out, value);
      }
      close();
      if (size === 0 || state.file) {
        fs.rmSync(tempPath, { force: true });
        return;
      }
      state.file = { tempPath, originalName: part.filename ?? "", size, declaredType: part.contentType };
    } catch (error) {
      close();
      fs.rmSync(tempPath, { force: true });
      throw error;
    }
  }

  const handler: UploadHandler = async (part) => {
    if (part.filename !== undefined) {
      if (part.name === fileField && part.filename !== "" && !state.file && !state.tooLarge) await receiveFile(part);
      else await discard(part.data);
      return undefined;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    let cut = false;
    // Past the limit the rest of the field is read and thrown away (the request's own limit bounds it).
    for await (const chunk of part.data) {
      if (cut) continue;
      const room = Math.min(MAX_TEXT_FIELD_BYTES - size, MAX_TEXT_BYTES - state.textBytes);
      const piece = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      cut = piece !== chunk;
      chunks.push(piece);
      size += piece.byteLength;
      state.textBytes += piece.byteLength;
    }
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    if (!cut) return text;
    state.textTooLong.push(part.name);
    // A character cut in the middle is dropped rather than shown as a replacement mark.
    return text.replace(/\uFFFD$/, "");
  };

  return {
    handler,
    get file() {
      return state.file;
    },
    get tooLarge() {
      return state.tooLarge;
    },
    /** The text fields cut at MAX_TEXT_FIELD_BYTES, by name. */
    get textTooLong(): readonly string[] {
      return state.textTooLong;
    },
    /** Deletes whatever this request left in the temporary folder (after a refusal or an error). */
    cleanup() {
      for (const p of state.tempPaths) fs.rmSync(p, { force: true });
    },
  };
}

/** A form's field messages with one for each text field cut short that its schema did not already refuse. */
export function withCutFieldErrors(cut: readonly string[], errors: Record<string, string>) {
  const all = { ...errors };
  for (const name of cut) all[name] ??= TEXT_FIELD_TOO_LONG_MESSAGE;
  return all;
}

/**
 * A form refused for its other fields: a file input cannot be filled again by the page, so without
 * JavaScript the file chosen would be dropped without a word. Says so on the file's field.
 */
export function withFileNotKeptError(
  errors: Record<string, string>,
  { field, file, verb }: { field: string; file: ReceivedUpload | null; verb: "salvare" | "caricare" },
) {
  if (!file || errors[field] || Object.keys(errors).length === 0) return errors;
  const done = verb === "salvare" ? "salvato" : "caricato";
  return { ...errors, [field]: `Il file «${file.originalName}» non è stato ${done} perché il modulo contiene altri errori: sceglilo di nuovo prima di ${verb}` };
}

export type ParsedUploadForm = {
  /** Null when the body could not be read to the end. */
  formData: FormData | null;
  failure: "too_large" | "malformed" | null;
  upload: ReturnType<typeof createMaterialUploadHandler>;
};

/**
 * Reads a multipart form with at most one file. A file over `maxBytes` is refused after the form is
 * read (so its other fields can be shown again), and so is a text field too long (`upload.textTooLong`);
 * a file far beyond its limit, or a body that is not a readable form, ends the reading. The caller deletes the temporary file with `upload.cleanup()`.
 */
export async function parseUploadForm(request: Request, options: { tempDir: string; maxBytes: number; fileField: string }): Promise<ParsedUploadForm> {
  const upload = createMaterialUploadHandler(options);
  try {
    const formData = await unstable_parseMultipartFormData(request, upload.handler);
    return { formData, failure: upload.tooLarge ? "too_large" : null, upload };
  } catch (error) {
    if (error instanceof UploadTooLargeError) return { formData: null, failure: "too_large", upload };
    if (isMalformedFormError(error)) return { formData: null, failure: "malformed", upload };
    upload.cleanup();
    throw error;
  }
}
