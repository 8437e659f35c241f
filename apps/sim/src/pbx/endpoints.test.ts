/** Endpoints and codecs: unknown and dynamic endpoints, negotiation, translators, modules. */
import { describe, expect, it } from 'vitest';
import type { AriEventOut, EngineOptions } from './engine.js';
import { DEFAULT_MODULES, expectValidEvents, makeEngine } from './engine-test-kit.js';

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
    expectValidEvents(events);
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
