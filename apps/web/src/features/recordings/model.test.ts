import { describe, expect, it } from 'vitest';
import type { RecordingMarkView } from '@ringside/protocol';
import { clock, keyAction, pauseGaps, transferPoints, unplayableMessage } from './model.js';

const mark = (kind: RecordingMarkView['kind'], offsetMs: number): RecordingMarkView => ({
  kind,
  offsetMs,
  atMs: offsetMs,
  source: 'agent',
});

describe('player model', () => {
  it('pairs each pause with the next resume, and runs a last pause to the end', () => {
    expect(
      pauseGaps(
        [mark('resume', 500), mark('pause', 1000), mark('resume', 3000), mark('pause', 8000)],
        10_000,
      ),
    ).toEqual([
      { fromMs: 1000, toMs: 3000 },
      { fromMs: 8000, toMs: 10_000 },
    ]);
    expect(
      pauseGaps([mark('pause', 2000), mark('pause', 2500), mark('resume', 4000)], 5000),
    ).toEqual([{ fromMs: 2000, toMs: 4000 }]);
  });

  it('marks transfers and the start of every later segment once', () => {
    expect(
      transferPoints({
        marks: [mark('transfer', 4000), mark('pause', 1000)],
        segments: [
          { seq: 1, agentId: '1', offsetMs: 0, durationMs: 4000, startedAtMs: 0 },
          { seq: 2, agentId: '2', offsetMs: 4000, durationMs: 3000, startedAtMs: 4000 },
          { seq: 3, agentId: '3', offsetMs: 7000, durationMs: 1000, startedAtMs: 7000 },
        ],
      }),
    ).toEqual([4000, 7000]);
  });

  it('plays and pauses with space, seeks with the arrows within the file', () => {
    expect(keyAction(' ', false, 0, 60_000)).toEqual({ kind: 'toggle' });
    expect(keyAction('ArrowRight', false, 10_000, 60_000)).toEqual({ kind: 'seek', toMs: 15_000 });
    expect(keyAction('ArrowLeft', false, 2000, 60_000)).toEqual({ kind: 'seek', toMs: 0 });
    expect(keyAction('ArrowRight', true, 50_000, 60_000)).toEqual({ kind: 'seek', toMs: 60_000 });
    expect(keyAction('End', false, 0, 60_000)).toEqual({ kind: 'seek', toMs: 60_000 });
    expect(keyAction('a', false, 0, 60_000)).toBeNull();
  });

  it('says why there is nothing to play', () => {
    expect(unplayableMessage({ state: 'stored', playable: true, lastError: null })).toBeNull();
    expect(unplayableMessage({ state: 'pending', playable: false, lastError: null })).toMatch(
      /Not yet stored/,
    );
    expect(unplayableMessage({ state: 'purged', playable: false, lastError: null })).toMatch(
      /retention/,
    );
    expect(unplayableMessage({ state: 'failed', playable: false, lastError: 'NO_FILE' })).toMatch(
      /\(NO_FILE\)/,
    );
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(clock(65_000)).toBe('1:05');
  });
});
