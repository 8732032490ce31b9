import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { RoundTableForm } from "~/components/round-table-form";
import { createRoundTable, duplicateRoundTableValues, nextRoundTableNumber, parseRoundTableId } from "~/models/round-table.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { roundTableHeading } from "~/utils/round-table-calendar";
import { roundTableWhen } from "~/utils/round-table-format";
import { emptyRoundTableForm, roundTableFormValuesOf, roundTableSchema, type RoundTableFormValues } from "~/validation/round-table";
import { coordinatorPageTitle } from "~/utils/page-title";

export const meta: MetaFunction = () => [{ title: coordinatorPageTitle("Nuovo Tavolo tecnico") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const db = getDb();
  const sourceId = parseRoundTableId(new URL(request.url).searchParams.get("da") ?? undefined);
  const duplicate = sourceId ? duplicateRoundTableValues(db, { id: sourceId }) : null;
  const proposedNumber = nextRoundTableNumber(db);
  return json({
    proposedNumber,
    numberHint: duplicate?.reusesCancelledNumber
      ? `Proposto: ${duplicate.values.number}, il numero del tavolo annullato che stai riproponendo. Lascialo vuoto per un incontro senza numero.`
      : `Proposto: ${proposedNumber}, il successivo all'ultimo. Lascialo vuoto per un incontro senza numero.`,
    values: duplicate?.values ?? { ...emptyRoundTableForm, number: String(proposedNumber) },
    source: duplicate
      ? {
          id: duplicate.source.id,
          name: `${roundTableHeading(duplicate.source)}: ${duplicate.source.title}`,
          when: roundTableWhen(duplicate.source),
        }
      : null,
  });
}

type ActionData = { errors: Record<string, string>; formError?: string; values: RoundTableFormValues };

export async function action({ request }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  const values = roundTableFormValuesOf(formData);
  const parsed = roundTableSchema.safeParse(values);
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  const duplicatedFromId = parseRoundTableId(String(formData.get("da") ?? ""));
  const result = createRoundTable(getDb(), { input: parsed.data, coordinatorId: coordinator.id, duplicatedFromId });
  if (!result.ok) return json<ActionData>({ errors: result.errors, formError: result.formError, values }, { status: 400 });
  return redirect(`/admin/tavoli/${result.id}?esito=creato`);
}

export default function NewRoundTablePage() {
  const { values, source, numberHint } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <Breadcrumb parents={[{ to: "/admin/tavoli", label: "Tavoli tecnici" }]} current="Nuovo" />
      <h1>Nuovo Tavolo tecnico</h1>
      {source ? (
        <div className="alert alert-info" role="status">
          Stai partendo da una copia di «{source.name}» ({source.when}): scegli la data e controlla gli altri dati.
        </div>
      ) : null}
      <p>Il tavolo viene salvato in bozza: non è visibile al pubblico finché non lo pubblichi.</p>
      <RoundTableForm
        values={actionData?.values ?? values}
        serverErrors={actionData?.errors}
        formError={actionData?.formError}
        submitLabel="Salva in bozza"
        hidden={source ? { da: String(source.id) } : {}}
        numberHint={numberHint}
        timesHint={source ? `Il tavolo di partenza si è tenuto ${source.when}.` : undefined}
      />
    </>
  );
}
