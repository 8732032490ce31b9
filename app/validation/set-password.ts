import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 12;

// The new password and its confirmation: when accepting an invitation, with a reset link and in
// "Il mio account". One set of rules and messages for the three forms.
const newPasswordFields = {
  password: z
    .string({ required_error: "Scegli una password", invalid_type_error: "Scegli una password" })
    .min(1, "Scegli una password")
    .min(PASSWORD_MIN_LENGTH, `La password deve avere almeno ${PASSWORD_MIN_LENGTH} caratteri`)
    .max(1000, "Password troppo lunga"),
  confirmPassword: z.string({ required_error: "Ripeti la password", invalid_type_error: "Ripeti la password" }).min(1, "Ripeti la password"),
};

function checkConfirmation(v: { password: string; confirmPassword: string }, ctx: z.RefinementCtx) {
  if (v.confirmPassword && v.password !== v.confirmPassword) {
    ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "Le due password non coincidono" });
  }
}

// The password a coordinator chooses when accepting an invitation or with a reset link.
export const setPasswordSchema = z.object(newPasswordFields).superRefine(checkConfirmation);

export type SetPasswordInput = z.input<typeof setPasswordSchema>;

// "Cambia password" in /admin/account: the current password, then the new one twice.
export const changePasswordSchema = z
  .object({
    currentPassword: z
      .string({ required_error: "Inserisci la password attuale", invalid_type_error: "Inserisci la password attuale" })
      .min(1, "Inserisci la password attuale")
      .max(1000, "Password troppo lunga"),
    ...newPasswordFields,
  })
  .superRefine((v, ctx) => {
    checkConfirmation(v, ctx);
    if (v.currentPassword && v.password === v.currentPassword) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "La nuova password deve essere diversa da quella attuale" });
    }
  });

export type ChangePasswordInput = z.input<typeof changePasswordSchema>;
