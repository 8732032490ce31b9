import { Form, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";
import { useEffect, useRef, useState, type MouseEvent } from "react";
import { useController, useFieldArray } from "react-hook-form";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { HoneypotInputs } from "remix-utils/honeypot/react";
import { MEMBER_BODY_KINDS, REFERENT_ROLES, SAI_CATEGORIES } from "#db/enums";
import { MEMBER_BODY_KIND_LABELS, REFERENT_ROLE_LABELS, SAI_CATEGORY_LABELS } from "~/validation/labels";
import { emptyProject, registrationSchema } from "~/validation/registration";
import { ComunePicker, useComunePickerList } from "./comune-picker";
import { CheckboxField, ErrorSummary, SelectField, TextField } from "./form-fields";
import { PhoneFields } from "./phone-fields";
import { useValidatedForm } from "./use-validated-form";
import { useIndexFormAction } from "./use-index-form-action";

export type RegistrationFormValues = {
  bodyKind: string;
  municipalityCode: string;
  bodyName: string;
  provinceCode: string;
  pec: string;
  fiscalCode: string;
  firstName: string;
  lastName: string;
  role: string;
  office: string;
  email: string;
  phone: string;
  mobile: string;
  noActiveProjects: boolean;
  projects: (typeof emptyProject)[];
  privacyConsent: boolean;
};

export const initialRegistrationValues: RegistrationFormValues = {
  bodyKind: "comune",
  municipalityCode: "",
  bodyName: "",
  provinceCode: "",
  pec: "",
  fiscalCode: "",
  firstName: "",
  lastName: "",
  role: "",
  office: "",
  email: "",
  phone: "",
  mobile: "",
  noActiveProjects: false,
  projects: [emptyProject],
  privacyConsent: false,
};

// What is typed is kept in the tab's sessionStorage (decision 037): Back or a reload give it back,
// and it ends with the tab. Storage may be refused (privacy settings): the scheda is then not kept.
const DRAFT = "sai-bozza:adesione";
const inTab = (use: (storage: Storage) => unknown) => {
  try {
    return use(sessionStorage);
  } catch {
    return null;
  }
};

const options = <T extends string>(values: readonly T[], labels: Record<T, string>) =>
  values.map((value) => ({ value, label: labels[value] }));

type Props = {
  /** The provinces of the region(s), for the seat of an ente other than a Comune. */
  provinces: { value: string; label: string }[];
  values: RegistrationFormValues;
  serverErrors: Record<string, string>;
  formError?: string;
  formErrorLink?: { href: string; text: string };
  focusField?: string;
  /** What the server did to the projects without JavaScript («Progetto 2 rimosso»), said by the projects' status. */
  projectsNotice?: string;
};

export function RegistrationForm({ provinces, values, serverErrors, formError, formErrorLink, focusField, projectsNotice }: Props) {
  const formAction = useIndexFormAction();
  const navigation = useNavigation();
  // The comuni and those with an active referente: fetched once hydrated, for the combobox.
  const comuni = useComunePickerList();
  // The projects of the scheda when it was last sent (by their field-array ids): react-hook-form
  // validates a project added since at once, which marked all its empty fields.
  const [sentIds, setSentIds] = useState<ReadonlySet<string> | null>(null);
  const projectIds = useRef<string[]>([]);
  const { form, hydrated, summaryRef, summaryErrors, errorFor, showSummary, onSubmit } = useValidatedForm<RegistrationFormValues>({
    schema: registrationSchema,
    defaultValues: values,
    serverErrors,
    formError,
    addedSinceSent: (name: string): boolean => {
      const index = /^projects\.(\d+)\./.exec(name)?.[1];
      return index !== undefined && sentIds !== null && !sentIds.has(projectIds.current[Number(index)] ?? "");
    },
  });
  const { register, control, watch } = form;
  const projects = useFieldArray({ control, name: "projects" });
  projectIds.current = projects.fields.map((f) => f.id);
  const municipality = useController({ control, name: "municipalityCode" });

  // After hydration, a fresh page (not the server's answer) takes back the scheda kept in the tab;
  // the consent is ticked again. The CSRF token and the honeypot are not form values: never kept.
  const [said, setSaid] = useState("");
  useEffect(() => {
    const kept = values === initialRegistrationValues && (inTab((storage) => JSON.parse(storage.getItem(DRAFT)!)) as RegistrationFormValues | null);
    if (kept) {
      form.reset({ ...kept, privacyConsent: false });
      setSaid("Abbiamo ripreso i dati che avevi inserito in questa scheda.");
    }
    return form.watch((typed) => inTab((storage) => storage.setItem(DRAFT, JSON.stringify(typed)))).unsubscribe;
    // Once per form: the route draws a new one for each answer of the server, which carries its values.
  }, [form]);
  // Sent: the page it leads to is loading, and the scheda is no longer needed.
  if (navigation.location?.pathname === "/adesione/inviata") inTab((storage) => storage.removeItem(DRAFT));

  useEffect(() => {
    if (focusField) document.getElementById(focusField.replace(/\./g, "-"))?.focus();
  }, [focusField]);

  // A project added or removed moves the focus (to the new project's first field, or to "Aggiungi
  // progetto" as the removed button is gone) and is said by a polite status, emptied first so the
  // same words twice are said twice.
  const [notice, setNotice] = useState(projectsNotice ?? "");
  const changeProjects = (event: MouseEvent, change: () => void, focusId: string, said: string) => {
    event.preventDefault();
    change();
    setNotice("");
    setTimeout(() => {
      document.getElementById(focusId)?.focus();
      setNotice(said);
    }, 0);
  };
  const count = projects.fields.length;
  // The last project removed, with its values, until «Annulla» puts it back or the list changes again.
  const [removed, setRemoved] = useState<[number, typeof emptyProject] | null>(null);
  const addProject = (event: MouseEvent) =>
    changeProjects(event, () => (projects.append({ ...emptyProject }, { shouldFocus: false }), setRemoved(null)), `projects-${count}-category`, `Progetto ${count + 1} aggiunto`);
  const removeProject = (index: number) => (event: MouseEvent) =>
    changeProjects(event, () => (setRemoved([index, form.getValues(`projects.${index}`)]), projects.remove(index)), "add-project", `Progetto ${index + 1} rimosso`);
  const undoRemoval = (event: MouseEvent) =>
    removed && changeProjects(event, () => (projects.insert(removed[0], removed[1], { shouldFocus: false }), setRemoved(null)), `projects-${removed[0]}-category`, `Progetto ${removed[0] + 1} ripristinato`);

  const bodyKind = watch("bodyKind");
  const noActiveProjects = watch("noActiveProjects");
  const isComune = bodyKind === "comune";
  const projectFields = hydrated ? projects.fields : values.projects.map((p, i) => ({ ...p, id: String(i) }));

  return (
    <Form
      method="post"
      action={formAction}
      noValidate
      onSubmit={(event) => {
        setSentIds(new Set(projectIds.current));
        onSubmit(event);
      }}
      aria-describedby="form-intro"
    >
      {/* Enter in a field sends the scheda: a form's first submit button is the one Enter presses,
          and without this one it would be "Rimuovi progetto". Not shown, not focusable, not announced. */}
      <button type="submit" hidden tabIndex={-1} aria-hidden="true" />
      <AuthenticityTokenInput name="csrf" />
      <HoneypotInputs label="Non compilare questo campo" />
      {showSummary ? <ErrorSummary ref={summaryRef} errors={summaryErrors} formError={formError} formErrorLink={formErrorLink} subject="La scheda" failureTitle="Non è stato possibile inviare la scheda" /> : null}
      <div role="status" className={said && "alert alert-info"}>
        {said}
      </div>
      {hydrated ? (
        <button
          type="button"
          className="btn btn-outline-secondary btn-sm mb-3"
          onClick={() => {
            if (confirm("Vuoi cancellare tutti i dati inseriti nella scheda?")) {
              inTab((storage) => storage.removeItem(DRAFT));
              location.replace(location.pathname);
            }
          }}
        >
          Svuota il modulo
        </button>
      ) : null}
      <p id="form-intro">
        Tutti i campi sono obbligatori, tranne quelli indicati come facoltativi.
      </p>

      <fieldset className="mb-5">
        <legend className="h3">L'ente</legend>
        <SelectField
          label="Tipo di ente"
          options={options(MEMBER_BODY_KINDS, MEMBER_BODY_KIND_LABELS)}
          defaultValue={values.bodyKind}
          error={errorFor("bodyKind")}
          {...register("bodyKind")}
        />
        {!hydrated || isComune ? (
          <div className="only-comune">
            <ComunePicker
              name="municipalityCode"
              label="Comune"
              // Once hydrated the select becomes the combobox (ComunePicker): each is told its own way.
              hint={
                hydrated
                  ? "Scrivi il nome del Comune e sceglilo dall'elenco (solo per i Comuni)."
                  : "Scegli il Comune dall'elenco, diviso per provincia (solo per i Comuni)."
              }
              error={errorFor("municipalityCode")}
              provinces={comuni.list?.provinces ?? null}
              loadFailed={comuni.failed}
              value={municipality.field.value}
              onChange={municipality.field.onChange}
              onBlur={municipality.field.onBlur}
            />
            {hydrated && comuni.list?.handover.includes(municipality.field.value) ? (
              <div className="alert alert-info" role="status">
                Questo Comune ha già un referente attivo: inviando la scheda chiederai di subentrargli. La richiesta di
                subentro sarà valutata dai coordinatori e il referente attuale ne riceverà notizia.
              </div>
            ) : null}
          </div>
        ) : null}
        {!hydrated || !isComune ? (
          <div className="only-other-bodies">
            <TextField
              label="Denominazione ente"
              hint="Ad esempio: Unione dei Comuni delle Madonie (per gli enti diversi da un Comune)."
              defaultValue={values.bodyName}
              error={errorFor("bodyName")}
              autoComplete="organization"
              {...register("bodyName")}
            />
            <SelectField
              label="Provincia"
              hint="La provincia in cui ha sede l'ente (per gli enti diversi da un Comune). I coordinatori la usano per gli inviti ai Tavoli tecnici e le comunicazioni per territorio."
              options={provinces}
              placeholder="Scegli la provincia"
              defaultValue={values.provinceCode}
              error={errorFor("provinceCode")}
              {...register("provinceCode")}
            />
          </div>
        ) : null}
        <TextField
          label="PEC dell'ente"
          type="email"
          hint="L'indirizzo di posta elettronica certificata dell'ente, ad esempio protocollo@pec.comune.esempio.it"
          defaultValue={values.pec}
          error={errorFor("pec")}
          {...register("pec")}
        />
        <TextField
          label="Codice fiscale dell'ente"
          inputMode="numeric"
          hint="11 cifre"
          defaultValue={values.fiscalCode}
          error={errorFor("fiscalCode")}
          {...register("fiscalCode")}
        />
      </fieldset>

      <fieldset className="mb-5">
        <legend className="h3">Il referente</legend>
        <div className="row">
          <div className="col-md-6">
            <TextField label="Nome" autoComplete="given-name" defaultValue={values.firstName} error={errorFor("firstName")} {...register("firstName")} />
          </div>
          <div className="col-md-6">
            <TextField label="Cognome" autoComplete="family-name" defaultValue={values.lastName} error={errorFor("lastName")} {...register("lastName")} />
          </div>
        </div>
        <SelectField
          label="Ruolo"
          options={options(REFERENT_ROLES, REFERENT_ROLE_LABELS)}
          defaultValue={values.role}
          error={errorFor("role")}
          {...register("role")}
        />
        <TextField
          label="Ufficio o settore"
          hint="Ad esempio: Settore Servizi Sociali"
          defaultValue={values.office}
          error={errorFor("office")}
          {...register("office")}
        />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          hint="Ti invieremo un messaggio per confermarla."
          defaultValue={values.email}
          error={errorFor("email")}
          {...register("email")}
        />
        <PhoneFields values={values} errorFor={errorFor} register={register} ownNumbers />
      </fieldset>

      <fieldset className="mb-5">
        <legend className="h3">I progetti SAI dell'ente</legend>
        <CheckboxField
          label="L'ente non ha progetti SAI attivi (nessun progetto attivo)"
          defaultChecked={values.noActiveProjects}
          error={errorFor("noActiveProjects")}
          {...register("noActiveProjects")}
        />
        {errorFor("projects") ? (
          <p id="projects" className="field-error" tabIndex={-1}>
            {errorFor("projects")}
          </p>
        ) : null}
        {!hydrated || !noActiveProjects ? (
          <div className="projects-list">
            {projectFields.map((field, index) => (
              <fieldset key={field.id} className="project-card">
                <legend className="h4">Progetto {index + 1}</legend>
                <div className="row">
                  <div className="col-md-6">
                    <SelectField
                      label="Tipologia"
                      options={options(SAI_CATEGORIES, SAI_CATEGORY_LABELS)}
                      defaultValue={values.projects[index]?.category}
                      error={errorFor(`projects.${index}.category`)}
                      // Without JavaScript the page comes back from the server: it opens where the
                      // person was (the project just added, or "Aggiungi progetto" after a removal).
                      autoFocus={!hydrated && focusField === `projects.${index}.category`}
                      {...register(`projects.${index}.category`)}
                    />
                  </div>
                  <div className="col-md-6">
                    <TextField
                      label="Posti finanziati"
                      // Text, not a number field: a browser takes «2.000» for 2, and a scroll of the wheel changes it.
                      inputMode="numeric"
                      defaultValue={values.projects[index]?.fundedPlaces}
                      error={errorFor(`projects.${index}.fundedPlaces`)}
                      {...register(`projects.${index}.fundedPlaces`)}
                    />
                  </div>
                </div>
                <TextField
                  label="Codice progetto (facoltativo)"
                  hint="Ad esempio PROG-1776-PR-3"
                  defaultValue={values.projects[index]?.projectCode}
                  error={errorFor(`projects.${index}.projectCode`)}
                  {...register(`projects.${index}.projectCode`)}
                />
                <TextField
                  label="Ente attuatore"
                  hint="L'organizzazione che gestisce il progetto"
                  defaultValue={values.projects[index]?.managingOrganization}
                  error={errorFor(`projects.${index}.managingOrganization`)}
                  {...register(`projects.${index}.managingOrganization`)}
                />
                <div className="row">
                  <div className="col-md-6">
                    <TextField
                      label="Data di inizio"
                      type="date"
                      defaultValue={values.projects[index]?.startDate}
                      error={errorFor(`projects.${index}.startDate`)}
                      {...register(`projects.${index}.startDate`)}
                    />
                  </div>
                  <div className="col-md-6">
                    <TextField
                      label="Data di fine"
                      type="date"
                      defaultValue={values.projects[index]?.endDate}
                      error={errorFor(`projects.${index}.endDate`)}
                      {...register(`projects.${index}.endDate`)}
                    />
                  </div>
                </div>
                <button
                  type="submit"
                  name="intent"
                  value={`remove-project:${index}`}
                  formNoValidate
                  className="btn btn-outline-danger btn-sm"
                  onClick={hydrated ? removeProject(index) : undefined}
                >
                  Rimuovi progetto<span className="visually-hidden"> {index + 1}</span>
                </button>
              </fieldset>
            ))}
            {removed ? (
              <p className="alert alert-secondary">
                Progetto {removed[0] + 1} rimosso.{" "}
                <button type="button" className="btn btn-link p-0 align-baseline" onClick={undoRemoval}>
                  Annulla<span className="visually-hidden"> la rimozione</span>
                </button>
              </p>
            ) : null}
            <button
              id="add-project"
              type="submit"
              name="intent"
              value="add-project"
              formNoValidate
              className="btn btn-outline-primary"
              autoFocus={!hydrated && focusField === "add-project"}
              // Without JavaScript the page comes back with the focus here: it says what was removed.
              aria-describedby={!hydrated && focusField === "add-project" ? "projects-status" : undefined}
              onClick={hydrated ? addProject : undefined}
            >
              Aggiungi progetto
            </button>
          </div>
        ) : null}
        <p id="projects-status" className="visually-hidden" role="status">
          {notice}
        </p>
      </fieldset>

      <fieldset className="mb-5">
        <legend className="h3">Privacy</legend>
        <CheckboxField
          label="Ho letto l'informativa sul trattamento dei dati personali (art. 13 GDPR)"
          hint={
            <>
              <a href="/privacy" target="_blank" rel="noopener">
                Leggi l'informativa privacy (si apre in una nuova scheda)
              </a>
            </>
          }
          defaultChecked={values.privacyConsent}
          error={errorFor("privacyConsent")}
          {...register("privacyConsent")}
        />
      </fieldset>

      <button type="submit" className="btn btn-primary btn-lg" disabled={submissionUnderWay(navigation)}>
        Invia la scheda
      </button>
    </Form>
  );
}
