import { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { changedEvent } from '../../src/domain/agent-state.js';
import { IllegalTransitionError } from '../../src/errors.js';
import { ManualClock } from '../../src/ports/clock.js';
import type { Subscription } from '../../src/ports/event-bus.js';
import {
  AgentSessionService,
  startAgentLogRecorder,
} from '../../src/services/agents/agent-session.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { until } from '../helpers/hooks.js';
import { redisTestContext, type RedisTestContext } from './redis-harness.js';

const T0 = Date.parse('2026-01-15T15:00:00Z');
const camp = CampaignId.parse('11');

let db: TestDb;
let rc: RedisTestContext;
let clock: ManualClock;
let store: RedisStateStore;
let bus: RedisEventBus;
let log: AgentLogRepository;
let service: AgentSessionService;
let recorder: Subscription;

beforeAll(async () => {
  db = await createTestDb('agents');
  rc = await redisTestContext('agents');
  clock = new ManualClock(T0);
  store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
  bus = new RedisEventBus(rc.redis, { prefix: rc.prefix, clock, blockMs: 200 });
  log = new AgentLogRepository(db.pool);
  service = new AgentSessionService({ store, log, clock });
  recorder = await startAgentLogRecorder(bus, log);
});
afterAll(async () => {
  await recorder.close();
  await rc.cleanup();
  await db.drop();
});

interface LogRow {
  state: string;
  pause_code: string | null;
  call_id: string | null;
  duration_ms: string;
  reason: string;
}

async function rows(agentId: string): Promise<LogRow[]> {
  const r = await db.pool.query<LogRow>(
    `SELECT state, pause_code, call_id, duration_ms::text, reason FROM agent_log
     WHERE agent_id = $1 ORDER BY started_at, ended_at`,
    [agentId],
  );
  return r.rows;
}

describe('agent sessions', () => {
  it('writes every transition to agent_log with its duration, including the dialer reservation', async () => {
    const a = AgentId.parse('101');
    const call = CallId.parse('call-101');
    await service.apply(a, { type: 'login', campaignId: camp }, 'agent');
    clock.advance(5_000);
    await service.apply(a, { type: 'ready' }, 'agent');
    clock.advance(7_000);
    // The dialer reserves the agent directly in Redis; the recorder writes that row from the bus.
    expect((await store.reserveLongestReady(camp, call, clock.nowMs()))?.agentId).toBe(a);
    clock.advance(1_000);
    await service.apply(a, { type: 'connect', callId: call }, 'dialer');
    clock.advance(60_000);
    await service.apply(a, { type: 'customer_hangup' }, 'system:ari');
    clock.advance(2_000);
    await service.apply(a, { type: 'agent_hangup', wrapupMs: 30_000 }, 'agent');
    clock.advance(10_000);
    await service.apply(a, { type: 'pause', code: 'LUNCH' }, 'agent');
    clock.advance(3_000);
    await service.apply(a, { type: 'logout' }, 'agent');
    await until(async () => (await rows(a)).length === 7);
    expect(await rows(a)).toEqual([
      { state: 'PAUSED', pause_code: 'LOGIN', call_id: null, duration_ms: '5000', reason: 'agent' },
      { state: 'READY', pause_code: null, call_id: null, duration_ms: '7000', reason: 'dialer' },
      { state: 'RESERVED', pause_code: null, call_id: call, duration_ms: '1000', reason: 'dialer' },
      {
        state: 'INCALL',
        pause_code: null,
        call_id: call,
        duration_ms: '60000',
        reason: 'system:ari',
      },
      { state: 'DEAD', pause_code: null, call_id: call, duration_ms: '2000', reason: 'agent' },
      { state: 'WRAPUP', pause_code: null, call_id: call, duration_ms: '10000', reason: 'agent' },
      { state: 'PAUSED', pause_code: 'LUNCH', call_id: null, duration_ms: '3000', reason: 'agent' },
    ]);
    const s = await db.pool.query(
      'SELECT state, campaign_id FROM agent_sessions WHERE agent_id = $1',
      [a],
    );
    expect(s.rows[0]).toEqual({ state: 'LOGGED_OUT', campaign_id: null });
  });

  it('refuses an illegal transition and writes nothing', async () => {
    const a = AgentId.parse('102');
    await service.apply(a, { type: 'login', campaignId: camp }, 'agent');
    const before = await store.getAgent(a);
    await expect(
      service.apply(a, { type: 'connect', callId: CallId.parse('x') }, 'agent'),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await store.getAgent(a)).toEqual(before);
    expect(await rows(a)).toEqual([]);
  });

  it('lets exactly one of several concurrent identical commands win', async () => {
    const a = AgentId.parse('103');
    await service.apply(a, { type: 'login', campaignId: camp }, 'agent');
    clock.advance(1_000);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => service.apply(a, { type: 'ready' }, 'agent')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IllegalTransitionError);
    }
    expect((await store.getAgent(a))?.state).toBe('READY');
    expect(await rows(a)).toHaveLength(1);
  });

  it('records the same change only once however often it is replayed', async () => {
    const a = AgentId.parse('104');
    const { status: prevStatus } = await service.apply(
      a,
      { type: 'login', campaignId: camp },
      'agent',
    );
    clock.advance(2_000);
    const { status } = await service.apply(a, { type: 'ready' }, 'agent');
    const e = changedEvent(prevStatus, status, 'agent', clock.nowMs());
    await log.record(e);
    await log.record(e, undefined, undefined, { replaceSameInstant: false });
    expect(await rows(a)).toHaveLength(1);
    const s = await db.pool.query('SELECT state FROM agent_sessions WHERE agent_id = $1', [a]);
    expect(s.rows[0]?.state).toBe('READY');
  });
});
