import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AgentId, CallId, CampaignId, RecordingActor } from '@ringside/protocol';
import type { LiveRecording, LiveRecordingStore } from '../../ports/recording-calls.js';
import { RedisKeys } from './keys.js';

/** A call never lasts this long; the key outlives a worker that died mid-call by no more, ms. */
const DEFAULT_TTL_MS = 6 * 3_600_000;

const LiveRecordingSchema = z.object({
  recordingId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  callId: CallId,
  campaignId: CampaignId,
  serverId: z.string().min(1),
  state: z.enum(['consent', 'recording', 'paused', 'stopped']),
  seq: z.number().int().nonnegative(),
  name: z.string().nullable(),
  bridgeId: z.string().nullable(),
  agentId: AgentId.nullable(),
  segmentStartedAtMs: z.number().nullable(),
  offsetMs: z.number().nonnegative(),
  pausedAtMs: z.number().nullable(),
  pausedBy: z.object({ userId: z.string().nullable(), source: RecordingActor }).nullable(),
  consentPlaybackId: z.string().nullable(),
});

/** The live recording of each call, as JSON beside its live call (`{calls}:rec:<callId>`). */
export class RedisLiveRecordings implements LiveRecordingStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async get(callId: CallId): Promise<LiveRecording | null> {
    const json = await this.redis.get(this.keys.liveRecording(callId));
    return json === null ? null : LiveRecordingSchema.parse(JSON.parse(json));
  }

  async put(rec: LiveRecording): Promise<void> {
    const value = JSON.stringify(LiveRecordingSchema.parse(rec));
    await this.redis.set(this.keys.liveRecording(rec.callId), value, 'PX', this.ttlMs);
  }

  async delete(callId: CallId): Promise<void> {
    await this.redis.del(this.keys.liveRecording(callId));
  }
}
