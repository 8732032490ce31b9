// The built server (`node server.js`) started with bad settings: it stops at once with exit code 1
// and the settings' message (one line per bad value, in Italian for these), without a stack trace
// and before touching the data directory's database.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, repoRoot } from "../support/portal-process";

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the server with production settings plus `env` until it exits (at most 30 s). */
async function runServer(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-settings-"));
  dataDirs.push(dataDir);
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, "server.js")], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: process.env.TZ,
      NODE_ENV: "production",
      PORT: String(port),
      DATA_DIR: dataDir,
      APP_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: crypto.randomBytes(36).toString("base64url"),
      SMTP_URL: "smtp://127.0.0.1:1",
      MAIL_FROM: "Coordinamento SAI - ANCI Sicilia <noreply@example.org>",
      ADMIN_EMAIL: "coordinatore@example.org",
      ADMIN_PASSWORD: crypto.randomBytes(18).toString("base64url"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, dataDir };
}

/** No stack frame ("    at …") and no error class name in the output. */
function expectNoStackTrace(output: string) {
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/\b\w*Error\b/);
}

describe("node server.js with bad settings", () => {
  it("stops on a MAIL_FROM that is no address, with the Italian message and no stack trace", async () => {
    const run = await runServer({ MAIL_FROM: "Coordinamento SAI" });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toBe(
      'Impostazioni non valide:\n  - MAIL_FROM "Coordinamento SAI" non è un mittente valido: indica un indirizzo email, come noreply@comune.esempio.it oppure "Coordinamento SAI <noreply@comune.esempio.it>"\n',
    );
    expectNoStackTrace(run.stdout + run.stderr);
    expect(run.stdout).not.toContain("Portale del Coordinamento SAI su");
    expect(fs.readdirSync(run.dataDir)).toEqual([]);
  });

  it("stops on an unknown REGION the same way, listing the valid names, together with the other bad values", async () => {
    const run = await runServer({ REGION: "Sicilia, Trinacria", MAIL_FROM: "" });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^Impostazioni non valide:\n {2}- MAIL_FROM è vuoto: indica l'indirizzo email del mittente/);
    expect(run.stderr).toContain('\n  - REGION "Trinacria" non è una regione italiana. Valori ammessi, anche più di uno separati da virgola: Abruzzo, Basilicata,');
    expect(run.stderr).toContain('Valle d\'Aosta, Veneto; oppure "tutte"\n');
    expectNoStackTrace(run.stdout + run.stderr);
    expect(fs.readdirSync(run.dataDir)).toEqual([]);
  });

  it("stops on an SMTP_URL whose password was not percent-encoded, without printing the password", async () => {
    const run = await runServer({ SMTP_URL: "smtp://portale:p@ss#w0rd-segreta@mail.example.org:587", APP_URL: "https://sai.example.org/portale/" });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("  - APP_URL deve essere solo l'indirizzo del sito, senza percorso");
    expect(run.stderr).toContain("  - SMTP_URL non è interpretabile: se utente o password contengono caratteri speciali, scrivili codificati: @ come %40, # come %23");
    expect(run.stdout + run.stderr).not.toMatch(/w0rd|segreta|Email: SMTP/);
    expect(fs.readdirSync(run.dataDir)).toEqual([]);
  });
});
