// Starts, once for the whole e2e run: an in-process SMTP server that stores every message as an
// .eml file, the built portal (`node server.js`) on a free port with its own data directory, and one
// headless Chromium that the test files connect to.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserServer } from "playwright-core";
import { SMTPServer } from "smtp-server";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    adminPassword: string;
    wsEndpoint: string;
    mailDir: string;
    /** The shared server's SQLite file, for setting up what a browser cannot (time passing). */
    databasePath: string;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const COORDINATOR_EMAIL = "coordinatore@example.org";

const BROWSER_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startSmtp(mailDir: string) {
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const stamp = Date.now();
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        Promise.all(
          recipients.map(async (rcpt) => {
            const name = `${encodeURIComponent(rcpt)}--${stamp}-${String(++counter).padStart(5, "0")}.eml`;
            // Write then rename, so a reader never sees half a message.
            const tmp = path.join(mailDir, `.${name}.tmp`);
            await fsp.writeFile(tmp, raw);
            await fsp.rename(tmp, path.join(mailDir, name));
          }),
        ).then(() => callback(), callback);
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return { server, port };
}

async function waitForHealthy(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `code ${code ?? "-"}, signal ${signal ?? "-"}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`The portal server exited during start-up (${exited}). Output:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The portal server did not answer 200 on /healthz within ${timeoutMs / 1000} s. Output:\n${output()}`);
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * A private copy of what `node server.js` needs at run time (server.js, package.json, build/, public/,
 * db/migrations, and a link to node_modules), so that a `remix build` run while the tests are going
 * cannot pull assets from under the server.
 */
async function snapshotBuild(into: string) {
  for (const entry of ["server.js", "package.json", "build", "public", path.join("db", "migrations")]) {
    await fsp.cp(path.join(repoRoot, entry), path.join(into, entry), { recursive: true });
  }
  await fsp.symlink(path.join(repoRoot, "node_modules"), path.join(into, "node_modules"), "dir");
}

export default async function setup(project: TestProject) {
  if (!fs.existsSync(path.join(repoRoot, "build", "index.js")) || !fs.existsSync(path.join(repoRoot, "public", "build"))) {
    throw new Error("The end-to-end tests need the built portal (build/index.js): run `npm run build` first.");
  }

  const mailDir = await fsp.mkdtemp(path.join(os.tmpdir(), "sai-e2e-mail-"));
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "sai-e2e-data-"));
  const appDir = await fsp.mkdtemp(path.join(os.tmpdir(), "sai-e2e-app-"));
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error("e2e teardown:", error);
      }
    }
    await fsp.rm(mailDir, { recursive: true, force: true });
    await fsp.rm(dataDir, { recursive: true, force: true });
    await fsp.rm(appDir, { recursive: true, force: true });
  };

  try {
    await snapshotBuild(appDir);
    const smtp = await startSmtp(mailDir);
    cleanups.push(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

    const port = await freePort();
    const adminPassword = crypto.randomBytes(18).toString("base64url");
    const baseUrl = `http://127.0.0.1:${port}`;
    let output = "";
    const child = spawn(process.execPath, [path.join(appDir, "server.js")], {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TZ: process.env.TZ,
        NODE_ENV: "production",
        PORT: String(port),
        DATA_DIR: dataDir,
        APP_URL: baseUrl,
        SESSION_SECRET: crypto.randomBytes(36).toString("base64url"),
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        MAIL_FROM: "Coordinamento SAI - ANCI Sicilia <noreply@example.org>",
        ADMIN_EMAIL: COORDINATOR_EMAIL,
        ADMIN_PASSWORD: adminPassword,
        MAIL_POLL_MS: "200",
        REGISTRATIONS_PER_IP_PER_HOUR: "10000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    let stopping = false;
    child.once("exit", (code, signal) => {
      if (!stopping) {
        console.error(`\n[e2e] The portal server stopped unexpectedly (code ${code}, signal ${signal}). Its output:\n${output}`);
      }
    });
    cleanups.push(async () => {
      stopping = true;
      await stopChild(child);
      if (process.env.E2E_SERVER_LOG) console.log(output);
    });
    await waitForHealthy(baseUrl, child, () => output);

    const executablePath = process.env.CHROME_PATH || "/usr/bin/chromium";
    const browser: BrowserServer = await chromium.launchServer({ executablePath, args: BROWSER_ARGS, headless: true });
    cleanups.push(() => browser.close());

    project.provide("baseUrl", baseUrl);
    project.provide("wsEndpoint", browser.wsEndpoint());
    project.provide("mailDir", mailDir);
    project.provide("adminPassword", adminPassword);
    project.provide("databasePath", path.join(dataDir, "portale.db"));
  } catch (error) {
    await teardown();
    throw error;
  }

  return teardown;
}
