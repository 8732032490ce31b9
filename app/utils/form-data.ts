/**
 * Turns flat form names ("projects.0.category") into the nested object the zod schema expects.
 * The same dotted names are what react-hook-form registers, so both paths share one shape.
 */
export function formDataToObject(formData: FormData, { skip = [] as string[] } = {}) {
  const result: Record<string, unknown> = {};
  for (const [name, value] of formData.entries()) {
    if (skip.includes(name) || typeof value !== "string") continue;
    const parts = name.split(".");
    let target: Record<string, unknown> | unknown[] = result;
    parts.forEach((part, i) => {
      const key = /^\d+$/.test(part) ? Number(part) : part;
      if (typeof key === "number" && key > 100) return; // no sparse arrays from crafted names
      const container = target as Record<string | number, unknown>;
      if (i === parts.length - 1) {
        container[key] = value;
      } else {
        container[key] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
        target = container[key] as Record<string, unknown>;
      }
    });
  }
  compactArrays(result);
  return result;
}

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
