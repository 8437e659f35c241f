import { describe, expect, it } from 'vitest';
import {
  amdReviewPicked,
  dropTransition,
  playedToEnd,
  startDrop,
  type DropEvent,
  type DropSettings,
  type DropStep,
} from './drop-rules.js';

const WAIT: DropSettings = {
  wait: 'greeting_end',
  maxWaitMs: 30_000,
  quietMs: 2_500,
  noBeepAction: 'leave',
};

/** Runs events from a start at 0 ms; returns every step. */
function runDrop(s: DropSettings, events: DropEvent[]): DropStep[] {
  const steps = [startDrop(s, 0)];
  for (const e of events) steps.push(dropTransition(s, steps[steps.length - 1]!.state, e));
  return steps;
}

const kinds = (st: DropStep) => st.effects.map((e) => e.kind);
const outcomeOf = (steps: DropStep[]) =>
  steps.flatMap((st) => st.effects).filter((e) => e.kind === 'outcome');

describe('voicemail drop rules', () => {
  it('plays at once when the campaign does not wait for the greeting', () => {
    const [first] = runDrop({ ...WAIT, wait: 'none' }, []);
    expect(first!.state.phase).toBe('playing');
    expect(kinds(first!)).toEqual(['play']);
  });

  it('sets talk detection and arms the quiet and max-wait timers when it waits', () => {
    const [first] = runDrop(WAIT, []);
    expect(first!.state.phase).toBe('listening');
    expect(first!.effects).toEqual([
      { kind: 'talkDetect' },
      { kind: 'arm', timer: 'quiet', ms: 2_500 },
      { kind: 'arm', timer: 'maxWait', ms: 30_000 },
    ]);
  });

  it('plays when the greeting ends after talking started, and a full play is VM_LEFT', () => {
    const steps = runDrop(WAIT, [
      { type: 'talk_started', atMs: 300 },
      { type: 'talk_finished', atMs: 9_000 },
      { type: 'played', complete: true, atMs: 21_000 },
    ]);
    expect(kinds(steps[1]!)).toEqual(['cancel']); // the quiet timer: the greeting is heard
    expect(steps[2]!.state.phase).toBe('playing');
    expect(kinds(steps[2]!)).toEqual(['cancel', 'play']);
    expect(steps[3]!.state.phase).toBe('done');
    expect(outcomeOf(steps)).toEqual([
      { kind: 'outcome', outcome: 'VM_LEFT', played: true, waitedMs: 9_000 },
    ]);
    expect(kinds(steps[3]!).at(-1)).toBe('hangup');
  });

  it('plays after the quiet time when nothing is heard (the greeting ended before listening)', () => {
    const steps = runDrop(WAIT, [{ type: 'timer', timer: 'quiet', atMs: 2_500 }]);
    expect(steps[1]!.state.phase).toBe('playing');
    expect(steps[1]!.state.playStartedAtMs).toBe(2_500);
  });

  it('ignores the quiet timer once talking was heard', () => {
    const steps = runDrop(WAIT, [
      { type: 'talk_started', atMs: 100 },
      { type: 'timer', timer: 'quiet', atMs: 2_500 },
    ]);
    expect(steps[2]!.state.phase).toBe('listening');
    expect(steps[2]!.effects).toEqual([]);
  });

  it('a greeting longer than the limit is VM_NO_BEEP, left anyway with action leave', () => {
    const steps = runDrop(WAIT, [
      { type: 'talk_started', atMs: 100 },
      { type: 'timer', timer: 'maxWait', atMs: 30_000 },
      { type: 'played', complete: true, atMs: 42_000 },
    ]);
    expect(steps[2]!.state.phase).toBe('playing');
    expect(steps[2]!.state.noBeep).toBe(true);
    expect(outcomeOf(steps)).toEqual([
      { kind: 'outcome', outcome: 'VM_NO_BEEP', played: true, waitedMs: 30_000 },
    ]);
  });

  it('a greeting longer than the limit is VM_NO_BEEP and hung up without a message with action hangup', () => {
    const steps = runDrop({ ...WAIT, noBeepAction: 'hangup' }, [
      { type: 'talk_started', atMs: 100 },
      { type: 'timer', timer: 'maxWait', atMs: 30_000 },
    ]);
    expect(steps[2]!.state.phase).toBe('done');
    expect(kinds(steps[2]!)).not.toContain('play');
    expect(kinds(steps[2]!).at(-1)).toBe('hangup');
    expect(outcomeOf(steps)).toEqual([
      { kind: 'outcome', outcome: 'VM_NO_BEEP', played: false, waitedMs: null },
    ]);
  });

  it('a message cut by the far end or that fails to start is VM_FAILED', () => {
    const cut = runDrop({ ...WAIT, wait: 'none' }, [{ type: 'ended', atMs: 3_000 }]);
    expect(outcomeOf(cut)).toEqual([
      { kind: 'outcome', outcome: 'VM_FAILED', played: false, waitedMs: 0 },
    ]);
    // The call is already over: no hang-up of our own.
    expect(kinds(cut[1]!)).not.toContain('hangup');
    const failed = runDrop({ ...WAIT, wait: 'none' }, [{ type: 'play_failed', atMs: 10 }]);
    expect(outcomeOf(failed)[0]).toMatchObject({ outcome: 'VM_FAILED', played: false });
    const short = runDrop({ ...WAIT, wait: 'none' }, [
      { type: 'played', complete: false, atMs: 10 },
    ]);
    expect(outcomeOf(short)[0]).toMatchObject({ outcome: 'VM_FAILED' });
  });

  it('gives one outcome per drop whatever follows', () => {
    const steps = runDrop({ ...WAIT, wait: 'none' }, [
      { type: 'played', complete: true, atMs: 5_000 },
      { type: 'ended', atMs: 5_100 },
      { type: 'played', complete: true, atMs: 5_200 },
      { type: 'talk_finished', atMs: 5_300 },
    ]);
    expect(outcomeOf(steps)).toHaveLength(1);
  });

  it('the machine hanging up while we wait for the greeting is VM_FAILED, never a message', () => {
    const steps = runDrop(WAIT, [
      { type: 'talk_started', atMs: 100 },
      { type: 'ended', atMs: 4_000 },
      { type: 'talk_finished', atMs: 6_000 },
    ]);
    expect(steps.flatMap((s) => s.effects).filter((e) => e.kind === 'play')).toEqual([]);
    expect(outcomeOf(steps)[0]).toMatchObject({ outcome: 'VM_FAILED', waitedMs: null });
  });

  it('judges a finished playback complete only when it lasted the message (1 s tolerance)', () => {
    expect(playedToEnd(1_000, 13_500, 12_000)).toBe(true);
    expect(playedToEnd(1_000, 11_900, 12_000)).toBe(false);
    expect(playedToEnd(1_000, 1_100, null)).toBe(true);
  });

  it('the AMD review draw follows the share and agrees for one call', () => {
    expect(amdReviewPicked('c-1', 0)).toBe(false);
    expect(amdReviewPicked('c-1', 100)).toBe(true);
    const ids = Array.from({ length: 4_000 }, (_, i) => `call-${i}-x`);
    const picked = ids.filter((id) => amdReviewPicked(id, 25)).length;
    expect(picked / ids.length).toBeGreaterThan(0.22);
    expect(picked / ids.length).toBeLessThan(0.28);
    expect(ids.map((id) => amdReviewPicked(id, 25))).toEqual(
      ids.map((id) => amdReviewPicked(id, 25)),
    );
  });
});
