// HTTP helpers of the benchmark: a browser-like client (cookies, CSRF token, honeypot fields) and
// autocannon runs reduced to the figures the report needs.
import autocannon from "autocannon";

export type Scenario = {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Socket errors, timeouts and responses with another status than the expected one. */
  errors: number;
  responses: number;
  statusCodes: Record<string, number>;
  durationS: number;
};

export type LoadOptions = {
  url: string;
  connections: number;
  durationS: number;
  warmupS: number;
  expectedStatus: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A new request body for every request. */
  body?: () => string;
  /** Called with each response's status and the body that was sent. */
  onResponse?: (status: number, sentBody: string) => void;
};

function runOnce(options: LoadOptions, durationS: number) {
  const { url, connections, method = "GET", headers = {}, body, onResponse } = options;
  type Ctx = { sent?: string };
  const request: autocannon.Request = body
    ? {
        method,
        setupRequest: (req: autocannon.Request, context: Ctx) => {
          context.sent = body();
          return { ...req, method, body: context.sent };
        },
        onResponse: (status: number, _body: string, context: Ctx) => onResponse?.(status, context.sent ?? ""),
      }
    : { method };
  return autocannon({ url, connections, duration: durationS, headers, requests: [request], timeout: 30 });
}

/** Warm-up (discarded), then the measured run. */
export async function measure(name: string, options: LoadOptions): Promise<Scenario> {
  if (options.warmupS > 0) await runOnce(options, options.warmupS);
  const result = await runOnce(options, options.durationS);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat?.count ?? 0;
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const unexpected = responses - (statusCodes[String(options.expectedStatus)] ?? 0);
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + unexpected,
    responses,
    statusCodes,
    durationS: result.duration,
  };
}

/** Cookies as a browser keeps them for one site: name -> value. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

const decodeHtml = (value: string) =>
  value.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The hidden fields a browser would send back from a form: CSRF token and honeypot fields. */
export function hiddenFields(html: string) {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input\b[^>]*>/g)) {
    const tag = match[0];
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (!name) continue;
    const type = /\btype="([^"]*)"/.exec(tag)?.[1] ?? "text";
    const value = decodeHtml(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "");
    if (name === "csrf" || name === "sito_web" || name === "from__confirm" || type === "hidden") fields[name] = value;
  }
  if (!fields.csrf) throw new Error("No CSRF token in the page");
  if (!("from__confirm" in fields) || !("sito_web" in fields)) throw new Error("No honeypot fields in the page");
  return fields;
}

/** GET a form page as a browser: keeps the cookies and returns the hidden fields to post back. */
export async function openForm(baseUrl: string, path: string, jar: CookieJar) {
  const response = await fetch(`${baseUrl}${path}`, { headers: { Cookie: jar.header() }, redirect: "manual" });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  jar.store(response);
  return hiddenFields(await response.text());
}

/** Signs in at /login as a browser would and returns the cookie header of the session. */
export async function signIn(baseUrl: string, { email, password }: { email: string; password: string }) {
  const jar = new CookieJar();
  const hidden = await openForm(baseUrl, "/login", jar);
  const body = new URLSearchParams({ ...hidden, redirectTo: "/admin", email, password });
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header(), Origin: baseUrl },
  });
  if (response.status !== 302) throw new Error(`POST /login: ${response.status} ${await response.text()}`);
  jar.store(response);
  return jar.header();
}
