// The national-scale dataset of `npm run bench` (issue 7): every Italian comune as a member ente,
// with its history of referenti, SAI projects, 200 round tables, 150,000 invitations and 300,000
// outbox rows, written in a fresh SQLite file migrated with the real migrations.
//
// Bulk inserts go through better-sqlite3 prepared statements in a few large transactions: going
// through the model functions would take many minutes for what a real portal accumulates in years.
import crypto from "node:crypto";
import { asc } from "drizzle-orm";
import { municipalities, roundTables } from "#db/schema";
import { ensureFirstCoordinator } from "~/models/coordinator.server";
import { roundTableEmailInfo } from "~/models/invitation.server";
import { PRIVACY_NOTICE_VERSION } from "~/models/membership.server";
import { seedTerritory } from "~/models/territory.server";
import { migrateDatabase, openDatabase } from "~/utils/db.server";

export const BENCH_ADMIN = { email: "coordinatore.bench@example.org", password: "password-del-benchmark-2026" };
export const BENCH_APP_URL = "http://127.0.0.1";

export const DATASET_SIZE = {
  referentsPerBody: 5,
  projectsPerBody: 2,
  roundTables: 200,
  invitations: 150_000,
  outbox: 300_000,
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** 11 digits whose last one is the check digit of an ente's codice fiscale (app/validation/fiscal-code.ts). */
export function bodyFiscalCode(first10: string) {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(first10[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return first10 + String((10 - (sum % 10)) % 10);
}

const slug = (name: string) =>
  name
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");

const FIRST_NAMES = ["Maria", "Giuseppe", "Anna", "Salvatore", "Francesca", "Antonio", "Giovanna", "Vincenzo", "Rosa", "Giovanni", "Lucia", "Francesco"];
const LAST_NAMES = ["Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Lo Iacono", "D'Angelo"];
const ROLES = ["sindaco", "assessore", "dirigente", "funzionario", "responsabile_sai", "altro"] as const;
const CATEGORIES = ["ordinari", "MSNA", "DM/DS"] as const;
const MANAGERS = ["Cooperativa Sociale Il Faro", "Associazione Accoglienza e Diritti", "Consorzio Solidarietà", "Cooperativa Sociale Nuovi Orizzonti"];

export type DatasetInfo = {
  bodies: number;
  referents: number;
  activeReferents: number;
  membershipRequests: number;
  projects: number;
  roundTables: number;
  invitations: number;
  outbox: number;
  /** A published round table in the future without invitations: the target of the invitation scenario. */
  invitationRoundTableId: number;
  /** The province with the most comuni (ISTAT code), used by the member-list scenario. */
  busiestProvinceCode: string;
  coordinatorId: number;
  generateMs: number;
};

/** Creates the dataset in `file` (which must not exist yet). */
export async function generateNationalDataset(file: string, { now = new Date() }: { now?: Date } = {}): Promise<DatasetInfo> {
  const started = performance.now();
  const db = openDatabase(file);
  const sqlite = db.$client;
  try {
    migrateDatabase(db);
    seedTerritory(db, { regions: ["tutte"] });
    await ensureFirstCoordinator(db, BENCH_ADMIN);
    const coordinatorId = (sqlite.prepare("SELECT id FROM coordinators ORDER BY id LIMIT 1").get() as { id: number }).id;

    const comuni = db
      .select({ code: municipalities.istatCode, name: municipalities.name, provinceCode: municipalities.provinceCode })
      .from(municipalities)
      .orderBy(asc(municipalities.istatCode))
      .all();
    const provinceCounts = new Map<string, number>();
    for (const c of comuni) provinceCounts.set(c.provinceCode, (provinceCounts.get(c.provinceCode) ?? 0) + 1);
    const busiestProvinceCode = [...provinceCounts.entries()].sort((a, b) => b[1] - a[1])[0][0];

    const t = now.getTime();
    // Lighter durability while generating: a crash only loses a temporary file.
    sqlite.pragma("synchronous = OFF");

    // --- enti, referenti, requests, projects -------------------------------------------------
    const insertBody = sqlite.prepare(
      `INSERT INTO member_bodies (id, kind, municipality_code, province_code, name, pec, fiscal_code, status, created_at, updated_at)
       VALUES (?, 'comune', ?, ?, ?, ?, ?, 'member', ?, ?)`,
    );
    const insertReferent = sqlite.prepare(
      `INSERT INTO referents (id, member_body_id, first_name, last_name, role, office, email, phone, mobile,
         privacy_consent_at, privacy_notice_version, email_verified_at, receives_communications, valid_from, valid_to, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    const insertRequest = sqlite.prepare(
      `INSERT INTO membership_requests (id, member_body_id, referent_id, kind, status, no_active_projects, submission,
         confirmed_at, decided_by_id, decided_at, decision_reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertProject = sqlite.prepare(
      `INSERT INTO sai_projects (member_body_id, request_id, category, funded_places, project_code, managing_organization, start_date, end_date, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );

    /** Active referente (id and email) of each ente, by ente id. */
    const active: { bodyId: number; referentId: number; email: string; name: string; bodyName: string }[] = [];
    let referentCount = 0;
    let requestCount = 0;
    let projectCount = 0;
    sqlite.transaction(() => {
      comuni.forEach((c, i) => {
        const bodyId = i + 1;
        const bodyName = `Comune di ${c.name}`;
        const bodySlug = slug(c.name);
        const created = t - (4 * 365 - (i % 300)) * DAY_MS;
        const fiscalCode = bodyFiscalCode(`0${String(bodyId).padStart(9, "0")}`);
        const pec = `protocollo@pec.comune.${bodySlug}.${c.code}.it`;
        insertBody.run(bodyId, c.code, c.provinceCode, bodyName, pec, fiscalCode, created, created);

        // 5 referenti in sequence; normally the 5th is the active one. One ente in 20 has the 4th
        // active and the 5th waiting as a handover request; one in 50 had its 2nd request rejected.
        const activeIndex = i % 20 === 3 ? 3 : 4;
        const rejectedIndex = i % 50 === 7 ? 1 : -1;
        const starts: number[] = [];
        for (let r = 0; r < DATASET_SIZE.referentsPerBody; r++) starts.push(created + r * 260 * DAY_MS);
        let lastApprovedRequest = 0;
        for (let r = 0; r < DATASET_SIZE.referentsPerBody; r++) {
          referentCount++;
          requestCount++;
          const referentId = referentCount;
          const requestId = requestCount;
          const firstName = FIRST_NAMES[(i + r) % FIRST_NAMES.length];
          const lastName = LAST_NAMES[(i * 7 + r) % LAST_NAMES.length];
          const email = `${slug(firstName)}.${slug(lastName)}.${r}@comune.${bodySlug}.${c.code}.it`;
          const submittedAt = Math.min(starts[r] - 3 * DAY_MS, t - 2 * DAY_MS);
          let status: string;
          let validFrom: number | null = null;
          let validTo: number | null = null;
          let decidedAt: number | null = Math.min(starts[r], t - DAY_MS);
          let reason: string | null = null;
          if (r === rejectedIndex) {
            status = "rejected";
            reason = "Il referente indicato non risulta in servizio presso l'ente.";
            // Decided within the retention period of rejected requests.
            decidedAt = t - 30 * DAY_MS;
          } else if (r < activeIndex) {
            status = "superseded";
            validFrom = Math.min(starts[r], t - 3 * DAY_MS);
            validTo = Math.min(starts[r + 1], t - 2 * DAY_MS);
            if (r + 1 === rejectedIndex) validTo = Math.min(starts[r + 2], t - 2 * DAY_MS);
          } else if (r === activeIndex) {
            status = "approved";
            validFrom = Math.min(starts[r], t - DAY_MS);
          } else {
            status = "pending";
            decidedAt = null;
          }
          const phone = `+39091${String(1_000_000 + ((i * 5 + r) % 9_000_000)).padStart(7, "0")}`;
          const role = ROLES[(i + r) % ROLES.length];
          insertReferent.run(
            referentId,
            bodyId,
            firstName,
            lastName,
            role,
            "Servizi sociali",
            email,
            phone,
            r % 2 === 0 ? `+39333${String(1_000_000 + i).padStart(7, "0")}` : null,
            submittedAt,
            PRIVACY_NOTICE_VERSION,
            submittedAt + 3_600_000,
            validFrom,
            validTo,
            submittedAt,
          );
          const submission = {
            bodyKind: "comune",
            municipalityCode: c.code,
            pec,
            fiscalCode,
            firstName,
            lastName,
            role,
            office: "Servizi sociali",
            email,
            phone,
            noActiveProjects: false,
            privacyConsent: true,
            projects: [
              { category: "ordinari", fundedPlaces: 10 + (i % 40), projectCode: `PROG-${i}-PR-1`, managingOrganization: MANAGERS[i % MANAGERS.length], startDate: "2023-01-01", endDate: "2025-12-31" },
            ],
          };
          insertRequest.run(
            requestId,
            bodyId,
            referentId,
            r === 0 ? "new" : "handover",
            status,
            JSON.stringify(submission),
            submittedAt + 3_600_000,
            decidedAt === null ? null : coordinatorId,
            decidedAt,
            reason,
            submittedAt,
            decidedAt ?? submittedAt,
          );
          if (status === "approved") lastApprovedRequest = requestId;
          if (r === activeIndex) active.push({ bodyId, referentId, email, name: `${firstName} ${lastName}`, bodyName });
        }
        for (let p = 0; p < DATASET_SIZE.projectsPerBody; p++) {
          projectCount++;
          insertProject.run(
            bodyId,
            lastApprovedRequest,
            CATEGORIES[(i + p) % CATEGORIES.length],
            10 + ((i * 3 + p * 11) % 50),
            `PROG-${1000 + i}-PR-${p + 1}`,
            MANAGERS[(i + p) % MANAGERS.length],
            "2024-01-01",
            "2026-12-31",
            created,
          );
        }
      });
    })();

    // --- round tables ---------------------------------------------------------------------------
    // 190 in the past (a few cancelled), 10 published in the future, the nearest 10 days ahead (so
    // no reminder falls due while the benchmark runs).
    const insertTable = sqlite.prepare(
      `INSERT INTO round_tables (id, number, title, description, starts_at, ends_at, mode, place, online_url, speakers, status, sequence,
         reminder_days, cancelled_at, created_by_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 2, ?, ?, ?)`,
    );
    const pastTables = DATASET_SIZE.roundTables - 10;
    sqlite.transaction(() => {
      for (let n = 1; n <= DATASET_SIZE.roundTables; n++) {
        const startsAt = n <= pastTables ? t - (pastTables - n + 1) * 7 * DAY_MS : t + (10 + (n - pastTables - 1) * 14) * DAY_MS;
        const mode = n % 5 === 0 ? "ibrido" : "online";
        const status = n <= pastTables && n % 37 === 0 ? "cancelled" : "published";
        insertTable.run(
          n,
          n,
          `Tavolo tecnico n. ${n}: accoglienza integrata, inclusione lavorativa e rete dei servizi territoriali`,
          "Programma: saluti istituzionali; interventi dei relatori sulle prassi di accoglienza e integrazione dei progetti SAI; " +
            "confronto tra gli enti locali partecipanti sulle criticità operative e sulle buone pratiche; conclusioni e prossimi passi.",
          startsAt,
          startsAt + 2 * 3_600_000,
          mode,
          mode === "ibrido" ? "Palermo, Sala delle Lapidi, Piazza Pretoria 1" : null,
          `https://meet.example.org/tavolo-${n}`,
          JSON.stringify([{ name: "N. Grigion", affiliation: "Servizio Centrale SAI" }, { name: "A. Trebeschi", affiliation: "Comune di Brescia" }]),
          status,
          // As cancelRoundTable records it: a week before the meeting.
          status === "cancelled" ? startsAt - 7 * DAY_MS : null,
          coordinatorId,
          startsAt - 30 * DAY_MS,
        );
      }
    })();
    const tables = db.select().from(roundTables).orderBy(asc(roundTables.id)).all();
    const invitationRoundTableId = pastTables + 1;

    // --- invitations and outbox -----------------------------------------------------------------
    const insertInvitation = sqlite.prepare(
      `INSERT INTO invitations (round_table_id, referent_id, email, token_hash, answer, answered_at, attended, notified_sequence, reminded_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    const insertEmail = sqlite.prepare(
      `INSERT INTO outbox (recipient, template, props, category, status, attempts, next_attempt_at, last_error, message_id, subject,
         member_body_id, round_table_id, created_at, sent_at, updated_at)
       VALUES (?, ?, ?, 'service', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const domain = new URL(BENCH_APP_URL).hostname;
    let outboxCount = 0;
    /** 98% sent; the others failed for good (none is due: the server's worker stays idle). */
    const email = (to: string, template: string, props: unknown, subject: string, at: number, bodyId: number | null, tableId: number | null) => {
      outboxCount++;
      const failed = outboxCount % 50 === 0;
      insertEmail.run(
        to,
        template,
        JSON.stringify(props),
        failed ? "failed" : "sent",
        1,
        at,
        failed ? "550 5.1.1 Casella di posta inesistente" : null,
        `<${crypto.randomUUID()}@${domain}>`,
        subject,
        bodyId,
        tableId,
        at,
        failed ? null : at + 2_000,
        at + 2_000,
      );
    };

    const perTable = Math.ceil(DATASET_SIZE.invitations / pastTables);
    let invitationCount = 0;
    sqlite.transaction(() => {
      for (let n = 1; n <= pastTables && invitationCount < DATASET_SIZE.invitations; n++) {
        const rt = tables[n - 1];
        const info = roundTableEmailInfo(rt);
        const at = rt.startsAt.getTime() - 14 * DAY_MS;
        const offset = (n * 977) % active.length;
        const count = Math.min(perTable, DATASET_SIZE.invitations - invitationCount);
        for (let k = 0; k < count; k++) {
          const a = active[(offset + k) % active.length];
          const token = crypto.randomBytes(32).toString("base64url");
          const answer = k % 3 === 0 ? "yes" : k % 3 === 1 ? "pending" : "no";
          insertInvitation.run(
            rt.id,
            a.referentId,
            a.email,
            crypto.createHash("sha256").update(token).digest("hex"),
            answer,
            answer === "pending" ? null : at + DAY_MS,
            answer === "yes" ? (k % 2 === 0 ? 1 : 0) : null,
            // Those who said yes or have not answered had the reminder (below).
            answer === "no" ? null : rt.startsAt.getTime() - 2 * DAY_MS,
            at,
          );
          invitationCount++;
          const base = { recipientName: a.name, recipientEmail: a.email, appUrl: BENCH_APP_URL, roundTable: info };
          email(a.email, "round-table-invitation", { ...base, answerUrl: `${BENCH_APP_URL}/invito/${token}` }, `Invito: ${rt.title}`, at, a.bodyId, rt.id);
          // A reminder to those who said yes or have not answered.
          if (answer !== "no") {
            email(
              a.email,
              "round-table-reminder",
              { ...base, answer, answerUrl: `${BENCH_APP_URL}/invito/${token}` },
              `Promemoria: ${rt.title}`,
              rt.startsAt.getTime() - 2 * DAY_MS,
              a.bodyId,
              rt.id,
            );
          }
        }
      }
      // The rest: confirmation and approval emails of the membership requests, oldest first.
      const requests = sqlite
        .prepare(
          `SELECT mr.id, mr.member_body_id, mr.created_at, mr.status, r.email, r.first_name, mb.name
           FROM membership_requests mr JOIN referents r ON r.id = mr.referent_id JOIN member_bodies mb ON mb.id = mr.member_body_id
           ORDER BY mr.id`,
        )
        .all() as { id: number; member_body_id: number; created_at: number; status: string; email: string; first_name: string; name: string }[];
      let k = 0;
      while (outboxCount < DATASET_SIZE.outbox) {
        const r = requests[k % requests.length];
        const confirm = Math.floor(k / requests.length) % 2 === 0;
        email(
          r.email,
          confirm ? "confirm-registration" : "membership-approved",
          confirm
            ? { firstName: r.first_name, bodyName: r.name, confirmUrl: `${BENCH_APP_URL}/adesione/conferma/${crypto.randomBytes(32).toString("base64url")}`, expiresOn: "01/01/2026", isHandover: false }
            : { firstName: r.first_name, bodyName: r.name, isHandover: false, referentAreaUrl: `${BENCH_APP_URL}/area-referente` },
          confirm ? "Conferma il tuo indirizzo email" : "Adesione approvata",
          r.created_at,
          r.member_body_id,
          null,
        );
        k++;
      }
    })();

    // No ANALYZE: the portal never runs it, so the query plans here are the ones production gets.
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    return {
      bodies: comuni.length,
      referents: referentCount,
      activeReferents: active.length,
      membershipRequests: requestCount,
      projects: projectCount,
      roundTables: tables.length,
      invitations: invitationCount,
      outbox: outboxCount,
      invitationRoundTableId,
      busiestProvinceCode,
      coordinatorId,
      generateMs: Math.round(performance.now() - started),
    };
  } finally {
    sqlite.close();
  }
}
