import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import {
  DispositionCreateBody,
  DispositionUpdateBody,
  PauseCodeCreateBody,
  PauseCodeUpdateBody,
  type AdminDisposition,
  type AdminPauseCode,
  type Me,
} from '@ringside/protocol';
import {
  CheckboxField,
  ConfirmButton,
  DataTable,
  fieldErrors,
  AdminSection,
  RefusalBanner,
  SuccessBanner,
  TextField,
  type Column,
  type FieldErrors,
} from '../shared/kit.js';
import { attempt, fieldBinder } from '../shared/forms.js';
import { adminListsApi } from '../lists/api.js';
import { CampaignPicker, useCampaigns } from '../lists/CampaignPicker.js';

const CODE_HINT = '1-16 of A-Z 0-9 _';
/** The name field's words, the same in the add form and in an edited row. */
const NAME_FIELD = { label: 'Name', hint: '1-100 characters' } as const;

/**
 * Binds text fields to a draft `D` (fieldBinder), `set` taking the whole patched draft; `B`: the
 * part of `D` whose keys are bound (the common CodeDraft where `D` is any code table's draft).
 */
const draftBinder = <B extends object, D extends B = B>(
  draft: D,
  set: (d: D) => void,
  errs: FieldErrors,
) => fieldBinder<B>(draft, (patch) => set({ ...draft, ...patch }), errs);

/** '' when the field is empty, else the number (the server names the limit when it is off). */
const toInt = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/** The scope picker of both code screens: system-wide or one campaign's own codes. */
function useScope(): { scope: string; picker: ReactNode } {
  const { campaigns, error } = useCampaigns();
  const [scope, setScope] = useState('');
  return {
    scope,
    picker: (
      <CampaignPicker
        id="codes-scope"
        label="Codes of"
        campaigns={campaigns}
        value={scope}
        onChange={setScope}
        allowSystem="System-wide (every campaign)"
        error={error}
      />
    ),
  };
}

/** What every code row and every draft of one has; the code cannot change once created. */
interface CodeRow {
  id: string;
  code: string;
  name: string;
}
interface CodeDraft {
  code: string;
  name: string;
}

/** A column after Name: how a row reads, and its control while the row is edited. */
interface CodeColumn<R, D> {
  header: string;
  view(row: R): ReactNode;
  edit(row: R, draft: D, setDraft: (d: D) => void, errs: FieldErrors): ReactNode;
}

/** What tells one code screen from the other: its words, its ids, its columns and its API. */
interface CodeTableSpec<R extends CodeRow, D extends CodeDraft> {
  /** Lower case, singular: "pause code" (messages capitalise it). */
  noun: string;
  title: string;
  titleId: string;
  addTitleId: string;
  /** Prefix of the form controls' ids: `${idPrefix}-name-<id>`, `new-${idPrefix}-code`. */
  idPrefix: string;
  intro?: ReactNode;
  blank: D;
  toDraft(row: R): D;
  columns: ReadonlyArray<CodeColumn<R, D>>;
  /** The add form's fields after Code and Name. */
  addFields(adding: D, setAdding: (d: D) => void, errs: FieldErrors): ReactNode;
  list(campaignId: string | null): Promise<R[]>;
  create(campaignId: string | null, draft: D): Promise<R>;
  update(id: string, draft: D): Promise<unknown>;
  remove(id: string): Promise<unknown>;
}

/**
 * A code table's create and update: both send the draft's editable `fields`, create adds the
 * campaign and the code. Checked with the server's own schemas first: bad input is refused next
 * to its field and never sent (a ZodError, which the kit shows like the server's 400).
 */
function codeWrites<D extends CodeDraft, C, U, R extends CodeRow>(
  fields: (d: D) => object,
  create: { body: { parse(v: unknown): C }; send(body: C): Promise<R> },
  update: { body: { parse(v: unknown): U }; send(id: string, patch: U): Promise<R> },
): Pick<CodeTableSpec<R, D>, 'create' | 'update'> {
  return {
    create: (campaignId, d) =>
      create.send(create.body.parse({ campaignId, code: d.code.trim(), ...fields(d) })),
    update: (id, d) => update.send(id, update.body.parse(fields(d))),
  };
}

/** A yes/no column edited with a checkbox named after the row's code. */
function flagColumn<
  K extends string,
  R extends CodeRow & Record<K, boolean>,
  D extends Record<K, boolean>,
>(key: K, header: string, no: string): CodeColumn<R, D> {
  return {
    header,
    view: (r) => (r[key] ? 'yes' : no),
    edit: (r, draft, setDraft) => (
      <input
        type="checkbox"
        aria-label={`${header} (${r.code})`}
        checked={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })}
      />
    ),
  };
}

/** Codes, system-wide or a campaign's own: inline add, edit and delete. */
function CodeTableSection<R extends CodeRow, D extends CodeDraft>({
  spec,
}: {
  spec: CodeTableSpec<R, D>;
}) {
  const { scope, picker } = useScope();
  const [rows, setRows] = useState<R[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<D>(spec.blank);
  const [adding, setAdding] = useState<D>(spec.blank);
  const [addError, setAddError] = useState<unknown>(null);
  const Noun = spec.noun.charAt(0).toUpperCase() + spec.noun.slice(1);

  const reload = useCallback(async () => {
    try {
      setRows(await spec.list(scope || null));
    } catch (err) {
      setError(err);
    }
  }, [scope, spec]);
  useEffect(() => {
    // Another scope: the last scope's edit and messages no longer apply to what is on screen.
    setEditing(null);
    setError(null);
    setAddError(null);
    setDone(null);
    void reload();
  }, [reload]);

  // The table first, then the message: "saved" announces a table that already shows it.
  const act = (what: () => Promise<unknown>, message: string) =>
    attempt(
      async () => {
        await what();
        setEditing(null);
        await reload();
        return message;
      },
      setError,
      setDone,
    );

  const add = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(
      async () => {
        const r = await spec.create(scope || null, adding);
        setAdding(spec.blank);
        await reload();
        return `${Noun} ${r.code} added.`;
      },
      setAddError,
      setDone,
    );
  };

  const errs = fieldErrors(error);
  const editable = (c: CodeColumn<R, D>): Column<R> => ({
    header: c.header,
    cell: (r) => (editing === r.id ? c.edit(r, draft, setDraft, errs) : c.view(r)),
  });
  const columns: Array<Column<R>> = [
    { header: 'Code', cell: (r) => <code>{r.code}</code> },
    editable({
      header: 'Name',
      view: (r) => r.name,
      edit: (r) => (
        <TextField
          id={`${spec.idPrefix}-name-${r.id}`}
          {...NAME_FIELD}
          {...draftBinder<CodeDraft, D>(draft, setDraft, errs)('name')}
        />
      ),
    }),
    ...spec.columns.map(editable),
    {
      header: 'Actions',
      cell: (r) =>
        editing === r.id ? (
          <>
            <button
              type="button"
              className="primary"
              onClick={() => void act(() => spec.update(r.id, draft), `${Noun} ${r.code} saved.`)}
            >
              Save
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                // A refusal of the abandoned edit no longer applies to anything on screen.
                setError(null);
                setEditing(null);
              }}
            >
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              aria-label={`Edit ${r.code}`}
              onClick={() => {
                setError(null);
                setEditing(r.id);
                setDraft(spec.toDraft(r));
              }}
            >
              Edit
            </button>{' '}
            <ConfirmButton
              verb="Delete"
              gerund="deleting"
              what={`${spec.noun} ${r.code}`}
              question={`Delete ${spec.noun} ${r.code}?`}
              onConfirm={() => act(() => spec.remove(r.id), `${Noun} ${r.code} deleted.`)}
            />
          </>
        ),
    },
  ];

  const addErrs = fieldErrors(addError);
  return (
    <AdminSection headingId={spec.titleId} title={spec.title}>
      {spec.intro}
      {picker}
      <RefusalBanner error={error} />
      <SuccessBanner message={done} />
      <DataTable
        caption={spec.title}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        selectedKey={editing}
        empty={`No ${spec.noun} in this scope.`}
      />
      <form onSubmit={(e) => void add(e)} aria-labelledby={spec.addTitleId}>
        <h3 id={spec.addTitleId}>Add a {spec.noun}</h3>
        <div className="fields">
          <TextField
            id={`new-${spec.idPrefix}-code`}
            label="Code"
            hint={CODE_HINT}
            error={addErrs.code}
            value={adding.code}
            onChange={(code) => setAdding({ ...adding, code: code.toUpperCase() })}
          />
          <TextField
            id={`new-${spec.idPrefix}-name`}
            {...NAME_FIELD}
            {...draftBinder<CodeDraft, D>(adding, setAdding, addErrs)('name')}
          />
          {spec.addFields(adding, setAdding, addErrs)}
        </div>
        <button type="submit" className="primary">
          Add {spec.noun}
        </button>
        <RefusalBanner error={addError} />
      </form>
    </AdminSection>
  );
}

const FLAGS = [
  ['humanAnswered', 'Human answered'],
  ['sale', 'Sale'],
  ['dnc', 'Adds to DNC'],
  ['callback', 'Callback'],
  ['final', 'Final'],
] as const;
type Flag = (typeof FLAGS)[number][0];

interface DispositionDraft extends CodeDraft, Record<Flag, boolean> {
  sortOrder: string;
}

const flagsOf = (d: Record<Flag, boolean>): Record<Flag, boolean> => ({
  humanAnswered: d.humanAnswered,
  sale: d.sale,
  dnc: d.dnc,
  callback: d.callback,
  final: d.final,
});

/** The sort order field's words, the same in the add form and in an edited row. */
const SORT_FIELD = { label: 'Sort order', hint: '-1000 to 1000', type: 'number' } as const;

const DISPOSITIONS: CodeTableSpec<AdminDisposition, DispositionDraft> = {
  noun: 'disposition',
  title: 'Dispositions',
  titleId: 'dispositions-title',
  addTitleId: 'add-disposition-title',
  idPrefix: 'disp',
  intro: (
    <p>
      A campaign’s own code replaces the system-wide code of the same name for that campaign. The
      code cannot change once created (call logs and reports refer to it).
    </p>
  ),
  blank: {
    code: '',
    name: '',
    sortOrder: '0',
    humanAnswered: true,
    sale: false,
    dnc: false,
    callback: false,
    final: false,
  },
  toDraft: (d) => ({ code: d.code, name: d.name, sortOrder: String(d.sortOrder), ...flagsOf(d) }),
  columns: [
    ...FLAGS.map(([flag, label]) =>
      flagColumn<Flag, AdminDisposition, DispositionDraft>(flag, label, '—'),
    ),
    {
      header: 'Order',
      view: (d) => d.sortOrder,
      edit: (d, draft, setDraft, errs) => (
        <TextField
          id={`disp-order-${d.id}`}
          {...SORT_FIELD}
          {...draftBinder<DispositionDraft>(draft, setDraft, errs)('sortOrder')}
        />
      ),
    },
  ],
  addFields: (adding, setAdding, errs) => (
    <>
      <TextField
        id="new-disp-order"
        {...SORT_FIELD}
        {...draftBinder<DispositionDraft>(adding, setAdding, errs)('sortOrder')}
      />
      <fieldset>
        <legend>Flags</legend>
        {FLAGS.map(([flag, label]) => (
          <CheckboxField
            key={flag}
            style={{ marginRight: '1rem' }}
            label={label}
            checked={adding[flag]}
            onChange={(on) => setAdding({ ...adding, [flag]: on })}
          />
        ))}
      </fieldset>
    </>
  ),
  list: async (campaignId) => (await adminListsApi.dispositions(campaignId)).dispositions,
  ...codeWrites(
    (d: DispositionDraft) => ({ name: d.name, sortOrder: toInt(d.sortOrder), ...flagsOf(d) }),
    { body: DispositionCreateBody, send: adminListsApi.createDisposition },
    { body: DispositionUpdateBody, send: adminListsApi.updateDisposition },
  ),
  remove: (id) => adminListsApi.deleteDisposition(id),
};

interface PauseCodeDraft extends CodeDraft {
  billable: boolean;
  /** Minutes per day; '' for no limit. */
  dailyLimitMin: string;
}

/** The daily limit field's words, the same in the add form and in an edited row. */
const LIMIT_FIELD = {
  label: 'Daily limit (min)',
  hint: '1-1440; empty: no limit',
  type: 'number',
} as const;
const limitOf = (s: string): number | null => (s.trim() === '' ? null : toInt(s));

const PAUSE_CODES: CodeTableSpec<AdminPauseCode, PauseCodeDraft> = {
  noun: 'pause code',
  title: 'Pause codes',
  titleId: 'pause-codes-title',
  addTitleId: 'add-pause-title',
  idPrefix: 'pause',
  blank: { code: '', name: '', billable: false, dailyLimitMin: '' },
  toDraft: (p) => ({
    code: p.code,
    name: p.name,
    billable: p.billable,
    dailyLimitMin: p.dailyLimitMin ? String(p.dailyLimitMin) : '',
  }),
  columns: [
    flagColumn<'billable', AdminPauseCode, PauseCodeDraft>('billable', 'Billable', 'no'),
    {
      header: 'Daily limit',
      view: (p) => (p.dailyLimitMin ? `${p.dailyLimitMin} min` : 'none'),
      edit: (p, draft, setDraft, errs) => (
        <TextField
          id={`pause-limit-${p.id}`}
          {...LIMIT_FIELD}
          {...draftBinder<PauseCodeDraft>(draft, setDraft, errs)('dailyLimitMin')}
        />
      ),
    },
  ],
  addFields: (adding, setAdding, errs) => (
    <>
      <CheckboxField
        label="Billable (paid time)"
        checked={adding.billable}
        onChange={(billable) => setAdding({ ...adding, billable })}
      />
      <TextField
        id="new-pause-limit"
        {...LIMIT_FIELD}
        {...draftBinder<PauseCodeDraft>(adding, setAdding, errs)('dailyLimitMin')}
      />
    </>
  ),
  list: async (campaignId) => (await adminListsApi.pauseCodes(campaignId)).pauseCodes,
  ...codeWrites(
    (p: PauseCodeDraft) => ({
      name: p.name,
      billable: p.billable,
      dailyLimitMin: limitOf(p.dailyLimitMin),
    }),
    { body: PauseCodeCreateBody, send: adminListsApi.createPauseCode },
    { body: PauseCodeUpdateBody, send: adminListsApi.updatePauseCode },
  ),
  remove: (id) => adminListsApi.deletePauseCode(id),
};

/** Dispositions, system-wide or a campaign's own: inline add, edit and delete. */
export function DispositionsSection(_props: { me: Me; path: string }) {
  return <CodeTableSection spec={DISPOSITIONS} />;
}

/** Pause codes, system-wide or a campaign's own, with their billable flag. */
export function PauseCodesSection(_props: { me: Me; path: string }) {
  return <CodeTableSection spec={PAUSE_CODES} />;
}
