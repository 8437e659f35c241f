import type { Redis } from 'ioredis';
import { AgentMonitorStarted, type AgentId } from '@ringside/protocol';
import type { ActiveMonitor, MonitorRegistry } from '../../ports/supervisor.js';
import type { RedisKeys } from './keys.js';

/** How long a monitoring entry is kept at most (one that nobody ended), ms. */
const MONITOR_TTL_MS = 86_400_000;

/**
 * MonitorRegistry in Redis: `p:{agents}:monitor:<agentId>` (JSON, kept at most a day) and
 * `p:{agents}:monitor-leg:<supLeg>` -> agentId, so the ARI worker, which sees only the leg's
 * channel, finds the monitoring. The leg key is a pointer: byLeg checks it against the entry.
 */
export class RedisMonitorRegistry implements MonitorRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async put(m: ActiveMonitor): Promise<void> {
    await this.redis
      .pipeline()
      .set(this.keys.agentMonitor(m.event.agentId), JSON.stringify(m), 'PX', MONITOR_TTL_MS)
      .set(this.keys.agentMonitorLeg(m.supLeg), m.event.agentId, 'PX', MONITOR_TTL_MS)
      .exec();
  }

  async get(agentId: AgentId): Promise<ActiveMonitor | null> {
    return parseMonitor(await this.redis.get(this.keys.agentMonitor(agentId)));
  }

  async take(agentId: AgentId): Promise<ActiveMonitor | null> {
    const m = parseMonitor(await this.redis.getdel(this.keys.agentMonitor(agentId)));
    if (m) await this.redis.del(this.keys.agentMonitorLeg(m.supLeg));
    return m;
  }

  async byLeg(channelId: string): Promise<ActiveMonitor | null> {
    const agentId = await this.redis.get(this.keys.agentMonitorLeg(channelId));
    if (agentId === null) return null;
    const m = await this.get(agentId as AgentId);
    return m?.supLeg === channelId ? m : null;
  }
}

function parseMonitor(raw: string | null): ActiveMonitor | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<ActiveMonitor>;
    const event = AgentMonitorStarted.safeParse(v.event);
    if (!event.success || typeof v.supLeg !== 'string') return null;
    return {
      event: event.data,
      supLeg: v.supLeg,
      snoopId: v.snoopId ?? null,
      bridgeId: v.bridgeId ?? null,
    };
  } catch {
    return null;
  }
}
