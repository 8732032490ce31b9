import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Breadcrumb } from "~/components/breadcrumb";
import { ErrorSummary } from "~/components/form-fields";
import { MaterialDetailsFields } from "~/components/material-fields";
import { useValidatedForm } from "~/components/use-validated-form";
import {
  documentFileInfo,
  getRoundTableMaterial,
  MATERIAL_NOT_FOUND_MESSAGE,
  materialSource,
  updateMaterial,
  type Material,
} from "~/models/material.server";
import { getRoundTable, parseRoundTableId } from "~/models/round-table.server";
import { requireCoordinator } from "~/utils/auth.server";
import { validateCsrf } from "~/utils/csrf.server";
import { formatDateTimeIt } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { issuesToFieldErrors } from "~/utils/form-data";
import { parseRecordId } from "~/utils/record-id";
import { roundTableHeading, roundTableHeadingAfter } from "~/utils/round-table-calendar";
import {
  CANCELLED_MATERIALS_NOT_EDITABLE,
  editMaterialSchema,
  kindsFor,
  MATERIAL_VISIBILITY_LABELS,
  type MaterialDetailsFormValues,
} from "~/validation/material";
import { FormActions } from "~/components/form-actions";
import { coordinatorPageTitle } from "~/utils/page-title";

// A coordinator corrects a material of a Tavolo tecnico: kind, title, "a cura di", visibility. The
// file or the link stays (replacing it is deleting and adding again), and so does its address
// /materiali/:id, already emailed to the invitees. A material of another Tavolo answers 404, as one
// that does not exist. (The trailing underscores keep this page out of the other pages' layouts.)

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? coordinatorPageTitle(`Modifica materiale «${data.material.title}» - ${data.heading}: ${data.roundTableTitle}`)
      : coordinatorPageTitle("Materiale non trovato"),
  },
];

const notFound = (message: string) => new Response(message, { status: 404, statusText: "Not Found" });

/** The round table and its material named by the address; 404 for either unknown, or a material of another round table. */
function findMaterial(params: LoaderFunctionArgs["params"]) {
  const db = getDb();
  const roundTableId = parseRoundTableId(params.id);
  const rt = roundTableId ? getRoundTable(db, { id: roundTableId }) : null;
  if (!rt) throw notFound("Tavolo tecnico non trovato.");
  const materialId = parseRecordId(params.materialId);
  const material = materialId ? getRoundTableMaterial(db, { id: materialId, roundTableId: rt.id }) : null;
  if (!material) throw notFound(MATERIAL_NOT_FOUND_MESSAGE);
  return { rt, material };
}

const formValuesOf = (m: Material): MaterialDetailsFormValues => ({ kind: m.kind, title: m.title, curatedBy: m.curatedBy ?? "", visibility: m.visibility });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireCoordinator(request);
  const { rt, material } = findMaterial(params);
  return json({
    roundTableId: rt.id,
    heading: roundTableHeading(rt),
    ofHeading: roundTableHeadingAfter("di", rt),
    roundTableTitle: rt.title,
    // A cancelled Tavolo's materials no longer change (updateMaterial refuses): the page has no form.
    cancelled: rt.status === "cancelled",
    material: {
      id: material.id,
      title: material.title,
      source: materialSource(material),
      url: material.url,
      downloadName: material.downloadName,
      fileInfo: material.url ? null : documentFileInfo(material),
      announcedAt: material.announcedAt ? formatDateTimeIt(material.announcedAt) : null,
    },
    values: formValuesOf(material),
  });
}

type ActionData = { errors: Record<string, string>; values: MaterialDetailsFormValues; formError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const coordinator = await requireCoordinator(request);
  const formData = await request.formData();
  await validateCsrf(request, formData);
  // Checked before any validation, so a material of another Tavolo gives no hint through the messages.
  const { rt, material } = findMaterial(params);
  const text = (name: string) => String(formData.get(name) ?? "");
  const values: MaterialDetailsFormValues = { kind: text("kind"), title: text("title"), curatedBy: text("curatedBy"), visibility: text("visibility") };
  const parsed = editMaterialSchema(materialSource(material)).safeParse(values);
  if (!parsed.success) return json<ActionData>({ errors: issuesToFieldErrors(parsed.error.issues), values }, { status: 400 });
  const result = updateMaterial(getDb(), { id: material.id, roundTableId: rt.id, coordinatorId: coordinator.id, ...parsed.data });
  if (!result.ok && result.reason === "invalid") return json<ActionData>({ errors: result.errors, values }, { status: 400 });
  if (!result.ok && result.reason === "cancelled") return json<ActionData>({ errors: {}, values, formError: result.error }, { status: 409 });
  if (!result.ok) throw notFound(result.error);
  return redirect(`/admin/tavoli/${rt.id}?esito=${result.changed ? "materiale-aggiornato" : "materiale-invariato"}#materiali-sezione`);
}

export default function EditMaterialPage() {
  const { roundTableId, heading, ofHeading, roundTableTitle, cancelled, material, values } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const schema = editMaterialSchema(material.source);
  // What was typed comes back from the action (the fields' only source without JavaScript).
  const initial = actionData?.values ?? values;
  const { form, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<MaterialDetailsFormValues>({
    schema,
    defaultValues: initial,
    serverErrors: cancelled ? undefined : actionData?.errors,
  });
  const back = `/admin/tavoli/${roundTableId}#materiali-sezione`;
  return (
    <div className="row">
      <div className="col-lg-8">
        <Breadcrumb
          parents={[
            { to: "/admin/tavoli", label: "Tavoli tecnici" },
            { to: `/admin/tavoli/${roundTableId}`, label: heading },
          ]}
          current="Modifica materiale"
        />
        <h1>Modifica materiale: {material.title}</h1>
        <p>
          Materiale {ofHeading}: {roundTableTitle}.
        </p>
        <dl>
          <dt>{material.source === "link" ? "Link" : "File"}</dt>
          <dd>
            {material.url ? (
              <a href={material.url} rel="noopener noreferrer">
                {material.url}
              </a>
            ) : (
              <>
                <a href={`/materiali/${material.id}`}>{material.downloadName}</a> ({material.fileInfo})
              </>
            )}
          </dd>
          {material.announcedAt ? (
            <>
              <dt>Annunciato agli invitati</dt>
              <dd>il {material.announcedAt}</dd>
            </>
          ) : null}
        </dl>
        {cancelled ? (
          // A form opened before the cancellation and sent anyway was refused: this says why.
          <>
            <p className={actionData ? "alert alert-danger" : "alert alert-info"} role={actionData ? "alert" : undefined} data-outcome={actionData ? "" : undefined}>
              {CANCELLED_MATERIALS_NOT_EDITABLE}
            </p>
            <p>
              <Link to={back}>Torna al tavolo</Link>
            </p>
          </>
        ) : (
          <>
            <p>
              Puoi correggere tipo, titolo, «a cura di» e visibilità. {material.source === "link" ? "Il link resta" : "Il file resta"} lo
              stesso (per sostituirlo elimina il materiale e aggiungilo di nuovo) e l'indirizzo del materiale non cambia: i collegamenti
              già inviati agli invitati continuano a funzionare. Se lo rendi «{MATERIAL_VISIBILITY_LABELS.members}», da quel momento
              possono aprirlo solo i referenti degli enti aderenti che hanno effettuato l'accesso, anche dai collegamenti già inviati.
            </p>
            <Form method="post" noValidate onSubmit={onSubmit}>
              <AuthenticityTokenInput name="csrf" />
              {showSummary ? (
                <ErrorSummary ref={summaryRef} errors={summaryErrors} subject="Il modulo del materiale" failureTitle="Il materiale non è stato aggiornato" />
              ) : null}
              <MaterialDetailsFields prefix="" kinds={kindsFor(material.source)} initial={initial} register={(name) => form.register(name as never)} errorFor={errorFor} />
              <FormActions submitLabel="Salva le modifiche" cancelTo={back} />
            </Form>
          </>
        )}
      </div>
    </div>
  );
}
