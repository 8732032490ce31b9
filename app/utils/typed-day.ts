// Its own module: the scheda's validation runs in the browser, which needs none of dates.ts.

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * A calendar day typed as text, as stored (`YYYY-MM-DD`): ISO text (what <input type="date"> posts)
 * or as Italians write it (gg/mm/aaaa, also with - or . and two-digit years), as a browser without a
 * date picker, or a spreadsheet, sends it. Anything else is returned trimmed, for the rule to refuse.
 */
export function typedDayToIso(value: string): string {
  const v = value.trim();
  const iso = v.match(/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/);
  if (iso) return `${iso[1]}-${pad2(Number(iso[2]))}-${pad2(Number(iso[3]))}`;
  const it = v.match(/^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?: .*)?$/);
  if (it) {
    const year = it[3].length === 2 ? (Number(it[3]) <= 69 ? 2000 : 1900) + Number(it[3]) : Number(it[3]);
    return `${year}-${pad2(Number(it[2]))}-${pad2(Number(it[1]))}`;
  }
  return v;
}
