import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { it } from "date-fns/locale";

export const TIME_ZONE = "Europe/Rome";

/** "3 dicembre 2026", in Italian time. */
export function formatDateIt(date: Date) {
  return format(new TZDate(date, TIME_ZONE), "d MMMM yyyy", { locale: it });
}

export function formatDateTimeIt(date: Date) {
  return format(new TZDate(date, TIME_ZONE), "d MMMM yyyy 'alle' HH:mm", { locale: it });
}
