// Runs the built portal (`node server.js`) as a child process, as production does.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function freePort(): Promise<number> {
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

export type PortalProcess = {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (timeoutMs?: number) => Promise<void>;
};

type PortalOptions = {
  dataDir: string;
  smtpUrl: string;
  env?: Record<string, string>;
  port?: number;
  /** The folder it is started from (the project's own by default). */
  cwd?: string;
  /** Another user to run the server as (a test run as root checking file permissions). */
  runAs?: { uid: number; gid: number };
};

/** `node server.js` with production settings plus `env`, its output piped. */
function spawnPortal({ dataDir, smtpUrl, env = {}, cwd = repoRoot, runAs }: PortalOptions, listenPort: number, baseUrl: string) {
  return spawn(process.execPath, [path.join(repoRoot, "server.js")], {
    cwd,
    ...runAs,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: process.env.TZ,
      NODE_ENV: "production",
      PORT: String(listenPort),
      DATA_DIR: dataDir,
      APP_URL: baseUrl,
      SESSION_SECRET: crypto.randomBytes(36).toString("base64url"),
      SMTP_URL: smtpUrl,
      MAIL_FROM: "Coordinamento SAI - ANCI Sicilia <noreply@example.org>",
      ADMIN_EMAIL: "coordinatore@example.org",
      ADMIN_PASSWORD: crypto.randomBytes(18).toString("base64url"),
      MAIL_POLL_MS: "100",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the built server until it exits by itself (at most `timeoutMs`): for starts that must be refused. */
export async function runPortalToExit(options: PortalOptions, timeoutMs = 30_000) {
  const listenPort = options.port ?? (await freePort());
  const child = spawnPortal(options, listenPort, `http://127.0.0.1:${listenPort}`);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Starts the built server with production settings plus `env`, and waits for /healthz. */
export async function startPortal(options: PortalOptions) {
  const listenPort = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${listenPort}`;
  let output = "";
  const child = spawnPortal(options, listenPort, baseUrl);
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited) throw new Error(`The portal exited during start-up. Output:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The portal did not answer /healthz within 60 s. Output:\n${output}`);
    }
    const ok = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const stop = async (timeoutMs = 15_000) => {
    if (hasExited) return;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(timer);
  };
  return { baseUrl, child, output: () => output, exited, stop } satisfies PortalProcess;
}
