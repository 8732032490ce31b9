import crypto from "node:crypto";
import { coordinators } from "#db/schema";
import { createCoordinatorSession } from "~/models/session.server";
import { getCookies } from "~/utils/cookies.server";
import { getDb } from "~/utils/db.server";
import { APP_URL, browserPost } from "./requests";

/** A coordinator row; the password is irrelevant because tests sign in by creating a session. */
export function createTestCoordinator({ role = "coordinator" as "admin" | "coordinator", name = "Coordinatrice di prova" } = {}) {
  return getDb()
    .insert(coordinators)
    .values({ email: `coord.${crypto.randomUUID().slice(0, 8)}@example.org`, name, role, passwordHash: "scrypt$17$8$1$x$y" })
    .returning()
    .get();
}

export async function sessionCookieFor(coordinatorId: number) {
  const sessionId = createCoordinatorSession(getDb(), { coordinatorId });
  const cookie = await getCookies().session.serialize(sessionId);
  return { sessionId, cookie: cookie.split(";")[0] };
}

/** A GET as a signed-in coordinator's browser sends it (no cookie when coordinatorId is null). */
export async function adminGet(path: string, coordinatorId: number | null) {
  const headers = new Headers();
  if (coordinatorId !== null) headers.set("Cookie", (await sessionCookieFor(coordinatorId)).cookie);
  return new Request(`${APP_URL}${path}`, { headers });
}

/** A form POST with a valid CSRF token, as a signed-in coordinator (anonymous when coordinatorId is null). */
export async function adminPost(path: string, fields: Record<string, string>, coordinatorId: number | null) {
  const request = await browserPost(path, fields);
  const headers = new Headers(request.headers);
  if (coordinatorId !== null) headers.set("Cookie", `${headers.get("Cookie")}; ${(await sessionCookieFor(coordinatorId)).cookie}`);
  return new Request(request.url, { method: "POST", body: await request.text(), headers });
}

/** Runs a loader or action and returns the Response whether it was returned or thrown. */
export async function settle(run: () => Promise<unknown> | unknown): Promise<Response> {
  try {
    const result = await run();
    if (result instanceof Response) return result;
    throw new Error("The route returned something other than a Response");
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
