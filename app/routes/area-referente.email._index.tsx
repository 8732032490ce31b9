import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { ReferentAreaFrame, headerData } from "~/components/referent-area";
import { useValidatedForm } from "~/components/use-validated-form";
import { findPendingEmailChange, requestEmailChange } from "~/models/referent-area.server";
import { formatDateTimeIt } from "~/utils/dates";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { consumeRateLimit, minutesText, tooManyRequestsInit } from "~/utils/rate-limit.server";
import { requireReferent } from "~/utils/referent-auth.server";
import { emailChangeSchema, type EmailChangeInput } from "~/validation/referent-area";
import { areaPageHandle } from "~/utils/skip-link";
import { useIndexFormAction } from "~/components/use-index-form-action";
import { FormActions } from "~/components/form-actions";
import { referentPageTitle } from "~/utils/page-title";

export const handle = areaPageHandle;

export const meta: MetaFunction = () => [
  { title: referentPageTitle("Cambia indirizzo email") },
  { name: "robots", content: "noindex" },
];

const tooManyChangesMessage = (retryAfterSeconds: number) =>
  `Hai chiesto troppi cambi di indirizzo in poco tempo: riprova tra ${minutesText(retryAfterSeconds)}. Se hai già ricevuto un'email al nuovo indirizzo, apri il collegamento dell'ultima arrivata.`;

type ActionData = { errors: Record<string, string>; formError?: string; email: string; sentTo?: string };

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReferent(request);
  const change = findPendingEmailChange(getDb(), { referentId: access.referentId });
  // Shown again on a later visit: what was typed can be checked, and a typo corrected.
  const pending = change ? { newEmail: change.newEmail, askedAt: formatDateTimeIt(change.createdAt), expiresAt: formatDateTimeIt(change.expiresAt) } : null;
  return json({ header: headerData(access), current: access.email, pending });
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireReferent(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const email = String(formData.get("email") ?? "");
  const parsed = emailChangeSchema.safeParse({ email });
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), email }, { status: 400 });
  // Each request sends an email to an address of the referente's choosing: a few per hour.
  const limit = consumeRateLimit({ key: `ref-email-change:${access.referentId}`, limit: 5, windowMs: 60 * 60_000 });
  if (!limit.allowed) {
    return json<ActionData>({ errors: {}, email, formError: tooManyChangesMessage(limit.retryAfterSeconds) }, tooManyRequestsInit(limit.retryAfterSeconds));
  }
  const result = requestEmailChange(getDb(), { access, email: parsed.data.email, appUrl: getEnv().appUrl });
  if (!result.ok) return json<ActionData>({ errors: result.fieldErrors, email }, { status: 400 });
  wakeOutboxWorker();
  return json<ActionData>({ errors: {}, email: "", sentTo: result.email });
}

export default function EmailChangePage() {
  const formAction = useIndexFormAction();
  const { header, current, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<EmailChangeInput>({
    schema: emailChangeSchema,
    defaultValues: { email: actionData?.email ?? "" },
    serverErrors: actionData?.errors,
    formError: actionData?.formError,
  });
  return (
    <ReferentAreaFrame referent={header}>
      <h1>Cambia indirizzo email</h1>
      {actionData?.sentTo ? (
        <div className="alert alert-success" role="status">
          Ti abbiamo inviato un messaggio a <strong>{actionData.sentTo}</strong>: apri il collegamento che contiene per
          confermare il nuovo indirizzo. Fino ad allora resta valido l'indirizzo attuale.
        </div>
      ) : pending ? (
        <div className="alert alert-info">
          Il {pending.askedAt} hai chiesto di passare all'indirizzo <strong className="text-break">{pending.newEmail}</strong>: per
          confermarlo apri il collegamento che ti abbiamo inviato lì, valido fino al {pending.expiresAt}. Se l'indirizzo è
          sbagliato, scrivi qui sotto quello giusto: la richiesta precedente non varrà più.
        </div>
      ) : null}
      <p>
        L'indirizzo attuale è <strong>{current}</strong>. Il nuovo indirizzo sostituirà quello attuale solo dopo che
        l'avrai confermato con il collegamento che ti invieremo.
      </p>
      <Form method="post" action={formAction} noValidate onSubmit={onSubmit}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={actionData?.formError} failureTitle="Richiesta non riuscita" /> : null}
        <TextField
          label="Nuovo indirizzo email"
          type="email"
          autoComplete="email"
          defaultValue={actionData?.email ?? ""}
          error={errorFor("email")}
          {...form.register("email")}
        />
        <FormActions submitLabel="Invia il collegamento di conferma" cancelTo="/area-referente" cancelLabel="Torna al mio ente" />
      </Form>
    </ReferentAreaFrame>
  );
}
