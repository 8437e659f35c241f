import type { AgentId } from '@ringside/protocol';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { asteriskModules } from '../adapters/asterisk/asterisk-modules.js';
import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { createAuditLog } from '../adapters/postgres/audit.js';
import { createDispositionLedger } from '../adapters/postgres/call-dispositions.js';
import { CallLogRepository } from '../adapters/postgres/call-log.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import type { Db } from '../adapters/postgres/database.js';
import { PgAgentDeskReads } from '../adapters/postgres/agent-desk.js';
import { createDispositionsRepo, createPauseCodesRepo } from '../adapters/postgres/dispositions.js';
import { PgPreviewLeads } from '../adapters/postgres/preview-leads.js';
import { PgStateRules } from '../adapters/postgres/state-rules.js';
import { createUsersRepo } from '../adapters/postgres/users.js';
import { RedisAgentLegIndex } from '../adapters/redis/agent-leg-index.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import {
  RedisAgentPresence,
  RedisPendingPause,
  RedisTransferStore,
} from '../adapters/redis/presence.js';
import { RedisMonitorRegistry } from '../adapters/redis/supervisor-monitors.js';
import { RedisWrapupExtensions } from '../adapters/redis/wrapup-extensions.js';
import type { AriServerConfig, SipConfig } from '../config.js';
import { UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentSessionApi, DncListener } from '../ports/agents.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus, Subscription } from '../ports/event-bus.js';
import type { StateStore } from '../ports/state-store.js';
import { AgentSessionService, createAgentSessionApi } from '../services/agents/agent-session.js';
import { DispositionService } from '../services/agents/disposition.js';
import { startCustomerHangupWatcher, WrapupSweeper } from '../services/agents/wrapup.js';
import { WrapupExtender } from '../services/agents/wrapup-extension.js';
import { AgentDesk } from '../services/agents/agent-desk.js';
import { StateRulesCache } from '../services/compliance/index.js';
import { createDialerEntryPoints } from './dialer-parts.js';
import {
  pjsipEndpointOf,
  SupervisorActions,
  type SupervisorActionsDeps,
} from '../services/supervisor/supervisor-actions.js';
import { AgentLegService } from '../services/telephony/agent-leg.js';
import { AgentTelephonyService } from '../services/telephony/agent-telephony.js';
import { SipAccountService } from '../services/telephony/sip-accounts.js';
import { FleetHoming } from '../services/telephony/fleet-homing.js';
import { telephonyHealth } from '../adapters/asterisk/telephony-health.js';
import { agentHomesOfPrefix, fleetServersOf, isFleet } from './fleet.js';

/**
 * The agents and supervisor part of the api role's wiring (roles/api.ts): the agent session
 * service (one per role process, shared by everything the role builds), dispositions, the
 * wrap-up timeout, presence, telephony commands and the supervisor actions.
 */

/**
 * The agent session service of one role process. Every role builds it once with this and hands
 * the same instance to whatever applies agent transitions in that role.
 */
export function agentSessionService(d: {
  pool: pg.Pool;
  store: StateStore;
  clock: Clock;
  logger: Logger;
}): AgentSessionService {
  return new AgentSessionService({
    store: d.store,
    log: new AgentLogRepository(d.pool),
    clock: d.clock,
    logger: d.logger,
  });
}

interface AgentsCoreDeps {
  pool: pg.Pool;
  db: Db;
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  store: StateStore;
  clock: Clock;
  logger: Logger;
}

/** Dispositions and the "pause after this call" requests, on the role's session service. */
function dispositionsOf(
  d: AgentsCoreDeps,
  sessions: AgentSessionService,
  dncCache?: DncListener,
): { dispositions: DispositionService; pendingPauses: RedisPendingPause } {
  const pendingPauses = new RedisPendingPause(d.redis, d.prefix);
  const dispositions = new DispositionService({
    store: d.store,
    sessions,
    ledger: createDispositionLedger(d.db),
    dispositions: createDispositionsRepo(d.db),
    campaigns: createCampaignsRepo(d.db),
    pendingPauses,
    ...(dncCache ? { dncCache } : {}),
    callbackHours: new PgAgentDeskReads(d.pool),
    clock: d.clock,
    logger: d.logger,
  });
  return { dispositions, pendingPauses };
}

/** Agents' wrap-up extensions (counted in Redis, audited) on the role's session service. */
function wrapupExtenderOf(
  d: AgentsCoreDeps,
  sessions: AgentSessionService,
  dispositions: DispositionService,
): { extensions: RedisWrapupExtensions; extender: WrapupExtender } {
  const extensions = new RedisWrapupExtensions(d.redis, d.prefix);
  const extender = new WrapupExtender({
    store: d.store,
    sessions,
    dispositions,
    extensions,
    audit: createAuditLog(d.pool),
    clock: d.clock,
    logger: d.logger,
  });
  return { extensions, extender };
}

/** The agent's desk reads: its own day, the dispositions' usage. */
function agentDeskOf(d: AgentsCoreDeps): AgentDesk {
  return new AgentDesk({
    reads: new PgAgentDeskReads(d.pool),
    store: d.store,
    pauseCodes: createPauseCodesRepo(d.db),
    clock: d.clock,
  });
}

/** Supervisor actions on the role's session service; ARI parts (hang-up, legs, monitoring) optional. */
function supervisorActionsOf(
  d: AgentsCoreDeps & { bus: EventBus },
  sessions: AgentSessionService,
  ari: Pick<SupervisorActionsDeps, 'hangupCall' | 'endLeg' | 'monitor'> = {},
): SupervisorActions {
  const users = createUsersRepo(d.pool);
  return new SupervisorActions({
    sessions,
    store: d.store,
    audit: createAuditLog(d.pool),
    logger: d.logger,
    monitors: new RedisMonitorRegistry(d.redis, new RedisKeys(d.prefix)),
    bus: d.bus,
    supervisorName: async (id) => (await users.findById(id))?.displayName ?? '',
    clock: d.clock,
    ...ari,
  });
}

/**
 * The agent session API and the supervisor actions without telephony (no Asterisk): sessions,
 * dispositions and "pause after this call" work, effects on phone legs and calls are not
 * carried out. For an api built without ARI (the HTTP tests' harness).
 */
export function agentControlWithoutTelephony(d: AgentsCoreDeps & { bus: EventBus }): {
  agentSessions: AgentSessionApi;
  supervisor: SupervisorActions;
  agentDesk: AgentDesk;
} {
  const sessions = agentSessionService(d);
  const { dispositions, pendingPauses } = dispositionsOf(d, sessions);
  return {
    agentSessions: createAgentSessionApi({
      sessions,
      dispositions,
      pendingPauses,
      extender: wrapupExtenderOf(d, sessions, dispositions).extender,
      store: d.store,
      logger: d.logger,
    }),
    supervisor: supervisorActionsOf(d, sessions),
    agentDesk: agentDeskOf(d),
  };
}

export interface AgentCallControlDeps extends AgentsCoreDeps {
  bus: EventBus;
  ariServers: AriServerConfig[];
  /** The simulated PBX (no ARI_URL): phone legs are simulated through the API. */
  simulated: boolean;
  app: string;
  dialTemplate: string;
  /** config.ariMaxCallsPerServer: the cap manual dials share with the dialer (per server). */
  maxCallsPerServer?: number;
  /** The browser phones' SIP settings (config.sip); with a real Asterisk, softphone accounts. */
  sip?: SipConfig | null;
  /**
   * Several servers (docs/telephony.md, "Asterisk fleet"): each server's SIP WebSocket and
   * domain (config.fleet.sip) for the phones homed there.
   */
  fleetSip?: Record<string, { wsUri: string; domain: string }>;
  /** Wrap-up timeout check period, ms (default 1,000). */
  wrapupCheckMs?: number;
}

export interface AgentCallControl {
  agentSessions: AgentSessionApi;
  telephony: AgentTelephonyService;
  presence: RedisAgentPresence;
  dispositions: DispositionService;
  sweeper: WrapupSweeper;
  /** Force pause/logout, dial changes and monitoring, with real ARI for hang-ups and legs. */
  supervisor: SupervisorActions;
  /** The agent's own day and the dispositions' usage (GET /api/agent/my-day, ?order=usage). */
  agentDesk: AgentDesk;
  stop(): Promise<void>;
}

/**
 * The agent's call control in the api role: dispositions, the wrap-up timeout (a sweep every
 * second, in this role: the server alone applies it), the customer-hang-up watcher (INCALL ->
 * DEAD), heartbeat presence in Redis, and telephony commands over ARI REST to the call's own
 * Asterisk server. Manual dials use the dialer's entry points (roles/dialer-parts.ts), the
 * same origination path as the dialer's calls.
 */
export async function startAgentCallControl(d: AgentCallControlDeps): Promise<AgentCallControl> {
  const sessions = agentSessionService(d);
  // Manual dials check the state calling rules like the dialer (re-read on change, every 30 s).
  const stateRules = new StateRulesCache(new PgStateRules(d.pool), d.logger);
  await stateRules.start(d.bus);
  const entry = createDialerEntryPoints({
    agents: sessions,
    stateRules: () => stateRules.current(),
    pool: d.pool,
    redis: d.redis,
    prefix: d.prefix,
    store: d.store,
    clock: d.clock,
    logger: d.logger,
    ariServers: d.ariServers,
    dialTemplate: d.dialTemplate,
    ...(d.maxCallsPerServer !== undefined ? { maxCallsPerServer: d.maxCallsPerServer } : {}),
  });
  const { dispositions, pendingPauses } = dispositionsOf(d, sessions, entry.dnc);
  // One ARI client per server in this process: the one manual dials go through (it reports
  // customer calls to the trunk breaker) serves call control, agents' legs and monitoring too.
  const aris = new Map(
    d.ariServers.map((s) => [
      s.id,
      entry.origination.servers.server(s.id)?.client ?? new AriRestClient(s),
    ]),
  );
  // Agents' legs and bridges live on the first server, or on a fleet on each agent's home
  // (docs/telephony.md, "Asterisk fleet").
  const legServer = d.ariServers[0];
  const legAri = legServer ? aris.get(legServer.id) : undefined;
  const homing = isFleet(d.ariServers)
    ? new FleetHoming({
        homes: agentHomesOfPrefix(d.redis, d.prefix, d.ariServers),
        servers: fleetServersOf(d.ariServers, d.maxCallsPerServer ?? 200, telephonyHealth),
        clock: d.clock,
        logger: d.logger,
      })
    : null;
  const homeAri = async (agentId: AgentId, choose: boolean) => {
    const id = choose ? await homing?.home(agentId) : await homing?.homeOf(agentId);
    const ari = id ? aris.get(id) : undefined;
    return id && ari ? { ari, serverId: id } : null;
  };
  const legs = legAri
    ? new AgentLegService({
        ari: legAri,
        store: d.store,
        agents: sessions,
        app: d.app,
        logger: d.logger,
        // So the ARI worker knows these legs when they are lost (services/telephony/agent-leg.ts), and on
        // which server to look for them at a resync.
        index: new RedisAgentLegIndex(d.redis, d.prefix),
        serverId: legServer?.id,
        ...(homing ? { homeOf: homeAri } : {}),
      })
    : null;
  // Softphone accounts on the server the agents' legs live on (deploy/asterisk/sorcery.conf);
  // none on the simulated PBX, which has no SIP.
  // On a fleet, one per server, each with that server's SIP WebSocket: the account is written
  // to the agent's home, where its browser phone registers.
  const sip = d.sip;
  const sipAccountsOn = new Map(
    sip && !d.simulated
      ? d.ariServers.map((server) => [
          server.id,
          new SipAccountService({
            ari: aris.get(server.id) as AriRestClient,
            settings: { ...sip, ...(d.fleetSip?.[server.id] ?? {}) },
            logger: d.logger,
            clock: d.clock,
            // G.711, plus Opus where the module check saw codec_opus (asterisk-modules.ts).
            codecs: () => asteriskModules.codecsFor(server.id),
          }),
        ])
      : [],
  );
  const sipAccountsOf = async (agentId: AgentId) => {
    const home = homing ? await homing.home(agentId) : null;
    return sipAccountsOn.get(home ?? legServer?.id ?? '') ?? null;
  };
  const sipAccounts = legServer ? (sipAccountsOn.get(legServer.id) ?? null) : null;
  const telephony = new AgentTelephonyService({
    store: d.store,
    sessions,
    aris,
    legServerId: legServer?.id ?? '',
    legs: legs ?? {
      attach: () => Promise.reject(new UnavailableError('no Asterisk server is configured')),
      detach: () => Promise.reject(new UnavailableError('no Asterisk server is configured')),
    },
    users: createUsersRepo(d.pool),
    wrapupMs: async (campaignId) => (await dispositions.campaign(campaignId)).wrapupMs,
    manual: entry.manual,
    previewLeads: new PgPreviewLeads(d.pool),
    handOvers: new CallLogRepository(d.pool),
    transfers: new RedisTransferStore(d.redis, d.prefix),
    simulated: d.simulated,
    ...(sipAccounts
      ? {
          sipAccount: async (user) => {
            const on = (await sipAccountsOf(user.id as AgentId)) ?? sipAccounts;
            return on.account(user);
          },
          // Wherever it may have been written (a fleet: any server the user was homed on).
          removeSipAccount: async (user) => {
            const [first, ...rest] = [...sipAccountsOn.values()];
            await first?.remove(user);
            for (const other of rest) await other.remove(user).catch(() => undefined);
          },
        }
      : {}),
    ...(homing ? { homeOf: (agentId: AgentId) => homing.homeOf(agentId) } : {}),
    dialTemplate: d.dialTemplate,
    app: d.app,
    clock: d.clock,
    logger: d.logger,
  });
  const { extensions, extender } = wrapupExtenderOf(d, sessions, dispositions);
  const agentSessions = createAgentSessionApi({
    sessions,
    dispositions,
    pendingPauses,
    extender,
    store: d.store,
    // The status no longer names the leg after the logout: the effect carries it.
    endLeg: async (agentId, legChannelId) => {
      await legs?.detach(agentId, { legChannelId });
      // The shift is over: the next login chooses a home again (by load).
      await homing?.forget(agentId);
    },
    hangupCall: async (callId) => {
      const call = await d.store.getCall(callId);
      if (call) await aris.get(call.serverId)?.hangup(call.channelId, 'normal');
    },
    logger: d.logger,
  });
  const sweeper = new WrapupSweeper({
    store: d.store,
    sessions,
    dispositions,
    pendingPauses,
    extensions,
    clock: d.clock,
    logger: d.logger,
  });
  sweeper.start(d.wrapupCheckMs ?? 1_000);
  let watcher: Subscription | null = null;
  try {
    watcher = await startCustomerHangupWatcher({
      bus: d.bus,
      store: d.store,
      sessions,
      logger: d.logger,
    });
  } catch (err) {
    await sweeper.stop();
    throw err;
  }
  const supervisor = supervisorActionsOf(d, sessions, {
    hangupCall: async (call) => {
      await aris.get(call.serverId)?.hangup(call.channelId, 'normal');
    },
    endLeg: async (agentId, legChannelId) => {
      await legs?.detach(agentId, { legChannelId });
    },
    ...(legAri
      ? {
          monitor: {
            ari: legAri,
            app: d.app,
            endpointOf: pjsipEndpointOf(createUsersRepo(d.pool)),
            newId: () => randomBytes(6).toString('hex'),
          },
        }
      : {}),
  });
  return {
    agentSessions,
    telephony,
    supervisor,
    presence: new RedisAgentPresence(d.redis, d.prefix),
    dispositions,
    sweeper,
    agentDesk: agentDeskOf(d),
    async stop() {
      await sweeper.stop();
      await watcher?.close();
      await stateRules.stop();
    },
  };
}
