// Requests that must not work, against the built server (issue 8, point 2): the security headers of
// every HTML page (a CSP with a per-request nonce that every script carries, object-src 'none',
// base-uri, frame-ancestors; nosniff; Referrer-Policy), the flags of the cookies on the local http
// default and, on a second server whose APP_URL is https, HSTS and the __Host- cookies with Secure;
// CSRF and Origin checks over HTTP; and error pages (404, 405, a URL that does not decode, a huge
// query string, a bad Host, an unknown method, bodies that are not forms) that never answer 500 and
// never show a stack trace, SQL or a file path. Behind a reverse proxy: a POST from APP_URL's origin
// whatever Host the proxy passes, X-Forwarded-For believed from the proxies of TRUST_PROXY; and the
// server started from another folder.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runPortalToExit, startPortal, type PortalProcess } from "../support/portal-process";
import { RESET_REQUESTS_PER_IP } from "~/utils/auth.server";
import { COORDINATOR_EMAIL } from "./support";

// ----------------------------------------------------------------------------------------------
// A tiny browser: a cookie jar, and the hidden fields of the forms of the page it last read.

type Cookie = { name: string; value: string; attributes: Record<string, string | true> };

function parseSetCookie(header: string): Cookie {
  const [pair, ...attributes] = header.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    attributes: Object.fromEntries(
      attributes.map((a) => {
        const i = a.indexOf("=");
        return i < 0 ? [a.toLowerCase(), true] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
      }),
    ),
  };
}

/** The hidden inputs of a page (csrf token, honeypot): name -> value. */
function hiddenInputs(html: string) {
  const found: Record<string, string> = {};
  for (const tag of html.match(/<input\b[^>]*>/g) ?? []) {
    const name = tag.match(/\bname="([^"]*)"/)?.[1];
    const value = tag.match(/\bvalue="([^"]*)"/)?.[1] ?? "";
    if (name && /type="hidden"|name="(sito_web|from__confirm)"/.test(tag)) found[name] = value.replace(/&amp;/g, "&").replace(/&quot;/g, '"');
  }
  return found;
}

class HttpClient {
  jar = new Map<string, Cookie>();
  /** Sent with every request (X-Forwarded-For, …). */
  headers: Record<string, string> = {};
  /** `proxied`: the request comes through a TLS proxy for `origin` (X-Forwarded-Host and -Proto, as nginx sends them). */
  constructor(readonly baseUrl: string, readonly origin = baseUrl, readonly proxied = false) {}

  cookieHeader() {
    return [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join("; ");
  }

  async fetch(pathname: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) if (!headers.has(name)) headers.set(name, value);
    if (this.jar.size && !headers.has("Cookie")) headers.set("Cookie", this.cookieHeader());
    if (this.proxied) {
      const public_ = new URL(this.origin);
      headers.set("X-Forwarded-Host", public_.host);
      headers.set("X-Forwarded-Proto", public_.protocol.replace(":", ""));
    }
    const response = await fetch(`${this.baseUrl}${pathname}`, { redirect: "manual", ...init, headers });
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      if (cookie.value === "" || cookie.attributes["max-age"] === "0") this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie);
    }
    return response;
  }

  /** GETs the page of a form, then POSTs its hidden fields plus `fields`, with this client's Origin. */
  async submit(pagePath: string, fields: Record<string, string>, { action = pagePath, origin = this.origin } = {}) {
    const page = await this.fetch(pagePath);
    const hidden = hiddenInputs(await page.text());
    return this.fetch(action, {
      method: "POST",
      body: new URLSearchParams({ ...hidden, ...fields }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    });
  }
}

/** The CSP as directive -> sources. */
function parseCsp(header: string | null) {
  expect(header, "Content-Security-Policy header").toBeTruthy();
  return Object.fromEntries(
    header!
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name, sources];
      }),
  ) as Record<string, string[]>;
}

/** Headers every HTML page must carry; returns the nonce of the page. */
async function expectSecureHtml(response: Response, what: string, { https = false } = {}) {
  expect(response.headers.get("Content-Type"), `${what}: content type`).toMatch(/^text\/html/);
  const csp = parseCsp(response.headers.get("Content-Security-Policy"));
  const html = await response.text();
  // Without the doctype the browser renders in quirks mode, and Bootstrap Italia's layout breaks.
  expect(html.startsWith("<!DOCTYPE html>"), `${what}: starts with the doctype`).toBe(true);
  expect(csp["object-src"], `${what}: object-src`).toEqual(["'none'"]);
  expect(csp["base-uri"], `${what}: base-uri`).toBeDefined();
  expect(csp["base-uri"].every((s) => s === "'self'" || s === "'none'"), `${what}: base-uri ${csp["base-uri"]}`).toBe(true);
  expect(csp["frame-ancestors"], `${what}: frame-ancestors`).toEqual(["'none'"]);
  const scriptSources = csp["script-src"] ?? csp["default-src"];
  expect(scriptSources, `${what}: script-src`).toBeDefined();
  expect(scriptSources, `${what}: script-src allows inline scripts`).not.toContain("'unsafe-inline'");
  expect(scriptSources, `${what}: script-src allows eval`).not.toContain("'unsafe-eval'");
  const nonce = scriptSources.find((s) => s.startsWith("'nonce-"))?.slice(7, -1) ?? null;
  // Every script of the page carries the nonce (a page without scripts needs none).
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  if (scripts.length > 0) expect(nonce, `${what}: a nonce in script-src`).toBeTruthy();
  for (const tag of scripts) expect(tag, `${what}: a script without the nonce`).toContain(`nonce="${nonce}"`);
  expect(response.headers.get("X-Content-Type-Options"), `${what}: nosniff`).toBe("nosniff");
  expect(["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"], `${what}: Referrer-Policy`).toContain(
    response.headers.get("Referrer-Policy"),
  );
  expect(response.headers.get("X-Powered-By"), `${what}: X-Powered-By`).toBeNull();
  const hsts = response.headers.get("Strict-Transport-Security");
  if (https) {
    expect(hsts, `${what}: HSTS`).toMatch(/max-age=(\d+)/);
    expect(Number(hsts!.match(/max-age=(\d+)/)![1]), `${what}: HSTS max-age`).toBeGreaterThanOrEqual(31536000);
    expect(csp["upgrade-insecure-requests"], `${what}: upgrade-insecure-requests`).toBeDefined();
  } else {
    expect(hsts, `${what}: HSTS on plain http`).toBeNull();
  }
  return { nonce, html };
}

/** Nothing an error page may show: stack frames, SQL, file paths, raw error names. */
const LEAKS = [/\n\s*at .+:\d+:\d+/, /\bat (async )?[\w.$<>]+ \(/, /SQLITE_|SqliteError|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b/i, /node_modules|\/work\/|\/tmp\/|build\/index\.js/, /\b(TypeError|ReferenceError|RangeError|URIError)\b/];

function expectNoLeak(body: string, what: string) {
  for (const pattern of LEAKS) expect(body, `${what}: the page shows ${pattern}`).not.toMatch(pattern);
}

const baseUrl = () => inject("baseUrl");

/** Signs in at /login as the first administrator; returns the client holding the session cookie. */
async function signedInClient(client = new HttpClient(baseUrl()), password = inject("adminPassword")) {
  const response = await client.submit("/login", { email: COORDINATOR_EMAIL, password, redirectTo: "/admin" });
  expect(response.status, `sign-in: ${response.status === 302 ? "" : (await response.text()).slice(0, 3000)}`).toBe(302);
  expect(response.headers.get("Location")).toBe("/admin");
  return client;
}

const PUBLIC_PAGES = ["/", "/adesione", "/privacy", "/accessibilita", "/tavoli-tecnici", "/login", "/logout", "/area-referente/accedi", "/invito/non-esiste", "/subentro/non-esiste", "/pagina-che-non-esiste"];
const ADMIN_PAGES = ["/admin", "/admin/adesioni", "/admin/tavoli", "/admin/tavoli/nuovo", "/admin/posta", "/admin/registro", "/admin/coordinatori", "/admin/importa", "/admin/cancellazioni", "/admin/adesioni/999999"];

// ----------------------------------------------------------------------------------------------
describe("the headers of every HTML page (local http default)", () => {
  it("public pages and error pages: CSP with a fresh nonce on every script, object-src 'none', base-uri, frame-ancestors, nosniff, Referrer-Policy, no HSTS", async () => {
    const client = new HttpClient(baseUrl());
    const nonces = new Set<string>();
    for (const page of PUBLIC_PAGES) {
      const response = await client.fetch(page);
      expect(response.status, page).toBeLessThan(500);
      const { nonce } = await expectSecureHtml(response, page);
      if (nonce) nonces.add(nonce);
    }
    // One nonce per response, never reused.
    expect(nonces.size).toBe(PUBLIC_PAGES.length);
  });

  it("the pages of the coordinators' area, signed in", async () => {
    const client = await signedInClient();
    for (const page of ADMIN_PAGES) {
      const response = await client.fetch(page);
      expect(response.status, page).toBeLessThan(500);
      if (page !== "/admin/adesioni/999999") expect(response.status, page).toBe(200);
      await expectSecureHtml(response, page);
      // One person's data: never kept by the browser or a proxy (Back after "Esci" on a shared computer).
      expect(response.headers.get("Cache-Control"), page).toBe("private, no-store");
      const data = await client.fetch(`${page}${page.includes("?") ? "&" : "?"}_data=root`);
      expect(data.headers.get("Cache-Control"), `${page} data`).toMatch(/no-store/);
    }
    for (const page of ["/area-referente/accedi", "/invito/non-esiste"]) {
      expect((await client.fetch(page)).headers.get("Cache-Control"), page).toBe("private, no-store");
    }
    // Public pages may be cached.
    for (const page of ["/", "/tavoli-tecnici", "/privacy"]) {
      expect((await new HttpClient(baseUrl()).fetch(page)).headers.get("Cache-Control") ?? "", page).not.toMatch(/no-store/);
    }
  });

  it("/favicon.ico, asked by browsers whatever the page links, leads to the portal's icon instead of a 404 page", async () => {
    const response = await fetch(`${baseUrl()}/favicon.ico`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe("/favicon.svg");
    const icon = await fetch(`${baseUrl()}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("Content-Type")).toMatch(/^image\/svg\+xml/);
  });

  it("downloads and feeds are never sniffed as HTML", async () => {
    const client = await signedInClient();
    for (const download of ["/admin/adesioni/export.csv", "/admin/adesioni/export.xlsx", "/admin/importa/modello.csv", "/tavoli-tecnici.ics", "/healthz"]) {
      const response = await client.fetch(download);
      expect(response.status, download).toBe(200);
      // Set once, by helmet for every response (the routes used to add it again: "nosniff, nosniff").
      expect(response.headers.get("X-Content-Type-Options"), download).toBe("nosniff");
      expect(response.headers.get("Content-Type"), download).not.toMatch(/^text\/html/);
    }
  });
});

describe("cookies on the local http default (APP_URL http://…)", () => {
  it("the CSRF and session cookies are HttpOnly, SameSite=Lax, Path=/, without Secure or the __Host- prefix, and signing in works", async () => {
    const client = new HttpClient(baseUrl());
    await client.fetch("/login");
    const csrf = client.jar.get("sai_csrf");
    expect(csrf, "the CSRF cookie").toBeDefined();
    expect(csrf!.attributes).toMatchObject({ path: "/", httponly: true, samesite: "Lax" });
    expect(csrf!.attributes.secure).toBeUndefined();
    expect(csrf!.attributes.domain).toBeUndefined();

    await signedInClient(client);
    const session = client.jar.get("sai_session");
    expect(session, "the session cookie").toBeDefined();
    expect(session!.attributes).toMatchObject({ path: "/", httponly: true, samesite: "Lax" });
    expect(session!.attributes.secure).toBeUndefined();
    expect([...client.jar.keys()].some((n) => n.startsWith("__Host-"))).toBe(false);
    expect((await client.fetch("/admin")).status).toBe(200);

    // Signing out ends the session on the server: the old cookie no longer opens anything.
    const first = session!.value;
    expect((await client.submit("/logout", {})).status).toBe(302);
    expect(client.jar.has("sai_session")).toBe(false);
    const stale = await fetch(`${baseUrl()}/admin`, { redirect: "manual", headers: { Cookie: `sai_session=${first}` } });
    expect(stale.status).toBe(302);
    expect(stale.headers.get("Location")).toMatch(/^\/login/);

    // A session id planted before the sign-in is never kept: the sign-in gives a new one.
    client.jar.set("sai_session", { name: "sai_session", value: first, attributes: {} });
    await signedInClient(client);
    expect(client.jar.get("sai_session")!.value).not.toBe(first);
  });
});

describe("with APP_URL on https (production behind a TLS proxy)", () => {
  let portal: PortalProcess;
  let dataDir: string;
  const password = crypto.randomBytes(18).toString("base64url");
  const appUrl = "https://portale-sai.example.org";

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-https-"));
    // No mail is sent in these tests: an SMTP address nobody listens on is enough.
    portal = await startPortal({ dataDir, smtpUrl: "smtp://127.0.0.1:9", env: { APP_URL: appUrl, ADMIN_PASSWORD: password } });
  }, 90_000);

  afterAll(async () => {
    await portal?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("every page has HSTS and upgrade-insecure-requests, every cookie the __Host- prefix, Secure, HttpOnly, SameSite=Lax and no Domain", async () => {
    const client = new HttpClient(portal.baseUrl, appUrl, true);
    for (const page of ["/", "/adesione", "/login", "/pagina-che-non-esiste"]) {
      await expectSecureHtml(await client.fetch(page), `${page} (https)`, { https: true });
    }
    await signedInClient(client, password);
    for (const page of ["/admin", "/admin/adesioni"]) await expectSecureHtml(await client.fetch(page), `${page} (https)`, { https: true });

    expect([...client.jar.keys()].sort()).toEqual(["__Host-sai_csrf", "__Host-sai_session"]);
    for (const cookie of client.jar.values()) {
      expect(cookie.attributes, cookie.name).toMatchObject({ path: "/", httponly: true, secure: true, samesite: "Lax" });
      expect(cookie.attributes.domain, cookie.name).toBeUndefined();
    }
    // The plain names are not accepted in place of the prefixed ones.
    const session = client.jar.get("__Host-sai_session")!.value;
    const plain = await new HttpClient(portal.baseUrl, appUrl, true).fetch("/admin", { headers: { Cookie: `sai_session=${session}` } });
    expect(plain.status).toBe(302);
    expect(plain.headers.get("Location")).toMatch(/^\/login/);
  });

  it("a POST from the https origin is accepted, from the http address or elsewhere refused with 403", async () => {
    const client = new HttpClient(portal.baseUrl, appUrl, true);
    const wrongPassword = await client.submit("/login", { email: COORDINATOR_EMAIL, password: "password-sbagliata-1" });
    expect(wrongPassword.status).toBe(401);
    for (const origin of ["https://altro-sito.example", "http://portale-sai.example.org:8080", portal.baseUrl, "null"]) {
      const refused = await client.submit("/login", { email: COORDINATOR_EMAIL, password }, { origin });
      expect(refused.status, origin).toBe(403);
      expectNoLeak(await refused.text(), `POST from ${origin}`);
    }
  });

  it("a POST from APP_URL's origin is accepted whatever Host the proxy passes on; a foreign one is refused, and the log says why", async () => {
    // nginx with a bare proxy_pass: the Host is the portal's own address, no X-Forwarded-Host.
    const bareProxy = new HttpClient(portal.baseUrl, appUrl);
    const wrongPassword = await bareProxy.submit("/login", { email: COORDINATOR_EMAIL, password: "password-sbagliata-1" });
    expect(wrongPassword.status).toBe(401);
    const signedIn = await bareProxy.submit("/login", { email: COORDINATOR_EMAIL, password, redirectTo: "/admin" });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe("/admin");
    expect((await bareProxy.fetch("/admin")).status).toBe(200);

    // A proxy passing the public host with its port (…:443).
    const withPort = new HttpClient(portal.baseUrl, appUrl);
    withPort.headers = { "X-Forwarded-Host": `${new URL(appUrl).host}:443`, "X-Forwarded-Proto": "https" };
    expect((await withPort.submit("/login", { email: COORDINATOR_EMAIL, password, redirectTo: "/admin" })).status).toBe(302);

    const foreign = await bareProxy.submit("/login", { email: COORDINATOR_EMAIL, password }, { origin: "https://sito-estraneo.example" });
    expect(foreign.status).toBe(403);
    const line = portal.output().split("\n").find((l) => l.includes("https://sito-estraneo.example"));
    expect(line).toMatch(/^POST rifiutato \(403\): Origin "https:\/\/sito-estraneo\.example" diversa da https:\/\/portale-sai\.example\.org \(APP_URL\) e dall'host della richiesta "127\.0\.0\.1:\d+"$/);
  });
});

// A proxy on another machine: its address is not loopback, so TRUST_PROXY must name it for the
// visitors' X-Forwarded-For to count (here the proxy is this machine's own network address).
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

describe.skipIf(!networkAddress)("TRUST_PROXY: the visitor's IP behind a proxy on another machine", () => {
  /** Asks for password reset links for unknown addresses from `ip` (the per-IP limit counts them; no email goes out). */
  const askResetFrom = (client: HttpClient, ip: string) => {
    client.headers = { "X-Forwarded-For": ip };
    return client.submit("/login/password-dimenticata", { email: `sconosciuto-${crypto.randomUUID()}@example.org` }).then((r) => r.status);
  };

  /** Uses up the per-IP limit of `ip`. */
  async function exhaustFrom(client: HttpClient, ip: string) {
    for (let i = 0; i < RESET_REQUESTS_PER_IP; i++) expect(await askResetFrom(client, ip)).toBe(200);
    expect(await askResetFrom(client, ip)).toBe(429);
  }

  it("with TRUST_PROXY set to the proxy's address, two forwarded visitors are counted apart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-trust-"));
    const trusting = await startPortal({ dataDir: dir, smtpUrl: "smtp://127.0.0.1:9", env: { TRUST_PROXY: networkAddress! } });
    try {
      const viaNetwork = `http://${networkAddress}:${new URL(trusting.baseUrl).port}`;
      const client = new HttpClient(viaNetwork);
      await exhaustFrom(client, "203.0.113.10");
      expect(await askResetFrom(client, "203.0.113.20")).toBe(200);
    } finally {
      await trusting.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("without it (loopback only), every visitor behind that proxy is one IP", async () => {
    const client = new HttpClient(`http://${networkAddress}:${new URL(baseUrl()).port}`);
    await exhaustFrom(client, "203.0.113.30");
    expect(await askResetFrom(client, "203.0.113.40")).toBe(429);
  });
});

describe.skipIf(!networkAddress)("HOST: listening only where the proxy reaches it", () => {
  it("with HOST=127.0.0.1 the portal answers on loopback and not on the machine's network address", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-host-"));
    const portal = await startPortal({ dataDir: dir, smtpUrl: "smtp://127.0.0.1:9", env: { HOST: "127.0.0.1" } });
    try {
      expect((await fetch(`${portal.baseUrl}/healthz`)).status).toBe(200);
      const viaNetwork = `http://${networkAddress}:${new URL(portal.baseUrl).port}/healthz`;
      const refused = await fetch(viaNetwork, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => `answered ${r.status}`,
        (error: Error) => String((error.cause as { code?: string } | undefined)?.code ?? error),
      );
      expect(refused).toBe("ECONNREFUSED");
    } finally {
      await portal.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an address that is not this machine's stops the start, naming HOST", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-host-"));
    try {
      const run = await runPortalToExit({ dataDir: dir, smtpUrl: "smtp://127.0.0.1:9", env: { HOST: "203.0.113.77" } });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe("HOST 203.0.113.77: non è un indirizzo di questa macchina. Indica uno dei suoi indirizzi (come 127.0.0.1) oppure togli HOST.");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("started from another folder (a systemd unit without WorkingDirectory)", () => {
  it("finds its migrations, build and public files", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-cwd-"));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "sai-elsewhere-"));
    const portal = await startPortal({ dataDir: path.join(dir, "data"), smtpUrl: "smtp://127.0.0.1:9", cwd: elsewhere });
    try {
      const page = await fetch(`${portal.baseUrl}/adesione`);
      expect(page.status).toBe(200);
      const assets = [...(await page.text()).matchAll(/(?:href|src)="(\/build\/[^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of [...assets, "/favicon.svg"]) expect((await fetch(`${portal.baseUrl}${asset}`)).status, asset).toBe(200);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      await portal.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

// ----------------------------------------------------------------------------------------------
describe("requests that must not work, over HTTP", () => {
  it("a POST without the CSRF token or from a foreign Origin is refused with 403, and changes nothing", async () => {
    const client = await signedInClient();
    const before = await (await client.fetch("/admin/coordinatori")).text();
    const count = (html: string) => (html.match(/<tr\b/g) ?? []).length;

    const noToken = await client.fetch("/admin/coordinatori", {
      method: "POST",
      body: new URLSearchParams({ intent: "invite", name: "Intrusa", email: "intrusa@example.org", role: "admin" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl() },
    });
    expect(noToken.status).toBe(403);
    const foreign = await client.submit("/admin/coordinatori", { intent: "invite", name: "Intrusa", email: "intrusa@example.org", role: "admin" }, { origin: "https://sito-malevolo.example" });
    expect(foreign.status).toBe(403);
    const nullOrigin = await client.submit("/admin/coordinatori", { intent: "invite", name: "Intrusa", email: "intrusa@example.org", role: "admin" }, { origin: "null" });
    expect(nullOrigin.status).toBe(403);
    const after = await (await client.fetch("/admin/coordinatori")).text();
    expect(after).not.toContain("intrusa@example.org");
    expect(count(after)).toBe(count(before));

    // The same form with its token and our Origin works (so the checks above were what refused it).
    const genuine = await client.submit("/admin/coordinatori", { intent: "invite", name: "Invitata Vera", email: `vera-${Date.now()}@example.org`, role: "coordinator" });
    expect(genuine.status).toBe(200);
  });

  it("an error page gives the reason the portal had, and leads back to the area the person was in", async () => {
    const anonymous = new HttpClient(baseUrl());
    const refused = await anonymous.fetch("/login", { method: "POST", body: new URLSearchParams({ email: "x@example.org" }), headers: { Origin: baseUrl() } });
    expect(refused.status).toBe(403);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain("Richiesta non valida: ricarica la pagina e riprova.");
    expect(refusedPage).toContain('<a href="/">Torna alla pagina iniziale</a>');

    const client = await signedInClient();
    const missing = await client.fetch("/admin/posta/999999");
    expect(missing.status).toBe(404);
    const missingPage = await missing.text();
    expect(missingPage).toContain("Messaggio non trovato");
    expect(missingPage).toContain(`<a href="/admin/posta">Torna alla posta in uscita</a>`);
    const missingMaterial = await client.fetch("/admin/tavoli/999999/materiali/1");
    expect(missingMaterial.status).toBe(404);
    expect(await missingMaterial.text()).toContain(`<a href="/admin/tavoli">Torna ai Tavoli tecnici</a>`);
    const unknownAdminPage = await (await client.fetch("/admin/pagina-che-non-esiste")).text();
    expect(unknownAdminPage).toContain(`<a href="/admin">Torna all&#x27;area coordinatori</a>`);
    // Titled as the area's pages are, the error page too.
    expect(unknownAdminPage).toContain("<title>Pagina non trovata - Area coordinatori - Coordinamento SAI</title>");
    expect(await (await client.fetch("/admin/tavoli/999999")).text()).toContain(" - Area coordinatori - Coordinamento SAI</title>");

    // Remix's own words for an unknown address are not shown: ours are.
    const unknown = await (await client.fetch("/pagina-che-non-esiste")).text();
    expect(unknown).toContain("L&#x27;indirizzo che hai seguito non corrisponde a nessuna pagina del portale.");
    expect(unknown).not.toMatch(/No route matches/);
  });

  it("error pages: 404, 405, a URL that does not decode, a huge query string, a bad Host, an unknown method, bodies that are not forms: no 500, no stack trace, SQL or path", async () => {
    const client = new HttpClient(baseUrl());
    const hidden = hiddenInputs(await (await client.fetch("/adesione")).text());
    const cases: { what: string; path: string; init?: RequestInit; status: number[]; rawHost?: string }[] = [
      { what: "404", path: "/pagina-che-non-esiste", status: [404] },
      { what: "404 under /admin", path: "/admin/nessuna-pagina", status: [302, 404] },
      { what: "405 (POST where there is no form)", path: "/privacy", init: { method: "POST", body: new URLSearchParams({ a: "1" }) }, status: [405] },
      { what: "405 (an unknown method)", path: "/", init: { method: "PATCH" }, status: [405] },
      { what: "a URL that does not decode", path: "/%E0%A4%A", status: [400, 404] },
      { what: "a URL that does not decode, deeper", path: "/tavoli-tecnici/%E0%A4%A", status: [400, 404] },
      { what: "a query string of 8 KB", path: `/?q=${"x".repeat(8_000)}`, status: [200] },
      { what: "a query string of 64 KB", path: `/?q=${"x".repeat(64_000)}`, status: [414, 431, 400] },
      { what: "an id beyond any integer", path: "/tavoli-tecnici/99999999999999999999999999", status: [404] },
      { what: "a JSON body", path: "/adesione", init: { method: "POST", body: JSON.stringify({ email: "x" }), headers: { "Content-Type": "application/json" } }, status: [400, 403, 415] },
      { what: "a text body", path: "/adesione", init: { method: "POST", body: "garbage", headers: { "Content-Type": "text/plain" } }, status: [400, 403, 415] },
      { what: "no body at all", path: "/login", init: { method: "POST" }, status: [400, 403, 415] },
      {
        what: "a form of 2 MB (at most 1 MB without files)",
        path: "/adesione",
        init: { method: "POST", body: `csrf=${hidden.csrf}&firstName=${"a".repeat(2 * 1024 * 1024)}`, headers: { "Content-Type": "application/x-www-form-urlencoded" } },
        status: [413],
      },
      {
        what: "a truncated multipart body",
        path: "/adesione",
        init: { method: "POST", body: `--xyz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${hidden.csrf}`, headers: { "Content-Type": "multipart/form-data; boundary=xyz" } },
        status: [400],
      },
      {
        what: "a multipart part without a name",
        path: "/adesione",
        init: { method: "POST", body: `--xyz\r\nContent-Disposition: form-data\r\n\r\nb\r\n--xyz--\r\n`, headers: { "Content-Type": "multipart/form-data; boundary=xyz" } },
        status: [400, 403],
      },
    ];
    for (const c of cases) {
      const response = await client.fetch(c.path, c.init);
      const body = await response.text();
      expect(c.status, `${c.what}: status ${response.status}`).toContain(response.status);
      expectNoLeak(body, c.what);
      if ((response.headers.get("Content-Type") ?? "").startsWith("text/html") && body) {
        expect(body, `${c.what}: an Italian page`).toMatch(/<html lang="it"/);
        expect(response.headers.get("Content-Security-Policy"), c.what).toBeTruthy();
        expect(response.headers.get("X-Content-Type-Options"), c.what).toBe("nosniff");
      }
    }
  });

  it("what the server refuses before the application (405, a POST from another site) answers with a page of the portal", async () => {
    const client = new HttpClient(baseUrl());
    const refusals = [
      { what: "405", path: "/", init: { method: "PATCH" }, status: 405, title: "Operazione non consentita" },
      {
        what: "a POST from another site",
        path: "/adesione",
        init: { method: "POST", body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://sito-malevolo.example" } },
        status: 403,
        title: "Accesso non consentito",
      },
    ];
    for (const r of refusals) {
      const response = await client.fetch(r.path, r.init);
      expect(response.status, r.what).toBe(r.status);
      expect(response.headers.get("Cache-Control"), r.what).toBe("private, no-store");
      const page = await response.text();
      expect(page, r.what).toMatch(/^<!DOCTYPE html><html lang="it">/);
      expect(page, r.what).toContain(`<title>${r.title} - Coordinamento SAI</title>`);
      expect(page, r.what).toContain('<header class="it-header-wrapper">');
      expect(page, r.what).toMatch(new RegExp(`<main id="contenuto" tabindex="-1"><div class="container my-5"><h1>${r.title}</h1>`));
      expect(page, r.what).toContain('<a href="/">Torna alla pagina iniziale</a>');
      expect(page, r.what).toContain('<footer class="it-footer">');
      expect(page, r.what).not.toContain("<script");
      const sheets = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
      expect(sheets, r.what).toHaveLength(2);
      for (const sheet of sheets) {
        const css = await client.fetch(sheet);
        expect(css.status, sheet).toBe(200);
        expect(css.headers.get("Content-Type"), sheet).toMatch(/^text\/css/);
      }
    }
  });

  it("a Host header that makes no URL and the TRACE method are refused without reaching the application", async () => {
    // fetch() cannot send these: a raw HTTP request does.
    const { hostname, port } = new URL(baseUrl());
    const net = await import("node:net");
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), hostname, () => socket.end(request));
        let data = "";
        socket.on("data", (chunk) => (data += chunk.toString()));
        socket.on("end", () => resolve(data));
        socket.on("error", reject);
      });
    const badHost = await raw("GET / HTTP/1.1\r\nHost: %%%\r\nConnection: close\r\n\r\n");
    expect(badHost).toMatch(/^HTTP\/1\.1 400 /);
    expectNoLeak(badHost, "bad Host");
    const trace = await raw(`TRACE / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    expect(trace).toMatch(/^HTTP\/1\.1 405 /);
    expect(trace).toMatch(/\r\nAllow: GET, HEAD, POST\r\n/i);
    expectNoLeak(trace, "TRACE");
  });

  it("crafted field names and hostile values posted to the scheda are answered with the form and its errors, never a 500", async () => {
    const client = new HttpClient(baseUrl());
    const hidden = hiddenInputs(await (await client.fetch("/adesione")).text());
    const bodies: [string, string][][] = [
      [["__proto__.polluted", "1"], ["constructor.prototype.x", "1"], ["email", "a"], ["email.x", "b"]],
      [["projects", "x"], ["projects.0", "y"], ["projects.0.category", "z"], ["intent", "add-project"]],
      [["projects.x", "1"], ["intent", "remove-project:NaN"]],
      [["firstName", "<script>alert(1)</script>"], ["office", "\u0000\u001b[31m"], ["bodyName", "x".repeat(100_000)], ["pec", "مرحبا@example.org"]],
    ];
    for (const fields of bodies) {
      const body = new URLSearchParams([...Object.entries(hidden), ...fields]);
      const response = await client.fetch("/adesione", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl() } });
      const html = await response.text();
      expect([200, 400], JSON.stringify(fields).slice(0, 100)).toContain(response.status);
      expect(html).toContain("Scheda referente");
      expect(html).not.toContain("<script>alert(1)</script>");
      expectNoLeak(html, JSON.stringify(fields).slice(0, 100));
    }
    // The server is still fine afterwards (nothing polluted).
    expect((await client.fetch("/healthz")).status).toBe(200);
    expect((await client.fetch("/adesione")).status).toBe(200);
  });
});
