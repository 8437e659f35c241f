import { describe, expect, it } from 'vitest';
import { leadOf } from '../fixtures.test-helper.js';
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
import { guard, wrapupDeadlineMs } from './index.js';

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

describe('wrap-up extension and automatic disposition', () => {
  const inWrapup = () =>
    run([
      live,
      snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]),
      {
        type: 'lead_loaded',
        leadId: '42',
        lead: leadOf({ id: '42', phone: '+12125550100', firstName: 'Ada', lastName: 'Byron' }),
        log: [],
      },
      moved('INCALL', 'WRAPUP', 5000, { callId: 'c1' as never }),
    ]).s;

  it('an extension keeps the state and its clock and moves the deadline', () => {
    const s0 = inWrapup();
    expect(wrapupDeadlineMs(s0, 30)).toBe(35_000);
    const { s } = run(
      [
        moved('WRAPUP', 'WRAPUP', 20_000, {
          callId: 'c1' as never,
          reason: 'agent:wrapup-extended',
          sinceMs: 5000,
          wrapupUntilMs: 65_000,
        }),
      ],
      s0,
    );
    expect(s.agent).toMatchObject({ state: 'WRAPUP', sinceMs: 5000, wrapupUntilMs: 65_000 });
    expect(s.dispositionDue).toBe('c1');
    expect(wrapupDeadlineMs(s, 30)).toBe(65_000);
    // A reconnect's snapshot (the store has no deadline) keeps the one the panel knew.
    const r = run([snapshot(agent('WRAPUP', { callId: 'c1', sinceMs: 5000 }), [])], s);
    expect(r.s.agent?.wrapupUntilMs).toBe(65_000);
    // The next state has no extended deadline.
    const n = run([moved('WRAPUP', 'READY', 30_000)], s);
    expect(n.s.agent?.wrapupUntilMs).toBeUndefined();
    expect(wrapupDeadlineMs(n.s, 30)).toBeNull();
  });

  it('an extension of an older state is ignored', () => {
    const s0 = inWrapup();
    const { s } = run(
      [
        moved('WRAPUP', 'WRAPUP', 20_000, {
          reason: 'agent:wrapup-extended',
          sinceMs: 1234,
          wrapupUntilMs: 65_000,
        }),
      ],
      s0,
    );
    expect(s.agent?.wrapupUntilMs).toBeUndefined();
  });

  it('the timeout says calmly what was filed for whom and replaces the stale refusal', () => {
    const s0 = run(
      [
        { type: 'wrapup_default', label: 'Not interested (NI)' },
        { type: 'notice', kind: 'refusal', text: 'Submit the disposition of the last call first.' },
      ],
      inWrapup(),
    ).s;
    const { s } = run(
      [
        moved('WRAPUP', 'READY', 40_000, {
          callId: 'c1' as never,
          reason: 'system:wrapup-timeout',
        }),
      ],
      s0,
    );
    expect(s.agent?.state).toBe('READY');
    expect(s.dispositionDue).toBeNull();
    expect(s.notice).toMatchObject({
      kind: 'info',
      text: 'Wrap-up time ran out: filed as Not interested (NI) for Ada Byron.',
    });
    expect(guard(s, 'ready')).toBe('You are already ready.');
  });

  it('a timeout that pauses says so; without a known default it names it generally', () => {
    const { s } = run(
      [
        moved('WRAPUP', 'PAUSED', 40_000, {
          callId: 'c1' as never,
          reason: 'system:wrapup-timeout',
          pauseCode: 'WRAPUP',
        }),
      ],
      inWrapup(),
    );
    expect(s.notice?.text).toBe(
      "Wrap-up time ran out: filed as the campaign's default disposition for Ada Byron. " +
        'You are paused (WRAPUP).',
    );
  });

  it('a disposition the agent submitted is not reported as automatic', () => {
    const s0 = inWrapup();
    const { s } = run(
      [{ type: 'disposed', callId: 'c1' }, moved('WRAPUP', 'READY', 40_000, { reason: 'agent' })],
      s0,
    );
    expect(s.notice).toBeNull();
  });
});
