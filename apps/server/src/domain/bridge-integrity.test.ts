import { describe, expect, it } from 'vitest';
import {
  agentOfBridgeId,
  BridgeLeaveTracker,
  DEFAULT_BRIDGE_POLICY,
  judgeLeave,
  type LeaveFacts,
} from './bridge-integrity.js';

const facts = (over: Partial<LeaveFacts> = {}) => ({
  explanation: null,
  stayedMs: 60_000,
  sinceRejoinMs: null,
  ...over,
});

describe('judgeLeave', () => {
  it('leaves a hang-up, a move and a destroyed bridge alone', () => {
    for (const why of ['hangup', 'moved', 'bridge_destroyed'] as const) {
      expect(judgeLeave(facts({ explanation: why, stayedMs: 0 }))).toEqual({
        action: 'none',
        why,
      });
    }
  });

  it('puts back a leg removed after it had been in the bridge a while', () => {
    expect(judgeLeave(facts())).toEqual({ action: 'rejoin' });
    // Entry not seen (the worker started mid-call): still worth one try.
    expect(judgeLeave(facts({ stayedMs: null }))).toEqual({ action: 'rejoin' });
  });

  it('fails a leg the bridge refused the instant it joined (no codec path): no re-add', () => {
    expect(judgeLeave(facts({ stayedMs: 0 }))).toEqual({
      action: 'fail',
      reason: 'BRIDGE_REFUSED',
    });
    expect(judgeLeave(facts({ stayedMs: DEFAULT_BRIDGE_POLICY.refusedWithinMs }))).toEqual({
      action: 'fail',
      reason: 'BRIDGE_REFUSED',
    });
    expect(judgeLeave(facts({ stayedMs: DEFAULT_BRIDGE_POLICY.refusedWithinMs + 1 }))).toEqual({
      action: 'rejoin',
    });
  });

  it('fails a leg removed again soon after it was put back', () => {
    expect(judgeLeave(facts({ stayedMs: 5_000, sinceRejoinMs: 5_000 }))).toEqual({
      action: 'fail',
      reason: 'BRIDGE_EJECTED',
    });
    // Refused the instant it was put back: the put-back did not hold.
    expect(judgeLeave(facts({ stayedMs: 0, sinceRejoinMs: 0 }))).toEqual({
      action: 'fail',
      reason: 'BRIDGE_EJECTED',
    });
    // Long after the put-back it is a new removal: one more try.
    expect(judgeLeave(facts({ stayedMs: 60_000, sinceRejoinMs: 60_000 }))).toEqual({
      action: 'rejoin',
    });
  });

  it('takes its thresholds from the policy', () => {
    const strict = { refusedWithinMs: 0, repeatWithinMs: 100_000 };
    expect(judgeLeave(facts({ stayedMs: 50 }), strict)).toEqual({ action: 'rejoin' });
    expect(judgeLeave(facts({ sinceRejoinMs: 60_000 }), strict)).toEqual({
      action: 'fail',
      reason: 'BRIDGE_EJECTED',
    });
  });
});

describe('agentOfBridgeId', () => {
  it("reads the agent out of its own bridge's id and nothing else", () => {
    expect(agentOfBridgeId('agent-42')).toBe('42');
    expect(agentOfBridgeId('agent-')).toBeNull();
    expect(agentOfBridgeId('hold-c1')).toBeNull();
    expect(agentOfBridgeId('xfer-c1')).toBeNull();
  });
});

/**
 * The tracker fed the event orders of the recorded Asterisk 22 traces (../shared/ari/traces):
 * each step is [event, channel or bridge, Asterisk ms].
 */
type Step =
  | ['enter' | 'left', string, string, number]
  | ['hangup' | 'stasisEnd' | 'destroyed', string]
  | ['bridgeDestroyed', string];

function run(steps: Step[]): { tracker: BridgeLeaveTracker; pending: string[] } {
  const tracker = new BridgeLeaveTracker((b) => agentOfBridgeId(b) !== null);
  const pending: string[] = [];
  for (const s of steps) {
    switch (s[0]) {
      case 'enter':
        tracker.entered(s[1], s[2], s[3]);
        break;
      case 'left':
        if (tracker.left(s[1], s[2], s[3])) pending.push(s[1]);
        break;
      case 'hangup':
        tracker.hangupRequested(s[1]);
        break;
      case 'stasisEnd':
        tracker.leftApp(s[1]);
        break;
      case 'destroyed':
        tracker.destroyed(s[1]);
        break;
      case 'bridgeDestroyed':
        tracker.bridgeDestroyed(s[1]);
        break;
    }
  }
  return { tracker, pending };
}

const verdicts = (r: ReturnType<typeof run>) =>
  r.pending.map((id) => {
    const f = r.tracker.take(id);
    return f ? judgeLeave(f).action : 'gone';
  });

describe('BridgeLeaveTracker on the orders Asterisk sends', () => {
  it('customer hangs up (human-answer-bridge): hang-up request first, no pending leave', () => {
    const r = run([
      ['enter', 'agent-leg', 'agent-1', 0],
      ['enter', 'call-a', 'agent-1', 7_634],
      ['hangup', 'call-a-2'],
      ['hangup', 'call-a'],
      ['destroyed', 'call-a-2'],
      ['left', 'call-a', 'agent-1', 18_917],
      ['stasisEnd', 'call-a'],
      ['destroyed', 'call-a'],
    ]);
    expect(r.pending).toEqual([]);
    // The agent's leg stays; nothing is left behind for the customer's channels.
    expect(r.tracker.size()).toBe(1);
  });

  it('agent hangs up the customer (agent-hangs-up-customer), then the leg goes: nothing pending', () => {
    const r = run([
      ['enter', 'agent-k', 'agent-1', 0],
      ['enter', 'call-k', 'agent-1', 9_633],
      ['hangup', 'call-k'],
      ['left', 'call-k', 'agent-1', 11_635],
      ['stasisEnd', 'call-k'],
      ['destroyed', 'call-k-2'],
      ['destroyed', 'call-k'],
      ['hangup', 'agent-k'],
      ['left', 'agent-k', 'agent-1', 11_637],
      ['stasisEnd', 'agent-k'],
      ['destroyed', 'agent-k'],
      ['bridgeDestroyed', 'agent-1'],
    ]);
    expect(r.pending).toEqual([]);
    expect(r.tracker.size()).toBe(0);
  });

  it('webrtc leg: the bridge is destroyed under the phone, which hangs up later: no repair', () => {
    const r = run([
      ['enter', '1795552514.0', 'agent-1', 0],
      ['enter', 'probe-call', 'agent-1', 9_638],
      ['hangup', 'probe-call'],
      ['left', 'probe-call', 'agent-1', 13_645],
      ['stasisEnd', 'probe-call'],
      ['destroyed', 'probe-call'],
      ['left', '1795552514.0', 'agent-1', 13_647],
      ['bridgeDestroyed', 'agent-1'],
      ['hangup', '1795552514.0'],
      ['stasisEnd', '1795552514.0'],
      ['destroyed', '1795552514.0'],
    ]);
    expect(r.pending).toEqual(['1795552514.0']);
    expect(verdicts(r)).toEqual(['none']);
  });

  it('a move to hold or to another agent (left, then entered elsewhere) needs no repair', () => {
    const r = run([
      ['enter', 'c1', 'agent-1', 0],
      ['left', 'c1', 'agent-1', 30_000],
      ['enter', 'c1', 'hold-c1', 30_000],
      ['left', 'c1', 'hold-c1', 40_000],
      ['enter', 'c1', 'agent-2', 40_000],
    ]);
    expect(r.pending).toEqual(['c1']);
    expect(verdicts(r)).toEqual(['none']);
  });

  it('the holding bridge is not watched: the dialer moving a customer out of it is nothing', () => {
    const r = run([
      ['enter', 'call-h', 'hold-7', 0],
      ['left', 'call-h', 'hold-7', 1_506],
      ['enter', 'call-h', 'agent-1', 1_507],
    ]);
    expect(r.pending).toEqual([]);
  });

  it('codec refusal (entered and left in the same ms, nothing else): fail, no re-add', () => {
    const r = run([
      ['enter', 'leg', 'agent-1', 0],
      ['enter', 'c1', 'agent-1', 5_000],
      ['left', 'c1', 'agent-1', 5_000],
    ]);
    expect(r.pending).toEqual(['c1']);
    const f = r.tracker.take('c1');
    expect(f).toMatchObject({ channelId: 'c1', bridgeId: 'agent-1', stayedMs: 0 });
    expect(f && judgeLeave(f)).toEqual({ action: 'fail', reason: 'BRIDGE_REFUSED' });
  });

  it('a removal nobody asked for is put back once; removed again right after: fail', () => {
    const tracker = new BridgeLeaveTracker((b) => agentOfBridgeId(b) !== null);
    tracker.entered('c1', 'agent-1', 0);
    expect(tracker.left('c1', 'agent-1', 20_000)).toBe(true);
    const first = tracker.take('c1');
    expect(first && judgeLeave(first)).toEqual({ action: 'rejoin' });
    tracker.expectRejoin('c1', 'agent-1');
    tracker.entered('c1', 'agent-1', 20_510);
    expect(tracker.left('c1', 'agent-1', 21_000)).toBe(true);
    const second = tracker.take('c1');
    expect(second).toMatchObject({ stayedMs: 490, sinceRejoinMs: 490 });
    expect(second && judgeLeave(second)).toEqual({ action: 'fail', reason: 'BRIDGE_EJECTED' });
  });

  it('a leave whose channel is destroyed within the grace is a hang-up', () => {
    const r = run([
      ['enter', 'c1', 'agent-1', 0],
      ['left', 'c1', 'agent-1', 10_000],
      ['destroyed', 'c1'],
    ]);
    expect(verdicts(r)).toEqual(['none']);
  });

  it('retainOnly: channels gone from Asterisk are forgotten, their pending leave a hang-up', () => {
    const tracker = new BridgeLeaveTracker(() => true);
    tracker.entered('a', 'agent-1', 0);
    tracker.entered('b', 'agent-1', 0);
    tracker.hangupRequested('x');
    expect(tracker.left('b', 'agent-1', 1_000)).toBe(true);
    tracker.retainOnly(new Set(['a']));
    expect(tracker.take('b')?.explanation).toBe('hangup');
    expect(tracker.size()).toBe(1);
  });
});
