import type { AgentId, CallEnded, CallId, DomainEvent } from '@ringside/protocol';
import { AriError } from '../../src/adapters/asterisk/ari-error.js';
import type { AriServerConfig } from '../../src/config.js';
import type { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import type { AgentStatus } from '../../src/ports/state-store.js';
import { agentBridgeId } from '../../src/services/telephony/ari-worker-events.js';
import type { AriServerSupervisor } from '../../src/roles/ari-server.js';
import {
  agentPhone,
  agentStatus,
  customerCall,
  MemoryCallLog,
  setAgent,
  startWorkerRig,
} from './telephony-rig.js';

/**
 * Bridge integrity against any ARI server with Ringside's dialplan (deploy/asterisk: contexts
 * dialer-outbound, agents, sim-customers): the real Asterisk (`npm run test:asterisk`) or the
 * simulated PBX (integration tier). The production worker (AriServerSupervisor) follows the
 * agent's bridge; the test plays the dialer (a human's AMD verdict adds the customer to the
 * agent's bridge) and, where a scenario says so, removes channels from the bridge over ARI the
 * way Asterisk's own ejection does (nobody in Ringside asked).
 */

export interface BridgeRig {
  sup: AriServerSupervisor;
  store: MemoryStateStore;
  callLog: MemoryCallLog;
  agentId: AgentId;
  bridgeId: string;
  legId: string;
  /** Every call.* event, in order. */
  events: DomainEvent[];
  /**
   * Originates a human customer (Local/<digits>@sim-customers), waits until it is bridged, then
   * 300 ms more.
   */
  bridgedCustomer(digits: string): Promise<CallId>;
  /** Resolves with the call's call.ended (rejects after `ms`). */
  ended(callId: string, ms?: number): Promise<CallEnded>;
  /** The channels in the agent's bridge now. */
  bridgeChannels(): Promise<string[]>;
  channelExists(id: string): Promise<boolean>;
  /** Puts the agent on `callId` (INCALL) in the store, as the dialer's connect would. */
  agentOnCall(callId: string | null): Promise<void>;
  close(): Promise<void>;
}

export async function startBridgeRig(
  server: AriServerConfig,
  opts: { runId?: string; timeoutMs?: number } = {},
): Promise<BridgeRig> {
  const runId = opts.runId ?? Date.now().toString(36);
  const agentId = `bi-${runId}` as AgentId;
  const bridgeId = agentBridgeId(agentId);
  const legId = `bileg-${runId}`;
  const { bus, store, callLog, sup, originator } = await startWorkerRig(server, {
    agentBridge: bridgeId,
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
  const client = sup.client;

  const status = (over: Partial<AgentStatus>) => agentStatus(agentId, bridgeId, legId, over);
  await setAgent(store, status({}));
  await client.createBridge(bridgeId, 'mixing', bridgeId);
  await agentPhone(client, server.app, legId);

  const events: DomainEvent[] = [];
  const waiters = new Set<() => void>();
  const sub = await bus.subscribe({
    from: 'start',
    onEvent: async ({ event }) => {
      if (!event.type.startsWith('call.')) return;
      events.push(event);
      // The stand-in dialer: a live answer goes to the agent.
      if (event.type === 'call.amd' && event.result !== 'MACHINE') {
        await client.addChannel(bridgeId, event.callId).catch(() => undefined);
      }
      for (const w of waiters) w();
    },
  });
  const until = async <T>(what: string, get: () => T | undefined, ms: number): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const w = () => {
          waiters.delete(w);
          resolve();
        };
        waiters.add(w);
        setTimeout(w, 50);
      });
    }
  };
  const bridgeChannels = () =>
    client.getBridge(bridgeId).then(
      (b) => b.channels,
      () => [] as string[],
    );
  await waitUntil('the agent leg in its bridge', async () =>
    (await bridgeChannels()).includes(legId),
  );

  let n = 0;
  return {
    sup,
    store,
    callLog,
    agentId,
    bridgeId,
    legId,
    events,
    async bridgedCustomer(digits) {
      n += 1;
      // Not ending in -2: that is the other half of a Local channel to the worker.
      const callId = `bi-${runId}-c${n}` as CallId;
      const r = await originator.originate(
        customerCall(callId, `+${digits}`, { leadId: String(n) }),
      );
      if (!r.ok) throw r.error;
      await until(
        `call ${callId} bridged`,
        () => events.find((e) => e.type === 'call.bridged' && e.callId === callId),
        20_000,
      );
      // Settled in the bridge: a removal now is not the bridge refusing it on entry.
      await sleep(300);
      return callId;
    },
    ended: (callId, ms = 10_000) =>
      until(
        `call ${callId} ended`,
        () => events.find((e): e is CallEnded => e.type === 'call.ended' && e.callId === callId),
        ms,
      ),
    bridgeChannels,
    channelExists: (id) =>
      client.getChannel(id).then(
        () => true,
        (err: unknown) => {
          if (err instanceof AriError && err.status === 404) return false;
          throw err;
        },
      ),
    async agentOnCall(callId) {
      await setAgent(
        store,
        status({ state: callId ? 'INCALL' : 'READY', callId: callId as CallId | null }),
      );
    },
    async close() {
      await client.hangup(legId).catch(() => undefined);
      await client.destroyBridge(bridgeId).catch(() => undefined);
      await sub.close();
      await sup.stop();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `ok` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function waitUntil(
  what: string,
  ok: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The checks, shared by the simulated PBX (integration tier) and the real Asterisk
 * (`npm run test:asterisk`). `it` and `expect` come from the caller's vitest.
 */
export function bridgeIntegrityChecks(
  getRig: () => BridgeRig,
  t: {
    it: (name: string, fn: () => Promise<void>, timeoutMs?: number) => void;
    expect: typeof import('vitest').expect;
  },
  digits: (n: number) => string,
): void {
  const { it, expect } = t;
  const stats = () => ({ ...getRig().sup.worker.stats });
  // Long enough for the worker's grace (500 ms) and its re-add to be seen.
  const settleMs = 1_500;
  /** A bridged customer taken out of the agent bridge behind Ringside's back, seen back in it. */
  const removedAndPutBack = async (rig: BridgeRig, digitsOf: string) => {
    const callId = await rig.bridgedCustomer(digitsOf);
    await rig.sup.client.removeChannel(rig.bridgeId, callId);
    await waitUntil('the customer back in the bridge', async () =>
      (await rig.bridgeChannels()).includes(callId),
    );
    return callId;
  };

  it('a customer removed from the agent bridge by nobody in Ringside is put back, once', async () => {
    const rig = getRig();
    const before = stats();
    const callId = await removedAndPutBack(rig, digits(1));
    await sleep(settleMs);
    expect(await rig.bridgeChannels()).toEqual(expect.arrayContaining([rig.legId, callId]));
    expect(await rig.store.getCall(callId)).not.toBeNull();
    expect(rig.events.some((e) => e.type === 'call.ended' && e.callId === callId)).toBe(false);
    expect(stats().rejoined - before.rejoined).toBe(1);
    expect(stats().lost - before.lost).toBe(0);
    await rig.sup.client.hangup(callId);
    const end = await rig.ended(callId);
    expect(end.reason).toBeUndefined();
  });

  it('removed again right after being put back: the call ends as lost, the customer is hung up', async () => {
    const rig = getRig();
    const before = stats();
    const callId = await removedAndPutBack(rig, digits(2));
    await rig.sup.client.removeChannel(rig.bridgeId, callId);
    const end = await rig.ended(callId);
    expect(end).toMatchObject({
      outcome: 'HUMAN',
      reason: 'BRIDGE_EJECTED',
      agentId: rig.agentId,
    });
    await waitUntil('the customer hung up', async () => !(await rig.channelExists(callId)));
    expect(await rig.bridgeChannels()).toEqual([rig.legId]);
    expect(rig.callLog.stepsOf(callId).at(-1)).toMatchObject({
      kind: 'ended',
      endReason: 'BRIDGE_EJECTED',
    });
    expect(stats().lost - before.lost).toBe(1);
  });

  it("the agent's leg removed during a call is put back; removed again: the call is lost, the leg goes home", async () => {
    const rig = getRig();
    const before = stats();
    const callId = await rig.bridgedCustomer(digits(3));
    await rig.agentOnCall(callId);
    await rig.sup.client.removeChannel(rig.bridgeId, rig.legId);
    await sleep(100);
    await waitUntil('the leg back in the bridge', async () =>
      (await rig.bridgeChannels()).includes(rig.legId),
    );
    expect(stats().rejoined - before.rejoined).toBe(1);
    expect(await rig.store.getCall(callId)).not.toBeNull();
    await rig.sup.client.removeChannel(rig.bridgeId, rig.legId);
    const end = await rig.ended(callId);
    expect(end).toMatchObject({ outcome: 'HUMAN', reason: 'BRIDGE_EJECTED' });
    await waitUntil('the customer hung up', async () => !(await rig.channelExists(callId)));
    await waitUntil('the leg home again', async () =>
      (await rig.bridgeChannels()).includes(rig.legId),
    );
    await sleep(settleMs);
    expect(await rig.channelExists(rig.legId)).toBe(true);
    expect(await rig.bridgeChannels()).toEqual([rig.legId]);
    await rig.agentOnCall(null);
  });

  it('the customer hanging up is a hang-up, not an ejection', async () => {
    const rig = getRig();
    const before = stats();
    const callId = await rig.bridgedCustomer(digits(4));
    // The far end of the Local channel hangs up, as the customer's phone would.
    await rig.sup.client.hangup(`${callId}-2`);
    const end = await rig.ended(callId);
    expect(end.reason).toBeUndefined();
    expect(end.outcome).toBe('HUMAN');
    await sleep(settleMs);
    expect(stats().rejoined - before.rejoined).toBe(0);
    expect(stats().lost - before.lost).toBe(0);
    expect(await rig.bridgeChannels()).toEqual([rig.legId]);
  });

  it('the agent hanging up the customer is a hang-up, not an ejection', async () => {
    const rig = getRig();
    const before = stats();
    const callId = await rig.bridgedCustomer(digits(5));
    await rig.sup.client.hangup(callId, 'normal');
    const end = await rig.ended(callId);
    expect(end.reason).toBeUndefined();
    await sleep(settleMs);
    expect(stats().rejoined - before.rejoined).toBe(0);
    expect(stats().lost - before.lost).toBe(0);
  });

  it('moving the customer to another bridge (hold, transfer) is not an ejection', async () => {
    const rig = getRig();
    const before = stats();
    const callId = await rig.bridgedCustomer(digits(6));
    const hold = `hold-${callId}`;
    await rig.sup.client.createBridge(hold, 'mixing', hold);
    await rig.sup.client.addChannel(hold, callId);
    await sleep(settleMs);
    expect((await rig.sup.client.getBridge(hold)).channels).toEqual([callId]);
    expect(await rig.bridgeChannels()).toEqual([rig.legId]);
    expect(await rig.store.getCall(callId)).not.toBeNull();
    expect(stats().rejoined - before.rejoined).toBe(0);
    await rig.sup.client.hangup(callId);
    expect((await rig.ended(callId)).reason).toBeUndefined();
    await rig.sup.client.destroyBridge(hold).catch(() => undefined);
  });
}
