import crypto from "node:crypto";
import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import {
  memberBodies,
  membershipRequests,
  municipalities,
  provinces,
  referents,
  saiProjects,
  type MemberBodyKind,
  type MembershipStatus,
} from "#db/schema";
import type { Db, Tx } from "~/utils/db.server";
import { notAwaitingApproval } from "./sai-project.server";
import { nextTurn, ROWS_PER_TURN } from "~/utils/event-loop.server";
import { displayPhone } from "~/utils/phone-display.server";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS } from "~/validation/labels";
import { projectColumnKey, type BaseColumnKey, type ProjectFieldKey, type RowStatus } from "~/validation/member-import";
import { forBody, ofBody, theBody } from "~/utils/text";
import { registrationSchema, type Registration } from "~/validation/registration";
import {
  ALLOWED_CATEGORIES,
  ALLOWED_KINDS,
  ALLOWED_ROLES,
  CATEGORY_ALIASES,
  codeDigits,
  compactKey,
  defaultLabel,
  fixPhone,
  italianDay,
  KIND_ALIASES,
  ROLE_ALIASES,
  toIntegerText,
  toIsoDate,
  type ImportRow,
} from "./member-import-file.server";

// Import of the member list that ANCI kept by hand (issue 9): parse an .xlsx or .csv file, preview
// what each row would do (new / update / duplicate / error, with Italian reasons per cell, using the
// validation of the online scheda), then write every valid row in one transaction.
//
// Matching: a Comune by its ISTAT code (or by its name, ignoring case, accents, apostrophes and
// spaces), any other ente by its codice fiscale; the referente by email within the ente. A row equal
// to what is stored is a duplicate and writes nothing, so importing the same file twice is a no-op.
// A row for a known ente with the same referente updates the data (ente, referente, projects: new
// projects are added, matching ones updated, none removed). A different referente for an ente that
// already has one (or has a request in progress) is an error: that is a handover, done with the scheda.

export type CellError = { key: string; column: string; value: string; message: string };

export type PreviewRow = {
  line: number;
  /** The sheet of the row, when the workbook has several sheets of rows. */
  sheet?: string;
  status: RowStatus;
  body: string;
  kind: string;
  referent: string;
  email: string;
  projects: number;
  errors: CellError[];
  /** For updates: what would change, in Italian. */
  changes: string[];
};

export type ImportCounts = Record<RowStatus, number> & { total: number };

export type ImportPreview = {
  rows: PreviewRow[];
  counts: ImportCounts;
  /** The adesioni the import would create (new enti, and known enti with a new referente): they need a status. */
  newMemberships: number;
  digest: string;
};

// ---------------------------------------------------------------------------------------------
// Reference data, loaded once per preview or import

type Comune = { istatCode: string; name: string; sigla: string; provinceCode: string };
type Body = typeof memberBodies.$inferSelect;
type Referent = typeof referents.$inferSelect;
type Project = typeof saiProjects.$inferSelect;
type KnownReferent = { referent: Referent; requestId: number | null; requestStatus: MembershipStatus | null };

type Reference = {
  /** Province codes by sigla and by name (compactKey). */
  provincesByKey: Map<string, string>;
  /** Province names by code, to show a change of province. */
  provinceNames: Map<string, string>;
  comuniByCode: Map<string, Comune>;
  comuniByName: Map<string, Comune[]>;
  bodiesByComune: Map<string, Body>;
  bodiesByFiscalCode: Map<string, Body>;
  knownReferents: Map<number, KnownReferent[]>;
  activeBodiesByEmail: Map<string, { id: number; name: string }[]>;
  /** Open projects by ente; `counted`: the ente's own, not those of a scheda awaiting approval. */
  openProjects: Map<number, (Project & { counted: boolean })[]>;
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function loadReference(db: Db | Tx): Reference {
  const comuni = db
    .select({ istatCode: municipalities.istatCode, name: municipalities.name, sigla: provinces.sigla, provinceCode: provinces.code })
    .from(municipalities)
    .innerJoin(provinces, eq(provinces.code, municipalities.provinceCode))
    .all();
  const provincesByKey = new Map<string, string>();
  const provinceNames = new Map<string, string>();
  for (const p of db.select({ code: provinces.code, sigla: provinces.sigla, name: provinces.name }).from(provinces).all()) {
    provinceNames.set(p.code, p.name);
    for (const key of [p.sigla, p.name, ...p.name.split("/")].map(compactKey)) if (key) provincesByKey.set(key, p.code);
  }
  const comuniByCode = new Map<string, Comune>();
  const comuniByName = new Map<string, Comune[]>();
  for (const c of comuni) {
    comuniByCode.set(c.istatCode, c);
    const keys = new Set([compactKey(c.name), ...c.name.split("/").map(compactKey)]);
    for (const key of keys) if (key) push(comuniByName, key, c);
  }

  const bodies = db.select().from(memberBodies).all();
  const bodiesByComune = new Map<string, Body>();
  const bodiesByFiscalCode = new Map<string, Body>();
  for (const b of bodies) {
    if (b.kind === "comune" && b.municipalityCode) bodiesByComune.set(b.municipalityCode, b);
    bodiesByFiscalCode.set(b.fiscalCode, b);
  }

  // The referenti an ente has now: the active one and those of requests in progress.
  const knownReferents = new Map<number, KnownReferent[]>();
  const seen = new Set<number>();
  const withRequests = db
    .select({ referent: referents, requestId: membershipRequests.id, requestStatus: membershipRequests.status })
    .from(membershipRequests)
    .innerJoin(referents, eq(referents.id, membershipRequests.referentId))
    .where(inArray(membershipRequests.status, ["email_unverified", "pending", "approved"]))
    .all();
  for (const r of withRequests) {
    seen.add(r.referent.id);
    push(knownReferents, r.referent.memberBodyId, r);
  }
  const active = db
    .select()
    .from(referents)
    .where(and(isNotNull(referents.validFrom), isNull(referents.validTo)))
    .all();
  for (const referent of active) {
    if (!seen.has(referent.id)) push(knownReferents, referent.memberBodyId, { referent, requestId: null, requestStatus: null });
  }
  // Whose referente an address already is: one person may be referente of a Comune and of its Unione.
  const namesById = new Map(bodies.map((b) => [b.id, b.name]));
  const activeBodiesByEmail = new Map<string, { id: number; name: string }[]>();
  for (const referent of active) push(activeBodiesByEmail, referent.email.toLowerCase(), { id: referent.memberBodyId, name: namesById.get(referent.memberBodyId) ?? "" });

  // The projects of a scheda are stored with the ente but are not the ente's until it is approved
  // (decision 012): a row is compared with the ente's own, and with those of its own request.
  const openProjects = new Map<number, (Project & { counted: boolean })[]>();
  for (const { project, counted } of db
    .select({ project: saiProjects, counted: notAwaitingApproval().mapWith(Boolean) })
    .from(saiProjects)
    .where(isNull(saiProjects.closedAt))
    .all()) {
    push(openProjects, project.memberBodyId, { ...project, counted });
  }

  return { provincesByKey, provinceNames, comuniByCode, comuniByName, bodiesByComune, bodiesByFiscalCode, knownReferents, activeBodiesByEmail, openProjects };
}

/** Why a row cannot give an ente a referente other than the ones it has (active or in progress), or null. */
function referentConflict(body: Body, known: KnownReferent[]) {
  if (known.length === 0) return null;
  const current = [...new Set(known.map((k) => k.referent.email))].join(", ");
  const inProgress = known.every((k) => k.requestStatus === "email_unverified" || k.requestStatus === "pending");
  return inProgress
    ? `${forBody(body.name).replace(/^p/, "P")} c'è già una richiesta di adesione in corso con un altro referente (${current}): decidila prima in Adesioni`
    : `${theBody(body.name)} ha già un referente (${current}): il cambio di referente si fa con la scheda di subentro, non con l'importazione`;
}

/** «Comune di Trapani», the way a Comune's denominazione is written. */
const COMUNE_NAME = /^\s*comune\s+d[i']/i;

/** The kind of ente a denominazione starts with («Unione dei Comuni …», «Libero Consorzio …»), or null. */
function kindOfName(name: string): MemberBodyKind | null {
  const words = compactKey(name);
  let best: { kind: MemberBodyKind; length: number } | null = null;
  for (const [alias, kind] of KIND_ALIASES) {
    if (kind === "altro" || kind === "comune" || alias.length < 6 || !words.startsWith(alias)) continue;
    if (!best || alias.length > best.length) best = { kind, length: alias.length };
  }
  return best?.kind ?? null;
}

/** «S.», «S.ta», «SS.» before a name: San/Santo/Santa/Sant', Santa, Santi/Santissimo. */
const SAINT_ABBREVIATION = /^(ss|s\.?ta|s)(?:\.\s*|\s+)(?=\S)/i;

type ComuneLookup = { ok: true; comune: Comune } | { ok: false; message: string };

/** A comune by ISTAT code or by name; "Castro (LE)" picks among homonyms. */
function findComune(ref: Reference, value: string): ComuneLookup {
  const code = value.replace(/[\s.]/g, "");
  if (/^\d{1,6}$/.test(code)) {
    const comune = ref.comuniByCode.get(code.padStart(6, "0"));
    return comune
      ? { ok: true, comune }
      : { ok: false, message: `Codice ISTAT ${code.padStart(6, "0")} non trovato tra i comuni del portale: controllalo` };
  }
  let name = value.replace(/^comune di\s+/i, "");
  let sigla: string | null = null;
  const withSigla = name.match(/^(.*?)\s*\(\s*([A-Za-z]{2})\s*\)$/);
  if (withSigla) {
    name = withSigla[1];
    sigla = withSigla[2].toUpperCase();
  }
  let found = ref.comuniByName.get(compactKey(name)) ?? [];
  // «S. Agata di Militello», «S.ta Flavia», «SS. Salvatore»: the abbreviations of old lists.
  const abbreviated = found.length === 0 ? name.match(SAINT_ABBREVIATION) : null;
  if (abbreviated) {
    const rest = compactKey(name.slice(abbreviated[0].length));
    const words = /^ss/i.test(abbreviated[1]) ? ["santi", "santissimo", "santissima"] : /^s\.?ta$/i.test(abbreviated[1]) ? ["santa"] : ["san", "santo", "santa", "sant", "santi"];
    found = [...new Set(words.flatMap((w) => ref.comuniByName.get(w + rest) ?? []))];
  }
  if (sigla) found = found.filter((c) => c.sigla === sigla);
  if (found.length === 1) return { ok: true, comune: found[0] };
  if (found.length > 1) {
    const options = found.map((c) => `${c.name} (${c.sigla})`).join(", ");
    return { ok: false, message: `Ci sono più comuni con questo nome (${options}): indica il codice ISTAT o la sigla della provincia, ad esempio «${found[0].name} (${found[0].sigla})»` };
  }
  return { ok: false, message: `Comune non trovato: controlla il nome o indica il codice ISTAT a 6 cifre` };
}

// ---------------------------------------------------------------------------------------------
// Classification

export type ProjectValues = Registration["projects"][number];
type BodyChanges = Partial<Pick<Body, "pec" | "fiscalCode" | "name" | "kind" | "provinceCode">>;
type ReferentChanges = Partial<Pick<Referent, "firstName" | "lastName" | "role" | "office" | "phone" | "mobile">>;

export type RowPlan = PreviewRow & {
  registration?: Registration;
  /** The ente's name as stored: "Comune di …" or the denominazione. */
  bodyName?: string;
  /** The province of a new ente: its comune's, or the one the row names. */
  provinceCode?: string;
  existingBodyId?: number;
  bodyChanges?: BodyChanges;
  /** Set when the row's referente is already the ente's (data to update); unset: a new membership. */
  referentMatch?: { referentId: number; requestId: number | null; changes: ReferentChanges };
  projectAdds?: ProjectValues[];
  projectUpdates?: { id: number; values: Partial<ProjectValues>; before: Partial<ProjectValues> }[];
  /** The stored values of the ente and referente the row changes, and what it writes instead (for the log). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
};

const BASE_SCHEMA_PATHS: Record<string, BaseColumnKey> = { municipalityCode: "municipality", provinceCode: "province" };

function changedFields<T extends Record<string, unknown>>(current: T, next: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const [key, value] of Object.entries(next) as [keyof T, T[keyof T]][]) {
    if ((current[key] ?? null) !== (value ?? null)) changes[key] = value;
  }
  return changes;
}

/**
 * Open projects matched by codice progetto; a project without a code (in the file or stored) by
 * tipologia, ente attuatore and data di inizio, so that a project extended or given more places is
 * updated and not added again (decision 032). Of two such candidates the one with the same end date wins.
 */
function diffProjects(existing: Project[], wanted: ProjectValues[]) {
  const free = [...existing];
  const adds: ProjectValues[] = [];
  const updates: { id: number; values: Partial<ProjectValues>; before: Partial<ProjectValues>; group: number }[] = [];
  const take = (predicate: (p: Project) => boolean) => {
    const i = free.findIndex(predicate);
    return i >= 0 ? free.splice(i, 1)[0] : undefined;
  };
  wanted.forEach((w, index) => {
    // A project without a code in the file keeps the code stored for it.
    if (!w.projectCode) w = { ...w, projectCode: undefined };
    const code = w.projectCode ? compactKey(w.projectCode) : null;
    const sameProject = (p: Project) =>
      (!p.projectCode || !code) &&
      p.category === w.category &&
      p.startDate === w.startDate &&
      compactKey(p.managingOrganization) === compactKey(w.managingOrganization);
    const match =
      (code ? take((p) => !!p.projectCode && compactKey(p.projectCode) === code) : undefined) ??
      take((p) => sameProject(p) && p.endDate === w.endDate) ??
      take(sameProject);
    if (!match) {
      adds.push(w);
      return;
    }
    const stored = {
      category: match.category,
      fundedPlaces: match.fundedPlaces,
      projectCode: match.projectCode ?? undefined,
      managingOrganization: match.managingOrganization,
      startDate: match.startDate,
      endDate: match.endDate,
    } as ProjectValues;
    const changes = changedFields(stored, w);
    if (!w.projectCode) delete changes.projectCode;
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, stored[k as keyof ProjectValues]])) as Partial<ProjectValues>;
    if (Object.keys(changes).length) updates.push({ id: match.id, values: changes, before, group: index });
  });
  return { adds, updates };
}

const FIELD_WORDS: Partial<Record<string, string>> = {
  fundedPlaces: "posti finanziati",
  projectCode: "codice progetto",
  managingOrganization: "ente attuatore",
  startDate: "data di inizio",
  endDate: "data di fine",
  category: "tipologia",
};

/** A stored or imported value as the preview shows it in «da … a …». */
function shownValue(ref: Reference, field: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "(vuoto)";
  const text = String(value);
  let shown = text;
  if (field === "phone" || field === "mobile") shown = displayPhone(text) ?? text;
  else if (field === "role") shown = REFERENT_ROLE_LABELS[text as keyof typeof REFERENT_ROLE_LABELS] ?? text;
  else if (field === "kind") shown = MEMBER_BODY_KIND_LABELS[text as MemberBodyKind] ?? text;
  else if (field === "provinceCode") shown = ref.provinceNames.get(text) ?? text;
  else if (field === "startDate" || field === "endDate") shown = /^\d{4}-\d{2}-\d{2}$/.test(text) ? italianDay(text) : text;
  return `«${shown}»`;
}

type Place = { line: number; sheet?: string };

/** Where an earlier row is: "alla riga 4", or "alla riga 4 del foglio «Unioni»" in a workbook of several sheets. */
const atRow = ({ line, sheet }: Place) => (sheet ? `alla riga ${line} del foglio «${sheet}»` : `alla riga ${line}`);

const sameEnteInFile = (place: Place) =>
  `Lo stesso ente è già ${atRow(place)}${place.sheet ? "" : " del file"}: unisci le due righe (gli altri progetti vanno nelle colonne «Progetto 2», «Progetto 3»…)`;

/**
 * What each row would do, one row at a time and in the file's order: a row is judged against the
 * stored data and against the rows before it (the same ente or codice fiscale twice in one file).
 */
function rowClassifier(ref: Reference, fileLabels: Record<string, string> = {}) {
  const label = (key: string) => fileLabels[key] ?? defaultLabel(key);
  // A file read from an upload names its columns; a cell to fill in a column it does not have is said so.
  const missingColumn = (key: string) => Object.keys(fileLabels).length > 0 && !(key in fileLabels);
  const entiInFile = new Map<string, Place>();
  const fiscalCodesInFile = new Map<string, Place & { ente: string }>();
  const emailsInFile = new Map<string, Place>();

  return (row: ImportRow): RowPlan => {
    const v = (key: string) => row.values[key] ?? "";
    const errors: CellError[] = [];
    const addError = (key: string, message: string) => {
      if (errors.some((e) => e.key === key)) return;
      if (missingColumn(key)) message = `Nel file manca la colonna «${label(key)}», che serve per questa riga: ${message}`;
      errors.push({ key, column: label(key), value: v(key), message });
    };

    // Project groups present in the row, in the file's order.
    const groups = new Set<number>();
    for (const key of Object.keys(row.values)) {
      const m = key.match(/^p(\d+)\./);
      if (m && row.values[key] !== "") groups.add(Number(m[1]));
    }
    const projectGroups = [...groups].sort((a, b) => a - b);

    // Cells as the scheda's form would post them.
    const kindText = v("bodyKind");
    let bodyKind: string = kindText ? (KIND_ALIASES.get(compactKey(kindText)) ?? kindText) : "";
    // Without a Tipo di ente: a Comune when the Comune is given (and the denominazione, if any, is a
    // Comune's), or when the denominazione is «Comune di …»; else the kind the denominazione starts with.
    let comuneKey = "municipality";
    if (!bodyKind) {
      const name = v("bodyName");
      if (v("municipality") && (!name || COMUNE_NAME.test(name))) bodyKind = "comune";
      else if (!v("municipality") && COMUNE_NAME.test(name)) {
        bodyKind = "comune";
        comuneKey = "bodyName";
      } else bodyKind = kindOfName(name) ?? "";
    }
    let municipalityCode = "";
    let comune: Comune | undefined;
    if (bodyKind === "comune") {
      if (!v(comuneKey)) addError("municipality", "Indica il Comune: il codice ISTAT o il nome");
      else {
        const found = findComune(ref, v(comuneKey));
        if (found.ok) {
          comune = found.comune;
          municipalityCode = comune.istatCode;
        } else addError(comuneKey, found.message);
      }
    }
    // A Comune's province is its comune's; the others name theirs by sigla or name.
    let provinceCode = "";
    if (bodyKind !== "comune" && v("province")) {
      provinceCode = ref.provincesByKey.get(compactKey(v("province"))) ?? "";
      if (!provinceCode) addError("province", `«${v("province")}» non è una provincia: indica la sigla (ad esempio PA) o il nome`);
    }
    const roleText = v("role");
    const input = {
      bodyKind,
      municipalityCode,
      bodyName: bodyKind === "comune" ? "" : v("bodyName"),
      provinceCode,
      pec: v("pec"),
      fiscalCode: codeDigits(v("fiscalCode"), 11),
      firstName: v("firstName"),
      lastName: v("lastName"),
      role: roleText ? (ROLE_ALIASES.get(compactKey(roleText)) ?? roleText) : "",
      office: v("office"),
      email: v("email"),
      phone: fixPhone(v("phone")),
      mobile: fixPhone(v("mobile")),
      noActiveProjects: projectGroups.length === 0 ? "on" : "",
      projects: projectGroups.map((g) => {
        const p = (field: ProjectFieldKey) => v(projectColumnKey(g, field));
        return {
          category: p("category") ? (CATEGORY_ALIASES.get(compactKey(p("category"))) ?? p("category")) : "",
          fundedPlaces: toIntegerText(p("fundedPlaces")),
          projectCode: p("projectCode"),
          managingOrganization: p("managingOrganization"),
          startDate: toIsoDate(p("startDate")),
          endDate: toIsoDate(p("endDate")),
        };
      }),
      // The coordinator imports schede whose referenti accepted the notice on paper.
      privacyConsent: "on",
    };

    const parsed = registrationSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, index, field] = issue.path;
        let key: string;
        if (first === "projects" && typeof index === "number" && typeof field === "string") key = projectColumnKey(projectGroups[index], field as ProjectFieldKey);
        else if (first === "projects") key = projectColumnKey(projectGroups[0] ?? 1, "category");
        else key = BASE_SCHEMA_PATHS[String(first)] ?? String(first);
        if ((key === "municipality" || key === "province") && errors.some((e) => e.key === key)) continue;
        let message = issue.message;
        if (key === "bodyKind")
          message = kindText ? `«${kindText}» non è un tipo di ente: usa ${ALLOWED_KINDS}` : `Indica il tipo di ente: ${ALLOWED_KINDS}`;
        else if (key === "role") message = roleText ? `«${roleText}» non è un ruolo: usa ${ALLOWED_ROLES}` : `Indica il ruolo: ${ALLOWED_ROLES}`;
        else if (key.endsWith(".category"))
          message = v(key) ? `«${v(key)}» non è una tipologia: usa ${ALLOWED_CATEGORIES}` : `Indica la tipologia del progetto: ${ALLOWED_CATEGORIES}`;
        else if (key === "municipality" && bodyKind === "comune") message = "Indica il Comune: il codice ISTAT o il nome";
        else if (key === "province") message = "Indica la provincia in cui ha sede l'ente: la sigla (ad esempio PA) o il nome";
        addError(key, message);
      }
    }

    const display = {
      body: comune
        ? `Comune di ${comune.name} (${comune.sigla})`
        : v("bodyName") || (v("municipality") ? `Comune: ${v("municipality")}` : "—"),
      kind: MEMBER_BODY_KIND_LABELS[bodyKind as MemberBodyKind] ?? (kindText || "—"),
      referent: [v("firstName"), v("lastName")].filter(Boolean).join(" ") || "—",
      email: v("email"),
      projects: projectGroups.length,
    };
    const place: Place = row.sheet ? { line: row.line, sheet: row.sheet } : { line: row.line };
    const base = { ...place, ...display, changes: [] as string[] };
    if (!parsed.success || errors.length) {
      // Said now too, not only once the other cells are fixed: a Comune that already has another referente.
      const recorded = comune ? ref.bodiesByComune.get(comune.istatCode) : undefined;
      const email = v("email").trim().toLowerCase();
      const known = recorded ? (ref.knownReferents.get(recorded.id) ?? []) : [];
      const conflict = recorded && email && !known.some((k) => k.referent.email === email) ? referentConflict(recorded, known) : null;
      if (conflict) addError("email", conflict);
      // And a Comune already on an earlier row of the file, whose fix is to merge the rows.
      const enteLine = comune ? entiInFile.get(`c:${comune.istatCode}`) : undefined;
      if (enteLine !== undefined) addError("municipality", sameEnteInFile(enteLine));
      return { ...base, status: "error", errors };
    }

    const r = parsed.data;
    const bodyName = comune ? `Comune di ${comune.name}` : r.bodyName!;

    // The same ente twice in the file, or one codice fiscale for two enti.
    const enteKey = r.bodyKind === "comune" ? `c:${r.municipalityCode}` : `f:${r.fiscalCode}`;
    const enteLine = entiInFile.get(enteKey);
    if (enteLine !== undefined) {
      addError(r.bodyKind === "comune" ? "municipality" : "bodyName", sameEnteInFile(enteLine));
      return { ...base, status: "error", errors };
    }
    const cfInFile = fiscalCodesInFile.get(r.fiscalCode);
    if (cfInFile && cfInFile.ente !== enteKey) {
      addError("fiscalCode", `Lo stesso codice fiscale è indicato ${atRow(cfInFile)} per un altro ente: controllalo`);
      return { ...base, status: "error", errors };
    }

    // The ente in the database.
    const byFiscalCode = ref.bodiesByFiscalCode.get(r.fiscalCode);
    const body = r.bodyKind === "comune" ? ref.bodiesByComune.get(r.municipalityCode!) : byFiscalCode;
    if (byFiscalCode && byFiscalCode !== body) {
      addError(
        "fiscalCode",
        body
          ? `Questo codice fiscale appartiene a un altro ente già registrato (${byFiscalCode.name}): controllalo`
          : `Questo codice fiscale è già registrato ${forBody(byFiscalCode.name)}: controllalo`,
      );
    } else if (body && r.bodyKind !== "comune" && body.kind === "comune") {
      addError("bodyKind", `Questo codice fiscale è registrato per il ${body.name}: controlla il tipo di ente o il codice fiscale`);
    }
    if (errors.length) return { ...base, status: "error", errors };
    entiInFile.set(enteKey, place);
    fiscalCodesInFile.set(r.fiscalCode, { ...place, ente: enteKey });

    // Not an error (a dirigente may be referente of a Comune and of its Unione), but often a slip:
    // the person then gets one invitation for both enti.
    const sameAddressLine = emailsInFile.get(r.email);
    const otherBody = ref.activeBodiesByEmail.get(r.email)?.find((b) => b.id !== body?.id);
    const sharedAddress =
      sameAddressLine !== undefined
        ? [`Attenzione: lo stesso indirizzo email è ${atRow(sameAddressLine)} per un altro ente, e la stessa persona sarà referente di entrambi`]
        : otherBody
          ? [`Attenzione: questo indirizzo email è già del referente ${ofBody(otherBody.name)}, e la stessa persona sarà referente di entrambi gli enti`]
          : [];
    if (sameAddressLine === undefined) emailsInFile.set(r.email, place);

    if (!body) {
      const changes = sharedAddress.length ? ["Nuovo ente con il suo referente", ...sharedAddress] : [];
      return { ...base, changes, status: "new", errors, registration: r, bodyName, provinceCode: comune?.provinceCode ?? r.provinceCode, projectAdds: r.projects, projectUpdates: [] };
    }

    const bodyChanges = changedFields(body, {
      pec: r.pec,
      fiscalCode: r.fiscalCode,
      ...(body.kind === "comune" ? {} : { name: bodyName, kind: r.bodyKind, provinceCode: r.provinceCode }),
    });
    const known = ref.knownReferents.get(body.id) ?? [];
    const match = known.find((k) => k.referent.email === r.email);
    const conflict = match ? null : referentConflict(body, known);
    if (conflict) {
      addError("email", conflict);
      return { ...base, status: "error", errors };
    }

    const comparable = (ref.openProjects.get(body.id) ?? []).filter((p) => p.counted || (match?.requestId != null && p.requestId === match.requestId));
    const { adds, updates } = diffProjects(comparable, r.projects);
    const changes: string[] = [];
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    // Each change as «Cambia <column>: da «old» a «new»», so the coordinator sees what is overwritten.
    const describe = (stored: Record<string, unknown>, next: Record<string, unknown>, columnOf: (k: string) => string) =>
      Object.keys(next).map((k) => {
        const logKey = k === "name" ? "bodyName" : k === "kind" ? "bodyKind" : k;
        before[logKey] = stored[k] ?? null;
        after[logKey] = next[k] ?? null;
        return `Cambia ${columnOf(k)}: da ${shownValue(ref, k, stored[k])} a ${shownValue(ref, k, next[k])}`;
      });
    const describeBody = describe(body, bodyChanges, (k) =>
      k === "name" ? label("bodyName") : k === "kind" ? label("bodyKind") : k === "provinceCode" ? label("province") : label(k),
    );
    let referentMatch: RowPlan["referentMatch"];
    if (match) {
      // An optional cell left empty, or a column the file does not have, leaves the stored value alone.
      const referentChanges = changedFields(match.referent, {
        firstName: r.firstName,
        lastName: r.lastName,
        role: r.role,
        office: r.office,
        phone: r.phone,
        ...(r.mobile ? { mobile: r.mobile } : {}),
      });
      referentMatch = { referentId: match.referent.id, requestId: match.requestId, changes: referentChanges };
      changes.push(...describeBody, ...describe(match.referent, referentChanges, label));
    } else {
      changes.push(`Nuova adesione per un ente già registrato (${body.name})`);
      changes.push(...describeBody);
      changes.push(...sharedAddress);
    }
    if (adds.length) changes.push(adds.length === 1 ? "Aggiunge 1 progetto" : `Aggiunge ${adds.length} progetti`);
    for (const u of updates) {
      const group = projectGroups[u.group];
      const fields = Object.entries(u.values).map(
        ([k, value]) => `${FIELD_WORDS[k] ?? k} da ${shownValue(ref, k, u.before[k as keyof ProjectValues])} a ${shownValue(ref, k, value)}`,
      );
      changes.push(`Progetto ${group}: cambia ${fields.join(", ")}`);
    }
    if (changes.length === 0) {
      // A row without projects leaves the ente's own as they are: it does not say «no projects».
      const unchanged =
        r.projects.length === 0 && comparable.length > 0
          ? "Nessuna modifica: ente e referente sono già registrati così; i progetti dell'ente restano come sono"
          : "Nessuna modifica: ente, referente e progetti sono già registrati così";
      return { ...base, status: "duplicate", errors, changes: [unchanged] };
    }
    return {
      ...base,
      status: "update",
      errors,
      changes,
      registration: r,
      bodyName,
      existingBodyId: body.id,
      bodyChanges,
      referentMatch,
      projectAdds: adds,
      projectUpdates: updates.map(({ id, values, before }) => ({ id, values, before })),
      before,
      after,
    };
  };
}

export function classifyRows(ref: Reference, rows: ImportRow[], fileLabels: Record<string, string> = {}): RowPlan[] {
  return rows.map(rowClassifier(ref, fileLabels));
}

export function countRows(plans: PreviewRow[]): ImportCounts {
  const counts: ImportCounts = { new: 0, update: 0, duplicate: 0, error: 0, total: plans.length };
  for (const p of plans) counts[p.status]++;
  return counts;
}

/** Whether importing the row creates an adesione (a referente with a request), which needs a status. */
export const createsMembership = (plan: RowPlan) => (plan.status === "new" || plan.status === "update") && !plan.referentMatch;

/** Fingerprint of what the preview showed: the import refuses to run if the rows would now do otherwise. */
export function digestOf(plans: PreviewRow[]) {
  const hash = crypto.createHash("sha256");
  for (const p of plans) hash.update(`${p.sheet ?? ""}:${p.line}:${p.status}:${p.changes.join("|")}\n`);
  return hash.digest("hex");
}

export const toPreviewRow = ({ line, sheet, status, body, kind, referent, email, projects, errors, changes }: RowPlan): PreviewRow => ({
  line,
  ...(sheet ? { sheet } : {}),
  status,
  body,
  kind,
  referent,
  email,
  projects,
  errors,
  changes,
});

/**
 * What importing the rows would do, row by row; writes nothing. The rows are judged 500 at a time,
 * letting other requests through in between: a national list of 8,000 rows takes over a second.
 * The stored data is read once, first; the import checks the preview's digest again in its own
 * transaction, so a change in between is caught there.
 */
export async function previewImport(db: Db, { rows, labels }: { rows: ImportRow[]; labels?: Record<string, string> }): Promise<ImportPreview> {
  const classify = rowClassifier(loadReference(db), labels);
  const plans: RowPlan[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % ROWS_PER_TURN === 0) await nextTurn();
    plans.push(classify(rows[i]));
  }
  const previewRows = plans.map(toPreviewRow);
  return {
    rows: previewRows,
    counts: countRows(previewRows),
    newMemberships: plans.filter(createsMembership).length,
    digest: digestOf(previewRows),
  };
}

