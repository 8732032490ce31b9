import { z } from "zod";
import { maxLengthMessage } from "./messages";

export const loginSchema = z.object({
  email: z
    .string({ required_error: "Inserisci l'email", invalid_type_error: "Inserisci l'email" })
    .trim()
    .min(1, "Inserisci l'email")
    .max(254, maxLengthMessage("L'email", 254))
    .email("Indirizzo email non valido")
    .transform((v) => v.toLowerCase()),
  password: z.string({ required_error: "Inserisci la password", invalid_type_error: "Inserisci la password" }).min(1, "Inserisci la password").max(1000, "Password troppo lunga"),
  // Only a path of the portal is followed (safeRedirectPath); anything else is ignored, never an error.
  redirectTo: z.string().optional().catch(undefined),
});

export type LoginInput = z.input<typeof loginSchema>;

// "Password dimenticata?": the address to send the reset link to, with the same rule as the sign-in.
export const passwordResetRequestSchema = loginSchema.pick({ email: true });

export type PasswordResetRequestInput = z.input<typeof passwordResetRequestSchema>;

/**
 * The sign-in page's `?esito=` when a form of the coordinators' area was sent without a valid session
 * (expired, or its cookie gone): nothing was done, and the page says so.
 */
export const SESSION_EXPIRED_OUTCOME = "sessione-scaduta";
