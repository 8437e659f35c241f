import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import type { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { loadConfig, type AriServerConfig } from '../../src/config.js';
import { ARI_LEASE_ROUND_MS, ARI_LEASE_TTL_MS } from '../../src/roles/ari-worker.js';
import { schemaUrl, startRoleProcess, type RoleProcess } from '../ha/roles.js';
import type { TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { realAriServer, until } from './real-system.js';
import { RealWorkerRig } from './real-worker-rig.js';

/**
 * Two ari-worker processes for a fleet of two REAL Asterisk servers (npm run test:asterisk with
 * ARI_URL_2; issue 16 point 3, "two ari-workers per Asterisk"): each process is given both servers
 * (ARI_URL lists them); each server is followed by exactly one of them, by its own lease. Calls are
 * up on both servers (talking customers); the process holding the second server's lease is killed
 * with SIGKILL: every lease it held passes to the other process within the lease time, the calls
 * on both servers stay live, and each ends exactly once when its customer hangs up.
 */

const rig = new RealWorkerRig('realfleet_workers', 'rfw', '020');
const prefix = rig.prefix;
const seen = rig.seen;
const procs: RoleProcess[] = [];
let db: TestDb;
let redis: Redis;
let store: RedisStateStore;
let servers: AriServerConfig[] = [];
const clients = rig.clients;
const placed = rig.placed;

const place = (serverId: string, n: number, tag: string) => rig.place(serverId, n, tag);
const endedCount = (callId: string) => rig.endedCount(callId);

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
  await rig.start(servers.map((s) => ({ id: s.id, ari: s })));
  ({ db, redis, store } = rig);
});

afterAll(async () => {
  await rig.close(procs);
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
