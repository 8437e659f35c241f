import { describe, expect, it } from 'vitest';
import type { AgentId, AgentState, AgentStateChanged, CampaignId } from '@ringside/protocol';
import type { AgentStatus } from '../../ports/state-store.js';
import { AgentBoard } from './agent-board.js';

const c1 = '1' as CampaignId;
const c2 = '2' as CampaignId;

function status(id: string, state: AgentState, sinceMs: number, campaignId = c1): AgentStatus {
  return {
    agentId: id as AgentId,
    state,
    sinceMs,
    campaignId,
    callId: null,
    pauseCode: null,
    bridgeId: null,
    legChannelId: null,
  };
}

function ev(
  id: string,
  from: AgentState,
  to: AgentState,
  atMs: number,
  campaignId: CampaignId | null = c1,
): AgentStateChanged {
  return {
    type: 'agent.state_changed',
    agentId: id as AgentId,
    campaignId,
    from,
    to,
    pauseCode: null,
    callId: null,
    reason: 'test',
    sinceMs: atMs - 1,
    atMs,
  };
}

/** A store whose listAgents answers what `floor` holds, when `release` is called if gated. */
function storeOf(floor: AgentStatus[]) {
  let gate: (() => void) | null = null;
  let gated = false;
  const store = {
    calls: 0,
    async listAgents(): Promise<AgentStatus[]> {
      store.calls++;
      const snapshot = floor.map((a) => ({ ...a }));
      if (gated) await new Promise<void>((r) => (gate = r));
      return snapshot;
    },
    hold() {
      gated = true;
    },
    release() {
      gated = false;
      gate?.();
    },
  };
  return store;
}

describe('AgentBoard', () => {
  it('reads the floor once, then follows the events without reading the store', async () => {
    const floor = [
      status('a1', 'READY', 10),
      status('a2', 'PAUSED', 20),
      status('a3', 'READY', 5, c2),
    ];
    const store = storeOf(floor);
    let wall = 0;
    const board = new AgentBoard(store, () => wall);
    expect(await board.list(c1)).toEqual([
      { state: 'READY', sinceMs: 10, campaignId: c1 },
      { state: 'PAUSED', sinceMs: 20, campaignId: c1 },
    ]);
    board.apply(ev('a2', 'PAUSED', 'READY', 100));
    board.apply(ev('a1', 'READY', 'INCALL', 110));
    // A phone-leg change keeps the state's clock.
    board.apply(ev('a1', 'INCALL', 'INCALL', 120));
    // An agent moving to another campaign leaves this one's list.
    board.apply(ev('a3', 'PAUSED', 'READY', 130, c1));
    wall = 999;
    expect(await board.list(c1)).toEqual([
      { state: 'INCALL', sinceMs: 110, campaignId: c1 },
      { state: 'READY', sinceMs: 100, campaignId: c1 },
      { state: 'READY', sinceMs: 130, campaignId: c1 },
    ]);
    expect(await board.list(c2)).toEqual([]);
    expect(store.calls).toBe(1);
  });

  it('re-reads the store every refresh interval and after missed events', async () => {
    const floor = [status('a1', 'READY', 10)];
    const store = storeOf(floor);
    let wall = 0;
    const board = new AgentBoard(store, () => wall, 1_000);
    await board.list(c1);
    // Something the bus did not say (a write lost with its event, say): the read corrects it.
    floor[0] = status('a1', 'PAUSED', 50);
    wall = 1_000;
    expect((await board.list(c1))[0]?.state).toBe('PAUSED');
    expect(store.calls).toBe(2);
    floor[0] = status('a1', 'READY', 60);
    board.invalidate();
    expect((await board.list(c1))[0]?.state).toBe('READY');
    expect(store.calls).toBe(3);
  });

  it('an event that arrives while a read is in flight is not rolled back by the read', async () => {
    const floor = [status('a1', 'READY', 10)];
    const store = storeOf(floor);
    const board = new AgentBoard(store, () => 0);
    store.hold();
    const listing = board.list(c1);
    // The read took its snapshot (READY); the agent goes INCALL before the answer comes back.
    board.apply(ev('a1', 'READY', 'INCALL', 40));
    // Two decisions during one read share it.
    const second = board.list(c1);
    store.release();
    expect(await listing).toEqual([{ state: 'INCALL', sinceMs: 40, campaignId: c1 }]);
    expect(await second).toEqual([{ state: 'INCALL', sinceMs: 40, campaignId: c1 }]);
    expect(store.calls).toBe(1);
  });

  it('a failed read is retried by the next decision', async () => {
    let fail = true;
    const board = new AgentBoard(
      {
        listAgents: async () => {
          if (fail) throw new Error('redis down');
          return [status('a1', 'READY', 10)];
        },
      },
      () => 0,
    );
    await expect(board.list(c1)).rejects.toThrow('redis down');
    fail = false;
    expect(await board.list(c1)).toHaveLength(1);
  });
});
