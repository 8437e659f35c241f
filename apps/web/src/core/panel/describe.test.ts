import { describe, expect, it } from 'vitest';
import {
  agent,
  AGENT,
  callView,
  ended,
  live,
  moved,
  run,
  snapshot,
} from './fixtures.test-helper.js';
import {
  CALL_LOST_TEXT,
  callLost,
  describeEnd,
  describeMonitor,
  bannerDetail,
  describeBanner,
  describeState,
  deskTitle,
  formatDuration,
  guard,
  lineLost,
  talkMs,
  timeInStateLabel,
  wrapupRemainingMs,
  type MonitorInfo,
  type PanelInput,
} from './index.js';

describe('wrap-up timer', () => {
  const wrap = run([live, snapshot(agent('WRAPUP', { callId: 'c1', sinceMs: 10_000 }))]).s;

  it('counts down from the campaign wrap-up time from when wrap-up began', () => {
    expect(wrapupRemainingMs(wrap, 30, 10_000)).toBe(30_000);
    expect(wrapupRemainingMs(wrap, 30, 25_000)).toBe(15_000);
    expect(wrapupRemainingMs(wrap, 30, 99_000)).toBe(0);
    expect(wrapupRemainingMs(wrap, 0, 25_000)).toBeNull();
  });

  it('counts down to the extended deadline once the agent extended wrap-up', () => {
    const agentState = wrap.agent;
    if (!agentState) throw new Error('no agent');
    const extended = { ...wrap, agent: { ...agentState, wrapupUntilMs: 70_000 } };
    expect(wrapupRemainingMs(extended, 30, 45_000)).toBe(25_000);
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

describe('state banner', () => {
  const inCall = () =>
    run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1', { bridgedAtMs: 5000 })]),
    ]).s;

  it('gives every state a word and an icon, not only a colour', () => {
    const word = (st: Parameters<typeof agent>[0]) =>
      describeBanner(run([live, snapshot(agent(st, { callId: 'c1' }))]).s);
    expect(word('READY')).toEqual({ tone: 'ready', icon: 'check', word: 'Ready' });
    expect(word('PAUSED')).toEqual({ tone: 'paused', icon: 'pause', word: 'Paused' });
    expect(word('WRAPUP')).toEqual({ tone: 'wrap', icon: 'wrap', word: 'Wrap-up' });
    expect(word('RESERVED').word).toBe('Connecting');
    expect(word('DEAD')).toEqual({ tone: 'ended', icon: 'ended', word: 'Customer hung up' });
    expect(describeBanner(run([live]).s)).toEqual({ tone: 'off', icon: 'off', word: 'Logged out' });
    expect(describeBanner(inCall())).toEqual({ tone: 'call', icon: 'phone', word: 'On call' });
    expect(describeBanner(run([{ type: 'hold_set', on: true }], inCall()).s).word).toBe('On hold');
  });

  it('adds to the word only what it does not say', () => {
    const at = (st: Parameters<typeof agent>[0], over = {}) =>
      bannerDetail(run([live, snapshot(agent(st, { callId: 'c1', ...over }))]).s);
    expect(at('PAUSED', { pauseCode: 'LUNCH' })).toBe('Code LUNCH');
    expect(at('READY')).toBe('Waiting for a call');
    expect(at('DEAD')).toBe('Choose a disposition');
    expect(bannerDetail(inCall())).toBeNull();
  });

  it('labels the time in state, and shows none while logged out', () => {
    const ready = run([live, snapshot(agent('READY', { sinceMs: 1000 }))]).s;
    expect(timeInStateLabel(ready, 13_000)).toBe('0:12 in state');
    expect(timeInStateLabel(ready, 1000 + 3_725_000)).toBe('1:02:05 in state');
    // Logged out: no state, so no timer (it once showed "49:14").
    expect(timeInStateLabel(run([live]).s, 13_000)).toBeNull();
    expect(timeInStateLabel(run([live, snapshot(null)]).s, 13_000)).toBeNull();
  });

  it('times the talk from the bridge to the end of the call', () => {
    expect(talkMs(inCall(), 65_000)).toBe(60_000);
    expect(talkMs(run([ended('c1', 35_000)], inCall()).s, 99_000)).toBe(30_000);
    expect(talkMs(run([live, snapshot(agent('READY'))]).s, 99_000)).toBeNull();
  });

  it('formats durations and titles the tab by state', () => {
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(59_999)).toBe('0:59');
    expect(formatDuration(600_000)).toBe('10:00');
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(deskTitle(run([live, snapshot(agent('READY'))]).s)).toBe('Ready — Ringside agent');
  });
});
