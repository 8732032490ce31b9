import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 12;

// The password a coordinator chooses when accepting an invitation.
export const setPasswordSchema = z
  .object({
    password: z
      .string({ required_error: "Scegli una password", invalid_type_error: "Scegli una password" })
      .min(1, "Scegli una password")
      .min(PASSWORD_MIN_LENGTH, `La password deve avere almeno ${PASSWORD_MIN_LENGTH} caratteri`)
      .max(1000, "Password troppo lunga"),
    confirmPassword: z.string({ required_error: "Ripeti la password", invalid_type_error: "Ripeti la password" }).min(1, "Ripeti la password"),
  })
  .superRefine((v, ctx) => {
    if (v.confirmPassword && v.password !== v.confirmPassword) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "Le due password non coincidono" });
    }
  });

export type SetPasswordInput = z.input<typeof setPasswordSchema>;
