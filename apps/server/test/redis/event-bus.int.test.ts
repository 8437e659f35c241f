import { Redis } from 'ioredis';
import type { BusEnvelope, DomainEvent } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { agentStatus, changed } from '../../src/ports/fakes/conformance/fixtures.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { deleteByPrefix, redisTestContext, type RedisTestContext } from './redis-harness.js';

let rc: RedisTestContext;
beforeAll(async () => {
  rc = await redisTestContext('bus');
});
afterAll(async () => {
  await rc.cleanup();
});

const ev = (n: number): DomainEvent => ({
  type: 'telephony.status',
  serverId: `s${n}`,
  up: n % 2 === 0,
  reason: 'test',
  atMs: n,
});

async function until(pred: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RedisEventBus', () => {
  it('numbers events of concurrent publishers 1..n in stream order', async () => {
    const prefix = `${rc.prefix}_a`;
    const conns = Array.from({ length: 4 }, () => new Redis(TEST_REDIS_URL));
    const buses = conns.map((c) => new RedisEventBus(c, { prefix }));
    const seen: BusEnvelope[] = [];
    const sub = await buses[0]?.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) });
    await Promise.all(
      buses.map(async (b, i) => {
        for (let j = 0; j < 50; j++) await b.publish(ev(i * 1000 + j));
      }),
    );
    await until(() => seen.length === 200);
    await sub?.close();
    for (const c of conns) c.disconnect();
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Each publisher's own events keep their order.
    for (let i = 0; i < 4; i++) {
      const mine = seen.map((e) => e.event.atMs).filter((t) => Math.floor(t / 1000) === i);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    await deleteByPrefix(rc.redis, prefix);
  });

  it('resumes after its connection is killed, without losing or repeating an event', async () => {
    const prefix = `${rc.prefix}_b`;
    const bus = new RedisEventBus(rc.redis, { prefix, blockMs: 500 });
    const seen: number[] = [];
    const gaps: number[] = [];
    const sub = await bus.subscribe({
      from: 'latest',
      onEvent: (e) => void seen.push(e.seq),
      onGap: (_s, expected) => void gaps.push(expected),
    });
    await bus.publish(ev(1));
    await until(() => seen.length === 1);
    const list = await rc.redis.client('LIST');
    const ids = String(list)
      .split('\n')
      .filter((l) => l.includes(`name=${prefix}:bus:system`))
      .map((l) => /id=(\d+)/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
    expect(ids).toHaveLength(1);
    await rc.redis.client('KILL', 'ID', ids[0] ?? '');
    for (let i = 2; i <= 10; i++) await bus.publish(ev(i));
    await until(() => seen.length === 10, 10_000);
    await sub.close();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
    await deleteByPrefix(rc.redis, prefix);
  });

  it('reports a gap after MAXLEN trimming and when the stream starts over after a Redis reset', async () => {
    const prefix = `${rc.prefix}_c`;
    const bus = new RedisEventBus(rc.redis, {
      prefix,
      streamMaxLen: 5,
      approximateTrim: false,
      blockMs: 200,
    });
    for (let i = 1; i <= 3; i++) await bus.publish(ev(i));
    const seen: number[] = [];
    const gaps: Array<[number, number]> = [];
    // From the start of a trimmed stream: no gap for the first retained event.
    for (let i = 4; i <= 12; i++) await bus.publish(ev(i));
    const sub = await bus.subscribe({
      from: 'start',
      onEvent: (e) => void seen.push(e.seq),
      onGap: (_s, expected, got) => void gaps.push([expected, got]),
    });
    await until(() => seen.length === 5);
    expect(seen).toEqual([8, 9, 10, 11, 12]);
    expect(gaps).toEqual([]);
    // Redis loses everything: seq starts again at 1, which the consumer must hear about.
    await deleteByPrefix(rc.redis, prefix);
    await bus.publish(ev(100));
    await until(() => seen.length === 6);
    await sub.close();
    expect(seen[5]).toBe(1);
    expect(gaps).toEqual([[13, 1]]);
  });

  it('publishes a state write and its event atomically: the event is in the stream with the state', async () => {
    const prefix = `${rc.prefix}_d`;
    const store = new RedisStateStore(rc.redis, { prefix });
    const a = agentStatus('a9', 'READY', 10);
    const env = await store.transitionAgent(a, null, changed(null, a));
    const keys = new RedisKeys(prefix);
    const entries = await rc.redis.xrange(keys.stream('agents'), '-', '+');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.[1]).toEqual([
      'seq',
      String(env?.seq),
      'ts',
      String(env?.tsMs),
      'e',
      JSON.stringify(env?.event),
    ]);
    expect(await rc.redis.hget(keys.agentStatus(a.agentId), 'state')).toBe('READY');
    await deleteByPrefix(rc.redis, prefix);
  });
});
