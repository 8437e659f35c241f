import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentId,
  AgentState,
  CampaignId,
  ErrorBody,
  TransferTargetsResponse,
} from '@ringside/protocol';
import { TransferTargetsResponse as TargetsSchema } from '@ringside/protocol';
import type { AgentStatus } from '../../src/ports/state-store.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

/**
 * GET /api/agent/transfer-targets on the real PostgreSQL and Redis: the agent panel's transfer
 * picker. The live states come from the Redis state store; PostgreSQL only gives the names.
 */
let h: Harness;
let agentToken: string;
let otherCampaign: CampaignId;

const url = '/api/agent/transfer-targets';

/** Puts `agentId` into `state` in the Redis state store (with its phone leg up or not). */
async function put(
  agentId: string,
  state: AgentState,
  opts: { campaignId?: CampaignId | null; leg?: boolean } = {},
): Promise<void> {
  const id = agentId as AgentId;
  const current = await h.store.getAgent(id);
  const campaignId =
    state === 'LOGGED_OUT' ? null : (opts.campaignId ?? (h.campaignId as CampaignId));
  const callId = state === 'INCALL' ? (`c-${agentId}` as AgentStatus['callId']) : null;
  const pauseCode = state === 'PAUSED' ? 'LUNCH' : null;
  const next: AgentStatus = {
    agentId: id,
    state,
    sinceMs: Date.now(),
    campaignId,
    callId,
    pauseCode,
    bridgeId: opts.leg ? `agent-${agentId}` : null,
    legChannelId: opts.leg ? `leg-${agentId}` : null,
  };
  const moved = await h.store.transitionAgent(next, current?.state ?? null, {
    type: 'agent.state_changed',
    agentId: id,
    campaignId,
    from: current?.state ?? 'LOGGED_OUT',
    to: state,
    pauseCode,
    callId,
    reason: 'test',
    sinceMs: current?.sinceMs ?? next.sinceMs,
    atMs: next.sinceMs,
  });
  if (!moved) throw new Error(`could not move agent ${agentId} to ${state}`);
}

async function user(username: string, displayName: string): Promise<string> {
  const u = await h.deps.users.create({
    username,
    displayName,
    role: 'agent',
    passwordHash: 'unused',
  });
  return u.id;
}

beforeAll(async () => {
  h = await createHarness();
  agentToken = await h.login('agent1');
  const c = await h.db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active) VALUES ('Autumn', true) RETURNING id::text`,
  );
  otherCampaign = (c.rows[0]?.id ?? '') as CampaignId;
});
afterAll(async () => h?.close());

describe('GET /api/agent/transfer-targets', () => {
  it('refuses without a session (401) and for a supervisor (403)', async () => {
    const anon = await h.app.inject({ method: 'GET', url });
    expect(anon.statusCode).toBe(401);
    const sup = await h.app.inject({
      method: 'GET',
      url,
      headers: bearer(await h.login('super')),
    });
    expect(sup.statusCode).toBe(403);
    expect((JSON.parse(sup.body) as ErrorBody).error.code).toBeDefined();
  });

  it('answers an empty list when no other agent is logged in', async () => {
    await put(h.users.agent.id, 'READY', { leg: true });
    const r = await h.app.inject({ method: 'GET', url, headers: bearer(agentToken) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ agents: [] });
  });

  it('lists the other logged-in agents with name, state and campaign: READY first, then by name', async () => {
    // agent1 (the caller) is READY too, and must not see itself.
    await h.db.pool.query(`UPDATE users SET display_name = 'Yara' WHERE id = $1`, [
      h.users.agent2.id,
    ]);
    await put(h.users.agent2.id, 'READY', { leg: true });
    const carol = await user('carol', 'carol');
    await put(carol, 'READY'); // ready, but no phone leg: listed, not available
    const bob = await user('bob', 'Bob');
    await put(bob, 'READY', { leg: true });
    await put(bob, 'INCALL', { leg: true });
    const dave = await user('dave', 'Dave');
    await put(dave, 'PAUSED', { leg: true, campaignId: otherCampaign });
    const eve = await user('eve', 'Eve');
    await put(eve, 'PAUSED');
    await put(eve, 'LOGGED_OUT'); // logged out: not a target
    // In the live state without a user row (e.g. a stale entry): still listed, by its id.
    await put('999999', 'WRAPUP');

    const r = await h.app.inject({ method: 'GET', url, headers: bearer(agentToken) });
    expect(r.statusCode).toBe(200);
    const body = TargetsSchema.parse(r.json()) satisfies TransferTargetsResponse;
    const c1 = h.campaignId;
    expect(body.agents).toEqual([
      { agentId: carol, displayName: 'carol', state: 'READY', campaignId: c1, available: false },
      {
        agentId: h.users.agent2.id,
        displayName: 'Yara',
        state: 'READY',
        campaignId: c1,
        available: true,
      },
      {
        agentId: '999999',
        displayName: 'Agent 999999',
        state: 'WRAPUP',
        campaignId: c1,
        available: false,
      },
      { agentId: bob, displayName: 'Bob', state: 'INCALL', campaignId: c1, available: false },
      {
        agentId: dave,
        displayName: 'Dave',
        state: 'PAUSED',
        campaignId: otherCampaign,
        available: false,
      },
    ]);
    expect(body.agents.map((a) => a.agentId)).not.toContain(h.users.agent.id);
    expect(body.agents.map((a) => a.agentId)).not.toContain(eve);
  });

  it("follows the live state: an agent's new state shows on the next read", async () => {
    await put(h.users.agent2.id, 'PAUSED', { leg: true });
    const r = await h.app.inject({ method: 'GET', url, headers: bearer(agentToken) });
    const agents = TargetsSchema.parse(r.json()).agents;
    expect(agents.find((a) => a.agentId === h.users.agent2.id)).toMatchObject({
      state: 'PAUSED',
      available: false,
    });
    // carol is the only READY one left, so she leads; Yara is now among the others, by name.
    expect(agents.map((a) => a.displayName)).toEqual([
      'carol',
      'Agent 999999',
      'Bob',
      'Dave',
      'Yara',
    ]);
  });
});
