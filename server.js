// The production server: Express serves static assets, sets security headers and hands every
// other request to Remix. Start-up work (settings, migrations, seed, mail worker) lives in the app.
import crypto from "node:crypto";
import { createRequestHandler } from "@remix-run/express";
import express from "express";
import helmet from "helmet";

const build = await import("./build/index.js");

let portal;
try {
  portal = await build.entry.module.bootPortal();
} catch (error) {
  if (error?.constructor?.name === "InvalidEnvironmentError") {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const secure = portal.appUrl.startsWith("https://");
const app = express();
app.disable("x-powered-by");
app.set("trust proxy", "loopback");

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

app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));

app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV === "development" ? "development" : "production",
    getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce, clientIp: req.ip ?? "unknown" }),
  }),
);

const server = app.listen(portal.port, () => {
  console.log(`Portale del Coordinamento SAI su ${portal.appUrl} (porta ${portal.port})`);
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
