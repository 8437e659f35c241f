import type { Redis } from 'ioredis';
import type { AgentHomed, AgentId, CallId, CampaignId } from '@ringside/protocol';
import type { AgentHomes, NearReserver, ReservedNear } from '../../ports/fleet.js';
import { AGENT_HASH_FIELDS, agentFromFields } from './codec.js';
import { resolveOptions, type RedisAdapterOptions, type ResolvedOptions } from './options.js';
import { loadScripts, type Scripts } from './scripts.js';

/** How many of a campaign's longest-ready agents the hand-off looks through for a near one. */
export const NEAR_SCAN = 64;

export interface RedisAgentHomesOptions extends RedisAdapterOptions {
  /** The server an agent with no home counts as on: the fleet's first (where legs always were). */
  defaultServerId: string;
}

/**
 * The agents' home servers (`p:{agents}:homes`, agentId -> server id), beside their status under
 * the `{agents}` hash tag, so the hand-off's reservation reads both in one script.
 */
export class RedisAgentHomes implements AgentHomes, NearReserver {
  private readonly o: ResolvedOptions;
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisAgentHomesOptions,
  ) {
    this.o = resolveOptions(opts);
    this.scripts = loadScripts(redis);
  }

  /** The server an agent with no home counts as on. */
  get defaultServerId(): string {
    return this.opts.defaultServerId;
  }

  async get(agentId: AgentId): Promise<string | null> {
    return this.redis.hget(this.o.keys.agentHomes(), agentId);
  }

  async set(event: AgentHomed): Promise<void> {
    const k = this.o.keys;
    await this.scripts.agentHomeSet(
      [k.agentHomes(), k.stream('agents'), k.streamSeq('agents')],
      [
        event.agentId,
        event.serverId,
        JSON.stringify(event),
        event.atMs,
        this.o.maxLen,
        this.o.trim,
      ],
    );
  }

  async clear(agentId: AgentId): Promise<void> {
    await this.redis.hdel(this.o.keys.agentHomes(), agentId);
  }

  async all(): Promise<Map<AgentId, string>> {
    const h = await this.redis.hgetall(this.o.keys.agentHomes());
    return new Map(Object.entries(h) as Array<[AgentId, string]>);
  }

  async homesOf(agentIds: readonly AgentId[]): Promise<Array<string | null>> {
    if (agentIds.length === 0) return [];
    return this.redis.hmget(this.o.keys.agentHomes(), ...agentIds);
  }

  async reserveNear(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
    callServerId: string,
    downServerIds: readonly string[] = [],
  ): Promise<ReservedNear | null> {
    const k = this.o.keys;
    const res = (await this.scripts.agentReserveNear(
      [k.agentReady(campaignId), k.stream('agents'), k.streamSeq('agents'), k.agentHomes()],
      [
        k.agentStatusPrefix,
        campaignId,
        callId,
        nowMs,
        this.o.maxLen,
        this.o.trim,
        callServerId,
        this.opts.defaultServerId,
        NEAR_SCAN,
        downServerIds.join(','),
      ],
    )) as string[] | null;
    if (!res) return null;
    const [agentId, ...values] = res;
    const status = agentFromFields(agentId ?? '', values);
    if (!status) return null;
    const homeServerId = values[AGENT_HASH_FIELDS.length] ?? this.opts.defaultServerId;
    return { status, homeServerId, crosses: homeServerId !== callServerId };
  }
}
