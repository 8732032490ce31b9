import { json, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { RegistrationForm, initialRegistrationValues, type RegistrationFormValues } from "~/components/registration-form";
import { submitRegistration } from "~/models/membership.server";
import { listProvinceSelectOptions } from "~/models/territory.server";
import { getCookies } from "~/utils/cookies.server";
import { hasValidCsrfToken } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { formDataToObject, issuesToFieldErrors } from "~/utils/form-data";
import { formatTimeIt } from "~/utils/dates";
import { checkHoneypot } from "~/utils/honeypot.server";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { consumeRateLimit, isRateLimited, minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { emptyProject, registrationSchema } from "~/validation/registration";
import { pageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [
  { title: pageTitle("Scheda referente per l'adesione") },
  { name: "description", content: "Registra online il referente del tuo ente per il Coordinamento dei Comuni siciliani aderenti alla Rete SAI." },
];

const EXPIRED_FORM_MESSAGE =
  "Per sicurezza la scheda non è stata inviata perché la pagina era scaduta (succede, per esempio, dopo la chiusura del browser o la cancellazione dei cookie). I dati che hai scritto sono ancora qui sotto: controllali e premi di nuovo «Invia la scheda».";

const tooManySchedeMessage = (retryAfterSeconds: number) =>
  `Dalla tua rete sono state inviate molte schede in poco tempo: per sicurezza questa non è stata inviata. Riprova tra ${minutesText(retryAfterSeconds)}: i dati che hai scritto sono ancora qui sotto.`;

const SECOND_TAP_MS = 60 * 1000;

type ActionData = {
  values: RegistrationFormValues;
  errors: Record<string, string>;
  formError?: string;
  formErrorLink?: { href: string; text: string };
  focusField?: string;
  /** Without JavaScript: the project added or removed, said on the page that comes back. */
  projectsNotice?: string;
};

// The loader carries the provinces only, never the list of comuni: the no-JavaScript select gets its
// options as HTML from the server (ComuniOptionsContext, entry.server.tsx) and the combobox fetches
// /adesione/comuni.json once hydrated; at national scale the list was 90 KB of the page's JavaScript
// (issue 7, docs/performance.md).
export async function loader() {
  return json({ provinces: listProvinceSelectOptions(getDb()) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const values = registrationValuesOf(formData);
  // Nothing is stored without a valid token, but the scheda typed for ten minutes is given back.
  if (!(await hasValidCsrfToken(request, formData))) {
    // What is still missing or wrong is said now too, not only after sending it again.
    return json<ActionData>({ values, errors: checkScheda(values).errors ?? {}, formError: EXPIRED_FORM_MESSAGE }, { status: 403 });
  }
  checkHoneypot(formData);
  const intent = String(formData.get("intent") ?? "submit");

  // Without JavaScript "Aggiungi progetto" and "Rimuovi progetto" post the form back to be redrawn.
  if (intent === "add-project") {
    const projects = [...values.projects, { ...emptyProject }];
    return json<ActionData>({
      values: { ...values, projects },
      errors: {},
      focusField: `projects.${projects.length - 1}.category`,
      projectsNotice: `Progetto ${projects.length} aggiunto`,
    });
  }
  if (intent.startsWith("remove-project:")) {
    const index = Number(intent.split(":")[1]);
    const projects = values.projects.filter((_, i) => i !== index);
    const projectsNotice = projects.length < values.projects.length ? `Progetto ${index + 1} rimosso` : undefined;
    return json<ActionData>({ values: { ...values, projects }, errors: {}, focusField: "add-project", projectsNotice });
  }

  const checked = checkScheda(values);
  if (checked.errors) return json<ActionData>({ values, errors: checked.errors }, { status: 400 });

  // Only schede stored count (each sends an email): an office sharing one address does not use up
  // its hour correcting a form or being told its codice fiscale is taken, and a scheda refused for
  // the limit is given back as typed.
  const env = getEnv();
  const rateLimit = { key: `adesione:${context.clientIp}`, limit: env.REGISTRATIONS_PER_IP_PER_HOUR, windowMs: 60 * 60_000 };
  const limited = isRateLimited(rateLimit);
  if (limited.limited) {
    return json<ActionData>({ values, errors: {}, formError: tooManySchedeMessage(limited.retryAfterSeconds) }, tooManyRequestsInit(limited.retryAfterSeconds));
  }
  const result = submitRegistration(getDb(), { registration: checked.data, appUrl: env.appUrl });
  if (result.ok && result.outcome !== "repeated") consumeRateLimit(rateLimit);
  if (!result.ok) {
    return json<ActionData>(
      {
        values,
        errors: result.fieldErrors,
        formError: result.formError,
        formErrorLink: result.alreadyReferent ? { href: "/area-referente/accedi", text: "Accedi all'area referente" } : undefined,
      },
      { status: result.formError ? 409 : 400 },
    );
  }
  wakeOutboxWorker();
  // The same scheda again within a minute is a second tap (on a slow connection the first answer
  // may never show): the person sees the outcome of sending it, not «Avevamo già ricevuto…».
  const outcome = result.outcome === "repeated" && Date.now() - result.emailQueuedAt.getTime() < SECOND_TAP_MS ? "created" : result.outcome;
  const flash = await getCookies().flash.serialize({
    email: result.email,
    kind: result.kind,
    outcome,
    ...(outcome === "repeated" && result.outcome === "repeated" ? { sentAt: formatTimeIt(result.emailQueuedAt) } : {}),
  });
  return redirect("/adesione/inviata", { headers: { "Set-Cookie": flash } });
}

/** The scheda checked with the form's own schema: its data, or the field errors to show. */
function checkScheda(values: RegistrationFormValues) {
  const parsed = registrationSchema.safeParse(values);
  return parsed.success ? { data: parsed.data, errors: null } : { data: null, errors: issuesToFieldErrors(parsed.error.issues) };
}

/** The posted scheda as the form holds it: only its own fields, every value a string (crafted shapes are dropped). */
function registrationValuesOf(formData: FormData): RegistrationFormValues {
  const posted = formDataToObject(formData, { skip: ["csrf", "intent"] });
  const strings = <T extends Record<string, unknown>>(source: unknown, defaults: T): T => {
    const record = source && typeof source === "object" ? (source as Record<string, unknown>) : {};
    const picked = { ...defaults } as Record<string, unknown>;
    for (const key of Object.keys(defaults)) if (typeof record[key] === "string") picked[key] = record[key];
    return picked as T;
  };
  const { projects: _projects, noActiveProjects: _none, privacyConsent: _consent, ...textDefaults } = initialRegistrationValues;
  return {
    ...strings(posted, textDefaults),
    projects: Array.isArray(posted.projects) ? posted.projects.map((p) => strings(p, emptyProject)) : [],
    noActiveProjects: formData.get("noActiveProjects") === "on",
    privacyConsent: formData.get("privacyConsent") === "on",
  };
}

export default function RegistrationPage() {
  const { provinces } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="container my-5">
      <div className="row">
        <div className="col-lg-9">
          <h1>Scheda referente</h1>
          <p className="lead">
            Con questa scheda il tuo ente aderisce al Coordinamento dei Comuni siciliani aderenti alla Rete SAI e indica
            il proprio referente. Dopo l'invio riceverai un'email per confermare l'indirizzo; la richiesta passerà poi ai
            coordinatori di ANCI Sicilia per l'approvazione.
          </p>
          <RegistrationForm
            provinces={provinces}
            key={actionData ? JSON.stringify(actionData.values.projects.length) + (actionData.focusField ?? "") : "initial"}
            values={actionData?.values ?? initialRegistrationValues}
            serverErrors={actionData?.errors ?? {}}
            formError={actionData?.formError}
            formErrorLink={actionData?.formErrorLink}
            focusField={actionData?.focusField}
            projectsNotice={actionData?.projectsNotice}
          />
        </div>
      </div>
    </div>
  );
}
