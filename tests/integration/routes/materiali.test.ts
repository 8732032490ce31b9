import { createReferent, referentCookie, referentGet } from "../../support/referent";
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { strToU8, zipSync, type Zippable } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, materials } from "#db/schema";
import { announceEndedRoundTableMaterials, canDownloadMaterial, contentDisposition, deleteMaterial, detectDocumentType, sanitizeDownloadName } from "~/models/material.server";
import { cancelRoundTable } from "~/models/round-table.server";
import * as detailRoute from "~/routes/admin.tavoli.$id";
import * as materialsRoute from "~/routes/admin.tavoli.$id_.materiali";
import * as editRoute from "~/routes/admin.tavoli.$id_.materiali_.$materialId";
import * as publicRoundTableRoute from "~/routes/tavoli-tecnici.$id";
import { loader as downloadLoader } from "~/routes/materiali.$id";
import { commitCsrfToken } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { CANCELLED_MATERIALS_NOT_EDITABLE } from "~/validation/material";
import { adminGet, adminPost, createTestCoordinator, sessionCookieFor, settle } from "../../support/admin";
import { renderRoute } from "../../support/render-route";
import { APP_URL, routeArgs } from "../../support/requests";
import { addInvitation, createTestRoundTable, outboxForRoundTable } from "../../support/round-tables";

// ---------------------------------------------------------------- tiny real documents

const PDF = strToU8("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

const CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';

function zip(entries: Zippable) {
  return zipSync(entries);
}

const DOCX = () =>
  zip({
    "[Content_Types].xml": strToU8(CONTENT_TYPES),
    "_rels/.rels": strToU8("<Relationships/>"),
    "word/document.xml": strToU8('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'),
  });

const PPTX = () =>
  zip({
    "[Content_Types].xml": strToU8(CONTENT_TYPES),
    "_rels/.rels": strToU8("<Relationships/>"),
    "ppt/presentation.xml": strToU8('<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'),
  });

// OpenDocument: the uncompressed "mimetype" entry comes first.
const ODF = (mimetype: string) =>
  zip({
    mimetype: [strToU8(mimetype), { level: 0 }],
    "content.xml": strToU8('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    "META-INF/manifest.xml": strToU8("<manifest:manifest/>"),
  });

const EXE = () => {
  const bytes = new Uint8Array(512);
  bytes.set(strToU8("MZ"), 0);
  bytes.set(strToU8("This program cannot be run in DOS mode."), 78);
  return bytes;
};
const HTML = strToU8('<!DOCTYPE html><html><body><script>alert("x")</script></body></html>');
const XLSX = () =>
  zip({ "[Content_Types].xml": strToU8(CONTENT_TYPES), "xl/workbook.xml": strToU8("<workbook/>") });

// ---------------------------------------------------------------- helpers

let coordinatorId: number;
beforeAll(() => {
  coordinatorId = createTestCoordinator().id;
});

const { action: materialsAction, loader: materialsLoader } = materialsRoute;
const uploadsDir = () => getEnv().uploadsDir;

/** Every file under the uploads folder, temporary ones included. */
function filesInUploads(): string[] {
  const dir = uploadsDir();
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

const materialsOf = (roundTableId: number) => getDb().select().from(materials).where(eq(materials.roundTableId, roundTableId)).all();

type UploadFields = { kind?: string; title?: string; curatedBy?: string; visibility?: string };

/** A multipart POST as the browser sends the upload form, signed in as a coordinator. */
async function uploadRequest(roundTableId: number, file: { name: string; bytes: Uint8Array; type?: string } | null, fields: UploadFields = {}, { csrf = true } = {}) {
  const [token, setCookie] = await commitCsrfToken(new Request(`${APP_URL}/`));
  const form = new FormData();
  form.set("csrf", csrf ? token : "sbagliato");
  form.set("upload.kind", fields.kind ?? "slides");
  form.set("upload.title", fields.title ?? "Slides dell'incontro");
  form.set("upload.curatedBy", fields.curatedBy ?? "A. Trebeschi");
  form.set("upload.visibility", fields.visibility ?? "public");
  if (file) form.set("upload.file", new File([new Uint8Array(file.bytes)], file.name, { type: file.type ?? "application/octet-stream" }));
  else form.set("upload.file", new File([], "", { type: "application/octet-stream" }));
  const session = (await sessionCookieFor(coordinatorId)).cookie;
  return new Request(`${APP_URL}/admin/tavoli/${roundTableId}/materiali`, {
    method: "POST",
    body: form,
    headers: { Cookie: `${setCookie!.split(";")[0]}; ${session}`, Origin: APP_URL },
  });
}

async function upload(roundTableId: number, file: { name: string; bytes: Uint8Array; type?: string } | null, fields: UploadFields = {}) {
  const request = await uploadRequest(roundTableId, file, fields);
  return settle(() => materialsAction(routeArgs(request, { id: String(roundTableId) })));
}

async function download(id: number, coordinator: number | null = null) {
  return settle(async () => downloadLoader(routeArgs(await adminGet(`/materiali/${id}`, coordinator), { id: String(id) })));
}

const latestMaterial = (roundTableId: number) => materialsOf(roundTableId).at(-1)!;

// ---------------------------------------------------------------- tests

describe("uploading materials", () => {
  it.each([
    ["PDF", "relazione.pdf", () => PDF, "application/pdf", "relazione.pdf"],
    ["DOCX", "nota invito.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "nota invito.docx"],
    ["PPTX", "Slides Trebeschi.pptx", PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation", "Slides Trebeschi.pptx"],
    ["ODT", "verbale.odt", () => ODF("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text", "verbale.odt"],
    ["ODP", "presentazione.odp", () => ODF("application/vnd.oasis.opendocument.presentation"), "application/vnd.oasis.opendocument.presentation", "presentazione.odp"],
  ])("accepts a real %s, stored under a random name and served with its type", async (_, name, bytes, mimeType, downloadName) => {
    const rt = createTestRoundTable(coordinatorId);
    const content = bytes();
    const response = await upload(rt.id, { name, bytes: content });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}?esito=materiale-aggiunto&n=0#materiali-sezione`);
    const m = latestMaterial(rt.id);
    expect(m).toMatchObject({ kind: "slides", title: "Slides dell'incontro", curatedBy: "A. Trebeschi", mimeType, downloadName, sizeBytes: content.byteLength });
    expect(m.storedFileName).toMatch(/^[a-f0-9]{32}$/);
    expect(fs.readFileSync(path.join(uploadsDir(), m.storedFileName!))).toEqual(Buffer.from(content));
    expect(filesInUploads().some((f) => path.relative(uploadsDir(), f).startsWith(`tmp${path.sep}`))).toBe(false);

    const served = await download(m.id);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe(mimeType);
    expect(served.headers.get("Content-Disposition")).toBe(`attachment; filename="${downloadName}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(Buffer.from(content));

    const entry = getDb().select().from(auditLog).where(eq(auditLog.entityId, String(m.id))).all().find((e) => e.action === "material.added");
    expect(entry?.details).toMatchObject({ roundTableId: rt.id, mimeType, downloadName });
  });

  it.each([
    ["a program renamed .pdf", "slides.pdf", EXE],
    ["a program renamed .docx", "nota.docx", EXE],
    ["a web page named .pdf", "slides.pdf", () => HTML],
    ["a spreadsheet (.xlsx) renamed .pptx", "slides.pptx", XLSX],
    ["a zip with no document inside", "slides.odt", () => zip({ "readme.txt": strToU8("ciao") })],
    ["an ODF with another mimetype", "foglio.odt", () => ODF("application/vnd.oasis.opendocument.spreadsheet")],
  ])("refuses %s, keeping nothing", async (_, name, bytes) => {
    const rt = createTestRoundTable(coordinatorId);
    const before = filesInUploads().length;
    const response = await upload(rt.id, { name, bytes: bytes(), type: "application/pdf" });
    expect(response.status).toBe(400);
    const data = (await response.json()) as { form: string; errors: Record<string, string> };
    expect(data.form).toBe("upload");
    expect(data.errors["upload.file"]).toMatch(/^Il file non è un documento accettato: si possono caricare solo file PDF, Word/);
    expect(materialsOf(rt.id)).toHaveLength(0);
    expect(filesInUploads()).toHaveLength(before);
  });

  it("refuses a file over 25 MB with an Italian message and leaves no file behind", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const before = filesInUploads().length;
    const big = new Uint8Array(25 * 1024 * 1024 + 1);
    big.set(PDF, 0);
    const response = await upload(rt.id, { name: "enorme.pdf", bytes: big });
    expect(response.status).toBe(413);
    const data = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
    expect(data.errors["upload.file"]).toBe(
      "Il file supera il limite di 25 MB: riducine le dimensioni (ad esempio esportando il PDF compresso) e riprova.",
    );
    expect(data.values.title).toBe("Slides dell'incontro");
    expect(materialsOf(rt.id)).toHaveLength(0);
    expect(filesInUploads()).toHaveLength(before);

    // Exactly 25 MB is still fine.
    const limit = new Uint8Array(25 * 1024 * 1024);
    limit.set(PDF, 0);
    expect((await upload(rt.id, { name: "giusto.pdf", bytes: limit })).status).toBe(302);
    expect(latestMaterial(rt.id).sizeBytes).toBe(25 * 1024 * 1024);
  });

  it("asks for a file and for the form's fields, keeping what was typed", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const response = await upload(rt.id, null, { title: "", kind: "video", visibility: "tutti" });
    expect(response.status).toBe(400);
    const data = (await response.json()) as { errors: Record<string, string> };
    expect(data.errors).toEqual({
      "upload.file": "Scegli il file da caricare",
      "upload.title": "Inserisci il titolo del materiale",
      "upload.kind": "Scegli il tipo di materiale",
      "upload.visibility": "Scegli chi può vedere il materiale",
    });
    expect(materialsOf(rt.id)).toHaveLength(0);
  });

  it("refuses a title too long with the title's message, keeping the other fields and saying the file chosen must be chosen again", async () => {
    const rt = createTestRoundTable(coordinatorId);
    // Far beyond what a text field of a form with a file keeps (a quarter of a megabyte).
    const response = await upload(rt.id, { name: "slides.pdf", bytes: PDF }, { title: "à".repeat(200_000), curatedBy: "Ufficio studi" });
    expect(response.status).toBe(400);
    const data = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
    expect(data.errors).toEqual({
      "upload.title": "Il titolo può avere al massimo 200 caratteri",
      "upload.file": "Il file «slides.pdf» non è stato caricato perché il modulo contiene altri errori: sceglilo di nuovo prima di caricare",
    });
    expect(data.values).toMatchObject({ curatedBy: "Ufficio studi", kind: "slides", visibility: "public" });
    expect(materialsOf(rt.id)).toHaveLength(0);
  });

  it("says, when the title is missing, that the file chosen was not kept and must be chosen again (without JavaScript it is dropped)", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const response = await upload(rt.id, { name: "slides incontro.pdf", bytes: PDF }, { title: "" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Record<string, string> }).errors).toEqual({
      "upload.title": "Inserisci il titolo del materiale",
      "upload.file": "Il file «slides incontro.pdf» non è stato caricato perché il modulo contiene altri errori: sceglilo di nuovo prima di caricare",
    });
    expect(materialsOf(rt.id)).toHaveLength(0);
  });

  it("chooses no visibility in advance in either form: a material is public only when the coordinator says so", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const page = await renderRoute(materialsRoute, await adminGet(`/admin/tavoli/${rt.id}/materiali`, coordinatorId), "/admin/tavoli/:id/materiali");
    const selects = [...page.html.matchAll(/<select[^>]*name="(upload|link)\.visibility"[^>]*>([\s\S]*?)<\/select>/g)];
    expect(selects.map((m) => m[1])).toEqual(["upload", "link"]);
    for (const [, , options] of selects) {
      expect(options).toMatch(/^<option value="" selected="">Scegli…<\/option>/);
      expect(options).not.toMatch(/value="public" selected/);
    }
  });

  it("names each form's error summary with its own title: with JavaScript both can be on the page", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const summaryTitle = (html: string) => /<div class="alert alert-danger" role="alert" tabindex="-1" aria-labelledby="([^"]+)"[^>]*><h2 id="([^"]+)"/.exec(html)!.slice(1);
    const upload = await renderRoute(materialsRoute, await uploadRequest(rt.id, null, { title: "" }), "/admin/tavoli/:id/materiali");
    expect(summaryTitle(upload.html)).toEqual(["carica-errori", "carica-errori"]);
    const link = await renderRoute(materialsRoute, await adminPost(`/admin/tavoli/${rt.id}/materiali`, { intent: "link" }, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(summaryTitle(link.html)).toEqual(["collega-errori", "collega-errori"]);
  });

  it("refuses an upload without a valid CSRF token or without a session, keeping nothing", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const before = filesInUploads().length;
    const forged = await settle(async () => materialsAction(routeArgs(await uploadRequest(rt.id, { name: "a.pdf", bytes: PDF }, {}, { csrf: false }), { id: String(rt.id) })));
    expect(forged.status).toBe(403);
    const anonymous = new Request(`${APP_URL}/admin/tavoli/${rt.id}/materiali`, { method: "POST", body: new FormData(), headers: { Origin: APP_URL } });
    const refused = await settle(() => materialsAction(routeArgs(anonymous, { id: String(rt.id) })));
    expect(refused.status).toBe(302);
    expect(refused.headers.get("Location")).toMatch(/^\/login/);
    expect(materialsOf(rt.id)).toHaveLength(0);
    expect(filesInUploads()).toHaveLength(before);
  });

  it("keeps only a safe download name: no folders, no control characters, the right extension", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "../../etc/passwd.pdf", bytes: PDF })).status).toBe(302);
    expect(latestMaterial(rt.id).downloadName).toBe("passwd.pdf");
    expect((await upload(rt.id, { name: "..\\..\\windows\\relazione finale.pdf", bytes: PDF })).status).toBe(302);
    expect(latestMaterial(rt.id).downloadName).toBe("relazione finale.pdf");
    // The content decides the extension.
    expect((await upload(rt.id, { name: "Attività del Coordinamento.pdf", bytes: DOCX() })).status).toBe(302);
    const m = latestMaterial(rt.id);
    expect(m.downloadName).toBe("Attività del Coordinamento.docx");
    const served = await download(m.id);
    expect(served.headers.get("Content-Disposition")).toBe(
      "attachment; filename=\"Attivita del Coordinamento.docx\"; filename*=UTF-8''Attivit%C3%A0%20del%20Coordinamento.docx",
    );
  });

  it("sanitises names with quotes, newlines, folders and odd characters", () => {
    expect(sanitizeDownloadName("../../etc/passwd.pdf", "pdf")).toBe("passwd.pdf");
    expect(sanitizeDownloadName('relazione "finale".pdf', "pdf")).toBe("relazione _finale_.pdf");
    expect(sanitizeDownloadName("riga1\r\nContent-Type: text\n.pdf", "pdf")).toBe("riga1 Content-Type_ text.pdf");
    expect(sanitizeDownloadName("riga1\r\nContent-Type: text/html\n.pdf", "pdf")).toBe("html.pdf");
    expect(sanitizeDownloadName("C:\\Users\\maria\\Città di Noto.odt", "odt")).toBe("Città di Noto.odt");
    expect(sanitizeDownloadName("...", "pdf")).toBe("materiale.pdf");
    expect(sanitizeDownloadName(".htaccess", "pdf")).toBe("htaccess.pdf");
    expect(sanitizeDownloadName("programma.exe", "pdf")).toBe("programma.pdf");
    expect(sanitizeDownloadName("slides.v2", "pptx")).toBe("slides.v2.pptx");
    expect(sanitizeDownloadName("nota\u202Efdp.exe", "pdf")).toBe("nota fdp.pdf");

    const header = contentDisposition('relazione "finale"\u00e8.pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe("attachment; filename=\"relazione _finale_e.pdf\"; filename*=UTF-8''relazione%20%22finale%22%C3%A8.pdf");
  });

  it("detects types by content, not by name", async () => {
    const dir = fs.mkdtempSync(path.join(uploadsDir(), "..", "detect-"));
    const write = (name: string, bytes: Uint8Array) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return p;
    };
    expect((await detectDocumentType(write("x.exe", PDF)))?.extension).toBe("pdf");
    expect(await detectDocumentType(write("x.pdf", EXE()))).toBeNull();
    expect(await detectDocumentType(write("broken.docx", strToU8("PK\u0003\u0004 not really a zip")))).toBeNull();
    expect(await detectDocumentType(write("empty.pdf", new Uint8Array()))).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("downloading materials", () => {
  it("members-only: 404 to anonymous visitors (as if it did not exist), 200 to a coordinator", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "riservato.pdf", bytes: PDF }, { visibility: "members" })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const anonymous = await download(m.id, null);
    expect(anonymous.status).toBe(404);
    // A page saying what may have happened, the same whether the material exists or not.
    expect(anonymous.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const page = await anonymous.text();
    expect(page).toContain('<html lang="it">');
    expect(page).toContain("<h1>Materiale non trovato</h1>");
    // The sign-in brings a referente back here; it promises the file only if it is a reserved one.
    expect(page).toContain(`<a href="/area-referente/accedi?redirectTo=%2Fmateriali%2F${m.id}">`);
    expect(page).toContain("Se il materiale è riservato agli enti aderenti e sei un referente, <a");
    expect(page).toContain("accedi all&#x27;area referente</a>: dopo l&#x27;accesso potrai scaricarlo.");
    const missing = await download(999_999, null);
    expect(missing.status).toBe(404);
    expect((await missing.text()).replace("%2Fmateriali%2F999999", "")).toBe(page.replace(`%2Fmateriali%2F${m.id}`, ""));
    const coordinator = await download(m.id, coordinatorId);
    expect(coordinator.status).toBe(200);
    expect(coordinator.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("a removed or unknown material answers 404 with a page of the portal: its header, footer and style sheets", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "da-rimuovere.pdf", bytes: PDF })).status).toBe(302);
    const m = latestMaterial(rt.id);
    expect((await download(m.id, null)).status).toBe(200);
    const removed = deleteMaterial(getDb(), { id: m.id, roundTableId: rt.id, coordinatorId, uploadsDir: uploadsDir(), confirmed: true });
    expect(removed).toMatchObject({ ok: true });

    for (const id of [m.id, 999_999_999]) {
      const response = await download(id, null);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
      const page = await response.text();
      expect(page).toMatch(/^<!DOCTYPE html><html lang="it">/);
      expect(page).toContain("<title>Materiale non trovato - Coordinamento SAI</title>");
      expect(page.match(/<link rel="stylesheet"/g)).toHaveLength(2);
      expect(page).toContain('<header class="it-header-wrapper">');
      expect(page).toContain('<nav class="navbar navbar-expand-lg has-megamenu" aria-label="Menu principale">');
      expect(page).toContain('<a href="/tavoli-tecnici" class="nav-link"><span>Tavoli tecnici</span></a>');
      expect(page).toMatch(/<main id="contenuto" tabindex="-1"><div class="container my-5"><h1>Materiale non trovato<\/h1><p class="lead">Il materiale non esiste, è stato rimosso/);
      expect(page).toContain('<footer class="it-footer">');
      // Nothing on it runs: the page needs no script, and none is sent.
      expect(page).not.toContain("<script");
    }
  });

  it("members-only: 200 to the active referente of a member ente, 404 to one still awaiting approval", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "per-aderenti.pdf", bytes: PDF }, { visibility: "members" })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const asReferent = async (state: "pending" | "active") => {
      const referent = await createReferent(state);
      const { cookie } = await referentCookie(referent.referentId);
      return settle(async () => downloadLoader(routeArgs(referentGet(`/materiali/${m.id}`, cookie), { id: String(m.id) })));
    };
    expect((await asReferent("active")).status).toBe(200);
    const pending = await asReferent("pending");
    expect(pending.status).toBe(404);
    // Signed in already: signing in again would not help.
    expect(await pending.text()).not.toContain("accedi all");
  });

  it("materials of a draft are never public", async () => {
    const draft = createTestRoundTable(coordinatorId, {}, { publish: false });
    expect((await upload(draft.id, { name: "bozza.pdf", bytes: PDF })).status).toBe(302);
    const m = latestMaterial(draft.id);
    expect((await download(m.id, null)).status).toBe(404);
    expect((await download(m.id, coordinatorId)).status).toBe(200);
  });

  it("canDownloadMaterial: the rule the referent area will extend", () => {
    const published = { visibility: "members" as const, roundTableStatus: "published" as const };
    expect(canDownloadMaterial({ material: published, coordinator: null, referent: null })).toBe(false);
    expect(canDownloadMaterial({ material: published, coordinator: { id: 1 }, referent: null })).toBe(true);
    expect(canDownloadMaterial({ material: published, coordinator: null, referent: { id: 3, active: true } })).toBe(true);
    expect(canDownloadMaterial({ material: published, coordinator: null, referent: { id: 3, active: false } })).toBe(false);
    expect(canDownloadMaterial({ material: { ...published, visibility: "public" }, coordinator: null, referent: null })).toBe(true);
    expect(canDownloadMaterial({ material: { visibility: "public", roundTableStatus: "draft" }, coordinator: null, referent: null })).toBe(false);
  });

  it("a link sends the visitor to it", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const response = await settle(async () =>
      materialsAction(
        routeArgs(
          await adminPost(`/admin/tavoli/${rt.id}/materiali`, { intent: "link", "link.kind": "video", "link.title": "Video dell'incontro", "link.curatedBy": "", "link.visibility": "public", "link.url": "https://www.youtube.com/watch?v=W8nMwuZY0xs" }, coordinatorId),
          { id: String(rt.id) },
        ),
      ),
    );
    expect(response.status).toBe(302);
    const m = latestMaterial(rt.id);
    expect(m).toMatchObject({ kind: "video", url: "https://www.youtube.com/watch?v=W8nMwuZY0xs", storedFileName: null });
    const served = await download(m.id);
    expect(served.status).toBe(302);
    expect(served.headers.get("Location")).toBe("https://www.youtube.com/watch?v=W8nMwuZY0xs");
  });

  it("refuses a link that is not https or a kind that is not a link", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const response = await settle(async () =>
      materialsAction(
        routeArgs(
          await adminPost(`/admin/tavoli/${rt.id}/materiali`, { intent: "link", "link.kind": "slides", "link.title": "Video", "link.visibility": "public", "link.url": "javascript:alert(1)" }, coordinatorId),
          { id: String(rt.id) },
        ),
      ),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Record<string, string> }).errors).toEqual({
      "link.kind": "Scegli il tipo di materiale",
      "link.url": "Il link deve essere un indirizzo completo che inizia con https://",
    });
    expect(materialsOf(rt.id)).toHaveLength(0);
  });

  it("deleting a material takes a confirmed tick: «Elimina» leads to it, and without the tick nothing is deleted", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "da-eliminare.pdf", bytes: PDF }, { title: "Slides da eliminare" })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const file = path.join(uploadsDir(), m.storedFileName!);
    expect(fs.existsSync(file)).toBe(true);
    const confirmationUrl = `/admin/tavoli/${rt.id}/materiali?elimina=${m.id}`;

    // The Tavolo's page only links to the confirmation: no form there deletes anything.
    const detail = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${rt.id}`, coordinatorId), "/admin/tavoli/:id");
    expect(detail.html).toContain(`href="${confirmationUrl}"`);
    expect(detail.html).not.toContain('name="materialId"');
    // The file's link says its format and size, as the public material links do.
    expect(detail.html).toContain(`<a href="/materiali/${m.id}">da-eliminare.pdf</a> (PDF, 1 kB)`);
    const confirmation = await renderRoute(materialsRoute, await adminGet(confirmationUrl, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(confirmation.html).toContain("Eliminare «Slides da eliminare»?");
    expect(confirmation.html).toContain("da-eliminare.pdf");
    expect(confirmation.html).toContain("non funzioneranno più");
    expect(confirmation.html).toContain(">Confermo: voglio eliminare questo materiale</label>");

    // Sent without the tick, as without JavaScript: the page again, its error in a summary linking
    // to the tick; the material and its file are still there.
    const deleteFields = { intent: "delete", materialId: String(m.id) };
    const refused = await renderRoute(materialsRoute, await adminPost(confirmationUrl, deleteFields, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('<a href="#confirm">Per eliminare il materiale spunta la conferma</a>');
    expect(refused.html).toMatch(/<input type="checkbox" id="confirm" name="confirm" aria-invalid="true" aria-describedby="confirm-error"/);
    expect(refused.html).toContain("Eliminare «Slides da eliminare»?");
    expect(materialsOf(rt.id)).toHaveLength(1);
    expect(fs.existsSync(file)).toBe(true);
    expect(deleteMaterial(getDb(), { id: m.id, roundTableId: rt.id, coordinatorId, uploadsDir: uploadsDir(), confirmed: false })).toEqual({ ok: false, reason: "unconfirmed" });
    const materialAudit = () => getDb().select().from(auditLog).where(and(eq(auditLog.entityType, "material"), eq(auditLog.entityId, String(m.id)))).all();
    expect(materialAudit().map((e) => e.action)).toEqual(["material.added"]);

    const response = await settle(async () =>
      materialsAction(routeArgs(await adminPost(confirmationUrl, { ...deleteFields, confirm: "on" }, coordinatorId), { id: String(rt.id) })),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}?esito=materiale-eliminato#materiali-sezione`);
    expect(materialsOf(rt.id)).toHaveLength(0);
    expect(fs.existsSync(file)).toBe(false);
    expect((await download(m.id, coordinatorId)).status).toBe(404);
  });

  it("the materials page is for coordinators only", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const anonymous = await settle(async () => materialsLoader(routeArgs(await adminGet(`/admin/tavoli/${rt.id}/materiali`, null), { id: String(rt.id) })));
    expect(anonymous.status).toBe(302);
    const signedIn = await settle(async () => materialsLoader(routeArgs(await adminGet(`/admin/tavoli/${rt.id}/materiali`, coordinatorId), { id: String(rt.id) })));
    expect(signedIn.status).toBe(200);
  });
});

describe("materiali disponibili", () => {
  it("goes once, a few minutes after the last slides or video added after the end, listing them all, to the invitees who have not declined", async () => {
    const rt = createTestRoundTable(coordinatorId, { startsAt: "2022-03-02T15:00", endsAt: "2022-03-02T17:00" });
    addInvitation(rt.id, "mat-si@comune.test", "yes");
    addInvitation(rt.id, "mat-attesa@comune.test", "pending");
    addInvitation(rt.id, "mat-no@comune.test", "no");
    const page = await renderRoute(materialsRoute, await adminGet(`/admin/tavoli/${rt.id}/materiali`, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(page.html.replaceAll("&#x27;", "'").replace(/\s+/g, " ")).toContain(
      "Il tavolo si è già svolto: aggiungendo slides o video, gli invitati che non hanno declinato riceveranno, una decina di minuti dopo l'ultimo materiale aggiunto, un'unica email «Materiali disponibili» con tutti quelli aggiunti nel frattempo (una sola volta per ciascun materiale).",
    );

    // A nota-invito is not announced.
    expect((await upload(rt.id, { name: "nota.pdf", bytes: PDF }, { kind: "nota_invito" })).status).toBe(302);

    const slides = await upload(rt.id, { name: "slides.pptx", bytes: PPTX() }, { kind: "slides", title: "Slides di A. Trebeschi" });
    expect(slides.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}?esito=materiale-aggiunto&n=2#materiali-sezione`);
    const outcome = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${rt.id}?esito=materiale-aggiunto&n=2`, coordinatorId), "/admin/tavoli/:id");
    expect(outcome.html).toContain("Il materiale è stato aggiunto. Tra una decina di minuti 2 invitati riceveranno l&#x27;avviso «materiali disponibili», insieme agli altri materiali aggiunti nel frattempo.");
    const m = latestMaterial(rt.id);

    // Right after, the video's link and a document: no email has left yet.
    for (const [kind, title, url] of [["video", "Video", "https://www.youtube.com/watch?v=abc"], ["documento", "Articolo", "https://www.anci.sicilia.it/x"]]) {
      await settle(async () =>
        materialsAction(
          routeArgs(await adminPost(`/admin/tavoli/${rt.id}/materiali`, { intent: "link", "link.kind": kind, "link.title": title, "link.visibility": "public", "link.url": url }, coordinatorId), {
            id: String(rt.id),
          }),
        ),
      );
    }
    expect(outboxForRoundTable(rt.id, "materials-available")).toHaveLength(0);

    // The scheduled job, 10 minutes later: one email each, with the slides and the video.
    const later = new Date(Date.now() + 11 * 60_000);
    announceEndedRoundTableMaterials(getDb(), { now: later, appUrl: APP_URL });
    const rows = outboxForRoundTable(rt.id, "materials-available");
    expect(rows.map((r) => r.recipient).sort()).toEqual(["mat-attesa@comune.test", "mat-si@comune.test"]);
    for (const row of rows) {
      expect(row.props).toMatchObject({
        materials: [
          { title: "Slides di A. Trebeschi", kindLabel: "Slides", url: `${APP_URL}/materiali/${m.id}` },
          { title: "Video", kindLabel: "Video", url: "https://www.youtube.com/watch?v=abc" },
        ],
      });
      expect((row.props as { materials: unknown[] }).materials).toHaveLength(2);
    }
    expect(latestMaterial(rt.id).announcedAt).toBeNull(); // the document
    expect(materialsOf(rt.id).filter((x) => x.announcedAt).map((x) => x.title)).toEqual(["Slides di A. Trebeschi", "Video"]);
    announceEndedRoundTableMaterials(getDb(), { now: new Date(later.getTime() + 60 * 60_000), appUrl: APP_URL });
    expect(outboxForRoundTable(rt.id, "materials-available")).toHaveLength(2);
  });

  it("is not sent for slides added before the round table has ended", async () => {
    const upcoming = createTestRoundTable(coordinatorId);
    addInvitation(upcoming.id, "prima@comune.test", "yes");
    expect((await upload(upcoming.id, { name: "slides.pdf", bytes: PDF }, { kind: "slides" })).status).toBe(302);
    expect(outboxForRoundTable(upcoming.id, "materials-available")).toHaveLength(0);
    expect(latestMaterial(upcoming.id).announcedAt).toBeNull();
  });
});

describe("correcting a material", () => {
  const editPath = (roundTableId: number, materialId: number) => `/admin/tavoli/${roundTableId}/materiali/${materialId}`;
  const EDIT_ROUTE = "/admin/tavoli/:id/materiali/:materialId";
  const editFields = (fields: Record<string, string> = {}) => ({ kind: "slides", title: "Slides dell'incontro", curatedBy: "A. Trebeschi", visibility: "public", ...fields });
  const send = async (roundTableId: number, materialId: number, fields: Record<string, string>, coordinator: number | null = coordinatorId) =>
    settle(async () =>
      editRoute.action(routeArgs(await adminPost(editPath(roundTableId, materialId), fields, coordinator), { id: String(roundTableId), materialId: String(materialId) })),
    );
  const materialRow = (id: number) => getDb().select().from(materials).where(eq(materials.id, id)).get();

  it("«Modifica» on the Tavolo's page opens the material's form, filled in; saved, the Tavolo's page says «Il materiale è stato aggiornato.»", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "slides.pdf", bytes: PDF }, { kind: "documento", title: "Slisdes dell'incontro" })).status).toBe(302);
    const m = latestMaterial(rt.id);

    const detail = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${rt.id}`, coordinatorId), "/admin/tavoli/:id");
    expect(detail.html).toContain(`<a class="btn btn-outline-primary btn-xs" data-discover="true" href="${editPath(rt.id, m.id)}">Modifica<span class="visually-hidden"> Slisdes dell&#x27;incontro</span></a>`);

    const page = await renderRoute(editRoute, await adminGet(editPath(rt.id, m.id), coordinatorId), EDIT_ROUTE);
    expect(page.status).toBe(200);
    expect(page.title).toBe(`Modifica materiale «Slisdes dell'incontro» - Tavolo tecnico: ${rt.title} - Area coordinatori - Coordinamento SAI`);
    expect(page.html).toContain("<h1>Modifica materiale: Slisdes dell&#x27;incontro</h1>");
    expect(page.html).toContain('<label for="title">Titolo</label><input id="title" name="title" type="text" class="form-control " value="Slisdes dell&#x27;incontro"/>');
    expect(page.html).toMatch(/<label for="kind">Tipo di materiale<\/label><select id="kind" name="kind" class="form-select ">/);
    expect(page.html).toContain('<option value="documento" selected="">Documento</option>');
    // A file is a nota-invito, slides or a document: never a video. The file itself is not in the form.
    expect(page.html).not.toContain('value="video"');
    expect(page.html).not.toContain('type="file"');
    expect(page.html).toContain(`<a href="/materiali/${m.id}">slides.pdf</a> (PDF, 1 kB)`);

    const saved = await send(rt.id, m.id, editFields({ kind: "slides", title: "Slides dell'incontro", curatedBy: "S. Bottari", visibility: "members" }));
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}?esito=materiale-aggiornato#materiali-sezione`);
    expect(materialRow(m.id)).toMatchObject({ kind: "slides", title: "Slides dell'incontro", curatedBy: "S. Bottari", visibility: "members", storedFileName: m.storedFileName });
    const back = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${rt.id}?esito=materiale-aggiornato`, coordinatorId), "/admin/tavoli/:id");
    expect(back.html).toContain('<div class="alert alert-success" role="status">Il materiale è stato aggiornato.</div>');
    expect(outboxForRoundTable(rt.id)).toHaveLength(0);

    // Sent again unchanged: saved nothing, and says so.
    const same = await send(rt.id, m.id, editFields({ curatedBy: "S. Bottari", visibility: "members" }));
    expect(same.headers.get("Location")).toBe(`/admin/tavoli/${rt.id}?esito=materiale-invariato#materiali-sezione`);
  });

  it("sent with errors, as without JavaScript: 400, the summary linking to each field, what was typed kept, nothing saved", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "nota.pdf", bytes: PDF }, { kind: "nota_invito", title: "Nota invito" })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const fields = editFields({ kind: "video", title: "  ", curatedBy: "Segreteria tecnica" });
    const json = await send(rt.id, m.id, fields);
    expect(json.status).toBe(400);
    expect(((await json.json()) as { errors: Record<string, string> }).errors).toEqual({ kind: "Scegli il tipo di materiale", title: "Inserisci il titolo del materiale" });

    const refused = await renderRoute(editRoute, await adminPost(editPath(rt.id, m.id), fields, coordinatorId), EDIT_ROUTE);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('<h2 id="error-summary-title" class="h4">Il modulo del materiale contiene 2 errori</h2>');
    expect(refused.html).toContain('<li><a href="#kind">Scegli il tipo di materiale</a></li><li><a href="#title">Inserisci il titolo del materiale</a></li>');
    expect(refused.html).toContain('aria-invalid="true" aria-describedby="title-error"');
    expect(refused.html).toContain('value="Segreteria tecnica"');
    expect(materialRow(m.id)).toMatchObject({ kind: "nota_invito", title: "Nota invito", curatedBy: "A. Trebeschi" });
  });

  it("a material of another Tavolo, an unknown or a deleted one: 404 on the page and on sending, nothing changed; signed out: the sign-in", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const other = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "slides.pdf", bytes: PDF })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const before = materialRow(m.id);

    for (const [roundTableId, materialId] of [[other.id, m.id], [rt.id, 999_999_999]]) {
      const page = await settle(async () =>
        editRoute.loader(routeArgs(await adminGet(editPath(roundTableId, materialId), coordinatorId), { id: String(roundTableId), materialId: String(materialId) })),
      );
      expect(page.status).toBe(404);
      expect(await page.text()).toBe("Materiale non trovato: forse è stato eliminato oppure appartiene a un altro Tavolo tecnico.");
      expect((await send(roundTableId, materialId, editFields({ title: "Cambiato" }))).status).toBe(404);
    }
    expect(materialRow(m.id)).toEqual(before);

    const signedOut = await send(rt.id, m.id, editFields({ title: "Cambiato" }), null);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toMatch(/^\/login/);
    expect(materialRow(m.id)).toEqual(before);

    expect(deleteMaterial(getDb(), { id: m.id, roundTableId: rt.id, coordinatorId, uploadsDir: uploadsDir(), confirmed: true })).toEqual({ ok: true });
    expect((await send(rt.id, m.id, editFields({ title: "Cambiato" }))).status).toBe(404);
  });

  it("made reserved, its address no longer downloads for the public and the public page no longer lists it; a coordinator still opens it", async () => {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "programma.pdf", bytes: PDF }, { kind: "documento", title: "Programma dettagliato" })).status).toBe(302);
    const m = latestMaterial(rt.id);
    const publicPage = async () => (await renderRoute(publicRoundTableRoute, await adminGet(`/tavoli-tecnici/${rt.id}`, null), "/tavoli-tecnici/:id")).html;
    const beforeEdit = await download(m.id, null);
    expect(beforeEdit.status).toBe(200);
    // A cache (a proxy's, the browser's) may keep a public file but must ask again before each use:
    // the answer then follows the visibility of the moment, and a file made reserved is not served on.
    expect(beforeEdit.headers.get("Cache-Control")).toBe("public, no-cache");
    expect(await publicPage()).toContain(`<a href="/materiali/${m.id}">Programma dettagliato</a>`);

    expect((await send(rt.id, m.id, editFields({ kind: "documento", title: "Programma dettagliato", visibility: "members" }))).status).toBe(302);
    expect((await download(m.id, null)).status).toBe(404);
    const html = await publicPage();
    expect(html).not.toContain("Programma dettagliato");
    expect(html).not.toContain(`/materiali/${m.id}"`);
    // It was the only material: nothing else is listed, so not «Un altro».
    expect(html).toContain("Un materiale è riservato ai referenti");
    expect((await download(m.id, coordinatorId)).status).toBe(200);
  });
});

describe("the materials of a cancelled Tavolo", () => {
  const linkFields = { intent: "link", "link.kind": "video", "link.title": "Video tardivo", "link.curatedBy": "", "link.visibility": "public", "link.url": "https://www.youtube.com/watch?v=tardivo" };
  const editPath = (roundTableId: number, materialId: number) => `/admin/tavoli/${roundTableId}/materiali/${materialId}`;
  const editFields = { kind: "documento", title: "Titolo cambiato", curatedBy: "", visibility: "members" };
  const materialAudit = (roundTableId: number) =>
    getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityType, "material"))
      .all()
      .filter((e) => e.details?.roundTableId === roundTableId);

  /** A Tavolo with a file and a link, then cancelled: what a page opened before the cancellation would send to. */
  async function cancelledWithMaterials() {
    const rt = createTestRoundTable(coordinatorId);
    expect((await upload(rt.id, { name: "programma.pdf", bytes: PDF }, { kind: "documento", title: "Programma" })).status).toBe(302);
    const file = latestMaterial(rt.id);
    expect(cancelRoundTable(getDb(), { id: rt.id, coordinatorId, appUrl: APP_URL })).toMatchObject({ ok: true });
    return { rt, file };
  }

  it("refuses adding and correcting, even from a page opened before: nothing changes, no audit entry", async () => {
    const { rt, file } = await cancelledWithMaterials();
    const rows = materialsOf(rt.id);
    const files = filesInUploads();
    const audit = materialAudit(rt.id);
    expect(audit.map((e) => e.action)).toEqual(["material.added"]);

    const uploaded = await upload(rt.id, { name: "slides.pdf", bytes: PDF }, { title: "Slides tardive" });
    expect(uploaded.status).toBe(409);
    expect(await uploaded.json()).toMatchObject({ form: "upload", errors: {}, formError: CANCELLED_MATERIALS_NOT_EDITABLE });

    const linked = await settle(async () => materialsAction(routeArgs(await adminPost(`/admin/tavoli/${rt.id}/materiali`, linkFields, coordinatorId), { id: String(rt.id) })));
    expect(linked.status).toBe(409);
    expect(await linked.json()).toMatchObject({ form: "link", formError: CANCELLED_MATERIALS_NOT_EDITABLE });

    const edited = await settle(async () =>
      editRoute.action(routeArgs(await adminPost(editPath(rt.id, file.id), editFields, coordinatorId), { id: String(rt.id), materialId: String(file.id) })),
    );
    expect(edited.status).toBe(409);
    expect(await edited.json()).toMatchObject({ formError: CANCELLED_MATERIALS_NOT_EDITABLE });

    expect(materialsOf(rt.id)).toEqual(rows);
    expect(filesInUploads().sort()).toEqual(files.sort());
    expect(fs.existsSync(path.join(uploadsDir(), file.storedFileName!))).toBe(true);
    expect(materialAudit(rt.id)).toEqual(audit);
  });

  it("still deletes one, with the tick: a file uploaded by mistake must always be removable", async () => {
    const { rt, file } = await cancelledWithMaterials();
    const deleteUrl = `/admin/tavoli/${rt.id}/materiali?elimina=${file.id}`;
    const deleted = await settle(async () =>
      materialsAction(routeArgs(await adminPost(deleteUrl, { intent: "delete", materialId: String(file.id), confirm: "on" }, coordinatorId), { id: String(rt.id) })),
    );
    expect(deleted.status).toBe(302);
    expect(materialsOf(rt.id)).toEqual([]);
    expect(fs.existsSync(path.join(uploadsDir(), file.storedFileName!))).toBe(false);
    expect(materialAudit(rt.id).map((e) => e.action)).toEqual(["material.added", "material.deleted"]);
  });

  it("a form opened before the cancellation and sent anyway shows why, as an alert, instead of the form", async () => {
    const { rt, file } = await cancelledWithMaterials();
    // data-outcome: the message takes the focus, as the outcome of the form sent (useFocusAfterNavigation).
    const alert = `<p class="alert alert-danger" role="alert" data-outcome="">${CANCELLED_MATERIALS_NOT_EDITABLE}</p>`;

    const edit = await renderRoute(editRoute, await adminPost(editPath(rt.id, file.id), editFields, coordinatorId), "/admin/tavoli/:id/materiali/:materialId");
    expect(edit.status).toBe(409);
    expect(edit.html).toContain(alert);
    expect(edit.html).not.toContain('name="title"');

    const link = await renderRoute(materialsRoute, await adminPost(`/admin/tavoli/${rt.id}/materiali`, linkFields, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(link.status).toBe(409);
    expect(link.html).toContain(alert);
    expect(link.html).not.toContain("Aggiungi il link");
  });

  it("the Tavolo's page lists them with «Elimina» only, without «Modifica» or «Aggiungi materiali»; their pages offer no form but the deletion", async () => {
    const { rt, file } = await cancelledWithMaterials();
    const detail = await renderRoute(detailRoute, await adminGet(`/admin/tavoli/${rt.id}`, coordinatorId), "/admin/tavoli/:id");
    expect(detail.html).toContain(`<a href="/materiali/${file.id}">programma.pdf</a>`);
    expect(detail.html).not.toContain(`href="${editPath(rt.id, file.id)}"`);
    expect(detail.html).toContain(`href="/admin/tavoli/${rt.id}/materiali?elimina=${file.id}"`);
    expect(detail.html).not.toContain(`href="/admin/tavoli/${rt.id}/materiali"`);
    expect(detail.html).toContain(`<p>${CANCELLED_MATERIALS_NOT_EDITABLE}</p>`);

    const info = `<p class="alert alert-info">${CANCELLED_MATERIALS_NOT_EDITABLE}</p>`;
    const materialsPage = await renderRoute(materialsRoute, await adminGet(`/admin/tavoli/${rt.id}/materiali?elimina=${file.id}`, coordinatorId), "/admin/tavoli/:id/materiali");
    expect(materialsPage.html).toContain(info);
    expect(materialsPage.html).not.toContain('type="file"');
    expect(materialsPage.html).toContain("Eliminare «Programma»?");
    const editPage = await renderRoute(editRoute, await adminGet(editPath(rt.id, file.id), coordinatorId), "/admin/tavoli/:id/materiali/:materialId");
    expect(editPage.status).toBe(200);
    expect(editPage.html).toContain(info);
    expect(editPage.html).not.toContain("Salva le modifiche");
  });
});
