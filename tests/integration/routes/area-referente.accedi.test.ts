import { and, eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, materials, referentLoginCodes, sessions } from "#db/schema";
import { rejectMembership, revokeMembership } from "~/models/membership-review.server";
import {
  LOGIN_CODE_MAX_FAILURES,
  LOGIN_CODE_RESEND_AFTER_MS,
  LOGIN_CODE_TTL_MS,
  requestLoginCode,
  verifyLoginCode,
  verifyLoginLink,
} from "~/models/referent-login.server";
import { SESSION_IDLE_MS } from "~/models/session.server";
import { loader as areaLoader } from "~/routes/area-referente._index";
import * as signInRoute from "~/routes/area-referente.accedi._index";
import { action as signInAction, loader as signInLoader } from "~/routes/area-referente.accedi._index";
import * as codeStepRoute from "~/routes/area-referente.accedi.codice";
import * as linkRoute from "~/routes/area-referente.accedi.link.$token";
import { action as linkAction, loader as linkLoader } from "~/routes/area-referente.accedi.link.$token";
import { action as signOutAction } from "~/routes/area-referente.esci";
import * as privacyRoute from "~/routes/area-referente.privacy";
import * as tavoloRoute from "~/routes/tavoli-tecnici.$id";
import { getCookies } from "~/utils/cookies.server";
import { getDb } from "~/utils/db.server";
import { formatTimeIt } from "~/utils/dates";
import { getSignedInReferent } from "~/utils/referent-auth.server";
import { createTestCoordinator, settle } from "../../support/admin";
import { outboxFor } from "../../support/db-queries";
import { uniqueEmail } from "../../support/factories";
import {
  aMinuteLater,
  askCode,
  createReferent,
  freshIp,
  latestLoginEmail,
  pendingSignIn,
  referentCookie,
  referentGet,
  referentPost,
  sendCode,
  signInWithCode,
} from "../../support/referent";
import { renderRoute } from "../../support/render-route";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { createTestRoundTable } from "../../support/round-tables";

async function signInWithLink(token: string, ip = freshIp()) {
  const request = await browserPost(`/area-referente/accedi/link/${token}`, {});
  return settle(() => linkAction({ request, params: { token }, context: { cspNonce: "", clientIp: ip } }));
}

async function canEnter(cookie: string) {
  const response = await settle(() => areaLoader({ request: referentGet("/area-referente", cookie), params: {}, context: { cspNonce: "", clientIp: "127.0.0.1" } }));
  return response.status === 200;
}

/** Asks for a code on the sign-in page sent from `redirectTo`: what the email brings. */
async function ask(email: string, redirectTo: string) {
  aMinuteLater(email);
  const request = await browserPost(`/area-referente/accedi?redirectTo=${encodeURIComponent(redirectTo)}`, { intent: "request", email });
  const response = await settle(() => signInAction({ request, params: {}, context: { cspNonce: "", clientIp: freshIp() } }));
  expect(response.status).toBe(303);
  return latestLoginEmail(email)!;
}

const INVALID_CODE =
  "Codice non valido, scaduto o bloccato dopo troppi tentativi errati. Controlla di averlo copiato per intero oppure chiedi un nuovo codice con «Invia un nuovo codice»; se l'ultima email che hai ricevuto è di meno di 10 minuti fa, puoi anche entrare con il suo pulsante «Accedi all'area referente».";

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("asking for a code", () => {
  it("emails a 6-digit code and a link to an active referente, and stores only hashes", async () => {
    const r = await createReferent("active");
    const response = await askCode(r.email);
    expect(response.status).toBe(303);
    const mail = latestLoginEmail(r.email)!;
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(mail.signInUrl).toMatch(new RegExp(`^${APP_URL}/area-referente/accedi/link/[A-Za-z0-9_-]{40,}$`));
    const rows = getDb().select().from(referentLoginCodes).where(eq(referentLoginCodes.referentId, r.referentId)).all();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(mail.code);
    expect(stored).not.toContain(mail.token);
    expect(stored).not.toContain(r.email);
    expect(rows[0].expiresAt.getTime() - rows[0].createdAt.getTime()).toBe(LOGIN_CODE_TTL_MS);
  });

  it("answers unknown, unconfirmed, rejected and eligible addresses identically, emailing only the eligible", async () => {
    const active = await createReferent("active");
    const pending = await createReferent("pending");
    const unverified = await createReferent("unverified");
    const rejected = await createReferent("pending");
    rejectMembership(getDb(), { id: rejected.requestId, coordinatorId: createTestCoordinator().id, appUrl: APP_URL, reason: "Dati incompleti" });
    const unknown = uniqueEmail("nessuno");

    const answers: Record<string, { status: number; location: string | null; cookie: unknown; body: string; page: string }> = {};
    for (const [name, email] of Object.entries({ active: active.email, pending: pending.email, unverified: unverified.email, rejected: rejected.email, unknown })) {
      const response = await askCode(email);
      // The cookie of the pending sign-in holds the address typed, and when its code expires.
      const setCookie = response.headers.get("Set-Cookie")!;
      const {
        pending: [{ email: held, until }],
        ...rest
      } = (await getCookies().referentSignIn.parse(setCookie.split(";")[0])) as { pending: { email: string; until: number }[] };
      expect(held).toBe(email);
      expect(until).toBeGreaterThan(Date.now());
      const codeStep = await renderRoute(codeStepRoute, referentGet("/area-referente/accedi/codice", setCookie.split(";")[0]));
      answers[name] = {
        status: response.status,
        location: response.headers.get("Location"),
        cookie: { ...rest, attributes: setCookie.split(";").slice(1) },
        body: (await response.text()).replaceAll(email, "<email>"),
        page: codeStep.html.replaceAll(email, "<email>"),
      };
    }
    for (const name of ["pending", "unverified", "rejected", "unknown"]) expect(answers[name], name).toEqual(answers.active);
    expect(answers.active.page).toContain("Se l&#x27;indirizzo è registrato, riceverai un codice");

    expect(latestLoginEmail(active.email)).not.toBeNull();
    expect(latestLoginEmail(pending.email)).not.toBeNull();
    expect(latestLoginEmail(unverified.email)).toBeNull();
    expect(latestLoginEmail(rejected.email)).toBeNull();
    expect(outboxFor(unknown)).toEqual([]);
  });

  it("takes about the same time for an unknown address as for a registered one", async () => {
    const r = await createReferent("active");
    const db = getDb();
    const median = (email: string) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        // A minute apart, so that each call for the registered address sends a code.
        const now = new Date(Date.now() + i * 2 * LOGIN_CODE_RESEND_AFTER_MS);
        const start = performance.now();
        requestLoginCode(db, { email, appUrl: APP_URL, now });
        times.push(performance.now() - start);
      }
      return times.sort((x, y) => x - y)[3];
    };
    median(uniqueEmail("riscaldamento"));
    const known = median(r.email);
    const unknown = median(uniqueEmail("ignoto"));
    expect(Math.abs(known - unknown)).toBeLessThan(25);
  });

  it("refuses a malformed address with a field error and sends nothing", async () => {
    const response = await askCode("non-un-indirizzo");
    expect(response.status).toBe(400);
    expect((await response.json()).errors.email).toBeTruthy();
  });

  it("does not sign in anyone who is already signed in twice: the page sends them to the area", async () => {
    const r = await createReferent("active");
    const { cookie } = await referentCookie(r.referentId);
    const response = await settle(() => signInLoader({ request: referentGet("/area-referente/accedi", cookie), params: {}, context: { cspNonce: "", clientIp: "1.1.1.1" } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/area-referente");
  });
});

describe("the code step, its own page", () => {
  /** A GET of the code step from a browser with these cookies: a reload, or the back and forward buttons. */
  const codeStep = (cookie: string | null, query = "") => renderRoute(codeStepRoute, referentGet(`/area-referente/accedi/codice${query}`, cookie));
  const cookieOf = (response: Response) => response.headers.get("Set-Cookie")!.split(";")[0];

  it("is where asking for a code leads (post/redirect/get), survives reloads, and the emailed code typed there signs in", async () => {
    const r = await createReferent("active");
    const asked = await askCode(r.email);
    expect(asked.status).toBe(303);
    // The address names nobody: the pending sign-in is in the browser's cookie.
    expect(asked.headers.get("Location")).toBe("/area-referente/accedi/codice");
    const pending = cookieOf(asked);
    expect(pending).toMatch(/^sai_ref_signin=/);
    expect(pending).not.toContain(r.email);

    // The phone reloads the tab (twice): the code form for that address, each time.
    for (let i = 0; i < 2; i++) {
      const page = await codeStep(pending);
      expect(page.status).toBe(200);
      // Its own heading and title, not the first step's: the next step.
      expect(page.html).toContain("<h1>Inserisci il codice di accesso</h1>");
      expect(page.title).toBe("Inserisci il codice - Accesso all'area referente - Coordinamento SAI");
      expect(page.html).toContain(`Codice richiesto per <strong>${r.email}</strong>`);
      expect(page.html).toMatch(/<input id="code" name="code"[^>]*autocomplete="one-time-code"/i);
      // A new code, or another address: the first step's forms, with the address in the form's body only.
      expect(page.html).toContain('<form method="post" action="/area-referente/accedi" class="mt-4"');
      expect(page.html).toContain(`<input type="hidden" name="email" value="${r.email}"/>`);
      expect(page.html).toContain('<a href="/area-referente/accedi?altro=1">Usa un altro indirizzo email</a>');
    }

    const { code } = latestLoginEmail(r.email)!;
    const request = await referentPost("/area-referente/accedi/codice", { intent: "verify", code }, pending);
    const signedIn = await settle(() => codeStepRoute.action(routeArgs(request)));
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe("/area-referente");
    const session = cookieOf(signedIn);
    expect(await canEnter(session)).toBe(true);
    // Back to the code step afterwards: the area, not a code form.
    const back = await codeStep(`${session}; ${pending}`);
    expect(back.response?.headers.get("Location")).toBe("/area-referente");
  });

  it("signs in the address a tab was shown, with its code, after another tab of the browser asked a code for another address", async () => {
    const x = await createReferent("active");
    const y = await createReferent("active");
    // Tab A asks a code for X, and shows the code step for X.
    const askedX = await askCode(x.email);
    const tabA = await codeStep(cookieOf(askedX));
    expect(tabA.html).toContain(`Codice richiesto per <strong>${x.email}</strong>`);
    expect(tabA.html).toContain(`<input type="hidden" name="email" value="${x.email}"/>`);
    // Tab B, same browser (same cookie jar), asks a code for Y: the page now shows Y.
    const request = await referentPost("/area-referente/accedi", { intent: "request", email: y.email }, cookieOf(askedX));
    const askedY = await settle(() => signInAction(routeArgs(request)));
    expect(askedY.status).toBe(303);
    const jar = cookieOf(askedY);
    expect((await codeStep(jar)).html).toContain(`Codice richiesto per <strong>${y.email}</strong>`);

    // Tab A types X's code: X signs in, and nothing counts against Y's code.
    const typed = await referentPost("/area-referente/accedi/codice", { intent: "verify", email: x.email, code: latestLoginEmail(x.email)!.code }, jar);
    const signedIn = await settle(() => codeStepRoute.action(routeArgs(typed)));
    expect(signedIn.status).toBe(302);
    const session = cookieOf(signedIn);
    expect((await getSignedInReferent(referentGet("/area-referente", session)))?.referentId).toBe(x.referentId);
    const yCode = getDb().select().from(referentLoginCodes).where(eq(referentLoginCodes.referentId, y.referentId)).all();
    expect(yCode.map((c) => c.failedAttempts)).toEqual([0]);
  });

  it("accepts in the hidden field only an address this browser waits a code for, never one typed by hand", async () => {
    const x = await createReferent("active");
    const stranger = await createReferent("active");
    // The stranger's code exists (the stranger asked for it), but this browser only asked for X.
    await askCode(stranger.email);
    const jar = cookieOf(await askCode(x.email));
    const typed = await referentPost("/area-referente/accedi/codice", { intent: "verify", email: stranger.email, code: latestLoginEmail(stranger.email)!.code }, jar);
    const refused = await settle(() => codeStepRoute.action(routeArgs(typed)));
    expect(refused.status).toBe(303);
    expect(refused.headers.get("Location")).toBe("/area-referente/accedi?scaduto=1");
    // X's sign-in still waits for its code.
    expect(refused.headers.get("Set-Cookie")).not.toMatch(/Max-Age=0/);
    expect(getDb().select().from(referentLoginCodes).where(and(eq(referentLoginCodes.referentId, stranger.referentId), isNull(referentLoginCodes.usedAt))).all()).toHaveLength(1);
  });

  it("says, after «Invia un nuovo codice», when the new code was sent and that only the newest works; the same for an unknown address", async () => {
    const r = await createReferent("active");
    const unknown = uniqueEmail("sconosciuto");
    const statusOf = (html: string) => /<div class="alert alert-info" role="status">([^<]*)<\/div>/.exec(html)?.[1];
    const pages: string[] = [];
    for (const email of [r.email, unknown]) {
      const jar = cookieOf(await askCode(email));
      const first = statusOf((await codeStep(jar)).html);
      expect(first).toBe("Se l&#x27;indirizzo è registrato, riceverai un codice di accesso via email entro pochi minuti. Il codice vale 10 minuti e si può usare una sola volta.");
      // Past the minute in which a code is kept.
      aMinuteLater(email);
      const resend = await referentPost("/area-referente/accedi", { intent: "request", email }, jar);
      const before = new Date();
      const resent = await settle(() => signInAction(routeArgs(resend)));
      expect(resent.headers.get("Location")).toBe("/area-referente/accedi/codice");
      const page = (await codeStep(cookieOf(resent))).html;
      const status = statusOf(page);
      expect(status).toMatch(
        /^Se l&#x27;indirizzo è registrato, alle (\d\d:\d\d:\d\d) ti abbiamo inviato un nuovo codice: usa l&#x27;ultimo che hai ricevuto, quelli precedenti non valgono più\. Il codice vale 10 minuti e si può usare una sola volta\.$/,
      );
      // The time in Italy, to the second (so that each new code changes the text read out).
      const time = /alle (\S+) ti/.exec(status!)![1];
      expect([formatTimeIt(before, { seconds: true }), formatTimeIt(new Date(), { seconds: true })]).toContain(time);
      pages.push(page.replaceAll(email, "<email>").replaceAll(time, "<ora>"));
    }
    expect(pages[1]).toBe(pages[0]);
  });

  it("keeps the page to return to in its address, and the code brings the referente there", async () => {
    const r = await createReferent("active");
    const request = await browserPost(`/area-referente/accedi?redirectTo=${encodeURIComponent("/area-referente/tavoli")}`, { intent: "request", email: r.email });
    const asked = await settle(() => signInAction(routeArgs(request)));
    expect(asked.headers.get("Location")).toBe("/area-referente/accedi/codice?redirectTo=%2Farea-referente%2Ftavoli");
    const page = await codeStep(cookieOf(asked), "?redirectTo=%2Farea-referente%2Ftavoli");
    expect(page.html).toContain('<a href="/area-referente/accedi?altro=1&amp;redirectTo=%2Farea-referente%2Ftavoli">Usa un altro indirizzo email</a>');
    const signedIn = await sendCode(r.email, latestLoginEmail(r.email)!.code);
    expect(signedIn.headers.get("Location")).toBe("/area-referente/tavoli");
  });

  it("fills the address in again for a person who goes back from the code step, but not after «Usa un altro indirizzo email»", async () => {
    const r = await createReferent("active");
    const jar = cookieOf(await askCode(r.email));
    const emailValue = (html: string) => /<input[^>]*name="email"[^>]*>/.exec(html)![0].match(/value="([^"]*)"/)?.[1] ?? "";
    expect(emailValue((await renderRoute(signInRoute, referentGet("/area-referente/accedi", jar))).html)).toBe(r.email);
    const other = await renderRoute(signInRoute, referentGet("/area-referente/accedi?altro=1", jar));
    expect(emailValue(other.html)).toBe("");
    expect(other.html).not.toContain(r.email);
    // Another browser, or no pending sign-in: nothing to fill in.
    expect(emailValue((await renderRoute(signInRoute, referentGet("/area-referente/accedi", null))).html)).toBe("");
  });

  it("once its code has expired, or without a pending sign-in, leads back to the address with a message, on GET and on POST", async () => {
    const r = await createReferent("active");
    const expired = await pendingSignIn(r.email, new Date(Date.now() - LOGIN_CODE_TTL_MS - 1000));
    const emailValue = (html: string) => /<input[^>]*name="email"[^>]*>/.exec(html)![0].match(/value="([^"]*)"/)?.[1] ?? "";
    for (const cookie of [expired, null]) {
      const page = await codeStep(cookie);
      expect(page.status).toBe(303);
      expect(page.response!.headers.get("Location")).toBe("/area-referente/accedi?scaduto=1");
      const left = cookieOf(page.response!);
      if (!cookie) expect(page.response!.headers.get("Set-Cookie")).toMatch(/^sai_ref_signin=; Max-Age=0; /);
      const typed = await settle(async () => codeStepRoute.action(routeArgs(await referentPost("/area-referente/accedi/codice", { intent: "verify", code: "123456" }, cookie))));
      expect(typed.status).toBe(303);
      expect(typed.headers.get("Location")).toBe("/area-referente/accedi?scaduto=1");
      const first = await renderRoute(signInRoute, referentGet("/area-referente/accedi?scaduto=1", left || null));
      expect(first.html).toContain(
        "Il codice di accesso richiesto è scaduto o non è più valido: indica di nuovo il tuo indirizzo email per riceverne uno nuovo.",
      );
      // A browser refusing cookies comes back here at once: the message says what to check.
      expect(first.html).toContain("controlla che il browser accetti i cookie di questo sito: servono per entrare.");
      expect(first.html).toContain("Invia il codice");
      // The address of the expired code is filled in again, so a new code is one click away.
      expect(emailValue(first.html)).toBe(cookie ? r.email : "");
      // It is not a pending sign-in any more: the code step still leads back here.
      if (cookie) expect((await codeStep(left)).response!.headers.get("Location")).toBe("/area-referente/accedi?scaduto=1");
    }
  });

  it("forgets the address of an expired code once a new code is asked", async () => {
    const r = await createReferent("active");
    const left = cookieOf((await codeStep(await pendingSignIn(r.email, new Date(Date.now() - LOGIN_CODE_TTL_MS - 1000)))).response!);
    const other = uniqueEmail("altro");
    const asked = await settle(async () => signInAction(routeArgs(await referentPost("/area-referente/accedi", { intent: "request", email: other }, left))));
    expect(asked.status).toBe(303);
    const first = await renderRoute(signInRoute, referentGet("/area-referente/accedi?scaduto=1", cookieOf(asked)));
    expect(first.html).not.toContain(r.email);
  });

  it("refuses a code that is not 6 digits with a field error, on the same page", async () => {
    const response = await sendCode(uniqueEmail("chiunque"), "12ab");
    expect(response.status).toBe(400);
    expect((await response.json()).errors.code).toBe("Il codice è composto da 6 cifre");
  });
});

describe("the code", () => {
  it("signs in once with a new session cookie (HttpOnly, SameSite=Lax), and is audited", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code } = latestLoginEmail(r.email)!;
    const first = await sendCode(r.email, code);
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe("/area-referente");
    const [session, pending] = first.headers.getSetCookie();
    expect(session).toMatch(/^sai_ref_session=.+; Path=\/; HttpOnly; SameSite=Lax$/);
    // The browser forgets the sign-in that waited for this code.
    expect(pending).toMatch(/^sai_ref_signin=; Max-Age=0; /);
    expect(await canEnter(first.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);

    const again = await sendCode(r.email, code);
    expect(again.status).toBe(401);
    expect(again.headers.get("Set-Cookie")).toBeNull();

    const audit = getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.login_succeeded"), eq(auditLog.actorType, "referent"), eq(auditLog.actorId, r.referentId)))
      .all();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it("expires after 10 minutes", async () => {
    const r = await createReferent("active");
    const db = getDb();
    const t0 = new Date();
    requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: t0 });
    const { code } = latestLoginEmail(r.email)!;
    expect(verifyLoginCode(db, { email: r.email, code, now: new Date(t0.getTime() + LOGIN_CODE_TTL_MS + 1) }).ok).toBe(false);
    expect(verifyLoginCode(db, { email: r.email, code, now: new Date(t0.getTime() + LOGIN_CODE_TTL_MS - 1000) }).ok).toBe(true);
  });

  it(`dies after ${LOGIN_CODE_MAX_FAILURES} wrong tries: even the right code is refused then`, async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code } = latestLoginEmail(r.email)!;
    for (let i = 0; i < LOGIN_CODE_MAX_FAILURES; i++) {
      const response = await sendCode(r.email, wrongCode(code));
      expect(response.status).toBe(401);
      expect((await response.json()).errors.code).toBe(INVALID_CODE);
    }
    const refused = await sendCode(r.email, code);
    expect(refused.status).toBe(401);
    // The person is told that the code may be blocked, and what to do (the very words of a wrong code).
    expect((await refused.json()).errors.code).toBe(INVALID_CODE);
    // A new code works again.
    await askCode(r.email);
    expect((await sendCode(r.email, latestLoginEmail(r.email)!.code)).status).toBe(302);
  });

  it("answers a registered and an unknown address alike once their wrong codes pass the code's limit", async () => {
    // Before: a registered address's code, killed by 5 wrong tries, was answered «bloccato», an
    // unknown address's never was: anyone could tell the registered addresses.
    const r = await createReferent("active");
    const unknown = uniqueEmail("sconosciuto");
    await askCode(r.email);
    await askCode(unknown);
    const answers: { status: number; body: string; page: string }[] = [];
    for (const email of [r.email, unknown]) {
      let last: Response | undefined;
      for (let i = 0; i <= LOGIN_CODE_MAX_FAILURES; i++) last = await sendCode(email, wrongCode(latestLoginEmail(r.email)!.code));
      const body = await last!.text();
      const request = await referentPost("/area-referente/accedi/codice", { intent: "verify", code: "000000" }, await pendingSignIn(email));
      const page = await renderRoute(codeStepRoute, request);
      answers.push({ status: last!.status, body, page: page.html.replaceAll(email, "<email>") });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0].status).toBe(401);
    expect(JSON.parse(answers[0].body).errors.code).toBe(INVALID_CODE);
  });

  it("dies alone: after anyone's wrong tries the link of the same email still signs its owner in", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code, token } = latestLoginEmail(r.email)!;
    for (let i = 0; i < LOGIN_CODE_MAX_FAILURES; i++) expect((await sendCode(r.email, wrongCode(code))).status).toBe(401);
    expect((await sendCode(r.email, code)).status).toBe(401);
    const viaLink = await signInWithLink(token);
    expect(viaLink.status).toBe(302);
    expect(await canEnter(viaLink.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);
  });

  it("still works after 4 wrong tries", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code } = latestLoginEmail(r.email)!;
    for (let i = 0; i < LOGIN_CODE_MAX_FAILURES - 1; i++) await sendCode(r.email, wrongCode(code));
    expect((await sendCode(r.email, code)).status).toBe(302);
  });

  it("is replaced by a newer code", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const older = latestLoginEmail(r.email)!;
    await askCode(r.email);
    const newer = latestLoginEmail(r.email)!;
    expect((await sendCode(r.email, older.code)).status).toBe(older.code === newer.code ? 302 : 401);
    if (older.code !== newer.code) expect((await sendCode(r.email, newer.code)).status).toBe(302);
  });

  it("marks a wrong code's field as wrong, and the error summary leads to it", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const wrong = wrongCode(latestLoginEmail(r.email)!.code);
    const request = await referentPost("/area-referente/accedi/codice", { intent: "verify", code: wrong }, await pendingSignIn(r.email));
    const page = await renderRoute(codeStepRoute, request);
    expect(page.status).toBe(401);
    const field = /<input[^>]*id="code"[^>]*>/.exec(page.html)?.[0] ?? "";
    expect(field).toContain('aria-invalid="true"');
    expect(field).toMatch(/aria-describedby="[^"]*\bcode-error\b/);
    expect(page.html).toMatch(/<a href="#code">Codice non valido, scaduto o bloccato/);
  });

  it("gives the same answer for a wrong code whether the address is known or not", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const known = await sendCode(r.email, "000000");
    const unknownEmail = uniqueEmail("sconosciuto");
    const unknown = await sendCode(unknownEmail, "000000");
    expect(known.status).toBe(unknown.status);
    expect((await known.text()).replaceAll(r.email, "x")).toBe((await unknown.text()).replaceAll(unknownEmail, "x"));
  });

  it("refuses the referente whose access ended between the code and its use", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code } = latestLoginEmail(r.email)!;
    revokeMembership(getDb(), { appUrl: "http://portale.test", id: r.requestId, coordinatorId: createTestCoordinator().id, reason: "Uscita dal Coordinamento" });
    expect((await sendCode(r.email, code)).status).toBe(401);
  });

  it("lets a referente whose own request is pending sign in", async () => {
    const r = await createReferent("pending");
    const cookie = await signInWithCode(r.email);
    expect(await canEnter(cookie)).toBe(true);
  });
});

describe("the link in the email", () => {
  it("shows a button on GET and signs nobody in; the POST signs in once", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { token } = latestLoginEmail(r.email)!;
    const context = { cspNonce: "", clientIp: freshIp() };

    const openLink = () => settle(() => linkLoader(routeArgs(new Request(`${APP_URL}/area-referente/accedi/link/${token}`), { token })));
    const page = await openLink();
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ usable: true });
    expect(page.headers.get("Set-Cookie")).toBeNull();
    const linkPage = () => renderRoute(linkRoute, new Request(`${APP_URL}/area-referente/accedi/link/${token}`), "/area-referente/accedi/link/:token");
    expect((await linkPage()).title).toBe("Accesso all'area referente - Coordinamento SAI");
    const row = getDb().select().from(referentLoginCodes).where(eq(referentLoginCodes.referentId, r.referentId)).get()!;
    expect(row.usedAt).toBeNull();
    expect(getDb().select().from(sessions).where(eq(sessions.referentId, r.referentId)).all()).toEqual([]);

    const post = await settle(async () => linkAction({ request: await browserPost(`/area-referente/accedi/link/${token}`, {}), params: { token }, context }));
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toBe("/area-referente");
    expect(await canEnter(post.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);
    // The code step this browser waited on is forgotten, as after signing in with the code.
    expect(post.headers.getSetCookie().some((c) => /^sai_ref_signin=; Max-Age=0; /.test(c))).toBe(true);

    const again = await settle(async () => linkAction({ request: await browserPost(`/area-referente/accedi/link/${token}`, {}), params: { token }, context }));
    expect(again.status).toBe(410);
    expect(again.headers.get("Set-Cookie")).toBeNull();
    // Opened again, the used link says at once that it no longer works.
    const used = await openLink();
    expect(used.status).toBe(410);
    expect(await used.json()).toEqual({ usable: false });
    // Its title says so as its heading does, the first thing a screen reader reads.
    const usedPage = await linkPage();
    expect(usedPage.html).toContain("<h1>Collegamento non valido o scaduto</h1>");
    expect(usedPage.title).toBe("Collegamento non valido o scaduto - Coordinamento SAI");
    const unknown = await settle(() => linkLoader(routeArgs(new Request(`${APP_URL}/area-referente/accedi/link/x`), { token: "x" })));
    expect(unknown.status).toBe(410);
  });

  it("dies with its code: after the code is used, and after 10 minutes", async () => {
    const r = await createReferent("active");
    const db = getDb();
    const t0 = new Date();
    requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: t0 });
    const first = latestLoginEmail(r.email)!;
    expect(verifyLoginLink(db, { token: first.token, now: new Date(t0.getTime() + LOGIN_CODE_TTL_MS + 1) }).ok).toBe(false);
    expect(verifyLoginCode(db, { email: r.email, code: first.code, now: t0 }).ok).toBe(true);
    expect(verifyLoginLink(db, { token: first.token, now: t0 }).ok).toBe(false);
  });

  it("refuses a request without the CSRF token", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { token } = latestLoginEmail(r.email)!;
    const request = new Request(`${APP_URL}/area-referente/accedi/link/${token}`, {
      method: "POST",
      body: new URLSearchParams({}),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: APP_URL },
    });
    const response = await settle(() => linkAction({ request, params: { token }, context: { cspNonce: "", clientIp: freshIp() } }));
    expect(response.status).toBe(403);
    expect(verifyLoginLink(getDb(), { token }).ok).toBe(true);
  });
});

describe("the return address (redirectTo)", () => {
  const storedReturnTo = (referentId: number) =>
    getDb().select().from(referentLoginCodes).where(eq(referentLoginCodes.referentId, referentId)).orderBy(referentLoginCodes.id).all().at(-1)!.returnTo;

  it("brings the referente back to the page that sent them, by the code and by the link, kept with the code and not in the email", async () => {
    const r = await createReferent("active");
    const byCode = await ask(r.email, "/area-referente/tavoli?anno=2030");
    expect(storedReturnTo(r.referentId)).toBe("/area-referente/tavoli?anno=2030");
    expect(byCode.signInUrl).not.toContain("tavoli");
    const signedIn = await sendCode(r.email, byCode.code);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe("/area-referente/tavoli?anno=2030");
    expect(signedIn.headers.get("X-Remix-Reload-Document")).toBe("true");

    const byLink = await ask(r.email, "/area-referente/progetti/nuovo?da=email");
    // The link's own address says nothing of where it leads: what the person was sent for is what counts.
    const request = await browserPost(`/area-referente/accedi/link/${byLink.token}?redirectTo=${encodeURIComponent("//evil.example/x")}`, {});
    const linked = await settle(() => linkAction({ request, params: { token: byLink.token }, context: { cspNonce: "", clientIp: freshIp() } }));
    expect(linked.status).toBe(302);
    expect(linked.headers.get("Location")).toBe("/area-referente/progetti/nuovo?da=email");
    expect(await canEnter(linked.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);
  });

  it.each(["//evil.example/x", "https://evil.example/", "/\\evil.example", "/.//evil.example", "javascript:alert(1)", "evil.example"])(
    "ignores %j: the referente lands in the area, and nothing off the site is stored",
    async (target) => {
      const r = await createReferent("active");
      const mail = await ask(r.email, target);
      expect(storedReturnTo(r.referentId)).toBeNull();
      const response = await sendCode(r.email, mail.code);
      expect(response.headers.get("Location")).toBe("/area-referente");

      const { cookie } = await referentCookie(r.referentId);
      const page = await settle(() =>
        signInLoader(routeArgs(referentGet(`/area-referente/accedi?redirectTo=${encodeURIComponent(target)}`, cookie))),
      );
      expect(page.headers.get("Location")).toBe("/area-referente");
    },
  );

  it("sends a referente already signed in straight to the page asked for", async () => {
    const r = await createReferent("active");
    const { cookie } = await referentCookie(r.referentId);
    const response = await settle(() => signInLoader(routeArgs(referentGet("/area-referente/accedi?redirectTo=%2Farea-referente%2Ftavoli", cookie))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/area-referente/tavoli");
  });
});

describe("signing in to download a material (redirectTo=/materiali/:id)", () => {
  let coordinatorId: number;
  beforeAll(() => {
    coordinatorId = createTestCoordinator().id;
  });
  const addMaterial = (roundTableId: number, title: string, visibility: "public" | "members") =>
    getDb()
      .insert(materials)
      .values({ roundTableId, kind: "slides", title, storedFileName: "b".repeat(32), downloadName: "slide.pdf", mimeType: "application/pdf", sizeBytes: 1200, visibility })
      .returning()
      .get();
  const tavoloPage = (path: string, cookie: string | null) => renderRoute(tavoloRoute, referentGet(path, cookie), "/tavoli-tecnici/:id");
  const cookieOf = (response: Response) => response.headers.get("Set-Cookie")!.split(";")[0];
  const withMessage = (roundTableId: number, materialId: number) => `/tavoli-tecnici/${roundTableId}?esito=accesso&materiale=${materialId}`;

  it("lands on the material's Tavolo tecnico, signed in, with a message that links the download: by the code and by the link", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const material = addMaterial(rt.id, "Slide riservate del Tavolo", "members");
    const r = await createReferent("active");

    const byCode = await sendCode(r.email, (await ask(r.email, `/materiali/${material.id}`)).code);
    // Before: a document redirect to the download itself, which left the browser on the sign-in form.
    expect(byCode.status).toBe(302);
    expect(byCode.headers.get("Location")).toBe(withMessage(rt.id, material.id));

    const mail = await ask(r.email, `/materiali/${material.id}`);
    const byLink = await signInWithLink(mail.token);
    expect(byLink.status).toBe(302);
    expect(byLink.headers.get("Location")).toBe(withMessage(rt.id, material.id));

    const page = await tavoloPage(withMessage(rt.id, material.id), cookieOf(byLink));
    expect(page.status).toBe(200);
    // The outcome takes the focus even on a full page load (autofocus), and its link downloads the material.
    expect(page.html).toMatch(
      new RegExp(
        `<div class="alert alert-success" role="status" tabindex="-1" autofocus="">Accesso effettuato\\. Ora puoi scaricare «Slide riservate del Tavolo»: <a href="/materiali/${material.id}">scarica «Slide riservate del Tavolo»</a> \\(PDF, [^)]+\\)\\.</div>`,
      ),
    );
    // Without the outcome in the address, the page is the usual one.
    expect((await tavoloPage(`/tavoli-tecnici/${rt.id}`, cookieOf(byLink))).html).not.toContain("Accesso effettuato");
  });

  it("does the same for a public material, and for a referente already signed in who follows the sign-in link, not told they have just signed in", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const reserved = addMaterial(rt.id, "Riservato", "members");
    const open = addMaterial(rt.id, "Pubblico", "public");
    const r = await createReferent("active");
    const byCode = await sendCode(r.email, (await ask(r.email, `/materiali/${open.id}`)).code);
    expect(byCode.headers.get("Location")).toBe(withMessage(rt.id, open.id));

    // A link to a reserved material (from an email, from /invito) followed while signed in: no sign-in happened.
    const { cookie } = await referentCookie(r.referentId);
    const signedIn = await settle(() => signInLoader(routeArgs(referentGet(`/area-referente/accedi?redirectTo=%2Fmateriali%2F${reserved.id}`, cookie))));
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe(`/tavoli-tecnici/${rt.id}?materiale=${reserved.id}`);
    const page = await tavoloPage(signedIn.headers.get("Location")!, cookie);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(
      new RegExp(
        `<div class="alert alert-success" role="status" tabindex="-1" autofocus="">Ora puoi scaricare «Riservato»: <a href="/materiali/${reserved.id}">scarica «Riservato»</a> \\(PDF, [^)]+\\)\\.</div>`,
      ),
    );
    expect(page.html).not.toContain("Accesso effettuato");
  });

  it("lands in the area, with no message, when the material does not exist or is not the referente's to download", async () => {
    const rt = createTestRoundTable(coordinatorId);
    const reserved = addMaterial(rt.id, "Slide solo per gli aderenti", "members");
    const draft = createTestRoundTable(coordinatorId, {}, { publish: false });
    const ofDraft = addMaterial(draft.id, "Slide della bozza", "public");

    const active = await createReferent("active");
    for (const id of [999_999_999, ofDraft.id]) {
      const response = await sendCode(active.email, (await ask(active.email, `/materiali/${id}`)).code);
      expect(response.headers.get("Location")).toBe("/area-referente");
    }

    // A referente whose request awaits approval may not download a reserved material.
    const pending = await createReferent("pending");
    const response = await sendCode(pending.email, (await ask(pending.email, `/materiali/${reserved.id}`)).code);
    expect(response.headers.get("Location")).toBe("/area-referente");
    // An address made up by hand does not reveal the title either, to them or to anyone signed out.
    for (const cookie of [cookieOf(response), null]) {
      const page = await tavoloPage(withMessage(rt.id, reserved.id), cookie);
      expect(page.status).toBe(200);
      expect(page.html).not.toContain("Accesso effettuato");
      expect(page.html).not.toContain("Slide solo per gli aderenti");
    }
    // Nor does a material of another Tavolo named in the address.
    const other = createTestRoundTable(coordinatorId);
    const r = await createReferent("active");
    const { cookie } = await referentCookie(r.referentId);
    expect((await tavoloPage(withMessage(other.id, reserved.id), cookie)).html).not.toContain("Accesso effettuato");
  });
});

describe("signing in to download one's own data (redirectTo=/area-referente/privacy/dati.json)", () => {
  const DATA_FILE = "/area-referente/privacy/dati.json";
  const privacyPage = (path: string, cookie: string) => renderRoute(privacyRoute, referentGet(path, cookie), "/area-referente/privacy");
  const offer = (signedInNow: boolean) =>
    `<div class="alert alert-success" role="status" tabindex="-1" autofocus="">${signedInNow ? "Accesso effettuato. " : ""}Ora puoi scaricare i tuoi dati: <a href="${DATA_FILE}" download="">scarica i tuoi dati</a> (file JSON).</div>`;

  it("lands on the privacy page, signed in, with a message that links the download: by the code and by the link", async () => {
    const r = await createReferent("active");
    const byCode = await sendCode(r.email, (await ask(r.email, DATA_FILE)).code);
    // Before: a document redirect to the file itself, which left the browser on the sign-in form.
    expect(byCode.status).toBe(302);
    expect(byCode.headers.get("Location")).toBe("/area-referente/privacy?esito=accesso&scarica=dati");
    expect(byCode.headers.get("X-Remix-Reload-Document")).toBeNull();

    const byLink = await signInWithLink((await ask(r.email, DATA_FILE)).token);
    expect(byLink.status).toBe(302);
    expect(byLink.headers.get("Location")).toBe("/area-referente/privacy?esito=accesso&scarica=dati");

    const cookie = byLink.headers.get("Set-Cookie")!.split(";")[0];
    const page = await privacyPage(byLink.headers.get("Location")!, cookie);
    expect(page.status).toBe(200);
    // The outcome takes the focus even on a full page load (autofocus), and its link downloads the file.
    expect(page.html).toContain(offer(true));
    // Without the outcome in the address, the page is the usual one.
    expect((await privacyPage("/area-referente/privacy", cookie)).html).not.toContain("Ora puoi scaricare");
  });

  it("sends a referente already signed in to the same offer, not told they have just signed in", async () => {
    const r = await createReferent("pending");
    const { cookie } = await referentCookie(r.referentId);
    const response = await settle(() => signInLoader(routeArgs(referentGet(`/area-referente/accedi?redirectTo=${encodeURIComponent(DATA_FILE)}`, cookie))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/area-referente/privacy?scarica=dati");
    const page = await privacyPage(response.headers.get("Location")!, cookie);
    expect(page.html).toContain(offer(false));
    expect(page.html).not.toContain("Accesso effettuato");
    // A form of the page sent from there (its address keeps the offer): its outcome alone is shown, and takes the focus.
    const request = await referentPost(response.headers.get("Location")!, { intent: "communications", receivesCommunications: "on" }, cookie);
    const answered = await renderRoute(privacyRoute, request, "/area-referente/privacy");
    expect(answered.html).toContain("Preferenza salvata: riceverai le comunicazioni del Coordinamento.");
    expect(answered.html).not.toContain("Ora puoi scaricare");
  });

  it("never sends the browser to another file of the portal: the referente lands in the area", async () => {
    const rt = createTestRoundTable(createTestCoordinator().id);
    const r = await createReferent("active");
    for (const file of [`/tavoli-tecnici/${rt.id}/evento.ics`, "/tavoli-tecnici.ics", "/adesione/comuni.json"]) {
      const response = await sendCode(r.email, (await ask(r.email, file)).code);
      expect(response.headers.get("Location"), file).toBe("/area-referente");
    }
  });
});

describe("a second request within a minute (a double tap on a slow connection)", () => {
  const cookieOf = (response: Response) => response.headers.get("Set-Cookie")!.split(";")[0];
  const codeStep = (cookie: string) => renderRoute(codeStepRoute, referentGet("/area-referente/accedi/codice", cookie));
  const statusOf = (html: string) => /<div class="alert alert-info" role="status">([^<]*)<\/div>/.exec(html)?.[1];
  const liveCodes = (referentId: number) =>
    getDb().select().from(referentLoginCodes).where(and(eq(referentLoginCodes.referentId, referentId), isNull(referentLoginCodes.usedAt))).all();
  const loginEmails = (email: string) => outboxFor(email).filter((m) => m.template === "referent-login-code");

  it("model: keeps the code sent less than a minute before, and sends no other; past the minute a new one replaces it", async () => {
    const r = await createReferent("active");
    const db = getDb();
    const t0 = new Date();
    expect(requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: t0 })).toMatchObject({ sent: true });
    const first = latestLoginEmail(r.email)!;
    const again = requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: new Date(t0.getTime() + 1000) });
    expect(again).toEqual({ sent: false, recentCodeAt: t0 });
    expect(liveCodes(r.referentId)).toHaveLength(1);
    expect(loginEmails(r.email)).toHaveLength(1);
    expect(verifyLoginCode(db, { email: r.email, code: first.code, now: new Date(t0.getTime() + 2000) }).ok).toBe(true);

    // A used code is not kept: the next request sends one at once.
    expect(requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: new Date(t0.getTime() + 3000) })).toMatchObject({ sent: true });
    const t1 = new Date(t0.getTime() + 3000 + LOGIN_CODE_RESEND_AFTER_MS + 1);
    expect(requestLoginCode(db, { email: r.email, appUrl: APP_URL, now: t1 })).toMatchObject({ sent: true });
    expect(liveCodes(r.referentId)).toHaveLength(1);
    expect(loginEmails(r.email)).toHaveLength(3);
  });

  it("route: two taps of «Invia il codice» send one email, whose code signs in, and count once against the limit of 5 an hour", async () => {
    const r = await createReferent("active");
    const ip = freshIp();
    const tap = async (cookie: string | null) =>
      settle(async () => signInAction({ request: await referentPost("/area-referente/accedi", { intent: "request", email: r.email }, cookie), params: {}, context: { cspNonce: "", clientIp: ip } }));
    // The second tap leaves before the first one's answer (and its cookie) came back.
    const first = await tap(null);
    const second = await tap(null);
    for (const response of [first, second]) {
      expect(response.status).toBe(303);
      expect(response.headers.get("Location")).toBe("/area-referente/accedi/codice");
    }
    expect(loginEmails(r.email)).toHaveLength(1);
    expect(liveCodes(r.referentId)).toHaveLength(1);
    // The code step the person sees is the usual one, with the expiry of the code sent.
    expect(statusOf((await codeStep(cookieOf(second))).html)).toBe(
      "Se l&#x27;indirizzo è registrato, riceverai un codice di accesso via email entro pochi minuti. Il codice vale 10 minuti e si può usare una sola volta.",
    );
    // 4 more codes, each a minute after the last, are still allowed in the hour: the taps counted once.
    for (let i = 0; i < 4; i++) {
      // askCode: a minute after the last.
      expect((await askCode(r.email)).status).toBe(303);
    }
    expect((await askCode(r.email)).status).toBe(429);
  });

  it("route: the code of the first email still signs in after the second tap", async () => {
    const r = await createReferent("active");
    await askCode(r.email);
    const { code } = latestLoginEmail(r.email)!;
    const request = await referentPost("/area-referente/accedi", { intent: "request", email: r.email }, await pendingSignIn(r.email));
    expect((await settle(() => signInAction(routeArgs(request)))).status).toBe(303);
    expect(latestLoginEmail(r.email)!.code).toBe(code);
    // Signed in, the code is used: asking again (signed out) sends a new one at once.
    const signedIn = await sendCode(r.email, code);
    expect(signedIn.status).toBe(302);
    const again = await settle(async () => signInAction(routeArgs(await referentPost("/area-referente/accedi", { intent: "request", email: r.email }, null))));
    expect(again.status).toBe(303);
    expect(loginEmails(r.email)).toHaveLength(2);
  });

  it("«Invia un nuovo codice» within the minute says that the code sent then still works, sends nothing, and is the same for an unknown address", async () => {
    const r = await createReferent("active");
    const unknown = uniqueEmail("sconosciuto");
    const pages: string[] = [];
    for (const email of [r.email, unknown]) {
      const sentAt = new Date();
      const jar = cookieOf(await askCode(email));
      const resend = await referentPost("/area-referente/accedi", { intent: "request", email }, jar);
      const asked = new Date();
      const response = await settle(() => signInAction(routeArgs(resend)));
      expect(response.status).toBe(303);
      expect(response.headers.get("Location")).toBe("/area-referente/accedi/codice");
      const page = (await codeStep(cookieOf(response))).html;
      const status = statusOf(page)!;
      const match =
        /^Nessun nuovo codice inviato alle (\d\d:\d\d:\d\d): se l&#x27;indirizzo è registrato, il codice che ti abbiamo inviato alle (\d\d:\d\d) vale ancora, fino alle (\d\d:\d\d), e uno nuovo lo annullerebbe\. Usa quello; se non è arrivato, controlla la posta indesiderata, o chiedine un altro dalle (\d\d:\d\d:\d\d)\.$/.exec(
          status,
        );
      expect(match, status).not.toBeNull();
      expect([formatTimeIt(asked, { seconds: true }), formatTimeIt(new Date(), { seconds: true })]).toContain(match![1]);
      expect([formatTimeIt(sentAt), formatTimeIt(asked)]).toContain(match![2]);
      expect([formatTimeIt(new Date(sentAt.getTime() + LOGIN_CODE_TTL_MS)), formatTimeIt(new Date(asked.getTime() + LOGIN_CODE_TTL_MS))]).toContain(match![3]);
      pages.push(page.replaceAll(email, "<email>").replace(/\d\d:\d\d(:\d\d)?/g, "<ora>"));
    }
    expect(pages[1]).toBe(pages[0]);
    expect(loginEmails(r.email)).toHaveLength(1);
    expect(outboxFor(unknown)).toEqual([]);
    // The code received signs in.
    expect((await sendCode(r.email, latestLoginEmail(r.email)!.code)).status).toBe(302);
  });
});

describe("rate limits", () => {
  it("allows 5 codes per address per hour, from any IP", async () => {
    const r = await createReferent("active");
    for (let i = 0; i < 5; i++) expect((await askCode(r.email, freshIp())).status).toBe(303);
    const blocked = await askCode(r.email, freshIp());
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // The form stays with the address typed; the real wait, in words: the hour's window opened at
    // the first request (not "qualche minuto").
    expect(blocked.headers.get("Set-Cookie")).toBeNull();
    expect(await blocked.json()).toEqual({
      email: r.email,
      errors: {},
      formError:
        "Sono stati chiesti troppi codici in poco tempo: riprova tra 60 minuti. Se hai ricevuto un'email negli ultimi 10 minuti, puoi entrare con il suo pulsante «Accedi all'area referente».",
    });
  });

  it("keeps on the code step, saying that no new code was sent, a person who asks a new code there past the limit; the codes received still work", async () => {
    const codeStepPage = (cookie: string) => renderRoute(codeStepRoute, referentGet("/area-referente/accedi/codice", cookie));
    const r = await createReferent("active");
    const unknown = uniqueEmail("sconosciuto");
    const pages: string[] = [];
    for (const email of [r.email, unknown]) {
      // «Invia un nuovo codice» from the code step, in one browser: the 6th in the hour is refused.
      let jar = "";
      for (let i = 0; i < 5; i++) {
        aMinuteLater(email);
        const asked = await settle(async () => signInAction(routeArgs(await referentPost("/area-referente/accedi", { intent: "request", email }, jar || null))));
        expect(asked.status).toBe(303);
        jar = asked.headers.get("Set-Cookie")!.split(";")[0];
      }
      const until = Date.now() + LOGIN_CODE_TTL_MS;
      aMinuteLater(email);
      const refused = await settle(async () => signInAction(routeArgs(await referentPost("/area-referente/accedi", { intent: "request", email }, jar))));
      // Before: a 429 answered with the first step's form, the code field gone.
      expect(refused.status).toBe(303);
      expect(refused.headers.get("Location")).toBe("/area-referente/accedi/codice");
      jar = refused.headers.get("Set-Cookie")!.split(";")[0];
      const page = await codeStepPage(jar);
      expect(page.status).toBe(200);
      expect(page.html).toMatch(/<input id="code" name="code"/);
      const status = /<div class="alert alert-warning" role="status">([^<]*)<\/div>/.exec(page.html)?.[1];
      expect(status).toMatch(
        /^Nessun nuovo codice inviato alle \d\d:\d\d:\d\d: ne sono stati chiesti troppi in poco tempo, potrai chiederne un altro dalle \d\d:\d\d\. L&#x27;ultimo codice che hai ricevuto vale fino alle (\d\d:\d\d); puoi anche entrare con il pulsante «Accedi all&#x27;area referente» dell&#x27;email\.$/,
      );
      // The expiry of the last code asked, in Italian time.
      expect(status).toContain(`vale fino alle ${formatTimeIt(new Date(until))}`);
      pages.push(page.html.replaceAll(email, "<email>").replace(/\d\d:\d\d(:\d\d)?/g, "<ora>"));
      if (email === r.email) {
        // The last code received signs in.
        const typed = await referentPost("/area-referente/accedi/codice", { intent: "verify", email, code: latestLoginEmail(email)!.code }, jar);
        expect((await settle(() => codeStepRoute.action(routeArgs(typed)))).status).toBe(302);
      }
    }
    // The same page for an unknown address.
    expect(pages[1]).toBe(pages[0]);
  });

  it("allows 20 code requests per IP per hour, whatever the addresses", async () => {
    const ip = freshIp();
    for (let i = 0; i < 20; i++) expect((await askCode(uniqueEmail("ip"), ip)).status).toBe(303);
    expect((await askCode(uniqueEmail("ip"), ip)).status).toBe(429);
  });

  it("after 15 wrong codes for an address, from any IPs, stops codes for it but says how to enter with the link, which works", async () => {
    const r = await createReferent("active");
    for (let i = 0; i < 15; i++) expect((await sendCode(r.email, "000000")).status).toBe(401);
    await askCode(r.email);
    const { code, token } = latestLoginEmail(r.email)!;
    const blocked = await sendCode(r.email, code);
    expect(blocked.status).toBe(429);
    const body = (await blocked.json()) as { formError: string };
    expect(body.formError).toMatch(
      /^Per sicurezza, dopo troppi codici errati per questo indirizzo, l'accesso con il codice è sospeso per 1[45] minuti\. Puoi entrare subito con il pulsante «Accedi all'area referente» dell'ultima email che hai ricevuto, se è di meno di 10 minuti fa; altrimenti chiedi un nuovo codice e usa il pulsante della nuova email\.$/,
    );
    const viaLink = await signInWithLink(token);
    expect(viaLink.status).toBe(302);
    expect(await canEnter(viaLink.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);
  });

  it("blocks codes from an IP after 30 failed codes in 15 minutes, even a right one, saying so; the email's link still works from there", async () => {
    const ip = freshIp();
    for (let i = 0; i < 30; i++) expect((await sendCode(uniqueEmail("prova"), "123456", ip)).status).toBe(401);
    const r = await createReferent("active");
    await askCode(r.email);
    const { code, token } = latestLoginEmail(r.email)!;
    const blocked = await sendCode(r.email, code, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = (await blocked.json()) as { formError: string };
    expect(body.formError).toMatch(/^Per sicurezza, dopo troppi codici errati dalla tua rete, l'accesso con il codice è sospeso per 1[45] minuti\. Puoi entrare subito con il pulsante/);
    // A shared office network blocked by someone else's wrong codes: the link signs the person in.
    const viaLink = await signInWithLink(token, ip);
    expect(viaLink.status).toBe(302);
    expect(await canEnter(viaLink.headers.get("Set-Cookie")!.split(";")[0])).toBe(true);
  });
});

describe("referent sessions", () => {
  it("gets a new session id at each sign-in and revokes the browser's previous one", async () => {
    const r = await createReferent("active");
    const first = await signInWithCode(r.email);
    await askCode(r.email);
    const request = await referentPost("/area-referente/accedi/codice", { intent: "verify", code: latestLoginEmail(r.email)!.code }, `${first}; ${await pendingSignIn(r.email)}`);
    const second = await settle(() => codeStepRoute.action({ request, params: {}, context: { cspNonce: "", clientIp: freshIp() } }));
    const secondCookie = second.headers.get("Set-Cookie")!.split(";")[0];
    expect(secondCookie).not.toBe(first);
    expect(await canEnter(first)).toBe(false);
    expect(await canEnter(secondCookie)).toBe(true);
  });

  it("ends after 2 hours idle and after 12 hours however active", async () => {
    const r = await createReferent("active");
    const idle = await referentCookie(r.referentId);
    getDb().update(sessions).set({ lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 1000) }).where(eq(sessions.id, idle.sessionId)).run();
    expect(await canEnter(idle.cookie)).toBe(false);
    const old = await referentCookie(r.referentId);
    getDb().update(sessions).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(sessions.id, old.sessionId)).run();
    expect(await canEnter(old.cookie)).toBe(false);
  });

  it("is revoked by Esci (POST), which sends back to the sign-in page", async () => {
    const r = await createReferent("active");
    const { sessionId, cookie } = await referentCookie(r.referentId);
    const response = await settle(async () => signOutAction({ request: await referentPost("/area-referente/esci", {}, cookie), params: {}, context: { cspNonce: "", clientIp: "1.1.1.1" } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/area-referente/accedi?uscito=1");
    expect(response.headers.get("Set-Cookie")).toMatch(/^sai_ref_session=; /);
    expect(await canEnter(cookie)).toBe(false);
    expect(getDb().select().from(sessions).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt))).get()).toBeUndefined();
  });

  it("is refused once the membership is revoked, and the session is revoked", async () => {
    const r = await createReferent("active");
    const { sessionId, cookie } = await referentCookie(r.referentId);
    expect(await canEnter(cookie)).toBe(true);
    revokeMembership(getDb(), { appUrl: "http://portale.test", id: r.requestId, coordinatorId: createTestCoordinator().id, reason: "Uscita" });
    expect(await canEnter(cookie)).toBe(false);
    expect(getDb().select().from(sessions).where(eq(sessions.id, sessionId)).get()!.revokedAt).toBeInstanceOf(Date);
  });

  it("is not a coordinator session, and a coordinator's cookie does not open the referent area", async () => {
    const r = await createReferent("active");
    const { sessionId } = await referentCookie(r.referentId);
    const { getCookies } = await import("~/utils/cookies.server");
    const asCoordinatorCookie = (await getCookies().session.serialize(sessionId)).split(";")[0];
    const { loader: adminLoader } = await import("~/routes/admin");
    const response = await settle(() => adminLoader({ request: referentGet("/admin", asCoordinatorCookie), params: {}, context: { cspNonce: "", clientIp: "1.1.1.1" } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);

    const anonymous = await settle(() => areaLoader({ request: referentGet("/area-referente", null), params: {}, context: { cspNonce: "", clientIp: "1.1.1.1" } }));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/area-referente/accedi?redirectTo=%2Farea-referente");
  });
});
