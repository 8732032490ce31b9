import { formatCount } from "~/utils/numbers";

/** "1 tavolo", "1.250 tavoli": a count in Italian digits with the word agreeing with it. */
export function plural(n: number, one: string, many: string) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "1,2 MB" or "850 kB". */
export function formatFileSize(bytes: number) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/** Lower case without accents: "Città di Paternò" -> "citta di paterno". */
export function foldAccents(value: string): string {
  return value.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

const APOSTROPHES = /['’`]/g;

/**
 * Lower case without accents or apostrophes, the rest kept: "Paterno'", "Paternò" and "PATERNÒ" all
 * give "paterno", "Sant’Agata" and "Sant'Agata" give "santagata". For searching inside free text.
 */
export const foldForSearch = (value: string): string => foldAccents(value).replace(APOSTROPHES, "");

/** Lower case, without accents, apostrophes or repeated spaces: "Sant'Agata" -> "santagata". */
export function searchKey(value: string): string {
  return foldForSearch(value)
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

// Characters nobody types into a form and that break what the portal writes (XML of Excel files,
// email headers, iCalendar lines) or mislead a reader: C0 controls other than tab and line ends, DEL,
// C1 controls, the bidirectional embeddings, overrides and isolates (they can make a name read
// backwards), the noncharacters U+FFFE and U+FFFF, and lone surrogates.
const HAZARDS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether a text holds any of the characters `cleanLine` and `cleanLines` remove. */
export const hasTextHazards = (value: string) => new RegExp(HAZARDS.source).test(value);

/** A one-line value as typed: line breaks and tabs become spaces, the hazards above are removed. */
export function cleanLine(value: string): string {
  return value.replace(/\r\n|[\r\n\t\u2028\u2029]/g, " ").replace(HAZARDS, "");
}

/** A multi-line value: line ends become "\n", the hazards above are removed (tabs stay). */
export function cleanLines(value: string): string {
  return value.replace(/\r\n?|[\u2028\u2029]/g, "\n").replace(HAZARDS, "");
}

// The article an ente's name takes, alone and joined to "di": "del Comune di Cefalù", "dell'Unione
// dei Comuni delle Madonie", "della Città Metropolitana di Catania". A name without a known first
// word takes no article ("di", "per").
const ARTICLES: [RegExp, { of: string; the: string }][] = [
  [/^(Comune|Libero Consorzio|Consorzio|Distretto)(?=\s|$)/, { of: "del ", the: "il " }],
  [/^(Unione|Azienda|Associazione|Ente|ASP|ASL|IPAB)(?=\s|$)/, { of: "dell'", the: "l'" }],
  [/^(Città|Provincia|Società|Cooperativa|Fondazione)(?=\s|$)/, { of: "della ", the: "la " }],
];

const articleOf = (name: string) => ARTICLES.find(([first]) => first.test(name))?.[1] ?? { of: "di ", the: "" };

/** "di" + an ente's name, with the article the name takes: "del Comune di Cefalù". */
export function ofBody(name: string) {
  return `${articleOf(name).of}${name}`;
}

/** An ente's name with its article, to open a sentence: "Il Comune di Cefalù", "L'Unione dei Comuni …". */
export function theBody(name: string) {
  const named = `${articleOf(name).the}${name}`;
  return named.charAt(0).toUpperCase() + named.slice(1);
}

/** "per" + an ente's name, with the article the name takes: "per il Comune di Cefalù". */
export function forBody(name: string) {
  return `per ${articleOf(name).the}${name}`;
}
