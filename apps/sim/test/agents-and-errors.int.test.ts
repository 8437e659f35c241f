/**
 * The simulated PBX's agent phones (the webrtc-agent-leg flow, reproduced with a simulated PJSIP
 * endpoint), ARI's error responses exactly as errors.jsonl recorded them, authentication, and the
 * control API.
 */
import { describe, expect, it } from 'vitest';
import { checkEvent, checkResponse, formatIssues } from '@ringside/ari';
import { ManualScheduler, type SimPbx } from '../src/index.js';
import {
  ariRequest,
  collectEvents,
  control,
  eventKey,
  ignorable,
  loadTrace,
  sequenceProblems,
  startTestPbx,
  timingRules,
  type AriMessage,
} from './helpers.js';

let pbx: SimPbx | null = null;

describe('agent phones on the simulated PBX', () => {
  it('reproduces the webrtc-agent-leg flow: register, dial login, bridge a customer, tear down', async () => {
    const trace = loadTrace('webrtc-agent-leg.jsonl');
    const scheduler = new ManualScheduler();
    pbx = await startTestPbx({
      port: 0,
      scheduler,
      endpoints: [{ id: 'agent1', registered: false }],
      rules: timingRules(trace),
    });
    const sink = await collectEvents(pbx.eventsUrl);
    const t0 = scheduler.nowMs();
    const at = (ms: number) => scheduler.advance(t0 + ms - scheduler.nowMs());

    expect((await control('POST', '/phones/agent1/register')).status).toBe(204);
    at(92);
    const login = await control('POST', '/phones/agent1/login');
    expect(login.status).toBe(200);
    const phoneId = (login.body as { channelId: string }).channelId;
    at(285);
    await ariRequest(pbx.url, 'POST', '/bridges', { type: 'mixing', bridgeId: 'probe-br' });
    at(291);
    const add = await ariRequest(pbx.url, 'POST', '/bridges/probe-br/addChannel', {
      channel: phoneId,
    });
    expect(add.status).toBe(204);
    at(294);
    const orig = await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'Local/5551230004@sim-customers',
      context: 'dialer-outbound',
      extension: 's',
      priority: '1',
      channelId: 'probe-call',
      otherChannelId: 'probe-call-2',
      timeout: '30',
    });
    expect(orig.status).toBe(200);
    at(9929);
    expect(
      (await ariRequest(pbx.url, 'POST', '/bridges/probe-br/addChannel', { channel: 'probe-call' }))
        .status,
    ).toBe(204);
    at(13936);
    expect((await ariRequest(pbx.url, 'DELETE', '/channels/probe-call')).status).toBe(204);
    at(13938);
    expect((await ariRequest(pbx.url, 'DELETE', '/bridges/probe-br')).status).toBe(204);
    at(13941);
    expect((await control('POST', '/phones/agent1/hangup')).status).toBe(204);
    at(14000);
    await sink.settle();
    sink.close();

    const problems = sink.events.map((e) => checkEvent(e)).filter((r) => !r.ok);
    expect(problems.map(formatIssues)).toEqual([]);
    const want = trace
      .filter((l) => l.event && !ignorable(l.event))
      .map((l) => eventKey(l.event as AriMessage, { '1795552514.0': 'PHONE' }));
    const got = sink.events
      .filter((e) => !ignorable(e))
      .map((e) => eventKey(e, { [phoneId]: 'PHONE' }));
    expect(sequenceProblems(got, want)).toEqual([]);
    const created = sink.events.find((e) => e.type === 'ChannelCreated') as AriMessage;
    expect((created.channel as { name: string }).name).toMatch(/^PJSIP\/agent1-[0-9a-f]{8}$/);
  });

  it('nails up an agent leg by originating PJSIP/<agent> straight into the app', async () => {
    const scheduler = new ManualScheduler();
    pbx = await startTestPbx({ port: 0, scheduler, endpoints: ['agent7'] });
    const sink = await collectEvents(pbx.eventsUrl);
    const r = await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'PJSIP/agent7',
      app: 'dialer',
      appArgs: 'agent,agent7',
      channelId: 'leg-7',
    });
    expect(r.status).toBe(200);
    expect(checkResponse('POST', '/channels', r.status, r.body).ok).toBe(true);
    scheduler.advance(1000);
    const ep = await ariRequest(pbx.url, 'GET', '/endpoints/PJSIP/agent7');
    expect(ep.body).toEqual({
      technology: 'PJSIP',
      resource: 'agent7',
      state: 'online',
      channel_ids: ['leg-7'],
    });
    expect((await ariRequest(pbx.url, 'DELETE', '/channels/leg-7')).status).toBe(204);
    await sink.settle();
    sink.close();
    expect(sink.events.map((e) => eventKey(e))).toEqual([
      'ChannelCreated leg-7',
      'ChannelDialplan leg-7 AppDial2((Outgoing Line))',
      'Dial leg-7 ',
      'ChannelStateChange leg-7 Ringing',
      'Dial leg-7 RINGING',
      'ChannelStateChange leg-7 Up',
      'Dial leg-7 ANSWER',
      'ChannelVarset leg-7 STASISSTATUS=',
      'StasisStart leg-7 [agent,agent7]',
      'ChannelHangupRequest leg-7 cause=32 soft',
      'StasisEnd leg-7',
      'ChannelVarset leg-7 STASISSTATUS=SUCCESS',
      'ChannelDestroyed leg-7 cause=16 Normal Clearing',
    ]);
    expect(sink.events.filter((e) => !checkEvent(e).ok)).toEqual([]);
  });

  it('refuses to originate to an unregistered or unknown phone with Allocation failed', async () => {
    pbx = await startTestPbx({ port: 0, endpoints: [{ id: 'agent1', registered: false }] });
    const r = await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'PJSIP/agent1',
      app: 'dialer',
    });
    expect(r).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    // Unknown by default, as on Asterisk (errors.jsonl recorded this body).
    const unknown = await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'PJSIP/desk-104',
      app: 'dialer',
    });
    expect(unknown).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    expect(checkResponse('POST', '/channels', unknown.status, unknown.body).ok).toBe(true);
    // A phone cannot register as an endpoint Asterisk does not have.
    expect((await control('POST', '/phones/desk-104/register')).status).toBe(404);
    await pbx.stop();
    pbx = await startTestPbx({ port: 0, anyEndpoint: true });
    const any = await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'PJSIP/desk-104',
      app: 'dialer',
    });
    expect(any.status).toBe(200);
  });
});

describe('ARI errors, authentication and the control API', () => {
  it('answers errors.jsonl exactly as Asterisk did', async () => {
    pbx = await startTestPbx({ port: 0 });
    const lines = loadTrace('errors.jsonl');
    for (let i = 0; i < lines.length; i++) {
      const req = lines[i];
      const expected = lines[i + 1];
      if (req?.dir !== 'request' || expected?.dir !== 'response') continue;
      const got = await ariRequest(pbx.url, req.method ?? 'GET', req.path ?? '/', req.query ?? {});
      expect(got, `${req.method} ${req.path}`).toEqual({
        status: expected.status,
        body: expected.body,
      });
      const c = checkResponse(req.method ?? '', req.path ?? '', got.status, got.body);
      expect(c.ok, formatIssues(c)).toBe(true);
    }
  });

  it('answers the other documented errors with Asterisk messages', async () => {
    pbx = await startTestPbx({ port: 0 });
    const url = pbx.url;
    const cases: Array<[string, string, Record<string, string>, number, string]> = [
      ['DELETE', '/channels/nope', {}, 404, 'Channel not found'],
      ['GET', '/bridges/nope', {}, 404, 'Bridge not found'],
      ['DELETE', '/bridges/nope', {}, 404, 'Bridge not found'],
      ['POST', '/channels/nope/play', { media: 'sound:x' }, 404, 'Channel not found'],
      ['POST', '/channels/nope/answer', {}, 404, 'Channel not found'],
      ['GET', '/channels/nope/variable', { variable: 'X' }, 404, 'Provided channel was not found'],
      [
        'POST',
        '/channels/nope/snoop',
        { spy: 'both', app: 'dialer' },
        404,
        'Provided channel was not found',
      ],
      ['GET', '/playbacks/nope', {}, 404, 'The playback cannot be found'],
      [
        'POST',
        '/channels',
        { endpoint: 'Local/1@sim-customers' },
        400,
        'Application or extension must be specified',
      ],
      [
        'POST',
        '/channels',
        { endpoint: 'nonsense', app: 'dialer' },
        400,
        'Invalid endpoint specified',
      ],
      ['GET', '/applications/nobody', {}, 404, 'Application not found'],
      ['GET', '/nothing-here', {}, 404, 'Resource not found'],
    ];
    for (const [method, path, query, status, message] of cases) {
      const got = await ariRequest(url, method, path, query);
      expect(got, `${method} ${path}`).toEqual({ status, body: { message } });
    }
    // A channel that is not in Stasis cannot be bridged (422) or played to (409).
    await ariRequest(url, 'POST', '/bridges', { bridgeId: 'b1' });
    await ariRequest(url, 'POST', '/channels', {
      endpoint: 'Local/5551230007@sim-customers',
      context: 'dialer-outbound',
      extension: 's',
      channelId: 'ringing',
    });
    expect(await ariRequest(url, 'POST', '/bridges/b1/addChannel', { channel: 'ringing' })).toEqual(
      { status: 422, body: { message: 'Channel not in Stasis application' } },
    );
    expect(await ariRequest(url, 'POST', '/bridges/b1/addChannel', { channel: 'ghost' })).toEqual({
      status: 400,
      body: { message: 'Channel not found' },
    });
    expect(
      await ariRequest(url, 'POST', '/channels/ringing/play', { media: 'sound:vm-goodbye' }),
    ).toEqual({ status: 409, body: { message: 'Channel not in Stasis application' } });
    expect(
      await ariRequest(url, 'POST', '/channels', {
        endpoint: 'Local/5551230007@sim-customers',
        app: 'dialer',
        channelId: 'ringing',
      }),
    ).toEqual({ status: 409, body: { message: 'Channel with given unique ID already exists' } });
    expect(await ariRequest(url, 'DELETE', '/channels/ringing', { reason: 'bogus' })).toEqual({
      status: 400,
      body: { message: 'Invalid reason for hangup provided' },
    });
  });

  it('requires credentials by basic auth or api_key, as Asterisk does', async () => {
    pbx = await startTestPbx({ port: 0, user: 'u', password: 'p' });
    const anon = await fetch(`${pbx.ariUrl}/asterisk/info`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ error: 'Authentication required' });
    const wrong = await ariRequest(pbx.url, 'GET', '/asterisk/info', {}, undefined, 'u:x');
    expect(wrong.status).toBe(401);
    const key = await fetch(`${pbx.ariUrl}/asterisk/info?api_key=u:p`);
    expect(key.status).toBe(200);
    const info = await ariRequest(pbx.url, 'GET', '/asterisk/info', {}, undefined, 'u:p');
    expect(checkResponse('GET', '/asterisk/info', info.status, info.body).ok).toBe(true);
    expect((info.body as { system: { version: string } }).system.version).toBe('22.10.1');
  });

  it('lists calls, hangs a customer up on request, counts, and resets', async () => {
    const scheduler = new ManualScheduler();
    pbx = await startTestPbx({ port: 0, scheduler });
    const sink = await collectEvents(pbx.eventsUrl);
    await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'Local/5551230001@sim-customers',
      context: 'dialer-outbound',
      extension: 's',
      channelId: 'c1',
      otherChannelId: 'c1-2',
    });
    scheduler.advance(7000);
    await sink.settle();
    const calls = (await control('GET', '/calls')).body as Array<{
      channelId: string;
      phase: string;
    }>;
    expect(calls).toMatchObject([{ channelId: 'c1', phase: 'stasis' }]);
    expect((await control('POST', '/calls/c1/hangup')).status).toBe(204);
    await sink.settle();
    expect(sink.events.map((e) => eventKey(e)).slice(-5)).toEqual([
      'ChannelDestroyed c1-2 cause=16 Normal Clearing',
      'StasisEnd c1',
      'ChannelVarset c1 STASISSTATUS=SUCCESS',
      'ChannelHangupRequest c1 cause=16 soft',
      'ChannelDestroyed c1 cause=16 Normal Clearing',
    ]);
    const stats = (await control('GET', '/stats')).body as Record<string, unknown>;
    expect(stats).toMatchObject({ originations: 1, stasisStarts: 1, activeChannels: 0 });
    expect((await control('PUT', '/scenario', { seed: 7 })).body).toMatchObject({ seed: 7 });
    expect((await control('POST', '/reset')).status).toBe(204);
    expect((await control('GET', '/stats')).body).toMatchObject({ originations: 0 });
    sink.close();
  });

  it('keeps calls up when the events WebSocket is cut, and lists them to a reconnecting client', async () => {
    pbx = await startTestPbx({ port: 0, scheduler: new ManualScheduler() });
    const first = await collectEvents(pbx.eventsUrl);
    await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'Local/agent@agents',
      app: 'dialer',
      appArgs: 'agent',
      channelId: 'ag',
      otherChannelId: 'ag-2',
    });
    expect((await control('POST', '/events/drop')).status).toBe(204);
    await first.settle();
    const second = await collectEvents(pbx.eventsUrl);
    const list = await ariRequest(pbx.url, 'GET', '/channels');
    expect((list.body as Array<{ id: string }>).map((c) => c.id).sort()).toEqual(['ag', 'ag-2']);
    const app = await ariRequest(pbx.url, 'GET', '/applications/dialer');
    expect(app.body).toMatchObject({ name: 'dialer', channel_ids: ['ag'] });
    expect(checkResponse('GET', '/applications/dialer', app.status, app.body).ok).toBe(true);
    await ariRequest(pbx.url, 'DELETE', '/channels/ag');
    await second.settle();
    expect(second.events.map((e) => e.type)).toContain('StasisEnd');
    second.close();
  });

  it('replaces an app connection like Asterisk and filters events without subscribeAll', async () => {
    pbx = await startTestPbx({ port: 0, scheduler: new ManualScheduler() });
    const old = await collectEvents(pbx.eventsUrl);
    const replacing = await collectEvents(pbx.eventsUrl);
    await old.settle();
    expect(old.events.map((e) => e.type)).toEqual(['ApplicationReplaced']);
    expect(checkEvent(old.events[0]).ok).toBe(true);
    const other = await collectEvents(
      `${pbx.eventsUrl.replace('app=dialer', 'app=other').replace('&subscribeAll=true', '')}`,
    );
    await ariRequest(pbx.url, 'POST', '/channels', {
      endpoint: 'Local/agent@agents',
      app: 'other',
      channelId: 'o1',
      otherChannelId: 'o1-2',
    });
    await ariRequest(pbx.url, 'POST', '/bridges', { bridgeId: 'unrelated' });
    await other.settle();
    await replacing.settle();
    expect(other.events.map((e) => e.type)).toContain('StasisStart');
    expect(other.events.every((e) => e.application === 'other')).toBe(true);
    expect(other.events.map((e) => e.type)).not.toContain('BridgeCreated');
    expect(replacing.events.map((e) => e.type)).toContain('BridgeCreated');
    const missing = await collectEvents(pbx.eventsUrl.replace('app=dialer&', ''));
    await missing.settle();
    expect(missing.events).toEqual([{ type: 'MissingParams', params: ['app'] }]);
    for (const s of [old, replacing, other, missing]) s.close();
  });
});
