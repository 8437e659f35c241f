import pino from 'pino';
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
import { startAriWorker } from '../../src/roles/ari-worker.js';
import type { RunningRole } from '../../src/roles/context.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { simWorkerSetup, type SimWorkerSetup } from '../helpers/sim-worker.js';

/**
 * A lease lost mid-event-handling (issue 16, "Bad input and faults"): the active ari-worker still
 * has calls to follow when another owner's lease appears under it (as when it stalled past the
 * TTL and a standby took the server). Its next call write is refused by the lease check in the
 * same Redis step, nothing of it is written, it lets the server go and says so in one log line;
 * the standby takes the server when the lease is free and ends every call once.
 */

let db: TestDb;
let pbx: SimPbx;
let redis: Redis;
let setup: SimWorkerSetup;
const roles: RunningRole[] = [];

beforeAll(async () => {
  db = await createTestDb('ha_lease');
  pbx = await startSimPbx({
    port: 0,
    seed: 3,
    defaultProfile: {
      mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
      humanRingMs: { min: 100, max: 300 },
      amdHumanAccuracy: 1,
      amdHumanDecisionMs: 100,
      humanGreetingMs: 50,
      humanTalkMs: { min: 1_200, max: 1_800 },
    },
  });
  setup = simWorkerSetup('ha_lease', pbx);
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  for (const r of roles) await r.stop().catch(() => undefined);
  await pbx?.stop();
  const keys = await redis.keys(`${setup.prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db?.drop();
});

/** A pino logger whose lines the test reads. */
function capturedLogger() {
  const lines: Array<{ msg?: string; level: number }> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as { msg?: string; level: number }) },
  );
  return { logger, count: (msg: string) => lines.filter((l) => l.msg === msg).length, lines };
}

async function until(what: string, ms: number, f: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ari-worker lease lost mid-event-handling', () => {
  it('refuses the stale writes, logs once, and the new holder ends every call once', async () => {
    const c = await db.pool.query<{ id: string }>(
      "INSERT INTO campaigns (name) VALUES ('ha') RETURNING id",
    );
    const campaignId = String(c.rows[0]?.id) as CampaignId;
    const keys = new RedisKeys(setup.prefix);
    const leaseKey = keys.ariLease(setup.server.id);
    const ctx = (logger: pino.Logger) => ({
      config: setup.config,
      logger,
      pool: db.pool,
      clock: systemClock,
      ariServers: [setup.server],
    });
    // A renews only once a minute, so only the write fence can tell it the lease is gone.
    const a = capturedLogger();
    roles.push(await startAriWorker(ctx(a.logger), { leaseRoundMs: 60_000 }));
    await until('A to follow the server', 10_000, async () => {
      return a.count('ari-worker took the server: following its events') === 1;
    });
    const ownerA = await redis.get(leaseKey);
    const b = capturedLogger();
    roles.push(await startAriWorker(ctx(b.logger), { leaseRoundMs: 200 }));

    const store = new RedisStateStore(redis, { prefix: setup.prefix, clock: systemClock });
    const client = new AriRestClient(setup.server);
    const originator = new CallOriginator({
      pool: new ServerPool([{ id: setup.server.id, client, maxCalls: 100 }], store),
      store,
      callLog: new CallLogRepository(db.pool),
      clock: systemClock,
      logger: createLogger('silent'),
      dialTemplate: 'Local/{digits}@sim-customers',
    });
    const placed: CallId[] = [];
    for (let i = 0; i < 4; i++) {
      const callId = `lost-${i}` as CallId;
      placed.push(callId);
      await originator.originate({
        callId,
        campaignId,
        leadId: String(10 + i) as LeadId,
        listId: '1' as ListId,
        phone: `+1555020000${i}` as E164,
        attempt: 1,
        ringTimeoutS: 30,
      });
    }
    await until('every call answered', 10_000, async () => {
      const calls = await store.listCalls();
      return calls.filter((x) => x.answeredAtMs !== null).length === placed.length;
    });
    // A stalled past its TTL and someone else holds the lease now; A does not know it yet.
    await redis.set(leaseKey, 'intruder', 'PX', 2_500);
    const endedBefore = await endedCount(redis, keys);
    // The customers hang up: A's call.ended writes are refused.
    await until('A to let the server go', 10_000, async () => {
      return a.count('ari-worker lease lost: server handed over') === 1;
    });
    expect(await endedCount(redis, keys)).toBe(endedBefore);
    // The intruder's lease expires; B takes the server and resyncs.
    await until('B to follow the server', 10_000, async () => {
      return b.count('ari-worker took the server: following its events') === 1;
    });
    expect(await redis.get(leaseKey)).not.toBe(ownerA);
    await until('every call ended in state', 10_000, async () => {
      const live = await store.listCalls();
      return live.length === 0;
    });
    const perCall = await endedPerCall(redis, keys);
    expect(placed.map((id) => perCall.get(id) ?? 0)).toEqual(placed.map(() => 1));
    // One line for the loss, none for each refused write.
    expect(a.count('ari-worker lease lost: server handed over')).toBe(1);
    expect(a.count('ari worker failed to apply an event')).toBe(0);
    expect(a.count('ari worker task failed')).toBe(0);
    expect(a.lines.filter((l) => l.level >= 50)).toEqual([]);
    // call_log closed once per call (the worker's batched writer flushes shortly after).
    await until('every call_log row ended', 10_000, async () => {
      const r = await db.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM call_log WHERE ended_at IS NOT NULL',
      );
      return Number(r.rows[0]?.n) === placed.length;
    });
    client.close();
  });
});

async function endedPerCall(redis: Redis, keys: RedisKeys): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [, fields] of await redis.xrange(keys.stream('calls'), '-', '+')) {
    const e = JSON.parse(fields[fields.indexOf('e') + 1] ?? '{}') as {
      type: string;
      callId: string;
    };
    if (e.type === 'call.ended') out.set(e.callId, (out.get(e.callId) ?? 0) + 1);
  }
  return out;
}

async function endedCount(redis: Redis, keys: RedisKeys): Promise<number> {
  let n = 0;
  for (const v of (await endedPerCall(redis, keys)).values()) n += v;
  return n;
}
