/**
 * Endpoints, codecs and translators of the simulated PBX over HTTP and the events WebSocket: an
 * endpoint exists once ARI's dynamic configuration writes it (as services/telephony/sip-accounts.ts does) or
 * the control API defines it; its allow list decides the codec a browser phone negotiates; and a
 * bridge whose members share no codec and have no translator ejects the newcomer, as the real
 * Asterisk 22.10.1 of issue 11 did (ChannelEnteredBridge, then ChannelLeftBridge, same millisecond).
 */
import { describe, expect, it } from 'vitest';
import { checkEvent, checkResponse, formatIssues } from '@ringside/ari';
import { ManualScheduler, startSimPbx, type SimPbx, type SimPbxOptions } from '../src/index.js';
import { ariRequest, collectEvents, control, startTestPbx, type AriMessage } from './helpers.js';

let pbx: SimPbx | null = null;

/** The endpoint fields services/telephony/sip-accounts.ts writes for a WebRTC agent, with this allow. */
const webrtcEndpoint = (allow: string) => ({
  fields: [
    { attribute: 'transport', value: 'transport-wss' },
    { attribute: 'context', value: 'agents' },
    { attribute: 'disallow', value: 'all' },
    { attribute: 'allow', value: allow },
    { attribute: 'webrtc', value: 'yes' },
    { attribute: 'auth', value: 'agent1' },
    { attribute: 'aors', value: 'agent1' },
  ],
});

/**
 * The browser agent of issue 11: endpoint agent1 written over ARI with `allow`, the phone
 * registers and dials login, its leg goes into a mixing bridge, and a ulaw customer answered by
 * a human is added to it. Returns the events from the customer's addChannel on.
 */
async function browserAgentMeetsCustomer(allow: string, opts: SimPbxOptions = {}) {
  const scheduler = new ManualScheduler();
  pbx = await startTestPbx({ port: 0, scheduler, ...opts });
  const put = await fetch(`${pbx.ariUrl}/asterisk/config/dynamic/res_pjsip/endpoint/agent1`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from('ringside:ringside').toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(webrtcEndpoint(allow)),
  });
  expect(put.status).toBe(200);
  const sink = await collectEvents(pbx.eventsUrl);
  expect((await control('POST', '/phones/agent1/register')).status).toBe(204);
  const login = await control('POST', '/phones/agent1/login', { channelId: 'phone-1' });
  expect(login).toEqual({ status: 200, body: { channelId: 'phone-1' } });
  scheduler.advance(100);
  await ariRequest(pbx.url, 'POST', '/bridges', { type: 'mixing', bridgeId: 'br-1' });
  expect(
    (await ariRequest(pbx.url, 'POST', '/bridges/br-1/addChannel', { channel: 'phone-1' })).status,
  ).toBe(204);
  await ariRequest(pbx.url, 'POST', '/channels', {
    endpoint: 'Local/5551230004@sim-customers',
    app: 'dialer',
    appArgs: 'customer',
    channelId: 'cust-1',
    otherChannelId: 'cust-1-2',
  });
  scheduler.advance(7_000);
  await sink.settle();
  const before = sink.events.length;
  expect(
    (await ariRequest(pbx.url, 'POST', '/bridges/br-1/addChannel', { channel: 'cust-1' })).status,
  ).toBe(204);
  await sink.settle();
  sink.close();
  const bad = sink.events.map((e) => checkEvent(e)).filter((r) => !r.ok);
  expect(bad.map(formatIssues)).toEqual([]);
  return { scheduler, events: sink.events.slice(before) };
}

const bridgeEvents = (events: AriMessage[]) =>
  events
    .filter((e) => e.type === 'ChannelEnteredBridge' || e.type === 'ChannelLeftBridge')
    .map((e) => ({
      type: e.type,
      channel: (e.channel as { id: string }).id,
      members: (e.bridge as { channels: string[] }).channels,
      timestamp: e.timestamp,
    }));

describe('codecs on the simulated PBX', () => {
  it('allow=opus,ulaw without codec_opus: the browser gets Opus and the ulaw customer is ejected at once', async () => {
    const { events } = await browserAgentMeetsCustomer('opus,ulaw');
    const moves = bridgeEvents(events);
    expect(moves.map(({ timestamp: _t, ...m }) => m)).toEqual([
      { type: 'ChannelEnteredBridge', channel: 'cust-1', members: ['phone-1', 'cust-1'] },
      { type: 'ChannelLeftBridge', channel: 'cust-1', members: ['phone-1'] },
    ]);
    expect(moves[0]?.timestamp).toBe(moves[1]?.timestamp);
    if (!pbx) throw new Error('no pbx');
    const fmt = await ariRequest(pbx.url, 'GET', '/channels/phone-1/variable', {
      variable: 'CHANNEL(audionativeformat)',
    });
    expect(fmt).toEqual({ status: 200, body: { value: '(opus)' } });
    const cust = await ariRequest(pbx.url, 'GET', '/channels/cust-1/variable', {
      variable: 'CHANNEL(audionativeformat)',
    });
    expect(cust.body).toEqual({ value: '(ulaw)' });
    const channels = (await control('GET', '/channels')).body as Array<Record<string, unknown>>;
    expect(channels.find((c) => c.id === 'phone-1')).toMatchObject({
      codec: 'opus',
      bridgeId: 'br-1',
    });
    expect(channels.find((c) => c.id === 'cust-1')).toMatchObject({
      codec: 'ulaw',
      bridgeId: null,
    });
    expect((await control('GET', '/stats')).body).toMatchObject({ codecEjections: 1 });
    expect((await control('GET', '/log')).body).toEqual([
      expect.stringMatching(
        /^WARNING: No path to translate from Local\/5551230004@sim-customers-\w{8};1 to PJSIP\/agent1-\w{8}$/,
      ),
    ]);
    // The customer is still in the app (it can be put elsewhere or hung up).
    expect(pbx.engine.channels.get('cust-1')?.stasis?.app).toBe('dialer');
  });

  it('allow=ulaw,opus: the browser gets ulaw and the bridge holds both', async () => {
    const { events } = await browserAgentMeetsCustomer('ulaw,opus');
    expect(bridgeEvents(events).map((m) => m.type)).toEqual(['ChannelEnteredBridge']);
    expect(events.map((e) => e.type)).toContain('ChannelConnectedLine');
    if (!pbx) throw new Error('no pbx');
    const fmt = await ariRequest(pbx.url, 'GET', '/channels/phone-1/variable', {
      variable: 'CHANNEL(audionativeformat)',
    });
    expect(fmt.body).toEqual({ value: '(ulaw)' });
  });

  it('with codec_opus loaded, Opus meets ulaw in the bridge', async () => {
    const { events } = await browserAgentMeetsCustomer('opus,ulaw', {
      modules: { load: ['codec_opus'] },
    });
    expect(bridgeEvents(events).map((m) => m.type)).toEqual(['ChannelEnteredBridge']);
    if (!pbx) throw new Error('no pbx');
    const mods = await ariRequest(pbx.url, 'GET', '/asterisk/modules');
    expect(checkResponse('GET', '/asterisk/modules', mods.status, mods.body).ok).toBe(true);
    expect((mods.body as Array<{ name: string }>).map((m) => m.name)).toContain('codec_opus.so');
  });
});

describe('endpoints and modules over ARI and the control API', () => {
  it('an endpoint exists once written over ARI or defined over the control API, and not after its DELETE', async () => {
    const scheduler = new ManualScheduler();
    pbx = await startTestPbx({ port: 0, scheduler });
    const sink = await collectEvents(pbx.eventsUrl);
    const originate = (endpoint: string, channelId: string) =>
      ariRequest(pbx?.url ?? '', 'POST', '/channels', { endpoint, app: 'dialer', channelId });
    expect(await originate('PJSIP/desk-104', 'd1')).toEqual({
      status: 500,
      body: { error: 'Allocation failed' },
    });
    // Control API: a desk phone that speaks alaw only.
    const put = await control('PUT', '/endpoints/desk-104', { allow: ['alaw', 'ulaw'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ resource: 'desk-104', state: 'online', negotiated: 'alaw' });
    expect((await originate('PJSIP/desk-104', 'd2')).status).toBe(200);
    scheduler.advance(300);
    const fmt = await ariRequest(pbx.url, 'GET', '/channels/d2/variable', {
      variable: 'CHANNEL(audionativeformat)',
    });
    expect(fmt.body).toEqual({ value: '(alaw)' });
    expect(await control('PUT', '/endpoints/desk-104', { allow: 'ulaw', webrtc: 'yes' })).toEqual({
      status: 400,
      body: { error: 'webrtc: a boolean' },
    });
    expect(await control('PUT', '/endpoints/desk-104', { allow: [] })).toEqual({
      status: 400,
      body: { error: 'allow: a list of codec names' },
    });

    // ARI's dynamic configuration, as services/telephony/sip-accounts.ts writes it.
    const path = '/asterisk/config/dynamic/res_pjsip/endpoint/bob';
    const auth = `Basic ${Buffer.from('ringside:ringside').toString('base64')}`;
    const put2 = await fetch(`${pbx.ariUrl}${path}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(webrtcEndpoint('ulaw,opus')),
    });
    expect(put2.status).toBe(200);
    const listed = (await control('GET', '/endpoints')).body as Array<Record<string, unknown>>;
    expect(listed.find((e) => e.resource === 'bob')).toMatchObject({
      state: 'offline',
      allow: ['ulaw', 'opus'],
      negotiated: 'ulaw',
    });
    // No phone registered yet: no contact to call.
    expect((await originate('PJSIP/bob', 'b1')).status).toBe(500);
    expect((await control('POST', '/phones/bob/register')).status).toBe(204);
    expect((await originate('PJSIP/bob', 'b2')).status).toBe(200);
    const del = await fetch(`${pbx.ariUrl}${path}`, {
      method: 'DELETE',
      headers: { authorization: auth },
    });
    expect(del.status).toBe(204);
    expect((await originate('PJSIP/bob', 'b3')).status).toBe(500);
    // Local channels need no endpoint.
    expect((await originate('Local/agent@agents', 'l1')).status).toBe(200);
    sink.close();
  });

  it('answers the modules resource like ARI (no codec_opus by default)', async () => {
    pbx = await startTestPbx({ port: 0 });
    const url = pbx.url;
    const list = await ariRequest(url, 'GET', '/asterisk/modules');
    expect(checkResponse('GET', '/asterisk/modules', list.status, list.body).ok).toBe(true);
    const names = (list.body as Array<{ name: string }>).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['codec_ulaw.so', 'codec_alaw.so', 'res_ari.so']));
    expect(names).not.toContain('codec_opus.so');
    const one = await ariRequest(url, 'GET', '/asterisk/modules/codec_a_mu.so');
    expect(one.body).toEqual({
      name: 'codec_a_mu.so',
      description: 'A-law and Mulaw direct Coder/Decoder',
      use_count: 0,
      status: 'Running',
      support_level: 'core',
    });
    expect(checkResponse('GET', '/asterisk/modules/codec_a_mu.so', one.status, one.body).ok).toBe(
      true,
    );
    expect(await ariRequest(url, 'GET', '/asterisk/modules/codec_opus.so')).toEqual({
      status: 404,
      body: { message: 'Module could not be found in running modules' },
    });
    expect(await ariRequest(url, 'POST', '/asterisk/modules/codec_opus')).toEqual({
      status: 409,
      body: { message: 'Module load declined' },
    });
    expect((await ariRequest(url, 'DELETE', '/asterisk/modules/codec_a_mu')).status).toBe(204);
    expect((await ariRequest(url, 'GET', '/asterisk/modules/codec_a_mu.so')).status).toBe(404);
    expect((await ariRequest(url, 'POST', '/asterisk/modules/codec_a_mu.so')).status).toBe(204);
    await expect(startSimPbx({ port: 0, modules: { load: ['codec_silk'] } })).rejects.toThrow(
      /codec_silk/,
    );
  });
});
