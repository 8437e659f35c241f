import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AdminDisposition, AdminPauseCode, Me } from '@ringside/protocol';
import {
  DataTable,
  Field,
  fieldErrors,
  KitStyles,
  RefusalBanner,
  SuccessBanner,
  type Column,
} from '../shared/kit.js';
import { adminListsApi } from '../lists/api.js';
import { CampaignPicker, useCampaigns } from '../lists/CampaignPicker.js';

const FLAGS = [
  ['humanAnswered', 'Human answered'],
  ['sale', 'Sale'],
  ['dnc', 'Adds to DNC'],
  ['callback', 'Callback'],
  ['final', 'Final'],
] as const;
type Flag = (typeof FLAGS)[number][0];

const CODE_HINT = '1-16 of A-Z 0-9 _';

interface DispositionDraft {
  code: string;
  name: string;
  sortOrder: string;
  flags: Record<Flag, boolean>;
}

const NEW_DISPOSITION: DispositionDraft = {
  code: '',
  name: '',
  sortOrder: '0',
  flags: { humanAnswered: true, sale: false, dnc: false, callback: false, final: false },
};

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

/** Inline "Delete" that asks once more before it acts (no modal: stays in the tab order). */
function ConfirmDelete(props: { what: string; onConfirm(): Promise<void> }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="danger"
        onClick={() => setAsking(true)}
        aria-label={`Delete ${props.what}`}
      >
        Delete
      </button>
    );
  }
  return (
    <span role="group" aria-label={`Confirm deleting ${props.what}`}>
      Delete {props.what}?{' '}
      <button
        type="button"
        className="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          void props.onConfirm();
        }}
      >
        Yes, delete
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

/** Dispositions, system-wide or a campaign's own: inline add, edit and delete. */
export function DispositionsSection(_props: { me: Me; path: string }) {
  const { scope, picker } = useScope();
  const [rows, setRows] = useState<AdminDisposition[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<DispositionDraft>(NEW_DISPOSITION);
  const [adding, setAdding] = useState<DispositionDraft>(NEW_DISPOSITION);
  const [addError, setAddError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      setRows((await adminListsApi.dispositions(scope || null)).dispositions);
    } catch (err) {
      setError(err);
    }
  }, [scope]);
  useEffect(() => {
    setEditing(null);
    void reload();
  }, [reload]);

  const act = async (what: () => Promise<unknown>, message: string) => {
    try {
      await what();
      setError(null);
      setDone(message);
      setEditing(null);
      await reload();
    } catch (err) {
      setDone(null);
      setError(err);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const d = await adminListsApi.createDisposition({
        campaignId: scope || null,
        code: adding.code.trim(),
        name: adding.name,
        sortOrder: toInt(adding.sortOrder),
        ...adding.flags,
      });
      setAddError(null);
      setAdding(NEW_DISPOSITION);
      setDone(`Disposition ${d.code} added.`);
      await reload();
    } catch (err) {
      setDone(null);
      setAddError(err);
    }
  };

  const errs = fieldErrors(error);
  const columns: Array<Column<AdminDisposition>> = [
    { header: 'Code', cell: (d) => <code>{d.code}</code> },
    {
      header: 'Name',
      cell: (d) =>
        editing === d.id ? (
          <Field id={`disp-name-${d.id}`} label="Name" hint="1-100 characters" error={errs.name}>
            {(a) => (
              <input
                {...a}
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            )}
          </Field>
        ) : (
          d.name
        ),
    },
    ...FLAGS.map(([flag, label]): Column<AdminDisposition> => ({
      header: label,
      cell: (d) =>
        editing === d.id ? (
          <input
            type="checkbox"
            aria-label={`${label} (${d.code})`}
            checked={draft.flags[flag]}
            onChange={(e) =>
              setDraft({ ...draft, flags: { ...draft.flags, [flag]: e.target.checked } })
            }
          />
        ) : d[flag] ? (
          'yes'
        ) : (
          '—'
        ),
    })),
    {
      header: 'Order',
      cell: (d) =>
        editing === d.id ? (
          <Field
            id={`disp-order-${d.id}`}
            label="Sort order"
            hint="-1000 to 1000"
            error={errs.sortOrder}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                value={draft.sortOrder}
                onChange={(e) => setDraft({ ...draft, sortOrder: e.target.value })}
              />
            )}
          </Field>
        ) : (
          d.sortOrder
        ),
    },
    {
      header: 'Actions',
      cell: (d) =>
        editing === d.id ? (
          <>
            <button
              type="button"
              className="primary"
              onClick={() =>
                void act(
                  () =>
                    adminListsApi.updateDisposition(d.id, {
                      name: draft.name,
                      sortOrder: toInt(draft.sortOrder),
                      ...draft.flags,
                    }),
                  `Disposition ${d.code} saved.`,
                )
              }
            >
              Save
            </button>{' '}
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              aria-label={`Edit ${d.code}`}
              onClick={() => {
                setError(null);
                setEditing(d.id);
                setDraft({
                  code: d.code,
                  name: d.name,
                  sortOrder: String(d.sortOrder),
                  flags: {
                    humanAnswered: d.humanAnswered,
                    sale: d.sale,
                    dnc: d.dnc,
                    callback: d.callback,
                    final: d.final,
                  },
                });
              }}
            >
              Edit
            </button>{' '}
            <ConfirmDelete
              what={`disposition ${d.code}`}
              onConfirm={() =>
                act(() => adminListsApi.deleteDisposition(d.id), `Disposition ${d.code} deleted.`)
              }
            />
          </>
        ),
    },
  ];

  const addErrs = fieldErrors(addError);
  return (
    <section className="admin-kit" aria-labelledby="dispositions-title">
      <KitStyles />
      <h2 id="dispositions-title">Dispositions</h2>
      <p>
        A campaign’s own code replaces the system-wide code of the same name for that campaign. The
        code cannot change once created (call logs and reports refer to it).
      </p>
      {picker}
      <RefusalBanner error={error} />
      <SuccessBanner message={done} />
      <DataTable
        caption="Dispositions"
        columns={columns}
        rows={rows}
        rowKey={(d) => d.id}
        selectedKey={editing}
        empty="No disposition in this scope."
      />
      <form onSubmit={(e) => void add(e)} aria-labelledby="add-disposition-title">
        <h3 id="add-disposition-title">Add a disposition</h3>
        <div className="fields">
          <Field id="new-disp-code" label="Code" hint={CODE_HINT} error={addErrs.code}>
            {(a) => (
              <input
                {...a}
                value={adding.code}
                onChange={(e) => setAdding({ ...adding, code: e.target.value.toUpperCase() })}
              />
            )}
          </Field>
          <Field id="new-disp-name" label="Name" hint="1-100 characters" error={addErrs.name}>
            {(a) => (
              <input
                {...a}
                value={adding.name}
                onChange={(e) => setAdding({ ...adding, name: e.target.value })}
              />
            )}
          </Field>
          <Field
            id="new-disp-order"
            label="Sort order"
            hint="-1000 to 1000"
            error={addErrs.sortOrder}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                value={adding.sortOrder}
                onChange={(e) => setAdding({ ...adding, sortOrder: e.target.value })}
              />
            )}
          </Field>
          <fieldset>
            <legend>Flags</legend>
            {FLAGS.map(([flag, label]) => (
              <label key={flag} style={{ marginRight: '1rem' }}>
                <input
                  type="checkbox"
                  checked={adding.flags[flag]}
                  onChange={(e) =>
                    setAdding({ ...adding, flags: { ...adding.flags, [flag]: e.target.checked } })
                  }
                />{' '}
                {label}
              </label>
            ))}
          </fieldset>
        </div>
        <button type="submit" className="primary">
          Add disposition
        </button>
        <RefusalBanner error={addError} />
      </form>
    </section>
  );
}

/** Pause codes, system-wide or a campaign's own, with their billable flag. */
export function PauseCodesSection(_props: { me: Me; path: string }) {
  const { scope, picker } = useScope();
  const [rows, setRows] = useState<AdminPauseCode[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState({ name: '', billable: false });
  const [adding, setAdding] = useState({ code: '', name: '', billable: false });
  const [addError, setAddError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      setRows((await adminListsApi.pauseCodes(scope || null)).pauseCodes);
    } catch (err) {
      setError(err);
    }
  }, [scope]);
  useEffect(() => {
    setEditing(null);
    void reload();
  }, [reload]);

  const act = async (what: () => Promise<unknown>, message: string) => {
    try {
      await what();
      setError(null);
      setDone(message);
      setEditing(null);
      await reload();
    } catch (err) {
      setDone(null);
      setError(err);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const p = await adminListsApi.createPauseCode({
        campaignId: scope || null,
        code: adding.code.trim(),
        name: adding.name,
        billable: adding.billable,
      });
      setAddError(null);
      setAdding({ code: '', name: '', billable: false });
      setDone(`Pause code ${p.code} added.`);
      await reload();
    } catch (err) {
      setDone(null);
      setAddError(err);
    }
  };

  const errs = fieldErrors(error);
  const columns: Array<Column<AdminPauseCode>> = [
    { header: 'Code', cell: (p) => <code>{p.code}</code> },
    {
      header: 'Name',
      cell: (p) =>
        editing === p.id ? (
          <Field id={`pause-name-${p.id}`} label="Name" hint="1-100 characters" error={errs.name}>
            {(a) => (
              <input
                {...a}
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            )}
          </Field>
        ) : (
          p.name
        ),
    },
    {
      header: 'Billable',
      cell: (p) =>
        editing === p.id ? (
          <input
            type="checkbox"
            aria-label={`Billable (${p.code})`}
            checked={draft.billable}
            onChange={(e) => setDraft({ ...draft, billable: e.target.checked })}
          />
        ) : p.billable ? (
          'yes'
        ) : (
          'no'
        ),
    },
    {
      header: 'Actions',
      cell: (p) =>
        editing === p.id ? (
          <>
            <button
              type="button"
              className="primary"
              onClick={() =>
                void act(
                  () => adminListsApi.updatePauseCode(p.id, draft),
                  `Pause code ${p.code} saved.`,
                )
              }
            >
              Save
            </button>{' '}
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              aria-label={`Edit ${p.code}`}
              onClick={() => {
                setError(null);
                setEditing(p.id);
                setDraft({ name: p.name, billable: p.billable });
              }}
            >
              Edit
            </button>{' '}
            <ConfirmDelete
              what={`pause code ${p.code}`}
              onConfirm={() =>
                act(() => adminListsApi.deletePauseCode(p.id), `Pause code ${p.code} deleted.`)
              }
            />
          </>
        ),
    },
  ];

  const addErrs = fieldErrors(addError);
  return (
    <section className="admin-kit" aria-labelledby="pause-codes-title">
      <KitStyles />
      <h2 id="pause-codes-title">Pause codes</h2>
      {picker}
      <RefusalBanner error={error} />
      <SuccessBanner message={done} />
      <DataTable
        caption="Pause codes"
        columns={columns}
        rows={rows}
        rowKey={(p) => p.id}
        selectedKey={editing}
        empty="No pause code in this scope."
      />
      <form onSubmit={(e) => void add(e)} aria-labelledby="add-pause-title">
        <h3 id="add-pause-title">Add a pause code</h3>
        <div className="fields">
          <Field id="new-pause-code" label="Code" hint={CODE_HINT} error={addErrs.code}>
            {(a) => (
              <input
                {...a}
                value={adding.code}
                onChange={(e) => setAdding({ ...adding, code: e.target.value.toUpperCase() })}
              />
            )}
          </Field>
          <Field id="new-pause-name" label="Name" hint="1-100 characters" error={addErrs.name}>
            {(a) => (
              <input
                {...a}
                value={adding.name}
                onChange={(e) => setAdding({ ...adding, name: e.target.value })}
              />
            )}
          </Field>
          <label>
            <input
              type="checkbox"
              checked={adding.billable}
              onChange={(e) => setAdding({ ...adding, billable: e.target.checked })}
            />{' '}
            Billable (paid time)
          </label>
        </div>
        <button type="submit" className="primary">
          Add pause code
        </button>
        <RefusalBanner error={addError} />
      </form>
    </section>
  );
}
