import { z } from "zod";
import { bodyProvinceIssue, registrationFieldRules as rules } from "./registration";

// A coordinator's correction of an ente and of the referente named by a request. The field rules are
// the scheda's own (app/validation/registration.ts), so a corrected record is as valid as a submitted one.

const asRecord = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

const editFields = z.object({
  // Set by the server from the stored ente (never trusted from the browser); it only decides
  // whether the denominazione is required.
  bodyKind: rules.bodyKind,
  bodyName: rules.bodyName,
  provinceCode: rules.provinceCode,
  pec: rules.pec,
  fiscalCode: rules.fiscalCode,
  firstName: rules.firstName,
  lastName: rules.lastName,
  role: rules.role,
  office: rules.office,
  email: rules.email,
  phone: rules.phone,
  mobile: rules.mobile,
});

export const membershipEditSchema = z.preprocess((raw, ctx) => {
  const v = asRecord(raw);
  const name = typeof v.bodyName === "string" ? v.bodyName.trim() : "";
  if (v.bodyKind !== "comune" && name.length < 3) {
    ctx.addIssue({ code: "custom", path: ["bodyName"], message: "Inserisci la denominazione dell'ente" });
  }
  const provinceIssue = bodyProvinceIssue(typeof v.bodyKind === "string" ? v.bodyKind : "", v.provinceCode);
  if (provinceIssue) ctx.addIssue({ code: "custom", path: ["provinceCode"], message: provinceIssue });
  return raw;
}, editFields);

/** The form's values as the browser holds them (every field a string). */
export type MembershipEditInput = Record<keyof z.output<typeof editFields>, string>;
export type MembershipEdit = z.output<typeof membershipEditSchema>;
