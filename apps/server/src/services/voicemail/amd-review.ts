import type { CallId, CampaignId, DomainEvent, LeadId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Timers } from '../../ports/dialer.js';
import type { ReviewStore } from '../../ports/voicemail.js';
import { wavDurationMs } from './convert.js';
import { amdReviewPicked } from './drop-rules.js';

/**
 * The AMD review's audio (issue 15, point 8; docs/recording.md, "Voicemail drop"): a campaign's
 * share (amd_review_pct) of the MACHINE verdicts it acts on (hang-up or message) is recorded on
 * the customer's channel from the verdict to the hang-up (ARI channel recording
 * `rec-<callId>-1`), as a recordings row with reason 'amd_review' and one segment; at the call's
 * end the row is 'pending' with bridged_ms = the recorded time, and the storage mover moves it
 * like any other. A hang-up verdict that is sampled is kept on the line REVIEW_LISTEN_MS first,
 * so there is something to hear.
 */

/** Wait before reading the stored file again, ms. */
const STORED_RETRY_MS = 300;

/** How long a sampled MACHINE verdict whose action is hang-up is listened to first, ms. */
export const REVIEW_LISTEN_MS = 10_000;

/** The ARI operation a review recording needs (AriRestClient.recordChannel). */
export interface ReviewAri {
  recordChannel?(
    channelId: string,
    o: { name: string; format?: 'wav'; ifExists?: 'fail' | 'overwrite' | 'append' },
  ): Promise<unknown>;
  /** The stored file (its WAV header gives the recorded time exactly). */
  getStoredRecordingFile?(name: string): Promise<Buffer>;
}

export interface ReviewCall {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId;
  serverId: string;
}

export interface AmdReviewOptions {
  ari(serverId: string): ReviewAri | null;
  store: ReviewStore;
  publish(event: DomainEvent): Promise<unknown>;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

/** The review recording's name on Asterisk (the storage mover's segment name). */
export function reviewRecordingName(callId: string): string {
  return `rec-${callId}-1`;
}

export class AmdReview {
  /** recordings.id of each call being recorded for review. */
  private readonly live = new Map<CallId, string>();

  constructor(private readonly o: AmdReviewOptions) {}

  /** The call is being recorded for review. */
  recording(callId: CallId): boolean {
    return this.live.has(callId);
  }

  /**
   * A MACHINE verdict acted on: records it when the campaign's share picks it. True when a
   * recording started.
   */
  async maybeStart(call: ReviewCall, pct: number): Promise<boolean> {
    const { callId } = call;
    if (this.live.has(callId) || !amdReviewPicked(callId, pct)) return false;
    const ari = this.o.ari(call.serverId);
    if (!ari?.recordChannel) return false;
    try {
      if (!(await this.o.store.mayRecord(call.leadId, call.campaignId))) {
        this.o.logger.info({ callId, leadId: call.leadId }, 'AMD review skipped: lead on DNC');
        return false;
      }
      const name = reviewRecordingName(callId);
      const atMs = this.o.clock.nowMs();
      await ari.recordChannel(callId, { name, format: 'wav', ifExists: 'overwrite' });
      const id = await this.o.store.started({ ...call, name, atMs });
      this.live.set(callId, id);
      await this.changed(call, id, 'recording', 1, atMs);
      this.o.logger.info({ callId, recordingId: id }, 'AMD review recording started');
      return true;
    } catch (err) {
      this.o.logger.warn({ err, callId }, 'AMD review recording not started');
      return false;
    }
  }

  /** The call ended: its review recording (if any) is pending for the storage mover. */
  async ended(call: ReviewCall, atMs: number): Promise<void> {
    const id = this.live.get(call.callId);
    if (!id) return;
    this.live.delete(call.callId);
    try {
      const recordedMs = await this.recordedMs(call);
      await this.o.store.ended(id, atMs, recordedMs);
      await this.changed(call, id, 'pending', null, atMs);
    } catch (err) {
      this.o.logger.error({ err, callId: call.callId }, 'AMD review recording not closed');
    }
  }

  /**
   * The recorded time as Asterisk wrote it (the stored WAV's length), so the storage mover's
   * check (file within 0.5 s of bridged_ms) holds whatever the latency between the dialer and
   * Asterisk; null when the file cannot be read (then the dialer's clock decides).
   */
  private async recordedMs(call: ReviewCall): Promise<number | null> {
    const ari = this.o.ari(call.serverId);
    if (!ari?.getStoredRecordingFile) return null;
    const name = reviewRecordingName(call.callId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return wavDurationMs(await ari.getStoredRecordingFile(name));
      } catch {
        // Asterisk may still be closing the file at the hang-up: a moment later.
        await new Promise<void>((r) => this.o.timers.after(STORED_RETRY_MS, r));
      }
    }
    this.o.logger.warn({ callId: call.callId }, 'AMD review file not read: clock time kept');
    return null;
  }

  private async changed(
    call: ReviewCall,
    recordingId: string,
    state: 'recording' | 'pending',
    segment: number | null,
    atMs: number,
  ): Promise<void> {
    await this.o.publish({
      type: 'recording.changed',
      callId: call.callId,
      recordingId,
      campaignId: call.campaignId,
      agentId: null,
      state,
      segment,
      by: 'system',
      error: null,
      atMs,
    });
  }
}
