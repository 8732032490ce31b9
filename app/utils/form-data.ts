/**
 * Turns flat form names ("projects.0.category") into the nested object the zod schema expects.
 * The same dotted names are what react-hook-form registers, so both paths share one shape.
 */
export function formDataToObject(formData: FormData, { skip = [] as string[] } = {}) {
  const result: Record<string, unknown> = {};
  for (const [name, value] of formData.entries()) {
    if (skip.includes(name) || typeof value !== "string") continue;
    const parts = name.split(".");
    // Crafted names: prototype keys would pollute every object of the process, huge indexes would
    // build sparse arrays; such fields are not the form's, so they are dropped.
    if (parts.some((part) => UNSAFE_KEYS.has(part) || (/^\d+$/.test(part) && Number(part) > 100))) continue;
    let target: Record<string | number, unknown> = result;
    for (const [i, part] of parts.entries()) {
      const key = /^\d+$/.test(part) ? Number(part) : part;
      if (i === parts.length - 1) {
        // A repeated name: the last value wins, but never over fields nested under the name.
        const existing = Object.hasOwn(target, key) ? target[key] : undefined;
        if (!existing || typeof existing !== "object") target[key] = value;
        break;
      }
      // A name that is also the prefix of another ("email" and "email.x"): the nested fields win.
      const existing = Object.hasOwn(target, key) ? target[key] : undefined;
      if (!existing || typeof existing !== "object") target[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      target = target[key] as Record<string | number, unknown>;
    }
  }
  compactArrays(result);
  return result;
}

const UNSAFE_KEYS = new Set(["__proto__", "prototype", "constructor"]);

function compactArrays(value: unknown) {
  if (!value || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) (value as Record<string, unknown>)[key] = child.filter((c) => c !== undefined);
    compactArrays((value as Record<string, unknown>)[key]);
  }
}

/** zod issues as { "projects.0.endDate": "first message" }. */
export function issuesToFieldErrors(issues: { path: (string | number)[]; message: string }[]) {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.join(".") || "_form";
    errors[key] ??= issue.message;
  }
  return errors;
}

export function fieldId(name: string) {
  return name.replace(/\./g, "-");
}

/** What an action returns when a form must be shown again: field messages and a general one. */
export type FormErrors = { errors: Record<string, string>; formError?: string };

/**
 * Whether a body failed to parse as a form (a crafted or truncated multipart body, a body that is not
 * a form at all): the request is bad, so the answer is a 400, not a server error.
 */
export function isMalformedFormError(error: unknown) {
  if (!(error instanceof Error)) return false;
  return (
    (error instanceof TypeError && /FormData|multipart|boundary/i.test(error.message)) ||
    /^malformed (content-disposition|multipart)/.test(error.message)
  );
}

export const MALFORMED_FORM_MESSAGE = "Il modulo inviato non è leggibile: ricarica la pagina e riprova.";
