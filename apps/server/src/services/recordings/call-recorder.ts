import type { AriEvent } from '@ringside/ari';
import type { AgentId, CallId, CampaignId, LeadId } from '@ringside/protocol';
import { agentOfBridgeId } from '../../domain/bridge-integrity.js';
import {
  consentNotice,
  recordFromStart,
  type ConsentMode,
  type LeadConsent,
  type RecordingMode,
  segmentName,
} from '../../domain/recording/policy.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type {
  LiveRecording,
  LiveRecordingStore,
  RecordingAri,
  RecordingCallsRepo,
} from '../../ports/recording-calls.js';
import type { LiveCall, StateStore } from '../../ports/state-store.js';
import { isMonitorLeg } from '../supervisor/supervisor-actions.js';
import { RecordingSteps, SYSTEM } from './call-recording-steps.js';

/**
 * Recording the conversation (issue 15 point 2; docs/recording.md "Recording the call"), in the
 * ari-worker: it follows the customer's channel in and out of agents' bridges and records the
 * bridge while the customer is in it.
 *
 * - The customer enters an agent's bridge and the campaign records the call (all, or the percent
 *   draw): the recordings row (one per call) and, after the consent notice when the rule wants
 *   one, segment 1: an ARI bridge recording `rec-<callId>-1`.
 * - The customer leaves (hold, transfer, hang-up): the segment's recording is stopped and closed.
 *   Entering an agent's bridge again opens the next segment; another agent's is a transfer mark.
 * - A supervisor's phone joining (barge) or leaving the bridge: barge_start / barge_end marks.
 * - The call ends: ended_at, bridged_ms (the segments' sum), state pending for the mover.
 *
 * Nothing here is on the hand-off path: the dialer bridges; this reacts to the bridge event,
 * in its own per-call queue, after the worker has seen it. The agent's bridge without a customer
 * is never recorded: only a live call's customer channel starts anything.
 */

/** A campaign's recording policy as the recorder needs it. */
export interface CampaignRecordingPolicy {
  recordingMode: RecordingMode;
  recordingPct: number;
  consentMode: ConsentMode;
  consentMedia: string;
  recordingRetentionDays: number;
}

export interface CallRecorderDeps {
  /** The Asterisk server this worker follows (the recordings row names it). */
  serverId: string;
  ari: RecordingAri;
  calls: Pick<StateStore, 'getCall'>;
  live: LiveRecordingStore;
  repo: RecordingCallsRepo;
  policyOf(campaignId: CampaignId): Promise<CampaignRecordingPolicy | null>;
  leadOf(leadId: LeadId): Promise<{ state: string | null; recordingConsent: LeadConsent } | null>;
  bus: Pick<EventBus, 'publish'>;
  clock: Clock;
  logger: Logger;
  /**
   * The consent notice playing longer than this without its PlaybackFinished: the call is not
   * recorded (nobody can say the customer heard it), ms (60,000).
   */
  consentTimeoutMs?: number;
  /**
   * How long a campaign's policy read from policyOf is used before it is read again, ms of
   * `clock` (5,000): one PostgreSQL read per campaign, not two per call, while calls start and
   * end beside other calls' hand-offs. An admin's change applies to calls that start later.
   */
  policyCacheMs?: number;
}

/** What the ARI worker feeds the recorder (services/telephony/ari-worker-calls.ts). */
export interface CallRecorderHook {
  /** Every ARI event the worker consumes, in arrival order. Returns at once. */
  observe(event: AriEvent): void;
  /** The worker ended the call (call.ended published). Returns at once. */
  callEnded(callId: string): void;
  /** Resolves when everything queued is done (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

/** Playback id of a call's consent notice: consent-<callId>. */
export function consentPlaybackId(callId: string): string {
  return `consent-${callId}`;
}

const REC_NAME = /^rec-(.+)-([1-9][0-9]*)$/;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class CallRecorder implements CallRecorderHook {
  private readonly steps: RecordingSteps;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly consentTimers = new Map<string, NodeJS.Timeout>();
  private readonly policies = new Map<
    string,
    { atMs: number; policy: CampaignRecordingPolicy | null }
  >();
  readonly stats = { started: 0, segments: 0, finished: 0, failed: 0 };

  constructor(private readonly d: CallRecorderDeps) {
    this.steps = new RecordingSteps(d);
  }

  observe(event: AriEvent): void {
    switch (event.type) {
      case 'ChannelEnteredBridge': {
        const ch = event.channel;
        if (!ch || agentOfBridgeId(event.bridge.id) === null) return;
        if (isMonitorLeg(ch.id)) {
          this.barge(event.bridge.id, event.bridge.channels, 'barge_start');
          return;
        }
        const bridgeId = event.bridge.id;
        this.enqueue(ch.id, () => this.customerEntered(ch.id, bridgeId));
        return;
      }
      case 'ChannelLeftBridge': {
        if (agentOfBridgeId(event.bridge.id) === null) return;
        const id = event.channel.id;
        if (isMonitorLeg(id)) {
          this.barge(event.bridge.id, event.bridge.channels, 'barge_end');
          return;
        }
        const bridgeId = event.bridge.id;
        this.enqueue(id, () => this.customerLeft(id, bridgeId));
        return;
      }
      case 'PlaybackFinished': {
        const id = event.playback.id;
        if (!id.startsWith('consent-')) return;
        const callId = id.slice('consent-'.length);
        const failed = event.playback.state === 'failed';
        this.enqueue(callId, () => this.consentDone(callId, id, failed ? 'consent_failed' : null));
        return;
      }
      case 'RecordingFailed': {
        const m = REC_NAME.exec(event.recording.name);
        if (!m) return;
        const [, callId, seq] = m as unknown as [string, string, string];
        this.enqueue(callId, () => this.segmentFailed(callId, Number(seq)));
        return;
      }
      default:
        return;
    }
  }

  callEnded(callId: string): void {
    this.enqueue(callId, () => this.finish(callId));
  }

  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  close(): void {
    for (const t of this.consentTimers.values()) clearTimeout(t);
    this.consentTimers.clear();
  }

  private enqueue(key: string, fn: () => Promise<void>): void {
    const prev = this.queues.get(key) ?? Promise.resolve();
    // After a turn of the event loop: the worker's own handling of the same event (the hand-off's
    // call.bridged) goes to Redis first; recording never runs ahead of it.
    const next = prev
      .then(yieldTurn)
      .then(fn)
      .catch((err: unknown) => {
        this.d.logger.error({ err, callId: key }, 'call recorder step failed');
      });
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** The campaign's policy, read at most once per policyCacheMs. */
  private async policyOf(campaignId: CampaignId): Promise<CampaignRecordingPolicy | null> {
    const ttlMs = this.d.policyCacheMs ?? 5_000;
    const now = this.d.clock.nowMs();
    const hit = this.policies.get(campaignId);
    if (hit && now - hit.atMs < ttlMs) return hit.policy;
    const policy = await this.d.policyOf(campaignId);
    if (ttlMs > 0) this.policies.set(campaignId, { atMs: now, policy });
    return policy;
  }

  /** The customer of a live call entered an agent's bridge. */
  private async customerEntered(channelId: string, bridgeId: string): Promise<void> {
    // The customer's channel id is (nearly always) its call id: both reads at once.
    const [call, byChannel] = await Promise.all([
      this.d.calls.getCall(channelId as CallId),
      this.d.live.get(channelId as CallId),
    ]);
    if (!call || call.serverId !== this.d.serverId || call.channelId !== channelId) return;
    const agentId = (agentOfBridgeId(bridgeId) as AgentId | null) ?? call.agentId;
    const rec = call.callId === channelId ? byChannel : await this.d.live.get(call.callId);
    if (rec) {
      if (rec.state === 'consent') return;
      if (rec.state === 'recording' || rec.state === 'paused') {
        if (rec.bridgeId === bridgeId) return;
        // Moved straight from one agent's bridge to another's: the leave is seen here.
        const closed = await this.steps.closeSegment(this.d.ari, rec, SYSTEM);
        await this.openSegment(closed, bridgeId, agentId);
        return;
      }
      await this.openSegment(rec, bridgeId, agentId);
      return;
    }
    await this.start(call, bridgeId, agentId);
  }

  /**
   * First time in an agent's bridge: record it if the campaign says so. Without a consent notice
   * the recording's row and segment 1's go in with one statement, then the ARI recording starts:
   * two PostgreSQL round trips before it (the lead, the rows), the policy from the cache.
   */
  private async start(call: LiveCall, bridgeId: string, agentId: AgentId | null): Promise<void> {
    const policy = await this.policyOf(call.campaignId);
    if (!policy) return;
    const reason = recordFromStart(policy, call.callId);
    if (!reason) return;
    const lead = await this.d.leadOf(call.leadId);
    const notice = consentNotice(policy, lead ?? { state: null, recordingConsent: null }, true);
    const atMs = this.d.clock.nowMs();
    const fresh = {
      callId: call.callId,
      campaignId: call.campaignId,
      leadId: call.leadId,
      serverId: this.d.serverId,
      reason,
      startedAt: new Date(atMs),
    };
    const { row, created } = notice.play
      ? await this.d.repo.create(fresh)
      : await this.d.repo.createWithFirstSegment(fresh, {
          agentId,
          bridgeId,
          asteriskName: segmentName(call.callId, 1),
          startedAt: fresh.startedAt,
          offsetMs: 0,
        });
    // Another process (the api's Record button) got there first: its live state rules.
    if (!created) return;
    this.stats.started += 1;
    const rec: LiveRecording = {
      recordingId: row.id,
      callId: call.callId,
      campaignId: call.campaignId,
      serverId: this.d.serverId,
      state: 'stopped',
      seq: 0,
      name: null,
      bridgeId,
      agentId,
      segmentStartedAtMs: null,
      offsetMs: 0,
      pausedAtMs: null,
      pausedBy: null,
      consentPlaybackId: null,
    };
    if (!notice.play) {
      await this.openSegment(rec, bridgeId, agentId, { atMs });
      return;
    }
    await this.playConsent(rec, call.channelId, policy.consentMedia, notice.why);
  }

  /**
   * The consent notice, on the customer's channel only, now that the customer is in the agent's
   * bridge (the hand-off is done, on time); the agent is told (consentPlaying) and the segment
   * starts when it ends. A notice that cannot be played means no recording.
   */
  async playConsent(
    rec: LiveRecording,
    channelId: string,
    media: string,
    why: string,
  ): Promise<void> {
    const playbackId = consentPlaybackId(rec.callId);
    const atMs = this.d.clock.nowMs();
    const playing: LiveRecording = { ...rec, state: 'consent', consentPlaybackId: playbackId };
    await this.d.live.put(playing);
    await this.d.repo.addMark(rec.recordingId, {
      kind: 'consent',
      at: new Date(atMs),
      offsetMs: rec.offsetMs,
      userId: null,
      source: 'system',
    });
    await this.steps.publish(playing, 'recording', SYSTEM, null, null, true);
    try {
      await this.d.ari.playOnChannel(channelId, media, playbackId);
    } catch (err) {
      this.d.logger.error(
        { err, callId: rec.callId, recordingId: rec.recordingId, why },
        'consent notice could not be played: the call is not recorded',
      );
      await this.giveUp(playing, 'consent_failed');
      return;
    }
    const timer = setTimeout(() => {
      this.consentTimers.delete(rec.callId);
      this.enqueue(rec.callId, () => this.consentDone(rec.callId, playbackId, 'consent_timeout'));
    }, this.d.consentTimeoutMs ?? 60_000);
    timer.unref();
    this.consentTimers.set(rec.callId, timer);
  }

  /** The notice ended: record from now (or, when it failed, not at all). */
  private async consentDone(callId: string, playbackId: string, error: string | null) {
    const timer = this.consentTimers.get(callId);
    if (timer) clearTimeout(timer);
    this.consentTimers.delete(callId);
    const rec = await this.d.live.get(callId as CallId);
    if (!rec || rec.state !== 'consent' || rec.consentPlaybackId !== playbackId) return;
    if (error) {
      this.d.logger.error(
        { callId, recordingId: rec.recordingId, error },
        'consent notice not heard to its end: the call is not recorded',
      );
      await this.giveUp(rec, error);
      return;
    }
    const call = await this.d.calls.getCall(callId as CallId);
    if (!call || rec.bridgeId === null || call.bridgeId !== rec.bridgeId) {
      // The customer left the bridge during the notice: nobody can say it was heard.
      await this.giveUp(rec, 'left_during_consent');
      return;
    }
    await this.openSegment({ ...rec, consentPlaybackId: null }, rec.bridgeId, rec.agentId);
  }

  /** No recording for this call after all: the row ends failed with the cause. */
  private async giveUp(rec: LiveRecording, error: string): Promise<void> {
    await this.d.live.delete(rec.callId);
    await this.d.repo.finish(rec.recordingId, {
      endedAt: new Date(this.d.clock.nowMs()),
      bridgedMs: 0,
      state: 'failed',
      lastError: error,
      retentionDays: 1,
    });
    this.stats.failed += 1;
    await this.steps.publish({ ...rec, agentId: null }, 'failed', SYSTEM, null, error);
  }

  private async openSegment(
    rec: LiveRecording,
    bridgeId: string,
    agentId: AgentId | null,
    written?: { atMs: number },
  ) {
    const next = await this.steps.openSegment(this.d.ari, rec, bridgeId, agentId, SYSTEM, written);
    if (next.state === 'recording') this.stats.segments += 1;
  }

  /** The customer left an agent's bridge: the segment recorded there ends. */
  private async customerLeft(channelId: string, bridgeId: string): Promise<void> {
    const rec = await this.d.live.get(channelId as CallId);
    if (!rec || rec.bridgeId !== bridgeId) return;
    if (rec.state === 'consent') {
      // Still hearing the notice: no segment was opened; a re-entry plays nothing twice.
      return;
    }
    await this.steps.closeSegment(this.d.ari, rec, SYSTEM);
  }

  /** A supervisor's phone joined or left an agent's bridge with a recorded call in it. */
  private barge(bridgeId: string, channels: string[], kind: 'barge_start' | 'barge_end'): void {
    const callIds = channels.filter((c) => !isMonitorLeg(c) && !c.endsWith('-2'));
    for (const callId of callIds) {
      this.enqueue(callId, async () => {
        const rec = await this.d.live.get(callId as CallId);
        if (!rec || rec.bridgeId !== bridgeId) return;
        if (rec.state !== 'recording' && rec.state !== 'paused') return;
        const atMs = this.d.clock.nowMs();
        await this.d.repo.addMark(rec.recordingId, {
          kind,
          at: new Date(atMs),
          offsetMs: this.steps.offsetAt(rec, atMs),
          userId: null,
          source: 'supervisor',
        });
        this.d.logger.info(
          { callId, recordingId: rec.recordingId, kind },
          'supervisor barge marked on the recording',
        );
      });
    }
  }

  /** Asterisk could not write a segment: closed as failed, and said so. */
  private async segmentFailed(callId: string, seq: number): Promise<void> {
    const rec = await this.d.live.get(callId as CallId);
    if (!rec || rec.seq !== seq || (rec.state !== 'recording' && rec.state !== 'paused')) return;
    const atMs = this.d.clock.nowMs();
    await this.d.repo.closeSegment(rec.recordingId, seq, new Date(atMs), 0, 'failed');
    const next: LiveRecording = {
      ...rec,
      state: 'stopped',
      name: null,
      segmentStartedAtMs: null,
      pausedAtMs: null,
      pausedBy: null,
    };
    await this.d.live.put(next);
    this.d.logger.error({ callId, recordingId: rec.recordingId, seq }, 'segment recording failed');
    await this.steps.publish(next, 'failed', SYSTEM, seq, 'asterisk_failed');
  }

  /** The call is over: the open segment closes, the recording waits for the mover. */
  private async finish(callId: string): Promise<void> {
    const timer = this.consentTimers.get(callId);
    if (timer) clearTimeout(timer);
    this.consentTimers.delete(callId);
    let rec = await this.d.live.get(callId as CallId);
    if (!rec) return;
    if (rec.state === 'consent') {
      await this.giveUp(rec, 'ended_during_consent');
      return;
    }
    rec = await this.steps.closeSegment(this.d.ari, rec, SYSTEM);
    const policy = await this.policyOf(rec.campaignId);
    // bridged_ms and pending / failed (no_audio) from the segments, in the same statement.
    const state = await this.d.repo.finishFromSegments(rec.recordingId, {
      endedAt: new Date(this.d.clock.nowMs()),
      retentionDays: policy?.recordingRetentionDays ?? 365,
    });
    await this.d.live.delete(rec.callId);
    if (state === null) return;
    this.stats.finished += 1;
    await this.steps.publish(
      { ...rec, agentId: null },
      state,
      SYSTEM,
      null,
      state === 'pending' ? null : 'no_audio',
    );
  }
}
