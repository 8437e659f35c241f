/** The test-only dialplan contexts (talking customers, bot agent phones) and phone registration. */
import { describe, expect, it } from 'vitest';
import type { AriEventOut } from './engine.js';
import { expectValidEvents, intoApp, makeEngine, outbound } from './engine-test-kit.js';

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
    expectValidEvents(events);
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
      intoApp('Local/agent2@sim-agent-phones', 'p', 'agent,agent2'),
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
    expectValidEvents(events);
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
