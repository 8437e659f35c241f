import type { AgentId, DomainEvent } from '@ringside/protocol';
import type { AriServerConfig } from '../../src/config.js';
import { agentBridgeId } from '../../src/services/telephony/ari-worker-events.js';
import {
  agentPhone,
  agentStatus,
  customerCall,
  MemoryCallLog,
  setAgent,
  startWorkerRig,
} from './telephony-rig.js';

/**
 * The telephony end-to-end scenarios, against any ARI server that has Ringside's dialplan
 * (deploy/asterisk: dialer-outbound, agents, sim-customers): the real Asterisk (npm run
 * test:asterisk) or the simulated PBX (integration tier). The worker, client and originator are
 * the production ones; a small stand-in dialer reacts to AMD verdicts the way the dialer does.
 */

/** What the stand-in dialer does when AMD decides. */
export type OnHuman = 'bridge' | 'drop';

export interface Scenario {
  name: string;
  /** Digits dialed as Local/<digits>@sim-customers; the last one picks the customer's behaviour. */
  digits: string;
  onHuman?: OnHuman;
  ringTimeoutS?: number;
  /** call.* event types expected, in order (after call.originated). */
  expectTypes: string[];
  outcome: string;
  hangupCause: number | null;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'busy',
    digits: '5551230008',
    expectTypes: ['call.originated', 'call.ended'],
    outcome: 'BUSY',
    hangupCause: 17,
  },
  {
    name: 'congestion',
    digits: '5551230009',
    expectTypes: ['call.originated', 'call.ended'],
    outcome: 'CONGESTION',
    hangupCause: 34,
  },
  {
    name: 'no answer after the ring timeout',
    digits: '5551230007',
    ringTimeoutS: 15,
    expectTypes: ['call.originated', 'call.ringing', 'call.ended'],
    outcome: 'NO_ANSWER',
    hangupCause: 19,
  },
  {
    name: 'answering machine, hung up by the dialer',
    digits: '5551230005',
    expectTypes: ['call.originated', 'call.ringing', 'call.answered', 'call.amd', 'call.ended'],
    outcome: 'MACHINE',
    hangupCause: 16,
  },
  {
    name: 'human bridged to the agent, then hangs up',
    digits: '5551230001',
    onHuman: 'bridge',
    expectTypes: [
      'call.originated',
      'call.ringing',
      'call.answered',
      'call.amd',
      'call.bridged',
      'call.ended',
    ],
    outcome: 'HUMAN',
    hangupCause: 16,
  },
  {
    name: 'human with no agent: safe-harbor message, then hang-up',
    digits: '5551230002',
    onHuman: 'drop',
    expectTypes: [
      'call.originated',
      'call.ringing',
      'call.answered',
      'call.amd',
      'call.dropped',
      'call.safe_harbor',
      'call.ended',
    ],
    outcome: 'DROPPED',
    hangupCause: 16,
  },
];

export interface ScenarioResult {
  scenario: Scenario;
  callId: string;
  events: DomainEvent[];
}

/** Runs every scenario at once against one ARI server; resolves when every call has ended. */
export async function runScenarios(
  server: AriServerConfig,
  scenarios: Scenario[] = SCENARIOS,
  opts: { timeoutMs?: number; runId?: string } = {},
): Promise<{ results: ScenarioResult[]; callLog: MemoryCallLog; invalidEvents: number }> {
  const runId = opts.runId ?? Date.now().toString(36);
  const agentBridge = agentBridgeId(`bot-${runId}`);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const { bus, store, callLog, sup, originator } = await startWorkerRig(server, {
    agentBridge,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  const client = sup.client;

  // The agent: its own mixing bridge with a nailed-up leg (Local/agent@agents stands in for a phone).
  const agentId = `bot-${runId}` as AgentId;
  await client.createBridge(agentBridge, 'mixing');
  await setAgent(store, agentStatus(agentId, agentBridge, `leg-${runId}`), 'agent');
  await agentPhone(client, server.app, `leg-${runId}`);

  const byCall = new Map<string, Scenario>();
  const events = new Map<string, DomainEvent[]>();
  const ended = new Map<string, () => void>();
  const done: Array<Promise<void>> = [];
  const sub = await bus.subscribe({
    from: 'start',
    onEvent: async ({ event }) => {
      if (!('callId' in event) || event.callId === null) return;
      const callId = event.callId;
      const sc = byCall.get(callId);
      if (!sc || !event.type.startsWith('call.')) return;
      events.get(callId)?.push(event);
      // The stand-in dialer.
      if (event.type === 'call.amd') {
        if (event.result === 'MACHINE') await client.hangup(callId).catch(() => undefined);
        else if (sc.onHuman === 'bridge') await client.addChannel(agentBridge, callId);
        else if (sc.onHuman === 'drop')
          await client.playOnChannel(callId, 'sound:vm-goodbye', `sh-${callId}`);
        else await client.hangup(callId).catch(() => undefined);
      }
      if (event.type === 'call.safe_harbor') await client.hangup(callId).catch(() => undefined);
      if (event.type === 'call.ended') ended.get(callId)?.();
    },
  });

  for (const sc of scenarios) {
    const callId = `sc-${runId}-${sc.digits.slice(-1)}-${byCall.size}`;
    byCall.set(callId, sc);
    events.set(callId, []);
    done.push(new Promise<void>((resolve) => ended.set(callId, resolve)));
    const r = await originator.originate(
      customerCall(callId, `+${sc.digits}`, { ringTimeoutS: sc.ringTimeoutS ?? 30 }),
    );
    if (!r.ok) throw r.error;
  }
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error('scenarios did not finish in time')),
      Math.max(0, deadline - Date.now()),
    ).unref(),
  );
  try {
    await Promise.race([Promise.all(done), timeout]);
  } finally {
    await client.hangup(`leg-${runId}`).catch(() => undefined);
    await client.destroyBridge(agentBridge).catch(() => undefined);
    await sub.close();
    await sup.stop();
  }
  return {
    results: [...byCall].map(([callId, scenario]) => ({
      scenario,
      callId,
      events: events.get(callId) ?? [],
    })),
    callLog,
    invalidEvents: sup.stream.stats.invalid,
  };
}
