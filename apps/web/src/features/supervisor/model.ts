import type {
  AgentState,
  AgentStatusView,
  CallStage,
  CampaignSettingsChanged,
  DialerStatusChanged,
  DomainEvent,
  LiveCallView,
  RecordingBacklog,
  RecordingChanged,
  RosterResponse,
  SnapshotData,
} from '@ringside/protocol';
import { DEFAULT_WALL_THRESHOLDS } from '@ringside/protocol';

/**
 * The supervisor dashboard's state, pure: the WebSocket snapshot replaces it, each pushed event
 * changes it, and selectors derive rows and campaign headers. No clock is read here; callers
 * pass `nowMs` so the ticking "time in state" and the colour thresholds are testable.
 */

export interface DashboardState {
  agents: ReadonlyMap<string, AgentStatusView>;
  calls: ReadonlyMap<string, LiveCallView>;
  /**
   * Calls ended per agent since the page loaded (counted from call.ended events with an agent).
   * A restart of the page starts from zero: calls today from before it come from reports.
   */
  callsToday: ReadonlyMap<string, number>;
  /** Drops per campaign seen since load (call.dropped). */
  dropsSeen: ReadonlyMap<string, number>;
  /** Human answers per campaign seen since load: dialer calls bridged, and drops. */
  humansSeen: ReadonlyMap<string, number>;
  /** The last dialer.status per campaign (snapshot, then pushes when it changes). */
  dialer: ReadonlyMap<string, DialerStatusChanged>;
  /** Agents a supervisor is listening to, whispering to or barged in on: agentId -> mode. */
  monitors: ReadonlyMap<string, { mode: string; supervisorName: string }>;
  /**
   * The last settings change per campaign (campaign.settings_changed): the header shows its dial
   * method and level until a newer dialer.status reports the level the dialer applies.
   */
  settings: ReadonlyMap<string, CampaignSettingsChanged>;
  /** Raised hands (talk.hand; Messages.tsx): agentId -> raisedAtMs. */
  hands: ReadonlyMap<string, number>;
  /** Calls being recorded now (recording.changed recording / paused): callId -> whose and how. */
  recordings: ReadonlyMap<string, LiveRecording>;
  /** The store's last backlog report (recording.backlog); null: none since the page loaded. */
  backlog: RecordingBacklog | null;
  /** Recordings that failed or do not match their call, newest first (at most MAX_FAULTS). */
  recordingFaults: readonly RecordingFault[];
}

/** A call's recording while a segment is written: the agent whose segment it is. */
export interface LiveRecording {
  state: 'recording' | 'paused';
  agentId: string | null;
  campaignId: string;
  atMs: number;
}

/** A recording in trouble, for the supervisor's notice (until dismissed). */
export interface RecordingFault {
  recordingId: string;
  callId: string;
  campaignId: string;
  agentId: string | null;
  state: 'failed' | 'mismatch';
  error: string | null;
  atMs: number;
}

/** How many recording faults the wall keeps (the newest). */
export const MAX_FAULTS = 20;

export const emptyDashboard: DashboardState = {
  agents: new Map(),
  calls: new Map(),
  callsToday: new Map(),
  dropsSeen: new Map(),
  humansSeen: new Map(),
  dialer: new Map(),
  monitors: new Map(),
  settings: new Map(),
  hands: new Map(),
  recordings: new Map(),
  backlog: null,
  recordingFaults: [],
};

export function applySnapshot(s: DashboardState, snap: SnapshotData): DashboardState {
  const next: DashboardState = {
    ...s,
    agents: new Map(snap.agents.map((a) => [a.agentId, a])),
    calls: new Map(snap.calls.map((c) => [c.callId, c])),
    // An older server sends no statuses: keep what the pushes said.
    dialer: snap.campaigns ? new Map(snap.campaigns.map((c) => [c.campaignId, c])) : s.dialer,
    hands: snap.talk ? new Map(snap.talk.hands.map((h) => [h.agentId, h.raisedAtMs])) : s.hands,
    // An older server sends no recording states: keep those of the calls still live.
    recordings: new Map(
      [...s.recordings].filter(([callId]) => snap.calls.some((c) => c.callId === callId)),
    ),
  };
  // The live calls' recordings, each as the recording.changed that put it there.
  return (snap.recordings ?? []).reduce(applyRecording, next);
}

const CALL_STAGE_OF: Partial<Record<DomainEvent['type'], CallStage>> = {
  'call.ringing': 'RINGING',
  'call.answered': 'AMD',
  'call.waiting': 'WAITING',
  'call.safe_harbor': 'SAFE_HARBOR',
};

function withCall(
  s: DashboardState,
  callId: string,
  change: (c: LiveCallView) => LiveCallView,
): DashboardState {
  const c = s.calls.get(callId);
  if (!c) return s;
  const calls = new Map(s.calls);
  calls.set(callId, change(c));
  return { ...s, calls };
}

function bump(m: ReadonlyMap<string, number>, key: string): Map<string, number> {
  const next = new Map(m);
  next.set(key, (next.get(key) ?? 0) + 1);
  return next;
}

/** Applies one pushed event; unknown calls or agents are added or ignored, never an error. */
export function applyEvent(s: DashboardState, e: DomainEvent): DashboardState {
  switch (e.type) {
    case 'agent.state_changed': {
      const agents = new Map(s.agents);
      if (e.to === 'LOGGED_OUT') agents.delete(e.agentId);
      else agents.set(e.agentId, agentOf(e));
      return { ...s, agents };
    }
    case 'call.originated': {
      const calls = new Map(s.calls);
      calls.set(e.callId, {
        callId: e.callId,
        campaignId: e.campaignId,
        leadId: e.leadId,
        listId: e.listId,
        // The event carries no number (personal data stays off the bus); the snapshot has it.
        phone: '',
        stage: 'DIALING',
        agentId: e.agentId,
        manual: e.agentId !== null,
        attempt: 0,
        originatedAtMs: e.atMs,
        answeredAtMs: null,
        bridgedAtMs: null,
        endedAtMs: null,
      });
      return { ...s, calls };
    }
    case 'call.bridged': {
      const known = s.calls.get(e.callId);
      const counted =
        known && !known.manual ? { ...s, humansSeen: bump(s.humansSeen, known.campaignId) } : s;
      return withCall(counted, e.callId, (c) => ({
        ...c,
        stage: 'BRIDGED',
        agentId: e.agentId,
        bridgedAtMs: e.atMs,
      }));
    }
    case 'call.amd':
      return withCall(s, e.callId, (c) => ({
        ...c,
        stage: e.result === 'MACHINE' ? 'AMD' : c.stage,
      }));
    case 'call.dropped':
      return {
        ...s,
        dropsSeen: bump(s.dropsSeen, e.campaignId),
        humansSeen: bump(s.humansSeen, e.campaignId),
      };
    case 'call.ended': {
      const calls = new Map(s.calls);
      calls.delete(e.callId);
      let callsToday = s.callsToday;
      if (e.agentId) {
        const next = new Map(callsToday);
        next.set(e.agentId, (next.get(e.agentId) ?? 0) + 1);
        callsToday = next;
      }
      // No segment outlives its call (the worker's "stopped" normally says so first).
      let recordings = s.recordings;
      if (recordings.has(e.callId)) {
        const next = new Map(recordings);
        next.delete(e.callId);
        recordings = next;
      }
      return { ...s, calls, callsToday, recordings };
    }
    case 'call.ringing':
    case 'call.answered':
    case 'call.waiting':
    case 'call.safe_harbor': {
      const stage = CALL_STAGE_OF[e.type];
      return stage ? withCall(s, e.callId, (c) => ({ ...c, stage })) : s;
    }
    // Which Asterisk an agent is homed on is not on the wall (GET /api/supervisor/telephony).
    case 'telephony.status':
    case 'agent.homed':
      return s;
    case 'dialer.status': {
      const dialer = new Map(s.dialer);
      dialer.set(e.campaignId, e);
      return { ...s, dialer };
    }
    case 'agent.monitor.started': {
      const monitors = new Map(s.monitors);
      monitors.set(e.agentId, { mode: e.mode, supervisorName: e.supervisorName });
      return { ...s, monitors };
    }
    case 'agent.monitor.ended': {
      if (!s.monitors.has(e.agentId)) return s;
      const monitors = new Map(s.monitors);
      monitors.delete(e.agentId);
      return { ...s, monitors };
    }
    case 'campaign.settings_changed': {
      const settings = new Map(s.settings);
      settings.set(e.campaignId, e);
      return { ...s, settings };
    }
    // The voicemail drop's talk detection and outcome are not on the wall; quality review's
    // changes are the reports' (an AMD mark reaches the wall through the dialer's next status).
    case 'quality.scorecard_saved':
    case 'quality.review_saved':
    case 'quality.amd_marked':
    case 'compliance.state_rules_changed':
    case 'talk.message':
    case 'talk.read':
    case 'call.talking':
    case 'call.voicemail':
      return s;
    case 'recording.changed':
      return applyRecording(s, e);
    case 'recording.backlog':
      return { ...s, backlog: e };
    case 'talk.hand': {
      const hands = new Map(s.hands);
      if (e.raised) hands.set(e.agentId, e.atMs);
      else hands.delete(e.agentId);
      return { ...s, hands };
    }
  }
}

/**
 * Applies a batch of events with one copy of each map instead of one per event: what the view
 * does with everything that arrived within one animation frame.
 */
export function applyEvents(s: DashboardState, events: readonly DomainEvent[]): DashboardState {
  if (events.length === 0) return s;
  const draft: DashboardState = {
    agents: new Map(s.agents),
    calls: new Map(s.calls),
    callsToday: new Map(s.callsToday),
    dropsSeen: new Map(s.dropsSeen),
    humansSeen: new Map(s.humansSeen),
    dialer: s.dialer,
    monitors: s.monitors,
    settings: s.settings,
    hands: s.hands,
    recordings: s.recordings,
    backlog: s.backlog,
    recordingFaults: s.recordingFaults,
  };
  let out = draft;
  for (const e of events) out = applyEventInPlace(out, e);
  return out;
}

function applyEventInPlace(s: DashboardState, e: DomainEvent): DashboardState {
  // The maps of `s` are this batch's own copies, so writing into them is safe.
  const agents = s.agents as Map<string, AgentStatusView>;
  if (e.type === 'agent.state_changed') {
    if (e.to === 'LOGGED_OUT') agents.delete(e.agentId);
    else agents.set(e.agentId, agentOf(e));
    return s;
  }
  return applyEvent(s, e);
}

/**
 * A call's recording: recording / paused mark the agent's row; any later state ends that; failed
 * and mismatch also become a notice (once per recording, newest first).
 */
function applyRecording(s: DashboardState, e: RecordingChanged): DashboardState {
  const recordings = new Map(s.recordings);
  if (e.state === 'recording' || e.state === 'paused') {
    const held = recordings.get(e.callId);
    if (held && held.atMs > e.atMs) return s;
    recordings.set(e.callId, {
      state: e.state,
      agentId: e.agentId,
      campaignId: e.campaignId,
      atMs: e.atMs,
    });
  } else {
    recordings.delete(e.callId);
  }
  let recordingFaults = s.recordingFaults;
  if (e.state === 'failed' || e.state === 'mismatch') {
    const fault: RecordingFault = {
      recordingId: e.recordingId,
      callId: e.callId,
      campaignId: e.campaignId,
      agentId: e.agentId,
      state: e.state,
      error: e.error,
      atMs: e.atMs,
    };
    recordingFaults = [
      fault,
      ...recordingFaults.filter((f) => f.recordingId !== e.recordingId),
    ].slice(0, MAX_FAULTS);
  }
  return { ...s, recordings, recordingFaults };
}

/** The wall without one recording's notice (the supervisor dismissed it). */
export function dismissFault(s: DashboardState, recordingId: string): DashboardState {
  const recordingFaults = s.recordingFaults.filter((f) => f.recordingId !== recordingId);
  return recordingFaults.length === s.recordingFaults.length ? s : { ...s, recordingFaults };
}

function agentOf(e: Extract<DomainEvent, { type: 'agent.state_changed' }>): AgentStatusView {
  return {
    agentId: e.agentId,
    state: e.to,
    // The same state again (a phone-leg change, an extended wrap-up): its time runs on.
    sinceMs: e.from === e.to ? e.sinceMs : e.atMs,
    campaignId: e.campaignId,
    callId: e.to === 'READY' || e.to === 'PAUSED' ? null : e.callId,
    pauseCode: e.pauseCode,
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** Seconds in a state after which a row turns amber, then red (per state; absent: never). */
export type Thresholds = Partial<Record<AgentState, { warnS: number; alertS: number }>>;

/** The thresholds of a campaign never set (the server's defaults, packages/protocol). */
export const DEFAULT_THRESHOLDS: Thresholds = DEFAULT_WALL_THRESHOLDS.states;

/**
 * Each campaign's time-in-state thresholds from the roster (set on the admin campaign form or
 * the wall); a campaign the roster does not carry them for gets the defaults.
 */
export function thresholdsOf(roster: Roster): (campaignId: string | null) => Thresholds {
  const by = new Map(roster.campaigns.map((c) => [c.id, c.thresholds?.states]));
  return (id) => (id === null ? undefined : by.get(id)) ?? DEFAULT_THRESHOLDS;
}

/**
 * A campaign's drop rate against its thresholds: alert at or over the cap, warn from the
 * campaign's warning level (WallThresholds.dropWarnPct), ok below; null rate (no answers): ok.
 */
export function dropSeverity(pct: number | null, warnPct: number, capPct: number): Severity {
  if (pct === null) return 'ok';
  if (pct >= capPct) return 'alert';
  if (pct >= warnPct) return 'warn';
  return 'ok';
}

/**
 * One word for the dialing mode everywhere: the campaign's dial method. When pacing holds back
 * (predictive without enough data places one call per ready agent), the wall says what it does
 * in words rather than naming a second mode; null when it dials as set.
 */
export function holdingBack(mode: string, appliedMode: string): string | null {
  if (mode === appliedMode) return null;
  if (appliedMode === 'progressive') return 'for now one call per ready agent';
  if (appliedMode === 'ratio') return 'for now at the fixed dial level';
  if (appliedMode === 'manual') return 'not placing calls for now';
  return `for now ${appliedMode}`;
}

/** "Predictive": the mode's word as the wall shows it. */
export function modeWord(mode: string): string {
  return mode.charAt(0).toUpperCase() + mode.slice(1);
}

export type Severity = 'ok' | 'warn' | 'alert';

export function severity(state: AgentState, inStateMs: number, t: Thresholds): Severity {
  const th = t[state];
  if (!th) return 'ok';
  const s = inStateMs / 1000;
  if (s >= th.alertS) return 'alert';
  if (s >= th.warnS) return 'warn';
  return 'ok';
}

/** "+1415•••0123": country and area code, then the last four. */
export function maskPhone(phone: string): string {
  if (phone.length <= 8) return '•'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'•'.repeat(phone.length - 9)}${phone.slice(-4)}`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export interface AgentRow {
  agentId: string;
  name: string;
  teamId: string | null;
  state: AgentState;
  sinceMs: number;
  campaignId: string | null;
  campaignName: string;
  /** The live call's number, '' when none (masking is the view's choice). */
  phone: string;
  callId: string | null;
  callsToday: number;
  pauseCode: string | null;
  /** A supervisor on the agent's call (listen, whisper or barge); null when none. */
  monitor: { mode: string; supervisorName: string } | null;
  /** When the agent raised its hand (talk); null when it is down. */
  handRaisedAtMs: number | null;
  /** The agent's part of its call being recorded (REC) or paused (PAUSED); null: neither. */
  recording: LiveRecording['state'] | null;
}

export type SortKey = 'name' | 'state' | 'timeInState' | 'campaign' | 'callsToday';

export interface RowQuery {
  campaignId: string | null;
  teamId: string | null;
  sort: SortKey;
  descending: boolean;
}

export type Roster = RosterResponse;

/** The agent's own segment of its call, while on it (not the other side of a transfer). */
function recordingOf(s: DashboardState, a: AgentStatusView): LiveRecording['state'] | null {
  if (!a.callId || (a.state !== 'INCALL' && a.state !== 'DEAD')) return null;
  const r = s.recordings.get(a.callId);
  if (!r || (r.agentId !== null && r.agentId !== a.agentId)) return null;
  return r.state;
}

export function rows(s: DashboardState, roster: Roster, q: RowQuery): AgentRow[] {
  const names = new Map(roster.agents.map((a) => [a.agentId, a]));
  const campaigns = new Map(roster.campaigns.map((c) => [c.id, c.name]));
  const out: AgentRow[] = [];
  for (const a of s.agents.values()) {
    if (q.campaignId !== null && a.campaignId !== q.campaignId) continue;
    const who = names.get(a.agentId);
    const teamId = who?.teamId ?? null;
    if (q.teamId !== null && teamId !== q.teamId) continue;
    const call = a.callId ? s.calls.get(a.callId) : undefined;
    out.push({
      agentId: a.agentId,
      name: who?.displayName ?? `agent ${a.agentId}`,
      teamId,
      state: a.state,
      sinceMs: a.sinceMs,
      campaignId: a.campaignId,
      campaignName: a.campaignId ? (campaigns.get(a.campaignId) ?? a.campaignId) : '',
      phone: call?.phone ?? '',
      callId: a.callId,
      callsToday: (who?.callsToday ?? 0) + (s.callsToday.get(a.agentId) ?? 0),
      pauseCode: a.pauseCode,
      monitor: s.monitors.get(a.agentId) ?? null,
      handRaisedAtMs: s.hands.get(a.agentId) ?? null,
      recording: recordingOf(s, a),
    });
  }
  const dir = q.descending ? -1 : 1;
  const cmp: Record<SortKey, (x: AgentRow, y: AgentRow) => number> = {
    name: (x, y) => x.name.localeCompare(y.name),
    state: (x, y) => x.state.localeCompare(y.state),
    // Longest in state first when ascending: sinceMs earliest.
    timeInState: (x, y) => x.sinceMs - y.sinceMs,
    campaign: (x, y) => x.campaignName.localeCompare(y.campaignName),
    callsToday: (x, y) => x.callsToday - y.callsToday,
  };
  const by = cmp[q.sort];
  return out.sort((x, y) => by(x, y) * dir || x.agentId.localeCompare(y.agentId));
}

// ---------------------------------------------------------------------------------------------
// Campaign headers

export interface CampaignHeader {
  campaignId: string;
  name: string;
  dialMethod: string;
  dialLevel: number;
  dropRateCapPct: number;
  /** The drop rate (%) from which the drop tiles turn amber (the campaign's wall thresholds). */
  dropWarnPct: number;
  agentsByState: Partial<Record<AgentState, number>>;
  dialing: number;
  ringing: number;
  waiting: number;
  bridged: number;
  /** Drop % of human answers today (UTC) and over 30 days; null without reports or answers. */
  dropTodayPct: number | null;
  drop30dPct: number | null;
  /** What the campaign's dialer does and why (pushed dialer.status); null: no dialer report. */
  dialer: {
    state: DialerStatusChanged['state'];
    reason: string;
    appliedMode: string;
    hopperSize: number;
    dialableLeads: number | null;
    ahtMs: number | null;
    asaMs: number | null;
    /** Today's occupancy, percent (absent from older dialers: null). */
    occupancyPct: number | null;
    atMs: number;
    /** The 30-day ledger: counted drops apart from the estimated AMD drops (absent: old dialer). */
    drops?: DialerStatusChanged['drops'];
    /** The AMD rule and estimate (absent: old dialer). */
    amd?: DialerStatusChanged['amd'];
  } | null;
}

const pct2 = (x: number): string => `${(Math.round(x * 100) / 100).toString()}%`;

/**
 * The header's drop ledger line: counted drops apart from the estimated ones (people AMD hung up
 * on, docs/pacing.md), and the rate pacing budgets against. Null without a report carrying it.
 */
export function ledgerText(d: CampaignHeader['dialer']): string | null {
  if (!d?.drops) return null;
  const l = d.drops;
  const est = Math.round(l.estimated * 10) / 10;
  return `30 days: ${l.counted} drops counted + ${est} estimated from AMD errors, of ${l.humans} live answers: ${pct2(l.ratePct)} of a ${pct2(l.capPct)} cap`;
}

/**
 * The header's AMD line: the estimate in force (admin's or the audit's, with its 95 % interval)
 * and, when the dialer stopped hanging up on machine verdicts, why. Null without AMD errors.
 */
export function amdText(d: CampaignHeader['dialer']): { text: string; stopped: boolean } | null {
  const a = d?.amd;
  if (!a) return null;
  if (a.hangups && a.humanAsMachinePct === 0 && a.interval === null && a.auditPct === 0)
    return null;
  const from =
    a.source === 'audit' && a.interval
      ? `the audit (${a.interval.marks} marks; people among machine verdicts ${pct2(100 * a.interval.lo)}-${pct2(100 * a.interval.hi)}, 95 %)`
      : 'the admin';
  const est = `AMD judges ${pct2(a.humanAsMachinePct)} of people machines, per ${from}`;
  const audit =
    a.auditPct > 0 ? `; ${pct2(a.auditPct)} of machine verdicts go to agents to be marked` : '';
  if (!a.hangups)
    return { text: `Machine verdicts go to agents: ${a.note} (${est}${audit})`, stopped: true };
  return { text: `${est}${audit}.`, stopped: false };
}

export function campaignHeaders(s: DashboardState, roster: Roster): CampaignHeader[] {
  const byId = new Map<string, CampaignHeader>();
  for (const c of roster.campaigns) {
    const drops = s.dropsSeen.get(c.id) ?? 0;
    const humans = s.humansSeen.get(c.id) ?? 0;
    const pct = (d: number, h: number) => (h > 0 ? (100 * d) / h : null);
    byId.set(c.id, {
      campaignId: c.id,
      name: c.name,
      dialMethod: c.dialMethod,
      dialLevel: c.dialLevel,
      dropRateCapPct: c.dropRateCapPct,
      dropWarnPct: c.thresholds?.dropWarnPct ?? DEFAULT_WALL_THRESHOLDS.dropWarnPct,
      agentsByState: {},
      dialing: 0,
      ringing: 0,
      waiting: 0,
      bridged: 0,
      dropTodayPct: c.drops
        ? pct(c.drops.today.drops + drops, c.drops.today.humanAnswers + humans)
        : null,
      drop30dPct: c.drops
        ? pct(c.drops.window.drops + drops, c.drops.window.humanAnswers + humans)
        : null,
      dialer: null,
    });
  }
  for (const d of s.dialer.values()) {
    const h = byId.get(d.campaignId);
    if (!h) continue;
    // The level and method the dialer applies win over the roster's (read once at load).
    h.dialLevel = d.dialLevel;
    h.dialMethod = d.mode;
    // The dialer's ledger is what pacing budgets against: it wins over the roster's counts.
    if (d.drops) {
      h.drop30dPct = d.drops.ratePct;
      if (d.drops.today)
        h.dropTodayPct =
          d.drops.today.humans > 0 ? (100 * d.drops.today.drops) / d.drops.today.humans : null;
    }
    h.dialer = {
      state: d.state,
      reason: d.reason,
      appliedMode: d.appliedMode,
      hopperSize: d.hopperSize,
      dialableLeads: d.dialableLeads,
      ahtMs: d.kpi.ahtMs,
      asaMs: d.kpi.asaMs,
      occupancyPct: d.kpi.occupancyPct ?? null,
      atMs: d.atMs,
      ...(d.drops ? { drops: d.drops } : {}),
      ...(d.amd ? { amd: d.amd } : {}),
    };
  }
  for (const c of s.settings.values()) {
    const h = byId.get(c.campaignId);
    // A change made after the dialer's last report: the dialer applies it within a tick and
    // reports it next; until then the header shows what was set.
    if (!h || (h.dialer !== null && h.dialer.atMs > c.atMs)) continue;
    h.dialMethod = c.dialMethod;
    h.dialLevel = c.dialLevel;
  }
  for (const a of s.agents.values()) {
    const h = a.campaignId ? byId.get(a.campaignId) : undefined;
    if (h) h.agentsByState[a.state] = (h.agentsByState[a.state] ?? 0) + 1;
  }
  for (const c of s.calls.values()) {
    const h = byId.get(c.campaignId);
    if (!h) continue;
    if (c.stage === 'DIALING') h.dialing++;
    else if (c.stage === 'RINGING') h.ringing++;
    else if (c.stage === 'WAITING') h.waiting++;
    else if (c.stage === 'BRIDGED') h.bridged++;
  }
  // Only campaigns with someone or something live; an idle campaign is noise on a wallboard.
  return [...byId.values()].filter(
    (h) => Object.keys(h.agentsByState).length > 0 || h.dialing + h.ringing + h.waiting > 0,
  );
}

/** Which visible slice of a fixed-row-height list to render (windowing). */
export function visibleRange(
  scrollTopPx: number,
  viewportPx: number,
  rowPx: number,
  count: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(scrollTopPx / rowPx);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(viewportPx / rowPx) + overscan);
  return { start, end: Math.max(start, end) };
}

// ---------------------------------------------------------------------------------------------
// Recordings

/** "45s", "12m", "3h 5m": how old the oldest waiting recording is. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/**
 * The header's recordings tile: what waits to leave the phone system and whether storage is
 * reachable; null (hidden) when nothing waits and storage is fine. Storage down is an alert,
 * recordings waiting a warning.
 */
export function backlogTile(
  b: RecordingBacklog | null,
): { text: string; severity: Severity; detail: string | null } | null {
  if (!b || (b.pending === 0 && b.storageOk)) return null;
  const parts = [`${b.pending.toLocaleString('en-US')} waiting to be stored`];
  if (b.pending > 0) parts.push(`oldest ${ageText(b.oldestMs)}`);
  if (!b.storageOk) parts.push('storage down');
  return {
    text: `Recordings: ${parts.join(', ')}`,
    severity: b.storageOk ? 'warn' : 'alert',
    detail: !b.storageOk && b.lastError ? b.lastError : null,
  };
}

/** A recording fault as the supervisor reads it; names come from the roster when it has them. */
export function faultText(f: RecordingFault, roster: Roster): string {
  const agent = f.agentId
    ? (roster.agents.find((a) => a.agentId === f.agentId)?.displayName ?? `agent ${f.agentId}`)
    : null;
  const campaign = roster.campaigns.find((c) => c.id === f.campaignId)?.name ?? f.campaignId;
  const what =
    f.state === 'failed'
      ? 'Recording failed: the phone system produced no file'
      : "Recording does not match its call: the file's length differs from the call's (kept, flagged)";
  const who = [`call ${f.callId}`, agent, `campaign ${campaign}`].filter(Boolean).join(', ');
  return `${what} (${who})${f.error ? `: ${f.error}` : ''}.`;
}
