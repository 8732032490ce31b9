import fs from "node:fs";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, outbox } from "#db/schema";
import { action, loader } from "~/routes/admin.posta._index";
import { loader as emailLoader } from "~/routes/admin.posta.$id";
import { loader as emlLoader } from "~/routes/admin.posta.$id_.eml";
import { queueEmail } from "~/models/outbox.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { createMailTransport } from "~/utils/mailer.server";
import { adminGet, adminPost, createTestCoordinator, settle } from "../../support/admin";
import { uniqueEmail } from "../../support/factories";
import { loadContext } from "../../support/requests";

function queued(status: "queued" | "sent" | "failed", to = uniqueEmail("posta")) {
  const row = queueEmail(getDb(), {
    to,
    template: "confirm-registration",
    props: { firstName: "Ada", bodyName: "Comune di Enna", confirmUrl: "http://portale.test/adesione/conferma/x", expiresOn: "1 gennaio 2027", isHandover: false },
    domain: "portale.test",
  });
  getDb()
    .update(outbox)
    .set({ status, attempts: status === "queued" ? 0 : 3, lastError: status === "failed" ? "550 Casella inesistente" : null })
    .where(eq(outbox.id, row.id))
    .run();
  return { id: row.id, to };
}

const statusOf = (id: number) => getDb().select().from(outbox).where(eq(outbox.id, id)).get()!.status;

describe("/admin/posta", () => {
  it("is for signed-in coordinators only; refusals change nothing", async () => {
    const failed = queued("failed");
    expect((await settle(async () => loader({ request: await adminGet("/admin/posta", null), params: {}, context: loadContext() }))).status).toBe(302);
    const anonymous = await settle(async () => action({ request: await adminPost("/admin/posta", { ids: String(failed.id) }, null), params: {}, context: loadContext() }));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);
    expect((await settle(async () => emailLoader({ request: await adminGet(`/admin/posta/${failed.id}`, null), params: { id: String(failed.id) }, context: loadContext() }))).status).toBe(302);
    expect(statusOf(failed.id)).toBe("failed");
  });

  it("lists with counts and filters by status and recipient", async () => {
    const me = createTestCoordinator();
    const failed = queued("failed", uniqueEmail("fallita"));
    queued("sent");
    const response = await loader({ request: await adminGet(`/admin/posta?stato=failed&destinatario=${encodeURIComponent(failed.to.toUpperCase())}`, me.id), params: {}, context: loadContext() });
    const data = (await response.json()) as { rows: { id: number; status: string }[]; counts: Record<string, number> };
    expect(data.rows.map((r) => r.id)).toEqual([failed.id]);
    expect(data.counts.failed).toBeGreaterThanOrEqual(1);
    expect(data.counts.sent).toBeGreaterThanOrEqual(1);

    const ignored = await loader({ request: await adminGet("/admin/posta?stato=boh&pagina=-3&tavolo=x", me.id), params: {}, context: loadContext() });
    expect(ignored.status).toBe(200);
  });

  it("requeues only failed emails, single or in bulk, and audits each", async () => {
    const me = createTestCoordinator();
    const a = queued("failed");
    const b = queued("failed");
    const sent = queued("sent");
    const body = new URLSearchParams();
    for (const id of [a.id, b.id, sent.id]) body.append("ids", String(id));
    const request = await adminPost("/admin/posta?stato=failed", {}, me.id);
    const withIds = new Request(request.url, { method: "POST", headers: request.headers, body: `${await request.text()}&${body}` });
    const response = await action({ request: withIds, params: {}, context: loadContext() });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/posta?stato=failed&riprovate=2");
    expect([statusOf(a.id), statusOf(b.id), statusOf(sent.id)]).toEqual(["queued", "queued", "sent"]);
    const audits = getDb().select().from(auditLog).where(eq(auditLog.action, "email.retried")).all().filter((e) => e.actorId === me.id);
    expect(audits.map((e) => Number(e.entityId)).sort()).toEqual([a.id, b.id].sort());
  });

  it("refuses a retry without CSRF", async () => {
    const me = createTestCoordinator();
    const failed = queued("failed");
    const request = await adminGet("/admin/posta", me.id);
    const forged = new Request(request.url, { method: "POST", headers: request.headers, body: new URLSearchParams({ ids: String(failed.id) }) });
    expect((await settle(() => action({ request: forged, params: {}, context: loadContext() }))).status).toBe(403);
    expect(statusOf(failed.id)).toBe("failed");
  });

  it("shows the rendered email and, in the local default, its .eml file", async () => {
    const me = createTestCoordinator();
    const email = queued("queued", uniqueEmail("anteprima"));
    const response = await emailLoader({ request: await adminGet(`/admin/posta/${email.id}`, me.id), params: { id: String(email.id) }, context: loadContext() });
    const data = (await response.json()) as { rendered: { subject: string; html: string; text: string }; hasEml: boolean };
    expect(data.rendered.subject).toBe("Conferma l'indirizzo email - adesione di Comune di Enna");
    expect(data.rendered.text).toContain("Gentile Ada");
    expect(data.hasEml).toBe(false);

    const row = getDb().select().from(outbox).where(eq(outbox.id, email.id)).get()!;
    await createMailTransport({ SMTP_URL: undefined, mailDir: getEnv().mailDir }).send({
      from: "a@b.it", to: email.to, subject: "x", html: "<p>x</p>", text: "x", messageId: row.messageId,
    });
    const eml = await emlLoader({ request: await adminGet(`/admin/posta/${email.id}/eml`, me.id), params: { id: String(email.id) }, context: loadContext() });
    expect(eml.headers.get("Content-Type")).toBe("message/rfc822");
    expect(await eml.text()).toContain(row.messageId);
    expect(fs.existsSync(getEnv().mailDir)).toBe(true);

    const missing = await settle(async () => emailLoader({ request: await adminGet("/admin/posta/999999", me.id), params: { id: "999999" }, context: loadContext() }));
    expect(missing.status).toBe(404);
  });
});
