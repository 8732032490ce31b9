import { ensureFirstCoordinator } from "~/models/coordinator.server";
import { recoverInterruptedEmails, retryEmailsHeldByMailServer } from "~/models/outbox.server";
import { resolveRegions, seedTerritory } from "~/models/territory.server";
import { closeDb, getDb, migrateDatabase, type Db } from "./db.server";
import { getEnv } from "./env.server";
import { claimDatabase, type InstanceLock } from "./instance-lock.server";
import { createMailTransport } from "./mailer.server";
import { startOutboxWorker } from "./outbox-worker.server";
import { ensureSessionSecret } from "./secrets.server";
import { checkDataPaths, checkPortCanBeUsed, databaseStartupError } from "./startup-checks.server";
import { unsubscribeUrl } from "./unsubscribe.server";
import { scheduledJobs } from "./scheduled-jobs.server";
import { startScheduler } from "./scheduler.server";

/**
 * Everything that must hold before the first request: valid settings, the migrated database,
 * reference data, a first coordinator, and the email worker. Called once by server.js.
 */
export async function bootPortal({ log = console.log }: { log?: (line: string) => void } = {}) {
  const env = getEnv();
  // Before anything is written: a port or a data folder the portal cannot use, and a second portal
  // on the same database, stop the start here.
  await checkPortCanBeUsed(env.PORT, env.HOST);
  checkDataPaths(env);
  let db: Db;
  let lock: InstanceLock;
  try {
    db = getDb();
    lock = claimDatabase(db.$client, env.databasePath);
    migrateDatabase(db);
  } catch (error) {
    throw databaseStartupError(error, env);
  }
  const seeded = seedTerritory(db, { regions: resolveRegions(env.regions) });
  ensureSessionSecret(db);
  const admin = await ensureFirstCoordinator(db, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD });
  if (admin.created) {
    log(`Primo coordinatore creato: ${admin.email}`);
    if (admin.generatedPassword) log(`Password generata (mostrata una sola volta): ${admin.generatedPassword}`);
  }
  const recovered = recoverInterruptedEmails(db);
  if (recovered) log(`Email interrotte da un arresto precedente rimesse in coda: ${recovered}`);
  const held = retryEmailsHeldByMailServer(db);
  if (held) log(`Email trattenute da un problema del server di posta, da ritentare subito: ${held}`);
  const transport = createMailTransport(env);
  const worker = startOutboxWorker({
    db,
    transport,
    from: env.MAIL_FROM,
    replyTo: env.contactEmail ?? undefined,
    pollMs: env.MAIL_POLL_MS,
    ratePerSecond: env.MAIL_RATE_PER_SECOND,
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
    uploadsDir: env.uploadsDir,
    unsubscribeUrlFor: (email) => unsubscribeUrl(env.appUrl, email),
    onError: (error) => console.error("Outbox worker error:", error),
    onMailServerProblem: (line) => console.error(line),
  });
  // Periodic work (reminders of the Tavoli tecnici, data retention) is registered in scheduled-jobs.server.ts.
  const scheduler = startScheduler(scheduledJobs({ db, appUrl: env.appUrl }));
  // The comuni of REGION, checked at this start: a database may hold more, from an earlier REGION.
  log(`Database: ${env.databasePath} (REGION ${env.regions.join(", ")}: ${seeded.municipalities} comuni in ${seeded.provinces} province)`);
  log(`Email: ${transport.description}`);
  return {
    port: env.PORT,
    host: env.HOST,
    appUrl: env.appUrl,
    trustProxy: env.TRUST_PROXY,
    async stop() {
      scheduler.stop();
      await worker.stop();
      transport.close();
      lock.release();
      closeDb();
    },
  };
}
