import type { AgentId, CallId, CampaignId, LeadId } from '@ringside/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  originated,
  SAFE_HARBOR_HANGUP_FALLBACK_MS,
  stageOf,
  transition,
  type Call,
  type CallEffect,
  type CallEvent,
} from './call-state.js';

const agent = 'a1' as AgentId;
const fresh = (over: Partial<Call> = {}): Call =>
  originated({
    callId: 'c1' as CallId,
    campaignId: 'k1' as CampaignId,
    leadId: 'l1' as LeadId,
    manual: false,
    ...over,
  });

/** Applies events in order, collecting every effect. */
function run(call: Call, events: CallEvent[]): { call: Call; effects: CallEffect[] } {
  const effects: CallEffect[] = [];
  for (const e of events) {
    const t = transition(call, e);
    call = t.call;
    effects.push(...t.effects);
  }
  return { call, effects };
}
const kinds = (effects: CallEffect[]) => effects.map((x) => x.kind).filter((k) => k !== 'publish');

describe('call state machine', () => {
  it('rings, answers and records the AMD verdict, publishing each fact once', () => {
    const r = run(fresh(), [
      { type: 'ringing', atMs: 1 },
      { type: 'answered', atMs: 2 },
      { type: 'answered', atMs: 3 },
      { type: 'amd', result: 'HUMAN', cause: 'HUMAN-1', atMs: 4 },
    ]);
    expect(r.call).toMatchObject({
      phase: 'answered',
      answeredAtMs: 2,
      amdAtMs: 4,
      amdResult: 'HUMAN',
    });
    expect(r.effects.map((x) => (x.kind === 'publish' ? x.event.type : x.kind))).toEqual([
      'call.ringing',
      'call.answered',
      'call.amd',
    ]);
    expect(stageOf(r.call)).toBe('AMD');
  });

  it('a verdict without an answer answers first', () => {
    const r = transition(fresh(), { type: 'amd', result: 'MACHINE', atMs: 9 });
    expect(r.call.answeredAtMs).toBe(9);
    expect(r.effects.map((x) => (x.kind === 'publish' ? x.event.type : x.kind))).toEqual([
      'call.answered',
      'call.amd',
    ]);
  });

  it('a person goes to an agent and is bridged', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'NOTSURE', atMs: 1 },
      { type: 'route', machine: 'hangup' },
      { type: 'agent_reserved', agentId: agent, bridgeId: 'b-a1' },
      { type: 'bridged', agentId: agent, atMs: 2 },
    ]);
    expect(kinds(r.effects)).toEqual(['findAgent', 'bridgeToAgent', 'cancelDeadline']);
    expect(r.call).toMatchObject({ phase: 'bridged', agentId: agent });
  });

  it('a machine is hung up, left a message, or sent to an agent as the policy says', () => {
    const machine = transition(fresh(), { type: 'amd', result: 'MACHINE', atMs: 1 }).call;
    const hang = transition(machine, { type: 'route', machine: 'hangup' });
    expect(hang.call).toMatchObject({ phase: 'machine', amdHungUp: true });
    expect(kinds(hang.effects)).toEqual(['hangup']);
    const msg = transition(machine, { type: 'route', machine: 'message' });
    expect(kinds(msg.effects)).toEqual(['playMachineMessage']);
    expect(kinds(transition(msg.call, { type: 'machine_done' }).effects)).toEqual(['hangup']);
    const toAgent = transition(machine, { type: 'route', machine: 'agent' });
    expect(toAgent.call).toMatchObject({ phase: 'handoff', amdHungUp: false });
  });

  it('a manual call goes straight to its own agent', () => {
    const r = run(fresh({ manual: true }), [
      { type: 'amd', result: 'MACHINE', atMs: 1 },
      { type: 'route', machine: 'hangup' },
    ]);
    expect(kinds(r.effects)).toEqual(['bridgeToOwnAgent']);
  });

  it('no agent free: parks with a deadline, and the deadline drops it', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'HUMAN', atMs: 1 },
      { type: 'route', machine: 'hangup' },
      { type: 'no_agent', holdLeftMs: 1500 },
      { type: 'parked', bridgeId: 'hold-k1', atMs: 2 },
      { type: 'deadline' },
    ]);
    expect(kinds(r.effects)).toEqual([
      'findAgent',
      'armDeadline',
      'park',
      'cancelDeadline',
      'unpark',
      'playSafeHarbor',
      'armHangup',
    ]);
    expect(r.effects).toContainEqual({ kind: 'armHangup', ms: SAFE_HARBOR_HANGUP_FALLBACK_MS });
    expect(r.call).toMatchObject({ phase: 'dropping', parkedIn: null, wasParked: true });
  });

  it('no time left: drops at once without parking', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'HUMAN', atMs: 1 },
      { type: 'route', machine: 'hangup' },
      { type: 'no_agent', holdLeftMs: 0 },
    ]);
    expect(kinds(r.effects)).toEqual([
      'findAgent',
      'cancelDeadline',
      'playSafeHarbor',
      'armHangup',
    ]);
  });

  it('a waiting call claimed for an agent goes back to the head of the queue when none comes', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'HUMAN', atMs: 1 },
      { type: 'route', machine: 'hangup' },
      { type: 'no_agent', holdLeftMs: 1000 },
      { type: 'claim' },
      { type: 'no_agent', holdLeftMs: 500 },
    ]);
    expect(kinds(r.effects).slice(-2)).toEqual(['findAgent', 'requeue']);
    expect(r.call.phase).toBe('waiting');
  });

  it('a deadline during a hand-off attempt drops the call when that attempt fails', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'HUMAN', atMs: 1 },
      { type: 'route', machine: 'hangup' },
      { type: 'no_agent', holdLeftMs: 1000 },
      { type: 'claim' },
      { type: 'deadline' },
      { type: 'agent_failed' },
    ]);
    expect(r.call.phase).toBe('dropping');
    expect(kinds(r.effects).slice(-3)).toEqual(['cancelDeadline', 'playSafeHarbor', 'armHangup']);
  });

  it('the worker publishes the drop and the end of the message, then hangs up', () => {
    const r = run(fresh(), [
      { type: 'amd', result: 'HUMAN', atMs: 1_000 },
      { type: 'safe_harbor_started', atMs: 3_000 },
      { type: 'safe_harbor_done', playbackId: 'sh-c1', atMs: 9_000 },
    ]);
    const published = r.effects.flatMap((x) => (x.kind === 'publish' ? [x.event] : []));
    expect(published.at(-2)).toMatchObject({ type: 'call.dropped', waitMs: 2_000 });
    expect(published.at(-1)).toMatchObject({ type: 'call.safe_harbor', startedAtMs: 3_000 });
    expect(r.effects.at(-1)).toEqual({ kind: 'hangup' });
  });

  it('ended publishes call.ended with the call ids and outcome', () => {
    const r = transition(fresh(), { type: 'ended', outcome: 'NO_ANSWER', atMs: 5 });
    expect(r.call.phase).toBe('ended');
    expect(r.effects).toContainEqual({
      kind: 'publish',
      event: {
        type: 'call.ended',
        callId: 'c1',
        campaignId: 'k1',
        leadId: 'l1',
        outcome: 'NO_ANSWER',
        hangupCause: null,
        agentId: null,
        atMs: 5,
      },
    });
  });
});

// ------------------------------------------------------------------ properties

const anEvent: fc.Arbitrary<CallEvent> = fc.oneof(
  fc.constant<CallEvent>({ type: 'ringing', atMs: 1 }),
  fc.constant<CallEvent>({ type: 'answered', atMs: 2 }),
  fc
    .constantFrom('HUMAN', 'MACHINE', 'NOTSURE' as const)
    .map((result): CallEvent => ({ type: 'amd', result, atMs: 3 })),
  fc
    .constantFrom('agent', 'hangup', 'message' as const)
    .map((machine): CallEvent => ({ type: 'route', machine })),
  fc.constant<CallEvent>({ type: 'agent_reserved', agentId: agent, bridgeId: 'b' }),
  fc.constant<CallEvent>({ type: 'agent_failed' }),
  fc.constant<CallEvent>({ type: 'bridged', agentId: agent, atMs: 4 }),
  fc.constant<CallEvent>({ type: 'customer_gone' }),
  fc
    .integer({ min: -10, max: 10 })
    .map((holdLeftMs): CallEvent => ({ type: 'no_agent', holdLeftMs })),
  fc.constant<CallEvent>({ type: 'parked', bridgeId: 'hold', atMs: 5 }),
  fc.constant<CallEvent>({ type: 'claim' }),
  fc.constant<CallEvent>({ type: 'deadline' }),
  fc.constant<CallEvent>({ type: 'drop' }),
  fc.constant<CallEvent>({ type: 'safe_harbor_started', atMs: 6 }),
  fc.constant<CallEvent>({ type: 'safe_harbor_done', atMs: 7 }),
  fc.constant<CallEvent>({ type: 'play_failed' }),
  fc.constant<CallEvent>({ type: 'machine_done' }),
  fc.constant<CallEvent>({ type: 'give_up' }),
  fc.constant<CallEvent>({ type: 'ended', outcome: 'HUMAN', atMs: 8 }),
);

describe('call state machine properties', () => {
  it('nothing leaves ended, and an ended call yields no effects', () => {
    fc.assert(
      fc.property(
        fc.array(anEvent, { maxLength: 12 }),
        anEvent,
        fc.boolean(),
        (before, e, manual) => {
          const ended = run(fresh({ manual }), [
            ...before,
            { type: 'ended', outcome: 'CANCELED', atMs: 9 },
          ]).call;
          const t = transition(ended, e);
          expect(t.call).toEqual(ended);
          expect(t.effects).toEqual([]);
        },
      ),
    );
  });

  it('every drop plays the safe-harbor message before any hang-up', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 20 }), (events) => {
        let call = fresh();
        for (const e of events) {
          const t = transition(call, e);
          if (call.phase !== 'dropping' && t.call.phase === 'dropping') {
            const k = kinds(t.effects);
            // The dialer's drop plays the message; the worker's drop saw it start.
            if (e.type !== 'safe_harbor_started') {
              expect(k).toContain('playSafeHarbor');
              const hang = k.indexOf('hangup');
              if (hang >= 0) expect(hang).toBeGreaterThan(k.indexOf('playSafeHarbor'));
            }
          }
          call = t.call;
        }
      }),
    );
  });

  it('a bridged call is never dropped nor given the safe-harbor message', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 20 }), (events) => {
        let call = run(fresh(), [
          { type: 'amd', result: 'HUMAN', atMs: 1 },
          { type: 'bridged', agentId: agent, atMs: 2 },
        ]).call;
        for (const e of events) {
          const t = transition(call, e);
          expect(kinds(t.effects)).not.toContain('playSafeHarbor');
          expect(t.call.phase === 'bridged' || t.call.phase === 'ended').toBe(true);
          call = t.call;
        }
      }),
    );
  });

  it('each fact is published at most once, and never for a call already ended', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 25 }), (events) => {
        const { effects } = run(fresh(), events);
        const types = effects.flatMap((x) => (x.kind === 'publish' ? [x.event.type] : []));
        for (const t of ['call.ringing', 'call.answered', 'call.amd', 'call.dropped', 'call.ended'])
          expect(types.filter((x) => x === t).length).toBeLessThanOrEqual(1);
        const end = types.indexOf('call.ended');
        if (end >= 0) expect(end).toBe(types.length - 1);
      }),
    );
  });

  it('only a MACHINE verdict of an automatic call is counted as hung up by AMD', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 20 }), fc.boolean(), (events, manual) => {
        const { call } = run(fresh({ manual }), events);
        if (call.amdHungUp) {
          expect(manual).toBe(false);
          expect(call.amdResult).toBe('MACHINE');
        }
      }),
    );
  });
});
