import { describe, expect, it } from 'vitest';
import { liveCall } from '../../ports/fakes/conformance/fixtures.js';
import type { LiveCall } from '../../ports/state-store.js';
import { amdResultOf, callOutcome, reportedCause } from './ari-worker-outcome.js';

const base: LiveCall = liveCall('c', { serverId: 's', originatedAtMs: 0 });
const none = { dialStatus: null, ownCause: null, peerCause: null };

describe('callOutcome', () => {
  it('reads busy and congestion from dialstatus, with cause 0 on our half', () => {
    expect(callOutcome(base, { dialStatus: 'BUSY', ownCause: 0, peerCause: null })).toBe('BUSY');
    expect(callOutcome(base, { dialStatus: 'CONGESTION', ownCause: 0, peerCause: 34 })).toBe(
      'CONGESTION',
    );
  });
  it('reads busy, congestion and invalid from the other half’s cause when no dialstatus came', () => {
    expect(callOutcome(base, { ...none, ownCause: 0, peerCause: 17 })).toBe('BUSY');
    expect(callOutcome(base, { ...none, ownCause: 0, peerCause: 34 })).toBe('CONGESTION');
    expect(callOutcome(base, { ...none, ownCause: 1, peerCause: null })).toBe('INVALID');
  });
  it('treats cause 19 with dialstatus still RINGING as no answer', () => {
    expect(
      callOutcome(
        { ...base, stage: 'RINGING', ringingAtMs: 1 },
        { dialStatus: 'RINGING', ownCause: 19, peerCause: 19 },
      ),
    ).toBe('NO_ANSWER');
  });
  it('treats a normal clearing before any answer as our own cancel', () => {
    expect(callOutcome(base, { ...none, ownCause: 16 })).toBe('CANCELED');
  });
  it('classifies answered calls by bridge, drop and AMD verdict', () => {
    const answered = { ...base, answeredAtMs: 5 };
    expect(callOutcome({ ...answered, amdResult: 'HUMAN', bridgedAtMs: 9 }, none)).toBe('HUMAN');
    expect(callOutcome({ ...answered, amdResult: 'HUMAN', droppedAtMs: 9 }, none)).toBe('DROPPED');
    expect(callOutcome({ ...answered, amdResult: 'NOTSURE' }, none)).toBe('DROPPED');
    expect(callOutcome({ ...answered, amdResult: 'MACHINE' }, none)).toBe('MACHINE');
    expect(callOutcome(answered, { ...none, ownCause: 16 })).toBe('NO_ANSWER');
  });
});

describe('reportedCause', () => {
  it('prefers our half’s cause unless it is 0', () => {
    expect(reportedCause({ dialStatus: null, ownCause: 16, peerCause: 17 })).toBe(16);
    expect(reportedCause({ dialStatus: null, ownCause: 0, peerCause: 17 })).toBe(17);
    expect(reportedCause({ dialStatus: null, ownCause: 0, peerCause: null })).toBe(0);
    expect(reportedCause(none)).toBeNull();
  });
});

describe('amdResultOf', () => {
  it('maps HUMAN and MACHINE and everything else to NOTSURE', () => {
    expect(amdResultOf('HUMAN')).toBe('HUMAN');
    expect(amdResultOf('MACHINE')).toBe('MACHINE');
    expect(amdResultOf('NOTSURE')).toBe('NOTSURE');
    expect(amdResultOf('HANGUP')).toBe('NOTSURE');
    expect(amdResultOf(undefined)).toBe('NOTSURE');
  });
});
