// The small pieces that keep crafted input harmless (issue 8): form names that would pollute
// prototypes or clash, text cleaned of control characters, and bodies that are not forms.
import type { ServerBuild } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import { guardFormBodies } from "~/utils/form-body.server";
import { formDataToObject, isMalformedFormError } from "~/utils/form-data";
import { cleanLine, cleanLines, hasTextHazards } from "~/utils/text";

const form = (pairs: [string, string][]) => {
  const fd = new FormData();
  for (const [k, v] of pairs) fd.append(k, v);
  return fd;
};

describe("formDataToObject with crafted names", () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it("drops prototype keys instead of writing to Object.prototype", () => {
    const result = formDataToObject(form([["__proto__.polluted", "yes"], ["constructor.prototype.polluted", "yes"], ["a.__proto__.polluted", "yes"], ["email", "a@b.it"]]));
    expect(result).toEqual({ email: "a@b.it" });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it("never reaches inherited members such as toString", () => {
    const result = formDataToObject(form([["toString.x", "1"], ["hasOwnProperty", "2"]]));
    expect(result).toEqual({ toString: { x: "1" }, hasOwnProperty: "2" });
    expect(typeof Object.prototype.toString).toBe("function");
    expect((Object.prototype.toString as unknown as Record<string, unknown>).x).toBeUndefined();
  });

  it("a name that is also the prefix of another does not throw: the nested fields win, in either order", () => {
    expect(formDataToObject(form([["email", "a"], ["email.x", "b"]]))).toEqual({ email: { x: "b" } });
    expect(formDataToObject(form([["email.x", "b"], ["email", "a"]]))).toEqual({ email: { x: "b" } });
    expect(formDataToObject(form([["projects.0", "x"], ["projects.0.category", "MSNA"]]))).toEqual({ projects: [{ category: "MSNA" }] });
  });

  it("keeps the last value of a repeated plain name, as before", () => {
    expect(formDataToObject(form([["role", "a"], ["role", "b"]]))).toEqual({ role: "b" });
  });
});

describe("cleanLine and cleanLines", () => {
  it("remove C0 and C1 controls, DEL, bidi overrides, noncharacters and lone surrogates", () => {
    const dirty = "Ma\u0000ri\u0007a\u001b[31m \u007f\u0085Ro\u202essi\u2066\ufffe\ud800";
    expect(cleanLine(dirty)).toBe("Maria[31m Rossi");
    expect(hasTextHazards(dirty)).toBe(true);
    expect(hasTextHazards(cleanLine(dirty))).toBe(false);
  });

  it("keep every script, emoji sequences, accents and the marks a right-to-left name needs", () => {
    for (const value of ["Niccolò D'Alì", "مرحبا بالعالم", "Привет", "שלום\u200f", "👩‍👩‍👧‍👦🇮🇹", "e\u0301"]) {
      expect(cleanLine(value)).toBe(value);
      expect(hasTextHazards(value)).toBe(false);
    }
  });

  it("a one-line value has no line breaks or tabs; a multi-line one keeps its lines as \\n", () => {
    expect(cleanLine("Unione\r\nBcc: x@example.org\tfine\u2028")).toBe("Unione Bcc: x@example.org fine ");
    expect(cleanLines("15:00 Saluti\r\n15:15\rRelazioni\u2029fine\u0000")).toBe("15:00 Saluti\n15:15\nRelazioni\nfine");
  });
});

describe("bodies that are not forms", () => {
  const build = (action: (args: { request: Request }) => Promise<unknown>) =>
    guardFormBodies({ routes: { page: { id: "page", path: "x", module: { action } } } } as unknown as ServerBuild);
  const actionOf = (b: ServerBuild) => b.routes.page.module.action as unknown as (args: { request: Request }) => Promise<unknown>;
  const post = (body: BodyInit, type?: string) =>
    new Request("http://portale.test/x", { method: "POST", body, headers: type ? { "Content-Type": type } : {} });

  it.each([
    ["JSON", post('{"a":1}', "application/json")],
    ["plain text", post("garbage", "text/plain")],
    ["a truncated multipart body", post('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', "multipart/form-data; boundary=xyz")],
    ["multipart without a boundary", post("a=1", "multipart/form-data")],
  ])("%s: the action's form read becomes a 400, not a 500", async (_, request) => {
    const guarded = actionOf(build(async ({ request: r }) => r.formData()));
    const thrown = await guarded({ request }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(400);
    expect(await (thrown as Response).text()).toMatch(/^Il modulo inviato non è leggibile/);
  });

  it("other errors and the answers of a good form pass through unchanged", async () => {
    const bug = new TypeError("Cannot read properties of undefined");
    await expect(actionOf(build(async () => Promise.reject(bug)))({ request: post("a=1", "application/x-www-form-urlencoded") })).rejects.toBe(bug);
    const ok = await actionOf(build(async ({ request }) => Object.fromEntries(await request.formData())))({
      request: post("a=1", "application/x-www-form-urlencoded"),
    });
    expect(ok).toEqual({ a: "1" });
    expect(isMalformedFormError(new Error("malformed multipart-form data: unexpected end of stream"))).toBe(true);
    expect(isMalformedFormError(bug)).toBe(false);
  });

  describe("bodies beyond the route's bound", () => {
    const MB = 1024 * 1024;
    const bigForm = (bytes: number) => `a=${"x".repeat(bytes)}`;
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
          controller.close();
        },
      });
      return new Request("http://portale.test/x", { method: "POST", body: stream, duplex: "half", headers: { "Content-Type": "application/x-www-form-urlencoded" } } as RequestInit);
    };
    const guardedWith = (handle: unknown, action: (args: { request: Request }) => Promise<unknown>) =>
      actionOf(guardFormBodies({ routes: { page: { id: "page", path: "x", module: { action, handle } } } } as unknown as ServerBuild));
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as Response);

    it("a declared length over 1 MB is a 413 and the action never runs", async () => {
      let read = false;
      const request = new Request("http://portale.test/x", { method: "POST", body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(MB + 1) } });
      const thrown = await refusal(guardedWith(undefined, async () => (read = true))({ request }));
      expect(thrown?.status).toBe(413);
      expect(await thrown?.text()).toMatch(/^I dati inviati superano la dimensione consentita/);
      expect(read).toBe(false);
    });

    it("a body without a length is cut off past 1 MB and answered with a 413; under it the form is read whole", async () => {
      const readForm = async ({ request }: { request: Request }) => (await request.formData()).get("a")?.toString().length;
      expect((await refusal(guardedWith(undefined, readForm)({ request: chunked(bigForm(2 * MB)) })))?.status).toBe(413);
      expect(await guardedWith(undefined, readForm)({ request: chunked(bigForm(MB - 10)) })).toBe(MB - 10);
    });

    it("a route that receives files sets its own bound in its handle", async () => {
      const readForm = async ({ request }: { request: Request }) => (await request.formData()).get("a")?.toString().length;
      expect(await guardedWith({ maxBodyBytes: 3 * MB }, readForm)({ request: chunked(bigForm(2 * MB)) })).toBe(2 * MB);
      expect((await refusal(guardedWith({ maxBodyBytes: 3 * MB }, readForm)({ request: chunked(bigForm(4 * MB)) })))?.status).toBe(413);
    });
  });

  it("routes without an action are left as they are", () => {
    const route = { id: "r", path: "r", module: { default: () => null } };
    const guarded = guardFormBodies({ routes: { r: route } } as unknown as ServerBuild);
    expect(guarded.routes.r).toBe(route);
  });
});
