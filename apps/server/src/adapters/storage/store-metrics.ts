import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Move duration buckets, seconds: a 5-minute call takes well under one. */
export const MOVE_BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The recording store's metrics on a process's prom-client registry (docs/recording.md,
 * "Storage and retention", names them): what the mover moved, failed, flagged and retried, the
 * backlog left on Asterisk, and each move's duration. Implements services/recordings/store
 * RecordingStoreMetrics.
 */
export function promRecordingStoreMetrics(registry: Registry) {
  const registers = [registry];
  const moved = new Counter({
    name: 'ringside_recordings_moved_total',
    help: 'Recordings the mover finished, by state: stored, mismatch (kept, flagged), failed.',
    labelNames: ['state'],
    registers,
  });
  const retries = new Counter({
    name: 'ringside_recordings_move_retries_total',
    help: 'Move attempts that failed for storage or Asterisk being unavailable (retried later).',
    registers,
  });
  const purged = new Counter({
    name: 'ringside_recordings_purged_total',
    help: 'Recordings deleted by retention.',
    registers,
  });
  const purgeFailures = new Counter({
    name: 'ringside_recordings_purge_failures_total',
    help: 'Retention purges the storage refused (the file stays; retried on the next pass).',
    registers,
  });
  const backlog = new Gauge({
    name: 'ringside_recordings_backlog',
    help: 'Recordings ended and not yet moved off Asterisk (state pending).',
    registers,
  });
  const oldest = new Gauge({
    name: 'ringside_recordings_backlog_oldest_seconds',
    help: 'Age of the oldest recording waiting to be moved off Asterisk (0 when none).',
    registers,
  });
  const duration = new Histogram({
    name: 'ringside_recording_move_seconds',
    help: 'Wall time of one move attempt: fetch, check, join, encrypt, write, mark.',
    buckets: MOVE_BUCKETS_S,
    registers,
  });
  return {
    moved: (state: 'stored' | 'mismatch' | 'failed') => moved.inc({ state }),
    retried: () => retries.inc(),
    moveDuration: (ms: number) => duration.observe(ms / 1000),
    backlog: (pending: number, oldestMs: number) => {
      backlog.set(pending);
      oldest.set(oldestMs / 1000);
    },
    purged: () => purged.inc(),
    purgeFailed: () => purgeFailures.inc(),
  };
}
