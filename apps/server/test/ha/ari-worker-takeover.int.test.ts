import { Redis } from 'ioredis';
import type { CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimPbx, type SimPbx } from '../../../sim/src/index.js';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { ARI_LEASE_ROUND_MS, ARI_LEASE_TTL_MS } from '../../src/roles/ari-worker.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { killAll, schemaUrl, startRoleProcess, type RoleProcess } from './roles.js';

/**
 * Two ari-worker processes on one (simulated) Asterisk, as deployed (docs/scaling.md, "Every role
 * twice"): one follows the server by lease, the other waits; the active one is killed with SIGKILL
 * while calls are up, more calls are placed while nobody follows the server, and the standby
 * must take over within the lease time, resync, and leave every call ended exactly once.
 */

let db: TestDb;
let pbx: SimPbx;
let redis: Redis;
const procs: RoleProcess[] = [];
const prefix = testRedisPrefix('ha_ari');
let campaignId: string;

beforeAll(async () => {
  db = await createTestDb('ha_ari');
  const c = await db.pool.query<{ id: string }>(
    "INSERT INTO campaigns (name) VALUES ('ha') RETURNING id",
  );
  campaignId = String(c.rows[0]?.id);
  // Every customer a person who answers within a second and talks 1.5-4 s, then hangs up.
  pbx = await startSimPbx({
    port: 0,
    seed: 16,
    defaultProfile: {
      mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
      humanRingMs: { min: 200, max: 800 },
      amdHumanAccuracy: 1,
      amdHumanDecisionMs: 100,
      humanGreetingMs: 50,
      humanTalkMs: { min: 1_500, max: 4_000 },
    },
  });
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await killAll(procs);
  await pbx?.stop();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db?.drop();
});

async function until<T>(what: string, ms: number, f: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ari-worker twice on one Asterisk', () => {
  it('the standby takes over within the lease time after a kill -9; no call lost or doubled', async () => {
    const serverId = `127.0.0.1:${new URL(pbx.ariUrl).port}`;
    const env = {
      DATABASE_URL: schemaUrl(db.url, db.schema),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ARI_URL: pbx.ariUrl,
    };
    const a = startRoleProcess('ari-worker', env);
    const b = startRoleProcess('ari-worker', env);
    procs.push(a, b);
    const keys = new RedisKeys(prefix);
    const leaseKey = keys.ariLease(serverId);
    const holderPid = async () => {
      const owner = await redis.get(leaseKey);
      return owner ? Number(owner.split(':')[1]) : null;
    };
    const connected = async () => {
      const r = await fetch(`${pbx.url}/_sim/stats`);
      return ((await r.json()) as { connectedApps: string[] }).connectedApps.includes('dialer');
    };
    const firstPid = await until('a worker to hold the lease', 30_000, holderPid);
    await until('the holder to connect', 10_000, connected);
    const active = firstPid === a.pid ? a : b;
    const standby = active === a ? b : a;
    // Both processes up before the kill: the standby has started (its lease rounds run).
    await until(
      'the standby to start',
      30_000,
      async () => standby.count('ari worker started') === 1,
    );
    expect(standby.count('ari-worker took the server: following its events')).toBe(0);

    // The test places calls as the dialer would: live_call + call_log row, then ARI.
    const store = new RedisStateStore(redis, { prefix, clock: systemClock });
    const client = new AriRestClient({
      baseUrl: pbx.ariUrl,
      user: 'ringside',
      password: 'ringside',
    });
    const originator = new CallOriginator({
      pool: new ServerPool([{ id: serverId, client, maxCalls: 100 }], store),
      store,
      callLog: new CallLogRepository(db.pool),
      clock: systemClock,
      logger: createLogger('silent'),
      dialTemplate: 'Local/{digits}@sim-customers',
    });
    const placed: string[] = [];
    const place = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) {
        const callId = `ha-${tag}-${i}` as CallId;
        const r = await originator.originate({
          callId,
          campaignId: campaignId as CampaignId,
          leadId: String(100 + placed.length) as LeadId,
          listId: '1' as ListId,
          phone: `+1555010${String(placed.length).padStart(4, '0')}` as E164,
          attempt: 1,
          ringTimeoutS: 30,
        });
        // A call refused by Asterisk is ended in state by the originator: still exactly once.
        placed.push(callId);
        void r;
      }
    };
    await place(6, 'before');
    // Some answered and in AMD/talk when the active worker dies.
    await until('calls answered', 10_000, async () => {
      const calls = await store.listCalls();
      return calls.filter((c) => c.answeredAtMs !== null).length >= 3;
    });
    active.child.kill('SIGKILL');
    const killedAt = Date.now();
    await active.exited;
    // Nobody follows the server now: these calls end (Stasis has no app) unseen.
    await place(3, 'gap');
    const newPid = await until('the standby to hold the lease', 15_000, async () => {
      const pid = await holderPid();
      return pid === standby.pid ? pid : null;
    });
    await until('the standby to connect', 10_000, connected);
    const takeoverMs = Date.now() - killedAt;
    console.log(
      `ari-worker take-over: ${takeoverMs} ms after the kill (lease TTL ${ARI_LEASE_TTL_MS} ms, round ${ARI_LEASE_ROUND_MS} ms)`,
    );
    expect(newPid).toBe(standby.pid);
    // Within the lease time plus a round (and a little for a loaded machine to connect).
    expect(takeoverMs).toBeLessThan(ARI_LEASE_TTL_MS + 2 * ARI_LEASE_ROUND_MS + 2_000);
    await place(4, 'after');

    // Every call ends, in state and in call_log, exactly once.
    let left: string[] = [];
    await until('every call to end in state', 20_000, async () => {
      const live = (await store.listCalls()).filter((c) => placed.includes(c.callId));
      left = live.map((c) => `${c.callId}:${c.stage}`);
      return live.length === 0;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; still live: ${left.join(', ')}`);
    });
    const rows = await until('every call_log row to end', 10_000, async () => {
      const r = await db.pool.query<{ id: string; ended_at: Date | null; outcome: string | null }>(
        'SELECT id, ended_at, outcome FROM call_log ORDER BY id',
      );
      return r.rows.every((x) => x.ended_at !== null) ? r.rows : null;
    });
    expect(rows.map((r) => r.id).sort()).toEqual([...placed].sort());
    const entries = await redis.xrange(keys.stream('calls'), '-', '+');
    const endedPerCall = new Map<string, number>();
    for (const [, fields] of entries) {
      const e = JSON.parse(fields[fields.indexOf('e') + 1] ?? '{}') as {
        type: string;
        callId: string;
      };
      if (e.type === 'call.ended')
        endedPerCall.set(e.callId, (endedPerCall.get(e.callId) ?? 0) + 1);
    }
    expect(placed.map((id) => endedPerCall.get(id) ?? 0)).toEqual(placed.map(() => 1));
    expect(standby.count('ari-worker took the server: following its events')).toBe(1);
    expect(standby.count('ari-worker lease lost: server handed over')).toBe(0);
    client.close();
  });
});
