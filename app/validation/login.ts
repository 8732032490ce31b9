import { z } from "zod";

export const loginSchema = z.object({
  email: z
    .string({ required_error: "Inserisci l'email" })
    .trim()
    .min(1, "Inserisci l'email")
    .max(254, "Massimo 254 caratteri")
    .email("Indirizzo email non valido")
    .transform((v) => v.toLowerCase()),
  password: z.string({ required_error: "Inserisci la password" }).min(1, "Inserisci la password").max(1000, "Password troppo lunga"),
  redirectTo: z.string().optional(),
});

export type LoginInput = z.input<typeof loginSchema>;
