import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AgentId } from '@ringside/protocol';
import type { Redis } from 'ioredis';
import { connectRedis } from '../adapters/redis/connect.js';
import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import { checkModulesAtStart } from '../adapters/asterisk/asterisk-modules.js';
import {
  telephonyHealth,
  type TelephonyServerStatus,
} from '../adapters/asterisk/telephony-health.js';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { createAuditLog } from '../adapters/postgres/audit.js';
import { BatchedCallLog } from '../adapters/postgres/call-log.js';
import { createUsersRepo } from '../adapters/postgres/users.js';
import { RedisAgentLegIndex } from '../adapters/redis/agent-leg-index.js';
import { countRedisErrors } from '../adapters/metrics/instrument.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisStateStore, type CallWriteFence } from '../adapters/redis/state-store.js';
import { AriServerLeases } from '../adapters/redis/ari-lease.js';
import type { ServerLeaseStore } from '../ports/server-lease.js';
import { LeasedServer } from '../services/telephony/ari-worker-lease.js';
import type { EventBus } from '../ports/event-bus.js';
import type { StateStore } from '../ports/state-store.js';
import type { AgentLegHandler, MonitorLegHandler } from '../ports/telephony.js';
import { AgentLegService } from '../services/telephony/agent-leg.js';
import { agentOfEndpoint, phoneDialString } from '../services/telephony/agent-phone.js';
import { AgentSessionService } from '../services/agents/agent-session.js';
import { AriServerSupervisor } from './ari-server.js';
import { fleetHomingOf, isFleet } from './fleet.js';
import type { FleetHoming } from '../services/telephony/fleet-homing.js';
import { MonitorLegWatcher } from '../services/supervisor/supervisor-actions.js';
import { RedisMonitorRegistry } from '../adapters/redis/supervisor-monitors.js';
import type { RoleContext, RunningRole } from './context.js';
import { createDb } from '../adapters/postgres/database.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import { createLeadsRepo } from '../adapters/postgres/leads.js';
import { createRecordingCallsRepo } from '../adapters/postgres/recording-calls.js';
import { RedisLiveRecordings } from '../adapters/redis/live-recordings.js';
import { CallRecorder, type CallRecorderDeps } from '../services/recordings/call-recorder.js';
import { recordingLookups } from '../services/recordings/lookups.js';

/** Overrides for tests and for `all` (share one store and bus across roles). */
export interface AriWorkerDeps {
  store?: StateStore;
  bus?: EventBus;
  /**
   * Default: AgentLegService.workerHandler, which puts a dialed-in phone (a WebRTC softphone
   * dialing `login`) in its agent's bridge and pauses an agent whose leg is lost.
   */
  agentLegs?: AgentLegHandler;
  /** Default: MonitorLegWatcher on the Redis monitoring registry (needs its own connection). */
  monitorLegs?: MonitorLegHandler;
  /**
   * The live recordings (Redis) the call recorder keeps (docs/recording.md); default: on the
   * role's Redis connection. `false`: no recording (trace replays, benchmarks).
   */
  liveRecordings?: CallRecorderDeps['live'] | false;
  /**
   * The servers' ari-worker leases: each server is followed by the one worker process holding
   * its lease (docs/scaling.md, "Every role twice"). Default: Redis leases when the role builds
   * its own state store; without a Redis store (rigs in memory) every server is followed at once,
   * as by a single worker. `false`: no lease.
   */
  leases?: ServerLeaseStore | false;
  /** Lease renewal and take-over round, ms (ARI_LEASE_ROUND_MS). */
  leaseRoundMs?: number;
  /**
   * A server unreachable this long has its calls ended, ms (default 60,000; tests shorten it).
   * Only with one server: a fleet declares a server lost after FLEET_REHOME_AFTER_MS, ending its
   * calls and re-homing its agents at that one moment.
   */
  lostCallsAfterMs?: number;
}

/** How long an ari-worker lease lasts without renewal, ms: a killed worker's standby takes over within it plus one round. */
export const ARI_LEASE_TTL_MS = 5_000;
/** How often a worker renews its leases and a standby tries to take them, ms. */
export const ARI_LEASE_ROUND_MS = 1_000;

/** This process's owner id in the servers' leases: host, pid and a random tail. */
export function ariWorkerInstanceId(): string {
  return `${hostname().slice(0, 32)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Role `ari-worker`: one supervisor per Asterisk server (events WebSocket, call worker, health).
 * It is the source of truth for calls: live_call, call_log and the call.* events come from here.
 */
export async function startAriWorker(
  ctx: RoleContext,
  deps: AriWorkerDeps = {},
): Promise<RunningRole> {
  const log = ctx.logger.child({ role: 'ari-worker' });
  if (ctx.ariServers.length === 0) {
    log.error('no Asterisk server configured (ARI_URL) and no simulated PBX: telephony is down');
    return { name: 'ari-worker', stop: async () => undefined };
  }
  // One line per process on what Asterisk lacks (adapters/asterisk/asterisk-modules.ts).
  checkModulesAtStart(ctx.ariServers, ctx.logger);
  let redis: Redis | null = null;
  if (
    !deps.store ||
    !deps.bus ||
    !deps.monitorLegs ||
    !deps.agentLegs ||
    deps.liveRecordings === undefined
  ) {
    redis = connectRedis(ctx.config, { maxRetriesPerRequest: 3, lazyConnect: false, logger: log });
    if (ctx.metrics) countRedisErrors(ctx.metrics, redis);
  }
  const store =
    deps.store ??
    new RedisStateStore(redis as Redis, { prefix: ctx.config.redisPrefix, clock: ctx.clock });
  const bus =
    deps.bus ??
    new RedisEventBus(redis as Redis, {
      prefix: ctx.config.redisPrefix,
      clock: ctx.clock,
      logger: log,
    });
  // A supervisor hanging up their phone ends the monitoring (services/supervisor/supervisor-actions.ts).
  const monitorLegs =
    deps.monitorLegs ??
    new MonitorLegWatcher({
      monitors: new RedisMonitorRegistry(redis as Redis, new RedisKeys(ctx.config.redisPrefix)),
      bus,
      audit: createAuditLog(ctx.pool),
      clock: ctx.clock,
      logger: log,
    });
  // One ARI client per server in this process: the server's supervisor and, on the first server,
  // the agents' legs share it.
  const clients = new Map(ctx.ariServers.map((s) => [s.id, new AriRestClient(s)]));
  // Several servers: agents homed on each, re-homed when theirs is lost (roles/fleet.ts).
  const homing =
    isFleet(ctx.ariServers) && redis
      ? fleetHomingOf(redis, ctx.config, ctx.ariServers, telephonyHealth, ctx.clock, log)
      : null;
  const legService = deps.agentLegs
    ? null
    : defaultAgentLegs(ctx, store, redis as Redis, log, clients, homing);
  const agentLegs =
    deps.agentLegs ??
    (legService as AgentLegService).workerHandler(
      agentOfEndpoint(createUsersRepo(ctx.pool), store),
    );
  const callLog = new BatchedCallLog(ctx.pool, {
    onError: (err, what) => log.error({ err, what }, 'call_log write failed'),
  });
  const recorderOf = callRecorders(ctx, store, bus, log, deps, redis);
  const supervise = (
    server: RoleContext['ariServers'][number],
    client: AriRestClient,
    fence?: CallWriteFence,
  ) =>
    new AriServerSupervisor({
      server,
      client,
      // Fenced: a call write is made only while this process holds the server's lease.
      store: fence
        ? new RedisStateStore(redis as Redis, {
            prefix: ctx.config.redisPrefix,
            clock: ctx.clock,
            fence,
          })
        : store,
      bus,
      callLog,
      clock: ctx.clock,
      logger: log,
      health: telephonyHealth,
      agentLegs,
      monitorLegs,
      // A fleet: one decision at FLEET_REHOME_AFTER_MS, the server is lost: its calls end in
      // state, then its agents are re-homed (a restart shorter than that keeps both).
      ...(homing
        ? {
            lostCallsAfterMs: ctx.config.fleet.rehomeAfterMs,
            onLost: () => rehomeLost(server.id, homing, store, legService, log),
          }
        : deps.lostCallsAfterMs !== undefined
          ? { lostCallsAfterMs: deps.lostCallsAfterMs }
          : {}),
      ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
      ...(recorderOf ? { recorder: recorderOf(server.id, client) } : {}),
    });
  const leases =
    deps.leases === false
      ? null
      : (deps.leases ??
        (redis && !deps.store
          ? new AriServerLeases(
              redis,
              new RedisKeys(ctx.config.redisPrefix),
              ariWorkerInstanceId(),
              ARI_LEASE_TTL_MS,
            )
          : null));
  let stopServers: () => Promise<unknown>;
  let serverIds: string[];
  if (leases && redis) {
    // One worker per server at a time: the lease holder opens the events WebSocket; a standby
    // waits. Each activation gets its own ARI client (the supervisor closes it when it stops).
    const leased = ctx.ariServers.map(
      (server) =>
        new LeasedServer({
          serverId: server.id,
          leases,
          logger: log,
          renewEveryMs: deps.leaseRoundMs ?? ARI_LEASE_ROUND_MS,
          activate: (fenced) =>
            supervise(server, new AriRestClient(server), {
              serverId: server.id,
              ownerId: leases.ownerId,
              onRefused: fenced,
            }),
        }),
    );
    for (const l of leased) l.start();
    stopServers = () => Promise.all(leased.map((l) => l.stop()));
    serverIds = leased.map((l) => l.serverId);
    log.info({ ownerId: leases.ownerId, leaseTtlMs: leases.ttlMs }, 'ari worker leases on');
  } else {
    const supervisors = ctx.ariServers.map((server) =>
      supervise(server, clients.get(server.id) as AriRestClient),
    );
    for (const s of supervisors) s.start();
    stopServers = () => Promise.all(supervisors.map((s) => s.stop()));
    serverIds = supervisors.map((s) => s.serverId);
  }
  // Asterisk back after being away: external phones waiting to be called again are called now
  // (on a fleet, any server: a phone is called from its agent's home).
  const legServerId = ctx.ariServers[0]?.id;
  const offHealth = telephonyHealth.onChange((status, prev) => {
    if (status.up && prev && !prev.up && (homing || status.serverId === legServerId))
      legService?.redialNow();
  });
  log.info({ servers: serverIds }, 'ari worker started');
  return {
    name: 'ari-worker',
    async stop() {
      offHealth();
      legService?.close();
      await stopServers();
      await callLog.flush().catch(() => undefined);
      if (redis) await redis.quit().catch(() => undefined);
    },
  };
}

/**
 * The call recorder of each server (services/recordings/call-recorder.ts): the campaign's policy
 * and the lead's consent from PostgreSQL (the policy cached 5 s), the live recording in Redis.
 */
function callRecorders(
  ctx: RoleContext,
  store: StateStore,
  bus: EventBus,
  log: RoleContext['logger'],
  deps: AriWorkerDeps,
  redis: Redis | null,
): ((serverId: string, ari: AriRestClient) => CallRecorder) | null {
  if (deps.liveRecordings === false) return null;
  const live =
    deps.liveRecordings ?? new RedisLiveRecordings(redis as Redis, ctx.config.redisPrefix);
  const db = createDb(ctx.pool);
  const campaigns = createCampaignsRepo(db);
  const leads = createLeadsRepo(db);
  const repo = createRecordingCallsRepo(db);
  const lookups = recordingLookups(campaigns, leads);
  return (serverId, ari) =>
    new CallRecorder({
      serverId,
      ari,
      calls: store,
      live,
      repo,
      // The recorder caches the policy 5 s (CallRecorderDeps.policyCacheMs).
      policyOf: lookups.policyOf,
      leadOf: lookups.leadOf,
      bus,
      clock: ctx.clock,
      logger: log,
    });
}

/**
 * Agents' phone legs as the worker sees them: a phone that dialed `login` (StasisStart ["agent",
 * <endpoint>]) joins the bridge of the logged-in agent it belongs to (the user named like the
 * endpoint, or whose users.sip_endpoint it is), and a lost leg pauses an agent waiting for calls,
 * whether its ChannelDestroyed arrives or a resync finds it gone. The legs live on the first
 * server (docs/agent-calls.md), whose client the service keeps.
 */
/**
 * Server `serverId` is lost (down FLEET_REHOME_AFTER_MS): its agents are re-homed
 * (agent.homed `server_lost`: their panels register the browser phones at the new home), and
 * each one's leg there is lost as if its ChannelDestroyed had come (the server cannot say):
 * an agent waiting for calls is paused PHONE and an external phone is called from its new home.
 */
async function rehomeLost(
  serverId: string,
  homing: FleetHoming,
  store: StateStore,
  legs: AgentLegService | null,
  log: RoleContext['logger'],
): Promise<void> {
  try {
    const moves = await homing.rehomeFrom(serverId);
    for (const agentId of moves.keys()) {
      const leg = (await store.getAgent(agentId))?.legChannelId;
      if (leg && legs) await legs.legGone(leg);
    }
  } catch (err) {
    log.error({ err, serverId }, 're-homing the agents of a lost server failed');
  }
}

function defaultAgentLegs(
  ctx: RoleContext,
  store: StateStore,
  redis: Redis,
  log: RoleContext['logger'],
  clients: ReadonlyMap<string, AriRestClient>,
  homing: FleetHoming | null,
): AgentLegService {
  const agentLog = new AgentLogRepository(ctx.pool);
  const agents = new AgentSessionService({ store, log: agentLog, clock: ctx.clock, logger: log });
  const legServer = ctx.ariServers[0] as RoleContext['ariServers'][number];
  const users = createUsersRepo(ctx.pool);
  const legs = new AgentLegService({
    ari: clients.get(legServer.id) as AriRestClient,
    store,
    agents,
    app: ctx.config.ariApp,
    logger: log,
    index: new RedisAgentLegIndex(redis, ctx.config.redisPrefix),
    log: agentLog,
    clock: ctx.clock,
    // Legs the api role indexed without a server are on this one; each server's worker resync
    // asks for its own server's legs (legsOn) and so never touches another server's.
    serverId: legServer.id,
    // A lost external phone (Asterisk restarted, the phone hung up) is called again until it
    // answers or the agent logs out. A browser phone re-registers and dials in by itself (and a
    // simulated one is brought back by the panel's Reconnect line).
    // A fleet: an external phone is called from its agent's home (re-homed when it was lost).
    ...(homing
      ? {
          homeOf: async (agentId: AgentId, choose: boolean) => {
            const id = choose ? await homing.home(agentId) : await homing.homeOf(agentId);
            const client = id ? clients.get(id) : undefined;
            return id && client ? { ari: client, serverId: id } : null;
          },
        }
      : {}),
    redialEndpoint: async (agentId) => {
      const user = await users.findById(agentId);
      return user?.active && user.phoneType === 'sip' ? phoneDialString(user) : null;
    },
  });
  return legs;
}

/**
 * Telephony up/down per Asterisk server, as this process knows it (for /health and /ready).
 * In a process without the worker role, feed `telephonyHealth.apply()` from `telephony.status`
 * bus events first.
 */
export function telephonyStatus(): { up: boolean; servers: TelephonyServerStatus[] } {
  return { up: telephonyHealth.allUp(), servers: telephonyHealth.snapshot() };
}
