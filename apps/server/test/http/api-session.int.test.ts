import { describe, expect, it } from 'vitest';
import type { CampaignId } from '@ringside/protocol';
import { agentStatus, changed, liveCall, ids } from '../../src/ports/fakes/conformance/fixtures.js';
import { err, get, h, tokens, useApiHarness } from './api-harness.js';
import { bearer } from './harness.js';

/** The agent's own session and calls (ownership), and the framework's edges. */

useApiHarness();

describe('agent session and ownership', () => {
  it('logs in to a campaign, goes ready and pauses with a code', async () => {
    const h1 = bearer(tokens.agent);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/login',
      headers: h1,
      payload: { campaignId: h.campaignId },
    });
    expect(login.statusCode).toBe(200);
    const ready = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/ready',
      headers: h1,
    });
    expect(ready.json()).toMatchObject({ agent: { state: 'READY', campaignId: h.campaignId } });
    const badPause = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/pause',
      headers: h1,
      payload: { code: 'lunch!' },
    });
    expect(badPause.statusCode).toBe(400);
    expect(err(badPause.body).issues?.[0]?.path).toBe('code');
    const pause = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/pause',
      headers: h1,
      payload: { code: 'LUNCH' },
    });
    expect(pause.json()).toMatchObject({ agent: { state: 'PAUSED', pauseCode: 'LUNCH' } });
  });

  it('refuses an illegal transition with 409 and changes nothing', async () => {
    const before = await h.store.getAgent(ids.agent(h.users.agent2.id));
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/ready',
      headers: bearer(tokens.agent2),
    });
    expect(r.statusCode).toBe(409);
    expect(await h.store.getAgent(ids.agent(h.users.agent2.id))).toEqual(before);
  });

  it("lets an agent read its own call but not another agent's", async () => {
    const mine = liveCall('c-mine', { agentId: ids.agent(h.users.agent.id) });
    const theirs = liveCall('c-theirs', { agentId: ids.agent(h.users.agent2.id) });
    for (const c of [mine, theirs]) {
      await h.store.putCall(c, { type: 'call.ringing', callId: c.callId, atMs: 1 });
    }
    const own = await get('/api/calls/c-mine', 'agent');
    expect(own.statusCode).toBe(200);
    const other = await get('/api/calls/c-theirs', 'agent');
    expect(other.statusCode).toBe(403);
    const sup = await get('/api/calls/c-theirs', 'supervisor');
    expect(sup.statusCode).toBe(200);
  });

  it('lets an agent read the call it is reserved for, before the call names it', async () => {
    const call = liveCall('c-reserved', { agentId: null });
    await h.store.putCall(call, { type: 'call.ringing', callId: call.callId, atMs: 1 });
    const read = () => get('/api/calls/c-reserved', 'agent2');
    expect((await read()).statusCode).toBe(403);
    const agentId = ids.agent(h.users.agent2.id);
    const before = await h.store.getAgent(agentId);
    const reserved = agentStatus(agentId, 'RESERVED', Date.now(), {
      campaignId: before?.campaignId ?? ids.campaign('c1'),
      callId: call.callId,
    });
    expect(
      await h.store.transitionAgent(reserved, before?.state ?? null, changed(before, reserved)),
    ).not.toBeNull();
    const r = await read();
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ call: { callId: 'c-reserved' } });
    // Another agent still may not.
    const other = await get('/api/calls/c-reserved', 'agent');
    expect(other.statusCode).toBe(403);
    // Back as it was, for the tests after this one.
    const back = before ?? agentStatus(agentId, 'LOGGED_OUT', Date.now(), { campaignId: null });
    expect(await h.store.transitionAgent(back, 'RESERVED', changed(reserved, back))).not.toBeNull();
  });

  it("refuses a disposition for another agent's call", async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/disposition',
      headers: bearer(tokens.agent),
      payload: { callId: 'c-theirs', code: 'SALE' },
    });
    expect(r.statusCode).toBe(403);
  });

  it('shows an agent the lead of its own call with its history, and refuses other leads', async () => {
    const lead = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, first_name) VALUES ($1, '+14155550199', 'Zoe')
       RETURNING id::text AS id`,
      [h.listId],
    );
    const leadId = lead.rows[0]?.id ?? '';
    await h.db.pool.query("INSERT INTO lead_log (lead_id, kind) VALUES ($1, 'imported')", [leadId]);
    await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/ready',
      headers: bearer(tokens.agent),
    });
    const callId = ids.call('c-lead');
    const reserved = await h.store.reserveLongestReady(
      h.campaignId as CampaignId,
      callId,
      Date.now(),
    );
    expect(reserved?.agentId).toBe(h.users.agent.id);
    await h.store.putCall(
      liveCall('c-lead', {
        campaignId: h.campaignId as CampaignId,
        leadId: ids.lead(leadId),
        agentId: ids.agent(h.users.agent.id),
      }),
      { type: 'call.waiting', callId, atMs: Date.now() },
    );
    const own = await get(`/api/leads/${leadId}`, 'agent');
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      lead: { id: leadId, firstName: 'Zoe', phone: '+14155550199' },
      history: [{ kind: 'imported' }],
    });
    const other = await get(`/api/leads/${leadId}`, 'agent2');
    expect(other.statusCode).toBe(403);
    const sup = await get(`/api/leads/${leadId}`, 'supervisor');
    expect(sup.statusCode).toBe(200);
  });

  it('lets supervisors search leads, naming the field of a bad query', async () => {
    const ok = await get('/api/leads?phone=%2B14155550199', 'supervisor');
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as { leads: unknown[] }).leads).toHaveLength(1);
    const bad = await get('/api/leads?phone=555', 'supervisor');
    expect(bad.statusCode).toBe(400);
    expect(err(bad.body).issues?.[0]?.path).toBe('query.phone');
  });

  it('lets an agent search only the campaign it is logged in to', async () => {
    const own = await get('/api/leads?phone=%2B14155550199', 'agent');
    expect(own.statusCode).toBe(200);
    expect((own.json() as { leads: Array<{ phone: string }> }).leads).toEqual([
      expect.objectContaining({ phone: '+14155550199' }),
    ]);
    const elsewhere = await get(
      `/api/leads?phone=%2B14155550199&campaignId=${Number(h.campaignId) + 1000}`,
      'agent',
    );
    expect(elsewhere.statusCode).toBe(403);
  });
});

describe('framework edges', () => {
  it('applies the role check to automatic HEAD routes', async () => {
    const r = await h.app.inject({ method: 'HEAD', url: '/api/me' });
    expect(r.statusCode).toBe(401);
  });

  it('answers unknown routes with a 404 error body', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/nope' });
    expect(r.statusCode).toBe(404);
    expect(err(r.body).code).toBe('NOT_FOUND');
  });

  it('answers 400 for a malformed JSON body', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
      remoteAddress: '10.0.0.77',
    });
    expect(r.statusCode).toBe(400);
    expect(err(r.body).code).toBe('BAD_REQUEST');
  });
});
