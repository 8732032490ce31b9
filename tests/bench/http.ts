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
  /** Measured time (the rounds, without the warm-up). */
  durationS: number;
};

export type LoadSpec = {
  name: string;
  url: string;
  expectedStatus: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A new request body for every request. */
  body?: () => string;
  /** Called with each response's status and the body that was sent. */
  onResponse?: (status: number, sentBody: string) => void;
};

type Tally = { latencies: number[]; statusCodes: Record<string, number>; errors: number; seconds: number };

/** One autocannon run of `spec` for `seconds`; adds what it saw to `tally` when given. */
function runOnce(spec: LoadSpec, { connections, seconds }: { connections: number; seconds: number }, tally?: Tally) {
  const { url, method = "GET", headers = {}, body, onResponse } = spec;
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
  return new Promise<void>((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon({ url, connections, duration: seconds, headers, requests: [request], timeout: 30 }, (error, result) => {
      if (error) return reject(error);
      if (tally) {
        tally.seconds += (performance.now() - started) / 1000;
        tally.errors += result.errors + result.timeouts;
      }
      resolve();
    });
    if (tally) {
      instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        tally.latencies.push(responseTime);
        tally.statusCodes[statusCode] = (tally.statusCodes[statusCode] ?? 0) + 1;
      });
    }
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

/**
 * Measures several scenarios on a machine that other work may be using: each one is warmed up, then
 * the scenarios run in turns, `rounds` times `roundS` seconds each, so that every scenario (and the
 * /healthz baseline) samples the same moments of the machine. Latencies are every response's own.
 */
export async function measureInRounds(
  specs: LoadSpec[],
  { connections, warmupS, rounds, roundS, onRun }: { connections: number; warmupS: number; rounds: number; roundS: number; onRun?: (name: string | null) => void },
): Promise<Scenario[]> {
  const tallies = specs.map((): Tally => ({ latencies: [], statusCodes: {}, errors: 0, seconds: 0 }));
  for (const spec of specs) {
    onRun?.(spec.name);
    if (warmupS > 0) await runOnce(spec, { connections, seconds: warmupS });
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, spec] of specs.entries()) {
      onRun?.(spec.name);
      await runOnce(spec, { connections, seconds: roundS }, tallies[i]);
    }
  }
  onRun?.(null);
  return specs.map((spec, i) => {
    const t = tallies[i];
    const sorted = t.latencies.slice().sort((a, b) => a - b);
    const responses = sorted.length;
    const unexpected = responses - (t.statusCodes[String(spec.expectedStatus)] ?? 0);
    return {
      name: spec.name,
      requestsPerSecond: Math.round((responses / t.seconds) * 10) / 10,
      latencyP50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
      latencyP99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
      errors: t.errors + unexpected,
      responses,
      statusCodes: t.statusCodes,
      durationS: Math.round(t.seconds * 10) / 10,
    };
  });
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
