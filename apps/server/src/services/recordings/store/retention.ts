import type { Logger } from '../../../logger.js';
import type { Clock } from '../../../ports/clock.js';
import type { EventBus } from '../../../ports/event-bus.js';
import type { RecordingVault } from '../../../ports/recording-vault.js';
import { NO_STORE_METRICS, type RecordingStoreMetrics } from './mover.js';
import type { PurgedRecording, RecordingRetentionRows } from './ports.js';

export interface RetentionPurgeOptions {
  rows: RecordingRetentionRows;
  vault: Pick<RecordingVault, 'delete'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  metrics?: RecordingStoreMetrics;
}

/**
 * The retention purge (docs/recording.md, "Storage and retention"): deletes the files of
 * recordings past purge_after (the call's end + the campaign's retention days) unless the
 * recording or its lead is on legal hold; marks each row purged, audits it (in the same
 * transaction, rows.purgeNext) and publishes recording.changed.
 */
export class RetentionPurge {
  private readonly metrics: RecordingStoreMetrics;
  constructor(private readonly o: RetentionPurgeOptions) {
    this.metrics = o.metrics ?? NO_STORE_METRICS;
  }

  /**
   * Purges up to `max` recordings that are due; returns them. A file the storage refuses to
   * delete is logged (ids only), counted, and passed over for this pass; its row stays as it was
   * and the next pass tries it again, so one bad file never holds up the others.
   */
  async runOnce(max = 500): Promise<PurgedRecording[]> {
    const out: PurgedRecording[] = [];
    const skip: string[] = [];
    for (let i = 0; i < max; i++) {
      const now = this.o.clock.nowMs();
      const step = await this.o.rows.purgeNext(now, (url) => this.o.vault.delete(url), skip);
      if (!step) break;
      if (step.kind === 'held') {
        skip.push(step.id);
        continue;
      }
      if (step.kind === 'failed') {
        skip.push(step.id);
        this.metrics.purgeFailed();
        this.o.logger.warn(
          { recordingId: step.id, callId: step.callId, err: step.error },
          'recording purge failed: the storage refused to delete the file; kept for the next pass',
        );
        continue;
      }
      const p = step.recording;
      out.push(p);
      this.metrics.purged();
      this.o.logger.info({ recordingId: p.id, callId: p.callId }, 'recording purged');
      await this.o.bus.publish({
        type: 'recording.changed',
        callId: p.callId,
        recordingId: p.id,
        campaignId: p.campaignId,
        agentId: null,
        state: 'purged',
        segment: null,
        by: 'system',
        error: null,
        atMs: now,
      });
    }
    return out;
  }
}
