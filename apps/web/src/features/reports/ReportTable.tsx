import type { ReactNode } from 'react';

/** One column of a report table: its header, and the cell of a row. */
export interface ReportColumn<T> {
  header: string;
  cell(row: T): ReactNode;
}

/**
 * A report's table: a header row, then one row per item whose first cell is the row's header
 * (`<th scope="row">`, e.g. the agent), so a screen reader names each cell by row and column.
 */
export function ReportTable<T>(props: {
  columns: ReadonlyArray<ReportColumn<T>>;
  rows: readonly T[];
  rowKey(row: T, index: number): string;
  /** Attributes of a row (a class, data-* for tests). */
  rowAttrs?(row: T): { className?: string | undefined; [data: `data-${string}`]: string };
}) {
  const [first, ...rest] = props.columns;
  return (
    <table className="rp-table">
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r, i) => (
          <tr key={props.rowKey(r, i)} {...props.rowAttrs?.(r)}>
            {first && <th scope="row">{first.cell(r)}</th>}
            {rest.map((c) => (
              <td key={c.header}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
