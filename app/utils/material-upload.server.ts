import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { unstable_parseMultipartFormData, type UploadHandler, type UploadHandlerPart } from "@remix-run/node";
import { isMalformedFormError } from "./form-data";
import { UPLOAD_BODY_LIMIT_BYTES } from "./body-limits";

// Streams the one file of a materials form to a temporary file, never more than `maxBytes`; the
// other fields are small texts. What was received is read from the returned object, never from
// the form data (so a crafted text field cannot name a path).

export type ReceivedUpload = { tempPath: string; originalName: string; size: number; declaredType: string };

const MAX_TEXT_BYTES = 16 * 1024;
// Past the limit the rest of the file is read and thrown away, so the browser gets the answer;
// beyond this much the connection is cut instead.
const MAX_DISCARD_BYTES = UPLOAD_BODY_LIMIT_BYTES;

export class UploadTooLargeError extends Error {}

export function createMaterialUploadHandler({ tempDir, maxBytes, fileField = "file" }: { tempDir: string; maxBytes: number; fileField?: string }) {
  const state: { file: ReceivedUpload | null; tooLarge: boolean; tempPaths: string[] } = { file: null, tooLarge: false, tempPaths: [] };

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
    for await (const chunk of part.data) {
      size += chunk.byteLength;
      if (size > MAX_TEXT_BYTES) throw new UploadTooLargeError(`field ${part.name} too long`);
      chunks.push(chunk);
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  };

  return {
    handler,
    get file() {
      return state.file;
    },
    get tooLarge() {
      return state.tooLarge;
    },
    /** Deletes whatever this request left in the temporary folder (after a refusal or an error). */
    cleanup() {
      for (const p of state.tempPaths) fs.rmSync(p, { force: true });
    },
  };
}

export type ParsedUploadForm = {
  /** Null when the body could not be read to the end. */
  formData: FormData | null;
  failure: "too_large" | "malformed" | null;
  upload: ReturnType<typeof createMaterialUploadHandler>;
};

/**
 * Reads a multipart form with at most one file. A file over `maxBytes` is refused after the form is
 * read (so its other fields can be shown again); a body far beyond it, or one that is not a
 * readable form, ends the reading. The caller deletes the temporary file with `upload.cleanup()`.
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
