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
