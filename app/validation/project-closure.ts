import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { z } from "zod";
import { TIME_ZONE } from "~/utils/dates";
import { typedDayToIso } from "~/utils/typed-day";
import { cleanLine } from "~/utils/text";
import { isCalendarDate } from "./registration";

// "Chiudi il progetto" in the coordinators' area: the day a SAI project ended (a ministry decree, a
// renunciation). A closure is a fact, so it cannot be in the future; the server also checks that it
// does not come before the project's start (sai-project.server.ts).

/** Today in Italy as `YYYY-MM-DD` (the default of the field, and its upper bound). */
export const todayInItaly = (now = new Date()) => format(new TZDate(now, TIME_ZONE), "yyyy-MM-dd");

export const projectClosureSchema = z.object({
  closedOn: z.preprocess(
    (v) => (typeof v === "string" ? typedDayToIso(cleanLine(v)) : ""),
    z.string().superRefine((value, ctx) => {
      if (!value) ctx.addIssue({ code: "custom", message: "Indica la data di chiusura del progetto" });
      else if (!isCalendarDate(value)) ctx.addIssue({ code: "custom", message: "Data non valida: usa il formato gg/mm/aaaa" });
      else if (value > todayInItaly()) ctx.addIssue({ code: "custom", message: "La data di chiusura non può essere successiva a oggi" });
    }),
  ),
});

export type ProjectClosureInput = { closedOn: string };
