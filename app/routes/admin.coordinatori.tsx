import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { AskedConfirmation } from "~/components/confirm-form";
import { ErrorSummary, FormRefusal, SelectField, TextField } from "~/components/form-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import {
  changeCoordinatorRole,
  getCoordinatorContact,
  inviteCoordinator,
  listCoordinators,
  setCoordinatorDisabled,
  type CoordinatorState,
} from "~/models/coordinator.server";
import { liftCoordinatorLoginSuspension, sendCoordinatorPasswordReset } from "~/models/coordinator-password.server";
import { loginSuspendedUntil, requireAdmin } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateIt, formatTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { wakeOutboxWorker } from "~/utils/outbox-worker.server";
import { TableCaption, TableScroll } from "~/components/table-scroll";
import {
  changeRoleSchema,
  coordinatorIdSchema,
  COORDINATOR_ROLE_LABELS,
  COORDINATOR_ROLE_VALUES,
  DISABLE_COORDINATOR_UNCONFIRMED,
  disableCoordinatorSchema,
  inviteCoordinatorSchema,
  type InviteCoordinatorInput,
} from "~/validation/coordinator";
import { coordinatorPageTitle } from "~/utils/page-title";
import { confirmationStep } from "~/validation/confirmation";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Coordinatori") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  // A sign-in suspended for too many wrong passwords, as /login applies it now (the counts are in memory).
  const coordinators = listCoordinators(getDb()).map((c) => ({ ...c, loginSuspendedUntil: loginSuspendedUntil({ email: c.email })?.toISOString() ?? null }));
  return json({ currentId: admin.id, coordinators });
}

type InviteValues = { name: string; email: string; role: string };
const EMPTY_INVITE: InviteValues = { name: "", email: "", role: "coordinator" };

type ActionData =
  | { intent: "invite"; ok: false; errors: Record<string, string>; formError?: string; values: InviteValues }
  | { intent: "invite"; ok: true; message: string; sentAt: number }
  | { intent: "manage"; ok: false; errors: Record<string, string>; formError: string }
  | { intent: "manage"; ok: true; message: string }
  // «Disattiva» asks first: the confirmation, naming the coordinator.
  | { intent: "confirm-disable"; ok: false; coordinator: { id: number; name: string; email: string }; errors: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const admin = await requireAdmin(request);
  const db = getDb();
  const fields = Object.fromEntries(formData);
  const intent = String(fields.intent ?? "");

  if (intent === "invite") {
    const values: InviteValues = {
      name: String(fields.name ?? "").slice(0, 300),
      email: String(fields.email ?? "").slice(0, 300),
      role: String(fields.role ?? "").slice(0, 20),
    };
    const parsed = inviteCoordinatorSchema.safeParse(values);
    if (!parsed.success) {
      return json<ActionData>({ intent, ok: false, errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
    }
    const result = inviteCoordinator(db, { ...parsed.data, invitedById: admin.id, appUrl: getEnv().appUrl });
    if (!result.ok) return json<ActionData>({ intent, ok: false, errors: result.errors, values }, { status: 400 });
    wakeOutboxWorker();
    return json<ActionData>({
      intent,
      ok: true,
      sentAt: Date.now(),
      message: result.reinvited
        ? `Invito inviato di nuovo a ${parsed.data.email}: il collegamento precedente non vale più.`
        : `Invito inviato a ${parsed.data.email}.`,
    });
  }

  const refuse = (formError: string, status = 400) => json<ActionData>({ intent: "manage", ok: false, errors: {}, formError }, { status });

  if (intent === "role") {
    const parsed = changeRoleSchema.safeParse(fields);
    if (!parsed.success) return refuse("Scegli un ruolo valido.");
    const result = changeCoordinatorRole(db, { id: parsed.data.id, role: parsed.data.role, actorId: admin.id });
    if (!result.ok) return refuse(result.error, 409);
    return json<ActionData>({
      intent: "manage",
      ok: true,
      message: result.changed ? `Ruolo cambiato in ${COORDINATOR_ROLE_LABELS[parsed.data.role]}.` : "Il ruolo era già quello scelto.",
    });
  }

  if (intent === "disable" || intent === "enable") {
    const parsed = coordinatorIdSchema.safeParse(fields);
    if (!parsed.success) return refuse("Coordinatore non valido.");
    const disabled = intent === "disable";
    // Asked first, but not for the administrator's own account: the model refuses that one.
    const step = disabled && parsed.data.id !== admin.id ? confirmationStep(formData, DISABLE_COORDINATOR_UNCONFIRMED) : null;
    if (step && !step.confirmed) {
      const target = getCoordinatorContact(db, { id: parsed.data.id });
      if (!target) return refuse("Coordinatore non trovato.", 409);
      const coordinator = { id: target.id, name: target.name, email: target.email };
      return json<ActionData>({ intent: "confirm-disable", ok: false, coordinator, errors: step.errors }, { status: step.status });
    }
    const result = setCoordinatorDisabled(db, { id: parsed.data.id, disabled, actorId: admin.id });
    if (!result.ok) return refuse(result.error, 409);
    return json<ActionData>({
      intent: "manage",
      ok: true,
      message: disabled ? "Coordinatore disattivato: le sue sessioni sono state chiuse." : "Coordinatore riattivato.",
    });
  }

  if (intent === "reset-password") {
    const parsed = coordinatorIdSchema.safeParse(fields);
    if (!parsed.success) return refuse("Coordinatore non valido.");
    const result = sendCoordinatorPasswordReset(db, { id: parsed.data.id, actorId: admin.id, appUrl: getEnv().appUrl });
    if (!result.ok) return refuse(result.error, 409);
    wakeOutboxWorker();
    return json<ActionData>({ intent: "manage", ok: true, message: `Collegamento per reimpostare la password inviato a ${result.email}.` });
  }

  if (intent === "unlock") {
    const parsed = coordinatorIdSchema.safeParse(fields);
    if (!parsed.success) return refuse("Coordinatore non valido.");
    const result = liftCoordinatorLoginSuspension(db, { id: parsed.data.id, actorId: admin.id });
    if (!result.ok) return refuse(result.error, 409);
    return json<ActionData>({
      intent: "manage",
      ok: true,
      message: result.lifted
        ? `Accesso riattivato per ${result.email}: ${result.name} può entrare subito con la sua password.`
        : `L'accesso di ${result.email} non è più sospeso: la sospensione era già terminata, non è stato necessario riattivarlo.`,
    });
  }

  return refuse("Operazione non riconosciuta.");
}

const STATE_LABELS: Record<CoordinatorState, string> = {
  attivo: "Attivo",
  invitato: "Invitato",
  disattivato: "Disattivato",
};

const ROLE_OPTIONS = COORDINATOR_ROLE_VALUES.map((value) => ({ value, label: COORDINATOR_ROLE_LABELS[value] }));

export default function CoordinatorsPage() {
  const { currentId, coordinators } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = submissionUnderWay(navigation);
  const manage = actionData?.intent === "manage" ? actionData : undefined;
  const invite = actionData?.intent === "invite" ? actionData : undefined;
  const toDisable = actionData?.intent === "confirm-disable" ? actionData : undefined;

  return (
    <>
      <h1>Coordinatori</h1>
      <p>Chi può entrare nell'area coordinatori. Gli amministratori possono anche invitare e gestire gli altri.</p>

      <FormRefusal message={manage && !manage.ok ? manage.formError : null} />
      {actionData?.ok ? (
        <div className="alert alert-success" role="status">
          {actionData.message}
        </div>
      ) : null}
      {toDisable ? <DisableConfirmation coordinator={toDisable.coordinator} errors={toDisable.errors} /> : null}

      <TableScroll>
        <table className="table align-middle">
          <TableCaption className="visually-hidden">Coordinatori del portale</TableCaption>
          <thead>
            <tr>
              <th scope="col">Nome</th>
              <th scope="col">Email</th>
              <th scope="col">Ruolo</th>
              <th scope="col">Stato</th>
              <th scope="col">Creato il</th>
              <th scope="col">Azioni</th>
            </tr>
          </thead>
          <tbody>
            {coordinators.map((c) => {
              const self = c.id === currentId;
              const expired = c.state === "invitato" && c.inviteExpiresAt && new Date(c.inviteExpiresAt) < new Date();
              return (
                <tr key={c.id}>
                  <th scope="row">
                    {c.name}
                    {self ? " (tu)" : ""}
                  </th>
                  <td>{c.email}</td>
                  <td>{COORDINATOR_ROLE_LABELS[c.role]}</td>
                  <td>
                    {STATE_LABELS[c.state]}
                    {expired ? <span className="d-block small">invito scaduto</span> : null}
                    {c.loginSuspendedUntil ? (
                      <strong className="d-block small">
                        Accesso sospeso fino alle {formatTimeIt(new Date(c.loginSuspendedUntil))} (ora italiana) per troppi tentativi non
                        riusciti
                      </strong>
                    ) : null}
                  </td>
                  <td>{formatDateIt(new Date(c.createdAt))}</td>
                  <td>
                    {self ? (
                      <>
                        <span className="small">
                          La tua password si cambia da <Link to="/admin/account">Il mio account</Link>.{" "}
                          <Link to={`/admin/coordinatori/${c.id}/email`}>
                            Cambia email<span className="visually-hidden"> del tuo account</span>
                          </Link>
                        </span>
                        {c.loginSuspendedUntil ? <UnlockForm id={c.id} name={c.name} busy={busy} className="mt-2" /> : null}
                      </>
                    ) : (
                      <div className="d-flex flex-wrap gap-3 align-items-end">
                        <Form method="post" className="d-flex gap-2 align-items-end">
                          <AuthenticityTokenInput name="csrf" />
                          <input type="hidden" name="intent" value="role" />
                          <input type="hidden" name="id" value={c.id} />
                          <div>
                            <label htmlFor={`role-${c.id}`} className="visually-hidden">
                              Ruolo di {c.name}
                            </label>
                            <select id={`role-${c.id}`} name="role" className="form-select form-select-sm" defaultValue={c.role}>
                              {ROLE_OPTIONS.map((o) => (
                                <option key={o.value} value={o.value}>
                                  {o.label}
                                </option>
                              ))}
                            </select>
                          </div>
                          <button type="submit" className="btn btn-outline-primary btn-sm" disabled={busy}>
                            Cambia ruolo<span className="visually-hidden"> di {c.name}</span>
                          </button>
                        </Form>
                        <Form method="post">
                          <AuthenticityTokenInput name="csrf" />
                          <input type="hidden" name="intent" value={c.state === "disattivato" ? "enable" : "disable"} />
                          <input type="hidden" name="id" value={c.id} />
                          <button
                            type="submit"
                            className={`btn btn-sm ${c.state === "disattivato" ? "btn-outline-primary" : "btn-outline-danger"}`}
                            disabled={busy}
                          >
                            {c.state === "disattivato" ? "Riattiva" : "Disattiva"}
                            <span className="visually-hidden"> {c.name}</span>
                          </button>
                        </Form>
                        <Link to={`/admin/coordinatori/${c.id}/email`} className="small">
                          Cambia email<span className="visually-hidden"> di {c.name}</span>
                        </Link>
                        {c.loginSuspendedUntil ? <UnlockForm id={c.id} name={c.name} busy={busy} /> : null}
                        {c.state === "attivo" ? (
                          <Form method="post">
                            <AuthenticityTokenInput name="csrf" />
                            <input type="hidden" name="intent" value="reset-password" />
                            <input type="hidden" name="id" value={c.id} />
                            <button type="submit" className="btn btn-link btn-sm p-0" disabled={busy}>
                              Invia link per reimpostare la password<span className="visually-hidden"> a {c.name}</span>
                            </button>
                          </Form>
                        ) : null}
                        {c.state === "invitato" ? (
                          <Form method="post">
                            <AuthenticityTokenInput name="csrf" />
                            <input type="hidden" name="intent" value="invite" />
                            <input type="hidden" name="name" value={c.name} />
                            <input type="hidden" name="email" value={c.email} />
                            <input type="hidden" name="role" value={c.role} />
                            <button type="submit" className="btn btn-link btn-sm p-0" disabled={busy}>
                              Invia di nuovo l'invito<span className="visually-hidden"> a {c.name}</span>
                            </button>
                          </Form>
                        ) : null}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>

      <section aria-labelledby="invite-title" className="mt-5" style={{ maxWidth: "40rem" }}>
        <h2 id="invite-title">Invita un coordinatore</h2>
        <p>
          Riceverà un'email con un collegamento, valido 7 giorni e utilizzabile una sola volta, per scegliere la propria
          password.
        </p>
        <InviteForm
          key={invite?.ok ? invite.sentAt : "invite"}
          values={invite && !invite.ok ? invite.values : EMPTY_INVITE}
          serverErrors={invite && !invite.ok ? invite.errors : undefined}
          formError={invite && !invite.ok ? invite.formError : undefined}
          busy={busy}
        />
      </section>
    </>
  );
}

/** «Riattiva l'accesso»: forgets the wrong passwords that suspended the sign-in with the coordinator's address. */
function UnlockForm({ id, name, busy, className }: { id: number; name: string; busy: boolean; className?: string }) {
  return (
    <Form method="post" className={className}>
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="unlock" />
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="btn btn-outline-primary btn-sm" disabled={busy}>
        Riattiva l'accesso<span className="visually-hidden"> di {name}</span>
      </button>
    </Form>
  );
}

/** What «Disattiva» does, and the tick that confirms it. */
function DisableConfirmation({ coordinator: c, errors }: { coordinator: { id: number; name: string; email: string }; errors: Record<string, string> }) {
  return (
    <AskedConfirmation
      id="disattiva"
      title={`Disattivare ${c.name}?`}
      summarySubject="Il modulo di disattivazione"
      confirmLabel={`Confermo: voglio disattivare l'account di ${c.name}`}
      submitLabel="Disattiva l'account"
      schema={disableCoordinatorSchema}
      hidden={{ intent: "disable", id: String(c.id) }}
      serverErrors={errors}
      back={{ to: "/admin/coordinatori", label: "Non disattivare e torna all'elenco" }}
    >
      <p>
        {c.name} ({c.email}) non potrà più entrare nell'area coordinatori: le sue sessioni aperte si chiudono subito, anche se
        sta lavorando in questo momento. Potrai riattivarne l'account in qualsiasi momento con «Riattiva».
      </p>
    </AskedConfirmation>
  );
}

type InviteFormProps = { values: InviteValues; serverErrors?: Record<string, string>; formError?: string; busy: boolean };

// Without JavaScript the typed values come back from the action as defaultValue attributes.
function InviteForm({ values, serverErrors, formError, busy }: InviteFormProps) {
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<InviteCoordinatorInput>({
    schema: inviteCoordinatorSchema,
    defaultValues: values,
    serverErrors,
    formError,
  });
  return (
    <Form method="post" noValidate onSubmit={onSubmit}>
      <AuthenticityTokenInput name="csrf" />
      <input type="hidden" name="intent" value="invite" />
      {showSummary ? (
        <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} subject="L'invito" failureTitle="Invito non inviato" />
      ) : null}
      <TextField label="Nome" autoComplete="off" defaultValue={values.name} error={errorFor("name")} {...form.register("name")} />
      <TextField
        label="Email"
        type="email"
        autoComplete="off"
        defaultValue={values.email}
        error={errorFor("email")}
        {...form.register("email")}
      />
      <SelectField
        label="Ruolo"
        options={ROLE_OPTIONS}
        placeholder="Scegli il ruolo"
        defaultValue={values.role}
        error={errorFor("role")}
        {...form.register("role")}
      />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Invia invito
      </button>
    </Form>
  );
}
