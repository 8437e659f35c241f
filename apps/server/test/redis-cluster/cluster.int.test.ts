import { Writable } from 'node:stream';
import type { BusEnvelope, DomainEvent } from '@ringside/protocol';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisTarget } from '../../src/adapters/redis/connect.js';
import { CampaignLeases, PacingControlStore } from '../../src/adapters/redis/dialer-state.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisNationalDnc } from '../../src/adapters/redis/national-dnc.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { realtimeConformance } from '../../src/ports/fakes/conformance/realtime.suite.js';
import { hopperEntry, ids, liveCall } from '../../src/ports/fakes/conformance/fixtures.js';
import type { PacingControl } from '../../src/domain/pacing/pacing-types.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/ports/clock.js';
import { startHopperScheduler, startScheduler } from '../../src/roles/scheduler.js';
import { useTestDb } from '../helpers/hooks.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { insertManyLeads, seedCampaign } from '../redis/seed.js';
import type { Logger } from '../../src/logger.js';
import {
  startRedisCluster,
  startRedisSentinel,
  type LocalRedisCluster,
  type LocalRedisSentinel,
} from '../helpers/redis-cluster.js';

/**
 * Ringside's Redis use on a Redis Cluster (issue 16): three masters with a replica each on
 * 127.0.0.1:7000-7005 (test/helpers/redis-cluster.ts), reached the way the roles reach it
 * (connectRedis with REDIS_CLUSTER_NODES). One file, one cluster: the ports are fixed, so the
 * tests that damage the cluster (resharding, then failover) run last.
 */

let cluster: LocalRedisCluster;
let target: RedisTarget;
let redis: Redis;
const opened: Redis[] = [];

function connect(o: Parameters<typeof connectRedis>[1] = {}): Redis {
  const c = connectRedis(target, o);
  opened.push(c);
  return c;
}

/** Deletes every key under `prefix` on every master. */
async function cleanup(prefix: string): Promise<void> {
  for (const m of (await cluster.topology()).filter((n) => n.role === 'master' && !n.failed)) {
    const node = cluster.node(m.port);
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) await node.unlink(k);
    } while (cursor !== '0');
  }
}

async function slotOf(key: string): Promise<number> {
  return Number(await cluster.node(7000).call('CLUSTER', 'KEYSLOT', key));
}

async function portOf(key: string): Promise<number> {
  return (await cluster.masterOf(await slotOf(key))).port;
}

/** A pino logger whose lines are kept in `lines`. */
function capturingLogger(): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino<never>({ level: 'info' }, stream), lines };
}

function telephony(n: number): DomainEvent {
  return { type: 'telephony.status', serverId: `pbx${n}`, up: true, reason: 'test', atMs: n };
}

async function until(
  pred: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('on a local Redis Cluster (three masters, one replica each)', () => {
  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2_000 });
    target = { redisUrl: 'redis://127.0.0.1:6379', redisClusterNodes: cluster.nodes };
    redis = connect();
  });

  afterAll(async () => {
    for (const c of opened.splice(0)) c.disconnect();
    await cluster?.stop();
  });

  realtimeConformance('redis adapters on Redis Cluster', async () => {
    const prefix = testRedisPrefix('cluster_conf');
    const maxLen = 20;
    const opts = { prefix, streamMaxLen: maxLen, approximateTrim: false };
    return {
      store: new RedisStateStore(redis, opts),
      bus: new RedisEventBus(redis, { ...opts, blockMs: 200 }),
      hopper: new RedisHopper(redis, opts),
      maxLen,
      close: () => cleanup(prefix),
    };
  });

  describe('the roles on Redis Cluster', () => {
    const db = useTestDb('cluster_role');

    it('runs the scheduler role from REDIS_CLUSTER_NODES: boot sentinel, rebuild, hoppers filled through BullMQ', async () => {
      const prefix = testRedisPrefix('cluster_role');
      const s = await seedCampaign(db.pool, { hopperSize: 15 });
      await insertManyLeads(db.pool, s.listId, 40, ['America/Chicago'], 13_125_550_000);
      const config = loadConfig({
        REDIS_PREFIX: prefix,
        REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
      });
      expect(config.redisClusterNodes).toHaveLength(6);
      const role = await startScheduler({
        config,
        logger: createLogger('silent'),
        pool: db.pool,
        clock: new ManualClock(Date.parse('2026-01-15T18:00:00Z')),
        ariServers: [],
      });
      const hopper = new RedisHopper(redis, { prefix });
      const cid = ids.campaign(s.campaignId);
      try {
        await until(
          async () => (await redis.exists(new RedisKeys(prefix).bootSentinel)) === 1,
          15_000,
          'the boot sentinel',
        );
        await until(async () => (await hopper.size(cid)) === 15, 15_000, 'a full hopper');
      } finally {
        await role.stop();
        await cleanup(prefix);
      }
    });

    it('refuses a REDIS_CLUSTER_NODES entry that is not host:port, naming it', () => {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1' })).toThrow(
        'configuration: REDIS_CLUSTER_NODES is invalid ("127.0.0.1" is not host:port)',
      );
      expect(() => loadConfig({ REDIS_SENTINELS: 'h:99999' })).toThrow(
        /REDIS_SENTINELS is invalid/,
      );
    });

    it('reads the three event streams, which live on different masters, in one subscription', async () => {
      const prefix = testRedisPrefix('cluster_bus');
      const keys = new RedisKeys(prefix);
      const nodes = new Set(
        await Promise.all(
          (['agents', 'calls', 'system'] as const).map((s) => portOf(keys.stream(s))),
        ),
      );
      // Not one node: otherwise nothing here would show that one XREAD per stream is needed.
      expect(nodes.size).toBeGreaterThan(1);
      const bus = new RedisEventBus(redis, { prefix, blockMs: 200 });
      const store = new RedisStateStore(redis, { prefix });
      const got: BusEnvelope[] = [];
      const sub = await bus.subscribe({ from: 'latest', onEvent: (e) => void got.push(e) });
      try {
        await bus.publish(telephony(1));
        const call = liveCall('k1');
        await store.putCall(call, { type: 'call.ringing', callId: call.callId, atMs: 1_500 });
        await bus.publish(telephony(2));
        await until(() => got.length >= 3, 5_000, 'three events');
        expect(got.map((e) => `${e.stream}:${e.seq}`).sort()).toEqual([
          'calls:1',
          'system:1',
          'system:2',
        ]);
      } finally {
        await sub.close();
        await cleanup(prefix);
      }
    });

    it('hands every lead of hoppers on different masters to exactly one of four consumers', async () => {
      const prefix = testRedisPrefix('cluster_hop');
      const keys = new RedisKeys(prefix);
      const campaigns = ['c1', 'c2', 'c3', 'c4'].map((c) => ids.campaign(c));
      const ports = new Set(
        await Promise.all(campaigns.map((c) => portOf(keys.hopper(c).entries))),
      );
      expect(ports.size).toBeGreaterThan(1);
      const hopper = new RedisHopper(redis, { prefix });
      for (const c of campaigns) {
        const n = await hopper.add(
          c,
          Array.from({ length: 50 }, (_, i) => hopperEntry(`${c}${i}`, 'new', { campaignId: c })),
        );
        expect(n).toBe(50);
      }
      const consumers = Array.from({ length: 4 }, () => new RedisHopper(connect(), { prefix }));
      const taken = await Promise.all(
        consumers.map(async (h, i) => {
          const mine: string[] = [];
          for (;;) {
            let any = false;
            for (const c of campaigns) {
              const l = await h.pop(c, `k${i}`, 30_000, 1_000);
              if (l) {
                mine.push(l.entry.leadId);
                expect(await h.ack(c, l.entry.leadId, `k${i}`)).toBe(true);
                any = true;
              }
            }
            if (!any) return mine;
          }
        }),
      );
      const all = taken.flat();
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      for (const c of campaigns) expect(await hopper.size(c)).toBe(0);
      await cleanup(prefix);
    });

    it('gives a campaign lease to one dialer at a time and saves pacing control only under it', async () => {
      const prefix = testRedisPrefix('cluster_lease');
      const keys = new RedisKeys(prefix);
      const c = ids.campaign('7');
      const a = new CampaignLeases(redis, keys, 'dialer-a', 5_000);
      const b = new CampaignLeases(connect(), keys, 'dialer-b', 5_000);
      expect(await a.acquireOrRenew(c)).toBe(true);
      expect(await b.acquireOrRenew(c)).toBe(false);
      expect(await b.owner(c)).toBe('dialer-a');
      const control: PacingControl = { theta: 0.05, humansAt: 3, dropsAt: 0 };
      expect(await new PacingControlStore(redis, keys, 'dialer-b').save(c, control)).toBe(false);
      expect(await new PacingControlStore(redis, keys, 'dialer-a').save(c, control)).toBe(true);
      await a.give(c);
      expect(await b.acquireOrRenew(c)).toBe(true);
      expect(await new PacingControlStore(redis, keys, 'dialer-b').load(c)).toEqual(control);
      await cleanup(prefix);
    });

    it('applies national DNC changes of area codes on different masters in one call', async () => {
      const prefix = testRedisPrefix('cluster_dnc');
      const keys = new RedisKeys(prefix);
      const npas = ['201', '202', '203', '204', '205', '206'];
      const ports = new Set(await Promise.all(npas.map((n) => portOf(keys.dncNational(n).bits))));
      expect(ports.size).toBeGreaterThan(1);
      const dnc = new RedisNationalDnc(redis, keys);
      await dnc.applyChanges(npas.map((npa, i) => ({ npa, line: 5550000 + i, listed: true })));
      for (const [i, npa] of npas.entries())
        expect(await dnc.isListed(`+1${npa}${5550000 + i}`)).toBe(true);
      expect(await dnc.isListed('+12015550001')).toBe(false);
      await cleanup(prefix);
    });

    it('runs the scheduler role’s BullMQ refill jobs on the cluster', async () => {
      const prefix = testRedisPrefix('cluster_bull');
      const ran: string[] = [];
      const s = await startHopperScheduler({
        ...target,
        prefix: new RedisKeys(prefix).bullPrefix,
        everyMs: 60_000,
        filler: {
          fillAll: async () => {
            ran.push('all');
            return [];
          },
          fillById: async (id) => {
            ran.push(`refill:${id}`);
            return null;
          },
        },
      });
      try {
        await s.request(ids.campaign('42'));
        await until(() => ran.includes('refill:42'), 10_000, 'the refill job');
        expect(ran).toContain('all');
      } finally {
        await s.close();
        await cleanup(prefix);
      }
    });
  });

  /** INFO errorstats counters of one node: errorstat_MOVED, _ASK, _TRYAGAIN ... */
  async function redirections(port: number): Promise<number> {
    const info = String(await cluster.node(port).call('INFO', 'errorstats'));
    let n = 0;
    for (const m of info.matchAll(/errorstat_(MOVED|ASK|TRYAGAIN):count=(\d+)/g)) n += Number(m[2]);
    return n;
  }

  // These damage the cluster (a slot moves, a master dies): they run last, in this order.
  describe('Redis Cluster faults', () => {
    /** The master the failover test killed (down until the last test restarts it). */
    let failedPort = 0;
    it('loses no hopper write while the campaign’s slot migrates to another master (MOVED, ASK, TRYAGAIN followed)', async () => {
      const prefix = testRedisPrefix('cluster_reshard');
      const keys = new RedisKeys(prefix);
      const c = ids.campaign('91');
      const slot = await slotOf(keys.hopper(c).entries);
      const src = await cluster.masterOf(slot);
      const dst = (await cluster.topology()).find(
        (n) => n.role === 'master' && n.id !== src.id && n.slots.length > 0,
      );
      if (!dst) throw new Error('no other master');
      const hopper = new RedisHopper(connect(), { prefix });
      await hopper.add(c, [hopperEntry('0', 'new', { campaignId: c })]);
      const acked = ['0'];
      let writing = true;
      let i = 1;
      const writer = (async () => {
        while (writing) {
          const id = String(i++);
          const p = (['new', 'recycle', 'callback'] as const)[i % 3];
          await hopper.add(c, [hopperEntry(id, p, { campaignId: c })]);
          acked.push(id);
        }
      })();
      const before = await redirections(src.port);
      const srcNode = cluster.node(src.port);
      const dstNode = cluster.node(dst.port);
      await new Promise((r) => setTimeout(r, 100));
      await dstNode.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', src.id);
      await srcNode.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst.id);
      // One key at a time with writes in between: the hopper's scripts meet a slot half moved.
      for (;;) {
        const moving = (await srcNode.call('CLUSTER', 'GETKEYSINSLOT', slot, 1)) as string[];
        if (moving.length === 0) break;
        await srcNode.call('MIGRATE', '127.0.0.1', dst.port, '', 0, 5_000, 'KEYS', ...moving);
        await new Promise((r) => setTimeout(r, 40));
      }
      for (const n of (await cluster.topology()).filter((x) => x.role === 'master' && !x.failed))
        await cluster.node(n.port).call('CLUSTER', 'SETSLOT', slot, 'NODE', dst.id);
      const afterMove = acked.length;
      await until(() => acked.length > afterMove + 20, 10_000, 'writes after the move');
      writing = false;
      await writer;
      expect((await cluster.masterOf(slot)).port).toBe(dst.port);
      expect(await redirections(src.port)).toBeGreaterThan(before);
      const held = (await hopper.entries(c)).map((e) => e.leadId as string);
      expect(held.length).toBe(acked.length);
      expect(new Set(held)).toEqual(new Set(acked));
      await cleanup(prefix);
    });

    it('keeps publishing through a master’s kill -9: its replica takes over and no acknowledged event is lost', async () => {
      const prefix = testRedisPrefix('cluster_failover');
      const keys = new RedisKeys(prefix);
      const slot = await slotOf(keys.stream('system'));
      const master = await cluster.masterOf(slot);
      const replica = (await cluster.topology()).find((n) => n.masterId === master.id && !n.failed);
      if (!replica) throw new Error('the master has no replica');
      const { logger, lines } = capturingLogger();
      const bus = new RedisEventBus(connect({ logger }), { prefix });
      const acked: number[] = [];
      let failed = 0;
      let writing = true;
      let n = 0;
      const writer = (async () => {
        while (writing) {
          try {
            acked.push((await bus.publish(telephony(++n))).seq);
          } catch {
            failed++; // not acknowledged: it may or may not be in the stream
          }
        }
      })();
      await until(() => acked.length > 50, 5_000, 'writes before the kill');
      cluster.kill9(master.port);
      const killedAt = Date.now();
      const atKill = acked.length;
      await until(
        async () => (await cluster.masterOf(slot).catch(() => null))?.port === replica.port,
        20_000,
        'the replica promoted',
      );
      await until(() => acked.length > atKill + 50, 20_000, 'writes after the failover');
      const resumedMs = Date.now() - killedAt;
      writing = false;
      await writer;
      const entries = await cluster.node(replica.port).xrange(keys.stream('system'), '-', '+');
      const stored = new Set(entries.map(([, f]) => Number(f[f.indexOf('seq') + 1])));
      const lost = acked.filter((s) => !stored.has(s));
      console.info(
        `failover: ${acked.length} events acknowledged (${atKill} before the kill), ${failed} failed, ${lost.length} lost, writing again within ${resumedMs} ms of the kill`,
      );
      expect(lost).toEqual([]);
      expect(failed).toBe(0);
      // The fault is logged once, naming the node, not once per retry.
      const down = lines.filter((l) => l.node === `127.0.0.1:${master.port}`);
      expect(down.length).toBeLessThanOrEqual(1);
      await cleanup(prefix);
      failedPort = master.port;
    });

    it('a role whose only seed node is down at start says so once, retries, and connects when it is back', async () => {
      expect(failedPort).toBeGreaterThan(0);
      const { logger, lines } = capturingLogger();
      let errors = 0;
      const only = connectRedis(
        { redisUrl: target.redisUrl, redisClusterNodes: [{ host: '127.0.0.1', port: failedPort }] },
        { logger },
      );
      opened.push(only);
      only.on('error', () => errors++);
      const key = `${testRedisPrefix('cluster_seed')}:{s}:k`;
      const set = only.set(key, '1');
      await until(() => errors >= 3, 10_000, 'three failed attempts');
      const warned = lines.filter(
        (l) => l.level === 40 && String(l.node).includes(`:${failedPort}`),
      );
      expect(warned).toHaveLength(1);
      expect(String(warned[0]?.msg)).toMatch(/unreachable/);
      await cluster.restart(failedPort);
      await expect(set).resolves.toBe('OK');
      expect(lines.filter((l) => l.msg === 'redis connection restored')).toHaveLength(1);
      expect(
        lines.filter((l) => l.level === 40 && String(l.node).includes(`:${failedPort}`)),
      ).toHaveLength(1);
      await only.del(key);
    });
  });
});

describe('on Sentinel (a primary, a replica, three Sentinels)', () => {
  let sentinel: LocalRedisSentinel;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
  });
  afterAll(async () => {
    for (const c of opened.splice(0)) c.disconnect();
    await sentinel?.stop();
  });

  it('keeps publishing through the primary’s kill -9: the Sentinels promote the replica and no acknowledged event is lost', async () => {
    const prefix = testRedisPrefix('sentinel_failover');
    const keys = new RedisKeys(prefix);
    const conn = connectRedis({
      redisUrl: 'redis://127.0.0.1:6379',
      redisSentinels: { nodes: sentinel.sentinels, name: sentinel.name },
    });
    opened.push(conn);
    const bus = new RedisEventBus(conn, { prefix });
    expect(await sentinel.primaryPort()).toBe(7000);
    const acked: number[] = [];
    let failed = 0;
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        try {
          acked.push((await bus.publish(telephony(++n))).seq);
        } catch {
          failed++;
          // A publish refused at once would otherwise spin on microtasks and starve every timer,
          // this test's timeout included: the file then hung instead of failing.
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    })();
    let resumedMs: number;
    try {
      await until(() => acked.length > 50, 5_000, 'writes before the failover');
      // A kill, not SENTINEL FAILOVER: with the old primary alive, a Sentinel failover is not
      // coordinated with it, and what it acknowledges until it is demoted is lost (docs/scaling.md).
      sentinel.kill9(7000);
      const killedAt = Date.now();
      await until(
        async () => (await sentinel.primaryPort()) === 7001,
        20_000,
        'the replica promoted',
      );
      const atSwitch = acked.length;
      await until(() => acked.length > atSwitch + 50, 20_000, 'writes after the failover');
      resumedMs = Date.now() - killedAt;
    } finally {
      // Stopped however the waits end, so a failed wait fails the test rather than leaving it
      // writing forever.
      writing = false;
    }
    await writer;
    console.info(
      `sentinel failover: ${acked.length} events acknowledged, ${failed} failed, writing again within ${resumedMs} ms of the kill`,
    );
    const entries = await sentinel.node(7001).xrange(keys.stream('system'), '-', '+');
    const stored = new Set(entries.map(([, f]) => Number(f[f.indexOf('seq') + 1])));
    expect(acked.filter((s) => !stored.has(s))).toEqual([]);
    expect(failed).toBe(0);
  });
});
