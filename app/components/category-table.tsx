import type { CSSProperties, ReactNode } from "react";
import type { SaiCategory } from "#db/enums";
import { SAI_CATEGORY_LABELS } from "~/validation/labels";
import { TableCaption } from "./table-scroll";

type CategoryRow = { category: SaiCategory; projects: number; places: number };

type CategoryTableProps = {
  rows: readonly CategoryRow[];
  caption: ReactNode;
  captionClassName?: string;
  className: string;
  style?: CSSProperties;
  /** The home page and the coordinators' overview write their numbers differently. */
  formatNumber: (value: number) => string;
  /** Shown as a "Totale" row in the table's foot when given. */
  total?: { projects: number; places: number };
};

/** SAI projects and funded places per tipologia. */
export function CategoryTable({ rows, caption, captionClassName, className, style, formatNumber, total }: CategoryTableProps) {
  return (
    <table className={className} style={style}>
      <TableCaption className={captionClassName}>{caption}</TableCaption>
      <thead>
        <tr>
          <th scope="col">Tipologia</th>
          {["Progetti", "Posti finanziati"].map((label) => (
            <th scope="col" className="text-end" key={label}>
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.category}>
            <th scope="row">{SAI_CATEGORY_LABELS[c.category]}</th>
            <td className="text-end">{formatNumber(c.projects)}</td>
            <td className="text-end">{formatNumber(c.places)}</td>
          </tr>
        ))}
      </tbody>
      {total ? (
        <tfoot>
          <tr>
            <th scope="row">Totale</th>
            <td className="text-end">{formatNumber(total.projects)}</td>
            <td className="text-end">{formatNumber(total.places)}</td>
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}
