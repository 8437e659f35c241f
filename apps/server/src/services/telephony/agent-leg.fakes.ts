import type { AgentId, CampaignId } from '@ringside/protocol';
import { createLogger } from '../../logger.js';
import { ManualClock } from '../../ports/clock.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { AgentLegAri, AgentLegIndex, WorkerAri } from '../../ports/telephony.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { AgentSessionService } from '../agents/agent-session.js';
import { AgentLegService, type AgentLegDeps } from './agent-leg.js';

/** Fakes the agent-leg tests share (agent-leg.test.ts, agent-leg-redial.test.ts). */

/** A phone that enters the app after `answerAfter` refused adds (it is still ringing). */
export function fakeAri(answerAfter: number): AgentLegAri & { log: string[] } {
  const log: string[] = [];
  let refusals = 0;
  return {
    log,
    async createBridge(id, type) {
      log.push(`createBridge ${id} ${type}`);
      return {};
    },
    async destroyBridge(id) {
      log.push(`destroyBridge ${id}`);
      throw new TelephonyError(404, 'Bridge not found', 'bridges.destroy');
    },
    async addChannel(bridgeId, channel) {
      if (refusals++ < answerAfter) {
        throw new TelephonyError(422, 'Channel not in Stasis application', 'bridges.addChannel');
      }
      log.push(`addChannel ${bridgeId} ${String(channel)}`);
    },
    async hangup(id) {
      log.push(`hangup ${id}`);
    },
    async originate(p) {
      log.push(`originate ${p.endpoint} ${p.appArgs}`);
      return {};
    },
  };
}

export async function loggedIn() {
  const clock = new ManualClock(1_000);
  const store = new MemoryStateStore();
  const sessions = new AgentSessionService({
    store,
    log: { record: async () => undefined },
    clock,
  });
  const agentId = '42' as AgentId;
  await sessions.apply(agentId, { type: 'login', campaignId: '1' as CampaignId }, 'agent');
  return { store, sessions, agentId };
}

/** The service under test, with the options every case shares. */
export function legService(
  store: AgentLegDeps['store'],
  sessions: AgentLegDeps['agents'],
  ari: AgentLegDeps['ari'],
  more: Partial<AgentLegDeps> = {},
): AgentLegService {
  return new AgentLegService({
    ari,
    store,
    agents: sessions,
    app: 'dialer',
    logger: createLogger('silent'),
    ...more,
  });
}

export function memoryIndex(): AgentLegIndex & { map: Map<string, AgentId> } {
  const map = new Map<string, AgentId>();
  return {
    map,
    set: async (c, a) => void map.set(c, a),
    get: async (c) => map.get(c) ?? null,
    delete: async (c) => void map.delete(c),
  };
}

export function workerAri(): WorkerAri & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    listChannels: async () => [],
    createBridge: async (id, type, name) => {
      log.push(`createBridge ${id} ${type} ${name}`);
      return {} as never;
    },
    addChannel: async (b, c) => void log.push(`addChannel ${b} ${String(c)}`),
    hangup: async (c) => void log.push(`hangup ${c}`),
    destroyBridge: async (b) => void log.push(`destroyBridge ${b}`),
  };
}
