import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { ErrorSummary, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import { changeCoordinatorEmail, getCoordinatorContact } from "~/models/coordinator.server";
import { requireAdmin } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors, type FormErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { coordinatorPageTitle } from "~/utils/page-title";
import { parseRecordId } from "~/utils/record-id";
import { coordinatorEmailSchema, type CoordinatorEmailInput } from "~/validation/coordinator";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: coordinatorPageTitle(data ? `Cambia email - ${data.coordinator.name}` : "Coordinatore non trovato") },
];

const notFound = () => json({ message: "Il coordinatore che cerchi non esiste: torna all'elenco dei coordinatori." }, { status: 404 });

async function load(request: Request, idParam: string | undefined) {
  const admin = await requireAdmin(request);
  const id = parseRecordId(idParam);
  const coordinator = id ? getCoordinatorContact(getDb(), { id }) : undefined;
  if (!coordinator) throw notFound();
  return { admin, coordinator };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { admin, coordinator } = await load(request, params.id);
  return json({ coordinator, self: admin.id === coordinator.id });
}

type ActionData = FormErrors & { values: { email: string; emailConfirm: string }; done?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const { admin, coordinator } = await load(request, params.id);
  const values = { email: String(formData.get("email") ?? "").slice(0, 300), emailConfirm: String(formData.get("emailConfirm") ?? "").slice(0, 300) };
  const parsed = coordinatorEmailSchema.safeParse(values);
  if (!parsed.success) return json<ActionData>({ values, errors: issuesToFieldErrors(parsed.error.issues) }, { status: 400 });
  const result = changeCoordinatorEmail(getDb(), { id: coordinator.id, email: parsed.data.email, actorId: admin.id, appUrl: getEnv().appUrl });
  if (!result.ok) {
    if ("notFound" in result) throw notFound();
    return json<ActionData>({ values, errors: result.errors }, { status: 400 });
  }
  if (!result.changed) return json<ActionData>({ values, errors: {}, done: "L'indirizzo era già questo: nulla è cambiato." });
  wakeOutboxWorker();
  const done =
    result.state === "invitato"
      ? `Indirizzo cambiato in ${result.email}: l'invito è stato inviato al nuovo indirizzo e il collegamento precedente non vale più.`
      : result.state === "attivo"
        ? `Indirizzo cambiato in ${result.email}: da ora si accede con questo indirizzo. Ne abbiamo dato avviso al vecchio e al nuovo indirizzo.`
        : `Indirizzo cambiato in ${result.email}. L'account resta disattivato.`;
  return json<ActionData>({ values, errors: {}, done });
}

export default function CoordinatorEmailPage() {
  const { coordinator, self } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const typed = actionData?.values.email ?? "";
  const typedAgain = actionData?.values.emailConfirm ?? "";
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<CoordinatorEmailInput>({
    schema: coordinatorEmailSchema,
    defaultValues: { email: typed, emailConfirm: typedAgain },
    serverErrors: actionData?.errors,
  });
  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/coordinatori", label: "Coordinatori" }]} current={`Cambia email - ${coordinator.name}`} />
      <h1>Cambia l'indirizzo email {self ? "del tuo account" : `di ${coordinator.name}`}</h1>
      {actionData?.done ? (
        <div className="alert alert-success" role="status">
          {actionData.done} <Link to="/admin/coordinatori">Torna all'elenco dei coordinatori</Link>
        </div>
      ) : null}
      <p>
        Indirizzo attuale: <strong className="text-break">{coordinator.email}</strong>
      </p>
      <p style={{ maxWidth: "40rem" }}>
        {coordinator.state === "invitato"
          ? "L'invito a scegliere la password sarà inviato di nuovo, al nuovo indirizzo; quello inviato al vecchio indirizzo non varrà più."
          : `Il nuovo indirizzo vale subito per accedere, con la stessa password.${
              coordinator.state === "attivo" ? " Un avviso arriva al vecchio e al nuovo indirizzo; un collegamento per reimpostare la password inviato prima non varrà più." : ""
            }`}
      </p>
      <Form method="post" noValidate onSubmit={onSubmit} style={{ maxWidth: "40rem" }}>
        <AuthenticityTokenInput name="csrf" />
        {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} failureTitle="Indirizzo non cambiato" /> : null}
        <TextField
          label="Nuovo indirizzo email"
          type="email"
          autoComplete="off"
          // Without JavaScript the server fills the field.
          defaultValue={typed}
          error={errorFor("email")}
          {...form.register("email")}
        />
        <TextField
          label="Ripeti il nuovo indirizzo email"
          type="email"
          autoComplete="off"
          defaultValue={typedAgain}
          error={errorFor("emailConfirm")}
          {...form.register("emailConfirm")}
        />
        <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
          Cambia indirizzo
        </button>{" "}
        <Link to="/admin/coordinatori" className="ms-3">
          Annulla
        </Link>
      </Form>
    </>
  );
}
