import type { Redis } from 'ioredis';
import type { TelephonyHealth } from '../adapters/asterisk/telephony-health.js';
import { RedisAgentHomes } from '../adapters/redis/agent-homes.js';
import type { AriServerConfig, Config } from '../config.js';
import type { FleetServer } from '../domain/fleet.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../logger.js';
import { FleetHoming, takingCallsByServer } from '../services/telephony/fleet-homing.js';
import type { OriginationPlacement } from '../services/telephony/ari-worker-originator.js';
import type { StateStore } from '../ports/state-store.js';

/*
 * The Asterisk fleet's wiring shared by the roles (docs/telephony.md, "Asterisk fleet"): the
 * agents' homes in Redis, the homing service, the trunk's dial strings. With one server there
 * is no fleet: every role behaves as before.
 */

/** More than one Asterisk server. */
export function isFleet(servers: readonly AriServerConfig[]): boolean {
  return servers.length > 1;
}

/**
 * FLEET_TRUNK_DIAL for a call from server `from` to `to` carrying `exten` ({to}/{from}: the
 * servers' places in ARI_URL counting from 1); null for an unknown server or the same one.
 */
export function trunkDialOf(
  template: string,
  servers: readonly AriServerConfig[],
): (from: string, to: string, exten: string) => string | null {
  return (from, to, exten) => {
    const f = servers.findIndex((s) => s.id === from);
    const t = servers.findIndex((s) => s.id === to);
    if (f < 0 || t < 0 || f === t) return null;
    return template
      .replaceAll('{exten}', exten)
      .replaceAll('{to}', String(t + 1))
      .replaceAll('{from}', String(f + 1));
  };
}

/** The servers as the homing rules see them: up per `health` (unknown: up), capacity = max calls. */
export function fleetServersOf(
  servers: readonly AriServerConfig[],
  maxCalls: number,
  health: Pick<TelephonyHealth, 'snapshot'>,
): () => FleetServer[] {
  return () => {
    const known = new Map(health.snapshot().map((s) => [s.serverId, s.up]));
    return servers.map((s) => ({ id: s.id, up: known.get(s.id) ?? true, capacity: maxCalls }));
  };
}

export function agentHomesOf(redis: Redis, config: Config, servers: readonly AriServerConfig[]) {
  return agentHomesOfPrefix(redis, config.redisPrefix, servers);
}

export function agentHomesOfPrefix(
  redis: Redis,
  prefix: string,
  servers: readonly AriServerConfig[],
): RedisAgentHomes {
  return new RedisAgentHomes(redis, { prefix, defaultServerId: servers[0]?.id ?? '' });
}

/** The originator's placement: agents taking calls per home, an agent's own call at its home. */
export function placementOf(
  store: Pick<StateStore, 'listAgents'>,
  homes: RedisAgentHomes,
): OriginationPlacement {
  return {
    readyByServer: (campaignId) =>
      takingCallsByServer(store, homes, campaignId, homes.defaultServerId),
    homeOf: (agentId) => homes.get(agentId),
  };
}

export function fleetHomingOf(
  redis: Redis,
  config: Config,
  servers: readonly AriServerConfig[],
  health: Pick<TelephonyHealth, 'snapshot'>,
  clock: Clock,
  logger: Logger,
): FleetHoming {
  return new FleetHoming({
    homes: agentHomesOf(redis, config, servers),
    servers: fleetServersOf(servers, config.ariMaxCallsPerServer, health),
    clock,
    logger,
  });
}
