import { describe, expect, it } from 'vitest';
import { checkEvent, checkResponse, formatIssues } from '@ringside/ari';
import { mulberry32, type CustomerScenario } from './customers.js';
import { SimEngine, parseCallerId, type AriEventOut, type EngineOptions } from './engine.js';
import { MODULE_CATALOGUE } from './codecs.js';

const DEFAULT_MODULES: ReadonlySet<string> = new Set(
  MODULE_CATALOGUE.map((m) => m.name).filter((m) => m !== 'codec_opus.so'),
);
import { ManualScheduler } from './scheduler.js';

function makeEngine(scenario: CustomerScenario = { seed: 1 }, more: Partial<EngineOptions> = {}) {
  const scheduler = new ManualScheduler();
  const engine = new SimEngine({
    scheduler,
    scenario,
    dialplanApp: 'dialer',
    asteriskId: '02:fc:00:00:00:01',
    endpoints: [{ id: 'agent1' }],
    phoneAnswerMs: 100,
    anyEndpoint: false,
    modules: DEFAULT_MODULES,
    installedModules: DEFAULT_MODULES,
    omitEvents: new Set(['DeviceStateChanged']),
    soundDurationsMs: { 'vm-goodbye': 864 },
    defaultSoundMs: 1000,
    isAppRegistered: (app) => app === 'dialer',
    ...more,
  });
  const events: AriEventOut[] = [];
  engine.onEvent((e) => events.push(e));
  return { engine, scheduler, events };
}

const outbound = (number: string, id: string) => ({
  endpoint: `Local/${number}@sim-customers`,
  context: 'dialer-outbound',
  extension: 's',
  priority: '1',
  channelId: id,
  otherChannelId: `${id}-2`,
  timeout: '30',
});

const brief = (events: AriEventOut[]) =>
  events.map((e) => {
    const ch = e.channel as { id: string } | undefined;
    return `${e.type}:${ch?.id ?? ''}`;
  });

describe('SimEngine', () => {
  it('produces the identical event stream twice for the same seed and requests', () => {
    const run = () => {
      const { engine, scheduler, events } = makeEngine({
        seed: 99,
        defaultProfile: {
          mix: { human: 4, machine: 2, noanswer: 1, busy: 1, congestion: 1 },
          humanRingMs: { min: 500, max: 8000 },
          humanTalkMs: { min: 5000, max: 60000 },
          amdHumanAccuracy: 0.9,
        },
      });
      for (let i = 0; i < 60; i++) {
        engine.ariOriginate(outbound(`+1555000${100 + i}`, `call-${i}`), undefined);
        scheduler.advance(250);
      }
      scheduler.advance(120_000);
      return { events, counters: engine.counters };
    };
    const a = run();
    const b = run();
    expect(a.events.length).toBeGreaterThan(1000);
    expect(b.events).toEqual(a.events);
    expect(b.counters).toEqual(a.counters);
    expect(a.counters.channelsDestroyed).toBe(120);
    expect(Object.values(a.counters.outcomes).every((n) => n > 0)).toBe(true);
  });

  it('hangs up an unanswered call with cause 19 at the originate timeout, dialstatus still RINGING', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariOriginate({ ...outbound('5551230007', 'n'), timeout: '20' }, undefined);
    scheduler.advance(19_999);
    expect(engine.channels.size).toBe(2);
    scheduler.advance(1);
    expect(
      events.slice(-4).map((e) => [e.type, (e.channel as { id: string }).id, e.cause]),
    ).toEqual([
      ['ChannelHangupRequest', 'n-2', 19],
      ['ChannelDestroyed', 'n', 19],
      ['ChannelHangupRequest', 'n-2', 16],
      ['ChannelDestroyed', 'n-2', 19],
    ]);
    expect(events.filter((e) => e.type === 'Dial').map((e) => e.dialstatus)).toEqual([
      '',
      'RINGING',
    ]);
  });

  it('keeps a hung-up snoop channel until the spied channel goes, then destroys it', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariOriginate(
      {
        endpoint: 'Local/agent@agents',
        app: 'dialer',
        appArgs: 'agent',
        channelId: 'ag',
        otherChannelId: 'ag-2',
      },
      undefined,
    );
    scheduler.advance(10);
    expect(
      engine.ariSnoop('ag', { spy: 'both', app: 'dialer', appArgs: 'listen', snoopId: 'sp' })
        .status,
    ).toBe(200);
    expect(engine.ariHangup('sp', {}).status).toBe(204);
    expect(engine.channels.has('sp')).toBe(true);
    expect(brief(events).slice(-3)).toEqual([
      'ChannelHangupRequest:sp',
      'StasisEnd:sp',
      'ChannelVarset:sp',
    ]);
    engine.ariHangup('ag', {});
    expect(engine.channels.size).toBe(0);
    expect(brief(events).filter((k) => k.startsWith('ChannelDestroyed'))).toEqual([
      'ChannelDestroyed:ag',
      'ChannelDestroyed:sp',
      'ChannelDestroyed:ag-2',
    ]);
  });

  it('moves a channel between bridges with ChannelLeftBridge before ChannelEnteredBridge', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariCreateBridge({ type: 'holding', bridgeId: 'hold' });
    engine.ariCreateBridge({ type: 'mixing', bridgeId: 'mix' });
    engine.ariOriginate(
      {
        endpoint: 'Local/5551230000@sim-customers',
        app: 'dialer',
        appArgs: 'direct',
        channelId: 'c',
        otherChannelId: 'c-2',
      },
      undefined,
    );
    scheduler.advance(7000);
    expect(engine.ariAddChannel('hold', { channel: 'c' }).status).toBe(204);
    expect(engine.ariBridgeMoh('hold', true, {}).status).toBe(204);
    expect(engine.ariAddChannel('mix', { channel: 'c' }).status).toBe(204);
    const types = events.map(
      (e) => `${e.type}:${(e.bridge as { id: string } | undefined)?.id ?? ''}`,
    );
    const left = types.indexOf('ChannelLeftBridge:hold');
    expect(left).toBeGreaterThan(types.indexOf('ChannelEnteredBridge:hold'));
    expect(types.indexOf('ChannelEnteredBridge:mix')).toBe(left + 1);
    expect(engine.ariBridgeMoh('mix', false, {})).toEqual({
      status: 409,
      body: { message: "Bridge isn't playing music" },
    });
  });

  it('finishes a stopped playback at once and a played one after the sound length', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariOriginate(
      {
        endpoint: 'Local/5551230000@sim-customers',
        app: 'dialer',
        channelId: 'c',
        otherChannelId: 'c-2',
      },
      undefined,
    );
    scheduler.advance(7000);
    const r = engine.ariPlay('channel', 'c', ['sound:vm-goodbye'], { playbackId: 'p1' });
    expect(r).toMatchObject({
      status: 201,
      body: { id: 'p1', state: 'queued', target_uri: 'channel:c' },
    });
    scheduler.advance(863);
    expect(events.at(-1)?.type).toBe('PlaybackStarted');
    scheduler.advance(1);
    expect(events.at(-1)).toMatchObject({ type: 'PlaybackFinished', playback: { state: 'done' } });
    engine.ariPlay('channel', 'c', ['sound:a', 'sound:b'], { playbackId: 'p2' });
    expect(engine.ariGetPlayback('p2').body).toMatchObject({ next_media_uri: 'sound:b' });
    scheduler.advance(1000);
    expect(events.at(-1)).toMatchObject({
      type: 'PlaybackContinuing',
      playback: { media_uri: 'sound:b' },
    });
    expect(engine.ariStopPlayback('p2').status).toBe(204);
    expect(events.at(-1)).toMatchObject({ type: 'PlaybackFinished', playback: { id: 'p2' } });
  });

  it('fails Stasis() for an app nobody registered, and the call hangs up', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariOriginate(
      { endpoint: 'Local/agent@agents', app: 'other', channelId: 'x', otherChannelId: 'x-2' },
      undefined,
    );
    scheduler.advance(1);
    expect(events.some((e) => e.type === 'StasisStart')).toBe(false);
    expect(
      events.find((e) => e.type === 'ChannelVarset' && e.variable === 'STASISSTATUS'),
    ).toMatchObject({
      value: 'FAILED',
    });
    expect(engine.channels.size).toBe(0);
  });

  it('reads callerId strings the way Asterisk parses them', () => {
    expect(parseCallerId('"Ringside" <5550000000>')).toEqual({
      name: 'Ringside',
      number: '5550000000',
    });
    expect(parseCallerId('Acme <+15550001>')).toEqual({ name: 'Acme', number: '+15550001' });
    expect(parseCallerId('5550001')).toEqual({ name: '', number: '5550001' });
    expect(parseCallerId('Acme')).toEqual({ name: 'Acme', number: '' });
  });

  it('emits only events and answers only bodies that match the ARI description, for every operation', () => {
    const { engine, scheduler, events } = makeEngine({ seed: 5 });
    const replies: Array<[string, string, { status: number; body?: unknown }]> = [];
    const r = (method: string, path: string, reply: { status: number; body?: unknown }) => {
      replies.push([method, path, reply]);
      return reply;
    };
    r('POST', '/bridges', engine.ariCreateBridge({ type: 'mixing', bridgeId: 'b' }));
    r(
      'POST',
      '/channels',
      engine.ariOriginate({ endpoint: 'PJSIP/agent1', app: 'dialer', channelId: 'a' }, { X: '1' }),
    );
    for (let d = 0; d < 10; d++) {
      r(
        'POST',
        '/channels',
        engine.ariOriginate(outbound(`555123000${d}`, `c${d}`), { LEAD: `l${d}` }),
      );
    }
    scheduler.advance(12_000);
    r('POST', '/bridges/b/addChannel', engine.ariAddChannel('b', { channel: 'a' }));
    r('POST', '/bridges/b/addChannel', engine.ariAddChannel('b', { channel: 'c1' }));
    r(
      'POST',
      '/channels/a/snoop',
      engine.ariSnoop('a', { spy: 'both', whisper: 'out', app: 'dialer', snoopId: 's' }),
    );
    r('GET', '/channels/c1/variable', engine.ariGetVar('c1', { variable: 'LEAD' }));
    r('POST', '/channels/c1/variable', engine.ariSetVar('c1', { variable: 'Y', value: '2' }));
    r('POST', '/channels/c0/hold', engine.ariChannelAction('c0', 'hold', {}));
    r('DELETE', '/channels/c0/hold', engine.ariChannelAction('c0', 'unhold', {}));
    r('POST', '/channels/c0/mute', engine.ariChannelAction('c0', 'mute', { direction: 'in' }));
    r('POST', '/channels/c0/answer', engine.ariChannelAction('c0', 'answer', {}));
    r('POST', '/channels/c2/play', engine.ariPlay('channel', 'c2', ['sound:vm-goodbye'], {}));
    r(
      'POST',
      '/bridges/b/play',
      engine.ariPlay('bridge', 'b', ['sound:beep'], { playbackId: 'bp' }),
    );
    r('POST', '/bridges/b/moh', engine.ariBridgeMoh('b', true, { mohClass: 'default' }));
    r('POST', '/channels/c3/continue', engine.ariContinue('c3', {}));
    r('GET', '/channels', engine.ariListChannels());
    r('GET', '/bridges', engine.ariListBridges());
    r('GET', '/bridges/b', engine.ariGetBridge('b'));
    r('GET', '/playbacks/bp', engine.ariGetPlayback('bp'));
    r('GET', '/endpoints', engine.ariListEndpoints());
    r('GET', '/asterisk/info', engine.ariInfo(undefined));
    r('GET', '/asterisk/ping', engine.ariPing());
    r('GET', '/asterisk/modules', engine.ariListModules());
    r('GET', '/asterisk/modules/codec_ulaw.so', engine.ariGetModule('codec_ulaw.so'));
    engine.registerPhone('agent1', false);
    engine.registerPhone('agent1', true);
    r('POST', '/bridges/b/removeChannel', engine.ariRemoveChannel('b', { channel: 'c1' }));
    r('DELETE', '/channels/c1', engine.ariHangup('c1', { reason: 'busy' }));
    r('DELETE', '/bridges/b', engine.ariDestroyBridge('b'));
    scheduler.advance(60_000);
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'PlaybackStarted',
      'PlaybackFinished',
      'PeerStatusChange',
      'ContactStatusChange',
      'ChannelLeftBridge',
      'BridgeDestroyed',
    ]) {
      expect(types, t).toContain(t);
    }
    const bad = events
      .map((e) => checkEvent({ ...e, application: 'dialer' }))
      .filter((c) => !c.ok)
      .map(formatIssues);
    expect(bad).toEqual([]);
    for (const [method, path, reply] of replies) {
      expect(reply.status, `${method} ${path}`).toBeLessThan(300);
      const c = checkResponse(method, path, reply.status, reply.body);
      expect(c.ok, formatIssues(c)).toBe(true);
    }
    // Unregistering agent1 leaves its leg (and the snoop on it) up, as Asterisk does
    // (webrtc-opus-refused); every customer has finished by now.
    expect([...engine.channels.keys()].sort()).toEqual(['a', 's']);
  });

  it('survives random operation sequences: valid events only, every start has its end, nothing leaks', () => {
    const { engine, scheduler, events } = makeEngine({
      seed: 3,
      defaultProfile: {
        mix: { human: 5, machine: 2, noanswer: 1, busy: 1, congestion: 1 },
        humanTalkMs: { min: 1000, max: 30000 },
      },
    });
    const rnd = mulberry32(9);
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)] as T;
    for (let i = 0; i < 3000; i++) {
      const ch = pick([...engine.channels.keys(), 'none']);
      const br = pick([...engine.bridges.keys(), 'none']);
      switch (Math.floor(rnd() * 13)) {
        case 0:
        case 1:
          engine.ariOriginate(
            {
              ...outbound(`555${Math.floor(rnd() * 1e7)}`, `c${i}`),
              timeout: String(Math.floor(rnd() * 40)),
            },
            undefined,
          );
          break;
        case 2:
          engine.ariOriginate(
            {
              endpoint: pick(['Local/agent@agents', 'PJSIP/agent1']),
              app: 'dialer',
              channelId: `a${i}`,
            },
            undefined,
          );
          break;
        case 3:
          engine.ariCreateBridge({ type: pick(['mixing', 'holding']), bridgeId: `b${i}` });
          break;
        case 4:
          engine.ariAddChannel(br, { channel: ch });
          break;
        case 5:
          engine.ariRemoveChannel(br, { channel: ch });
          break;
        case 6:
          engine.ariHangup(ch, { reason: pick(['normal', 'busy']) });
          break;
        case 7:
          engine.ariDestroyBridge(br);
          break;
        case 8:
          engine.ariPlay(
            pick(['channel', 'bridge'] as const),
            pick([ch, br]),
            ['sound:a', 'sound:b'],
            {},
          );
          break;
        case 9:
          engine.ariSnoop(ch, { spy: 'both', app: 'dialer' });
          break;
        case 10:
          engine.ariContinue(ch, {});
          break;
        case 11:
          engine.hangupCustomer(pick([...engine.calls.keys(), 'none']));
          break;
        default:
          engine.phoneLogin('agent1');
      }
      scheduler.advance(Math.floor(rnd() * 300));
    }
    engine.reset();
    scheduler.advance(200_000);
    const count = (t: string) => events.filter((e) => e.type === t).length;
    expect(count('ChannelCreated')).toBeGreaterThan(1500);
    expect(count('ChannelDestroyed')).toBe(count('ChannelCreated'));
    expect(count('StasisEnd')).toBe(count('StasisStart'));
    expect(count('ChannelLeftBridge')).toBe(count('ChannelEnteredBridge'));
    expect(count('BridgeDestroyed')).toBe(count('BridgeCreated'));
    expect(count('PlaybackFinished')).toBe(count('PlaybackStarted'));
    expect(engine.channels.size + engine.bridges.size + engine.playbacks.size).toBe(0);
    expect(scheduler.size()).toBe(0);
    const bad = events.map((e) => checkEvent({ ...e, application: 'dialer' })).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);
  });
});

describe('SimEngine: endpoints, codecs and translators', () => {
  const webrtcAgent = (allow: string[]) => ({ id: 'agent1', allow, webrtc: true });
  /** Agent leg on the phone in bridge b, then a ulaw customer answering HUMAN into the app. */
  function handOff(more: Partial<EngineOptions>) {
    const made = makeEngine({ seed: 1 }, more);
    const { engine, scheduler } = made;
    engine.ariCreateBridge({ type: 'mixing', bridgeId: 'b' });
    expect(
      engine.ariOriginate(
        { endpoint: 'PJSIP/agent1', app: 'dialer', appArgs: 'agent', channelId: 'leg' },
        undefined,
      ).status,
    ).toBe(200);
    scheduler.advance(200);
    expect(engine.ariAddChannel('b', { channel: 'leg' }).status).toBe(204);
    engine.ariOriginate(
      { endpoint: 'Local/5551230004@sim-customers', app: 'dialer', channelId: 'cust' },
      undefined,
    );
    scheduler.advance(7_000);
    made.events.length = 0;
    expect(engine.ariAddChannel('b', { channel: 'cust' }).status).toBe(204);
    return made;
  }

  it('answers 500 "Allocation failed" for an endpoint it does not know, as Asterisk', () => {
    const { engine } = makeEngine();
    const r = engine.ariOriginate({ endpoint: 'PJSIP/desk-104', app: 'dialer' }, undefined);
    expect(r).toEqual({ status: 500, body: { error: 'Allocation failed' } });
    expect(engine.channels.size).toBe(0);
    expect(engine.counters.originateErrors).toBe(1);
  });

  it('creates any endpoint when told to (anyEndpoint)', () => {
    const { engine } = makeEngine({ seed: 1 }, { anyEndpoint: true });
    const r = engine.ariOriginate({ endpoint: 'PJSIP/desk-104', app: 'dialer' }, undefined);
    expect(r.status).toBe(200);
    expect(engine.phones.get('desk-104')?.registered).toBe(true);
  });

  it('knows an endpoint once the dynamic configuration writes it, and forgets it when deleted', () => {
    const { engine, scheduler } = makeEngine({ seed: 1 }, { endpoints: [] });
    const attrs = new Map([
      ['disallow', 'all'],
      ['allow', 'ulaw,opus'],
      ['webrtc', 'yes'],
    ]);
    engine.endpointConfigured('alice', attrs);
    // Written but no phone registered on it yet: no contact, no channel.
    expect(engine.ariOriginate({ endpoint: 'PJSIP/alice', app: 'dialer' }, undefined).status).toBe(
      500,
    );
    engine.registerPhone('alice', true);
    const r = engine.ariOriginate(
      { endpoint: 'PJSIP/alice', app: 'dialer', channelId: 'a' },
      undefined,
    );
    expect(r.status).toBe(200);
    scheduler.advance(200);
    expect(engine.channels.get('a')?.codec).toBe('ulaw');
    engine.endpointDeleted('alice');
    expect(engine.ariOriginate({ endpoint: 'PJSIP/alice', app: 'dialer' }, undefined).status).toBe(
      500,
    );
  });

  it("negotiates the first codec of the endpoint's allow list that the browser offers", () => {
    for (const [allow, want] of [
      [['opus', 'ulaw'], 'opus'],
      [['ulaw', 'opus'], 'ulaw'],
    ] as const) {
      const { engine, scheduler } = makeEngine(
        { seed: 1 },
        { endpoints: [webrtcAgent([...allow])] },
      );
      engine.ariOriginate({ endpoint: 'PJSIP/agent1', app: 'dialer', channelId: 'a' }, undefined);
      scheduler.advance(200);
      expect(engine.ariGetVar('a', { variable: 'CHANNEL(audionativeformat)' }).body).toEqual({
        value: `(${want})`,
      });
      expect(engine.ariGetVar('a', { variable: 'CHANNEL(audioreadformat)' }).body).toEqual({
        value: want,
      });
      // The phone dialing in negotiates the same way.
      const login = engine.phoneLogin('agent1', 'in');
      expect(login.channelId).toBe('in');
      expect(engine.channels.get('in')?.codec).toBe(want);
    }
  });

  it('a phone sharing no codec with its endpoint refuses the call (cause 58) and cannot dial in', () => {
    const { engine, scheduler, events } = makeEngine(
      { seed: 1 },
      { endpoints: [{ id: 'agent1', allow: ['opus'], offers: ['ulaw'] }] },
    );
    const r = engine.ariOriginate(
      { endpoint: 'PJSIP/agent1', app: 'dialer', channelId: 'a' },
      undefined,
    );
    expect(r.status).toBe(200);
    scheduler.advance(200);
    expect(engine.channels.size).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'ChannelDestroyed', cause: 58 });
    expect(engine.phoneLogin('agent1').error).toMatch(/no codec in common/);
  });

  it('ejects a ulaw customer from an Opus agent bridge with no translator: entered, then left in the same millisecond', () => {
    const { engine, events } = handOff({ endpoints: [webrtcAgent(['opus', 'ulaw'])] });
    // Asterisk 22.10.1's order (traces/webrtc-opus-refused.jsonl): BRIDGEPEER on both and
    // BRIDGEPVTCALLID towards the PJSIP leg are set before the ejection and never cleared.
    expect(
      events.map((e) =>
        [e.type, (e.channel as { id: string }).id, e.variable, e.value]
          .filter((x) => x !== undefined)
          .join(' '),
      ),
    ).toEqual([
      'ChannelEnteredBridge cust',
      expect.stringMatching(
        /^ChannelVarset leg BRIDGEPEER Local\/5551230004@sim-customers-[0-9a-f]{8};1$/,
      ),
      expect.stringMatching(/^ChannelVarset cust BRIDGEPEER PJSIP\/agent1-[0-9a-f]{8}$/),
      expect.stringMatching(/^ChannelVarset cust BRIDGEPVTCALLID /),
      'ChannelLeftBridge cust',
    ]);
    const [entered, left] = events.filter((e) => e.type !== 'ChannelVarset') as [
      AriEventOut,
      AriEventOut,
    ];
    expect(entered.timestamp).toBe(left.timestamp);
    expect((entered.channel as { id: string }).id).toBe('cust');
    expect((entered.bridge as { channels: string[] }).channels).toEqual(['leg', 'cust']);
    expect((left.channel as { id: string }).id).toBe('cust');
    expect((left.bridge as { channels: string[] }).channels).toEqual(['leg']);
    // Still in the app, out of the bridge; the agent's leg stays.
    expect(engine.channels.get('cust')?.stasis).not.toBeNull();
    expect(engine.channels.get('cust')?.bridge).toBeNull();
    expect(engine.bridges.get('b')?.channels.map((c) => c.id)).toEqual(['leg']);
    expect(engine.counters.codecEjections).toBe(1);
    expect(engine.warnings).toEqual([
      expect.stringMatching(
        /^No path to translate from Local\/5551230004@sim-customers-[0-9a-f]{8};1 to PJSIP\/agent1-[0-9a-f]{8}$/,
      ),
    ]);
    const bad = events.map((e) => checkEvent({ ...e, application: 'dialer' })).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);
  });

  it('keeps the customer bridged when the agent negotiated ulaw, or when codec_opus is loaded', () => {
    const ulawFirst = handOff({ endpoints: [webrtcAgent(['ulaw', 'opus'])] });
    expect(ulawFirst.events.map((e) => e.type)).not.toContain('ChannelLeftBridge');
    expect(ulawFirst.engine.channels.get('cust')?.bridge?.id).toBe('b');

    const withOpus = handOff({
      endpoints: [webrtcAgent(['opus', 'ulaw'])],
      modules: new Set([...DEFAULT_MODULES, 'codec_opus.so']),
    });
    expect(withOpus.engine.channels.get('leg')?.codec).toBe('opus');
    expect(withOpus.events.map((e) => e.type)).not.toContain('ChannelLeftBridge');
    expect(withOpus.engine.counters.codecEjections).toBe(0);

    const alaw = handOff({ endpoints: [{ id: 'agent1', allow: ['alaw'] }] });
    expect(alaw.engine.channels.get('leg')?.codec).toBe('alaw');
    expect(alaw.events.map((e) => e.type)).not.toContain('ChannelLeftBridge');
  });

  it('lists and looks modules up like ARI: no codec_opus by default, the exact file name for details', () => {
    const { engine } = makeEngine();
    const names = (engine.ariListModules().body as Array<{ name: string }>).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['codec_ulaw.so', 'codec_alaw.so', 'codec_a_mu.so']),
    );
    expect(names).not.toContain('codec_opus.so');
    expect(engine.ariGetModule('codec_ulaw.so')).toEqual({
      status: 200,
      body: {
        name: 'codec_ulaw.so',
        description: 'mu-Law Coder/Decoder',
        use_count: 0,
        status: 'Running',
        support_level: 'core',
      },
    });
    expect(engine.ariGetModule('codec_ulaw').status).toBe(409);
    expect(engine.ariGetModule('codec_opus.so')).toEqual({
      status: 404,
      body: { message: 'Module could not be found in running modules' },
    });
    // Not installed: loading declines.
    expect(engine.ariLoadModule('codec_opus.so')).toEqual({
      status: 409,
      body: { message: 'Module load declined' },
    });
    expect(engine.ariUnloadModule('codec_a_mu').status).toBe(204);
    expect(engine.ariLoadModule('codec_a_mu.so').status).toBe(204);
    expect(engine.ariLoadModule('codec_a_mu.so')).toEqual({
      status: 409,
      body: { message: 'Module is already loaded' },
    });
  });
});

describe('SimEngine: the test-only contexts of deploy/asterisk/extensions.conf', () => {
  const dp = (events: AriEventOut[], id: string) =>
    events
      .filter((e) => e.type === 'ChannelDialplan' && (e.channel as { id: string }).id === id)
      .map((e) => {
        const p = (e.channel as { dialplan: { priority: number } }).dialplan.priority;
        return `${p} ${String(e.dialplan_app)}(${String(e.dialplan_app_data)})`;
      });

  it('sim-customers-talking: every number answers after 1 s, AMD says HUMAN, then it talks until hung up', () => {
    const { engine, scheduler, events } = makeEngine();
    // A last digit of 7 never answers in sim-customers; here every number is a person.
    const r = engine.ariOriginate(
      { ...outbound('12125550007', 't'), endpoint: 'Local/12125550007@sim-customers-talking' },
      undefined,
    );
    expect(r.status).toBe(200);
    expect((r.body as { name: string }).name).toBe(
      'Local/12125550007@sim-customers-talking-00000000;1',
    );
    expect(dp(events, 't-2')).toEqual([
      '1 NoOp(talking sim customer 12125550007)',
      '2 Ringing()',
      '3 Wait(1)',
    ]);
    scheduler.advance(999);
    expect(engine.channels.get('t')?.state).toBe('Ringing');
    scheduler.advance(1);
    expect(engine.channels.get('t')?.state).toBe('Up');
    scheduler.advance(2970);
    const start = events.find((e) => e.type === 'StasisStart');
    expect(start?.args).toEqual(['amd', 'HUMAN', 'HUMAN-803-800']);
    // Greeting (silence/1, hello, silence/2 after Answer's 500 ms), then the tone and the talk.
    scheduler.advance(4_500 - 2_970);
    expect(dp(events, 't-2').slice(3)).toEqual([
      '4 Answer()',
      '5 Playback(silence/1&hello&silence/2)',
      '6 PlayTones(1400/300,0/200)',
      '7 Wait(300)',
    ]);
    scheduler.advance(299_000);
    expect(engine.channels.has('t')).toBe(true);
    scheduler.advance(1_000);
    expect(dp(events, 't-2').at(-1)).toBe('8 Hangup()');
    expect(engine.channels.size).toBe(0);
    expect(events.filter((e) => e.type === 'ChannelDestroyed').map((e) => e.cause)).toEqual([
      16, 16,
    ]);
    const bad = events.map((e) => checkEvent({ ...e, application: 'dialer' })).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);
  });

  it('sim-customers-talking: hung up by ARI during the greeting, as Asterisk did in webrtc-opus-refused', () => {
    const { engine, scheduler, events } = makeEngine();
    engine.ariOriginate(
      { ...outbound('12125550000', 't'), endpoint: 'Local/12125550000@sim-customers-talking' },
      undefined,
    );
    scheduler.advance(4_600);
    events.length = 0;
    expect(engine.ariHangup('t', {}).status).toBe(204);
    expect(
      events.map((e) =>
        [e.type, (e.channel as { id: string }).id, e.variable ?? e.cause, e.soft ? 'soft' : '']
          .join(' ')
          .trim(),
      ),
    ).toEqual([
      'ChannelHangupRequest t 32 soft',
      'StasisEnd t',
      'ChannelVarset t STASISSTATUS',
      'ChannelHangupRequest t 16 soft',
      'ChannelHangupRequest t-2 16',
      'ChannelDestroyed t 16',
      'ChannelVarset t-2 PLAYBACKSTATUS',
      'ChannelHangupRequest t-2 16 soft',
      'ChannelDestroyed t-2 16',
    ]);
  });

  it('sim-agent-phones: Local/<username> answers at once, plays its tone and stays up', () => {
    const { engine, scheduler, events } = makeEngine();
    const r = engine.ariOriginate(
      {
        endpoint: 'Local/agent2@sim-agent-phones',
        app: 'dialer',
        appArgs: 'agent,agent2',
        channelId: 'p',
        otherChannelId: 'p-2',
      },
      undefined,
    );
    expect(r.status).toBe(200);
    expect((r.body as { name: string }).name).toBe('Local/agent2@sim-agent-phones-00000000;1');
    expect(engine.channels.get('p')?.state).toBe('Up');
    expect(events.find((e) => e.type === 'StasisStart')?.args).toEqual(['agent', 'agent2']);
    expect(
      events
        .filter((e) => e.type === 'Dial')
        .map((e) => `${String(e.dialstring)} ${String(e.dialstatus)}`),
    ).toEqual(['agent2@sim-agent-phones ', 'agent2@sim-agent-phones ANSWER']);
    scheduler.advance(500);
    expect(dp(events, 'p-2')).toEqual([
      '1 NoOp(sim agent phone agent2)',
      '2 Answer()',
      '3 PlayTones(440/300,0/200)',
      '4 Wait(36000)',
    ]);
    scheduler.advance(3_600_000);
    expect(engine.channels.get('p')?.state).toBe('Up');
    expect(engine.channels.get('p')?.codec).toBe('ulaw');
    expect(engine.ariHangup('p', {}).status).toBe(204);
    expect(engine.channels.size).toBe(0);
    const bad = events.map((e) => checkEvent({ ...e, application: 'dialer' })).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);
  });

  it('answers 500 "Allocation failed" for a context or extension the dialplan does not have', () => {
    const { engine } = makeEngine();
    for (const endpoint of [
      'Local/12125550000@sim-nowhere',
      'Local/Agent2@sim-agent-phones', // _[a-z0-9]. : lower case only
      'Local/a@sim-agent-phones', // at least two characters
      'Local/+12125550000@sim-customers-talking', // _X. : digits only
    ]) {
      expect(engine.ariOriginate({ endpoint, app: 'dialer' }, undefined), endpoint).toEqual({
        status: 500,
        body: { error: 'Allocation failed' },
      });
    }
    expect(engine.channels.size).toBe(0);
  });

  it('a phone whose AOR qualifies registers as Asterisk 22.10.1 showed: NonQualified, then Reachable', () => {
    const { engine, events } = makeEngine(
      { seed: 1 },
      { endpoints: [{ id: 'agent1', registered: false, qualify: true }] },
    );
    engine.registerPhone('agent1', true);
    expect(
      events.map((e) => {
        const ep = (e.endpoint as { state: string }).state;
        const c = e.contact_info as { contact_status: string } | undefined;
        const p = e.peer as { peer_status: string } | undefined;
        return `${e.type} ${ep} ${c?.contact_status ?? p?.peer_status ?? ''}`;
      }),
    ).toEqual([
      'ContactStatusChange offline NonQualified',
      'PeerStatusChange online Reachable',
      'ContactStatusChange online Reachable',
    ]);
  });

  it("a phone's leg stays up when the phone unregisters (Asterisk does not hang it up)", () => {
    const { engine } = makeEngine();
    expect(engine.phoneLogin('agent1', 'leg').channelId).toBe('leg');
    engine.registerPhone('agent1', false);
    expect(engine.channels.get('leg')?.hangingUp).toBe(false);
    engine.endpointDeleted('agent1');
    // A fixed endpoint (given at start) is not deleted.
    expect(engine.channels.has('leg')).toBe(true);
  });
});
