import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { StateRuleBody, StateRulesResponse, StateRuleView, type Me } from '@ringside/protocol';
import { z } from 'zod';
import { adminRequest } from '../shared/http.js';
import { fieldBinder } from '../shared/forms.js';
import {
  ConfirmButton,
  DataTable,
  fieldErrors,
  FormHeading,
  KitStyles,
  RefusalBanner,
  SuccessBanner,
  TextField,
  type Column,
} from '../shared/kit.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const Deleted = z.object({ deleted: z.boolean() });

/** Days as one line: "Mon-Sat 08:00-20:00, Sun none" style, one entry per distinct window. */
export function describeDays(days: StateRuleView['days']): string {
  const label = (d: StateRuleView['days'][number]) => (d ? `${d[0]}-${d[1]}` : 'no calls');
  const all = days.map(label);
  if (all.every((x) => x === all[0])) return `every day ${all[0] ?? ''}`;
  return all.map((x, i) => `${(DAYS[i] ?? '').slice(0, 3)} ${x}`).join(', ');
}

interface Draft {
  state: string;
  days: Array<{ start: string; end: string; closed: boolean }>;
  cap: string;
  statute: string;
  note: string;
}

const draftOf = (r: StateRuleView | null): Draft => ({
  state: r?.state ?? '',
  days: (r?.days ?? Array.from({ length: 7 }, () => ['08:00', '20:00'] as const)).map((d) => ({
    start: d?.[0] ?? '08:00',
    end: d?.[1] ?? '20:00',
    closed: d === null,
  })),
  cap: r?.maxAttemptsPer24h === null || r === null ? '' : String(r.maxAttemptsPer24h),
  statute: r?.statute ?? '',
  note: r?.note ?? '',
});

/**
 * State calling rules (docs/dialer.md, "State rules"): the windows and attempt caps the dialer
 * enforces per state, with their statutes; an admin edits or removes them. Supervisors may read.
 */
export function StateRulesSection(props: { me: Me; path: string }) {
  const [data, setData] = useState<StateRulesResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [formError, setFormError] = useState<unknown>(null);
  const admin = props.me.role === 'admin';

  const load = useCallback(async () => {
    try {
      setData(await adminRequest('GET', '/api/admin/state-rules', StateRulesResponse));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setFormError(null);
    const body = {
      days: draft.days.map((d) => (d.closed ? null : [d.start, d.end])),
      maxAttemptsPer24h: draft.cap.trim() === '' ? null : Number(draft.cap),
      statute: draft.statute,
      note: draft.note,
    };
    const state = draft.state.trim().toUpperCase();
    // The server's own schemas, checked before sending (the server checks again).
    const checked = z
      .object({
        state: z.string().regex(/^[A-Z]{2}$/, { message: 'must be a 2-letter state code' }),
      })
      .safeParse({ state });
    const parsed = StateRuleBody.safeParse(body);
    if (!checked.success || !parsed.success) {
      setFormError(!checked.success ? checked.error : parsed.error);
      return;
    }
    try {
      await adminRequest('PUT', `/api/admin/state-rules/${state}`, StateRuleView, parsed.data);
      await load();
      setDraft(null);
      setDone(`Saved the rule of ${state}. The dialer uses it within seconds.`);
    } catch (err) {
      setFormError(err);
    }
  };

  const remove = async (state: string) => {
    try {
      await adminRequest('DELETE', `/api/admin/state-rules/${state}`, Deleted);
      await load();
      setDone(`Removed the rule of ${state}: the federal hours apply there.`);
    } catch (err) {
      setError(err);
    }
  };

  const columns: Column<StateRuleView>[] = [
    { header: 'State', cell: (r) => r.state },
    { header: 'Calling hours (local)', cell: (r) => describeDays(r.days) },
    {
      header: 'Calls per number per 24 h',
      cell: (r) => (r.maxAttemptsPer24h === null ? 'no cap' : `at most ${r.maxAttemptsPer24h}`),
    },
    { header: 'Statute', cell: (r) => r.statute },
    { header: 'Note', cell: (r) => r.note },
  ];
  /** Opens the form on a rule (null: a new one); earlier messages no longer apply. */
  const open = (r: StateRuleView | null) => {
    setDraft(draftOf(r));
    setFormError(null);
    setDone(null);
  };
  if (admin) {
    columns.push({
      header: 'Actions',
      cell: (r) => (
        <>
          <button type="button" onClick={() => open(r)} aria-label={`Edit ${r.state}`}>
            Edit
          </button>{' '}
          <ConfirmButton
            verb="Remove"
            gerund="removing"
            what={`the rule of ${r.state}`}
            question={`Remove the calling rule of ${r.state}?`}
            onConfirm={() => remove(r.state)}
          />
        </>
      ),
    });
  }
  const errs = fieldErrors(formError);
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  // The form shows only while there is a draft.
  const bind = fieldBinder(draft ?? draftOf(null), set, errs);
  const setDay = (i: number, patch: Partial<Draft['days'][number]>) =>
    setDraft((d) =>
      d ? { ...d, days: d.days.map((x, j) => (j === i ? { ...x, ...patch } : x)) } : d,
    );
  /** A day's opening or closing time (`word`: "from" or "to"). */
  const time = (i: number, key: 'start' | 'end', word: string) => {
    const d = draft?.days[i];
    return (
      <label>
        {word}{' '}
        <input
          type="time"
          value={d?.[key] ?? ''}
          disabled={d?.closed}
          onChange={(e) => setDay(i, { [key]: e.target.value })}
          aria-label={`${DAYS[i]} ${word}`}
        />
      </label>
    );
  };

  return (
    <section aria-labelledby="state-rules-h">
      <KitStyles />
      <h2 id="state-rules-h">State calling rules</h2>
      {data && <p className="hint">{data.note}</p>}
      <SuccessBanner message={done} />
      {error !== null && <RefusalBanner error={error} />}
      {data && (
        <DataTable
          caption="State calling rules"
          columns={columns}
          rows={data.rules}
          rowKey={(r) => r.state}
          selectedKey={draft?.state ?? null}
          empty="No state rules: only the federal hours (08:00-21:00) apply."
        />
      )}
      {admin && !draft && (
        <button type="button" onClick={() => open(null)}>
          Add a state
        </button>
      )}
      {admin && draft && (
        <form onSubmit={save} aria-label="State rule" noValidate>
          <FormHeading>{draft.state ? `Rule of ${draft.state}` : 'New state rule'}</FormHeading>
          {formError !== null && <RefusalBanner error={formError} />}
          <TextField id="sr-state" label="State (2 letters)" {...bind('state')} />
          <fieldset>
            <legend>Calling hours, local time of the lead</legend>
            {draft.days.map((d, i) => (
              <div key={i} className="sr-day">
                <span>{DAYS[i]}</span> {time(i, 'start', 'from')} {time(i, 'end', 'to')}{' '}
                <label>
                  <input
                    type="checkbox"
                    checked={d.closed}
                    onChange={(e) => setDay(i, { closed: e.target.checked })}
                  />{' '}
                  no calls
                </label>
                {errs[`days.${i}`] && (
                  <span role="alert" className="field-error">
                    {' '}
                    {errs[`days.${i}`]}
                  </span>
                )}
              </div>
            ))}
          </fieldset>
          <TextField
            id="sr-cap"
            label="Most calls to one number per rolling 24 h (empty: no cap)"
            type="number"
            inputMode="numeric"
            {...bind('cap')}
            error={errs.maxAttemptsPer24h}
          />
          <TextField id="sr-statute" label="Statute" {...bind('statute')} />
          <TextField id="sr-note" label="Note" {...bind('note')} />
          <button type="submit">Save</button>{' '}
          <button
            type="button"
            onClick={() => {
              setDraft(null);
              setFormError(null);
            }}
          >
            Cancel
          </button>
        </form>
      )}
    </section>
  );
}
