import type { BusEnvelope, CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { loadConfig, type AriServerConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { ARI_LEASE_ROUND_MS, ARI_LEASE_TTL_MS } from '../../src/roles/ari-worker.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import { killAll, schemaUrl, startRoleProcess, type RoleProcess } from '../ha/roles.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { realAriServer, until } from './real-system.js';

/**
 * Two ari-worker processes for a fleet of two REAL Asterisk servers (npm run test:asterisk with
 * ARI_URL_2; issue 16 point 3, "two ari-workers per Asterisk"): each process is given both servers
 * (ARI_URL lists them); each server is followed by exactly one of them, by its own lease. Calls are
 * up on both servers (talking customers); the process holding the second server's lease is killed
 * with SIGKILL: every lease it held passes to the other process within the lease time, the calls
 * on both servers stay live, and each ends exactly once when its customer hangs up.
 */

let db: TestDb;
let redis: Redis;
let store: RedisStateStore;
const procs: RoleProcess[] = [];
const prefix = testRedisPrefix('realfleet_workers');
const seen: BusEnvelope[] = [];
let closeFeed: (() => Promise<void>) | null = null;
let servers: AriServerConfig[] = [];
const clients = new Map<string, AriRestClient>();
const originators = new Map<string, CallOriginator>();
const placed: Array<{ callId: string; serverId: string }> = [];
let campaignId = '';

const endedCount = (callId: string) =>
  seen.filter((e) => e.event.type === 'call.ended' && e.event.callId === callId).length;

async function place(serverId: string, n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const callId = `rfw-${tag}-${i}-${Date.now().toString(36)}` as CallId;
    await originators.get(serverId)?.originate({
      callId,
      campaignId: campaignId as CampaignId,
      leadId: String(100 + placed.length) as LeadId,
      listId: '1' as ListId,
      phone: `+1555020${String(placed.length).padStart(4, '0')}` as E164,
      attempt: 1,
      ringTimeoutS: 30,
    });
    placed.push({ callId, serverId });
    ids.push(callId);
  }
  return ids;
}

beforeAll(async () => {
  const url2 = process.env.ARI_URL_2;
  if (!url2)
    throw new Error(
      'real-fleet-workers.asterisk.test.ts needs a second Asterisk: set ARI_URL_2 (its ARI, same ' +
        'ARI_USER/ARI_PASSWORD; docs/telephony.md, "Asterisk fleet")',
    );
  const first = realAriServer();
  servers = loadConfig({
    ARI_URL: `${first.baseUrl},${url2}`,
    ARI_USER: first.user,
    ARI_PASSWORD: first.password,
  }).ari;
  db = await createTestDb('realfleet_workers');
  const c = await db.pool.query<{ id: string }>(
    "INSERT INTO campaigns (name) VALUES ('realfleet-workers') RETURNING id",
  );
  campaignId = String(c.rows[0]?.id);
  redis = new Redis(TEST_REDIS_URL);
  store = new RedisStateStore(redis, { prefix, clock: systemClock });
  const bus = new RedisEventBus(new Redis(TEST_REDIS_URL), { prefix, clock: systemClock });
  const sub = await bus.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) });
  closeFeed = () => sub.close();
  for (const s of servers) {
    const client = new AriRestClient(s);
    clients.set(s.id, client);
    originators.set(
      s.id,
      new CallOriginator({
        pool: new ServerPool([{ id: s.id, client, maxCalls: 100 }], store),
        store,
        callLog: new CallLogRepository(db.pool),
        clock: systemClock,
        logger: createLogger('silent'),
        dialTemplate: 'Local/{digits}@sim-customers-talking',
      }),
    );
  }
});

afterAll(async () => {
  await killAll(procs);
  await closeFeed?.();
  const ids = new Set(placed.map((p) => p.callId));
  for (const c of clients.values()) {
    for (const ch of await c.listChannels().catch(() => []))
      if (ids.has(ch.id)) await c.hangup(ch.id).catch(() => undefined);
    c.close();
  }
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await db?.drop();
});

describe('two ari-workers for a fleet of two real Asterisk servers', () => {
  it('one follows each server by lease; the holder of one killed, the other takes every lease it held; no call lost or doubled', async () => {
    const env = {
      DATABASE_URL: schemaUrl(db.url, db.schema),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ARI_URL: servers.map((s) => s.baseUrl).join(','),
      ARI_USER: servers[0]?.user ?? '',
      ARI_PASSWORD: servers[0]?.password ?? '',
    };
    const a = startRoleProcess('ari-worker', env);
    const b = startRoleProcess('ari-worker', env);
    procs.push(a, b);
    const keys = new RedisKeys(prefix);
    const holder = async (serverId: string) => {
      const owner = await redis.get(keys.ariLease(serverId));
      return owner ? Number(owner.split(':')[1]) : null;
    };
    const [S1, S2] = servers as [AriServerConfig, AriServerConfig];
    await until(
      'both servers held and followed',
      async () =>
        (await holder(S1.id)) !== null &&
        (await holder(S2.id)) !== null &&
        [S1, S2].every((s) =>
          seen.some(
            (e) => e.event.type === 'telephony.status' && e.event.serverId === s.id && e.event.up,
          ),
        ),
      30_000,
    );
    await until(
      'both processes started',
      async () => a.count('ari worker started') === 1 && b.count('ari worker started') === 1,
      30_000,
    );
    const took = (p: RoleProcess) => p.count('ari-worker took the server: following its events');
    // Exactly one activation per server, over the two processes.
    expect(took(a) + took(b)).toBe(2);
    const h1 = await holder(S1.id);
    const h2 = await holder(S2.id);
    console.log(
      `leases: S1 held by ${h1 === a.pid ? 'a' : 'b'}, S2 by ${h2 === a.pid ? 'a' : 'b'}`,
    );

    const calls = [...(await place(S1.id, 2, 's1')), ...(await place(S2.id, 2, 's2'))];
    await until(
      'the customers answered and judged',
      async () =>
        calls.every((id) => seen.some((e) => e.event.type === 'call.amd' && e.event.callId === id)),
      30_000,
    );
    const victim = h2 === a.pid ? a : b;
    const survivor = victim === a ? b : a;
    const victimHeld = [S1, S2].filter((_, i) => [h1, h2][i] === victim.pid).map((s) => s.id);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    await until(
      'the survivor to hold every lease',
      async () => (await holder(S1.id)) === survivor.pid && (await holder(S2.id)) === survivor.pid,
      20_000,
    );
    await until(
      'the survivor to follow the servers it took',
      async () =>
        victimHeld.every((id) =>
          seen.some(
            (e) =>
              e.event.type === 'telephony.status' &&
              e.event.serverId === id &&
              e.event.up &&
              e.event.atMs >= killedAt,
          ),
        ),
      20_000,
    );
    const takeoverMs = Date.now() - killedAt;
    console.log(
      `fleet ari-worker take-over of ${victimHeld.length} server(s): ${takeoverMs} ms after the kill -9 (TTL ${ARI_LEASE_TTL_MS} ms)`,
    );
    expect(takeoverMs).toBeLessThan(ARI_LEASE_TTL_MS + 2 * ARI_LEASE_ROUND_MS + 3_000);
    // Every call still live, in state and on its server.
    const live = new Set((await store.listCalls()).map((c): string => c.callId));
    expect(calls.filter((id) => !live.has(id))).toEqual([]);
    for (const p of placed) {
      const on = (await clients.get(p.serverId)?.listChannels())?.some((c) => c.id === p.callId);
      expect(on, p.callId).toBe(true);
    }
    // The customers hang up: each call ends once.
    for (const p of placed) await clients.get(p.serverId)?.hangup(p.callId);
    await until('every call ended', async () => calls.every((id) => endedCount(id) >= 1), 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(calls.map(endedCount)).toEqual(calls.map(() => 1));
    expect(took(survivor)).toBe(2);
    expect(survivor.count('ari-worker lease lost: server handed over')).toBe(0);
  }, 180_000);
});
