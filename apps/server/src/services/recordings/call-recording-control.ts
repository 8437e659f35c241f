import type { AgentId, CallId, RecordingControlResponse, Role } from '@ringside/protocol';
import {
  consentNotice,
  mayStartOnDemand,
  type ConsentMode,
  type LeadConsent,
  type RecordingMode,
} from '../../domain/recording/policy.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../ports/audit.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type {
  LiveRecording,
  LiveRecordingStore,
  RecordingAri,
  RecordingCallsRepo,
} from '../../ports/recording-calls.js';
import type { LiveCall, StateStore } from '../../ports/state-store.js';
import { consentPlaybackId } from './call-recorder.js';
import { RecordingSteps, type Actor } from './call-recording-steps.js';

/**
 * The recording commands of the api role (issue 15 points 1 and 3; docs/recording.md): the
 * agent's Record button on a call not recorded yet, and Pause / Resume for payment details (PCI):
 * an ARI mute of the live recording, so the gap is silence in the file and the file keeps the
 * bridged time. Every pause and resume is a mark (offset, who, from where) and an audit_log row.
 *
 * Who may: an agent on their own live call (and, when the campaign sets recordingPauseApiOnly,
 * not Pause/Resume: that is for integrations); supervisors and admins (integration accounts) on
 * any call.
 */

export interface CampaignRecordingSettings {
  recordingMode: RecordingMode;
  consentMode: ConsentMode;
  consentMedia: string;
  recordingPauseApiOnly: boolean;
}

export interface RecordingControlDeps {
  /** The ARI client of a call's server, null when this process knows no such server. */
  ariOf(serverId: string): RecordingAri | null;
  store: Pick<StateStore, 'getCall' | 'getAgent'>;
  live: LiveRecordingStore;
  repo: RecordingCallsRepo;
  settingsOf(campaignId: string): Promise<CampaignRecordingSettings | null>;
  leadOf(leadId: string): Promise<{ state: string | null; recordingConsent: LeadConsent } | null>;
  audit: AuditLog;
  bus: Pick<EventBus, 'publish'>;
  clock: Clock;
  logger: Logger;
}

/** Who asks. */
export interface RecordingCaller {
  userId: string;
  role: Role;
}

export class RecordingControl {
  private readonly steps: RecordingSteps;

  constructor(private readonly d: RecordingControlDeps) {
    this.steps = new RecordingSteps(d);
  }

  /** The agent's Record button (or a supervisor/admin): records the call from now. */
  async start(caller: RecordingCaller, callId: CallId): Promise<RecordingControlResponse> {
    const call = await this.liveCall(caller, callId);
    const settings = await this.d.settingsOf(call.campaignId);
    if (!settings || !mayStartOnDemand(settings)) {
      throw new ConflictError('this campaign records no calls (recording mode none)');
    }
    if (await this.d.live.get(callId)) throw new ConflictError('the call is already recorded');
    if (call.stage !== 'BRIDGED' || !call.bridgeId) {
      throw new ConflictError('the customer is not with an agent: record once they are');
    }
    const ari = this.ariOf(call);
    const { row, created } = await this.d.repo.create({
      callId,
      campaignId: call.campaignId,
      leadId: call.leadId,
      serverId: call.serverId,
      reason: 'on_demand',
      startedAt: new Date(this.d.clock.nowMs()),
    });
    if (!created) throw new ConflictError('the call is already recorded');
    const by = actorOf(caller);
    const rec: LiveRecording = {
      recordingId: row.id,
      callId,
      campaignId: call.campaignId,
      serverId: call.serverId,
      state: 'stopped',
      seq: 0,
      name: null,
      bridgeId: call.bridgeId,
      agentId: call.agentId,
      segmentStartedAtMs: null,
      offsetMs: 0,
      pausedAtMs: null,
      pausedBy: null,
      consentPlaybackId: null,
    };
    const lead = await this.d.leadOf(call.leadId);
    const notice = consentNotice(settings, lead ?? { state: null, recordingConsent: null }, true);
    let now: LiveRecording;
    if (notice.play) {
      // The ari-worker's recorder opens the segment at the notice's PlaybackFinished.
      const playbackId = consentPlaybackId(callId);
      now = { ...rec, state: 'consent', consentPlaybackId: playbackId };
      await this.d.live.put(now);
      await this.d.repo.addMark(row.id, {
        kind: 'consent',
        at: new Date(this.d.clock.nowMs()),
        offsetMs: 0,
        userId: null,
        source: 'system',
      });
      await this.steps.publish(now, 'recording', by, null, null, true);
      await ari.playOnChannel(call.channelId, settings.consentMedia, playbackId);
    } else {
      now = await this.steps.openSegment(ari, rec, call.bridgeId, call.agentId, by);
      if (now.state !== 'recording') {
        throw new ConflictError('the phone server refused to record the call');
      }
    }
    await this.audit(caller, 'recording.start', now, { reason: 'on_demand' });
    return this.view(now, 0);
  }

  /** Pause for payment details: silence in the file from now. */
  async pause(caller: RecordingCaller, callId: CallId): Promise<RecordingControlResponse> {
    const { call, rec, settings } = await this.recorded(caller, callId);
    this.checkPauseAllowed(caller, settings);
    if (rec.state === 'paused') throw new ConflictError('the recording is already paused');
    const ari = this.ariOf(call);
    const next = await this.live(() => this.steps.pause(ari, rec, actorOf(caller)));
    await this.audit(caller, 'recording.pause', next, {
      offsetMs: this.steps.offsetAt(rec, next.pausedAtMs ?? this.d.clock.nowMs()),
    });
    return this.view(next, await this.pausedSoFar(next));
  }

  /** Resume after payment details: the pause's length goes to paused_ms and the audit. */
  async resume(caller: RecordingCaller, callId: CallId): Promise<RecordingControlResponse> {
    const { call, rec, settings } = await this.recorded(caller, callId);
    this.checkPauseAllowed(caller, settings);
    if (rec.state !== 'paused') throw new ConflictError('the recording is not paused');
    const ari = this.ariOf(call);
    const pausedForMs = this.steps.pausedFor(rec, this.d.clock.nowMs());
    const next = await this.live(() => this.steps.resume(ari, rec, actorOf(caller)));
    await this.audit(caller, 'recording.resume', next, {
      pausedAtMs: rec.pausedAtMs,
      pausedMs: pausedForMs,
    });
    return this.view(next, await this.pausedSoFar(next));
  }

  /** The live call, which an agent may only touch when it is theirs. */
  private async liveCall(caller: RecordingCaller, callId: CallId): Promise<LiveCall> {
    const call = await this.d.store.getCall(callId);
    if (!call || call.stage === 'ENDED') throw new NotFoundError(`no live call ${callId}`);
    if (caller.role === 'agent') {
      const agent = await this.d.store.getAgent(caller.userId as AgentId);
      if (call.agentId !== caller.userId || agent?.callId !== callId) {
        throw new ForbiddenError('not your call');
      }
    }
    return call;
  }

  private async recorded(caller: RecordingCaller, callId: CallId) {
    const call = await this.liveCall(caller, callId);
    const rec = await this.d.live.get(callId);
    if (!rec) throw new ConflictError('the call is not being recorded');
    if (rec.state === 'consent') {
      throw new ConflictError('the consent notice is still playing: the recording starts after it');
    }
    if (rec.state === 'stopped' || rec.name === null) {
      throw new ConflictError('nothing is being recorded now (the customer is not with an agent)');
    }
    const settings = await this.d.settingsOf(call.campaignId);
    return { call, rec, settings };
  }

  private checkPauseAllowed(
    caller: RecordingCaller,
    settings: CampaignRecordingSettings | null,
  ): void {
    if (caller.role === 'agent' && settings?.recordingPauseApiOnly) {
      throw new ConflictError(
        "this campaign pauses and resumes recordings through the API only, not the agent's button",
      );
    }
  }

  private ariOf(call: LiveCall): RecordingAri {
    const ari = this.d.ariOf(call.serverId);
    if (!ari) throw new ConflictError(`the call's phone server ${call.serverId} is not known here`);
    return ari;
  }

  /** An ARI refusal (the live recording ended meanwhile) is a 409 saying so. */
  private async live<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      this.d.logger.warn({ err }, 'live recording command refused by the phone server');
      throw new ConflictError('the recording is no longer live on the phone server', {
        cause: err,
      });
    }
  }

  private async pausedSoFar(rec: LiveRecording): Promise<number> {
    const row = await this.d.repo.byCall(rec.callId);
    return (row?.pausedMs ?? 0) + this.steps.pausedFor(rec, this.d.clock.nowMs());
  }

  private view(rec: LiveRecording, pausedMs: number): RecordingControlResponse {
    return {
      callId: rec.callId,
      recordingId: rec.recordingId,
      state: rec.state === 'consent' ? 'recording' : rec.state,
      segment: rec.seq > 0 && rec.state !== 'consent' ? rec.seq : null,
      consentPlaying: rec.state === 'consent',
      pausedMs: Math.round(pausedMs),
    };
  }

  private async audit(
    caller: RecordingCaller,
    action: string,
    rec: LiveRecording,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.d.audit.record({
      userId: caller.userId,
      action,
      target: `call:${rec.callId}`,
      detail: {
        recordingId: rec.recordingId,
        segment: rec.seq,
        role: caller.role,
        atMs: this.d.clock.nowMs(),
        ...detail,
      },
    });
  }
}

function actorOf(caller: RecordingCaller): Actor {
  const source =
    caller.role === 'agent' ? 'agent' : caller.role === 'supervisor' ? 'supervisor' : 'api';
  return { source, userId: caller.userId };
}
