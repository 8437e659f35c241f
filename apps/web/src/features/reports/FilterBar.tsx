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
  return (
    <form className="rp-filters" onSubmit={submit} aria-label="Report filters">
      {has('from') && (
        <label>
          From
          <input
            type="date"
            value={props.value.fromDay}
            onChange={(e) => set({ fromDay: e.target.value })}
            {...described('from')}
          />
          {err('from')}
        </label>
      )}
      <label>
        {compliance ? `Window ends (${COMPLIANCE_WINDOW_DAYS} days up to and including)` : 'To'}
        <input
          type="date"
          value={props.value.toDay}
          onChange={(e) => set({ toDay: e.target.value })}
          {...described('to')}
        />
        {err('to')}
      </label>
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
      {has('listId') && (
        <label>
          List id
          <input
            inputMode="numeric"
            list="rp-lists"
            placeholder="all"
            value={props.value.listId}
            onChange={(e) => set({ listId: e.target.value })}
            {...described('listId')}
          />
          <datalist id="rp-lists">
            {props.options.lists.map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
          {err('listId')}
        </label>
      )}
      {has('teamId') && (
        <label>
          Team id
          <input
            inputMode="numeric"
            list="rp-teams"
            placeholder="all"
            value={props.value.teamId}
            onChange={(e) => set({ teamId: e.target.value })}
            {...described('teamId')}
          />
          <datalist id="rp-teams">
            {props.options.teams.map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
          {err('teamId')}
        </label>
      )}
      {has('agentId') && (
        <label>
          Agent id
          <input
            inputMode="numeric"
            list="rp-agents"
            placeholder="all"
            value={props.value.agentId}
            onChange={(e) => set({ agentId: e.target.value })}
            {...described('agentId')}
          />
          <datalist id="rp-agents">
            {props.options.agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </datalist>
          {err('agentId')}
        </label>
      )}
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
