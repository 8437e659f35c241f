/** The trunk between two simulated PBXes of a fleet (trunks.ts). */
import { describe, expect, it } from 'vitest';
import { brief, expectValidEvents, makeEngine } from './engine-test-kit.js';
import { ManualScheduler } from './scheduler.js';
import { RTP_TIMEOUT_CAUSE } from './trunks.js';

function twoPbxes(latencyMs = 40, rtpTimeoutMs: number | null = null) {
  const scheduler = new ManualScheduler();
  const a = makeEngine({ seed: 1 }, { scheduler });
  const b = makeEngine({ seed: 2 }, { scheduler });
  a.engine.trunks.link('fleet-2', b.engine.trunks, 'fleet-1', latencyMs, rtpTimeoutMs);
  b.engine.trunks.link('fleet-1', a.engine.trunks, 'fleet-2', latencyMs, rtpTimeoutMs);
  return { scheduler, a, b };
}

const cross = (id: string) => ({
  endpoint: 'PJSIP/x-call1@fleet-1',
  app: 'dialer',
  appArgs: 'fleetleg,call1',
  channelId: id,
});

describe('fleet trunk between two simulated PBXes', () => {
  it('puts a crossing call on both PBXes: inbound in fleet-in unanswered after one latency, the caller answered one latency after the app answers', () => {
    const { scheduler, a, b } = twoPbxes(40);
    const r = b.engine.ariOriginate(cross('call1-x'), undefined);
    expect(r.status).toBe(200);
    expect(b.engine.channels.get('call1-x')?.state).toBe('Down');
    expect(a.engine.channels.size).toBe(0);
    scheduler.advance(40);
    const inbound = [...a.engine.channels.values()];
    expect(inbound).toHaveLength(1);
    expect(inbound[0]?.name).toMatch(/^PJSIP\/fleet-2-/);
    expect(inbound[0]?.stasis?.args).toEqual(['fleet', 'x-call1']);
    // fleet-in has no Answer(): the app answers (Asterisk's Answer() would wait 500 ms for audio).
    expect(inbound[0]?.state).toBe('Ring');
    expect(b.engine.channels.get('call1-x')?.state).toBe('Ringing');
    scheduler.advance(200);
    expect(b.engine.channels.get('call1-x')?.state).toBe('Ringing');
    expect(a.engine.ariChannelAction(inbound[0]?.id ?? '', 'answer', {}).status).toBe(204);
    expect(inbound[0]?.state).toBe('Up');
    scheduler.advance(39);
    expect(b.engine.channels.get('call1-x')?.state).toBe('Ringing');
    scheduler.advance(1);
    const out = b.engine.channels.get('call1-x');
    expect(out?.state).toBe('Up');
    expect(out?.stasis?.args).toEqual(['fleetleg', 'call1']);
    expect(brief(a.events)).toContain(`StasisStart:${inbound[0]?.id ?? ''}`);
    expectValidEvents(a.events);
    expectValidEvents(b.events);
  });

  it('carries a hang-up to the other PBX one latency later, either way', () => {
    const { scheduler, a, b } = twoPbxes(25);
    b.engine.ariOriginate(cross('call1-x'), undefined);
    scheduler.advance(25);
    const inId = [...a.engine.channels.keys()][0] as string;
    a.engine.ariChannelAction(inId, 'answer', {});
    scheduler.advance(25);
    b.engine.ariHangup('call1-x', {});
    expect(a.engine.channels.has(inId)).toBe(true);
    scheduler.advance(25);
    expect(a.engine.channels.size).toBe(0);

    b.engine.ariOriginate(cross('call2-x'), undefined);
    scheduler.advance(50);
    const in2 = [...a.engine.channels.keys()][0] as string;
    a.engine.ariHangup(in2, {});
    scheduler.advance(24);
    expect(b.engine.channels.has('call2-x')).toBe(true);
    scheduler.advance(1);
    expect(b.engine.channels.has('call2-x')).toBe(false);
  });

  it("ends the other PBX's trunk channels after the RTP timeout when one PBX is taken away, either side", () => {
    const { scheduler, a, b } = twoPbxes(20, 5_000);
    // call1 crosses from b (agent's side, call1-x) to a (customer's side, inbound).
    b.engine.ariOriginate(cross('call1-x'), undefined);
    scheduler.advance(20);
    const inId = [...a.engine.channels.keys()][0] as string;
    a.engine.ariChannelAction(inId, 'answer', {});
    scheduler.advance(20);
    expect(b.engine.channels.get('call1-x')?.state).toBe('Up');
    // a dies: no BYE; b hears nothing and hangs up after 5 s.
    a.engine.trunks.halt();
    scheduler.advance(4_999);
    expect(b.engine.channels.has('call1-x')).toBe(true);
    scheduler.advance(1);
    expect(b.engine.channels.has('call1-x')).toBe(false);
    expect(brief(b.events)).toContain('ChannelDestroyed:call1-x');
    const gone = b.events.find(
      (e) => e.type === 'ChannelDestroyed' && (e.channel as { id: string }).id === 'call1-x',
    ) as { cause?: number } | undefined;
    expect(gone?.cause).toBe(RTP_TIMEOUT_CAUSE);
    expectValidEvents(b.events);
    // The other way: b dies, a's inbound channel of a new crossing ends.
    const c = twoPbxes(20, 5_000);
    c.b.engine.ariOriginate(cross('call2-x'), undefined);
    c.scheduler.advance(20);
    const in2 = [...c.a.engine.channels.keys()][0] as string;
    c.a.engine.ariChannelAction(in2, 'answer', {});
    c.scheduler.advance(20);
    c.b.engine.trunks.halt();
    c.scheduler.advance(5_000);
    expect(c.a.engine.channels.has(in2)).toBe(false);
  });

  it('keeps the trunk channels without an RTP timeout, and when the far PBX lives', () => {
    const { scheduler, a, b } = twoPbxes(20, null);
    b.engine.ariOriginate(cross('call1-x'), undefined);
    scheduler.advance(40);
    a.engine.trunks.halt();
    scheduler.advance(60_000);
    expect(b.engine.channels.has('call1-x')).toBe(true);
    const c = twoPbxes(20, 5_000);
    c.b.engine.ariOriginate(cross('call2-x'), undefined);
    c.scheduler.advance(60_000);
    expect(c.b.engine.channels.has('call2-x')).toBe(true);
  });

  it('refuses an extension fleet-in does not take, and an unknown trunk', () => {
    const { scheduler, a, b } = twoPbxes(10);
    b.engine.ariOriginate({ ...cross('y'), endpoint: 'PJSIP/agent-7@fleet-1' }, undefined);
    scheduler.advance(30);
    expect(b.engine.channels.has('y')).toBe(false);
    expect(a.engine.channels.size).toBe(0);
    expect(
      b.engine.ariOriginate({ ...cross('z'), endpoint: 'PJSIP/x-1@fleet-9' }, undefined).status,
    ).toBe(500);
  });
});
