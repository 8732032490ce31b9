import { z } from "zod";
import { cleanLine } from "~/utils/text";
import { confirmationSchema } from "./confirmation";
import { maxLengthMessage } from "./messages";

// Forms of /admin/coordinatori. Shared by the browser (react-hook-form) and the action.

export const COORDINATOR_ROLE_VALUES = ["admin", "coordinator"] as const;
export type CoordinatorRole = (typeof COORDINATOR_ROLE_VALUES)[number];

/** The name of the coordinator created at the first start, until they give theirs (pages show it: not server-only). */
export const FIRST_COORDINATOR_NAME = "Amministratore";

export const COORDINATOR_ROLE_LABELS: Record<CoordinatorRole, string> = {
  admin: "Amministratore",
  coordinator: "Coordinatore",
};

const role = z.preprocess(
  (v) => (v == null ? "" : v),
  z
    .string()
    .refine((v): v is CoordinatorRole => (COORDINATOR_ROLE_VALUES as readonly string[]).includes(v), "Scegli il ruolo"),
) as unknown as z.ZodType<CoordinatorRole, z.ZodTypeDef, string>;

const name = z.preprocess(
  (v) => (typeof v === "string" ? cleanLine(v) : v),
  z.string({ required_error: "Inserisci il nome", invalid_type_error: "Inserisci il nome" }).trim().min(1, "Inserisci il nome").max(100, maxLengthMessage("Il nome", 100)),
);

const email = z
  .string({ required_error: "Inserisci l'email", invalid_type_error: "Inserisci l'email" })
  .trim()
  .min(1, "Inserisci l'email")
  .max(254, maxLengthMessage("L'email", 254))
  .email("Indirizzo email non valido: controlla che sia nella forma nome@dominio.it")
  .transform((v) => v.toLowerCase());

export const inviteCoordinatorSchema = z.object({ name, email, role });

export type InviteCoordinatorInput = z.input<typeof inviteCoordinatorSchema>;

/** The name a coordinator gives themselves on /admin/account (emails and the log show it). */
export const coordinatorNameSchema = z.object({ name });

export type CoordinatorNameInput = z.input<typeof coordinatorNameSchema>;

export const changeRoleSchema = z.object({
  id: z.coerce.number({ invalid_type_error: "Coordinatore non valido" }).int().positive("Coordinatore non valido"),
  role,
});

export const coordinatorIdSchema = z.object({
  id: z.coerce.number({ invalid_type_error: "Coordinatore non valido" }).int().positive("Coordinatore non valido"),
});

/**
 * An administrator gives a coordinator a new address (/admin/coordinatori/:id/email), typed twice:
 * it is at once the sign-in and where reset links go, so a typo would lock the person out.
 */
export const coordinatorEmailSchema = z
  .object({ email, emailConfirm: z.string({ invalid_type_error: "Ripeti il nuovo indirizzo" }).trim().min(1, "Ripeti il nuovo indirizzo") })
  .refine((v) => v.emailConfirm.toLowerCase() === v.email, {
    path: ["emailConfirm"],
    message: "I due indirizzi non coincidono: controlla di averlo scritto uguale",
  });

export type CoordinatorEmailInput = z.input<typeof coordinatorEmailSchema>;

export const DISABLE_COORDINATOR_UNCONFIRMED = "Per disattivare l'account spunta la conferma";
/** «Disattiva» asks for this tick first: the coordinator's sessions end at once. */
export const disableCoordinatorSchema = confirmationSchema(DISABLE_COORDINATOR_UNCONFIRMED);
