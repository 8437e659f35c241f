import type { Redis } from 'ioredis';
import type {
  AgentId,
  AgentState,
  AgentStateChanged,
  BusEnvelope,
  CallId,
  CampaignId,
  DomainEvent,
} from '@ringside/protocol';
import { LeaseLostError, UnavailableError } from '../../errors.js';
import { streamOf } from '../../ports/event-bus.js';
import {
  assertAgentEvent,
  assertCallEvent,
  type ExpectedAgent,
  type AgentStatus,
  type LiveCall,
  type StateStore,
} from '../../ports/state-store.js';
import {
  AGENT_HASH_FIELDS,
  agentFromFields,
  agentFromHash,
  agentToHash,
  LiveCallSchema,
} from './codec.js';
import { resolveOptions, type RedisAdapterOptions, type ResolvedOptions } from './options.js';
import { loadScripts, type Scripts } from './scripts.js';

/** Retries of a transition whose agent changed campaign between our read and the script. */
const CAMPAIGN_RACE_RETRIES = 5;

/**
 * A store's call writes made only while the writer holds an Asterisk server's ari-worker lease
 * (keys.ts ariLease): the call-write script compares the lease's owner in the same step, and a
 * write refused for it throws LeaseLostError with nothing written.
 */
export interface CallWriteFence {
  serverId: string;
  /** The lease owner id the writer is (AriServerLeases.ownerId). */
  ownerId: string;
  /** Called when a write is refused for the lease, before LeaseLostError is thrown. */
  onRefused?(): void;
}

/**
 * StateStore on Redis: agent_status hashes, per-campaign READY sorted sets, live_call JSON
 * values. Every write is one Lua script that also XADDs its event (see lua/*.lua).
 */
export class RedisStateStore implements StateStore {
  private readonly o: ResolvedOptions;
  private readonly scripts: Scripts;

  private readonly fence: CallWriteFence | null;

  constructor(
    private readonly redis: Redis,
    opts: RedisAdapterOptions & { fence?: CallWriteFence },
  ) {
    this.o = resolveOptions(opts);
    this.scripts = loadScripts(redis);
    this.fence = opts.fence ?? null;
  }

  async getAgent(agentId: AgentId): Promise<AgentStatus | null> {
    const h = await this.redis.hgetall(this.o.keys.agentStatus(agentId));
    return agentFromHash(agentId, h);
  }

  async listAgents(campaignId?: CampaignId): Promise<AgentStatus[]> {
    // One script for the whole floor (lua/agent-list.lua): the dialer reads it on every decision.
    let flat: string[];
    try {
      flat = (await this.scripts.agentList(
        [this.o.keys.agentIndex],
        [this.o.keys.agentStatusPrefix, campaignId ?? ''],
      )) as string[];
    } catch (err) {
      throw new UnavailableError('redis: reading agent status failed', { cause: err });
    }
    const out: AgentStatus[] = [];
    const width = AGENT_HASH_FIELDS.length + 1;
    for (let i = 0; i + width - 1 < flat.length; i += width) {
      const a = agentFromFields(flat[i] ?? '', flat, i + 1);
      if (a) out.push(a);
    }
    return out;
  }

  async transitionAgent(
    next: AgentStatus,
    expectedFrom: AgentState | null | ExpectedAgent,
    event: AgentStateChanged,
  ): Promise<BusEnvelope | null> {
    assertAgentEvent(next, event);
    const k = this.o.keys;
    const stream = streamOf(event);
    const withLeg = typeof expectedFrom === 'object' && expectedFrom !== null;
    const state = withLeg ? expectedFrom.state : expectedFrom;
    const leg = withLeg ? ['1', expectedFrom.legChannelId ?? ''] : ['0', ''];
    for (let i = 0; i < CAMPAIGN_RACE_RETRIES; i++) {
      // The script must name the ready set the agent may be in: that of its current campaign.
      const current = (await this.redis.hget(k.agentStatus(next.agentId), 'campaignId')) ?? '';
      const tsMs = this.o.clock.nowMs();
      const res = Number(
        await this.scripts.agentTransition(
          [
            k.agentStatus(next.agentId),
            k.agentIndex,
            k.agentReady(current === '' ? null : (current as CampaignId)),
            k.agentReady(next.campaignId),
            k.stream(stream),
            k.streamSeq(stream),
          ],
          [
            state ?? '',
            current,
            next.agentId,
            ...agentToHash(next),
            JSON.stringify(event),
            tsMs,
            this.o.maxLen,
            this.o.trim,
            ...leg,
          ],
        ),
      );
      if (res === 0) return null;
      if (res > 0) return { v: 1, stream, seq: res, tsMs, event };
    }
    // The agent kept changing campaign under us: report it as "state moved on".
    return null;
  }

  async reserveLongestReady(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
  ): Promise<AgentStatus | null> {
    const k = this.o.keys;
    const res = (await this.scripts.agentReserve(
      [k.agentReady(campaignId), k.stream('agents'), k.streamSeq('agents')],
      [k.agentStatusPrefix, campaignId, callId, nowMs, this.o.maxLen, this.o.trim],
    )) as string[] | null;
    if (!res) return null;
    const [agentId, ...values] = res;
    return agentFromFields(agentId ?? '', values);
  }

  async countReady(campaignId: CampaignId): Promise<number> {
    return this.redis.zcard(this.o.keys.agentReady(campaignId));
  }

  async getCall(callId: CallId): Promise<LiveCall | null> {
    const json = await this.redis.get(this.o.keys.call(callId));
    return json === null ? null : LiveCallSchema.parse(JSON.parse(json));
  }

  async listCalls(campaignId?: CampaignId): Promise<LiveCall[]> {
    const ids = (await this.redis.smembers(this.o.keys.callIndex)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.o.keys.call(id as CallId)));
    return values
      .filter((v): v is string => v !== null)
      .map((v) => LiveCallSchema.parse(JSON.parse(v)))
      .filter((c) => campaignId === undefined || c.campaignId === campaignId);
  }

  async putCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope> {
    return this.writeCall('put', call, event);
  }

  async endCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope> {
    return this.writeCall('end', call, event);
  }

  private async writeCall(
    mode: 'put' | 'end',
    call: LiveCall,
    event: DomainEvent,
  ): Promise<BusEnvelope> {
    const k = this.o.keys;
    assertCallEvent(event);
    const stream = streamOf(event);
    const tsMs = this.o.clock.nowMs();
    const keys = [k.call(call.callId), k.callIndex, k.stream(stream), k.streamSeq(stream)];
    const argv: Array<string | number> = [
      mode,
      call.callId,
      mode === 'put' ? JSON.stringify(call) : '',
      JSON.stringify(event),
      tsMs,
      this.o.maxLen,
      this.o.trim,
    ];
    if (this.fence) {
      keys.push(k.ariLease(this.fence.serverId));
      argv.push(this.fence.ownerId);
    }
    const seq = Number(await this.scripts.callWrite(keys, argv));
    if (seq < 0) {
      this.fence?.onRefused?.();
      throw new LeaseLostError(
        `call write refused: server ${this.fence?.serverId ?? ''} is no longer this worker's`,
      );
    }
    return { v: 1, stream, seq, tsMs, event };
  }
}
