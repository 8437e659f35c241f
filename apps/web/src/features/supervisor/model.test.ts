import { describe, expect, it } from 'vitest';
import {
  AgentStateChanged,
  DomainEvent,
  type AgentStatusView,
  type LiveCallView,
  type SnapshotData,
} from '@ringside/protocol';
import {
  applyEvent,
  applyEvents,
  applySnapshot,
  campaignHeaders,
  DEFAULT_THRESHOLDS,
  emptyDashboard,
  formatDuration,
  maskPhone,
  rows,
  severity,
  visibleRange,
  type Roster,
} from './model.js';

const agent = (id: string, over: Partial<AgentStatusView> = {}): AgentStatusView => ({
  agentId: id,
  state: 'READY',
  sinceMs: 1_000,
  campaignId: '1',
  callId: null,
  pauseCode: null,
  ...over,
});

const call = (id: string, over: Partial<LiveCallView> = {}): LiveCallView => ({
  callId: id,
  campaignId: '1',
  leadId: '9',
  listId: '3',
  phone: '+14155550123',
  stage: 'BRIDGED',
  agentId: '11',
  manual: false,
  attempt: 1,
  originatedAtMs: 0,
  answeredAtMs: 0,
  bridgedAtMs: 0,
  endedAtMs: null,
  ...over,
});

const snap = (agents: AgentStatusView[], calls: LiveCallView[] = []): SnapshotData => ({
  scope: 'supervisor',
  reason: 'subscribe',
  agent: null,
  agents,
  calls,
});

const roster: Roster = {
  agents: [
    { agentId: '11', displayName: 'Zoe', teamId: 't1', callsToday: 4 },
    { agentId: '12', displayName: 'Adam', teamId: 't2', callsToday: 0 },
  ],
  campaigns: [
    {
      id: '1',
      name: 'Spring',
      dialMethod: 'ratio',
      dialLevel: 2,
      dropRateCapPct: 3,
      drops: {
        today: { drops: 1, humanAnswers: 50 },
        window: { drops: 10, humanAnswers: 1000 },
      },
    },
    { id: '2', name: 'Idle', dialMethod: 'manual', dialLevel: 1, dropRateCapPct: 3, drops: null },
  ],
};

const q = { campaignId: null, teamId: null, sort: 'name' as const, descending: false };

describe('dashboard model', () => {
  it('a snapshot replaces everything known, and a state change event moves one agent', () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11'), agent('12')]));
    const e = AgentStateChanged.parse({
      type: 'agent.state_changed',
      agentId: '12',
      campaignId: '1',
      from: 'READY',
      to: 'PAUSED',
      pauseCode: 'BREAK',
      callId: null,
      reason: 'agent',
      sinceMs: 1_000,
      atMs: 5_000,
    });
    s = applyEvent(s, e);
    expect(s.agents.get('12')).toMatchObject({
      state: 'PAUSED',
      sinceMs: 5_000,
      pauseCode: 'BREAK',
    });
    s = applyEvent(s, { ...e, from: 'PAUSED', to: 'LOGGED_OUT', pauseCode: null });
    expect(s.agents.has('12')).toBe(false);
    // A batch gives the same result as one event at a time.
    const batched = applyEvents(applySnapshot(emptyDashboard, snap([agent('11'), agent('12')])), [
      e,
      { ...e, from: 'PAUSED', to: 'LOGGED_OUT', pauseCode: null },
    ]);
    expect([...batched.agents.keys()]).toEqual(['11']);
    expect(s.agents.has('12')).toBe(false);
    s = applySnapshot(s, snap([agent('12')]));
    expect([...s.agents.keys()]).toEqual(['12']);
  });

  it('keeps the time in state when the state does not change (an extended wrap-up, a new line)', () => {
    const wrap = AgentStateChanged.parse({
      type: 'agent.state_changed',
      agentId: '12',
      campaignId: '1',
      from: 'INCALL',
      to: 'WRAPUP',
      pauseCode: null,
      callId: 'c1',
      reason: 'agent',
      sinceMs: 1_000,
      atMs: 5_000,
    });
    const extended = { ...wrap, from: 'WRAPUP' as const, sinceMs: 5_000, atMs: 20_000 };
    const one = applyEvent(applyEvent(applySnapshot(emptyDashboard, snap([])), wrap), extended);
    expect(one.agents.get('12')).toMatchObject({ state: 'WRAPUP', sinceMs: 5_000 });
    const batched = applyEvents(applySnapshot(emptyDashboard, snap([])), [wrap, extended]);
    expect(batched.agents.get('12')).toMatchObject({ state: 'WRAPUP', sinceMs: 5_000 });
  });

  it('counts an ended call for its agent and removes the call', () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11', { callId: 'c1' })], [call('c1')]));
    s = applyEvent(
      s,
      DomainEvent.parse({
        type: 'call.ended',
        callId: 'c1',
        campaignId: '1',
        leadId: '9',
        outcome: 'HUMAN',
        hangupCause: 16,
        agentId: '11',
        atMs: 9,
      }),
    );
    expect(s.calls.size).toBe(0);
    expect(s.callsToday.get('11')).toBe(1);
    // The roster's count of today so far plus the calls ended since.
    expect(rows(s, roster, q).find((r) => r.agentId === '11')?.callsToday).toBe(5);
  });

  it('rows carry names from the roster, the call number, and filter by campaign and team', () => {
    const s = applySnapshot(
      emptyDashboard,
      snap(
        [agent('11', { state: 'INCALL', callId: 'c1' }), agent('12', { campaignId: '2' })],
        [call('c1')],
      ),
    );
    expect(rows(s, roster, q).map((r) => [r.name, r.phone])).toEqual([
      ['Adam', ''],
      ['Zoe', '+14155550123'],
    ]);
    expect(rows(s, roster, { ...q, campaignId: '1' }).map((r) => r.name)).toEqual(['Zoe']);
    expect(rows(s, roster, { ...q, teamId: 't2' }).map((r) => r.name)).toEqual(['Adam']);
    expect(rows(s, roster, { ...q, descending: true }).map((r) => r.name)).toEqual(['Zoe', 'Adam']);
  });

  it('sorts by time in state with the longest first', () => {
    const s = applySnapshot(
      emptyDashboard,
      snap([agent('11', { sinceMs: 5_000 }), agent('12', { sinceMs: 2_000 })]),
    );
    expect(rows(s, roster, { ...q, sort: 'timeInState' }).map((r) => r.agentId)).toEqual([
      '12',
      '11',
    ]);
  });

  it('campaign headers count agents by state and calls by stage, skipping idle campaigns', () => {
    const s = applySnapshot(
      emptyDashboard,
      snap(
        [agent('11'), agent('12', { state: 'PAUSED' })],
        [call('c1', { stage: 'RINGING' }), call('c2', { stage: 'WAITING' })],
      ),
    );
    const h = campaignHeaders(s, roster);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({
      name: 'Spring',
      agentsByState: { READY: 1, PAUSED: 1 },
      ringing: 1,
      waiting: 1,
      dialing: 0,
      dropTodayPct: 2,
      drop30dPct: 1,
    });
  });

  it('adds live drops to the drop rates as human answers and drops', () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11')]));
    s = applyEvent(
      s,
      DomainEvent.parse({
        type: 'call.dropped',
        callId: 'c9',
        campaignId: '1',
        waitMs: 2000,
        atMs: 5,
      }),
    );
    // A drop is also a human answer: today (1 + 1) / (50 + 1), 30 days (10 + 1) / (1000 + 1).
    const h = campaignHeaders(s, roster)[0];
    expect(h?.dropTodayPct).toBeCloseTo((100 * 2) / 51, 6);
    expect(h?.drop30dPct).toBeCloseTo((100 * 11) / 1001, 6);
  });

  it('colours by time in state against the thresholds', () => {
    expect(severity('READY', 59_000, DEFAULT_THRESHOLDS)).toBe('ok');
    expect(severity('READY', 60_000, DEFAULT_THRESHOLDS)).toBe('warn');
    expect(severity('READY', 300_000, DEFAULT_THRESHOLDS)).toBe('alert');
    expect(severity('LOGGED_OUT', 1e9, DEFAULT_THRESHOLDS)).toBe('ok');
  });

  it('masks all but the country/area code and the last four digits', () => {
    expect(maskPhone('+14155550123')).toBe('+1415•••0123');
    expect(maskPhone('+123')).toBe('••••');
    expect(formatDuration(65_000)).toBe('01:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('windowing renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 640, 32, 1000)).toEqual({ start: 0, end: 28 });
    expect(visibleRange(32 * 500, 640, 32, 1000)).toEqual({ start: 492, end: 528 });
    expect(visibleRange(32 * 995, 640, 32, 1000)).toEqual({ start: 987, end: 1000 });
  });
});

describe('dialer status and monitoring in the dashboard model', () => {
  const dialerStatus = (over: Record<string, unknown> = {}) =>
    DomainEvent.parse({
      type: 'dialer.status',
      campaignId: '1',
      state: 'dialing',
      reason: 'Predictive: 3 ready and 2 more expected free soon: placing 3.',
      mode: 'predictive',
      appliedMode: 'progressive',
      dialLevel: 2.5,
      readyAgents: 3,
      callsInFlight: 5,
      waitingForAgent: 0,
      hopperSize: 480,
      dialableLeads: 12_345,
      dialableAtMs: 1_000,
      kpi: { dayStartMs: 0, handledCalls: 10, ahtMs: 185_000, connectedCalls: 12, asaMs: 640 },
      atMs: 2_000,
      ...over,
    });

  it("puts the snapshot's dialer status in the header: reason, level in force, hopper, dialable leads, AHT, ASA", () => {
    const base = snap([agent('11')]);
    const s = applySnapshot(emptyDashboard, {
      ...base,
      campaigns: [dialerStatus() as Extract<DomainEvent, { type: 'dialer.status' }>],
    });
    const h = campaignHeaders(s, roster)[0];
    expect(h).toMatchObject({
      dialMethod: 'predictive',
      dialLevel: 2.5,
      dialer: {
        state: 'dialing',
        reason: expect.stringContaining('Predictive: 3 ready'),
        appliedMode: 'progressive',
        hopperSize: 480,
        dialableLeads: 12_345,
        ahtMs: 185_000,
        asaMs: 640,
      },
    });
  });

  it('a pushed dialer.status replaces the last one; a header without any says null', () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11')]));
    expect(campaignHeaders(s, roster)[0]?.dialer).toBeNull();
    s = applyEvents(s, [dialerStatus(), dialerStatus({ state: 'idle', reason: 'Hopper empty.' })]);
    expect(campaignHeaders(s, roster)[0]?.dialer).toMatchObject({
      state: 'idle',
      reason: 'Hopper empty.',
    });
  });

  it('marks the monitored agent on its row until the monitoring ends', () => {
    const started = DomainEvent.parse({
      type: 'agent.monitor.started',
      agentId: '11',
      callId: 'c1',
      mode: 'whisper',
      supervisorId: '3',
      supervisorName: 'Grace',
      atMs: 5,
    });
    const endedEv = DomainEvent.parse({
      type: 'agent.monitor.ended',
      agentId: '11',
      callId: 'c1',
      mode: 'whisper',
      supervisorId: '3',
      reason: 'call_ended',
      atMs: 6,
    });
    let s = applySnapshot(emptyDashboard, snap([agent('11', { state: 'INCALL', callId: 'c1' })]));
    s = applyEvent(s, started);
    expect(rows(s, roster, q)[0]?.monitor).toEqual({ mode: 'whisper', supervisorName: 'Grace' });
    s = applyEvent(s, endedEv);
    expect(rows(s, roster, q)[0]?.monitor).toBeNull();
  });
});

describe('campaign settings changes in the dashboard model', () => {
  const changed = (over: Record<string, unknown> = {}) =>
    DomainEvent.parse({
      type: 'campaign.settings_changed',
      campaignId: '1',
      fields: ['dialLevel'],
      change: 'updated',
      userId: '3',
      by: 'supervisor',
      active: true,
      dialMethod: 'ratio',
      dialLevel: 3.5,
      atMs: 10_000,
      ...over,
    });
  const status = (atMs: number, dialLevel: number) =>
    DomainEvent.parse({
      type: 'dialer.status',
      campaignId: '1',
      state: 'dialing',
      reason: 'Ratio.',
      mode: 'ratio',
      appliedMode: 'ratio',
      dialLevel,
      readyAgents: 1,
      callsInFlight: 1,
      waitingForAgent: 0,
      hopperSize: 10,
      dialableLeads: null,
      dialableAtMs: null,
      kpi: { dayStartMs: 0, handledCalls: 0, ahtMs: null, connectedCalls: 0, asaMs: null },
      atMs,
    });

  it("shows a supervisor's new dial method and level in the header as soon as the change arrives", () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11')]));
    expect(campaignHeaders(s, roster)[0]).toMatchObject({ dialMethod: 'ratio', dialLevel: 2 });
    s = applyEvent(s, changed({ dialMethod: 'predictive', fields: ['dialMethod', 'dialLevel'] }));
    expect(campaignHeaders(s, roster)[0]).toMatchObject({
      dialMethod: 'predictive',
      dialLevel: 3.5,
    });
  });

  it("a change newer than the dialer's last status wins; the dialer's next status wins over it", () => {
    let s = applySnapshot(emptyDashboard, snap([agent('11')]));
    s = applyEvents(s, [status(9_000, 2), changed({ dialLevel: 4 })]);
    expect(campaignHeaders(s, roster)[0]?.dialLevel).toBe(4);
    s = applyEvent(s, status(11_000, 4.5));
    expect(campaignHeaders(s, roster)[0]?.dialLevel).toBe(4.5);
  });

  it('keeps the change across a re-snapshot and ignores campaigns the roster does not know', () => {
    let s = applyEvents(applySnapshot(emptyDashboard, snap([agent('11')])), [
      changed({ dialLevel: 5 }),
      changed({ campaignId: '99', dialLevel: 9 }),
    ]);
    s = applySnapshot(s, snap([agent('11')]));
    const headers = campaignHeaders(s, roster);
    expect(headers.map((h) => [h.campaignId, h.dialLevel])).toEqual([['1', 5]]);
  });
});
