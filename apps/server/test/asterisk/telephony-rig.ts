import type { CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import type { CallLogStart, CallLogStep, CallLogWriter } from '../../src/ports/call-log.js';
import type { OriginateCall } from '../../src/ports/dialer.js';
import type { AriServerConfig } from '../../src/config.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
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
