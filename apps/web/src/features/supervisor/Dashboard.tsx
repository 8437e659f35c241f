import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AgentState, DialMethod, DomainEvent, Me } from '@ringside/protocol';
import { refusalMessage } from '../../core/api.js';
import { gatewayUrl, RealtimeClient, type RealtimeStatus } from '../../core/realtime.js';
import { browserSocket } from '../../app/browser-socket.js';
import { CheckboxField } from '../../app/ui.js';
import { SupervisorApi } from './api.js';
import {
  applyEvents,
  applySnapshot,
  campaignHeaders,
  DEFAULT_THRESHOLDS,
  amdText,
  emptyDashboard,
  formatDuration,
  ledgerText,
  maskPhone,
  rows,
  severity,
  type AgentRow,
  type DashboardState,
  type Roster,
  type RowQuery,
  type SortKey,
  type Thresholds,
} from './model.js';
import { DASHBOARD_CSS } from './styles.js';
import { MonitorPhone } from './MonitorPhone.js';
import { TelephonyStatus } from './TelephonyStatus.js';
import { VirtualList } from './VirtualList.js';

const ROW_PX = 32;
const fmtPct = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)}%`);
const fmtSec = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const fmtCount = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
const STATES: AgentState[] = ['READY', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP', 'PAUSED'];
const DIAL_METHODS: DialMethod[] = ['manual', 'progressive', 'ratio', 'predictive'];

/**
 * The supervisor's live wallboard: every agent and campaign from the WebSocket snapshot and the
 * pushed events (no polling). Events are applied to a ref and rendered at most once per
 * animation frame, so a burst of events with 1,000 agents costs one render.
 */
export function Dashboard(props: { me: Me; onSignedOut(): void }) {
  const api = useMemo(() => new SupervisorApi(), []);
  const stateRef = useRef<DashboardState>(emptyDashboard);
  const [state, setState] = useState<DashboardState>(emptyDashboard);
  const [roster, setRoster] = useState<Roster>({ agents: [], campaigns: [] });
  const [conn, setConn] = useState<RealtimeStatus>('idle');
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [query, setQuery] = useState<RowQuery>({
    campaignId: null,
    teamId: null,
    sort: 'timeInState',
    descending: false,
  });
  const [unmasked, setUnmasked] = useState(false);
  const [thresholds, setThresholds] = useState<Thresholds>(DEFAULT_THRESHOLDS);
  const [notice, setNotice] = useState<string | null>(null);
  const [hangupOnLogout, setHangupOnLogout] = useState(false);
  const [telephonyVersion, setTelephonyVersion] = useState(0);

  const frame = useRef<number | null>(null);
  const pending = useRef<DomainEvent[]>([]);
  const schedule = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      stateRef.current = applyEvents(stateRef.current, pending.current);
      pending.current = [];
      setState(stateRef.current);
    });
  }, []);

  const loadRoster = useCallback(() => {
    api
      .roster()
      .then(setRoster)
      .catch((err: unknown) => setNotice(refusalMessage(err)));
  }, [api]);

  // A name the roster does not know (an agent who logged in after load) triggers one reload.
  const rosterRef = useRef(roster);
  rosterRef.current = roster;
  const pendingRoster = useRef(false);
  const knowOrReload = useCallback(
    (agentId: string) => {
      if (pendingRoster.current) return;
      if (rosterRef.current.agents.some((a) => a.agentId === agentId)) return;
      pendingRoster.current = true;
      setTimeout(() => {
        pendingRoster.current = false;
        loadRoster();
      }, 500);
    },
    [loadRoster],
  );

  useEffect(() => {
    loadRoster();
    const client = new RealtimeClient({
      url: gatewayUrl(window.location.origin),
      createSocket: browserSocket,
      handlers: {
        onSnapshot: (data) => {
          // Events queued before the snapshot are older than it: the snapshot replaces them.
          pending.current = [];
          stateRef.current = applySnapshot(stateRef.current, data);
          schedule();
        },
        onEvent: (data) => {
          pending.current.push(data.event);
          if (data.event.type === 'agent.state_changed') knowOrReload(data.event.agentId);
          if (data.event.type === 'telephony.status') setTelephonyVersion((v) => v + 1);
          schedule();
        },
        onStatus: (s) => setConn(s),
        onServerError: (d) => setNotice(d.message),
      },
    });
    client.start();
    // The only timer: it moves the "time in state" clocks; data never comes from it.
    const tick = setInterval(() => setNowMs(Date.now()), 1000);
    return () => {
      client.stop();
      clearInterval(tick);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    };
  }, [loadRoster, knowOrReload, schedule]);

  const list = useMemo(() => rows(state, roster, query), [state, roster, query]);
  const headers = useMemo(() => campaignHeaders(state, roster), [state, roster]);
  const teams = useMemo(
    () => [...new Set(roster.agents.flatMap((a) => (a.teamId ? [a.teamId] : [])))].sort(),
    [roster],
  );

  const act = (label: string, run: () => Promise<unknown>) => {
    run()
      .then(() => setNotice(`${label}: done`))
      .catch((err: unknown) => setNotice(`${label}: ${refusalMessage(err)}`));
  };

  const sortBy = (sort: SortKey) =>
    setQuery((q) => ({ ...q, sort, descending: q.sort === sort ? !q.descending : false }));

  const renderRow = (r: AgentRow) => {
    const sev = severity(r.state, nowMs - r.sinceMs, thresholds);
    return (
      <div
        className={`sv-row state-${r.state.toLowerCase()} sev-${sev}`}
        data-agent-id={r.agentId}
        data-state={r.state}
        role="row"
      >
        <span role="cell" className="sv-name">
          {r.name}
        </span>
        <span role="cell" className="sv-state">
          {r.state}
        </span>
        <span role="cell" className="sv-time">
          {formatDuration(nowMs - r.sinceMs)}
        </span>
        <span role="cell">{r.campaignName}</span>
        <span role="cell" className="sv-phone">
          {r.phone ? (unmasked ? r.phone : maskPhone(r.phone)) : ''}
        </span>
        <span role="cell">{r.callsToday}</span>
        <span role="cell">{r.pauseCode ?? ''}</span>
        <span role="cell" className="sv-actions">
          <button
            type="button"
            onClick={() => act('Pause', () => api.forcePause(r.agentId, 'SUPERVISOR'))}
          >
            Pause
          </button>
          <button
            type="button"
            aria-label={`Log out ${r.name}`}
            onClick={() => act('Log out', () => api.forceLogout(r.agentId, hangupOnLogout))}
          >
            Log out
          </button>
          {r.monitor && (
            <button
              type="button"
              className="sv-monitoring"
              aria-label={`Stop ${r.monitor.mode} on ${r.name}`}
              onClick={() => act('Stop', () => api.stopMonitor(r.agentId))}
            >
              stop {r.monitor.mode}
            </button>
          )}
          {r.state === 'INCALL' &&
            !r.monitor &&
            (['listen', 'whisper', 'barge'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                aria-label={`${mode} ${r.name}`}
                onClick={() => act(mode, () => api.monitor(r.agentId, mode))}
              >
                {mode}
              </button>
            ))}
        </span>
      </div>
    );
  };

  return (
    <main className="supervisor">
      <style>{DASHBOARD_CSS}</style>
      <header className="sv-top">
        <h1>Supervisor dashboard</h1>
        <span data-testid="sv-conn">{conn}</span>
        <span>
          {props.me.displayName} ({props.me.role})
        </span>
        <MonitorPhone api={api} />
        <TelephonyStatus api={api} version={telephonyVersion} />
        <button type="button" onClick={props.onSignedOut}>
          Sign out
        </button>
      </header>
      {notice && (
        <p role="status" className="sv-notice">
          {notice}
        </p>
      )}
      <section className="sv-campaigns" aria-label="Campaigns">
        {headers.map((h) => (
          <article key={h.campaignId} className="sv-campaign" data-campaign-id={h.campaignId}>
            <h2>{h.name}</h2>
            <p>{STATES.map((s) => `${s} ${h.agentsByState[s] ?? 0}`).join(' · ')}</p>
            <p>
              dialing {h.dialing} · ringing {h.ringing} · waiting {h.waiting} · talking {h.bridged}{' '}
              · drops today {fmtPct(h.dropTodayPct)}, 30 days {fmtPct(h.drop30dPct)} (cap{' '}
              {h.dropRateCapPct}%)
            </p>
            <p className="sv-dialer" aria-label="Dialer" data-dialer-state={h.dialer?.state ?? ''}>
              {h.dialer
                ? `dialer ${h.dialer.state} (${h.dialer.appliedMode}, level ${h.dialLevel}) · hopper ${fmtCount(h.dialer.hopperSize)} · dialable leads ${fmtCount(h.dialer.dialableLeads)} · AHT ${fmtSec(h.dialer.ahtMs)} · ASA ${fmtSec(h.dialer.asaMs)}`
                : 'dialer: no report yet'}
            </p>
            {h.dialer && (
              <p className="sv-reason" aria-label="Pacing reason">
                {h.dialer.reason}
              </p>
            )}
            {ledgerText(h.dialer) && (
              <p className="sv-ledger" aria-label="Drop ledger">
                {ledgerText(h.dialer)}
              </p>
            )}
            {amdText(h.dialer) && (
              <p
                className={amdText(h.dialer)?.stopped ? 'sv-amd tone-busy' : 'sv-amd'}
                aria-label="AMD"
                data-amd-hangups={String(!amdText(h.dialer)?.stopped)}
              >
                {amdText(h.dialer)?.text}
              </p>
            )}
            <p>
              <label>
                method{' '}
                <select
                  value={h.dialMethod}
                  onChange={(e) =>
                    act('Dial method', async () => {
                      await api.setDialing(h.campaignId, {
                        dialMethod: e.target.value as DialMethod,
                      });
                      loadRoster();
                    })
                  }
                >
                  {DIAL_METHODS.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>{' '}
              <label>
                level{' '}
                <input
                  type="number"
                  min={0.1}
                  max={10}
                  step={0.1}
                  // Re-mounted when the level in force changes (pushed by the dialer).
                  key={h.dialLevel}
                  defaultValue={h.dialLevel}
                  onBlur={(e) => {
                    const level = Number(e.target.value);
                    if (level === h.dialLevel) return;
                    act('Dial level', async () => {
                      await api.setDialing(h.campaignId, { dialLevel: level });
                      loadRoster();
                    });
                  }}
                />
              </label>
            </p>
          </article>
        ))}
      </section>
      <section className="sv-filters" aria-label="Filters">
        <FilterSelect
          label="Campaign"
          value={query.campaignId}
          options={roster.campaigns}
          onChange={(campaignId) => setQuery((q) => ({ ...q, campaignId }))}
        />{' '}
        <FilterSelect
          label="Team"
          value={query.teamId}
          options={teams.map((t) => ({ id: t, name: t }))}
          onChange={(teamId) => setQuery((q) => ({ ...q, teamId }))}
        />{' '}
        <CheckboxField label="show numbers" checked={unmasked} onChange={setUnmasked} />{' '}
        <CheckboxField
          label="log out also hangs up the call"
          checked={hangupOnLogout}
          onChange={setHangupOnLogout}
        />{' '}
        <label>
          READY amber after (s){' '}
          <input
            type="number"
            min={1}
            value={thresholds.READY?.warnS ?? 60}
            onChange={(e) =>
              setThresholds((t) => ({
                ...t,
                READY: { warnS: Number(e.target.value), alertS: t.READY?.alertS ?? 300 },
              }))
            }
          />
        </label>
        <span> {list.length} agents</span>
      </section>
      <div role="table" aria-label="Agents" className="sv-table">
        <div role="row" className="sv-row sv-head">
          {(
            [
              ['name', 'Agent'],
              ['state', 'State'],
              ['timeInState', 'Time'],
              ['campaign', 'Campaign'],
            ] as const
          ).map(([k, label]) => (
            <button key={k} type="button" role="columnheader" onClick={() => sortBy(k)}>
              {label}
              {query.sort === k ? (query.descending ? ' ▼' : ' ▲') : ''}
            </button>
          ))}
          <span role="columnheader">Number</span>
          <button type="button" role="columnheader" onClick={() => sortBy('callsToday')}>
            Calls
          </button>
          <span role="columnheader">Pause</span>
          <span role="columnheader">Actions</span>
        </div>
        <VirtualList
          items={list}
          rowPx={ROW_PX}
          heightPx={ROW_PX * 20}
          keyOf={(r) => r.agentId}
          render={renderRow}
        />
      </div>
    </main>
  );
}

/** A roster filter: one of `options`, or all (null). */
function FilterSelect(props: {
  label: string;
  value: string | null | undefined;
  options: ReadonlyArray<{ id: string; name: string }>;
  onChange(value: string | null): void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value || null)}>
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
