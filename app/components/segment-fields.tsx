import { SAI_CATEGORIES, type SaiCategory } from "#db/enums";
import { fieldId } from "~/utils/form-data";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";

// The two fieldsets that choose a segment of the active referenti (invitations, comunicazioni):
// provinces and SAI tipologie, as checkboxes named `provincia` and `tipologia`. None ticked: all.

export type ProvinceChoice = { code: string; sigla: string; name: string };

const CATEGORY_OPTIONS = SAI_CATEGORIES.map((c) => ({ value: c, label: SAI_CATEGORY_LABELS[c as SaiCategory], id: `tipologia-${fieldId(c.replace("/", "-"))}` }));

export function SegmentFields({ provinces, values }: { provinces: ProvinceChoice[]; values: { provincia: string[]; tipologia: string[] } }) {
  return (
    <div className="row">
      <fieldset className="col-md-6 mb-4" aria-describedby="province-hint">
        <legend className="h5">Province</legend>
        <p id="province-hint" className="form-text mt-0">
          Nessuna scelta: tutte le province. Ogni ente rientra nella provincia in cui ha sede: un Comune nella sua, gli altri
          enti in quella indicata nella scheda.
        </p>
        {provinces.map((p) => (
          <div className="form-check" key={p.code}>
            <input type="checkbox" name="provincia" id={`provincia-${p.code}`} value={p.code} defaultChecked={values.provincia.includes(p.code)} />
            <label htmlFor={`provincia-${p.code}`} style={{ fontWeight: 400 }}>
              {p.name} ({p.sigla})
            </label>
          </div>
        ))}
      </fieldset>
      <fieldset className="col-md-6 mb-4" aria-describedby="tipologia-hint">
        <legend className="h5">Tipologia progetto</legend>
        <p id="tipologia-hint" className="form-text mt-0">
          Nessuna scelta: tutte le tipologie. Con una scelta: gli enti con almeno un progetto SAI aperto di quella tipologia (anche se ha superato la data di fine, finché non viene chiuso).
        </p>
        {CATEGORY_OPTIONS.map((c) => (
          <div className="form-check" key={c.value}>
            <input type="checkbox" name="tipologia" id={c.id} value={c.value} defaultChecked={values.tipologia.includes(c.value)} />
            <label htmlFor={c.id} style={{ fontWeight: 400 }}>
              {c.label}
            </label>
          </div>
        ))}
      </fieldset>
    </div>
  );
}

/** "Provincia di Palermo, Catania · tipologia MSNA", or "tutti i referenti attivi". */
export function describeSegment(
  segment: { provinceCodes: string[]; categories: string[] },
  provinces: ProvinceChoice[],
) {
  const names = segment.provinceCodes.map((code) => provinces.find((p) => p.code === code)?.name ?? code);
  const parts = [
    names.length > 0 ? `${names.length === 1 ? "provincia" : "province"}: ${names.join(", ")}` : null,
    segment.categories.length > 0 ? `${segment.categories.length === 1 ? "tipologia" : "tipologie"}: ${segment.categories.map((c) => SAI_CATEGORY_LABELS[c as SaiCategory] ?? c).join(", ")}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? `Referenti attivi (${parts.join("; ")})` : "Tutti i referenti attivi";
}
