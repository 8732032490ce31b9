import { describe, expect, it } from "vitest";
import { issuesToFieldErrors } from "~/utils/form-data";
import { inviteCoordinatorSchema } from "~/validation/coordinator";
import { loginSchema } from "~/validation/login";
import { linkMaterialSchema } from "~/validation/material";
import { roundTableSchema } from "~/validation/round-table";

// The error summary lists a form's errors away from their fields: "Massimo 100 caratteri" alone
// does not say which field is too long (WCAG 3.3.1), so every length error names its field.
const errorsOf = (schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: never[] } } }, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? {} : issuesToFieldErrors(result.error!.issues);
};

describe("a length error names its field", () => {
  it.each([
    ["coordinator name", inviteCoordinatorSchema, { name: "x".repeat(101), email: "a@example.org", role: "admin" }, "name", "Il nome può avere al massimo 100 caratteri"],
    ["coordinator email", inviteCoordinatorSchema, { name: "Anna", email: `${"x".repeat(250)}@example.org`, role: "admin" }, "email", "L'email può avere al massimo 254 caratteri"],
    ["sign-in email", loginSchema, { email: `${"x".repeat(250)}@example.org`, password: "p" }, "email", "L'email può avere al massimo 254 caratteri"],
    ["material link", linkMaterialSchema, { kind: "video", title: "Registrazione", curatedBy: "", visibility: "public", url: `https://example.org/${"x".repeat(1000)}` }, "url", "Il link può avere al massimo 1.000 caratteri"],
    ["Tavolo programme", roundTableSchema, { description: "x".repeat(5001) }, "description", "Il programma può avere al massimo 5.000 caratteri"],
    ["Tavolo title", roundTableSchema, { title: "x".repeat(201) }, "title", "Il titolo può avere al massimo 200 caratteri"],
  ])("%s", (_what, schema, input, path, message) => {
    expect((errorsOf(schema as never, input) as Record<string, string>)[path]).toBe(message);
  });
});
