import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { CallId, CampaignId } from '@ringside/protocol';
import { MemoryEventBus } from '../../../ports/fakes/memory-event-bus.js';
import { startRecordingStore } from './runner.js';

const changed = (state: 'pending' | 'stored', error: string | null = null) => ({
  type: 'recording.changed' as const,
  callId: CallId.parse('c1'),
  recordingId: '1',
  campaignId: CampaignId.parse('1'),
  agentId: null,
  state,
  segment: null,
  by: 'system' as const,
  error,
  atMs: 1,
});

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('recording store runner', () => {
  it('runs the mover at start and again when a call ends (recording.changed pending)', async () => {
    const bus = new MemoryEventBus();
    let moves = 0;
    let purges = 0;
    const runner = await startRecordingStore({
      mover: { runOnce: async () => (moves++, []) },
      purge: { runOnce: async () => (purges++, []) },
      bus,
      logger: pino({ level: 'silent' }),
      moveEveryMs: 60_000,
      purgeEveryMs: 60_000,
    });
    await vi.waitFor(() => expect([moves, purges]).toEqual([1, 1]));
    await bus.publish(changed('pending'));
    await vi.waitFor(() => expect(moves).toBe(2));
    // Its own events do not wake it: a stored recording, or pending after an error.
    await bus.publish(changed('stored'));
    await bus.publish(changed('pending', 'storage_unavailable:x'));
    await tick();
    expect(moves).toBe(2);
    await runner.stop();
    await bus.publish(changed('pending'));
    await tick();
    expect(moves).toBe(2);
  });

  it('runs one pass at a time, and once more when woken during a pass', async () => {
    const bus = new MemoryEventBus();
    let running = 0;
    let most = 0;
    let moves = 0;
    let release: () => void = () => undefined;
    const runner = await startRecordingStore({
      mover: {
        runOnce: async () => {
          moves++;
          running++;
          most = Math.max(most, running);
          await new Promise<void>((r) => (release = r));
          running--;
          return [];
        },
      },
      purge: { runOnce: async () => [] },
      bus,
      logger: pino({ level: 'silent' }),
      moveEveryMs: 60_000,
    });
    runner.wake();
    runner.wake();
    await tick();
    expect(moves).toBe(1);
    release();
    await vi.waitFor(() => expect(moves).toBe(2));
    release();
    await tick();
    expect([moves, most]).toEqual([2, 1]);
    await runner.stop();
  });

  it('keeps going after a pass fails', async () => {
    let moves = 0;
    const runner = await startRecordingStore({
      mover: {
        runOnce: async () => {
          moves++;
          throw new Error('database down');
        },
      },
      purge: { runOnce: async () => [] },
      bus: new MemoryEventBus(),
      logger: pino({ level: 'silent' }),
      moveEveryMs: 30,
    });
    await vi.waitFor(() => expect(moves).toBeGreaterThanOrEqual(3));
    await runner.stop();
  });
});
