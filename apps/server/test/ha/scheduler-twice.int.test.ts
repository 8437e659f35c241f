import { AgentId, CampaignId, type AgentState } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { rederiveIfStale } from '../../src/adapters/postgres/rederive-tz.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/ports/clock.js';
import type { AgentStatus } from '../../src/ports/state-store.js';
import type { RunningRole } from '../../src/roles/context.js';
import { startHopperScheduler, startScheduler } from '../../src/roles/scheduler.js';
import type { FillReport } from '../../src/services/hopper/hopper-filler.js';
import { until, useRedisTestContext, useTestDb } from '../helpers/hooks.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { insertManyLeads, seedCampaign } from '../redis/seed.js';

/**
 * Two scheduler processes at once (docs/scaling.md, "Every role twice"): nothing they run may run
 * twice or write a row twice. The hopper jobs are BullMQ's (one job to one worker, global
 * concurrency 1), agent_log rows are idempotent (a unique index, ON CONFLICT DO NOTHING), the
 * state rebuild takes a Redis lock, the time-zone re-derivation a PostgreSQL advisory lock.
 */

const db = useTestDb('ha_sched');
const rc = useRedisTestContext('ha_sched');

describe('two schedulers', () => {
  it('run each hopper job once, never two fills at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const filler = {
      fillAll: async (): Promise<FillReport[]> => {
        running += 1;
        runs += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 60));
        running -= 1;
        return [];
      },
      fillById: async () => null,
    };
    const prefix = new RedisKeys(`${rc.prefix}_q`).bullPrefix;
    const opts = { redisUrl: TEST_REDIS_URL, prefix, filler, everyMs: 200 };
    const a = await startHopperScheduler(opts);
    const b = await startHopperScheduler(opts);
    const t0 = Date.now();
    try {
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await a.close();
      await b.close();
    }
    const ticks = (Date.now() - t0) / 200;
    expect(maxRunning).toBe(1);
    // One run per tick of the one job scheduler (not one per process).
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(Math.ceil(ticks) + 1);
  });

  it('run the fill of a scheduler that died mid-fill on the other one, once its lock expires', async () => {
    const runs: string[] = [];
    const filler = (name: string) => ({
      fillAll: async (): Promise<FillReport[]> => [],
      fillById: async (): Promise<FillReport | null> => {
        runs.push(name);
        // The first process dies in the middle of its fill: this never ends.
        if (name === 'a') await new Promise<never>(() => undefined);
        return null;
      },
    });
    const prefix = new RedisKeys(`${rc.prefix}_k`).bullPrefix;
    const opts = { redisUrl: TEST_REDIS_URL, prefix, everyMs: 3_600_000 };
    const timing = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const a = await startHopperScheduler({ ...opts, ...timing, filler: filler('a') });
    await a.request(CampaignId.parse('1'));
    await until(async () => runs.includes('a'));
    const b = await startHopperScheduler({ ...opts, ...timing, filler: filler('b') });
    // a dies: its worker stops at once (no lock renewal), its job left running.
    await a.close({ force: true });
    const diedAt = Date.now();
    try {
      await until(async () => runs.includes('b'), 10_000);
      const afterMs = Date.now() - diedAt;
      console.log(`refill run again by the other scheduler ${afterMs} ms after the first died`);
      // Its lock's time plus a stalled check or two.
      expect(afterMs).toBeLessThan(timing.lockDurationMs + 3 * timing.stalledIntervalMs + 1_000);
      expect(runs).toEqual(['a', 'b']);
    } finally {
      await b.close();
    }
  });

  it('fill the hopper once and record every agent state change once', async () => {
    const s = await seedCampaign(db.pool, { hopperSize: 15 });
    await insertManyLeads(db.pool, s.listId, 60, ['America/Chicago'], 13_125_560_000);
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: rc.prefix });
    const clock = new ManualClock(Date.parse('2026-01-15T18:00:00Z'));
    const ctx = { config, logger: createLogger('silent'), pool: db.pool, clock, ariServers: [] };
    const roles: RunningRole[] = [];
    roles.push(await startScheduler(ctx), await startScheduler(ctx));
    const hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
    const cid = CampaignId.parse(s.campaignId);
    try {
      await until(async () => (await hopper.size(cid)) === 15);
      // A dialer takes leads; the next fills (by either process) top the hopper up again.
      const popped = await hopper.popMany(cid, 'dialer-1', 10, 60_000, clock.nowMs());
      expect(popped).toHaveLength(10);
      for (const l of popped) await hopper.ack(cid, l.entry.leadId, 'dialer-1');
      await until(async () => (await hopper.size(cid)) === 15, 15_000);
      const queued = (await hopper.entries(cid)).map((e) => e.leadId as string);
      expect(new Set(queued).size).toBe(queued.length);
      const marked = await db.pool.query<{ id: string }>(
        'SELECT id::text FROM leads WHERE hopper_at IS NOT NULL',
      );
      // Every queued lead marked once, no popped lead queued again.
      expect(marked.rows.map((r) => r.id).sort()).toEqual(
        [...queued, ...popped.map((l) => l.entry.leadId as string)].sort(),
      );
      expect(queued.filter((id) => popped.some((p) => p.entry.leadId === id))).toEqual([]);

      // Agent state changes: both recorders consume each event; one agent_log row each.
      const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
      const agentId = AgentId.parse('41');
      const path: AgentState[] = ['READY', 'PAUSED', 'READY', 'LOGGED_OUT'];
      let prev: AgentStatus | null = null;
      let t = clock.nowMs();
      for (const to of path) {
        t += 1_000;
        const next: AgentStatus = {
          agentId,
          state: to,
          sinceMs: t,
          campaignId: to === 'LOGGED_OUT' ? null : cid,
          callId: null,
          pauseCode: to === 'PAUSED' ? 'BREAK' : null,
          bridgeId: null,
          legChannelId: null,
        };
        await store.transitionAgent(next, prev?.state ?? null, {
          type: 'agent.state_changed',
          agentId,
          campaignId: cid,
          from: prev?.state ?? 'LOGGED_OUT',
          to,
          pauseCode: next.pauseCode,
          callId: null,
          reason: 'test',
          sinceMs: prev?.sinceMs ?? t,
          atMs: t,
        });
        prev = next;
      }
      const rows = async () =>
        (
          await db.pool.query<{ state: string }>(
            'SELECT state FROM agent_log WHERE agent_id = 41 ORDER BY started_at',
          )
        ).rows.map((r) => r.state);
      await until(async () => (await rows()).length >= 3);
      // Both recorders have had time to write theirs.
      await new Promise((r) => setTimeout(r, 500));
      expect(await rows()).toEqual(['READY', 'PAUSED', 'READY']);
    } finally {
      for (const r of roles) await r.stop();
    }
  }, 30_000);

  it('re-derive the time zones in one process only', async () => {
    await db.pool.query('DELETE FROM tz_data_version');
    const ran = await Promise.all([rederiveIfStale(db.pool), rederiveIfStale(db.pool)]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await rederiveIfStale(db.pool)).toBe(false);
  });
});
