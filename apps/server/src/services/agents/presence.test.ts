import { AgentId, CampaignId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ManualClock } from '../../ports/clock.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { AgentStatus } from '../../ports/state-store.js';
import { AgentPresenceTracker } from './presence.js';

const HEARTBEAT = 10_000;
const LOSS = 30_000;

/** Two api processes' trackers over one store and one shared presence; agent 7 READY at t=0. */
async function world() {
  const clock = new ManualClock(1_000_000);
  const store = new MemoryStateStore();
  const agentId = AgentId.parse('7');
  const ready: AgentStatus = {
    agentId,
    state: 'READY',
    sinceMs: clock.nowMs(),
    campaignId: CampaignId.parse('1'),
    callId: null,
    pauseCode: null,
    bridgeId: null,
    legChannelId: null,
  };
  await store.transitionAgent(ready, null, {
    type: 'agent.state_changed',
    agentId,
    campaignId: ready.campaignId,
    from: 'LOGGED_OUT',
    to: 'READY',
    pauseCode: null,
    callId: null,
    reason: 'test',
    sinceMs: ready.sinceMs,
    atMs: ready.sinceMs,
  });
  const alive = new Map<AgentId, number>();
  const presence = {
    touch: async (id: AgentId, ttlMs: number) => void alive.set(id, clock.nowMs() + ttlMs),
    isPresent: async (id: AgentId) => (alive.get(id) ?? 0) > clock.nowMs(),
  };
  const pauses: string[] = [];
  const tracker = () =>
    new AgentPresenceTracker({
      store,
      sessions: {
        pause: async (id: AgentId, code: string) => {
          pauses.push(`${id}:${code}`);
          const cur = (await store.getAgent(id)) as AgentStatus;
          await store.transitionAgent({ ...cur, state: 'PAUSED', pauseCode: code }, 'READY', {
            type: 'agent.state_changed',
            agentId: id,
            campaignId: cur.campaignId,
            from: 'READY',
            to: 'PAUSED',
            pauseCode: code,
            callId: null,
            reason: 'lost',
            sinceMs: cur.sinceMs,
            atMs: clock.nowMs(),
          });
          return cur;
        },
      } as never,
      presence,
      clock,
      logger: pino({ level: 'silent' }),
      heartbeatMs: HEARTBEAT,
      lossMs: LOSS,
      lossPauseCode: 'SYSTEM',
    });
  return { clock, agentId, a: tracker(), b: tracker(), pauses };
}

describe('AgentPresenceTracker with two api processes', () => {
  it('pauses a READY agent whose api process died (nobody hears it), once, from the other process', async () => {
    const { clock, agentId, a, b, pauses } = await world();
    // The agent's socket is on A, which then dies without a word: its tracker is gone.
    a.connected(agentId, clock.nowMs());
    const t0 = clock.nowMs();
    let pausedAt: number | null = null;
    for (let i = 0; i < 10; i++) {
      clock.advance(HEARTBEAT);
      await b.sweep();
      if (pausedAt === null && pauses.length > 0) pausedAt = clock.nowMs() - t0;
      // Never while A could still have heard it (its presence lasts the loss time).
      if (clock.nowMs() - t0 <= LOSS) expect(pauses).toEqual([]);
    }
    expect(pauses).toEqual(['7:SYSTEM']);
    // Found within the loss time plus two scans.
    expect(pausedAt).toBeLessThanOrEqual(LOSS + 2 * HEARTBEAT);
  });

  it('leaves alone an agent heard on another process', async () => {
    const { clock, agentId, a, b, pauses } = await world();
    a.connected(agentId, clock.nowMs());
    for (let i = 0; i < 10; i++) {
      clock.advance(HEARTBEAT);
      a.heard(agentId, clock.nowMs());
      await b.sweep();
    }
    expect(pauses).toEqual([]);
  });
});
