import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallId, CampaignId, ErrorBody } from '@ringside/protocol';
import { AmdAuditStore } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { bearer, createHarness, type Harness } from './harness.js';

/** The AMD audit's marks (docs/pacing.md, "AMD audit") through the API, on the real Redis. */

let h: Harness;
let token = '';
let audit: AmdAuditStore;

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 100 });
  audit = new AmdAuditStore(h.redis, new RedisKeys(h.keys.prefix));
  h.deps.amdAudit = audit;
  token = await h.login('agent1');
});
afterAll(async () => {
  await h?.close();
});

const mark = (callId: string, payload: unknown) =>
  h.app.inject({
    method: 'POST',
    url: `/api/agent/calls/${callId}/amd-mark`,
    headers: bearer(token),
    payload: payload as Record<string, unknown>,
  });

describe('AMD audit marks', () => {
  it("counts an agent's mark on a machine verdict sent to them, once, and follows a change of mind", async () => {
    const campaignId = h.campaignId as CampaignId;
    const callId = 'amd-1' as CallId;
    const post = (url: string) =>
      h.app.inject({ method: 'POST', url, headers: bearer(token), payload: { campaignId } });
    expect((await post('/api/agent/session/login')).statusCode).toBeLessThan(300);
    expect((await post('/api/agent/session/ready')).statusCode).toBeLessThan(300);
    expect((await h.store.reserveLongestReady(campaignId, callId, Date.now()))?.agentId).toBe(
      h.users.agent.id,
    );

    // Not sent for marking (a human verdict, or hung up): refused, nothing counted.
    const early = await mark(callId, { mark: 'person' });
    expect(early.statusCode).toBe(409);
    expect((early.json() as ErrorBody).error.message).toMatch(/callId/);

    await audit.pending(campaignId, callId);
    expect((await mark(callId, { mark: 'person' })).json()).toEqual({
      ok: true,
      result: 'counted',
    });
    expect((await mark(callId, { mark: 'person' })).json()).toEqual({
      ok: true,
      result: 'unchanged',
    });
    expect(await audit.marks(campaignId)).toEqual({ person: 1, machine: 0 });
    expect((await mark(callId, { mark: 'machine' })).json()).toEqual({
      ok: true,
      result: 'changed',
    });
    expect(await audit.marks(campaignId)).toEqual({ person: 0, machine: 1 });

    const bad = await mark(callId, { mark: 'dog' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ErrorBody).error.message).toMatch(/mark/);
    // Someone else's call (not the agent's current one).
    await audit.pending(campaignId, 'amd-2');
    expect((await mark('amd-2', { mark: 'person' })).statusCode).toBe(404);
    expect(await audit.marks(campaignId)).toEqual({ person: 0, machine: 1 });
  });
});
