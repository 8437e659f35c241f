import { describe, expect, it } from 'vitest';
import { leadOf } from './fixtures.test-helper.js';
import type {
  AgentState,
  AgentStatusView,
  DomainEvent,
  LiveCallView,
  SnapshotData,
} from '@ringside/protocol';
import {
  CALL_LOST_TEXT,
  callLost,
  describeEnd,
  describeMonitor,
  describeState,
  guard,
  lineLost,
  initialPanel,
  reduce,
  wrapupRemainingMs,
  type MonitorInfo,
  type PanelEffect,
  type PanelInput,
  type PanelState,
} from './panel.js';

const AGENT = '7';

function agent(state: AgentState, over: Partial<AgentStatusView> = {}): AgentStatusView {
  return {
    agentId: AGENT,
    state,
    sinceMs: 1000,
    campaignId: '1',
    callId: null,
    pauseCode: null,
    ...over,
  };
}

function callView(callId: string, over: Partial<LiveCallView> = {}): LiveCallView {
  return {
    callId,
    campaignId: '1',
    leadId: '42',
    listId: '3',
    phone: '+12125550100',
    stage: 'BRIDGED',
    agentId: AGENT,
    manual: false,
    attempt: 1,
    originatedAtMs: 900,
    answeredAtMs: 950,
    bridgedAtMs: 990,
    endedAtMs: null,
    ...over,
  };
}

function snapshot(a: AgentStatusView | null, calls: LiveCallView[] = []): PanelInput {
  const data: SnapshotData = { scope: 'agent', reason: 'subscribe', agent: a, agents: [], calls };
  return { type: 'snapshot', data };
}

function moved(
  from: AgentState,
  to: AgentState,
  atMs: number,
  over: Partial<Extract<DomainEvent, { type: 'agent.state_changed' }>> = {},
): PanelInput {
  return {
    type: 'event',
    event: {
      type: 'agent.state_changed',
      agentId: AGENT as never,
      campaignId: '1' as never,
      from,
      to,
      pauseCode: null,
      callId: null,
      reason: 'agent',
      sinceMs: atMs - 100,
      atMs,
      ...over,
    },
  };
}

function ended(callId: string, atMs: number): PanelInput {
  return {
    type: 'event',
    event: {
      type: 'call.ended',
      callId: callId as never,
      campaignId: '1' as never,
      leadId: '42' as never,
      outcome: 'HUMAN',
      hangupCause: 16,
      agentId: AGENT as never,
      atMs,
    },
  };
}

/** Runs inputs in order; returns the last state and every effect. */
function run(inputs: PanelInput[], from: PanelState = initialPanel) {
  let s = from;
  const effects: PanelEffect[] = [];
  for (const i of inputs) {
    const r = reduce(s, i);
    s = r.state;
    effects.push(...r.effects);
  }
  return { s, effects };
}

const live: PanelInput = { type: 'conn', status: 'live' };

describe('agent panel state machine', () => {
  it('a dialer call pops the lead: reserve then connect loads the call, then its lead', () => {
    const { s, effects } = run([
      live,
      snapshot(agent('READY')),
      moved('READY', 'RESERVED', 2000, { callId: 'c1' as never }),
    ]);
    expect(s.call?.callId).toBe('c1');
    expect(effects).toEqual([{ type: 'load_call', callId: 'c1' }]);
    const r = run([{ type: 'call_loaded', call: callView('c1') }], s);
    expect(r.s.call?.leadId).toBe('42');
    expect(r.effects).toEqual([{ type: 'load_lead', leadId: '42' }]);
    expect(r.s.lead?.status).toBe('loading');
    const r2 = run(
      [
        {
          type: 'lead_loaded',
          leadId: '42',
          lead: leadOf({ id: '42', phone: '+12125550100', firstName: 'Ada' }),
          log: [],
        },
        moved('RESERVED', 'INCALL', 2100, { callId: 'c1' as never }),
      ],
      r.s,
    );
    expect(r2.s.lead?.lead?.firstName).toBe('Ada');
    expect(r2.s.agent?.state).toBe('INCALL');
    expect(r2.effects).toEqual([]);
  });

  it('the customer hanging up first leaves the agent DEAD with the disposition owed', () => {
    const { s } = run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]),
      ended('c1', 3000),
      moved('INCALL', 'DEAD', 3001, { callId: 'c1' as never, reason: 'customer_hangup' }),
    ]);
    expect(s.agent?.state).toBe('DEAD');
    expect(s.call?.endedBy).toBe('customer');
    expect(s.dispositionDue).toBe('c1');
    expect(guard(s, 'ready')).toMatch(/disposition/);
    expect(guard(s, 'dispose')).toBeNull();
  });

  it('a hang-up the agent asked for is recorded as the agent ending the call', () => {
    const { s } = run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]),
      { type: 'hangup_requested', callId: 'c1' },
      ended('c1', 3000),
      moved('INCALL', 'WRAPUP', 3001, { callId: 'c1' as never }),
    ]);
    expect(s.call?.endedBy).toBe('agent');
    expect(s.dispositionDue).toBe('c1');
  });

  it('no call is offered until the disposition is submitted: ready is refused in wrap-up', () => {
    const { s } = run([live, snapshot(agent('WRAPUP', { callId: 'c1' }), [callView('c1')])]);
    expect(guard(s, 'ready')).toBe('Submit the disposition of the last call first.');
    expect(guard(s, 'dial')).toBe('You cannot dial during wrap-up: submit the disposition first.');
    const after = run(
      [
        { type: 'disposed', callId: 'c1' },
        { type: 'session', agent: agent('PAUSED', { sinceMs: 5000, pauseCode: 'WRAPUP' }) },
      ],
      s,
    ).s;
    expect(after.dispositionDue).toBeNull();
    expect(after.call).toBeNull();
    expect(guard(after, 'ready')).toBeNull();
  });

  it('an HTTP answer older than the last pushed event changes nothing', () => {
    const { s } = run([
      live,
      snapshot(agent('READY', { sinceMs: 1000 })),
      moved('READY', 'RESERVED', 2000, { callId: 'c1' as never }),
      { type: 'session', agent: agent('READY', { sinceMs: 1500 }) },
    ]);
    expect(s.agent?.state).toBe('RESERVED');
    expect(s.call?.callId).toBe('c1');
  });

  it('a snapshot after a reconnect restores the call and keeps the loaded lead', () => {
    const before = run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]),
      {
        type: 'lead_loaded',
        leadId: '42',
        lead: leadOf({ id: '42', phone: '+12125550100' }),
        log: [],
      },
      { type: 'conn', status: 'reconnecting' },
    ]).s;
    expect(guard(before, 'hangup')).toMatch(/Not connected/);
    const { s, effects } = run(
      [live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])],
      before,
    );
    expect(s.call?.callId).toBe('c1');
    expect(s.lead?.status).toBe('loaded');
    expect(effects).toEqual([]);
    expect(guard(s, 'hangup')).toBeNull();
  });

  it('a snapshot taken after the customer hung up during the outage shows DEAD', () => {
    const before = run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])]).s;
    const { s } = run(
      [
        { type: 'conn', status: 'reconnecting' },
        live,
        snapshot(agent('DEAD', { callId: 'c1', sinceMs: 4000 }), [
          callView('c1', { stage: 'ENDED', endedAtMs: 3990 }),
        ]),
      ],
      before,
    );
    expect(s.agent?.state).toBe('DEAD');
    expect(s.dispositionDue).toBe('c1');
    expect(s.call?.endedBy).toBe('customer');
  });

  it('a snapshot with a different call replaces the old call and pops the new lead', () => {
    const before = run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])]).s;
    const { s, effects } = run(
      [snapshot(agent('INCALL', { callId: 'c2' }), [callView('c2', { leadId: '43' })])],
      before,
    );
    expect(s.call?.callId).toBe('c2');
    expect(effects).toEqual([{ type: 'load_lead', leadId: '43' }]);
  });

  it('events of another agent are ignored', () => {
    const { s } = run([
      live,
      snapshot(agent('READY')),
      moved('READY', 'RESERVED', 2000, { agentId: '8' as never, callId: 'c9' as never }),
    ]);
    expect(s.agent?.state).toBe('READY');
    expect(s.call).toBeNull();
  });

  it('a phone-leg change keeps the state clock', () => {
    const { s } = run([
      live,
      snapshot(agent('PAUSED', { sinceMs: 1000 })),
      moved('PAUSED', 'PAUSED', 5000, { reason: 'system:leg' }),
    ]);
    expect(s.agent?.sinceMs).toBe(1000);
  });

  it('going ready after a disposition clears the call even when the event names the old call', () => {
    const { s } = run([
      live,
      snapshot(agent('WRAPUP', { callId: 'c1' }), [callView('c1')]),
      moved('WRAPUP', 'READY', 6000, { callId: 'c1' as never }),
    ]);
    expect(s.agent?.callId).toBeNull();
    expect(s.call).toBeNull();
    expect(s.dispositionDue).toBeNull();
  });

  it('a manual dial opens the call from call.originated and loads the lead at once', () => {
    const { s, effects } = run([
      live,
      snapshot(agent('PAUSED')),
      {
        type: 'event',
        event: {
          type: 'call.originated',
          callId: 'm1' as never,
          campaignId: '1' as never,
          leadId: '50' as never,
          listId: '3' as never,
          agentId: AGENT as never,
          serverId: 'sim',
          channelId: 'm1',
          atMs: 2000,
        },
      },
      moved('PAUSED', 'INCALL', 2001, { callId: 'm1' as never }),
    ]);
    expect(s.call?.manual).toBe(true);
    expect(s.call?.leadId).toBe('50');
    expect(effects).toEqual([{ type: 'load_lead', leadId: '50' }]);
  });

  it('in-call actions are refused when there is no call, and allowed during one', () => {
    const idle = run([live, snapshot(agent('PAUSED'))]).s;
    for (const a of ['hangup', 'hold', 'mute', 'transfer', 'dtmf'] as const) {
      expect(guard(idle, a)).not.toBeNull();
    }
    expect(guard(idle, 'dial')).toBeNull();
    const onCall = run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])]).s;
    for (const a of ['hangup', 'hold', 'mute', 'transfer', 'dtmf'] as const) {
      expect(guard(onCall, a)).toBeNull();
    }
    expect(guard(onCall, 'dial')).toBe('You are on a call.');
    const ready = run([live, snapshot(agent('READY'))]).s;
    expect(guard(ready, 'dial')).toMatch(/Pause first/);
  });

  it('a heartbeat-lost pause is explained to the agent', () => {
    const { s } = run([
      live,
      snapshot(agent('READY')),
      moved('READY', 'PAUSED', 2000, { reason: 'system:heartbeat-lost', pauseCode: 'SYSTEM' }),
    ]);
    expect(s.agent?.pauseCode).toBe('SYSTEM');
    expect(s.notice?.text).toMatch(/connection was lost/);
  });

  it('logging out clears the call and everything owed', () => {
    const { s } = run([
      live,
      snapshot(agent('WRAPUP', { callId: 'c1' }), [callView('c1')]),
      moved('WRAPUP', 'LOGGED_OUT', 7000, { callId: 'c1' as never }),
    ]);
    expect(s.agent?.state).toBe('LOGGED_OUT');
    expect(s.agent?.campaignId).toBeNull();
    expect(s.call).toBeNull();
    expect(s.dispositionDue).toBeNull();
  });
});

describe('wrap-up timer', () => {
  const wrap = run([live, snapshot(agent('WRAPUP', { callId: 'c1', sinceMs: 10_000 }))]).s;

  it('counts down from the campaign wrap-up time from when wrap-up began', () => {
    expect(wrapupRemainingMs(wrap, 30, 10_000)).toBe(30_000);
    expect(wrapupRemainingMs(wrap, 30, 25_000)).toBe(15_000);
    expect(wrapupRemainingMs(wrap, 30, 99_000)).toBe(0);
    expect(wrapupRemainingMs(wrap, 0, 25_000)).toBeNull();
  });

  it('ends wrap-up only when the server says so: the countdown stops at zero and waits', () => {
    expect(wrapupRemainingMs(wrap, 30, 99_000)).toBe(0);
    expect(wrap.agent?.state).toBe('WRAPUP');
    expect(wrap.dispositionDue).toBe('c1');
    // The server's wrap-up timeout (action: pause) moves the agent; the form closes.
    const { s } = run(
      [
        moved('WRAPUP', 'PAUSED', 40_000, {
          callId: 'c1' as never,
          pauseCode: 'WRAPUP',
          reason: 'system:wrapup-timeout',
        }),
      ],
      wrap,
    );
    expect(s.agent?.state).toBe('PAUSED');
    expect(s.dispositionDue).toBeNull();
    expect(wrapupRemainingMs(s, 30, 99_000)).toBeNull();
  });

  it('runs no timer outside wrap-up', () => {
    const paused = run([live, snapshot(agent('PAUSED'))]).s;
    expect(wrapupRemainingMs(paused, 30, 99_000)).toBeNull();
  });
});

describe('supervisor on the call (monitoring indicator)', () => {
  const monitorStarted = (mode: 'listen' | 'whisper' | 'barge', callId = 'c1'): PanelInput => ({
    type: 'event',
    event: {
      type: 'agent.monitor.started',
      agentId: AGENT as never,
      callId: callId as never,
      mode,
      supervisorId: '3',
      supervisorName: 'Grace Hopper',
      atMs: 3000,
    },
  });
  const monitorEnded = (mode: 'listen' | 'whisper' | 'barge', callId = 'c1'): PanelInput => ({
    type: 'event',
    event: {
      type: 'agent.monitor.ended',
      agentId: AGENT as never,
      callId: callId as never,
      mode,
      supervisorId: '3',
      reason: 'stopped',
      atMs: 4000,
    },
  });
  const onCall = () => run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])]).s;

  it('shows a whispering supervisor by name until the whisper ends', () => {
    const s = run([monitorStarted('whisper')], onCall()).s;
    expect(s.monitor).toEqual({
      mode: 'whisper',
      supervisorId: '3',
      supervisorName: 'Grace Hopper',
      callId: 'c1',
    });
    expect(describeMonitor(s.monitor as MonitorInfo)).toBe(
      'Supervisor Grace Hopper is whispering (only you hear them)',
    );
    expect(run([monitorEnded('whisper')], s).s.monitor).toBeNull();
  });

  it('tells the agent that a barging supervisor is heard by the customer too', () => {
    const s = run([monitorStarted('barge')], onCall()).s;
    expect(describeMonitor(s.monitor as MonitorInfo)).toBe(
      'Supervisor Grace Hopper has joined the call (the customer hears them too)',
    );
  });

  it('never shows a supervisor who is only listening', () => {
    expect(run([monitorStarted('listen')], onCall()).s.monitor).toBeNull();
  });

  it("clears the banner when the call ends, and ignores another call's end of monitoring", () => {
    const s = run([monitorStarted('whisper')], onCall()).s;
    expect(run([monitorEnded('whisper', 'other')], s).s.monitor).not.toBeNull();
    expect(run([ended('c1', 5000)], s).s.monitor).toBeNull();
  });

  it('takes the monitoring from a snapshot (reconnect during a whisper), never a listen', () => {
    const started = (mode: 'listen' | 'whisper') => ({
      type: 'agent.monitor.started' as const,
      agentId: AGENT as never,
      callId: 'c1' as never,
      mode,
      supervisorId: '3',
      supervisorName: '',
      atMs: 3000,
    });
    const withMonitor = (mode: 'listen' | 'whisper'): PanelInput => ({
      type: 'snapshot',
      data: {
        scope: 'agent',
        reason: 'gap',
        agent: agent('INCALL', { callId: 'c1' }),
        agents: [],
        calls: [callView('c1')],
        monitor: started(mode),
      },
    });
    const s = run([live, withMonitor('whisper')]).s;
    expect(s.monitor?.mode).toBe('whisper');
    expect(describeMonitor(s.monitor as MonitorInfo)).toBe(
      'A supervisor is whispering (only you hear them)',
    );
    expect(run([withMonitor('listen')], s).s.monitor).toBeNull();
    // A snapshot without it (the whisper ended while disconnected) clears the banner.
    expect(
      run([snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])], s).s.monitor,
    ).toBeNull();
  });
});

describe('transfer target', () => {
  it('reserved for a call it may not read yet, it reads the call again once the call is bridged to it', () => {
    const reserved = run([
      live,
      snapshot(agent('READY')),
      moved('READY', 'RESERVED', 1000, { callId: 'x1' as never }),
    ]);
    // The first read was refused (the call was still the transferring agent's): no lead known.
    expect(reserved.effects).toContainEqual({ type: 'load_call', callId: 'x1' });
    const bridged = run(
      [
        {
          type: 'event',
          event: {
            type: 'call.bridged',
            callId: 'x1' as never,
            agentId: AGENT as never,
            bridgeId: `agent-${AGENT}`,
            atMs: 1100,
          },
        },
      ],
      reserved.s,
    );
    expect(bridged.effects).toEqual([{ type: 'load_call', callId: 'x1' }]);
  });
});

describe('phone line lost', () => {
  it('says the line dropped when the server pauses a ready agent for PHONE, and not for a break', () => {
    const lost = run([
      live,
      snapshot(agent('READY')),
      moved('READY', 'PAUSED', 2000, { pauseCode: 'PHONE', reason: 'system:phone-lost' }),
    ]).s;
    expect(lineLost(lost)).toBe(true);
    expect(describeState(lost)).toBe(
      'Paused: your phone line dropped. Reconnect it, then go ready',
    );
    const back = run([moved('PAUSED', 'READY', 3000)], lost).s;
    expect(lineLost(back)).toBe(false);
    const onBreak = run([live, snapshot(agent('PAUSED', { pauseCode: 'BREAK' }))]).s;
    expect(lineLost(onBreak)).toBe(false);
    expect(describeState(onBreak)).toBe('Paused (BREAK)');
  });
});

describe('call lost: the phone server removed it', () => {
  const lostEnd: PanelInput = {
    type: 'event',
    event: {
      type: 'call.ended',
      callId: 'c1' as never,
      campaignId: '1' as never,
      leadId: '42' as never,
      outcome: 'HUMAN',
      hangupCause: null,
      agentId: AGENT as never,
      reason: 'BRIDGE_REFUSED',
      atMs: 3000,
    },
  };

  it('says what happened, then leaves the agent on the call screen with the disposition owed', () => {
    const onCall = run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])]).s;
    const ended = run([lostEnd], onCall).s;
    expect(ended.notice).toMatchObject({ kind: 'error', text: CALL_LOST_TEXT });
    expect(CALL_LOST_TEXT).toBe('Call lost: the phone server removed it');
    expect(callLost(ended)).toBe(true);
    expect(describeState(ended)).toBe(CALL_LOST_TEXT);
    // The server then moves the agent on (INCALL -> DEAD): still the lost call's words.
    const dead = run(
      [moved('INCALL', 'DEAD', 3001, { callId: 'c1' as never, reason: 'system:customer-hangup' })],
      ended,
    ).s;
    expect(dead.call?.endedBy).toBe('server');
    expect(dead.dispositionDue).toBe('c1');
    expect(describeState(dead)).toBe(`${CALL_LOST_TEXT}: choose a disposition`);
    expect(describeEnd(dead)).toEqual({
      heading: 'Call lost',
      message: `${CALL_LOST_TEXT}. Choose a disposition.`,
    });
    expect(guard(dead, 'hold')).toBe('The call was lost.');
    expect(guard(dead, 'dispose')).toBeNull();
  });

  it('an ordinary end (no reason) is still the customer hanging up, with no notice', () => {
    const { s } = run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]),
      ended('c1', 3000),
      moved('INCALL', 'DEAD', 3001, { callId: 'c1' as never, reason: 'system:customer-hangup' }),
    ]);
    expect(s.notice).toBeNull();
    expect(callLost(s)).toBe(false);
    expect(describeEnd(s)).toEqual({
      heading: 'Customer hung up',
      message: 'The customer hung up. Choose a disposition.',
    });
    expect(describeState(s)).toBe('The customer hung up: choose a disposition');
  });
});
