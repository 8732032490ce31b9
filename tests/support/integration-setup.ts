import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

// Every test file gets its own SQLite file, migrated with the real migrations and seeded like a start.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sai-test-"));
process.env.NODE_ENV = "test";
process.env.DATA_DIR = dataDir;
process.env.DATABASE_PATH = path.join(dataDir, `test-${crypto.randomUUID()}.db`);
process.env.APP_URL = "http://portale.test";
process.env.REGION = "Sicilia";
delete process.env.SMTP_URL;
delete process.env.SESSION_SECRET;

const { closeDb, getDb, migrateDatabase } = await import("~/utils/db.server");
const { seedTerritory } = await import("~/models/territory.server");
const { ensureSessionSecret } = await import("~/utils/secrets.server");
const { ensureFirstCoordinator } = await import("~/models/coordinator.server");

closeDb();
const db = getDb();
migrateDatabase(db);
seedTerritory(db, { regions: ["Sicilia"] });
ensureSessionSecret(db);
await ensureFirstCoordinator(db, { email: "coordinatore@example.org", password: "password-di-prova-123" });

afterAll(() => {
  closeDb();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
