import type { FormEvent, ReactNode } from 'react';
import { COMPLIANCE_WINDOW_DAYS } from '@ringside/protocol';
import {
  APPLICABLE,
  type FieldErrors,
  type FilterField,
  type FilterState,
  type FilteredReport,
} from './filters.js';

/** What the bar can suggest: campaigns by name, agents by name, team and list ids seen so far. */
export interface FilterOptions {
  campaigns: ReadonlyArray<{ id: string; name: string }>;
  agents: ReadonlyArray<{ id: string; name: string }>;
  teams: readonly string[];
  lists: readonly string[];
}

/**
 * The common filter bar: only the report's own filters are offered (the server refuses the
 * others). A refusal, the browser's or the server's, is shown next to the field it names.
 */
export function FilterBar(props: {
  report: FilteredReport;
  value: FilterState;
  options: FilterOptions;
  errors: FieldErrors;
  busy: boolean;
  onChange(next: FilterState): void;
  onSubmit(): void;
  children?: ReactNode;
}) {
  const has = (f: FilterField) => APPLICABLE[props.report].includes(f);
  const set = (patch: Partial<FilterState>) => props.onChange({ ...props.value, ...patch });
  const err = (f: FilterField) =>
    props.errors[f] ? (
      <span className="rp-error" role="alert" id={`rp-err-${f}`}>
        {props.errors[f]}
      </span>
    ) : null;
  const described = (f: FilterField) =>
    props.errors[f] ? { 'aria-invalid': true, 'aria-describedby': `rp-err-${f}` } : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  const compliance = props.report === 'compliance';
  /** One filter's labelled input, with its refusal after it; `suggest`: a datalist of ids. */
  const input = (
    label: ReactNode,
    f: FilterField,
    key: keyof FilterState,
    attrs: { type?: 'date'; inputMode?: 'numeric'; placeholder?: string },
    suggest?: { id: string; items: ReadonlyArray<{ id: string; name?: string }> },
  ) => (
    <label>
      {label}
      <input
        {...attrs}
        list={suggest?.id}
        value={props.value[key]}
        onChange={(e) => set({ [key]: e.target.value })}
        {...described(f)}
      />
      {suggest && (
        <datalist id={suggest.id}>
          {suggest.items.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </datalist>
      )}
      {err(f)}
    </label>
  );
  const ids = (list: readonly string[]) => list.map((id) => ({ id }));
  const byId = { inputMode: 'numeric', placeholder: 'all' } as const;
  return (
    <form className="rp-filters" onSubmit={submit} aria-label="Report filters">
      {has('from') && input('From', 'from', 'fromDay', { type: 'date' })}
      {input(
        compliance ? `Window ends (${COMPLIANCE_WINDOW_DAYS} days up to and including)` : 'To',
        'to',
        'toDay',
        { type: 'date' },
      )}
      {has('campaignId') && (
        <label>
          Campaign
          <select
            value={props.value.campaignId}
            onChange={(e) => set({ campaignId: e.target.value })}
            {...described('campaignId')}
          >
            <option value="">All campaigns</option>
            {props.options.campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          {err('campaignId')}
        </label>
      )}
      {has('listId') &&
        input('List id', 'listId', 'listId', byId, {
          id: 'rp-lists',
          items: ids(props.options.lists),
        })}
      {has('teamId') &&
        input('Team id', 'teamId', 'teamId', byId, {
          id: 'rp-teams',
          items: ids(props.options.teams),
        })}
      {has('agentId') &&
        input('Agent id', 'agentId', 'agentId', byId, {
          id: 'rp-agents',
          items: props.options.agents,
        })}
      {props.children}
      <button type="submit" disabled={props.busy}>
        {props.busy ? 'Running…' : 'Run report'}
      </button>
      {props.errors.form && (
        <p className="rp-error" role="alert">
          {props.errors.form}
        </p>
      )}
    </form>
  );
}
