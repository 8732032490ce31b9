import { z } from "zod";
import { registrationFieldRules as rules } from "./registration";

// The two steps of the referent area's sign-in: the address, then the code received by email.

export const codeRequestSchema = z.object({ email: rules.email });

// The address of the code step is the one the code was asked for, kept in a cookie (not a field).
export const codeEntrySchema = z.object({
  code: z.preprocess(
    (v) => (typeof v === "string" ? v.replace(/\s+/g, "") : ""),
    z.string().min(1, "Inserisci il codice ricevuto per email").regex(/^\d{6}$/, "Il codice è composto da 6 cifre"),
  ),
});

export type CodeRequestInput = { email: string };
export type CodeEntryInput = { code: string };
