import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Announcement, CheckboxField, Table, type Column } from '../../../app/ui.js';
import { ApiError } from '../../../core/api.js';

/**
 * A small form and table kit for the admin screens: a labelled field with its error, a table, and
 * the banners for a refusal (with the fields and limits the server named) and for a success.
 * Styles are scoped by `.admin-kit` and kept here so that the kit is one folder.
 */

export const ADMIN_KIT_CSS = `
.admin-kit .field { display: flex; flex-direction: column; gap: 2px; margin: 4px 8px 8px 0; }
.admin-kit .field > label { font-weight: 600; font-size: .9rem; }
.admin-kit .field input, .admin-kit .field select, .admin-kit .field textarea { font: inherit; padding: 4px 6px; }
.admin-kit .field [aria-invalid='true'] { border: 2px solid #b3261e; }
.admin-kit .field .hint { color: #57606a; font-size: .8rem; }
.admin-kit .field .field-error { color: #b3261e; font-size: .85rem; font-weight: 600; }
.admin-kit .fields { display: flex; flex-wrap: wrap; align-items: flex-start; }
.admin-kit table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: .9rem; }
.admin-kit th, .admin-kit td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; }
.admin-kit tr[aria-selected='true'] { background: #eef4ff; }
.admin-kit .banner { padding: 8px 12px; border-radius: 4px; margin: 8px 0; }
.admin-kit .banner.refusal { background: #ffd7d5; }
.admin-kit .banner.ok { background: #d1f0d9; }
.admin-kit .banner ul { margin: 4px 0 0; padding-left: 20px; }
.admin-kit fieldset { border: 1px solid #ccc; border-radius: 4px; margin: 8px 0; }
`;

export function KitStyles() {
  return <style>{ADMIN_KIT_CSS}</style>;
}

/** An admin screen: the kit's styles, and its heading, which names the section for screen readers. */
export function AdminSection(props: { headingId: string; title: string; children: ReactNode }) {
  return (
    <section className="admin-kit" aria-labelledby={props.headingId}>
      <KitStyles />
      <h2 id={props.headingId}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** Field path -> message, from an API refusal (400 issues) or a client-side zod failure. */
export type FieldErrors = Record<string, string>;

/**
 * The issues of a refusal by field (the first message per field); {} for other errors. A 409
 * names its field first ("code: disposition SALE already exists"): that field gets the rest,
 * unless `fromConflict` is false (the banner, which shows the whole message already).
 */
export function fieldErrors(err: unknown, opts: { fromConflict?: boolean } = {}): FieldErrors {
  const out: FieldErrors = {};
  const issues =
    err instanceof ApiError
      ? err.issues
      : isZodLike(err)
        ? err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
        : [];
  for (const i of issues) {
    const path = i.path.replace(/^body\./, '');
    if (!(path in out)) out[path] = i.message;
  }
  if ((opts.fromConflict ?? true) && err instanceof ApiError && err.status === 409) {
    const m = /^([a-zA-Z][\w.]*): (.+)$/s.exec(err.message);
    if (m?.[1] && m[2] && !(m[1] in out)) out[m[1]] = m[2];
  }
  return out;
}

function isZodLike(
  err: unknown,
): err is { issues: Array<{ path: PropertyKey[]; message: string }> } {
  return (
    typeof err === 'object' &&
    err !== null &&
    Array.isArray((err as { issues?: unknown }).issues) &&
    !(err instanceof ApiError)
  );
}

export interface FieldA11y {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/**
 * A labelled control with an optional hint (the limit) and error. `children` receives the
 * attributes the control needs so that the label, hint and error are announced with it.
 */
export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (a11y: FieldA11y) => ReactNode;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field" data-field={props.id}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        'aria-invalid': Boolean(props.error),
        ...(describedBy && { 'aria-describedby': describedBy }),
      })}
      {props.hint && (
        <span className="hint" id={hintId}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span className="field-error" id={errorId} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** A `Field` holding one text-like `<input>` (text, tel, number, password): the common case. */
export function TextField(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  value: string;
  onChange(value: string): void;
  type?: 'tel' | 'number' | 'password';
  inputMode?: 'numeric';
  /** The id of a `<datalist>` of suggestions. */
  list?: string;
  autoComplete?: string;
  autoFocus?: boolean;
}) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {(a) => (
        <input
          {...a}
          type={props.type}
          inputMode={props.inputMode}
          list={props.list}
          autoComplete={props.autoComplete}
          autoFocus={props.autoFocus}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A `Field` holding one `<select>`; `children` are its options. */
export function SelectField(props: {
  id: string;
  label: string;
  error?: string | undefined;
  value: string;
  onChange(value: string): void;
  children: ReactNode;
}) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      {(a) => (
        <select {...a} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          {props.children}
        </select>
      )}
    </Field>
  );
}

export type { Column };
export { CheckboxField };

/** A plain table with a caption (for screen readers) and one row per item. */
export function DataTable<T>(props: {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey(row: T): string;
  selectedKey?: string | null;
  empty?: string;
}) {
  return (
    <Table
      caption={props.caption}
      columns={props.columns}
      rows={props.rows}
      rowKey={(r) => props.rowKey(r)}
      rowAttrs={(r) => {
        const key = props.rowKey(r);
        return { 'data-key': key, 'aria-selected': props.selectedKey === key ? true : undefined };
      }}
      empty={props.empty ?? 'Nothing yet.'}
    />
  );
}

/** A refusal: the server's message and each field with its limit. Nothing when `error` is null. */
export function RefusalBanner(props: { error: unknown; title?: string }) {
  if (!props.error) return null;
  const e = props.error;
  const message =
    e instanceof ApiError
      ? e.message
      : isZodLike(e)
        ? 'Some fields are out of range.'
        : e instanceof Error
          ? e.message
          : String(e);
  const issues = Object.entries(fieldErrors(e, { fromConflict: false }));
  return (
    <div className="banner refusal" role="alert" data-testid="refusal">
      <strong>{props.title ?? 'Not saved'}:</strong> {message}
      {issues.length > 0 && (
        <ul>
          {issues.map(([path, msg]) => (
            <li key={path}>
              <code>{path}</code>: {msg}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Success feedback, announced politely. */
export function SuccessBanner(props: { message: string | null }) {
  return <Announcement message={props.message} role="status" className="banner ok" tag="div" />;
}

/**
 * A form's heading that takes the focus when the form opens, so that a keyboard user who pressed
 * "Edit" continues in the form (and a screen reader announces which one).
 */
export function FormHeading(props: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h3 ref={ref} tabIndex={-1}>
      {props.children}
    </h3>
  );
}

/**
 * An inline destructive button that asks once more before it acts (no modal: the question and
 * its answers stay in the tab order). `verb` is the button ("Delete"), `gerund` names the group
 * ("deleting"), `question` is what it asks ("Delete pause code AUX?").
 */
export function ConfirmButton(props: {
  verb: string;
  gerund: string;
  what: string;
  question: string;
  onConfirm(): Promise<unknown>;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        onClick={() => setAsking(true)}
        aria-label={`${props.verb} ${props.what}`}
      >
        {props.verb}
      </button>
    );
  }
  return (
    <span role="group" aria-label={`Confirm ${props.gerund} ${props.what}`}>
      {props.question}{' '}
      <button
        type="button"
        className="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          void props.onConfirm();
        }}
      >
        Yes, {props.verb.toLowerCase()}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
