// The production server: Express serves static assets, sets security headers and hands every
// other request to Remix. Start-up work (settings, migrations, seed, mail worker) lives in the app.
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { createRequestHandler } from "@remix-run/express";
import { createRequestHandler as createFetchHandler } from "@remix-run/node";
import express from "express";
import helmet from "helmet";

// Under load V8 lets the heap grow to several times what is alive before a full collection: 20
// concurrent requests took the resident memory from 195 MB to over 500 MB while less than 100 MB
// was in use. Growing by at most 30% keeps it near 250 MB at the same throughput (issue 7,
// docs/performance.md). V8 reads this setting at every collection, so it applies from here on.
v8.setFlagsFromString("--heap-growing-percent=30");

// The migrations, the build and public/ are in the project's folder, and relative paths in the
// settings (DATA_DIR, DATABASE_PATH) mean the same as for `npm run …`: started from anywhere (a
// systemd unit without WorkingDirectory), the portal works from its own folder.
process.chdir(fileURLToPath(new URL(".", import.meta.url)));

const build = await import("./build/index.js");

let portal;
try {
  portal = await build.entry.module.bootPortal();
} catch (error) {
  if (["InvalidEnvironmentError", "StartupError"].includes(error?.constructor?.name)) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const secure = portal.appUrl.startsWith("https://");
const app = express();
app.disable("x-powered-by");
// The proxies whose X-Forwarded-For gives the visitor's IP to the rate limits (TRUST_PROXY).
app.set("trust proxy", portal.trustProxy);

app.use((_req, res, next) => {
  res.locals.cspNonce = crypto.randomBytes(16).toString("base64");
  next();
});
app.use(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", (_req, res) => `'nonce-${res.locals.cspNonce}'`],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        ...(secure ? { "upgrade-insecure-requests": [] } : {}),
      },
    },
    strictTransportSecurity: secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    crossOriginEmbedderPolicy: false,
  }),
);

// Only the methods the portal uses; a Host header that makes no URL is a bad request. Both would
// otherwise reach Remix and end as a 500.
const METHODS = new Set(["GET", "HEAD", "POST"]);
app.use((req, res, next) => {
  if (!METHODS.has(req.method)) {
    res.set("Allow", "GET, HEAD, POST");
    return sendErrorPage(res, 405);
  }
  try {
    new URL(`${req.protocol}://${req.get("host")}${req.originalUrl}`);
  } catch {
    return sendErrorPage(res, 400);
  }
  next();
});

// A POST whose Origin is another site is refused here with a 403 (the forms' CSRF token is checked
// by the actions). Remix makes the same comparison, Origin's host against X-Forwarded-Host or Host,
// but answers a mismatch with a 500. A POST from APP_URL's origin is accepted whatever Host the
// proxy passed on (nginx sends its upstream's, `localhost:3000`, without `proxy_set_header Host`):
// it is then addressed to APP_URL's host, so that Remix's comparison holds too.
const appHost = new URL(portal.appUrl).host;
app.use((req, res, next) => {
  const origin = req.get("origin");
  if (req.method !== "POST" || origin === undefined) return next();
  const host = req.get("x-forwarded-host")?.split(",")[0].trim() || req.get("host");
  if (origin === portal.appUrl) {
    if (host !== appHost) {
      req.headers.host = appHost;
      delete req.headers["x-forwarded-host"];
    }
    return next();
  }
  let originHost = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    // not a URL: refused below
  }
  if (!originHost || originHost !== host) {
    console.warn(`POST rifiutato (403): Origin ${JSON.stringify(origin.slice(0, 200))} diversa da ${portal.appUrl} (APP_URL) e dall'host della richiesta ${JSON.stringify(String(host ?? "").slice(0, 200))}`);
    return sendErrorPage(res, 403);
  }
  next();
});

app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
// Browsers that ignore the page's <link rel="icon"> ask for /favicon.ico on every page: a 404 page each time.
app.get("/favicon.ico", (req, res) => res.redirect(301, "/favicon.svg"));
// Only a path that names a file can be one in public/ (the favicon): pages skip the disk lookup.
const publicFiles = express.static("public", { maxAge: "1h" });
app.use((req, res, next) => (/\.\w+$/.test(req.path) ? publicFiles(req, res, next) : next()));

const remixBuild = build.entry.module.guardFormBodies(build);
const mode = process.env.NODE_ENV === "development" ? "development" : "production";

// The public home page for anonymous visitors, from memory while the database is unchanged
// (app/utils/public-page-cache.server.ts, docs/decisions/006).
const renderForCache = createFetchHandler(remixBuild, mode);
const publicPages = build.entry.module.createPublicPageCache({
  render: (pagePath, { placeholderNonce }) =>
    renderForCache(new Request(new URL(pagePath, portal.appUrl)), { cspNonce: placeholderNonce, clientIp: "", publicPageCache: true }),
});
app.get("/", async (req, res, next) => {
  if (req.originalUrl !== "/" || build.entry.module.hasPersonalCookie(req.get("cookie"))) return next();
  try {
    const page = await publicPages.get("/", { nonce: res.locals.cspNonce });
    if (!page) return next();
    res.status(200).set("Content-Type", page.contentType).end(page.html);
  } catch (error) {
    next(error);
  }
});

app.all(
  "*",
  createRequestHandler({
    build: remixBuild,
    mode,
    getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce, clientIp: req.ip ?? "unknown" }),
  }),
);

// Whatever Express itself refuses (a path that does not decode, …) gets an Italian page without details.
app.use((error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = Number.isInteger(error?.status) && error.status >= 400 && error.status < 600 ? error.status : 500;
  if (status >= 500) console.error(error);
  sendErrorPage(res, status);
});

// The portal's own error page (app/utils/standalone-page.server.tsx), private like every refusal.
function sendErrorPage(res, status) {
  res.status(status).type("html").set("Cache-Control", "private, no-store").send(build.entry.module.refusalPageHtml(status));
}

const server = app.listen(portal.port, portal.host, () => {
  console.log(`Portale del Coordinamento SAI su ${portal.appUrl} (porta ${portal.port}${portal.host ? ` su ${portal.host}` : ""})`);
});
// The port was checked at start-up; taken in the meantime, it is said the same way.
server.on("error", (error) => {
  if (error.code !== "EADDRINUSE" && error.code !== "EACCES") throw error;
  console.error(`PORT ${portal.port}: la porta non è più utilizzabile (${error.code}). Ferma il programma che la usa o scegli un'altra porta con PORT.`);
  process.exit(1);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: arresto in corso...`);
  server.close();
  server.closeIdleConnections?.();
  await portal.stop();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
