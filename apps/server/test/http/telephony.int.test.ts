import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallId, CampaignId, ErrorBody } from '@ringside/protocol';
import type { AgentTelephony } from '../../src/http/deps.js';
import { ids, liveCall } from '../../src/ports/fakes/conformance/fixtures.js';
import { bearer, createHarness, type Harness } from './harness.js';

/** Port fake: records each command; dial puts a live call in the real state store. */
const commands: string[] = [];
let h: Harness;
let bare: Harness;
let agent: string;
let agent2: string;

function fakeTelephony(): AgentTelephony {
  const rec = async (what: string) => {
    commands.push(what);
  };
  return {
    phoneConfig: async () => ({ mode: 'sim', sip: null }),
    connectLeg: async (a) => (await rec(`connect ${a}`), 'up'),
    disconnectLeg: async (a) => (await rec(`disconnect ${a}`), 'down'),
    hangup: (a, c) => rec(`hangup ${a} ${c}`),
    hold: (a, c, on) => rec(`hold ${a} ${c} ${on}`),
    mute: (a, c, on) => rec(`mute ${a} ${c} ${on}`),
    dtmf: (a, c, d) => rec(`dtmf ${a} ${c} ${d}`),
    transfer: (a, c, b) => rec(`transfer ${a} ${c} ${JSON.stringify(b)}`),
    transferComplete: (a, c) => rec(`complete ${a} ${c}`),
    transferCancel: (a, c) => rec(`cancel ${a} ${c}`),
    dial: async (a) => {
      const callId = ids.call(`manual-${a}`);
      await h.store.putCall(
        liveCall(callId, {
          campaignId: h.campaignId as CampaignId,
          agentId: ids.agent(a),
          manual: true,
        }),
        { type: 'call.ringing', callId, atMs: Date.now() },
      );
      return { callId };
    },
    preview: async () => null,
  };
}

beforeAll(async () => {
  h = await createHarness({}, { telephony: fakeTelephony() });
  bare = await createHarness();
  agent = await h.login('agent1');
  agent2 = await h.login('agent2');
});
afterAll(async () => {
  await h?.close();
  await bare?.close();
});

const post = (hh: Harness, token: string, url: string, payload?: unknown) =>
  hh.app.inject({
    method: 'POST',
    url,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

describe('agent telephony routes', () => {
  it('answers 503 while no telephony is wired', async () => {
    const t = await bare.login('agent1');
    const r = await post(bare, t, '/api/agent/phone/connect');
    expect(r.statusCode).toBe(503);
    expect((r.json() as ErrorBody).error.code).toBe('UNAVAILABLE');
  });

  it('brings the phone leg up and down', async () => {
    expect((await post(h, agent, '/api/agent/phone/connect')).json()).toEqual({ leg: 'up' });
    expect((await post(h, agent, '/api/agent/phone/disconnect')).json()).toEqual({ leg: 'down' });
  });

  it('dials by hand and controls only its own call', async () => {
    const dial = await post(h, agent, '/api/agent/dial', { phone: '+14155550123' });
    expect(dial.statusCode).toBe(200);
    const callId = (dial.json() as { call: { callId: CallId } }).call.callId;
    expect(callId).toBe(`manual-${h.users.agent.id}`);

    commands.length = 0;
    expect((await post(h, agent, `/api/agent/calls/${callId}/hold`, { on: true })).statusCode).toBe(
      200,
    );
    expect(
      (await post(h, agent, `/api/agent/calls/${callId}/dtmf`, { digits: '12#' })).statusCode,
    ).toBe(200);
    expect(
      (
        await post(h, agent, `/api/agent/calls/${callId}/transfer`, {
          kind: 'blind',
          to: { number: '+14155550199' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await post(h, agent, `/api/agent/calls/${callId}/hangup`, {})).statusCode).toBe(200);
    expect(commands).toEqual([
      `hold ${h.users.agent.id} ${callId} true`,
      `dtmf ${h.users.agent.id} ${callId} 12#`,
      `transfer ${h.users.agent.id} ${callId} {"kind":"blind","to":{"number":"+14155550199"}}`,
      `hangup ${h.users.agent.id} ${callId}`,
    ]);

    commands.length = 0;
    const theirs = await post(h, agent2, `/api/agent/calls/${callId}/hangup`, {});
    expect(theirs.statusCode).toBe(403);
    expect(commands).toEqual([]);
  });

  it('answers 400 naming the field for bad control bodies, sending nothing', async () => {
    commands.length = 0;
    const callId = `manual-${h.users.agent.id}`;
    const dtmf = await post(h, agent, `/api/agent/calls/${callId}/dtmf`, { digits: '12x' });
    expect(dtmf.statusCode).toBe(400);
    expect((dtmf.json() as ErrorBody).error.issues?.[0]?.path).toBe('digits');
    const hold = await post(h, agent, `/api/agent/calls/${callId}/hold`, { on: 'yes' });
    expect((hold.json() as ErrorBody).error.issues?.[0]?.path).toBe('on');
    const dial = await post(h, agent, '/api/agent/dial', { phone: '555-0100' });
    expect(dial.statusCode).toBe(400);
    expect(commands).toEqual([]);
  });

  it('answers 404 for a call that does not exist', async () => {
    const r = await post(h, agent, '/api/agent/calls/nope/hangup', {});
    expect(r.statusCode).toBe(404);
  });
});
