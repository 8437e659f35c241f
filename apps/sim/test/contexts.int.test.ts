/**
 * The test-only dialplan contexts of deploy/asterisk/extensions.conf over the simulator's ARI, as
 * Ringside dials them on a real Asterisk: a bot agent's phone `Local/<username>@sim-agent-phones`
 * and a talking customer `Local/<digits>@sim-customers-talking`, handed off to each other.
 */
import { describe, expect, it } from 'vitest';
import { checkEvent, formatIssues } from '@ringside/ari';
import { ManualScheduler, type SimPbx } from '../src/index.js';
import { ariRequest, collectEvents, startTestPbx } from './helpers.js';

let pbx: SimPbx | null = null;

describe('sim-agent-phones and sim-customers-talking over ARI', () => {
  it("a bot agent's phone and a talking customer are bridged and talk until Ringside hangs up", async () => {
    const scheduler = new ManualScheduler();
    pbx = await startTestPbx({ port: 0, scheduler });
    const sink = await collectEvents(pbx.eventsUrl);
    const ari = (method: string, path: string, query: Record<string, string> = {}) =>
      ariRequest(pbx?.url ?? '', method, path, query);

    expect((await ari('POST', '/bridges', { type: 'mixing', bridgeId: 'agent-7' })).status).toBe(
      200,
    );
    const phone = await ari('POST', '/channels', {
      endpoint: 'Local/agent2@sim-agent-phones',
      app: 'dialer',
      appArgs: 'agent,agent2',
      channelId: 'leg',
    });
    expect(phone.status).toBe(200);
    expect((await ari('POST', '/bridges/agent-7/addChannel', { channel: 'leg' })).status).toBe(204);
    const customer = await ari('POST', '/channels', {
      endpoint: 'Local/12125550000@sim-customers-talking',
      context: 'dialer-outbound',
      extension: 's',
      priority: '1',
      channelId: 'cust',
      otherChannelId: 'cust-2',
      callerId: '+12125550100',
    });
    expect(customer.status).toBe(200);
    scheduler.advance(1_000 + 2_970);
    await sink.settle();
    const start = sink.events.find(
      (e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'cust',
    );
    expect(start?.args).toEqual(['amd', 'HUMAN', 'HUMAN-803-800']);
    expect((await ari('POST', '/bridges/agent-7/addChannel', { channel: 'cust' })).status).toBe(
      204,
    );
    // Both are Local channels (ulaw): the bridge keeps them.
    scheduler.advance(60_000);
    const bridge = await ari('GET', '/bridges/agent-7');
    expect((bridge.body as { channels: string[] }).channels.sort()).toEqual(['cust', 'leg']);
    expect((await ari('GET', '/channels/cust/variable', { variable: 'BRIDGEPEER' })).body).toEqual({
      value: 'Local/agent2@sim-agent-phones-00000000;1',
    });
    const calls = await fetch(`${pbx.url}/_sim/calls`).then(
      (r) => r.json() as Promise<Array<{ number: string; outcome: string }>>,
    );
    expect(calls).toMatchObject([{ number: '12125550000', outcome: 'human' }]);

    expect((await ari('DELETE', '/channels/cust')).status).toBe(204);
    expect((await ari('DELETE', '/channels/leg')).status).toBe(204);
    expect((await ari('DELETE', '/bridges/agent-7')).status).toBe(204);
    await sink.settle();
    sink.close();
    expect((await ari('GET', '/channels')).body).toEqual([]);
    const bad = sink.events.map((e) => checkEvent(e)).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);
  });

  it('an unknown context or a username the extension pattern refuses answers 500 Allocation failed', async () => {
    pbx = await startTestPbx({ port: 0, scheduler: new ManualScheduler() });
    for (const endpoint of ['Local/agent2@sim-agent-phone', 'Local/Agent2@sim-agent-phones']) {
      const r = await ariRequest(pbx.url, 'POST', '/channels', { endpoint, app: 'dialer' });
      expect(r, endpoint).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    }
  });
});
