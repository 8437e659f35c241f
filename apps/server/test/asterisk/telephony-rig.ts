import type { AgentId, CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import type { CallLogStart, CallLogStep, CallLogWriter } from '../../src/ports/call-log.js';
import type { OriginateCall } from '../../src/ports/dialer.js';
import type { AriServerConfig } from '../../src/config.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import type { AgentStatus } from '../../src/ports/state-store.js';
import { AriServerSupervisor } from '../../src/roles/ari-server.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';

/**
 * What the telephony scenarios share (scenarios.ts, bridge-scenarios.ts, trace-replay): a
 * call_log kept in memory, and the production worker and originator on one ARI server with a
 * store and bus in memory.
 */

/** call_log in memory: every start and step, in order. */
export class MemoryCallLog implements CallLogWriter {
  readonly starts: CallLogStart[] = [];
  readonly steps: Array<{ callId: string; step: CallLogStep }> = [];
  async start(s: CallLogStart) {
    this.starts.push(s);
  }
  async step(callId: string, step: CallLogStep) {
    this.steps.push({ callId, step });
  }
  /** The steps of one call, in order. */
  stepsOf(callId: string): CallLogStep[] {
    return this.steps.filter((s) => s.callId === callId).map((s) => s.step);
  }
}

export interface WorkerRig {
  bus: MemoryEventBus;
  store: MemoryStateStore;
  callLog: MemoryCallLog;
  logger: Logger;
  sup: AriServerSupervisor;
  /** Places customer calls as Local/<digits>@sim-customers. */
  originator: CallOriginator;
}

/**
 * Starts the ARI worker's supervisor on `server` (agents' legs that dial in join `agentBridge`),
 * waits until its events connection is up, and builds the originator on its client.
 */
export async function startWorkerRig(
  server: AriServerConfig,
  opts: { agentBridge: string; timeoutMs: number },
): Promise<WorkerRig> {
  const bus = new MemoryEventBus();
  const store = new MemoryStateStore(bus);
  const callLog = new MemoryCallLog();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'silent');
  const sup = new AriServerSupervisor({
    server,
    store,
    bus,
    callLog,
    clock: systemClock,
    logger,
    health: new TelephonyHealth(),
    agentLegs: { onAgentLeg: (leg, ari) => ari.addChannel(opts.agentBridge, leg.channelId) },
  });
  sup.start();
  const deadline = Date.now() + opts.timeoutMs;
  while (!sup.stream.isUp) {
    if (Date.now() > deadline) throw new Error(`cannot reach ARI at ${server.baseUrl}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pool = new ServerPool([{ id: server.id, client: sup.client, maxCalls: 100 }], store);
  const originator = new CallOriginator({
    pool,
    store,
    callLog,
    clock: systemClock,
    logger,
    dialTemplate: 'Local/{digits}@sim-customers',
  });
  return { bus, store, callLog, logger, sup, originator };
}

/** A customer call to originate: campaign, lead and list 1, first attempt, 30 s of ringing. */
export function customerCall(
  callId: string,
  phone: string,
  over: { campaignId?: string; leadId?: string; listId?: string; ringTimeoutS?: number } = {},
): OriginateCall {
  return {
    callId: callId as CallId,
    campaignId: (over.campaignId ?? '1') as CampaignId,
    leadId: (over.leadId ?? '1') as LeadId,
    listId: (over.listId ?? '1') as ListId,
    phone: phone as E164,
    attempt: 1,
    ringTimeoutS: over.ringTimeoutS ?? 30,
  };
}

/** An agent READY on campaign 1 with its own bridge and phone leg (`over` changes any of it). */
export function agentStatus(
  agentId: string,
  bridgeId: string,
  legChannelId: string,
  over: Partial<AgentStatus> = {},
): AgentStatus {
  return {
    agentId: agentId as AgentId,
    state: 'READY',
    sinceMs: Date.now(),
    campaignId: '1' as CampaignId,
    callId: null,
    pauseCode: null,
    bridgeId,
    legChannelId,
    ...over,
  };
}

/** Writes the agent's status (whatever it was), with its agent.state_changed, as a test would. */
export async function setAgent(store: MemoryStateStore, next: AgentStatus, reason = 'test') {
  const prev = await store.getAgent(next.agentId);
  await store.transitionAgent(next, prev?.state ?? null, {
    type: 'agent.state_changed',
    agentId: next.agentId,
    campaignId: next.campaignId,
    from: prev?.state ?? 'LOGGED_OUT',
    to: next.state,
    pauseCode: null,
    callId: next.callId,
    reason,
    sinceMs: prev?.sinceMs ?? next.sinceMs,
    atMs: Date.now(),
  });
}

/** The agent's phone: Local/agent@agents answers and stays up in the app (deploy/asterisk). */
export async function agentPhone(
  client: AriServerSupervisor['client'],
  app: string,
  legId: string,
): Promise<void> {
  await client.originate({
    endpoint: 'Local/agent@agents',
    channelId: legId,
    otherChannelId: `${legId}-2`,
    app,
    appArgs: 'agent',
  });
}
