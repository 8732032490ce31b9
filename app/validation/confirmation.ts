import { z } from "zod";

// The tick that stands between a user and an action that cannot be undone (cancelling a Tavolo
// tecnico, deleting a material, closing a project). Without JavaScript the checkbox posts "on";
// react-hook-form gives a boolean.

/** A ticked confirmation checkbox, or `message` beside it. */
export const confirmationTick = (message: string) =>
  z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean().refine((v) => v, message));

/** The form of a confirmation alone: its one field is `confirm`. */
export const confirmationSchema = (message: string) => z.object({ confirm: confirmationTick(message) });

export type ConfirmationInput = { confirm: boolean };

/** Whether a posted confirmation form had its tick; the model then refuses an unconfirmed action in its own words. */
export const isConfirmed = (formData: FormData) => confirmationTick("").safeParse(formData.get("confirm")).success;

/**
 * The hidden field of a confirmation shown after a first click on a button («Disattiva», «Elimina
 * la bozza»): it tells the confirmation's own post, sent without the tick, from that first click.
 */
export const CONFIRMATION_SHOWN_FIELD = "confirmationShown";

export type ConfirmationStep = { confirmed: true } | { confirmed: false; errors: Record<string, string>; status: 200 | 400 };

/**
 * Where a two-step action stands. The button's post (no tick) asks for the confirmation (200, no
 * error); the confirmation sent without its tick, as without JavaScript, says so beside it (400);
 * with the tick the action goes ahead.
 */
export function confirmationStep(formData: FormData, message: string): ConfirmationStep {
  if (isConfirmed(formData)) return { confirmed: true };
  return formData.has(CONFIRMATION_SHOWN_FIELD) ? { confirmed: false, errors: { confirm: message }, status: 400 } : { confirmed: false, errors: {}, status: 200 };
}
