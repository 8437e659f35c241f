import { describe, expect, it } from 'vitest';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { AriError } from '../adapters/asterisk/ari-error.js';
import { createLogger } from '../logger.js';
import { ManualClock } from '../ports/clock.js';
import { MemoryStateStore } from '../ports/fakes/memory-state-store.js';
import { AgentLegService, type AgentLegAri } from './agent-leg.js';
import { AgentSessionService } from './agent-session.js';

/** A phone that enters the app after `answerAfter` refused adds (it is still ringing). */
function fakeAri(answerAfter: number): AgentLegAri & { log: string[] } {
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
      throw new AriError(404, 'Bridge not found', 'bridges.destroy');
    },
    async addChannel(bridgeId, channel) {
      if (refusals++ < answerAfter) {
        throw new AriError(422, 'Channel not in Stasis application', 'bridges.addChannel');
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

async function loggedIn() {
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

describe('AgentLegService', () => {
  it("nails the agent's phone up in its own bridge once it answers and records both ids", async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(3);
    const legs = new AgentLegService({
      ari,
      store,
      agents: sessions,
      app: 'dialer',
      logger: createLogger('silent'),
      retryMs: 1,
    });
    const leg = await legs.attach(agentId, 'PJSIP/agent42');
    expect(leg.bridgeId).toBe('agent-42');
    expect(ari.log).toContain('createBridge agent-42 mixing');
    expect(ari.log).toContain('originate PJSIP/agent42 agentleg,42');
    expect(ari.log).toContain(`addChannel agent-42 ${leg.legChannelId}`);
    const status = await store.getAgent(agentId);
    expect(status).toMatchObject({
      state: 'PAUSED',
      sinceMs: 1_000,
      bridgeId: 'agent-42',
      legChannelId: leg.legChannelId,
    });
  });

  it('hangs the phone up and fails when it never answers', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(1_000_000);
    const legs = new AgentLegService({
      ari,
      store,
      agents: sessions,
      app: 'dialer',
      logger: createLogger('silent'),
      answerTimeoutMs: 30,
      retryMs: 5,
    });
    await expect(legs.attach(agentId, 'PJSIP/agent42')).rejects.toBeInstanceOf(AriError);
    expect(ari.log.some((x) => x.startsWith('hangup leg-42-'))).toBe(true);
    expect((await store.getAgent(agentId))?.bridgeId).toBeNull();
  });

  it('tears the leg and the bridge down at logout', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(0);
    const legs = new AgentLegService({
      ari,
      store,
      agents: sessions,
      app: 'dialer',
      logger: createLogger('silent'),
    });
    const leg = await legs.attach(agentId, 'PJSIP/agent42');
    await legs.detach(agentId);
    expect(ari.log).toContain(`hangup ${leg.legChannelId}`);
    expect(ari.log.filter((x) => x === 'destroyBridge agent-42')).toHaveLength(2);
    expect(await store.getAgent(agentId)).toMatchObject({ bridgeId: null, legChannelId: null });
  });
});
