import { useEffect, type CSSProperties, type ReactNode } from 'react';

/**
 * Small presentational pieces the features share: announcements, a checkbox and a table over
 * columns. No state and no requests here.
 */

/**
 * `message` in a `tag` element a screen reader announces (`alert`: at once; `status`: politely);
 * nothing when `message` is null or empty.
 */
export function Announcement(props: {
  message: string | null;
  role: 'alert' | 'status';
  className: string;
  tag?: 'p' | 'div';
}) {
  if (!props.message) return null;
  const Tag = props.tag ?? 'p';
  return (
    <Tag role={props.role} className={props.className}>
      {props.message}
    </Tag>
  );
}

/**
 * A live region that is in the page from the start, empty while there is nothing to say: screen
 * readers announce only changes of a region they already know, so one inserted together with its
 * message may be missed. `alert`: at once; `status`: politely.
 */
export function LiveRegion(props: {
  message: string | null;
  role: 'alert' | 'status';
  className: string;
  tag?: 'p' | 'div';
}) {
  const Tag = props.tag ?? 'p';
  return (
    <Tag role={props.role} className={props.className}>
      {props.message ?? ''}
    </Tag>
  );
}

/** The page's title: `title` while the component is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** An error the user must see (announced at once); nothing when `message` is null. */
export function ErrorNotice(props: { message: string | null }) {
  return <Announcement message={props.message} role="alert" className="notice error" />;
}

/** A checkbox with its label after it (a flag of a form, a filter switch). */
export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  style?: CSSProperties;
}) {
  return (
    <label style={props.style}>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />{' '}
      {props.label}
    </label>
  );
}

/** One column of a table: its header, and the cell of a row. */
export interface Column<T> {
  header: string;
  cell(row: T): ReactNode;
}

/** Attributes of a table row: a class, ARIA state, data-* for tests. */
export type RowAttrs = {
  className?: string | undefined;
  'aria-selected'?: boolean | undefined;
} & { [data: `data-${string}`]: string };

/**
 * A table over `columns`, one row per item. `rowHeader`: the first cell is the row's header
 * (`<th scope="row">`), so a screen reader names each cell by row and column. `empty`: a row
 * that says so when there are no rows (none when omitted).
 */
export function Table<T>(props: {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey(row: T, index: number): string;
  rowAttrs?(row: T): RowAttrs;
  className?: string;
  /** Read by screen readers only. */
  caption?: string;
  rowHeader?: boolean;
  empty?: string;
}) {
  const cells = (r: T) =>
    props.columns.map((c, i) =>
      i === 0 && props.rowHeader ? (
        <th key={c.header} scope="row">
          {c.cell(r)}
        </th>
      ) : (
        <td key={c.header}>{c.cell(r)}</td>
      ),
    );
  return (
    <table className={props.className}>
      {props.caption !== undefined && <caption className="sr-only">{props.caption}</caption>}
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
        {props.rows.length === 0 && props.empty !== undefined ? (
          <tr>
            <td colSpan={props.columns.length}>{props.empty}</td>
          </tr>
        ) : (
          props.rows.map((r, i) => (
            <tr key={props.rowKey(r, i)} {...props.rowAttrs?.(r)}>
              {cells(r)}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
