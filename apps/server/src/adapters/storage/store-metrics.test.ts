import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { promRecordingStoreMetrics } from './store-metrics.js';

describe('recording store metrics', () => {
  it('exports moves by state, retries, purges, the backlog and the move duration', async () => {
    const registry = new Registry();
    const m = promRecordingStoreMetrics(registry);
    m.moved('stored');
    m.moved('stored');
    m.moved('mismatch');
    m.retried();
    m.purged();
    m.backlog(7, 90_000);
    m.moveDuration(40);
    const text = await registry.metrics();
    expect(text).toContain('ringside_recordings_moved_total{state="stored"} 2');
    expect(text).toContain('ringside_recordings_moved_total{state="mismatch"} 1');
    expect(text).toContain('ringside_recordings_move_retries_total 1');
    expect(text).toContain('ringside_recordings_purged_total 1');
    expect(text).toContain('ringside_recordings_backlog 7');
    expect(text).toContain('ringside_recordings_backlog_oldest_seconds 90');
    expect(text).toContain('ringside_recording_move_seconds_bucket{le="0.05"} 1');
    expect(text).toContain('ringside_recording_move_seconds_bucket{le="0.025"} 0');
  });
});
