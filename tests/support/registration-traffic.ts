// Real HTTP traffic against a running portal, as a browser without JavaScript sends it: GET the page,
// read the form's action and hidden fields (CSRF token, honeypot) from the HTML, POST them back with
// the CSRF cookie and the same Origin. Used by the load and crash tests.
import Database from "better-sqlite3";
import { randomBodyFiscalCode } from "./factories";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", "#x2F": "/" };
const decode = (value: string) => value.replace(/&(#?\w+);/g, (match, name: string) => ENTITIES[name] ?? match);

function attribute(tag: string, name: string) {
  const match = new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag);
  return match ? decode(match[1]) : undefined;
}

export type PostedForm = { action: string; hidden: Record<string, string>; cookie: string };

/**
 * GETs `path` and returns the first form with method="post": its action, the values of its
 * hidden fields and of the honeypot inputs (they must go back unchanged), and the cookies set.
 */
export async function readForm(baseUrl: string, path: string, { cookie = "" }: { cookie?: string } = {}): Promise<PostedForm> {
  const response = await fetch(`${baseUrl}${path}`, { headers: cookie ? { Cookie: cookie } : {}, redirect: "manual" });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
  const formStart = html.search(/<form[^>]*method="post"/i);
  if (formStart < 0) throw new Error(`GET ${path}: no POST form in the page`);
  const formTag = /<form[^>]*>/i.exec(html.slice(formStart))![0];
  const formHtml = html.slice(formStart, html.indexOf("</form>", formStart));
  const hidden: Record<string, string> = {};
  for (const tag of formHtml.match(/<input[^>]*>/gi) ?? []) {
    const name = attribute(tag, "name");
    if (!name) continue;
    const type = attribute(tag, "type") ?? "text";
    // The honeypot pair: an empty text field and an encrypted timestamp, both rendered by the server.
    if (type === "hidden" || name === "sito_web" || name === "from__confirm") hidden[name] = attribute(tag, "value") ?? "";
  }
  if (!hidden.csrf) throw new Error(`GET ${path}: the form has no csrf field`);
  const setCookies = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  const cookies = [cookie, ...setCookies].filter(Boolean).join("; ");
  return { action: decode(attribute(formTag, "action") ?? path), hidden, cookie: cookies };
}

/** POSTs `fields` plus the form's hidden ones, without following the redirect. */
export async function postForm(baseUrl: string, form: PostedForm, fields: Record<string, string>, { signal }: { signal?: AbortSignal } = {}) {
  const body = new URLSearchParams({ ...form.hidden, ...fields });
  return fetch(`${baseUrl}${form.action}`, {
    method: "POST",
    body,
    redirect: "manual",
    signal,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: form.cookie, Origin: baseUrl },
  });
}

/** The fields of a valid scheda referente for the ente `body` and the address `email`. */
export function registrationFields(email: string, body: { municipalityCode: string } | { bodyName: string }) {
  return {
    ...("municipalityCode" in body
      ? { bodyKind: "comune", municipalityCode: body.municipalityCode, bodyName: "" }
      : { bodyKind: "unione_comuni", municipalityCode: "", bodyName: body.bodyName, provinceCode: "082" }),
    pec: "protocollo@pec.comune.esempio.it",
    fiscalCode: randomBodyFiscalCode(),
    firstName: "Maria",
    lastName: "Rossi",
    role: "dirigente",
    office: "Servizi sociali",
    email,
    phone: "091 1234567",
    mobile: "",
    "projects.0.category": "ordinari",
    "projects.0.fundedPlaces": "25",
    "projects.0.projectCode": "PROG-1776-PR-3",
    "projects.0.managingOrganization": "Cooperativa Sociale Esempio",
    "projects.0.startDate": "2024-01-01",
    "projects.0.endDate": "2030-12-31",
    privacyConsent: "on",
  };
}

export type RegistrationOutcome = { email: string; status: number | "network-error"; location?: string; error?: string };

/** One registration as a browser without JavaScript makes it: GET /adesione, then POST the scheda. */
export async function register(baseUrl: string, email: string, body: { municipalityCode: string } | { bodyName: string }): Promise<RegistrationOutcome> {
  try {
    const form = await readForm(baseUrl, "/adesione");
    const response = await postForm(baseUrl, form, registrationFields(email, body));
    const text = await response.text();
    return {
      email,
      status: response.status,
      location: response.headers.get("location") ?? undefined,
      error: response.status >= 400 ? text.slice(0, 300) : undefined,
    };
  } catch (error) {
    return { email, status: "network-error", error: String((error as Error)?.cause ?? error) };
  }
}

/** Runs `task` for every item with at most `concurrency` in flight; results in the items' order. */
export async function pool<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** Signs in at /login and returns the Cookie header of the coordinator's session. */
export async function signInCoordinator(baseUrl: string, email: string, password: string) {
  const form = await readForm(baseUrl, "/login");
  const response = await postForm(baseUrl, form, { email, password, redirectTo: "/admin" });
  if (response.status !== 302) throw new Error(`POST /login answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const session = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (session.length === 0) throw new Error("POST /login set no cookie");
  return session.join("; ");
}

/** Sicilian ISTAT codes seeded in the portal's database. */
export function seededComuni(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    return (db.prepare("SELECT istat_code FROM municipalities ORDER BY istat_code").all() as { istat_code: string }[]).map((r) => r.istat_code);
  } finally {
    db.close();
  }
}

/** What the database holds for the addresses that start with `prefix`. */
export function storedRegistrations(dbFile: string, prefix: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    const like = `${prefix}%`;
    const requests = db
      .prepare(
        "SELECT r.email AS email, m.status AS status FROM membership_requests m JOIN referents r ON r.id = m.referent_id WHERE r.email LIKE ?",
      )
      .all(like) as { email: string; status: string }[];
    const outbox = db
      .prepare("SELECT recipient, status FROM outbox WHERE template = 'confirm-registration' AND recipient LIKE ?")
      .all(like) as { recipient: string; status: string }[];
    const integrity = db.pragma("integrity_check", { simple: true }) as string;
    return { requests, outbox, integrity };
  } finally {
    db.close();
  }
}
