import type { RecordingChanged } from '@ringside/protocol';
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
  callRecording,
  clock,
  describeRecording,
  PAUSE_API_ONLY_TEXT,
  pausedSoFarMs,
  recordingRefusal,
  type DeskRecordingPolicy,
  type PanelInput,
} from './index.js';

/** A recording.changed event for call c1 of this agent. */
function rec(
  state: RecordingChanged['state'],
  atMs: number,
  over: Partial<RecordingChanged> = {},
): PanelInput {
  return {
    type: 'event',
    event: {
      type: 'recording.changed',
      callId: 'c1' as never,
      recordingId: '5',
      campaignId: '1' as never,
      agentId: AGENT as never,
      state,
      segment: 1,
      by: 'system',
      error: null,
      atMs,
      ...over,
    },
  };
}

const onCall = [live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])];
const ALL: DeskRecordingPolicy = { mode: 'all', pauseApiOnly: false };

describe('the recording of the agent call, from recording.changed only', () => {
  it('a panel opened mid-call shows the recording the snapshot carries, paused since its pause', () => {
    const snap = snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]);
    if (snap.type !== 'snapshot') throw new Error('fixture');
    const paused = rec('paused', 3000, { by: 'agent' });
    if (paused.type !== 'event' || paused.event.type !== 'recording.changed')
      throw new Error('fixture');
    const { s } = run([live, { ...snap, data: { ...snap.data, recordings: [paused.event] } }]);
    const r = callRecording(s);
    expect(r?.state).toBe('paused');
    expect(describeRecording(r, ALL, 15_500).label).toBe('Paused 0:12');
  });

  it('a call starts unrecorded as far as the panel knows: no event, no recording', () => {
    const { s } = run(onCall);
    expect(callRecording(s)).toBeNull();
    expect(describeRecording(null, ALL, 0)).toMatchObject({ label: 'Not recorded', tone: 'off' });
  });

  it('recording, paused and resumed follow the events, and the paused time adds up', () => {
    const { s } = run([...onCall, rec('recording', 2000)]);
    expect(callRecording(s)?.state).toBe('recording');
    expect(describeRecording(callRecording(s), ALL, 2500).label).toBe('REC');

    const p = run([rec('paused', 3000, { by: 'agent' })], s).s;
    const r = callRecording(p);
    expect(r?.state).toBe('paused');
    expect(r?.pausedAtMs).toBe(3000);
    // The counter runs from the pause's start.
    expect(describeRecording(r, ALL, 15_500).label).toBe('Paused 0:12');
    // A repeated paused event does not restart it.
    const p2 = callRecording(run([rec('paused', 4000)], p).s);
    expect(p2?.pausedAtMs).toBe(3000);

    const back = callRecording(run([rec('recording', 10_000, { by: 'agent' })], p).s);
    expect(back?.state).toBe('recording');
    expect(back?.pausedAtMs).toBeNull();
    expect(back?.pausedMs).toBe(7000);
    // A second pause adds to the first.
    const again = callRecording(
      run([rec('recording', 10_000), rec('paused', 20_000), rec('recording', 21_500)], p).s,
    );
    expect(again?.pausedMs).toBe(8500);
  });

  it('an event of another call, another agent or older than the one held is ignored', () => {
    const { s } = run([...onCall, rec('recording', 2000)]);
    expect(callRecording(run([rec('paused', 3000, { callId: 'c9' as never })], s).s)?.state).toBe(
      'recording',
    );
    // The other side of a transfer: the next agent's segment.
    expect(callRecording(run([rec('paused', 3000, { agentId: '99' as never })], s).s)?.state).toBe(
      'recording',
    );
    expect(callRecording(run([rec('paused', 1500)], s).s)?.state).toBe('recording');
  });

  it('a recording event that comes before the call opens is kept for that call', () => {
    const { s } = run([
      live,
      snapshot(agent('READY')),
      rec('recording', 1900),
      moved('READY', 'RESERVED', 2000, { callId: 'c1' as never }),
    ]);
    expect(s.call?.callId).toBe('c1');
    expect(callRecording(s)?.state).toBe('recording');
  });

  it('after the call: stopped, then failed, are shown; the next call starts clean', () => {
    const { s } = run([
      ...onCall,
      rec('recording', 2000),
      ended('c1', 5000),
      moved('INCALL', 'DEAD', 5001, { callId: 'c1' as never }),
      rec('stopped', 5002),
      rec('failed', 6000, { agentId: null, segment: null, error: 'no_stored_file' }),
    ]);
    const r = callRecording(s);
    expect(r?.state).toBe('failed');
    expect(r?.segment).toBe(1);
    expect(describeRecording(r, ALL, 6000)).toMatchObject({
      label: 'Recording failed',
      tone: 'problem',
    });
    const next = run(
      [
        { type: 'disposed', callId: 'c1' },
        moved('WRAPUP', 'READY', 7000),
        moved('READY', 'RESERVED', 8000, { callId: 'c2' as never }),
      ],
      s,
    ).s;
    expect(next.call?.callId).toBe('c2');
    expect(next.recording).toBeNull();
  });

  it("a snapshot of the same call keeps the recording; another call's snapshot drops it", () => {
    const { s } = run([...onCall, rec('paused', 2000)]);
    const same = run([snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')])], s).s;
    expect(callRecording(same)?.state).toBe('paused');
    const other = run([snapshot(agent('INCALL', { callId: 'c2' }), [callView('c2')])], s).s;
    expect(other.recording).toBeNull();
  });
});

describe('what the agent may do with the recording', () => {
  const onDemand: DeskRecordingPolicy = { mode: 'on_demand', pauseApiOnly: false };

  it('Record: on a live call not recorded yet, not on a campaign that records nothing', () => {
    const { s } = run(onCall);
    expect(recordingRefusal(s, 'record', onDemand)).toBeNull();
    expect(recordingRefusal(s, 'record', { mode: 'none', pauseApiOnly: false })).toMatch(
      /does not record/,
    );
    const recording = run([rec('recording', 2000)], s).s;
    expect(recordingRefusal(recording, 'record', onDemand)).toMatch(/already being recorded/);
  });

  it('Pause only while recording, Resume only while paused', () => {
    const { s } = run(onCall);
    expect(recordingRefusal(s, 'pause', ALL)).toMatch(/not being recorded/);
    const r = run([rec('recording', 2000)], s).s;
    expect(recordingRefusal(r, 'pause', ALL)).toBeNull();
    expect(recordingRefusal(r, 'resume', ALL)).toMatch(/not paused/);
    const p = run([rec('paused', 3000)], r).s;
    expect(recordingRefusal(p, 'pause', ALL)).toMatch(/already paused/);
    expect(recordingRefusal(p, 'resume', ALL)).toBeNull();
  });

  it('a campaign that pauses through the API only refuses both, saying why', () => {
    const r = run([...onCall, rec('recording', 2000)]).s;
    const apiOnly: DeskRecordingPolicy = { mode: 'all', pauseApiOnly: true };
    expect(recordingRefusal(r, 'pause', apiOnly)).toBe(PAUSE_API_ONLY_TEXT);
    expect(recordingRefusal(r, 'resume', apiOnly)).toBe(PAUSE_API_ONLY_TEXT);
  });

  it('nothing without a live call or a connection', () => {
    const dead = run([
      ...onCall,
      rec('recording', 2000),
      ended('c1', 3000),
      moved('INCALL', 'DEAD', 3001, { callId: 'c1' as never }),
    ]).s;
    expect(recordingRefusal(dead, 'pause', ALL)).toMatch(/no call in progress/);
    const offline = run([{ type: 'conn', status: 'reconnecting' }], run([...onCall]).s).s;
    expect(recordingRefusal(offline, 'record', ALL)).toMatch(/Not connected/);
  });
});

describe('the words', () => {
  it('clock reads m:ss, and h:mm:ss past an hour', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(61_999)).toBe('1:01');
    expect(clock(3_725_000)).toBe('1:02:05');
  });

  it('the paused sentence stays the same while its time runs (a status region reads it once)', () => {
    const { s } = run([...onCall, rec('paused', 1000)]);
    const r = callRecording(s);
    expect(describeRecording(r, ALL, 2000).text).toBe(describeRecording(r, ALL, 9000).text);
    expect(r && pausedSoFarMs(r, 9000)).toBe(8000);
  });

  it('an on-demand campaign says how to record', () => {
    expect(describeRecording(null, { mode: 'on_demand', pauseApiOnly: false }, 0).text).toMatch(
      /press Record/,
    );
  });
});
