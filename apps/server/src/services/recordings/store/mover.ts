import type { RecordingBacklog, RecordingChanged } from '@ringside/protocol';
import type { Logger } from '../../../logger.js';
import type { Clock } from '../../../ports/clock.js';
import type { EventBus } from '../../../ports/event-bus.js';
import type { RecordingVault } from '../../../ports/recording-vault.js';
import { isAriError } from '../../../ports/telephony-errors.js';
import type { ClaimedRecording, RecordingMoveRows, StoredSegments } from './ports.js';
import { InvalidWavError, joinWavs, parseWav, type WavInfo } from './wav.js';

/** What the store tells the operators' metrics (roles/scheduler.ts wires Prometheus). */
export interface RecordingStoreMetrics {
  /** A recording left the mover in this state. */
  moved(state: 'stored' | 'mismatch' | 'failed'): void;
  /** A move attempt failed and will be retried (storage or Asterisk unavailable). */
  retried(): void;
  /** One move attempt's wall time, ms. */
  moveDuration(ms: number): void;
  backlog(pending: number, oldestMs: number): void;
  /** A recording purged by retention. */
  purged(): void;
  /** A purge the storage refused (the file stays; retried on the next pass). */
  purgeFailed(): void;
}

export const NO_STORE_METRICS: RecordingStoreMetrics = {
  moved: () => undefined,
  retried: () => undefined,
  moveDuration: () => undefined,
  backlog: () => undefined,
  purged: () => undefined,
  purgeFailed: () => undefined,
};

/** The joined file's length may differ from the bridged time by this much, ms (issue 15). */
export const LENGTH_TOLERANCE_MS = 500;

export interface RecordingMoverOptions {
  rows: RecordingMoveRows;
  segments: StoredSegments;
  vault: RecordingVault;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  metrics?: RecordingStoreMetrics;
  /** A claim's lease: longer than any move takes, ms (default 120,000). */
  leaseMs?: number;
  /** First retry after this long, doubling per attempt, ms (default 5,000). */
  retryBaseMs?: number;
  /** Longest wait between attempts, ms (default 300,000: 5 min). */
  retryMaxMs?: number;
}

/** How one attempt ended. */
export type MoveOutcome = 'stored' | 'mismatch' | 'failed' | 'retry' | 'lost';

/**
 * Moves finished recordings off Asterisk (docs/recording.md, "Storage and retention"): per
 * recording, fetch each segment's stored file from the Asterisk it was made on, check and join
 * them, check the length against the bridged time, encrypt and write the file, mark the row,
 * and only then delete the segments from Asterisk. Storage or Asterisk down: the row stays
 * pending with its error and a later attempt (exponential back-off), the files stay on Asterisk.
 */
export class RecordingMover {
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly metrics: RecordingStoreMetrics;
  private lastBacklog: Omit<RecordingBacklog, 'atMs' | 'type' | 'oldestMs'> | null = null;
  /** The last write to storage: ok, or its error. */
  private storage: { ok: boolean; error: string | null } = { ok: true, error: null };

  constructor(private readonly o: RecordingMoverOptions) {
    this.leaseMs = o.leaseMs ?? 120_000;
    this.retryBaseMs = o.retryBaseMs ?? 5_000;
    this.retryMaxMs = o.retryMaxMs ?? 300_000;
    this.metrics = o.metrics ?? NO_STORE_METRICS;
  }

  /** The wait before attempt `attempt + 1`, ms. */
  backoffMs(attempt: number): number {
    return Math.min(
      this.retryMaxMs,
      this.retryBaseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20),
    );
  }

  /**
   * Moves every due recording, one at a time, up to `max`; then retries deletes left on
   * Asterisk and publishes the backlog if it changed. Returns the outcomes.
   */
  async runOnce(max = 100): Promise<MoveOutcome[]> {
    const out: MoveOutcome[] = [];
    for (let i = 0; i < max; i++) {
      const r = await this.o.rows.claimDue(this.o.clock.nowMs(), this.leaseMs);
      if (!r) break;
      out.push(await this.move(r));
    }
    await this.cleanUpAsterisk();
    await this.publishBacklog();
    return out;
  }

  /** One attempt on one claimed recording. */
  async move(r: ClaimedRecording): Promise<MoveOutcome> {
    const t0 = this.o.clock.nowMs();
    const ids = { recordingId: r.id, callId: r.callId, attempt: r.attempt };
    try {
      if (r.segments.length === 0) return await this.fail(r, 'no_segments');
      const failedSeg = r.segments.find((s) => s.state === 'failed');
      if (failedSeg) return await this.fail(r, `recording_failed:seg${failedSeg.seq}`);
      const parts: WavInfo[] = [];
      for (const s of [...r.segments].sort((a, b) => a.seq - b.seq)) {
        let file: Buffer;
        try {
          file = await this.o.segments.fetch(r.serverId, s.asteriskName);
        } catch (err) {
          if (isAriError(err) && err.kind === 'notFound')
            return await this.fail(r, `asterisk_no_file:seg${s.seq}`);
          return await this.retry(r, `asterisk_unavailable:${errorCode(err)}`, err, false);
        }
        try {
          parts.push(parseWav(file));
        } catch (err) {
          if (err instanceof InvalidWavError)
            return await this.fail(r, `invalid_wav:seg${s.seq}:${err.message}`);
          throw err;
        }
      }
      const joined = joinWavs(parts);
      let state: 'stored' | 'mismatch' = 'stored';
      let error: string | null = null;
      if (r.bridgedMs === null) {
        state = 'mismatch';
        error = 'bridged_time_unknown';
      } else if (Math.abs(joined.durationMs - r.bridgedMs) > LENGTH_TOLERANCE_MS) {
        state = 'mismatch';
        error = `length_mismatch:file=${joined.durationMs}ms,bridged=${r.bridgedMs}ms`;
      }
      let stored;
      try {
        stored = await this.o.vault.put(storageKey(r), joined.file);
        this.storage = { ok: true, error: null };
      } catch (err) {
        return await this.retry(r, `storage_unavailable:${errorCode(err)}`, err, true);
      }
      const ok = await this.o.rows.finish(
        r,
        state,
        {
          storageUrl: stored.url,
          sizeBytes: stored.storedBytes,
          durationMs: joined.durationMs,
          keyId: stored.keyId,
          purgeAfterMs: r.endedAtMs + r.retentionDays * 86_400_000,
        },
        error,
      );
      if (!ok) {
        this.o.logger.warn(ids, 'recording claim lost before it was marked stored');
        return 'lost';
      }
      await this.publish(r, state, error);
      this.metrics.moved(state);
      this.o.logger.info(
        { ...ids, state, durationMs: joined.durationMs, sizeBytes: stored.storedBytes },
        'recording moved',
      );
      // Only now: the file is written and the row says where.
      for (const s of r.segments) await this.deleteSegment(r.id, r.serverId, s.seq, s.asteriskName);
      return state;
    } finally {
      this.metrics.moveDuration(this.o.clock.nowMs() - t0);
    }
  }

  private async fail(r: ClaimedRecording, reason: string): Promise<MoveOutcome> {
    const ok = await this.o.rows.fail(r, reason.slice(0, 200));
    if (!ok) return 'lost';
    await this.publish(r, 'failed', reason);
    this.metrics.moved('failed');
    this.o.logger.warn({ recordingId: r.id, callId: r.callId, reason }, 'recording failed');
    return 'failed';
  }

  private async retry(
    r: ClaimedRecording,
    error: string,
    cause: unknown,
    storage: boolean,
  ): Promise<MoveOutcome> {
    const e = error.slice(0, 200);
    if (storage) this.storage = { ok: false, error: e };
    const next = this.o.clock.nowMs() + this.backoffMs(r.attempt);
    await this.o.rows.retryLater(r, e, next);
    this.metrics.retried();
    this.o.logger.warn(
      {
        recordingId: r.id,
        callId: r.callId,
        attempt: r.attempt,
        error: e,
        nextAttemptAtMs: next,
        err: cause,
      },
      'recording not moved; will retry',
    );
    // Pending after an error: told once per new error, not on every attempt.
    if (r.lastError !== e) await this.publish(r, 'pending', e);
    return 'retry';
  }

  private async deleteSegment(
    recordingId: string,
    serverId: string,
    seq: number,
    name: string,
  ): Promise<void> {
    try {
      await this.o.segments.delete(serverId, name);
      await this.o.rows.segmentMoved(recordingId, seq);
    } catch (err) {
      // The file is stored; the copy on Asterisk is removed by a later pass (cleanUpAsterisk).
      this.o.logger.warn({ recordingId, seq, err }, 'recording segment not deleted from Asterisk');
    }
  }

  private async cleanUpAsterisk(): Promise<void> {
    const left = await this.o.rows.leftOnAsterisk(50);
    for (const s of left)
      await this.deleteSegment(s.recordingId, s.serverId, s.seq, s.asteriskName);
  }

  private async publish(
    r: ClaimedRecording,
    state: RecordingChanged['state'],
    error: string | null,
  ): Promise<void> {
    await this.o.bus.publish({
      type: 'recording.changed',
      callId: r.callId,
      recordingId: r.id,
      campaignId: r.campaignId,
      agentId: null,
      state,
      segment: null,
      by: 'system',
      error: error?.slice(0, 200) ?? null,
      atMs: this.o.clock.nowMs(),
    });
  }

  /** Publishes recording.backlog when the count or the storage state changed; sets the gauges. */
  async publishBacklog(): Promise<void> {
    const b = await this.o.rows.backlog();
    const now = this.o.clock.nowMs();
    const oldestMs = b.oldestEndedAtMs === null ? 0 : Math.max(0, now - b.oldestEndedAtMs);
    this.metrics.backlog(b.pending, oldestMs);
    const cur = { pending: b.pending, storageOk: this.storage.ok, lastError: this.storage.error };
    const prev = this.lastBacklog;
    if (
      prev &&
      prev.pending === cur.pending &&
      prev.storageOk === cur.storageOk &&
      prev.lastError === cur.lastError
    )
      return;
    this.lastBacklog = cur;
    await this.o.bus.publish({ type: 'recording.backlog', ...cur, oldestMs, atMs: now });
  }
}

/** Where a recording's file goes: by the call's end date, named by the row's id (no personal data). */
export function storageKey(r: Pick<ClaimedRecording, 'id' | 'endedAtMs'>): string {
  const d = new Date(r.endedAtMs).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/rec-${r.id}.wav`;
}

/**
 * An error for last_error: the ARI error's kind, or the storage error's code and message (the
 * storage adapters' messages name a status or errno, never a number or a name).
 */
function errorCode(err: unknown): string {
  if (isAriError(err)) return err.kind;
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err instanceof Error ? `${err.code} ${err.message}` : err.code;
  return err instanceof Error ? err.name : 'error';
}
