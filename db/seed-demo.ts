// Demo content: the historical Tavoli tecnici of the Coordinamento (SPEC §8, from the public page of
// the COOPERA project), with the only material links that page gives. No personal data beyond the
// speakers' initials as published. Idempotent: running it again changes nothing.
//
//   npm run seed:demo
import { pathToFileURL } from "node:url";
import { and, eq, isNull } from "drizzle-orm";
import { materials, roundTables } from "./schema";
import { recordAudit } from "../app/models/audit.server";
import { getDb, migrateDatabase, type Db } from "../app/utils/db.server";
import { parseRomeLocal } from "../app/utils/rome-time";

type DemoMaterial = { kind: "video" | "documento"; title: string; url: string; curatedBy?: string };
type DemoRoundTable = {
  number: number | null;
  title: string;
  description: string;
  start: string;
  end: string;
  mode: "online" | "in_presenza" | "ibrido";
  place?: string;
  speakers: { name: string; affiliation?: string }[];
  materials: DemoMaterial[];
};

// Times are Europe/Rome; where the page gives none, 15:00-17:00.
export const DEMO_ROUND_TABLES: DemoRoundTable[] = [
  {
    number: null,
    title: "Costituzione di un Coordinamento dei Comuni Siciliani aderenti al SAI",
    description: "Webinar di avvio del Coordinamento dei Comuni siciliani che aderiscono con propri progetti alla Rete SAI.",
    start: "2021-12-07T15:00",
    end: "2021-12-07T17:00",
    mode: "online",
    speakers: [],
    materials: [],
  },
  {
    number: 1,
    title: "I fabbisogni degli Enti Locali, prassi comuni e buone pratiche di accoglienza e integrazione",
    description: "Webinar.",
    start: "2021-12-22T15:00",
    end: "2021-12-22T17:00",
    mode: "online",
    speakers: [{ name: "N. Grigion", affiliation: "SAI ed Ente Locale" }],
    materials: [],
  },
  {
    number: 2,
    title: "Come rafforzare la struttura organizzativa dell'Ente locale per una efficace gestione del Progetto SAI",
    description: "Webinar.",
    start: "2022-01-31T15:00",
    end: "2022-01-31T17:00",
    mode: "online",
    speakers: [
      { name: "S. Bottari", affiliation: "Modello SAI Torino" },
      { name: "A. Fontana e S. Rovetto", affiliation: "Modello SAI Chiesanuova (TO)" },
    ],
    materials: [],
  },
  {
    number: 3,
    title: "Coordinamento dei Progetti SAI della Provincia di Brescia: un modello di rete che funziona dal 2016",
    description: "Webinar.",
    start: "2022-03-02T15:00",
    end: "2022-03-02T17:00",
    mode: "online",
    speakers: [
      { name: "A. Trebeschi", affiliation: "Il Coordinamento provinciale dei progetti SAI di Brescia - Un modello di Rete attivo dal 2016" },
      { name: "M. Alberti", affiliation: "L'Azione del Coordinamento provinciale dei progetti SAI di Brescia" },
    ],
    materials: [],
  },
  {
    number: 4,
    title: "Co-programmazione e co-progettazione nelle politiche territoriali di accoglienza integrata (SAI)",
    description: "Webinar.",
    start: "2022-03-24T15:00",
    end: "2022-03-24T17:00",
    mode: "online",
    speakers: [],
    materials: [{ kind: "video", title: "Video e slides dell'incontro", url: "https://www.youtube.com/watch?v=W8nMwuZY0xs&t=11s" }],
  },
  {
    number: 5,
    title: "Gestione delle migrazioni ed esperienze dei piccoli comuni: Welcome",
    description: "Incontro a Palermo, in presenza e online.",
    start: "2022-04-27T09:00",
    end: "2022-04-27T13:00",
    mode: "ibrido",
    place: "Palermo",
    speakers: [{ name: "G. Zollo" }],
    materials: [
      {
        kind: "documento",
        title: "Presentazione dell'incontro sul sito di ANCI Sicilia",
        url: "https://www.anci.sicilia.it/gestione-delle-migrazioni-ed-esperienze-dei-piccoli-comuni-welcome-un-incontro-il-27-aprile/",
      },
    ],
  },
  {
    number: 6,
    title: "Tavolo tecnico del 25 maggio 2022",
    description: "Webinar.",
    start: "2022-05-25T15:00",
    end: "2022-05-25T17:00",
    mode: "online",
    speakers: [],
    materials: [],
  },
];

const at = (local: string) => {
  const date = parseRomeLocal(local);
  if (!date) throw new Error(`Invalid demo date ${local}`);
  return date;
};

/** Adds whatever of the demo content is missing; returns how many round tables and materials were added. */
export function seedDemoContent(db: Db) {
  return db.transaction((tx) => {
    let roundTablesAdded = 0;
    let materialsAdded = 0;
    for (const demo of DEMO_ROUND_TABLES) {
      const startsAt = at(demo.start);
      const existing =
        demo.number !== null
          ? tx.select().from(roundTables).where(eq(roundTables.number, demo.number)).get()
          : tx
              .select()
              .from(roundTables)
              .where(and(isNull(roundTables.number), eq(roundTables.title, demo.title), eq(roundTables.startsAt, startsAt)))
              .get();
      let roundTableId = existing?.id;
      if (!existing) {
        const created = tx
          .insert(roundTables)
          .values({
            number: demo.number,
            title: demo.title,
            description: demo.description,
            startsAt,
            endsAt: at(demo.end),
            mode: demo.mode,
            place: demo.place ?? null,
            onlineUrl: null,
            speakers: demo.speakers,
            status: "published",
          })
          .returning({ id: roundTables.id })
          .get();
        roundTableId = created.id;
        roundTablesAdded++;
        recordAudit(tx, {
          actorType: "system",
          action: "round_table.created",
          entityType: "round_table",
          entityId: created.id,
          details: { source: "seed:demo", number: demo.number, title: demo.title },
        });
      } else if (existing.title !== demo.title) {
        // The number is taken by a round table of this installation: leave it alone.
        continue;
      }
      for (const m of demo.materials) {
        const present = tx
          .select({ id: materials.id })
          .from(materials)
          .where(and(eq(materials.roundTableId, roundTableId!), eq(materials.url, m.url)))
          .get();
        if (present) continue;
        tx.insert(materials)
          .values({ roundTableId: roundTableId!, kind: m.kind, title: m.title, curatedBy: m.curatedBy ?? null, url: m.url, visibility: "public" })
          .run();
        materialsAdded++;
      }
    }
    return { roundTablesAdded, materialsAdded };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = getDb();
  migrateDatabase(db);
  const { roundTablesAdded, materialsAdded } = seedDemoContent(db);
  console.log(
    roundTablesAdded + materialsAdded === 0
      ? "Demo content already present: nothing changed."
      : `Demo content added: ${roundTablesAdded} Tavoli tecnici, ${materialsAdded} materials.`,
  );
}
