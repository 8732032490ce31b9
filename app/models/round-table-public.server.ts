import { formatDateIt } from "~/utils/dates";
import { ROUND_TABLE_MODE_LABELS, roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableWhen } from "~/utils/round-table-format";
import { MATERIAL_KIND_LABELS } from "~/validation/material";
import type { Material } from "./material.server";
import { documentFileInfo } from "./material.server";
import type { RoundTable } from "./round-table.server";

// How the public calendar shows a round table and its public materials (plain JSON for the page).

export function publicMaterial(m: Material) {
  return {
    id: m.id,
    kindLabel: MATERIAL_KIND_LABELS[m.kind],
    title: m.title,
    curatedBy: m.curatedBy,
    href: m.url ?? `/materiali/${m.id}`,
    fileInfo: m.url ? null : documentFileInfo(m),
    external: !!m.url,
    membersOnly: m.visibility === "members",
  };
}

export function publicRoundTable(rt: RoundTable & { materials: Material[] }) {
  return {
    id: rt.id,
    heading: roundTableHeading(rt),
    title: rt.title,
    when: roundTableWhen(rt),
    date: formatDateIt(rt.startsAt),
    mode: ROUND_TABLE_MODE_LABELS[rt.mode],
    online: rt.mode !== "in_presenza",
    place: rt.mode === "online" ? null : rt.place,
    cancelled: rt.status === "cancelled",
    speakers: rt.speakers,
    materials: rt.materials.map(publicMaterial),
  };
}
