import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
  amdText,
  dismissFault,
  dropSeverity,
  emptyDashboard,
  formatDuration,
  holdingBack,
  ledgerText,
  maskPhone,
  modeWord,
  rows,
  severity,
  thresholdsOf,
  type AgentRow,
  type CampaignHeader,
  type DashboardState,
  type Roster,
  type RowQuery,
  type Severity,
  type SortKey,
} from './model.js';
import { DASHBOARD_CSS, STATE_LABEL } from './styles.js';
import { LogoutDialog, type LogoutAsk } from './LogoutDialog.js';
import { MonitorPhone } from './MonitorPhone.js';
import { TelephonyStatus } from './TelephonyStatus.js';
import { ThresholdsEditor } from './ThresholdsEditor.js';
import { VirtualList } from './VirtualList.js';
import { attachTalk, HandMarker, MessageAgentButton, SupervisorMessages } from './MessagesWall.js';
import { BacklogTile, RecMarker, RecordingFaults } from './RecordingWall.js';

/** Row height of the grid (wide screens) and of a card (narrow screens, 200 % zoom), px. */
const ROW_PX = 40;
const CARD_PX = 168;
/** Cards on screens of 600-1099 CSS px: the actions fit one line, so the card is lower. */
const CARD_WIDE_PX = 132;
const WIDE_CARDS = '(min-width: 600px)';
/** Below this width (CSS px: 200 % zoom of a 1920 or 1366 screen, phones) rows become cards. */
const NARROW = '(max-width: 1099px)';
const fmtPct = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)} %`);
const fmtSec = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const fmtCount = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
const STATES: AgentState[] = ['READY', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP', 'PAUSED'];
const DIAL_METHODS: DialMethod[] = ['manual', 'progressive', 'ratio', 'predictive'];
const MONITOR_LABEL = { listen: 'Listen to', whisper: 'Whisper to', barge: 'Barge in on' } as const;
/** Severity as an icon and words, so it never rests on colour alone. */
const SEV_ICON: Record<Severity, string> = { ok: '', warn: '▲', alert: '■' };
const SEV_WORDS: Record<Severity, string> = { ok: '', warn: 'warning', alert: 'alert' };
const COLUMNS: ReadonlyArray<readonly [SortKey | null, string]> = [
  ['name', 'Agent'],
  ['state', 'State'],
  ['timeInState', 'Time in state'],
  ['campaign', 'Campaign'],
  [null, 'Number'],
  ['callsToday', 'Calls today'],
  [null, 'Pause code'],
  [null, 'Actions'],
];

function useMedia(query: string): boolean {
  const [match, setMatch] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setMatch(m.matches);
    m.addEventListener('change', on);
    on();
    return () => m.removeEventListener('change', on);
  }, [query]);
  return match;
}

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
  const [notice, setNotice] = useState<string | null>(null);
  const [logoutAsk, setLogoutAsk] = useState<LogoutAsk | null>(null);
  const [telephonyVersion, setTelephonyVersion] = useState(0);
  const narrow = useMedia(NARROW);
  const wideCards = useMedia(WIDE_CARDS);

  useEffect(() => {
    document.title = 'Supervisor — Ringside';
  }, []);

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

  // A name the roster does not know (an agent who logged in after load), or a campaign's
  // thresholds changed (campaign.settings_changed), trigger one reload.
  const rosterRef = useRef(roster);
  rosterRef.current = roster;
  const pendingRoster = useRef(false);
  const reloadSoon = useCallback(() => {
    if (pendingRoster.current) return;
    pendingRoster.current = true;
    setTimeout(() => {
      pendingRoster.current = false;
      loadRoster();
    }, 500);
  }, [loadRoster]);

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
          const e = data.event;
          pending.current.push(e);
          if (
            e.type === 'agent.state_changed' &&
            !rosterRef.current.agents.some((a) => a.agentId === e.agentId)
          )
            reloadSoon();
          if (e.type === 'campaign.settings_changed' && e.fields.includes('wallThresholds'))
            reloadSoon();
          if (e.type === 'telephony.status') setTelephonyVersion((v) => v + 1);
          schedule();
        },
        onStatus: (s) => setConn(s),
        onServerError: (d) => setNotice(d.message),
      },
    });
    attachTalk(client);
    client.start();
    // The only timer: it moves the "time in state" clocks; data never comes from it.
    const tick = setInterval(() => setNowMs(Date.now()), 1000);
    return () => {
      client.stop();
      clearInterval(tick);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    };
  }, [loadRoster, reloadSoon, schedule]);

  const list = useMemo(() => rows(state, roster, query), [state, roster, query]);
  const headers = useMemo(() => campaignHeaders(state, roster), [state, roster]);
  const limitsOf = useMemo(() => thresholdsOf(roster), [roster]);
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

  const shownPhone = (phone: string) => (unmasked ? phone : maskPhone(phone));

  const renderRow = (r: AgentRow) => {
    const inStateMs = nowMs - r.sinceMs;
    const sev = severity(r.state, inStateMs, limitsOf(r.campaignId));
    const limit = limitsOf(r.campaignId)[r.state];
    return (
      <div
        className={`sv-row state-${r.state.toLowerCase()} sev-${sev}`}
        data-agent-id={r.agentId}
        data-state={r.state}
        data-severity={sev}
        role="row"
      >
        <span role="cell" className="sv-name">
          {r.name}
          <RecMarker row={r} />
          <HandMarker row={r} />
        </span>
        <span role="cell" className="sv-state">
          <span className="sv-badge">{STATE_LABEL[r.state]}</span>
        </span>
        <span
          role="cell"
          className="sv-time"
          data-label="In state"
          title={limit ? `warn after ${limit.warnS} s, alert after ${limit.alertS} s` : undefined}
        >
          <span className="sv-clock">{formatDuration(inStateMs)}</span>
          {sev !== 'ok' && (
            <span className="sv-sev">
              <span aria-hidden="true">{SEV_ICON[sev]}</span> {SEV_WORDS[sev]}
            </span>
          )}
        </span>
        <span role="cell" className="sv-campaign-cell" data-label="Campaign">
          {r.campaignName}
        </span>
        <span role="cell" className="sv-phone" data-label="Number">
          {r.phone ? shownPhone(r.phone) : ''}
        </span>
        <span role="cell" className="sv-calls" data-label="Calls">
          {r.callsToday}
        </span>
        <span role="cell" className="sv-pause" data-label="Pause">
          {r.pauseCode ?? ''}
        </span>
        <span role="cell" className="sv-actions">
          <MessageAgentButton row={r} />
          <button
            type="button"
            aria-label={`Pause ${r.name}`}
            onClick={() => act(`Pause ${r.name}`, () => api.forcePause(r.agentId, 'SUPERVISOR'))}
          >
            Pause
          </button>
          <button
            type="button"
            className="sv-danger"
            aria-label={`Log out ${r.name}`}
            aria-haspopup="dialog"
            onClick={() =>
              setLogoutAsk({
                agentId: r.agentId,
                name: r.name,
                callNumber: r.callId ? (r.phone ? shownPhone(r.phone) : 'a customer') : null,
              })
            }
          >
            Log out
          </button>
          {r.monitor && (
            <button
              type="button"
              className="sv-monitoring"
              aria-label={`Stop ${r.monitor.mode} on ${r.name}`}
              onClick={() => act(`Stop on ${r.name}`, () => api.stopMonitor(r.agentId))}
            >
              Stop {r.monitor.mode}
            </button>
          )}
          {r.state === 'INCALL' &&
            !r.monitor &&
            (['listen', 'whisper', 'barge'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                aria-label={`${MONITOR_LABEL[mode]} ${r.name}`}
                onClick={() =>
                  act(`${MONITOR_LABEL[mode]} ${r.name}`, () => api.monitor(r.agentId, mode))
                }
              >
                {modeWord(mode)}
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
        <span data-testid="sv-conn" className={`sv-conn conn-${conn}`}>
          {conn}
        </span>
        <span>
          {props.me.displayName} ({props.me.role})
        </span>
        <MonitorPhone api={api} />
        <TelephonyStatus api={api} version={telephonyVersion} />
        <BacklogTile backlog={state.backlog} />
        <button type="button" onClick={props.onSignedOut}>
          Sign out
        </button>
      </header>
      <p role="status" className="sv-notice">
        {notice ?? ''}
      </p>
      <RecordingFaults
        faults={state.recordingFaults}
        roster={roster}
        onDismiss={(id) => {
          stateRef.current = dismissFault(stateRef.current, id);
          setState(stateRef.current);
        }}
      />
      <SupervisorMessages roster={roster} />
      <section className="sv-campaigns" aria-label="Campaigns">
        {headers.map((h) => (
          <CampaignPanel
            key={h.campaignId}
            h={h}
            onMethod={(dialMethod) =>
              act('Dial method', async () => {
                await api.setDialing(h.campaignId, { dialMethod });
                loadRoster();
              })
            }
            onLevel={(dialLevel) =>
              act('Dial level', async () => {
                await api.setDialing(h.campaignId, { dialLevel });
                loadRoster();
              })
            }
            onThresholds={loadRoster}
          />
        ))}
      </section>
      <section className="sv-filters" aria-label="Filters">
        <FilterSelect
          label="Campaign"
          value={query.campaignId}
          options={roster.campaigns}
          onChange={(campaignId) => setQuery((q) => ({ ...q, campaignId }))}
        />
        <FilterSelect
          label="Team"
          value={query.teamId}
          options={teams.map((t) => ({ id: t, name: t }))}
          onChange={(teamId) => setQuery((q) => ({ ...q, teamId }))}
        />
        <CheckboxField label="show numbers" checked={unmasked} onChange={setUnmasked} />
        <span>{list.length} agents</span>
      </section>
      <div
        role="table"
        aria-label="Agents"
        aria-rowcount={list.length + 1}
        className={narrow ? 'sv-table sv-cards' : 'sv-table'}
      >
        <div role="rowgroup">
          <div role="row" className="sv-row sv-head">
            {COLUMNS.map(([k, label]) =>
              k ? (
                <span
                  key={label}
                  role="columnheader"
                  aria-sort={
                    query.sort === k ? (query.descending ? 'descending' : 'ascending') : 'none'
                  }
                >
                  <button type="button" onClick={() => sortBy(k)}>
                    {label}
                    <span aria-hidden="true">
                      {query.sort === k ? (query.descending ? ' ▼' : ' ▲') : ' ↕'}
                    </span>
                  </button>
                </span>
              ) : (
                <span key={label} role="columnheader" className="sv-nosort">
                  {label}
                </span>
              ),
            )}
          </div>
        </div>
        <VirtualList
          items={list}
          rowPx={narrow ? (wideCards ? CARD_WIDE_PX : CARD_PX) : ROW_PX}
          keyOf={(r) => r.agentId}
          render={renderRow}
        />
      </div>
      <LogoutDialog
        ask={logoutAsk}
        onCancel={() => setLogoutAsk(null)}
        onConfirm={(ask, hangupCall) => {
          setLogoutAsk(null);
          act(hangupCall ? `Log out ${ask.name} and hang up` : `Log out ${ask.name}`, () =>
            api.forceLogout(ask.agentId, hangupCall),
          );
        }}
      />
    </main>
  );
}

/** A tile: a figure with its name, and a severity shown as colour, icon and words. */
function Tile(props: { name: string; value: string; detail?: string; sev?: Severity; id: string }) {
  const sev = props.sev ?? 'ok';
  return (
    <div className={`sv-tile sev-${sev}`} data-tile={props.id} data-severity={sev}>
      <dt>{props.name}</dt>
      <dd>
        <span className="sv-figure">{props.value}</span>
        {sev !== 'ok' && (
          <span className="sv-sev">
            <span aria-hidden="true">{SEV_ICON[sev]}</span>{' '}
            {sev === 'alert' ? 'at or over the cap' : 'near the cap'}
          </span>
        )}
        {props.detail && <span className="sv-tile-detail">{props.detail}</span>}
      </dd>
    </div>
  );
}

/**
 * One campaign: its mode, headline tiles, the dialer's line and reason, and its controls.
 * Re-rendered only when its figures change (200 agent events a second would otherwise redraw
 * every tile of every campaign each frame); the callbacks only capture the campaign's id.
 */
const CampaignPanel = memo(
  CampaignPanelView,
  (a, b) => a.h === b.h || JSON.stringify(a.h) === JSON.stringify(b.h),
);

function CampaignPanelView(props: {
  h: CampaignHeader;
  onMethod(m: DialMethod): void;
  onLevel(level: number): void;
  onThresholds(): void;
}) {
  const { h } = props;
  const d = h.dialer;
  const hold = d ? holdingBack(h.dialMethod, d.appliedMode) : null;
  const amd = amdText(d);
  const ledger = ledgerText(d);
  const cap = `cap ${h.dropRateCapPct} %`;
  return (
    <article
      className="sv-campaign"
      data-campaign-id={h.campaignId}
      aria-labelledby={`cp-${h.campaignId}`}
    >
      <div className="sv-campaign-head">
        <h2 id={`cp-${h.campaignId}`}>{h.name}</h2>
        <span className="sv-mode" data-mode={h.dialMethod}>
          {modeWord(h.dialMethod)}
          {hold ? `: ${hold}` : ''}
        </span>
        <span className="sv-level">level {h.dialLevel}</span>
      </div>
      <dl className="sv-tiles">
        <div className="sv-tile sv-tile-wide" data-tile="agents">
          <dt>Agents</dt>
          <dd className="sv-states">
            {STATES.map((s) => (
              <span key={s} className={`sv-badge state-${s.toLowerCase()}`}>
                {STATE_LABEL[s]} <b>{h.agentsByState[s] ?? 0}</b>
              </span>
            ))}
          </dd>
        </div>
        <Tile id="dialing" name="Dialing" value={String(h.dialing)} />
        <Tile id="ringing" name="Ringing" value={String(h.ringing)} />
        <Tile id="waiting" name="Waiting for an agent" value={String(h.waiting)} />
        <Tile
          id="drops-today"
          name="Drops today"
          value={fmtPct(h.dropTodayPct)}
          detail={cap}
          sev={dropSeverity(h.dropTodayPct, h.dropWarnPct, h.dropRateCapPct)}
        />
        <Tile
          id="drops-30d"
          name="Drops 30 days"
          value={fmtPct(h.drop30dPct)}
          detail={cap}
          sev={dropSeverity(h.drop30dPct, h.dropWarnPct, h.dropRateCapPct)}
        />
        <Tile id="aht" name="AHT today" value={fmtSec(d?.ahtMs ?? null)} />
        <Tile id="asa" name="ASA today" value={fmtSec(d?.asaMs ?? null)} />
        <Tile
          id="occupancy"
          name="Occupancy today"
          value={d?.occupancyPct == null ? '–' : `${d.occupancyPct.toFixed(1)} %`}
        />
      </dl>
      <p className="sv-dialer" aria-label="Dialer" data-dialer-state={d?.state ?? ''}>
        {d
          ? `Dialer ${d.state} · talking ${h.bridged} · hopper ${fmtCount(d.hopperSize)} · dialable leads ${fmtCount(d.dialableLeads)}`
          : 'Dialer: no report yet'}
      </p>
      {d && (
        <p className="sv-reason" aria-label="Pacing reason">
          {d.reason}
        </p>
      )}
      {ledger && (
        <p className="sv-ledger" aria-label="Drop ledger">
          {ledger}
        </p>
      )}
      {amd && (
        <p
          className={amd.stopped ? 'sv-amd tone-busy' : 'sv-amd'}
          aria-label="AMD"
          data-amd-hangups={String(!amd.stopped)}
        >
          {amd.text}
        </p>
      )}
      <div className="sv-controls">
        <label>
          Dial method{' '}
          <select
            value={h.dialMethod}
            onChange={(e) => props.onMethod(e.target.value as DialMethod)}
          >
            {DIAL_METHODS.map((m) => (
              <option key={m} value={m}>
                {modeWord(m)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dial level{' '}
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
              if (level !== h.dialLevel) props.onLevel(level);
            }}
          />
        </label>
        <ThresholdsDisclosure
          campaignId={h.campaignId}
          campaignName={h.name}
          onSaved={props.onThresholds}
        />
      </div>
    </article>
  );
}

/** The campaign's thresholds editor, loaded only once opened (no request per campaign at load). */
function ThresholdsDisclosure(props: {
  campaignId: string;
  campaignName: string;
  onSaved(): void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details className="sv-th-details" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Thresholds</summary>
      {open && (
        <ThresholdsEditor
          campaignId={props.campaignId}
          campaignName={props.campaignName}
          onSaved={props.onSaved}
        />
      )}
    </details>
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
