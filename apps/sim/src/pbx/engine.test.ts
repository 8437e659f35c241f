/** The engine's core behaviours: determinism, hang-ups, snoops, bridges, playbacks, ARI's shapes. */
import { describe, expect, it } from 'vitest';
import { checkResponse, formatIssues } from '@ringside/ari';
import { mulberry32 } from './customers.js';
import { parseCallerId } from './engine.js';
import { brief, expectValidEvents, intoApp, makeEngine, outbound } from './engine-test-kit.js';

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
    engine.ariOriginate(intoApp('Local/agent@agents', 'ag', 'agent'), undefined);
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
    engine.ariOriginate(intoApp('Local/5551230000@sim-customers', 'c', 'direct'), undefined);
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
    engine.ariOriginate(intoApp('Local/5551230000@sim-customers', 'c'), undefined);
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
    expectValidEvents(events);
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
    expectValidEvents(events);
  });
});
