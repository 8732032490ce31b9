import { z } from "zod";
import { confirmationSchema } from "./confirmation";
import { projectSchema, registrationFieldRules as rules } from "./registration";

// The forms of the referent area (issue 6). Field rules are the scheda's own, so data kept current
// by a referente is exactly as valid as data first submitted.

/** "I tuoi dati": nome, cognome, ruolo, ufficio, telefono, cellulare (the email has its own form). */
export const contactSchema = z.object({
  firstName: rules.firstName,
  lastName: rules.lastName,
  role: rules.role,
  office: rules.office,
  phone: rules.phone,
  mobile: rules.mobile,
});
export type ContactInput = Record<keyof z.output<typeof contactSchema>, string>;
export type ContactChange = z.output<typeof contactSchema>;

/** A new address, confirmed at that address before it replaces the current one. */
export const emailChangeSchema = z.object({ email: rules.email });
export type EmailChangeInput = { email: string };

/** One SAI project (add or change): the scheda's project rules. */
export const referentProjectSchema = projectSchema;
export type ProjectInput = z.output<typeof projectSchema>;
export type ProjectFormValues = {
  category: string;
  fundedPlaces: string;
  projectCode: string;
  managingOrganization: string;
  startDate: string;
  endDate: string;
};

/** "Proponi un successore": the successor's data; their consent is given when they confirm. */
export const successorSchema = z.object({
  firstName: rules.firstName,
  lastName: rules.lastName,
  role: rules.role,
  office: rules.office,
  email: rules.email,
  phone: rules.phone,
  mobile: rules.mobile,
});
export type SuccessorInput = Record<keyof z.output<typeof successorSchema>, string>;
export type Successor = z.output<typeof successorSchema>;

/** The successor's confirmation page (/subentro/:token). */
export const successorConsentSchema = z.object({
  privacyConsent: z.preprocess(
    (v) => v === true || v === "on" || v === "true",
    z.boolean().refine((v) => v, "Per confermare devi dichiarare di aver letto l'informativa"),
  ),
});
export type SuccessorConsentInput = { privacyConsent: boolean };

/** "Chiudi progetto" cannot be undone from the area: the referente ticks a confirmation. */
export const CLOSE_PROJECT_UNCONFIRMED = "Spunta la conferma per chiudere il progetto";
export const closeProjectSchema = confirmationSchema(CLOSE_PROJECT_UNCONFIRMED);
