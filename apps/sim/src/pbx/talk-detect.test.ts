/**
 * TALK_DETECT on the simulated PBX: ChannelTalkingStarted/Finished for what the customer says
 * (a machine's greeting, a human's hello), at Asterisk's times and with its duration.
 */
import { describe, expect, it } from 'vitest';
import { checkResponse, formatIssues } from '@ringside/ari';
import { expectValidEvents, intoApp, makeEngine, outbound } from './engine-test-kit.js';
import { TALK_DETECT_SILENCE_MS } from './talk-detect.js';

const talk = <T extends { type: string }>(events: ReadonlyArray<T>): T[] =>
  events.filter((e) => e.type.startsWith('ChannelTalking'));

function answeredAt(engine: ReturnType<typeof makeEngine>['engine']): number {
  const call = [...engine.calls.values()][0];
  if (call?.answeredAtMs == null) throw new Error('not answered');
  return call.answeredAtMs;
}

describe('TALK_DETECT', () => {
  it('reports a machine greeting from when it is set to the greeting’s end', () => {
    const { engine, scheduler, events } = makeEngine({
      seed: 1,
      defaultProfile: { machineRingMs: 3000, machineGreetingMs: 9500, machineHangupMs: 40_000 },
    });
    engine.ariOriginate(outbound('5551230005', 'm'), undefined);
    scheduler.advance(3000 + 2062);
    const start = events.find((e) => e.type === 'StasisStart');
    expect(start?.args).toEqual(expect.arrayContaining(['MACHINE']));
    const ans = answeredAt(engine);
    const setAt = scheduler.nowMs();
    const before = events.length;
    const r = engine.ariSetVar('m', { variable: 'TALK_DETECT(set)', value: '' });
    const c = checkResponse('POST', '/channels/m/variable', r.status, r.body);
    expect(c.ok, formatIssues(c)).toBe(true);
    expect(r).toEqual({ status: 204 });
    // A dialplan function, not a variable: no ChannelVarset.
    expect(events.slice(before).map((e) => e.type)).not.toContain('ChannelVarset');
    scheduler.advance(20);
    expect(talk(events).map((e) => e.type)).toEqual(['ChannelTalkingStarted']);
    const greetingEnd = ans + 9500;
    scheduler.advance(greetingEnd + TALK_DETECT_SILENCE_MS - scheduler.nowMs() - 1);
    expect(talk(events)).toHaveLength(1);
    scheduler.advance(1);
    expect(talk(events)[1]).toMatchObject({
      type: 'ChannelTalkingFinished',
      channel: { id: 'm' },
      duration: greetingEnd - setAt - 20,
    });
    expectValidEvents(events);
  });

  it('reports a human’s hello with its length, after the silence threshold given', () => {
    const { engine, scheduler, events } = makeEngine({
      seed: 1,
      defaultProfile: { humanRingMs: 1000, humanTalkMs: 60_000 },
    });
    engine.ariOriginate(intoApp('Local/5551230001@sim-customers', 'h', 'customer'), undefined);
    scheduler.advance(1000);
    const ans = answeredAt(engine);
    expect(engine.ariSetVar('h', { variable: 'TALK_DETECT(set)', value: '1200' }).status).toBe(204);
    scheduler.advance(10_000);
    const [started, finished] = talk(events);
    expect(started).toMatchObject({ type: 'ChannelTalkingStarted', channel: { id: 'h' } });
    expect(Date.parse(String(started?.timestamp).replace('+0000', 'Z'))).toBe(ans + 1500 + 20);
    expect(finished).toMatchObject({ type: 'ChannelTalkingFinished', duration: 1130 - 20 });
    expect(Date.parse(String(finished?.timestamp).replace('+0000', 'Z'))).toBe(
      ans + 1500 + 1130 + 1200,
    );
    expect(talk(events)).toHaveLength(2);
    expectValidEvents(events);
  });

  it('sends nothing once removed, and refuses channels outside Stasis and bad thresholds', () => {
    const { engine, scheduler, events } = makeEngine({
      seed: 1,
      defaultProfile: { humanRingMs: 1000, humanTalkMs: 60_000 },
    });
    engine.ariOriginate(intoApp('Local/5551230001@sim-customers', 'h', 'customer'), undefined);
    scheduler.advance(1000);
    engine.ariSetVar('h', { variable: 'TALK_DETECT(set)', value: '' });
    expect(engine.ariSetVar('h', { variable: 'TALK_DETECT(remove)', value: '' }).status).toBe(204);
    scheduler.advance(10_000);
    expect(talk(events)).toEqual([]);
    expect(engine.ariSetVar('nope', { variable: 'TALK_DETECT(set)' }).status).toBe(404);
    expect(engine.ariSetVar('h-2', { variable: 'TALK_DETECT(set)' }).status).toBe(409);
    expect(engine.ariSetVar('h', { variable: 'TALK_DETECT(set)', value: 'soon' }).status).toBe(500);
  });

  it('stops with the channel: a hang-up mid-greeting sends no ChannelTalkingFinished', () => {
    const { engine, scheduler, events } = makeEngine({
      seed: 1,
      defaultProfile: { machineRingMs: 3000, machineGreetingMs: 9500, machineHangupMs: 40_000 },
    });
    engine.ariOriginate(outbound('5551230005', 'm'), undefined);
    scheduler.advance(3000 + 2062);
    engine.ariSetVar('m', { variable: 'TALK_DETECT(set)', value: '' });
    scheduler.advance(1000);
    engine.ariHangup('m', {});
    scheduler.advance(20_000);
    expect(talk(events).map((e) => e.type)).toEqual(['ChannelTalkingStarted']);
  });
});
